// NDArray: a handle to an engine array plus the methods MXNet users reach for. Ops are queued
// on the engine and return at once; reads wait: `await a.data()` on a worker thread (the event
// loop keeps running), `a.dataSync()` blocking on purpose.
import { Context, type ContextLike, toContext } from './context.js';
import {
  type DTypeArray,
  type DTypeName,
  DTYPE_BYTES,
  arrayCtor,
  dtypeName,
  elementAt,
} from './dtype.js';
import { fail } from './errors.js';
import { type GradReq, gradReqCode } from './grad_req.js';
import { formatNDArray } from './format.js';
import * as ops from './generated/ops.js';
import { setWrapper } from './invoke.js';
import { guard, type HandleCell, keep, track } from './memory.js';
import { native, type Handle, type NativeBinding } from './native.js';

let B: NativeBinding | undefined;
function b(): NativeBinding {
  return B ?? (B = native());
}

/** Nested JS arrays of an NDArray's values (bigint for int64, boolean for bool). */
export type NestedArray = number | bigint | boolean | NestedArray[];

type Operand = NDArray | number;

export class NDArray {
  /** @internal the native handle; 0 after dispose() */
  _h: Handle;
  private _shape: number[] | undefined;
  private _dtype: DTypeName | undefined;
  // Made when the backstop registers this array (memory.ts); most temporaries never need one.
  private cell: HandleCell | undefined = undefined;
  private pendingReads = 0;
  private disposeWhenRead = false;
  private _gradBuf: NDArray | undefined;

  /** @internal Wraps a handle the addon returned; use mx.nd.array() and friends instead. */
  constructor(handle: Handle) {
    this._h = handle;
    guard(this);
    track(this);
  }

  /** @internal The backstop's cell for this array, made now; undefined once disposed. */
  _makeCell(): HandleCell | undefined {
    if (this._h === 0) return undefined;
    return (this.cell ??= { h: this._h });
  }

  private live(): Handle {
    if (this._h === 0) fail('InvalidHandleError', 'NDArray used after dispose()');
    return this._h;
  }

  // ---- facts -------------------------------------------------------------------------------
  get shape(): readonly number[] {
    return (this._shape ??= b().shape(this.live()));
  }
  get dtype(): DTypeName {
    return (this._dtype ??= dtypeName(b().dtype(this.live())));
  }
  get context(): Context {
    const [t, id] = b().context(this.live());
    return Context.fromCodes(t, id);
  }
  /** Alias of context (MXNet 1.x spells both). */
  get ctx(): Context {
    return this.context;
  }
  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get isDisposed(): boolean {
    return this._h === 0;
  }

  // ---- lifetime ----------------------------------------------------------------------------
  /** Frees the native array now (after pending data() reads finish). Idempotent. */
  dispose(): void {
    if (this._h === 0) return;
    if (this.pendingReads > 0) {
      this.disposeWhenRead = true;
      return;
    }
    const h = this._h;
    this._h = 0;
    if (this.cell !== undefined) this.cell.h = 0;
    b().free(h);
    this._gradBuf?.dispose();
    this._gradBuf = undefined;
  }

  // ---- autograd ----------------------------------------------------------------------------
  /**
   * Allocates a zero gradient buffer and marks this array as a variable: computations on it
   * inside mx.autograd.record() can then be differentiated (MXNet's attach_grad). gradReq 'add'
   * accumulates over backward calls; 'null' turns the gradient off.
   */
  attachGrad(gradReq: GradReq = 'write'): void {
    const code = gradReqCode(gradReq);
    const g = keep(ops.zeros_like(this));
    b().markVariables([this.live()], [code], [g.live()]);
    this._setGrad(g);
  }

  /** The gradient buffer of a variable (attachGrad / markVariables), or undefined. */
  get grad(): NDArray | undefined {
    return this._gradBuf;
  }

  /** @internal Records the gradient buffer markVariables attached; this array owns it. */
  _setGrad(g: NDArray): void {
    if (this._gradBuf !== undefined && this._gradBuf !== g) this._gradBuf.dispose();
    this._gradBuf = keep(g);
  }

  /**
   * Backpropagates from this array (recorded inside mx.autograd.record()) to the variables;
   * outGrad defaults to ones. Queued on the engine: reading a .grad waits for it.
   */
  backward(outGrad?: NDArray | null, options: { retainGraph?: boolean } = {}): void {
    b().backward([this.live()], [outGrad ? outGrad.live() : 0], options.retainGraph ?? false);
  }

  /** A view of this array that autograd treats as a constant. */
  detach(): NDArray {
    return new NDArray(b().detach(this.live()));
  }

  // ---- reads -------------------------------------------------------------------------------
  /** The values, once the engine has produced them; waits on a worker thread, never blocks. */
  async data(): Promise<DTypeArray> {
    const h = this.live();
    const dtype = this.dtype;
    const size = this.size;
    this.pendingReads++;
    try {
      const buf = await b().readAsync(h, size * DTYPE_BYTES[dtype], size);
      return new (arrayCtor(dtype))(buf, 0, size);
    } finally {
      this.pendingReads--;
      if (this.pendingReads === 0 && this.disposeWhenRead) {
        this.disposeWhenRead = false;
        this.dispose();
      }
    }
  }
  /** The values; blocks the thread until the engine has produced them. */
  dataSync(): DTypeArray {
    const out = new (arrayCtor(this.dtype))(this.size);
    b().copyTo(this.live(), out);
    return out;
  }
  /** Nested arrays of the values (async; see toArraySync). */
  async toArray(): Promise<NestedArray> {
    return nest(await this.data(), this.dtype, this.shape);
  }
  toArraySync(): NestedArray {
    return nest(this.dataSync(), this.dtype, this.shape);
  }
  /** MXNet's asnumpy(), for people porting code: same as dataSync(). */
  asnumpy(): DTypeArray {
    return this.dataSync();
  }
  /** The single value of a one-element array (blocks). */
  asscalar(): number | bigint | boolean {
    if (this.size !== 1) fail('ValueError', `asscalar: the array has ${this.size} elements, not 1`);
    return elementAt(this.dataSync(), this.dtype, 0);
  }
  /** Waits (blocking) until pending writes are done; throws errors of the ops that made it. */
  waitToRead(): void {
    b().waitToRead(this.live());
  }
  /** Prints like MXNet (blocks to read the values). */
  toString(): string {
    if (this._h === 0) return '<NDArray disposed>';
    return formatNDArray(this.dataSync(), this.dtype, this.shape, this.context.toString());
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- views and copies ----------------------------------------------------------------------
  /** Rows [begin, end) of axis 0 as a view; with tuples, the `slice` op (a copy). */
  slice(begin: number, end: number): NDArray;
  slice(begin: readonly (number | null)[], end: readonly (number | null)[], step?: readonly (number | null)[]): NDArray;
  slice(begin: number | readonly (number | null)[], end: number | readonly (number | null)[], step?: readonly (number | null)[]): NDArray {
    if (typeof begin === 'number' && typeof end === 'number') return new NDArray(b().slice(this.live(), begin, end));
    if (typeof begin === 'number' || typeof end === 'number') fail('TypeError', 'slice: begin and end must both be numbers or both be tuples');
    return ops.slice(this, step === undefined ? { begin, end } : { begin, end, step });
  }
  /** Row i of axis 0 as a view (negative i counts from the end). */
  at(i: number): NDArray {
    const n = this.shape[0];
    return new NDArray(b().at(this.live(), i < 0 && n !== undefined ? i + n : i));
  }
  /** A view with a new shape (MXNet codes 0, -1, -2, -3, -4; reverse matches from the right). */
  reshape(...shape: number[]): NDArray;
  reshape(shape: readonly number[], options?: { reverse?: boolean }): NDArray;
  reshape(...args: unknown[]): NDArray {
    const first = args[0];
    const dims = Array.isArray(first) ? (first as number[]) : (args as number[]);
    const reverse = Array.isArray(first) ? Boolean((args[1] as { reverse?: boolean } | undefined)?.reverse) : false;
    for (const d of dims) if (typeof d !== 'number' || !Number.isInteger(d)) fail('TypeError', `reshape: dimensions must be integers, got ${String(d)}`, 'reshape');
    return new NDArray(b().reshape(this.live(), dims, reverse));
  }
  /** A copy on the same context. */
  copy(): NDArray {
    return ops._copy(this);
  }
  /** Copies into `other` (returns it), or to a new array on the given context. */
  copyTo(other: NDArray | ContextLike): NDArray {
    if (other instanceof NDArray) {
      if (other === this) return other;
      return ops._copy(this, { out: other });
    }
    const ctx = toContext(other);
    const out = new NDArray(b().create(this.shape, b().dtype(this.live()), ctx.devTypeCode, ctx.deviceId));
    return ops._copy(this, { out });
  }
  /** This array if it is already on ctx, else a copy there. */
  asInContext(ctx: ContextLike): NDArray {
    const c = toContext(ctx);
    return this.context.equals(c) ? this : this.copyTo(c);
  }
  astype(dtype: DTypeName): NDArray {
    return ops.Cast(this, { dtype });
  }

  // ---- arithmetic (NumPy broadcasting with arrays, scalar ops with numbers) ----------------
  add(o: Operand): NDArray {
    return typeof o === 'number' ? ops._plus_scalar(this, { scalar: o }) : ops.broadcast_add(this, o);
  }
  sub(o: Operand): NDArray {
    return typeof o === 'number' ? ops._minus_scalar(this, { scalar: o }) : ops.broadcast_sub(this, o);
  }
  mul(o: Operand): NDArray {
    return typeof o === 'number' ? ops._mul_scalar(this, { scalar: o }) : ops.broadcast_mul(this, o);
  }
  div(o: Operand): NDArray {
    return typeof o === 'number' ? ops._div_scalar(this, { scalar: o }) : ops.broadcast_div(this, o);
  }
  mod(o: Operand): NDArray {
    return typeof o === 'number' ? ops._mod_scalar(this, { scalar: o }) : ops.broadcast_mod(this, o);
  }
  pow(o: Operand): NDArray {
    return typeof o === 'number' ? ops._power_scalar(this, { scalar: o }) : ops.broadcast_power(this, o);
  }
  /** o - this */
  rsub(o: number): NDArray {
    return ops._rminus_scalar(this, { scalar: o });
  }
  /** o / this */
  rdiv(o: number): NDArray {
    return ops._rdiv_scalar(this, { scalar: o });
  }
  maximum(o: Operand): NDArray {
    return typeof o === 'number' ? ops._maximum_scalar(this, { scalar: o }) : ops.broadcast_maximum(this, o);
  }
  minimum(o: Operand): NDArray {
    return typeof o === 'number' ? ops._minimum_scalar(this, { scalar: o }) : ops.broadcast_minimum(this, o);
  }
  neg(): NDArray {
    return ops.negative(this);
  }
  abs(): NDArray {
    return ops.abs(this);
  }
  exp(): NDArray {
    return ops.exp(this);
  }
  log(): NDArray {
    return ops.log(this);
  }
  sqrt(): NDArray {
    return ops.sqrt(this);
  }
  square(): NDArray {
    return ops.square(this);
  }
  relu(): NDArray {
    return ops.relu(this);
  }
  sigmoid(): NDArray {
    return ops.sigmoid(this);
  }
  tanh(): NDArray {
    return ops.tanh(this);
  }
  clip(aMin: number, aMax: number): NDArray {
    return ops.clip(this, { a_min: aMin, a_max: aMax });
  }

  // ---- comparisons (1/0 in the input's dtype, as MXNet 1.x) ---------------------------------
  equal(o: Operand): NDArray {
    return typeof o === 'number' ? ops._equal_scalar(this, { scalar: o }) : ops.broadcast_equal(this, o);
  }
  notEqual(o: Operand): NDArray {
    return typeof o === 'number' ? ops._not_equal_scalar(this, { scalar: o }) : ops.broadcast_not_equal(this, o);
  }
  greater(o: Operand): NDArray {
    return typeof o === 'number' ? ops._greater_scalar(this, { scalar: o }) : ops.broadcast_greater(this, o);
  }
  greaterEqual(o: Operand): NDArray {
    return typeof o === 'number' ? ops._greater_equal_scalar(this, { scalar: o }) : ops.broadcast_greater_equal(this, o);
  }
  lesser(o: Operand): NDArray {
    return typeof o === 'number' ? ops._lesser_scalar(this, { scalar: o }) : ops.broadcast_lesser(this, o);
  }
  lesserEqual(o: Operand): NDArray {
    return typeof o === 'number' ? ops._lesser_equal_scalar(this, { scalar: o }) : ops.broadcast_lesser_equal(this, o);
  }

  // ---- shape and reductions -------------------------------------------------------------------
  transpose(axes?: readonly number[]): NDArray {
    return ops.transpose(this, axes === undefined ? undefined : { axes });
  }
  /** Alias of transpose() with no axes. */
  get T(): NDArray {
    return this.transpose();
  }
  flatten(): NDArray {
    return ops.Flatten(this);
  }
  expandDims(axis: number): NDArray {
    return ops.expand_dims(this, { axis });
  }
  squeeze(axis?: number | readonly number[]): NDArray {
    return ops.squeeze(this, axis === undefined ? undefined : { axis });
  }
  sum(options?: ops.SumParams): NDArray {
    return ops.sum(this, options);
  }
  mean(options?: ops.MeanParams): NDArray {
    return ops.mean(this, options);
  }
  prod(options?: ops.ProdParams): NDArray {
    return ops.prod(this, options);
  }
  max(options?: ops.MaxParams): NDArray {
    return ops.max(this, options);
  }
  min(options?: ops.MinParams): NDArray {
    return ops.min(this, options);
  }
  argmax(options?: ops.ArgmaxParams): NDArray {
    return ops.argmax(this, options);
  }
  argmin(options?: ops.ArgminParams): NDArray {
    return ops.argmin(this, options);
  }
  norm(options?: ops.NormParams): NDArray {
    return ops.norm(this, options);
  }
  dot(o: NDArray, options?: ops.DotParams): NDArray {
    return ops.dot(this, o, options);
  }
}

setWrapper((h) => new NDArray(h));

/** Nested JS arrays from flat data (C order). */
export function nest(data: DTypeArray, dtype: DTypeName, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return elementAt(data, dtype, 0);
  let offset = 0;
  const build = (axis: number): NestedArray[] => {
    const n = shape[axis]!;
    const out: NestedArray[] = new Array(n);
    if (axis === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = elementAt(data, dtype, offset++);
    } else {
      for (let i = 0; i < n; i++) out[i] = build(axis + 1);
    }
    return out;
  };
  return build(0);
}
