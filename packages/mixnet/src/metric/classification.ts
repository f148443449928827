// Classification metrics (MXNet 1.x): Accuracy, TopKAccuracy, F1 and MCC for binary labels.
import { fail } from '../errors.js';
import * as ops from '../generated/ops.js';
import { type NDArray } from '../ndarray.js';
import { type Accumulator, type Arrays, asType, EvalMetric, flat, pairUp, type Reader, type Scratch, shapeMismatch, withScratch } from './base.js';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Fraction of predictions equal to the label. A prediction whose shape differs from its label's
 * is a score array: its argmax along `axis` is the predicted class. Both sides are compared as
 * int32 (truncating), as MXNet does.
 */
export class Accuracy extends EvalMetric {
  readonly axis: number;

  constructor(options: { axis?: number; name?: string } = {}) {
    super(options.name ?? 'accuracy');
    this.axis = options.axis ?? 1;
  }

  update(labels: Arrays, preds: Arrays): void {
    const [ls, ps] = pairUp('Accuracy', labels, preds);
    withScratch((s) => {
      ls.forEach((label, i) => {
        const pred = ps[i]!;
        let predLabel = pred;
        if (!sameShape(pred.shape, label.shape)) {
          if (pred.ndim <= this.axis) shapeMismatch('Accuracy', label, pred, `predictions have no axis ${this.axis}`);
          predLabel = s.t(ops.argmax(pred, { axis: this.axis }));
        }
        if (predLabel.size !== label.size) shapeMismatch('Accuracy', label, pred);
        const p = flat(s, asType(s, predLabel, 'int32'));
        const l = flat(s, asType(s, label, 'int32'));
        this.sumAcc.add(s.t(ops.sum(s.t(ops.broadcast_equal(p, l)))));
        this.numCount += p.size;
      });
    });
  }
}

/** Fraction of samples whose label is among the topK highest-scored classes (topK > 1). */
export class TopKAccuracy extends EvalMetric {
  readonly topK: number;

  constructor(options: { topK?: number; name?: string } = {}) {
    const topK = options.topK ?? 1;
    if (!Number.isInteger(topK) || topK <= 1) {
      fail('ValueError', `TopKAccuracy: topK must be an integer > 1 (use Accuracy for top-1), got ${topK}`);
    }
    super(`${options.name ?? 'top_k_accuracy'}_${topK}`);
    this.topK = topK;
  }

  update(labels: Arrays, preds: Arrays): void {
    const [ls, ps] = pairUp('TopKAccuracy', labels, preds);
    withScratch((s) => {
      ls.forEach((label, i) => {
        const pred = ps[i]!;
        if (pred.ndim !== 2) shapeMismatch('TopKAccuracy', label, pred, 'predictions must be (batch, classes)');
        const [n, classes] = pred.shape as [number, number];
        if (label.size !== n) shapeMismatch('TopKAccuracy', label, pred);
        const k = Math.min(classes, this.topK);
        const top = ops.topk(pred, { axis: 1, k, ret_typ: 'indices', dtype: 'int32' });
        top.forEach((a) => s.t(a));
        const l = s.t(asType(s, label, 'int32').reshape([n, 1]));
        this.sumAcc.add(s.t(ops.sum(s.t(ops.broadcast_equal(top[0]!, l)))));
        this.numCount += n;
      });
    });
  }
}

/** True/false positive/negative counts of one batch for binary labels, as one-element float64 arrays. */
interface BinaryCounts {
  tp: NDArray;
  fp: NDArray;
  fn: NDArray;
  tn: NDArray;
}

/**
 * Counts for predictions (batch, 2) scores (class = argmax along axis 1) against 0/1 labels.
 * Also adds the number of labels that are neither 0 nor 1 to `invalid` (reported by get()).
 */
function binaryCounts(metric: string, s: Scratch, label: NDArray, pred: NDArray, invalid: Accumulator): BinaryCounts {
  if (pred.ndim !== 2) shapeMismatch(metric, label, pred, 'predictions must be (batch, 2) scores');
  if (label.size !== pred.shape[0]) shapeMismatch(metric, label, pred);
  const p1 = s.t(ops._equal_scalar(s.t(ops.argmax(pred, { axis: 1 })), { scalar: 1 }));
  const l = flat(s, asType(s, label, p1.dtype)); // argmax keeps the prediction's dtype
  const l1 = s.t(ops._equal_scalar(l, { scalar: 1 }));
  const l0 = s.t(ops._equal_scalar(l, { scalar: 0 }));
  const p0 = s.t(ops._rminus_scalar(p1, { scalar: 1 }));
  const count = (a: NDArray, b: NDArray): NDArray => s.t(ops.Cast(s.t(ops.sum(s.t(ops.elemwise_mul(a, b)))), { dtype: 'float64' }));
  // labels other than 0 and 1: size - #zeros - #ones
  invalid.add(s.t(ops._rminus_scalar(s.t(ops.sum(s.t(ops.elemwise_add(l0, l1)))), { scalar: l.size })));
  return { tp: count(p1, l1), fp: count(p1, l0), fn: count(p0, l1), tn: count(p0, l0) };
}

/** a / b where b > 0, else 0 (b is a non-negative count, so max(b, tiny) does it). */
function safeDiv(s: Scratch, a: NDArray, b: NDArray): NDArray {
  return s.t(ops.elemwise_div(a, s.t(ops._maximum_scalar(b, { scalar: 1e-300 }))));
}

/** Engine-side F1 from one-element float64 counts (0 when precision + recall is 0). */
function fscoreOf(s: Scratch, tp: NDArray, fp: NDArray, fn: NDArray): NDArray {
  const precision = safeDiv(s, tp, s.t(ops.elemwise_add(tp, fp)));
  const recall = safeDiv(s, tp, s.t(ops.elemwise_add(tp, fn)));
  const num = s.t(ops._mul_scalar(s.t(ops.elemwise_mul(precision, recall)), { scalar: 2 }));
  return safeDiv(s, num, s.t(ops.elemwise_add(precision, recall)));
}

function fscoreFromNumbers(tp: number, fp: number, fn: number): number {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/**
 * Shared by F1 and MCC: 'macro' averages the per-update score over updates; 'micro' computes
 * it from the counts of everything seen. Labels must be 0 or 1 (checked when reading).
 */
abstract class BinaryClassificationMetric extends EvalMetric {
  readonly average: 'macro' | 'micro';
  /** The class name for messages ('F1', 'MCC'). */
  private readonly kind: string;
  private readonly counts = { tp: this.accumulator(), fp: this.accumulator(), fn: this.accumulator(), tn: this.accumulator() };
  private readonly invalid = this.accumulator();

  constructor(kind: string, name: string, average: 'macro' | 'micro' | undefined) {
    super(name);
    this.kind = kind;
    const avg = average ?? 'macro';
    if (avg !== 'macro' && avg !== 'micro') fail('ValueError', `${kind}: average must be 'macro' or 'micro', got '${String(avg)}'`);
    this.average = avg;
  }

  /** The score as a one-element float64 array from one-element float64 counts. */
  protected abstract scoreOf(s: Scratch, c: BinaryCounts): NDArray;
  /** The score from counts read back. */
  protected abstract scoreFromNumbers(tp: number, fp: number, fn: number, tn: number): number;

  update(labels: Arrays, preds: Arrays): void {
    const kind = this.kind;
    const [ls, ps] = pairUp(kind, labels, preds);
    withScratch((s) => {
      let total: BinaryCounts | undefined;
      ls.forEach((label, i) => {
        const c = binaryCounts(kind, s, label, ps[i]!, this.invalid);
        this.numCount += this.average === 'micro' ? label.size : 0;
        if (this.average === 'micro') {
          this.counts.tp.add(c.tp);
          this.counts.fp.add(c.fp);
          this.counts.fn.add(c.fn);
          this.counts.tn.add(c.tn);
          return;
        }
        total = total === undefined ? c : {
          tp: s.t(ops.elemwise_add(total.tp, c.tp)),
          fp: s.t(ops.elemwise_add(total.fp, c.fp)),
          fn: s.t(ops.elemwise_add(total.fn, c.fn)),
          tn: s.t(ops.elemwise_add(total.tn, c.tn)),
        };
      });
      if (this.average === 'macro' && total !== undefined) {
        this.sumAcc.add(this.scoreOf(s, total));
        this.numCount += 1;
      }
    });
  }

  private checkLabels(invalid: number): void {
    if (invalid > 0) fail('ValueError', `${this.kind} currently only supports binary classification: ${invalid} labels were neither 0 nor 1`);
  }

  protected override value(read: Reader, numCount: number): number {
    this.checkLabels(read(this.invalid));
    if (this.average === 'macro') return super.value(read, numCount);
    if (numCount === 0) return Number.NaN;
    const { tp, fp, fn, tn } = this.counts;
    return this.scoreFromNumbers(read(tp), read(fp), read(fn), read(tn));
  }

  override get sumMetric(): number {
    if (this.average === 'macro') return super.sumMetric;
    // MXNet keeps sum_metric = score * examples in micro mode
    return this.value((a) => a.read(), this.numCount) * this.numCount;
  }
}

/**
 * F1 score of binary classification (MXNet 1.x mx.metric.F1): predictions are (batch, 2) scores,
 * labels 0/1. 'macro' (default) averages the F1 of each update() call; 'micro' is the F1 of all
 * counts together.
 */
export class F1 extends BinaryClassificationMetric {
  constructor(options: { average?: 'macro' | 'micro'; name?: string } = {}) {
    super('F1', options.name ?? 'f1', options.average);
  }
  protected scoreOf(s: Scratch, c: BinaryCounts): NDArray {
    return fscoreOf(s, c.tp, c.fp, c.fn);
  }
  protected scoreFromNumbers(tp: number, fp: number, fn: number): number {
    return fscoreFromNumbers(tp, fp, fn);
  }
}

/** Matthews correlation coefficient from counts (0 when a marginal is empty, as MXNet). */
function mccFromNumbers(tp: number, fp: number, fn: number, tn: number): number {
  const terms = [tp + fp, tp + fn, tn + fp, tn + fn];
  const denom = terms.reduce((acc, t) => acc * (t === 0 ? 1 : t), 1);
  return (tp * tn - fp * fn) / Math.sqrt(denom);
}

/**
 * Matthews correlation coefficient of binary classification (MXNet 1.x mx.metric.MCC), with the
 * same inputs and averaging as F1. Empty marginals count as 1 in the denominator, as MXNet does.
 */
export class MCC extends BinaryClassificationMetric {
  constructor(options: { average?: 'macro' | 'micro'; name?: string } = {}) {
    super('MCC', options.name ?? 'mcc', options.average);
  }
  protected scoreOf(s: Scratch, c: BinaryCounts): NDArray {
    const orOne = (a: NDArray, b: NDArray): NDArray => {
      const sum = s.t(ops.elemwise_add(a, b));
      // a zero marginal counts as 1: sum + (sum == 0)
      return s.t(ops.elemwise_add(sum, s.t(ops._equal_scalar(sum, { scalar: 0 }))));
    };
    const denom = [orOne(c.tp, c.fp), orOne(c.tp, c.fn), orOne(c.tn, c.fp), orOne(c.tn, c.fn)].reduce((a, b) => s.t(ops.elemwise_mul(a, b)));
    const num = s.t(ops.elemwise_sub(s.t(ops.elemwise_mul(c.tp, c.tn)), s.t(ops.elemwise_mul(c.fp, c.fn))));
    return s.t(ops.elemwise_div(num, s.t(ops.sqrt(denom))));
  }
  protected scoreFromNumbers(tp: number, fp: number, fn: number, tn: number): number {
    return mccFromNumbers(tp, fp, fn, tn);
  }
}
