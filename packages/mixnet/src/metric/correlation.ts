// PearsonCorrelation (MXNet 1.x mx.metric.PearsonCorrelation, alias 'pearsonr').
import { fail } from '../errors.js';
import * as ops from '../generated/ops.js';
import { keep } from '../memory.js';
import { type NDArray } from '../ndarray.js';
import { type Arrays, asType, EvalMetric, flat, pairUp, type Reader, type Scratch, shapeMismatch, withScratch } from './base.js';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Pearson correlation between labels and predictions of the same shape (flattened, in float64).
 * 'macro' (default) averages the correlation of each (label, pred) pair; 'micro' is the
 * correlation of all values seen together.
 */
export class PearsonCorrelation extends EvalMetric {
  readonly average: 'macro' | 'micro';
  // micro: sums of values shifted by the first batch's means (keeps float64 sums well conditioned)
  private readonly sums = {
    x: this.accumulator(),
    y: this.accumulator(),
    xx: this.accumulator(),
    yy: this.accumulator(),
    xy: this.accumulator(),
    n: this.accumulator(), // number of values (kept in JS with addNumber)
  };
  private shift: { x: NDArray; y: NDArray } | undefined;

  constructor(options: { average?: 'macro' | 'micro'; name?: string } = {}) {
    super(options.name ?? 'pearsonr');
    const avg = options.average ?? 'macro';
    if (avg !== 'macro' && avg !== 'micro') fail('ValueError', `PearsonCorrelation: average must be 'macro' or 'micro', got '${String(avg)}'`);
    this.average = avg;
  }

  update(labels: Arrays, preds: Arrays): void {
    const [ls, ps] = pairUp('PearsonCorrelation', labels, preds);
    withScratch((s) => {
      ls.forEach((label, i) => {
        const pred = ps[i]!;
        if (!sameShape(label.shape, pred.shape)) shapeMismatch('PearsonCorrelation', label, pred);
        const x = flat(s, asType(s, label, 'float64'));
        const y = flat(s, asType(s, pred, 'float64'));
        this.numCount += 1;
        if (this.average === 'macro') this.sumAcc.add(correlation(s, x, y));
        else this.addMoments(s, x, y);
      });
    });
  }

  private addMoments(s: Scratch, x: NDArray, y: NDArray): void {
    if (this.shift === undefined) {
      this.shift = { x: keep(ops.mean(x)), y: keep(ops.mean(y)) };
    }
    const dx = s.t(ops.broadcast_sub(x, this.shift.x));
    const dy = s.t(ops.broadcast_sub(y, this.shift.y));
    const sum = (a: NDArray): NDArray => s.t(ops.sum(a));
    this.sums.x.add(sum(dx));
    this.sums.y.add(sum(dy));
    this.sums.xx.add(sum(s.t(ops.square(dx))));
    this.sums.yy.add(sum(s.t(ops.square(dy))));
    this.sums.xy.add(sum(s.t(ops.elemwise_mul(dx, dy))));
    this.sums.n.addNumber(x.size);
  }

  protected override value(read: Reader, numCount: number): number {
    if (this.average === 'macro') return super.value(read, numCount);
    if (numCount === 0) return Number.NaN;
    const { x, y, xx, yy, xy, n } = this.sums;
    const [sx, sy, sxx, syy, sxy, count] = [read(x), read(y), read(xx), read(yy), read(xy), read(n)];
    return (count * sxy - sx * sy) / Math.sqrt((count * sxx - sx * sx) * (count * syy - sy * sy));
  }

  override reset(): void {
    super.reset();
    this.shift?.x.dispose();
    this.shift?.y.dispose();
    this.shift = undefined;
  }
}

/** Engine-side Pearson r of two flat float64 arrays (NaN when one of them is constant). */
function correlation(s: Scratch, x: NDArray, y: NDArray): NDArray {
  const xm = s.t(ops.broadcast_sub(x, s.t(ops.mean(x))));
  const ym = s.t(ops.broadcast_sub(y, s.t(ops.mean(y))));
  const cov = s.t(ops.sum(s.t(ops.elemwise_mul(xm, ym))));
  const varProduct = s.t(ops.elemwise_mul(s.t(ops.sum(s.t(ops.square(xm)))), s.t(ops.sum(s.t(ops.square(ym))))));
  return s.t(ops.elemwise_div(cov, s.t(ops.sqrt(varProduct))));
}
