// EvalMetric (MXNet 1.x mx.metric.EvalMetric) and the pieces every metric shares. A metric's
// update() never waits for the engine: per-batch statistics are computed by engine ops into
// one-element arrays and summed into float64 accumulators on the engine; only get() (blocking)
// and getAsync() (awaiting) read values back.
import * as autograd from '../autograd.js';
import { fail } from '../errors.js';
import * as ops from '../generated/ops.js';
import { keep } from '../memory.js';
import { NDArray } from '../ndarray.js';

/** One array, or one per output/label (MXNet passes lists). */
export type Arrays = NDArray | readonly NDArray[];

/**
 * A running float64 sum kept on the engine (a one-element array, allocated on first use), in two
 * parts as MXNet's local/global statistics: what was added since the last commitLocal() (the
 * local sum), and everything committed before (added to it for the global sum).
 */
export class Accumulator {
  private local: NDArray | undefined;
  private committed: NDArray | undefined;
  /** Plain numbers added with addNumber() (CustomMetric's JS results, counts known in JS). */
  private localOffset = 0;
  private committedOffset = 0;
  private touched = false;

  /** Adds a plain number (kept in JS, no engine work). */
  addNumber(v: number): void {
    this.localOffset += v;
    this.touched = true;
  }

  /** Adds a one-element array of any dtype (the caller keeps ownership of `stat`). */
  add(stat: NDArray): void {
    if (stat.size !== 1) fail('ValueError', `metric: a statistic must have one element, got shape (${stat.shape.join(', ')})`);
    this.touched = true;
    const s64 = stat.dtype === 'float64' ? stat : ops.Cast(stat, { dtype: 'float64' });
    const flat = s64.ndim === 1 ? s64 : s64.reshape([1]);
    try {
      if (this.local === undefined) {
        // keep(): a tidy() around the caller's update() must not free the running sum
        this.local = keep(ops._copy(flat));
      } else {
        ops.elemwise_add(this.local, flat, { out: this.local });
      }
    } finally {
      if (flat !== s64) flat.dispose();
      if (s64 !== stat) s64.dispose();
    }
  }

  /** Moves the local sum into the committed one (engine work only; MXNet's reset_local). */
  commitLocal(): void {
    this.committedOffset += this.localOffset;
    this.localOffset = 0;
    if (this.local === undefined) return;
    if (this.committed === undefined) this.committed = this.local;
    else {
      ops.elemwise_add(this.committed, this.local, { out: this.committed });
      this.local.dispose();
    }
    this.local = undefined;
  }

  /** The local sum (0 before any add); blocks until the engine has computed it. */
  read(): number {
    return this.localOffset + valueOf(this.local);
  }

  /** Committed plus local sum (blocks). */
  readGlobal(): number {
    return this.committedOffset + valueOf(this.committed) + this.read();
  }

  async readAsync(): Promise<number> {
    return this.localOffset + (await valueOfAsync(this.local));
  }

  async readGlobalAsync(): Promise<number> {
    const [c, l] = await Promise.all([valueOfAsync(this.committed), this.readAsync()]);
    return this.committedOffset + c + l;
  }

  /** Nothing was ever added since the last reset(). */
  get isEmpty(): boolean {
    return !this.touched;
  }

  reset(): void {
    this.local?.dispose();
    this.committed?.dispose();
    this.local = undefined;
    this.committed = undefined;
    this.localOffset = 0;
    this.committedOffset = 0;
    this.touched = false;
  }
}

function valueOf(a: NDArray | undefined): number {
  return a === undefined ? 0 : Number(a.dataSync()[0]);
}

async function valueOfAsync(a: NDArray | undefined): Promise<number> {
  return a === undefined ? 0 : Number((await a.data())[0]);
}

/** How a metric's value reads its accumulators: local or global sums. */
export type Reader = (a: Accumulator) => number;

/** Arrays a metric makes while updating; free() disposes them all. */
export class Scratch {
  private readonly arrays: NDArray[] = [];
  /** Registers a temporary (returns it). */
  t(a: NDArray): NDArray {
    this.arrays.push(a);
    return a;
  }
  free(): void {
    for (const a of this.arrays) a.dispose();
    this.arrays.length = 0;
  }
}

/** Runs an update body with a scratch list freed afterwards, outside autograd recording. */
export function withScratch(body: (s: Scratch) => void): void {
  const s = new Scratch();
  const run = (): void => {
    try {
      body(s);
    } finally {
      s.free();
    }
  };
  // Metrics are bookkeeping, never part of a gradient (MXNet computes them in NumPy).
  if (autograd.isRecording()) autograd.pause(run, { trainMode: autograd.isTraining() });
  else run();
}

export function shapeStr(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** MXNet's check_label_shapes(labels, preds, wrap=True): lists of equal length. */
export function pairUp(metric: string, labels: Arrays, preds: Arrays): [readonly NDArray[], readonly NDArray[]] {
  const ls = labels instanceof NDArray ? [labels] : labels;
  const ps = preds instanceof NDArray ? [preds] : preds;
  if (ls.length !== ps.length) {
    fail('ValueError', `${metric}: got ${ls.length} label arrays but ${ps.length} prediction arrays`);
  }
  return [ls, ps];
}

/** Throws the shape-mismatch error every metric uses. */
export function shapeMismatch(metric: string, label: NDArray, pred: NDArray, why = ''): never {
  fail(
    'ValueError',
    `${metric}: shape of labels ${shapeStr(label.shape)} does not match shape of predictions ${shapeStr(pred.shape)}${why ? ` (${why})` : ''}`,
  );
}

/** The array in the given dtype (a new array, registered in s, when it differs). */
export function asType(s: Scratch, a: NDArray, dtype: NDArray['dtype']): NDArray {
  return a.dtype === dtype ? a : s.t(ops.Cast(a, { dtype }));
}

/** The array as one flat row (a registered view when it is not 1-d already). */
export function flat(s: Scratch, a: NDArray): NDArray {
  return a.ndim === 1 ? a : s.t(a.reshape([-1]));
}

/**
 * Base of every metric (MXNet 1.x EvalMetric): a running sum (`sumMetric`) over a count
 * (`numInst`); get() gives [name, sumMetric / numInst] (NaN before any update). Subclasses
 * implement update() with engine ops feeding accumulators made by accumulator(). Statistics are
 * local (since reset() or resetLocal()) and global (since reset()), as in MXNet 1.x.
 * TName/TValue are string/number, or string[]/number[] for CompositeEvalMetric.
 */
export abstract class EvalMetric<
  TName extends string | readonly string[] = string,
  TValue extends number | readonly number[] = number,
> {
  name: string;
  /** Which named outputs updateDict() passes to update() (null: all, in record order). */
  outputNames: string[] | null = null;
  /** Which named labels updateDict() passes to update() (null: all, in record order). */
  labelNames: string[] | null = null;
  /** Every accumulator of this metric (reset, committed and read together). */
  private readonly accumulators: Accumulator[] = [];
  /** Sum of the per-batch statistics, on the engine. */
  protected readonly sumAcc = this.accumulator();
  /** The part of numInst that depends on the data (Perplexity's ignored labels). */
  protected readonly numAcc = this.accumulator();
  /** The part of numInst known from shapes (no engine read needed), local and committed. */
  protected numCount = 0;
  private committedNumCount = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** A new accumulator that reset(), resetLocal() and the async getters know about. */
  protected accumulator(): Accumulator {
    const a = new Accumulator();
    this.accumulators.push(a);
    return a;
  }

  /** Adds a batch's labels and predictions (one array or one per output). Never blocks. */
  abstract update(labels: Arrays, preds: Arrays): void;

  /** update() with named arrays, selected by labelNames / outputNames (MXNet's update_dict). */
  updateDict(labels: Readonly<Record<string, NDArray>>, preds: Readonly<Record<string, NDArray>>): void {
    this.update(pickNamed(this.name, 'label', labels, this.labelNames), pickNamed(this.name, 'output', preds, this.outputNames));
  }

  /** Clears all statistics, local and global. */
  reset(): void {
    for (const a of this.accumulators) a.reset();
    this.numCount = 0;
    this.committedNumCount = 0;
  }

  /** Starts new local statistics; the global ones keep everything since reset(). */
  resetLocal(): void {
    for (const a of this.accumulators) a.commitLocal();
    this.committedNumCount += this.numCount;
    this.numCount = 0;
  }

  /** Number of instances seen (blocks when part of it lives on the engine). */
  get numInst(): number {
    return this.numCount + (this.numAcc.isEmpty ? 0 : this.numAcc.read());
  }

  /** The running sum (blocks until the engine has computed it). */
  get sumMetric(): number {
    return this.sumAcc.read();
  }

  /** The metric's value from the running sum and count (MXNet: sum / num, NaN when num is 0). */
  protected compute(sum: number, num: number): number {
    return num === 0 ? Number.NaN : sum / num;
  }

  /**
   * The value from accumulators read by `read` and the shape-known count `numCount`. Metrics
   * with statistics beyond sum and count override this (F1 from its counts).
   */
  protected value(read: Reader, numCount: number): number {
    return this.compute(read(this.sumAcc), numCount + read(this.numAcc));
  }

  /** [name, value] of the local statistics; blocks until the engine has them. */
  get(): [TName, TValue] {
    return [this.name, this.value((a) => a.read(), this.numCount)] as unknown as [TName, TValue];
  }

  /** [name, value] since the last reset() (MXNet's get_global). */
  getGlobal(): [TName, TValue] {
    return [this.name, this.value((a) => a.readGlobal(), this.committedNumCount + this.numCount)] as unknown as [TName, TValue];
  }

  /** get() without blocking the event loop. */
  async getAsync(): Promise<[TName, TValue]> {
    const read = await this.readAll((a) => a.readAsync());
    return [this.name, this.value(read, this.numCount)] as unknown as [TName, TValue];
  }

  /** getGlobal() without blocking the event loop. */
  async getGlobalAsync(): Promise<[TName, TValue]> {
    const read = await this.readAll((a) => a.readGlobalAsync());
    return [this.name, this.value(read, this.committedNumCount + this.numCount)] as unknown as [TName, TValue];
  }

  /** Reads every accumulator concurrently; returns a Reader over the values read. */
  private async readAll(readOne: (a: Accumulator) => Promise<number>): Promise<Reader> {
    const values = await Promise.all(this.accumulators.map(readOne));
    const byAcc = new Map(this.accumulators.map((a, i) => [a, values[i]!]));
    return (a) => {
      const v = byAcc.get(a);
      if (v === undefined) fail('InternalError', `${this.name}: an accumulator was not made with accumulator()`);
      return v;
    };
  }

  /** [[name, value], ...] (one pair here; one per child metric for composites). */
  getNameValue(): [string, number][] {
    return zipNameValue(this.get());
  }

  async getNameValueAsync(): Promise<[string, number][]> {
    return zipNameValue(await this.getAsync());
  }

  getGlobalNameValue(): [string, number][] {
    return zipNameValue(this.getGlobal());
  }

  async getGlobalNameValueAsync(): Promise<[string, number][]> {
    return zipNameValue(await this.getGlobalAsync());
  }

  /** Frees the engine-side accumulators (reset() does the same; the metric stays usable). */
  dispose(): void {
    this.reset();
  }

  toString(): string {
    return `EvalMetric: ${JSON.stringify(Object.fromEntries(this.getNameValue()))}`;
  }
}

function pickNamed(metric: string, what: string, arrays: Readonly<Record<string, NDArray>>, names: readonly string[] | null): NDArray[] {
  if (names === null) return Object.values(arrays);
  return names.map((n) => {
    const a = arrays[n];
    if (a === undefined) fail('ValueError', `${metric}: no ${what} named '${n}' (have: ${Object.keys(arrays).join(', ') || 'none'})`);
    return a;
  });
}

/** A metric of any kind (plain or composite). */
export type AnyMetric = EvalMetric<string | readonly string[], number | readonly number[]>;

function zipNameValue([name, value]: [string | readonly string[], number | readonly number[]]): [string, number][] {
  if (typeof name === 'string') return [[name, value as number]];
  const values = value as readonly number[];
  return name.map((n, i) => [n, values[i]!]);
}
