// Gluon parameters: a named array with its gradient, learning-rate/weight-decay multipliers and
// initializer. A shape may hold 0s ("not known yet"): such a parameter initialises on the block's
// first forward, once the input shape fills them in (deferred initialisation, as in MXNet).
import { type ContextLike, toContext } from '../context.js';
import { type DTypeName } from '../dtype.js';
import { fail, MXNetError } from '../errors.js';
import { type GradReq } from '../grad_req.js';
import * as ops from '../generated/ops.js';
import { create as createInit, type Initializer, Uniform } from '../initializer.js';
import { keep } from '../memory.js';
import { NDArray } from '../ndarray.js';
import * as nd from '../nd.js';

/** Thrown by data() while a parameter waits for its first forward to learn its shape. */
export class DeferredInitializationError extends MXNetError {
  constructor(message: string) {
    super(message, 'ValueError');
    this.name = 'DeferredInitializationError';
  }
}

export interface ParameterOptions {
  shape?: number | readonly number[];
  dtype?: DTypeName;
  init?: Initializer | string;
  gradReq?: GradReq;
  lrMult?: number;
  wdMult?: number;
  allowDeferredInit?: boolean;
  /** false for auxiliary state (BatchNorm's running statistics): never gets a gradient. */
  differentiable?: boolean;
}

export interface InitializeOptions {
  init?: Initializer | string;
  ctx?: ContextLike | readonly ContextLike[];
  /** Re-initialise parameters that already have values. */
  forceReinit?: boolean;
}

const shapeText = (s: readonly number[]): string => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

export class Parameter {
  readonly name: string;
  dtype: DTypeName;
  init: Initializer | string | undefined;
  lrMult: number;
  wdMult: number;
  readonly allowDeferredInit: boolean;
  readonly differentiable: boolean;
  private _shape: number[] | undefined;
  private _gradReq: GradReq;
  private _data: NDArray | undefined;
  private _deferred: { init: Initializer | string | undefined; globalInit: Initializer } | undefined;

  constructor(name: string, options: ParameterOptions = {}) {
    this.name = name;
    const s = options.shape;
    this._shape = s === undefined ? undefined : typeof s === 'number' ? [s] : [...s];
    this.dtype = options.dtype ?? 'float32';
    this.init = options.init;
    this.differentiable = options.differentiable ?? true;
    this._gradReq = this.differentiable ? (options.gradReq ?? 'write') : 'null';
    this.lrMult = options.lrMult ?? 1;
    this.wdMult = options.wdMult ?? 1;
    this.allowDeferredInit = options.allowDeferredInit ?? false;
  }

  /** The shape; 0 marks a dimension not known until the first forward. */
  get shape(): readonly number[] | undefined {
    return this._shape;
  }
  /** Fills in unknown (0) dimensions; known ones must agree. */
  set shape(next: readonly number[] | undefined) {
    if (next === undefined) fail('ValueError', `Parameter '${this.name}': shape cannot be unset`);
    const cur = this._shape;
    if (cur !== undefined) {
      const ok = cur.length === next.length && cur.every((d, i) => d === 0 || d === next[i]);
      if (!ok) {
        fail('ValueError', `Parameter '${this.name}': shape ${shapeText(next)} is incompatible with the declared ${shapeText(cur)}`);
      }
    }
    this._shape = [...next];
  }
  private shapeKnown(): boolean {
    return this._shape !== undefined && this._shape.length > 0 ? this._shape.every((d) => d > 0) : this._shape !== undefined;
  }

  get gradReq(): GradReq {
    return this._gradReq;
  }
  /** Changing grad_req re-attaches (or drops) the gradient buffer. */
  set gradReq(req: GradReq) {
    if (req !== 'write' && req !== 'add' && req !== 'null') {
      fail('ValueError', `Parameter '${this.name}': grad_req must be 'write', 'add' or 'null', got '${String(req)}'`);
    }
    if (!this.differentiable) req = 'null';
    if (req === this._gradReq) return;
    this._gradReq = req;
    if (this._data !== undefined) this.attachGrad();
  }

  get isInitialized(): boolean {
    return this._data !== undefined;
  }
  /** True while waiting for the first forward to learn the shape. */
  get isDeferred(): boolean {
    return this._deferred !== undefined;
  }

  /**
   * Allocates and fills the parameter: its own init first, else `init`, else Uniform(0.07). With
   * unknown dimensions the work waits for the first forward (allowDeferredInit) or fails.
   */
  initialize(options: InitializeOptions = {}): void {
    if (options.ctx !== undefined) {
      const list = Array.isArray(options.ctx) ? (options.ctx as readonly ContextLike[]) : [options.ctx as ContextLike];
      for (const c of list) {
        if (toContext(c).deviceType !== 'cpu') fail('NotImplementedError', `Parameter '${this.name}': only cpu contexts are supported, got ${toContext(c).toString()}`);
      }
    }
    if (this._data !== undefined && !options.forceReinit) return;
    const globalInit = options.init === undefined ? new Uniform() : createInit(options.init);
    if (!this.shapeKnown()) {
      if (!this.allowDeferredInit) {
        fail(
          'ValueError',
          `Parameter '${this.name}': cannot initialise with unknown shape ${this._shape ? shapeText(this._shape) : '(unset)'}; ` +
            'give the layer its input size (e.g. in_units) or let it infer the shape on the first forward',
        );
      }
      this._deferred = { init: this.init, globalInit };
      return;
    }
    this.allocate(globalInit);
  }

  /** Runs a deferred initialisation once the shape is complete (called by the owning block). */
  finishDeferredInit(): void {
    const d = this._deferred;
    if (d === undefined) return;
    if (!this.shapeKnown()) {
      fail('ValueError', `Parameter '${this.name}': shape ${shapeText(this._shape ?? [])} is still incomplete after shape inference`);
    }
    this._deferred = undefined;
    this.allocate(d.globalInit);
  }

  private allocate(globalInit: Initializer): void {
    const arr = keep(nd.empty(this._shape!, { dtype: this.dtype }));
    globalInit.apply({ name: this.name, init: this.init }, arr);
    this._data?.dispose();
    this._data = arr;
    this.attachGrad();
  }

  private attachGrad(): void {
    const d = this._data!;
    // An array never marked needs no marking for 'null'; one marked before is re-marked so
    // autograd stops writing its gradient.
    if (this._gradReq === 'null' && d.grad === undefined) return;
    d.attachGrad(this._gradReq);
  }

  /** The value. Throws until initialised (DeferredInitializationError while waiting for a forward). */
  data(): NDArray {
    const d = this._data;
    if (d !== undefined) return d;
    if (this._deferred !== undefined) {
      throw new DeferredInitializationError(
        `Parameter '${this.name}' has not been initialised yet because its shape ${shapeText(this._shape ?? [])} is ` +
          'inferred on the first forward; run a forward pass first',
      );
    }
    return fail('ValueError', `Parameter '${this.name}' has not been initialised: call initialize() on it or its block first`);
  }

  /** The gradient buffer (grad_req write/add). */
  grad(): NDArray {
    const d = this.data();
    if (this._gradReq === 'null') fail('ValueError', `Parameter '${this.name}': it has no gradient because grad_req is 'null'`);
    const g = d.grad;
    if (g === undefined) return fail('InternalError', `Parameter '${this.name}': gradient buffer missing`);
    return g;
  }

  /** Both as a one-element list, as MXNet's list_data()/list_grad() for a single context. */
  listData(): NDArray[] {
    return [this.data()];
  }
  listGrad(): NDArray[] {
    return [this.grad()];
  }

  /** Replaces the values (copied). Initialises a parameter that has none yet. */
  setData(value: NDArray): void {
    if (this._shape !== undefined) this.shape = value.shape;
    else this._shape = [...value.shape];
    if (this._data === undefined) {
      this._deferred = undefined;
      const arr = keep(nd.empty(this._shape, { dtype: this.dtype }));
      value.copyTo(arr);
      this._data = arr;
      this.attachGrad();
      return;
    }
    value.copyTo(this._data);
  }

  /** Sets the gradient to zero (grad_req 'add' users call this between accumulations). */
  zeroGrad(): void {
    const g = this._data?.grad;
    if (g !== undefined) ops.zeros_like(g, { out: g });
  }

  /** Converts the values (and gradient) to another dtype. */
  cast(dtype: DTypeName): void {
    this.dtype = dtype;
    const d = this._data;
    if (d === undefined || d.dtype === dtype) return;
    const next = keep(d.astype(dtype));
    d.dispose();
    this._data = next;
    this.attachGrad();
  }

  /** Frees the values; the parameter must be initialised again before use. */
  reset(): void {
    this._data?.dispose();
    this._data = undefined;
  }

  toString(): string {
    return `Parameter ${this.name} (shape=${this._shape ? shapeText(this._shape) : 'None'}, dtype=${this.dtype})`;
  }
}

/** A parameter that is never trained (a fixed array a block carries, e.g. a mask). */
export class Constant extends Parameter {
  constructor(name: string, value: NDArray) {
    super(name, { shape: value.shape, dtype: value.dtype, gradReq: 'null', differentiable: false });
    this.setData(value);
  }
}
