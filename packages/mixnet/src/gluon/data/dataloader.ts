// mx.gluon.data.DataLoader: batches of a Dataset, one epoch per iteration (`for await` or `for`).
//
// Fast path: an ArrayDataset of NDArrays (and/or numeric JS arrays), possibly wrapped in
// batch-safe transforms, is batched with ONE `take` per NDArray and the transforms run once on
// the whole batch, all queued on engine threads. Generic path: get(i) per sample, then batchify.
// The async iterator queues the next `prefetch` batches before waiting (off the event loop) for
// the current one, so assembly overlaps with the consumer and the loop keeps turning.
//
// Checkpointing: an epoch's batches are fixed by the batch sampler's state at its start, so
// state() = {epoch, batches already yielded, sampler state at epoch start} is enough to replay
// the rest of the epoch exactly, and later epochs follow from the same PRNG stream.
import { dtypeOfTypedArray, type DTypeName } from '../../dtype.js';
import { fail } from '../../errors.js';
import { tidy } from '../../memory.js';
import { array, take } from '../../nd.js';
import { native } from '../../native.js';
import { NDArray } from '../../ndarray.js';
import { type Batchify, defaultBatchify, numbersDType } from './batchify.js';
import { ArrayDataset, type Dataset, DelegatingDataset, isBatchSafe, LazyTransformDataset, type TransformFn, transformItem } from './dataset.js';
import { BatchSampler, type BatchSamplerState, type LastBatch, RandomSampler, type Sampler, SequentialSampler } from './sampler.js';

export interface DataLoaderOptions {
  /** Samples per batch (required unless batchSampler is given). */
  batchSize?: number;
  /** A new random order every epoch (not with sampler/batchSampler). */
  shuffle?: boolean;
  /** Seed of the shuffle order; random when omitted. */
  seed?: number;
  /** The order of sample indices (not with shuffle). */
  sampler?: Sampler;
  /** Yields the index lists of batches (not with batchSize, shuffle, sampler, lastBatch). */
  batchSampler?: BatchSampler;
  /** 'keep' (default), 'discard' or 'rollover' the last partial batch. */
  lastBatch?: LastBatch;
  /** Turns a list of samples into a batch; default stacks (see defaultBatchify). Disables the fast path. */
  batchify?: Batchify;
  /** Batches queued ahead of the one being consumed (async iteration). Default 2. */
  prefetch?: number;
}

/** JSON-serialisable position of a DataLoader. */
export interface DataLoaderState {
  /** Epochs started before the one to run (0-based). */
  epoch: number;
  /** Batches of that epoch already yielded. */
  batch: number;
  /** The batch sampler's state at the start of that epoch. */
  sampler: BatchSamplerState;
}

interface Run {
  epoch: number;
  sampler: BatchSamplerState | undefined;
  consumed: number;
  total: number;
}

type Field = { kind: 'nd'; array: NDArray } | { kind: 'host'; values: ArrayLike<number>; dtype: DTypeName };

/** One gather per field, then the batch-safe transforms on the whole batch. */
class FastPath {
  private constructor(
    private readonly fields: Field[],
    private readonly steps: { fn: TransformFn; firstOnly: boolean }[],
  ) {}

  static detect(ds: Dataset<unknown>): FastPath | undefined {
    const steps: { fn: TransformFn; firstOnly: boolean }[] = [];
    let cur: Dataset<unknown> = ds;
    for (;;) {
      if (cur instanceof DelegatingDataset) {
        cur = cur.delegate;
      } else if (cur instanceof LazyTransformDataset) {
        if (!isBatchSafe(cur.fn)) return undefined;
        steps.unshift({ fn: cur.fn, firstOnly: cur.firstOnly });
        cur = cur.base;
      } else {
        break;
      }
    }
    if (!(cur instanceof ArrayDataset)) return undefined;
    const fields: Field[] = [];
    for (const a of cur.arrays) {
      if (a instanceof NDArray) {
        fields.push({ kind: 'nd', array: a });
      } else if (ArrayBuffer.isView(a)) {
        const dtype = dtypeOfTypedArray(a);
        if (dtype === undefined || dtype === 'int64') return undefined;
        fields.push({ kind: 'host', values: a as ArrayLike<number>, dtype });
      } else if (Array.isArray(a) && a.every((v) => typeof v === 'number')) {
        fields.push({ kind: 'host', values: a as number[], dtype: numbersDType(a as number[]) });
      } else {
        return undefined;
      }
    }
    return new FastPath(fields, steps);
  }

  batch(indices: readonly number[]): unknown {
    let idx: NDArray | undefined;
    const gathered = this.fields.map((f) => {
      if (f.kind === 'nd') return take(f.array, (idx ??= array(Int32Array.from(indices), { dtype: 'int32' })));
      const vals = new Array<number>(indices.length);
      for (let k = 0; k < indices.length; k++) vals[k] = f.values[indices[k]!]!;
      return array(vals, { dtype: f.dtype });
    });
    let item: unknown = gathered.length === 1 ? gathered[0] : gathered;
    for (const s of this.steps) item = transformItem(item, s.fn, s.firstOnly);
    return item;
  }
}

function forEachNDArray(v: unknown, f: (a: NDArray) => void): void {
  if (v instanceof NDArray) f(v);
  else if (Array.isArray(v)) for (const x of v) forEachNDArray(x, f);
}

/** Waits (on a worker thread) until every NDArray of a batch is computed; rethrows op errors. */
async function ready(batch: unknown): Promise<void> {
  const waits: Promise<unknown>[] = [];
  forEachNDArray(batch, (a) => waits.push(native().readAsync(a._h, 0, 0)));
  if (waits.length === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  else await Promise.all(waits);
}

function disposeBatch(batch: unknown): void {
  forEachNDArray(batch, (a) => a.dispose());
}

/**
 * B is the batch type: (data, label) pairs by default, as `for await (const [x, y] of loader)`
 * reads them; a one-array dataset gives a bare NDArray (`DataLoader<NDArray>`).
 */
export class DataLoader<B = [NDArray, NDArray]> implements AsyncIterable<B>, Iterable<B> {
  readonly dataset: Dataset<unknown>;
  readonly batchSampler: BatchSampler;
  readonly prefetch: number;
  private readonly batchify: Batchify;
  private readonly fast: FastPath | undefined;
  private pending: { epoch: number; skip: number; sampler: BatchSamplerState | undefined };
  private current: Run | undefined;
  /** Where an iteration left off when its loop broke out early (until the next iteration). */
  private interrupted: DataLoaderState | undefined;
  /** Batches are fresh arrays (not a custom batchify's, which may return arrays it keeps). */
  private readonly ownsBatches: boolean;

  constructor(dataset: Dataset<unknown>, options: DataLoaderOptions = {}) {
    this.dataset = dataset;
    const { batchSize, shuffle, sampler, lastBatch } = options;
    if (options.batchSampler !== undefined) {
      if (batchSize !== undefined || shuffle !== undefined || sampler !== undefined || lastBatch !== undefined) {
        fail('ValueError', 'DataLoader: batchSize, shuffle, sampler and lastBatch must not be given with batchSampler');
      }
      this.batchSampler = options.batchSampler;
    } else {
      if (batchSize === undefined) fail('ValueError', 'DataLoader: batchSize is required unless batchSampler is given');
      let s = sampler;
      if (s === undefined) s = shuffle ? new RandomSampler(dataset.length, options.seed) : new SequentialSampler(dataset.length);
      else if (shuffle) fail('ValueError', 'DataLoader: shuffle must not be given with sampler');
      this.batchSampler = new BatchSampler(s, batchSize, lastBatch ?? 'keep');
    }
    const prefetch = options.prefetch ?? 2;
    if (!Number.isInteger(prefetch) || prefetch < 0) fail('ValueError', `DataLoader: prefetch must be a non-negative integer, got ${prefetch}`);
    this.prefetch = prefetch;
    this.batchify = options.batchify ?? defaultBatchify;
    this.fast = options.batchify === undefined ? FastPath.detect(dataset) : undefined;
    this.ownsBatches = this.batchify === defaultBatchify;
    this.pending = { epoch: 0, skip: 0, sampler: this.snapshot() };
  }

  /** Batches per epoch (of the next epoch, with rollover). */
  get length(): number {
    return this.batchSampler.length;
  }

  /** Whether batches are built with one gather op per array (see the file comment). */
  get usesFastPath(): boolean {
    return this.fast !== undefined;
  }

  private snapshot(): BatchSamplerState | undefined {
    return this.batchSampler.hasState ? this.batchSampler.getState() : undefined;
  }

  /**
   * Where the loader stands: inside an iteration, the batches of this epoch already yielded;
   * right after a loop broke out of an epoch, that position (so a checkpoint taken then resumes
   * the rest of the epoch); otherwise the epoch the next iteration will run. JSON-serialisable.
   */
  state(): DataLoaderState {
    const c = this.current;
    const inside = c !== undefined && c.consumed < c.total;
    const s = inside
      ? { epoch: c.epoch, batch: c.consumed, sampler: c.sampler }
      : this.interrupted ?? { epoch: this.pending.epoch, batch: this.pending.skip, sampler: this.pending.sampler };
    if (s.sampler === undefined) fail('NotImplementedError', "DataLoader.state: the sampler has no getState/setState, so the loader's position cannot be saved");
    return structuredClone({ epoch: s.epoch, batch: s.batch, sampler: s.sampler });
  }

  /** The next iteration resumes at `state`: the remaining batches of its epoch, then later epochs. */
  setState(state: DataLoaderState): void {
    const ok =
      state !== null &&
      typeof state === 'object' &&
      Number.isInteger(state.epoch) &&
      state.epoch >= 0 &&
      Number.isInteger(state.batch) &&
      state.batch >= 0 &&
      state.sampler !== undefined;
    if (!ok) fail('ValueError', `DataLoader.setState: expected {epoch, batch, sampler} from state(), got ${JSON.stringify(state)}`);
    if (!this.batchSampler.hasState) fail('NotImplementedError', 'DataLoader.setState: the sampler has no getState/setState');
    this.pending = { epoch: state.epoch, skip: state.batch, sampler: structuredClone(state.sampler) };
    this.current = undefined;
    this.interrupted = undefined;
  }

  /** Called when an iteration ends; remembers the position if it ended before the epoch did. */
  private endRun(run: Run): void {
    if (this.current === run) this.current = undefined;
    this.interrupted = run.consumed < run.total && run.sampler !== undefined ? { epoch: run.epoch, batch: run.consumed, sampler: run.sampler } : undefined;
  }

  /** Fixes the index lists of the next epoch and moves the pending position past it. */
  private beginEpoch(): { plan: number[][]; run: Run } {
    const p = this.pending;
    if (p.sampler !== undefined) this.batchSampler.setState(p.sampler);
    const plan = Array.from(this.batchSampler, (b) => [...b]);
    this.pending = { epoch: p.epoch + 1, skip: 0, sampler: this.snapshot() };
    const run: Run = { epoch: p.epoch, sampler: p.sampler, consumed: Math.min(p.skip, plan.length), total: plan.length };
    this.current = run;
    this.interrupted = undefined;
    return { plan, run };
  }

  private assemble(indices: number[]): unknown {
    const fast = this.fast;
    if (fast !== undefined) return tidy(() => fast.batch(indices));
    return tidy(() => this.batchify(indices.map((i) => this.dataset.get(i))));
  }

  /** One epoch; batches are computed on the engine before they are yielded. */
  async *[Symbol.asyncIterator](): AsyncGenerator<B, void, undefined> {
    const { plan, run } = this.beginEpoch();
    const queue: unknown[] = [];
    let next = run.consumed;
    try {
      while (next < plan.length || queue.length > 0) {
        // Queue the current batch and the next `prefetch` ones before waiting for the current.
        while (queue.length < this.prefetch + 1 && next < plan.length) queue.push(this.assemble(plan[next++]!));
        const batch = queue.shift();
        try {
          await ready(batch);
        } catch (e) {
          if (this.ownsBatches) disposeBatch(batch);
          throw e;
        }
        run.consumed++;
        yield batch as B;
      }
    } finally {
      if (this.ownsBatches) for (const b of queue) disposeBatch(b); // prefetched but never handed out
      this.endRun(run);
    }
  }

  /** One epoch, synchronously (the batches' ops are queued; reads wait as usual). */
  *[Symbol.iterator](): Generator<B, void, undefined> {
    const { plan, run } = this.beginEpoch();
    try {
      for (let k = run.consumed; k < plan.length; k++) {
        const batch = this.assemble(plan[k]!);
        run.consumed++;
        yield batch as B;
      }
    } finally {
      this.endRun(run);
    }
  }
}
