// mx.io.NDArrayIter: batches over in-memory NDArrays, as MXNet 1.x's. Each batch is gathered
// with one `take` per array (indices in an int32 NDArray), so the copies run on engine threads.
import { fail } from '../errors.js';
import { array, take } from '../nd.js';
import { NDArray } from '../ndarray.js';
import { PRNG, randomSeed } from '../prng.js';
import { type DataBatch, type DataDesc, DataIter } from './data_batch.js';

/** One array, a list of arrays, or a name → array record (insertion order is kept). */
export type ArraySource = NDArray | readonly NDArray[] | Readonly<Record<string, NDArray>>;

export type LastBatchHandle = 'pad' | 'discard' | 'roll_over';

export interface NDArrayIterOptions {
  data: ArraySource;
  label?: ArraySource;
  /** Default 1 (as MXNet). */
  batchSize?: number;
  /** Shuffle the sample order at every reset() (and for the first epoch). */
  shuffle?: boolean;
  /** Seed of the shuffle order; random when omitted. */
  seed?: number;
  /** What to do with a last partial batch: pad it by wrapping around (default), drop it, or carry its samples into the next epoch's first batch. */
  lastBatchHandle?: LastBatchHandle;
  /** Default 'data'. */
  dataName?: string;
  /** Default 'softmax_label'. */
  labelName?: string;
}

interface Named {
  name: string;
  array: NDArray;
}

/** MXNet's naming: one array is `name`, several are `_0_name`, `_1_name`, ...; records keep their keys. */
function nameArrays(src: ArraySource | undefined, defaultName: string, what: string): Named[] {
  if (src === undefined) return [];
  if (src instanceof NDArray) return [{ name: defaultName, array: src }];
  if (Array.isArray(src)) {
    const list = src as readonly NDArray[];
    list.forEach((a, i) => {
      if (!(a instanceof NDArray)) fail('TypeError', `NDArrayIter: ${what}[${i}] is not an NDArray`);
    });
    return list.length === 1 ? [{ name: defaultName, array: list[0]! }] : list.map((a, i) => ({ name: `_${i}_${defaultName}`, array: a }));
  }
  return Object.entries(src as Record<string, NDArray>).map(([name, a]) => {
    if (!(a instanceof NDArray)) fail('TypeError', `NDArrayIter: ${what}['${name}'] is not an NDArray`);
    return { name, array: a };
  });
}

export class NDArrayIter extends DataIter {
  readonly numData: number;
  readonly shuffle: boolean;
  readonly lastBatchHandle: LastBatchHandle;
  private readonly data: Named[];
  private readonly label: Named[];
  private readonly rng: PRNG;
  private order: Int32Array;
  private cursor = 0;
  /** roll_over: samples of the last partial batch, to open the next epoch's first batch. */
  private carry: number[] = [];

  constructor(options: NDArrayIterOptions) {
    const batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) fail('ValueError', `NDArrayIter: batchSize must be a positive integer, got ${batchSize}`);
    super(batchSize);
    const handle = options.lastBatchHandle ?? 'pad';
    if (handle !== 'pad' && handle !== 'discard' && handle !== 'roll_over') {
      fail('ValueError', `NDArrayIter: lastBatchHandle must be 'pad', 'discard' or 'roll_over', got '${String(handle)}'`);
    }
    this.lastBatchHandle = handle;
    this.data = nameArrays(options.data, options.dataName ?? 'data', 'data');
    this.label = nameArrays(options.label, options.labelName ?? 'softmax_label', 'label');
    if (this.data.length === 0) fail('ValueError', 'NDArrayIter: data is empty (no arrays)');
    const all = [...this.data, ...this.label];
    for (const { name, array: a } of all) if (a.ndim === 0) fail('ValueError', `NDArrayIter: '${name}' is a scalar; arrays need a batch axis`);
    this.numData = all[0]!.array.shape[0]!;
    for (const { name, array: a } of all) {
      if (a.shape[0] !== this.numData) {
        fail('ValueError', `NDArrayIter: all arrays need the same first dimension: '${all[0]!.name}' has ${this.numData}, '${name}' has ${a.shape[0]}`);
      }
    }
    if (this.numData === 0) fail('ValueError', 'NDArrayIter: the arrays have no samples (first dimension 0)');
    if (handle === 'discard' && this.numData < batchSize) {
      fail('ValueError', `NDArrayIter: batchSize ${batchSize} is larger than the ${this.numData} samples, and lastBatchHandle 'discard' leaves no batch`);
    }
    this.shuffle = options.shuffle ?? false;
    this.rng = new PRNG(options.seed ?? randomSeed());
    this.order = new Int32Array(this.numData);
    for (let i = 0; i < this.numData; i++) this.order[i] = i;
    this.reset();
  }

  private descs(list: Named[]): DataDesc[] {
    return list.map(({ name, array: a }) => ({ name, shape: [this.batchSize, ...a.shape.slice(1)], dtype: a.dtype, layout: 'NCHW' }));
  }
  get provideData(): DataDesc[] {
    return this.descs(this.data);
  }
  get provideLabel(): DataDesc[] {
    return this.descs(this.label);
  }

  /** Starts a new epoch (reshuffling when shuffle is on); roll_over leftovers are kept. */
  reset(): void {
    if (this.shuffle) this.order = this.rng.shuffle(this.numData);
    this.cursor = 0;
  }

  /** reset() that also drops roll_over leftovers. */
  hardReset(): void {
    this.carry = [];
    this.reset();
  }

  /** Whether next() would return a batch. */
  iterNext(): boolean {
    if (this.carry.length > 0) return true;
    const left = this.numData - this.cursor;
    return left >= this.batchSize || (left > 0 && this.lastBatchHandle === 'pad');
  }

  /** The next batch, or undefined at the end of the epoch (call reset() for the next). */
  next(): DataBatch | undefined {
    const indices = this.nextIndices();
    if (indices === undefined) return undefined;
    return this.gather(indices.index, indices.pad);
  }

  private nextIndices(): { index: number[]; pad: number } | undefined {
    const bs = this.batchSize;
    const n = this.numData;
    if (this.carry.length > 0) {
      const index = this.carry;
      this.carry = [];
      while (index.length < bs && this.cursor < n) index.push(this.order[this.cursor++]!);
      return { index, pad: 0 };
    }
    const left = n - this.cursor;
    if (left <= 0) return undefined;
    if (left >= bs) {
      const index = Array.from(this.order.subarray(this.cursor, this.cursor + bs));
      this.cursor += bs;
      return { index, pad: 0 };
    }
    const tail = Array.from(this.order.subarray(this.cursor));
    this.cursor = n;
    switch (this.lastBatchHandle) {
      case 'discard':
        return undefined;
      case 'roll_over':
        this.carry = tail;
        return undefined;
      case 'pad': {
        const pad = bs - left;
        for (let k = 0; k < pad; k++) tail.push(this.order[k % n]!);
        return { index: tail, pad };
      }
    }
  }

  private gather(index: number[], pad: number): DataBatch {
    const idx = array(Int32Array.from(index), { dtype: 'int32' });
    try {
      return {
        data: this.data.map(({ array: a }) => take(a, idx)),
        label: this.label.map(({ array: a }) => take(a, idx)),
        pad,
        index,
        provideData: this.provideData,
        provideLabel: this.provideLabel,
      };
    } finally {
      idx.dispose(); // the queued takes keep their input alive on the engine
    }
  }
}
