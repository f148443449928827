// gluon.nn pooling layers (MXNet 1.x gluon/nn/conv_layers.py): MaxPool1D/2D/3D, AvgPool1D/2D/3D
// and their global forms, all one Pooling op call over channel-first input.
import type * as ops from '../../generated/ops.js';
import { type NDArray } from '../../ndarray.js';
import { type BlockOptions, HybridBlock, type OpNamespace } from '../block.js';
import { checkLayout, type ConvLayout } from './conv_layers.js';
import { explainFailure, type IntOrTuple, pyRepr, shapeText, toTuple } from './util.js';

export interface PoolOptions extends BlockOptions {
  /** The window; default 2 in every dimension. */
  poolSize?: IntOrTuple;
  /** Default: poolSize. */
  strides?: IntOrTuple | null;
  /** Default 0. */
  padding?: IntOrTuple;
  /** Round the output size up instead of down (pooling_convention 'full'); default false. */
  ceilMode?: boolean;
  layout?: string;
}

export interface AvgPoolOptions extends PoolOptions {
  /** Whether padded zeros count in the average (default true). */
  countIncludePad?: boolean;
}

export interface GlobalPoolOptions extends BlockOptions {
  layout?: string;
}

/** The options of a pooling layer whose pool size may come first, positionally. */
function poolArgs<O extends PoolOptions>(first: IntOrTuple | O | undefined, rest: O | undefined): O {
  if (first === undefined || typeof first === 'number' || Array.isArray(first)) {
    return { ...(rest ?? {}), ...(first === undefined ? {} : { poolSize: first as IntOrTuple }) } as O;
  }
  return first as O;
}

abstract class PoolBase extends HybridBlock<NDArray, [NDArray]> {
  readonly #dims: number;
  readonly #op: ops.PoolingParams;

  protected constructor(dims: number, poolType: 'max' | 'avg', globalPool: boolean, o: AvgPoolOptions) {
    super(o);
    const layer = new.target.name;
    this.#dims = dims;
    const kernel = toTuple(layer, 'pool_size', o.poolSize ?? 2, dims, 1);
    const stride = o.strides === undefined || o.strides === null ? kernel : toTuple(layer, 'strides', o.strides, dims, 1);
    const pad = toTuple(layer, 'padding', o.padding ?? 0, dims, 0);
    const layout = checkLayout(layer, o.layout, dims);
    this.#op = {
      kernel,
      pool_type: poolType,
      global_pool: globalPool,
      pooling_convention: o.ceilMode ? 'full' : 'valid',
      stride,
      pad,
      layout,
    };
    if (poolType === 'avg') this.#op.count_include_pad = o.countIncludePad ?? true;
  }

  get poolSize(): readonly number[] {
    return this.#op.kernel as readonly number[];
  }
  get strides(): readonly number[] {
    return this.#op.stride as readonly number[];
  }
  get layout(): ConvLayout {
    return this.#op.layout as ConvLayout;
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, x: NDArray): NDArray {
    try {
      return F.Pooling(x, this.#op);
    } catch (e) {
      return explainFailure(`${this.constructor.name} '${this.name}'`, e, () =>
        x.shape.length !== this.#dims + 2 ? `expects ${this.#dims + 2}-D input (${this.layout}), got shape ${shapeText(x.shape)}` : undefined,
      );
    }
  }

  protected override extraRepr(): string {
    const o = this.#op;
    return (
      `size=${pyRepr(o.kernel)}, stride=${pyRepr(o.stride)}, padding=${pyRepr(o.pad)}, ceil_mode=${pyRepr(o.pooling_convention === 'full')}, ` +
      `global_pool=${pyRepr(o.global_pool)}, pool_type=${o.pool_type!}, layout=${o.layout!}`
    );
  }
}

/** Max pooling over (N, C, W) input. */
export class MaxPool1D extends PoolBase {
  /** new MaxPool1D({poolSize, strides, ...}), or with the pool size first as in MXNet: new MaxPool1D(3, {strides: 2}). */
  constructor(poolSize?: IntOrTuple | PoolOptions, options?: PoolOptions) {
    super(1, 'max', false, poolArgs(poolSize, options));
  }
}
/** Max pooling over (N, C, H, W) input. */
export class MaxPool2D extends PoolBase {
  /** new MaxPool2D({poolSize, strides, ...}), or with the pool size first as in MXNet: new MaxPool2D(3, {strides: 2}). */
  constructor(poolSize?: IntOrTuple | PoolOptions, options?: PoolOptions) {
    super(2, 'max', false, poolArgs(poolSize, options));
  }
}
/** Max pooling over (N, C, D, H, W) input. */
export class MaxPool3D extends PoolBase {
  /** new MaxPool3D({poolSize, strides, ...}), or with the pool size first as in MXNet: new MaxPool3D(3, {strides: 2}). */
  constructor(poolSize?: IntOrTuple | PoolOptions, options?: PoolOptions) {
    super(3, 'max', false, poolArgs(poolSize, options));
  }
}
/** Average pooling over (N, C, W) input. */
export class AvgPool1D extends PoolBase {
  /** new AvgPool1D({poolSize, strides, ...}), or with the pool size first as in MXNet: new AvgPool1D(3, {strides: 2}). */
  constructor(poolSize?: IntOrTuple | AvgPoolOptions, options?: AvgPoolOptions) {
    super(1, 'avg', false, poolArgs(poolSize, options));
  }
}
/** Average pooling over (N, C, H, W) input. */
export class AvgPool2D extends PoolBase {
  /** new AvgPool2D({poolSize, strides, ...}), or with the pool size first as in MXNet: new AvgPool2D(3, {strides: 2}). */
  constructor(poolSize?: IntOrTuple | AvgPoolOptions, options?: AvgPoolOptions) {
    super(2, 'avg', false, poolArgs(poolSize, options));
  }
}
/** Average pooling over (N, C, D, H, W) input. */
export class AvgPool3D extends PoolBase {
  /** new AvgPool3D({poolSize, strides, ...}), or with the pool size first as in MXNet: new AvgPool3D(3, {strides: 2}). */
  constructor(poolSize?: IntOrTuple | AvgPoolOptions, options?: AvgPoolOptions) {
    super(3, 'avg', false, poolArgs(poolSize, options));
  }
}

// Global pooling: MXNet builds them with a unit window, ceil_mode True and global_pool True.
const globalOptions = (o: GlobalPoolOptions): AvgPoolOptions => ({ ...o, poolSize: 1, ceilMode: true });

/** Max over the whole width: (N, C, W) → (N, C, 1). */
export class GlobalMaxPool1D extends PoolBase {
  constructor(options: GlobalPoolOptions = {}) {
    super(1, 'max', true, globalOptions(options));
  }
}
/** Max over the whole plane: (N, C, H, W) → (N, C, 1, 1). */
export class GlobalMaxPool2D extends PoolBase {
  constructor(options: GlobalPoolOptions = {}) {
    super(2, 'max', true, globalOptions(options));
  }
}
/** Max over the whole volume: (N, C, D, H, W) → (N, C, 1, 1, 1). */
export class GlobalMaxPool3D extends PoolBase {
  constructor(options: GlobalPoolOptions = {}) {
    super(3, 'max', true, globalOptions(options));
  }
}
/** Mean over the whole width: (N, C, W) → (N, C, 1). */
export class GlobalAvgPool1D extends PoolBase {
  constructor(options: GlobalPoolOptions = {}) {
    super(1, 'avg', true, globalOptions(options));
  }
}
/** Mean over the whole plane: (N, C, H, W) → (N, C, 1, 1). */
export class GlobalAvgPool2D extends PoolBase {
  constructor(options: GlobalPoolOptions = {}) {
    super(2, 'avg', true, globalOptions(options));
  }
}
/** Mean over the whole volume: (N, C, D, H, W) → (N, C, 1, 1, 1). */
export class GlobalAvgPool3D extends PoolBase {
  constructor(options: GlobalPoolOptions = {}) {
    super(3, 'avg', true, globalOptions(options));
  }
}
