// mx.gluon.data datasets: Dataset (length + get(i)), SimpleDataset, ArrayDataset and the lazy
// transform wrappers. As in MXNet, a sample that is a tuple (here: a JS array) is spread into
// the transform function's arguments: `ds.transform((x, y) => [f(x), y])`.
import { fail } from '../../errors.js';
import { NDArray } from '../../ndarray.js';

/** A function or a callable object (mx.gluon.data.vision.transforms.*, Blocks) applied to samples. */
export type TransformFn = ((...args: never[]) => unknown) | { call(...args: never[]): unknown };

/**
 * A transform that gives the same result applied to a batch (a leading batch axis) as to every
 * sample stacked: NDArray ops over trailing axes. The DataLoader's fast path then gathers a
 * whole batch with one op and transforms it once. Mark one with `batchSafe: true`.
 */
export function isBatchSafe(fn: TransformFn): boolean {
  return (fn as { batchSafe?: unknown }).batchSafe === true;
}

/** Marks a function as safe to apply to whole batches (see isBatchSafe); returns it. */
export function batchSafe<F extends (...args: never[]) => unknown>(fn: F): F & { batchSafe: true } {
  return Object.assign(fn, { batchSafe: true as const });
}

/** Calls a TransformFn on arguments (a function or an object's call method). */
export function applyTransform(fn: TransformFn, args: readonly unknown[]): unknown {
  if (typeof fn === 'function') return (fn as (...a: unknown[]) => unknown)(...args);
  return (fn.call as (...a: unknown[]) => unknown).apply(fn, args as unknown[]);
}

/** A sample's transform arguments: tuples (JS arrays) spread, anything else passed whole. */
function spread(item: unknown): readonly unknown[] {
  return Array.isArray(item) ? item : [item];
}

/** One transform step on a sample (or, for batch-safe fns, on a whole batch of the same structure). */
export function transformItem(item: unknown, fn: TransformFn, firstOnly: boolean): unknown {
  if (!firstOnly) return applyTransform(fn, spread(item));
  if (!Array.isArray(item)) return applyTransform(fn, [item]);
  const [first, ...rest] = item as unknown[];
  return [applyTransform(fn, [first]), ...rest];
}

export abstract class Dataset<T = unknown> {
  /** Number of samples. */
  abstract get length(): number;
  /** Sample i (0 <= i < length). */
  abstract get(i: number): T;

  /**
   * A dataset of fn applied to every sample (tuples spread into arguments). lazy (default)
   * applies it on access; lazy false applies it now to every sample.
   */
  transform<R>(fn: TransformFn, lazy = true): Dataset<R> {
    const trans = new LazyTransformDataset<R>(this, fn, false);
    return lazy ? trans : materialize(trans);
  }

  /** Like transform, but fn sees only the first element of each (tuple) sample. */
  transformFirst<R = T>(fn: TransformFn, lazy = true): Dataset<R> {
    const trans = new LazyTransformDataset<R>(this, fn, true);
    return lazy ? trans : materialize(trans);
  }

  /** The samples at `indices` (in that order), lazily. */
  subset(indices: readonly number[]): Dataset<T> {
    return new SubsetDataset(this, indices);
  }

  /** Checks i and returns it (for get implementations). */
  protected checkIndex(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) fail('IndexError', `${this.constructor.name}.get: index ${i} is out of range [0, ${this.length})`);
    return i;
  }
}

function materialize<R>(ds: Dataset<R>): SimpleDataset<R> {
  const items: R[] = [];
  for (let i = 0; i < ds.length; i++) items.push(ds.get(i));
  return new SimpleDataset(items);
}

/** A dataset over a JS array of samples. */
export class SimpleDataset<T> extends Dataset<T> {
  constructor(private readonly items: readonly T[]) {
    super();
  }
  get length(): number {
    return this.items.length;
  }
  get(i: number): T {
    return this.items[this.checkIndex(i)] as T;
  }
}

/** One column of an ArrayDataset: an NDArray (samples along axis 0), a TypedArray or a JS array. */
export type ArrayField = NDArray | ArrayLike<unknown>;

/**
 * Zips arrays of equal length: sample i is [a[i], b[i], ...], or a[i] alone with one array.
 * NDArray rows come back as views (at(i)).
 */
export class ArrayDataset extends Dataset<unknown> {
  readonly arrays: readonly ArrayField[];
  private readonly n: number;

  constructor(...arrays: ArrayField[]) {
    super();
    if (arrays.length === 0) fail('ValueError', 'ArrayDataset: needs at least one array');
    const lengths = arrays.map((a, k) => {
      if (a instanceof NDArray) {
        if (a.ndim === 0) fail('ValueError', `ArrayDataset: array ${k} is a scalar NDArray; samples are along axis 0`);
        return a.shape[0]!;
      }
      if (a === null || typeof a !== 'object' || typeof (a as ArrayLike<unknown>).length !== 'number') {
        fail('TypeError', `ArrayDataset: argument ${k} is not an NDArray or an array`);
      }
      return a.length;
    });
    this.n = lengths[0]!;
    lengths.forEach((len, k) => {
      if (len !== this.n) fail('ValueError', `ArrayDataset: all arrays need the same length: array 0 has ${this.n}, array ${k} has ${len}`);
    });
    this.arrays = arrays;
  }
  get length(): number {
    return this.n;
  }
  get(i: number): unknown {
    this.checkIndex(i);
    const at = (a: ArrayField): unknown => (a instanceof NDArray ? a.at(i) : a[i]);
    return this.arrays.length === 1 ? at(this.arrays[0]!) : this.arrays.map(at);
  }
}

/** transform / transformFirst applied on access. */
export class LazyTransformDataset<R> extends Dataset<R> {
  constructor(
    readonly base: Dataset<unknown>,
    readonly fn: TransformFn,
    /** Only the first element of a tuple sample is transformed. */
    readonly firstOnly: boolean,
  ) {
    super();
  }
  get length(): number {
    return this.base.length;
  }
  get(i: number): R {
    return transformItem(this.base.get(i), this.fn, this.firstOnly) as R;
  }
}

class SubsetDataset<T> extends Dataset<T> {
  constructor(
    private readonly base: Dataset<T>,
    private readonly indices: readonly number[],
  ) {
    super();
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= base.length) fail('IndexError', `Dataset.subset: index ${i} is out of range [0, ${base.length})`);
    }
  }
  get length(): number {
    return this.indices.length;
  }
  get(i: number): T {
    return this.base.get(this.indices[this.checkIndex(i)]!);
  }
}

/**
 * A dataset that serves another one (e.g. MNIST serving its ArrayDataset, transformed). The
 * DataLoader looks through it to find a fast path.
 */
export abstract class DelegatingDataset<T> extends Dataset<T> {
  abstract readonly delegate: Dataset<T>;
  get length(): number {
    return this.delegate.length;
  }
  get(i: number): T {
    return this.delegate.get(i);
  }
}
