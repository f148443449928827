// gluon.nn normalisation layers (in MXNet 1.x they live in basic_layers.py): BatchNorm, LayerNorm,
// InstanceNorm, GroupNorm. Channel counts left at 0 are read from the first input.
import { type DTypeName } from '../../dtype.js';
import { fail } from '../../errors.js';
import { type Initializer } from '../../initializer.js';
import type * as ops from '../../generated/ops.js';
import { type NDArray } from '../../ndarray.js';
import { type BlockOptions, HybridBlock, type OpNamespace } from '../block.js';
import { type Parameter } from '../parameter.js';
import { type ParameterDict } from '../parameter_dict.js';
import { checkCount, checkNumber, explainFailure, layerParam, normAxis, pyRepr, shapeText } from './util.js';

interface ScaleShiftOptions extends BlockOptions {
  /** Add the learned offset beta (default true). */
  center?: boolean;
  /** Multiply by the learned gamma (default true; InstanceNorm: false). */
  scale?: boolean;
  /** Default 'zeros'. */
  betaInitializer?: Initializer | string;
  /** Default 'ones'. */
  gammaInitializer?: Initializer | string;
  /** Size of the normalised axis; 0 or omitted: inferred on the first forward. */
  inChannels?: number;
}

/**
 * gamma and beta of shape (n,), trained only when scale/center ask for it. BatchNorm (alone, as in
 * MXNet) also marks an unused one non-differentiable, so its grad_req cannot be turned back on.
 */
function scaleShift(params: ParameterDict, n: number, o: ScaleShiftOptions, scaleDefault: boolean, fixUnused = false): [Parameter, Parameter] {
  const scale = o.scale ?? scaleDefault;
  const center = o.center ?? true;
  const gamma = layerParam(params, o.params, 'gamma', {
    gradReq: scale ? 'write' : 'null',
    shape: [n],
    init: o.gammaInitializer ?? 'ones',
    allowDeferredInit: true,
    differentiable: fixUnused ? scale : true,
  });
  const beta = layerParam(params, o.params, 'beta', {
    gradReq: center ? 'write' : 'null',
    shape: [n],
    init: o.betaInitializer ?? 'zeros',
    allowDeferredInit: true,
    differentiable: fixUnused ? center : true,
  });
  return [gamma, beta];
}

/** The channel count of `x` on `axis`, for shape inference and error messages. */
function channelsOf(layer: string, x: NDArray, axis: number): number {
  return x.shape[normAxis(layer, axis, x.shape.length)]!;
}

function channelMismatch(x: NDArray, axis: number, want: number): string | undefined {
  const s = x.shape;
  const a = axis < 0 ? axis + s.length : axis;
  const got = s[a];
  if (got === undefined) return `axis ${axis} is out of range for an input of shape ${shapeText(s)}`;
  return got === want ? undefined : `input of shape ${shapeText(s)} has ${got} channels on axis ${axis} but in_channels is ${want}`;
}

export interface BatchNormOptions extends ScaleShiftOptions {
  /** The channel axis (default 1, as in NCHW). */
  axis?: number;
  /** Weight of the old running statistics in their update (default 0.9). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  epsilon?: number;
  /** Normalise by the running statistics in training too (default false). */
  useGlobalStats?: boolean;
  /** Default 'zeros'. */
  runningMeanInitializer?: Initializer | string;
  /** Default 'ones'. */
  runningVarianceInitializer?: Initializer | string;
}

/**
 * Batch normalisation. Training normalises by the batch statistics and updates running_mean and
 * running_var in place (running = running * momentum + batch * (1 - momentum)); prediction uses
 * the running statistics.
 */
export class BatchNorm extends HybridBlock<NDArray, [NDArray]> {
  readonly gamma: Parameter;
  readonly beta: Parameter;
  readonly running_mean: Parameter;
  readonly running_var: Parameter;
  readonly #op: ops.BatchNormParams;

  constructor(options: BatchNormOptions = {}) {
    super(options);
    const axis = options.axis ?? 1;
    if (!Number.isInteger(axis)) fail('ValueError', `BatchNorm: axis must be an integer, got ${pyRepr(axis)}`);
    const n = checkCount('BatchNorm', 'in_channels', options.inChannels ?? 0, 0);
    const momentum = checkNumber('BatchNorm', 'momentum', options.momentum ?? 0.9, (m) => m >= 0 && m <= 1, 'in [0, 1]');
    const eps = checkNumber('BatchNorm', 'epsilon', options.epsilon ?? 1e-5, (e) => e > 0, 'a number > 0');
    [this.gamma, this.beta] = scaleShift(this.params, n, options, true, true);
    // Auxiliary state: updated by the op in training, never by gradients.
    this.running_mean = layerParam(this.params, options.params, 'running_mean', {
      shape: [n],
      init: options.runningMeanInitializer ?? 'zeros',
      allowDeferredInit: true,
      differentiable: false,
    });
    this.running_var = layerParam(this.params, options.params, 'running_var', {
      shape: [n],
      init: options.runningVarianceInitializer ?? 'ones',
      allowDeferredInit: true,
      differentiable: false,
    });
    this.#op = { axis, eps, momentum, fix_gamma: !(options.scale ?? true), use_global_stats: options.useGlobalStats ?? false };
  }

  // As in MXNet, float16 networks keep BatchNorm's parameters and statistics in float32.
  override cast(dtype: DTypeName): this {
    return super.cast(dtype === 'float16' ? 'float32' : dtype);
  }

  override inferShape(x: NDArray): void {
    const c = [channelsOf('BatchNorm', x, this.#op.axis!)];
    this.gamma.shape = c;
    this.beta.shape = c;
    this.running_mean.shape = c;
    this.running_var.shape = c;
  }

  override hybridForward(F: OpNamespace, p: Record<string, NDArray>, x: NDArray): NDArray {
    try {
      return F.BatchNorm(x, p.gamma!, p.beta!, p.running_mean!, p.running_var!, this.#op);
    } catch (e) {
      return explainFailure(`BatchNorm '${this.name}'`, e, () => channelMismatch(x, this.#op.axis!, this.gamma.shape![0]!));
    }
  }

  protected override extraRepr(): string {
    const o = this.#op;
    const c = this.gamma.shape![0];
    return (
      `axis=${o.axis!}, eps=${pyRepr(o.eps)}, momentum=${pyRepr(o.momentum)}, fix_gamma=${pyRepr(o.fix_gamma)}, ` +
      `use_global_stats=${pyRepr(o.use_global_stats)}, in_channels=${c ? c : 'None'}`
    );
  }
}

export interface LayerNormOptions extends ScaleShiftOptions {
  /** The axis normalised over (default -1). */
  axis?: number;
  /** Added to the variance (default 1e-5). */
  epsilon?: number;
}

/** Normalises each slice along `axis` by its own mean and variance, then scales and shifts. */
export class LayerNorm extends HybridBlock<NDArray, [NDArray]> {
  readonly gamma: Parameter;
  readonly beta: Parameter;
  readonly #op: ops.LayerNormParams;
  readonly #center: boolean;
  readonly #scale: boolean;

  constructor(options: LayerNormOptions = {}) {
    super(options);
    const n = checkCount('LayerNorm', 'in_channels', options.inChannels ?? 0, 0);
    const eps = checkNumber('LayerNorm', 'epsilon', options.epsilon ?? 1e-5, (e) => e > 0, 'a number > 0');
    [this.gamma, this.beta] = scaleShift(this.params, n, options, true);
    this.#center = options.center ?? true;
    this.#scale = options.scale ?? true;
    this.#op = { axis: options.axis ?? -1, eps };
  }

  override inferShape(x: NDArray): void {
    const c = [channelsOf('LayerNorm', x, this.#op.axis!)];
    this.gamma.shape = c;
    this.beta.shape = c;
  }

  override hybridForward(F: OpNamespace, p: Record<string, NDArray>, x: NDArray): NDArray {
    try {
      return F.LayerNorm(x, p.gamma!, p.beta!, this.#op);
    } catch (e) {
      return explainFailure(`LayerNorm '${this.name}'`, e, () => channelMismatch(x, this.#op.axis!, this.gamma.shape![0]!));
    }
  }

  protected override extraRepr(): string {
    const c = this.gamma.shape![0];
    return `eps=${pyRepr(this.#op.eps)}, axis=${this.#op.axis!}, center=${pyRepr(this.#center)}, scale=${pyRepr(this.#scale)}, in_channels=${c ?? 0}`;
  }
}

export interface InstanceNormOptions extends ScaleShiftOptions {
  /** The channel axis (default 1). */
  axis?: number;
  /** Added to the variance (default 1e-5). */
  epsilon?: number;
}

/** Normalises each (sample, channel) over the remaining axes; gamma is not trained unless scale: true. */
export class InstanceNorm extends HybridBlock<NDArray, [NDArray]> {
  readonly gamma: Parameter;
  readonly beta: Parameter;
  readonly #op: ops.InstanceNormParams;
  readonly #axis: number;
  readonly #swap: ops.SwapAxisParams;
  readonly #center: boolean;
  readonly #scale: boolean;

  constructor(options: InstanceNormOptions = {}) {
    super(options);
    const n = checkCount('InstanceNorm', 'in_channels', options.inChannels ?? 0, 0);
    const eps = checkNumber('InstanceNorm', 'epsilon', options.epsilon ?? 1e-5, (e) => e > 0, 'a number > 0');
    [this.gamma, this.beta] = scaleShift(this.params, n, options, false);
    this.#center = options.center ?? true;
    this.#scale = options.scale ?? false;
    this.#axis = options.axis ?? 1;
    this.#op = { eps };
    this.#swap = { dim1: 1, dim2: this.#axis };
  }

  override inferShape(x: NDArray): void {
    const c = [channelsOf('InstanceNorm', x, this.#axis)];
    this.gamma.shape = c;
    this.beta.shape = c;
  }

  override hybridForward(F: OpNamespace, p: Record<string, NDArray>, x: NDArray): NDArray {
    try {
      if (this.#axis === 1) return F.InstanceNorm(x, p.gamma!, p.beta!, this.#op);
      // The op normalises with channels on axis 1: move the channel axis there and back.
      const xt = F.SwapAxis(x, this.#swap);
      const yt = F.InstanceNorm(xt, p.gamma!, p.beta!, this.#op);
      xt.dispose();
      const y = F.SwapAxis(yt, this.#swap);
      yt.dispose();
      return y;
    } catch (e) {
      return explainFailure(`InstanceNorm '${this.name}'`, e, () => channelMismatch(x, this.#axis, this.gamma.shape![0]!));
    }
  }

  protected override extraRepr(): string {
    const c = this.gamma.shape![0];
    return `eps=${pyRepr(this.#op.eps)}, axis=${this.#axis}, center=${pyRepr(this.#center)}, scale=${pyRepr(this.#scale)}, in_channels=${c ?? 0}`;
  }
}

export interface GroupNormOptions extends Omit<ScaleShiftOptions, 'inChannels'> {
  /** Added to the variance (default 1e-5). */
  epsilon?: number;
}

/**
 * Splits the channels (axis 1) into numGroups groups and normalises each (sample, group); as in
 * MXNet 1.x, gamma and beta hold one value per group, shape (numGroups,).
 */
export class GroupNorm extends HybridBlock<NDArray, [NDArray]> {
  readonly gamma: Parameter;
  readonly beta: Parameter;
  readonly #op: ops.GroupNormParams;
  readonly #center: boolean;
  readonly #scale: boolean;

  constructor(numGroups = 1, options: GroupNormOptions = {}) {
    super(options);
    checkCount('GroupNorm', 'num_groups', numGroups);
    const eps = checkNumber('GroupNorm', 'epsilon', options.epsilon ?? 1e-5, (e) => e > 0, 'a number > 0');
    [this.gamma, this.beta] = scaleShift(this.params, numGroups, options, true);
    this.#center = options.center ?? true;
    this.#scale = options.scale ?? true;
    this.#op = { num_groups: numGroups, eps };
  }

  override hybridForward(F: OpNamespace, p: Record<string, NDArray>, x: NDArray): NDArray {
    try {
      return F.GroupNorm(x, p.gamma!, p.beta!, this.#op);
    } catch (e) {
      return explainFailure(`GroupNorm '${this.name}'`, e, () => {
        const c = x.shape[1];
        return c !== undefined && c % this.#op.num_groups! !== 0
          ? `input of shape ${shapeText(x.shape)} has ${c} channels, not divisible by num_groups ${this.#op.num_groups!}`
          : undefined;
      });
    }
  }

  protected override extraRepr(): string {
    return `eps=${pyRepr(this.#op.eps)}, num_groups=${this.#op.num_groups!}, center=${pyRepr(this.#center)}, scale=${pyRepr(this.#scale)}`;
  }
}
