// Regression metrics (MXNet 1.x): MAE, MSE, RMSE. Like MXNet, each update() pair adds the mean
// error of that batch and counts 1, so get() is the mean of per-batch values (RMSE: of per-batch
// root mean squared errors). 1-d labels and predictions are treated as (n, 1).
import * as ops from '../generated/ops.js';
import { type NDArray } from '../ndarray.js';
import { type Arrays, asType, EvalMetric, pairUp, type Scratch, shapeMismatch, withScratch } from './base.js';

/** Whether NumPy broadcasting accepts the two shapes. */
function broadcastable(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const x = a[a.length - i]!;
    const y = b[b.length - i]!;
    if (x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}

function asColumn(s: Scratch, a: NDArray): NDArray {
  return a.ndim === 1 ? s.t(a.reshape([a.shape[0]!, 1])) : a;
}

type ErrorKind = 'abs' | 'square' | 'rootSquare';

abstract class RegressionMetric extends EvalMetric {
  protected abstract readonly kind: string;
  protected abstract readonly error: ErrorKind;

  update(labels: Arrays, preds: Arrays): void {
    const [ls, ps] = pairUp(this.kind, labels, preds);
    withScratch((s) => {
      ls.forEach((label, i) => {
        const pred = ps[i]!;
        const l = asColumn(s, label);
        const p = asColumn(s, pred);
        if (!broadcastable(l.shape, p.shape)) shapeMismatch(this.kind, label, pred);
        const diff = s.t(ops.broadcast_sub(asType(s, l, p.dtype), p));
        const elementwise = s.t(this.error === 'abs' ? ops.abs(diff) : ops.square(diff));
        const mean = s.t(ops.mean(elementwise));
        this.sumAcc.add(this.error === 'rootSquare' ? s.t(ops.sqrt(mean)) : mean);
        this.numCount += 1;
      });
    });
  }
}

/** Mean absolute error: mean |label - pred| of each batch, averaged over batches. */
export class MAE extends RegressionMetric {
  protected readonly kind = 'MAE';
  protected readonly error = 'abs';
  constructor(options: { name?: string } = {}) {
    super(options.name ?? 'mae');
  }
}

/** Mean squared error: mean (label - pred)^2 of each batch, averaged over batches. */
export class MSE extends RegressionMetric {
  protected readonly kind = 'MSE';
  protected readonly error = 'square';
  constructor(options: { name?: string } = {}) {
    super(options.name ?? 'mse');
  }
}

/** Root mean squared error of each batch, averaged over batches (MXNet 1.x). */
export class RMSE extends RegressionMetric {
  protected readonly kind = 'RMSE';
  protected readonly error = 'rootSquare';
  constructor(options: { name?: string } = {}) {
    super(options.name ?? 'rmse');
  }
}
