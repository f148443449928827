// Metrics on predicted probabilities and on loss values (MXNet 1.x): CrossEntropy,
// NegativeLogLikelihood, Perplexity, Loss.
import { fail } from '../errors.js';
import * as ops from '../generated/ops.js';
import { type NDArray } from '../ndarray.js';
import { type Arrays, asType, EvalMetric, pairUp, type Scratch, shapeMismatch, withScratch } from './base.js';

/**
 * Sum over the batch of -log(p[label] + eps) for (batch, classes) probabilities; adds it to the
 * metric and counts the batch.
 */
function addNegLogProb(metric: string, s: Scratch, label: NDArray, pred: NDArray, eps: number): NDArray {
  if (pred.ndim !== 2) shapeMismatch(metric, label, pred, 'predictions must be (batch, classes) probabilities');
  const n = pred.shape[0]!;
  if (label.size !== n) shapeMismatch(metric, label, pred);
  const l = label.ndim === 1 ? label : s.t(label.reshape([n]));
  const prob = s.t(ops.pick(pred, asType(s, l, pred.dtype), { axis: 1 }));
  const nll = s.t(ops.negative(s.t(ops.log(s.t(ops._plus_scalar(prob, { scalar: eps }))))));
  return s.t(ops.sum(nll));
}

/** Mean over samples of -log(p[label] + eps), predictions being (batch, classes) probabilities. */
export class CrossEntropy extends EvalMetric {
  readonly eps: number;
  protected readonly kind: string = 'CrossEntropy';

  constructor(options: { eps?: number; name?: string } = {}) {
    super(options.name ?? 'cross-entropy');
    this.eps = options.eps ?? 1e-12;
  }

  update(labels: Arrays, preds: Arrays): void {
    const [ls, ps] = pairUp(this.kind, labels, preds);
    withScratch((s) => {
      ls.forEach((label, i) => {
        const pred = ps[i]!;
        this.sumAcc.add(addNegLogProb(this.kind, s, label, pred, this.eps));
        this.numCount += pred.shape[0]!;
      });
    });
  }
}

/** Same value as CrossEntropy under MXNet's other name ('nll-loss'). */
export class NegativeLogLikelihood extends CrossEntropy {
  protected override readonly kind: string = 'NegativeLogLikelihood';
  constructor(options: { eps?: number; name?: string } = {}) {
    super({ eps: options.eps, name: options.name ?? 'nll-loss' });
  }
}

/**
 * exp(mean over samples of -log p[label]) of probabilities along `axis` (default -1). Samples
 * whose label equals ignoreLabel are left out. Probabilities are floored at 1e-10, as MXNet.
 */
export class Perplexity extends EvalMetric {
  readonly ignoreLabel: number | null;
  readonly axis: number;

  constructor(options: { ignoreLabel?: number | null; axis?: number; name?: string } = {}) {
    super(options.name ?? 'perplexity');
    this.ignoreLabel = options.ignoreLabel ?? null;
    this.axis = options.axis ?? -1;
  }

  update(labels: Arrays, preds: Arrays): void {
    const [ls, ps] = pairUp('Perplexity', labels, preds);
    withScratch((s) => {
      ls.forEach((label, i) => {
        const pred = ps[i]!;
        const axis = this.axis < 0 ? this.axis + pred.ndim : this.axis;
        if (axis < 0 || axis >= pred.ndim) fail('ValueError', `Perplexity: axis ${this.axis} is out of range for predictions of shape (${pred.shape.join(', ')})`);
        const rest = pred.shape.filter((_, d) => d !== axis);
        const restSize = rest.reduce((a, d) => a * d, 1);
        if (label.size !== restSize) shapeMismatch('Perplexity', label, pred, `labels need ${restSize} elements, one per prediction along axis ${this.axis}`);
        const l = asType(s, s.t(label.reshape(rest)), pred.dtype);
        let prob = s.t(ops.pick(pred, l, { axis }));
        if (this.ignoreLabel !== null) {
          // ignored positions get probability 1 (contribute 0) and are not counted
          const ignore = s.t(ops._equal_scalar(l, { scalar: this.ignoreLabel }));
          this.numAcc.add(s.t(ops.negative(s.t(ops.sum(ignore)))));
          const kept = s.t(ops.elemwise_mul(prob, s.t(ops._rminus_scalar(ignore, { scalar: 1 }))));
          prob = s.t(ops.elemwise_add(kept, ignore));
        }
        const logp = s.t(ops.log(s.t(ops._maximum_scalar(prob, { scalar: 1e-10 }))));
        this.sumAcc.add(s.t(ops.negative(s.t(ops.sum(logp)))));
        this.numCount += prob.size;
      });
    });
  }

  protected override compute(sum: number, num: number): number {
    return num === 0 ? Number.NaN : Math.exp(sum / num);
  }
}

/** Mean of loss values (labels are ignored): sum of every element over their count. */
export class Loss extends EvalMetric {
  constructor(options: { name?: string } = {}) {
    super(options.name ?? 'loss');
  }

  update(_labels: Arrays | null | undefined, preds: Arrays): void {
    const ps = Array.isArray(preds) ? (preds as readonly NDArray[]) : [preds as NDArray];
    withScratch((s) => {
      for (const pred of ps) {
        this.sumAcc.add(s.t(ops.sum(pred)));
        this.numCount += pred.size;
      }
    });
  }
}
