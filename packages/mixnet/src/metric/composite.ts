// CompositeEvalMetric (MXNet 1.x): several metrics updated together; get() gives their names
// and values as two lists.
import { fail } from '../errors.js';
import { type NDArray } from '../ndarray.js';
import { type AnyMetric, type Arrays, EvalMetric } from './base.js';

export class CompositeEvalMetric extends EvalMetric<string[], number[]> {
  readonly metrics: AnyMetric[];

  constructor(metrics: readonly AnyMetric[] = [], options: { name?: string } = {}) {
    super(options.name ?? 'composite');
    this.metrics = [...metrics];
  }

  /** Adds a child metric. */
  add(metric: AnyMetric): void {
    this.metrics.push(metric);
  }

  /** The child metric at index. */
  getMetric(index: number): AnyMetric {
    const m = this.metrics[index];
    if (m === undefined) fail('IndexError', `CompositeEvalMetric: metric index ${index} is out of range for ${this.metrics.length} metrics`);
    return m;
  }

  /** Filters by this composite's own names, then lets each child select with its names. */
  override updateDict(labels: Readonly<Record<string, NDArray>>, preds: Readonly<Record<string, NDArray>>): void {
    const only = (rec: Readonly<Record<string, NDArray>>, names: readonly string[] | null): Record<string, NDArray> =>
      names === null ? { ...rec } : Object.fromEntries(Object.entries(rec).filter(([k]) => names.includes(k)));
    for (const m of this.metrics) m.updateDict(only(labels, this.labelNames), only(preds, this.outputNames));
  }

  update(labels: Arrays, preds: Arrays): void {
    for (const m of this.metrics) m.update(labels, preds);
  }

  override reset(): void {
    for (const m of this.metrics) m.reset();
  }

  override resetLocal(): void {
    for (const m of this.metrics) m.resetLocal();
  }

  override get numInst(): number {
    return this.metrics.reduce((n, m) => n + m.numInst, 0);
  }

  override get sumMetric(): number {
    return this.metrics.reduce((n, m) => n + m.sumMetric, 0);
  }

  override get(): [string[], number[]] {
    return unzip(this.metrics.flatMap((m) => m.getNameValue()));
  }

  override async getAsync(): Promise<[string[], number[]]> {
    const pairs = await Promise.all(this.metrics.map((m) => m.getNameValueAsync()));
    return unzip(pairs.flat());
  }

  override getGlobal(): [string[], number[]] {
    return unzip(this.metrics.flatMap((m) => m.getGlobalNameValue()));
  }

  override async getGlobalAsync(): Promise<[string[], number[]]> {
    const pairs = await Promise.all(this.metrics.map((m) => m.getGlobalNameValueAsync()));
    return unzip(pairs.flat());
  }
}

function unzip(pairs: readonly [string, number][]): [string[], number[]] {
  return [pairs.map(([n]) => n), pairs.map(([, v]) => v)];
}
