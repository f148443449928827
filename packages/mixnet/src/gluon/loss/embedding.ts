// Losses on embeddings (MXNet 1.x): CosineEmbeddingLoss, TripletLoss, SDMLLoss.
import { fail } from '../../errors.js';
import { type NDArray } from '../../ndarray.js';
import { type OpNamespace } from '../block.js';
import { checkFinite, Loss, type LossOptions } from './base.js';
import { KLDivLoss } from './classification.js';

/**
 * With c = cos(input1, input2) along the last axis: 1 - c where label is 1, else
 * clip(c - margin, 0, 1 - margin) (labels are 1 / -1). Inputs: input1, input2, label,
 * sampleWeight?; the result has shape [batch, 1], as Apache MXNet 1.9.1 returns it.
 */
export class CosineEmbeddingLoss extends Loss<[input1: NDArray, input2: NDArray, label: NDArray, sampleWeight?: NDArray]> {
  readonly margin: number;

  constructor(options: LossOptions & { margin?: number } = {}) {
    super(options.weight, options.batchAxis ?? 0, options);
    this.margin = checkFinite('CosineEmbeddingLoss', 'margin', options.margin ?? 0);
  }

  override hybridForward(
    F: OpNamespace,
    _p: Record<string, NDArray>,
    input1: NDArray,
    input2: NDArray,
    label: NDArray,
    sampleWeight?: NDArray,
  ): NDArray {
    const x = this.reshapeLike(F, input1, input2, 'input1');
    const cos = cosineSimilarity(F, x, input2);
    const l = this.reshapeLike(F, label, cos);
    const dissimilar = F.clip(F._minus_scalar(cos, { scalar: this.margin }), { a_min: 0, a_max: 1 - this.margin });
    const loss = F.where(F._equal_scalar(l, { scalar: 1 }), F._rminus_scalar(cos, { scalar: 1 }), dissimilar);
    return this.applyWeighting(F, loss, this.weight, sampleWeight);
  }

  protected override extraRepr(): string {
    return `${super.extraRepr()}, margin=${this.margin}`;
  }
}

/** (batch, 1) cosine similarities along the last axis, the norm product floored at 1e-12. */
function cosineSimilarity(F: OpNamespace, x: NDArray, y: NDArray): NDArray {
  const xNorm = F.Reshape(F.norm(x, { axis: -1 }), { shape: [-1, 1] });
  const yNorm = F.Reshape(F.norm(y, { axis: -1 }), { shape: [-1, 1] });
  const dot = F.Reshape(F.sum(F.elemwise_mul(x, y), { axis: -1 }), { shape: [-1, 1] });
  return F.elemwise_div(dot, F._maximum_scalar(F.elemwise_mul(xNorm, yNorm), { scalar: 1e-12 }));
}

/**
 * max(0, |positive - pred|^2 - |negative - pred|^2 + margin), the squared distances summed over
 * every axis but the batch axis. Inputs: pred, positive, negative, sampleWeight?.
 */
export class TripletLoss extends Loss<[pred: NDArray, positive: NDArray, negative: NDArray, sampleWeight?: NDArray]> {
  readonly margin: number;

  constructor(options: LossOptions & { margin?: number } = {}) {
    super(options.weight, options.batchAxis ?? 0, options);
    this.margin = checkFinite('TripletLoss', 'margin', options.margin ?? 1);
  }

  override hybridForward(
    F: OpNamespace,
    _p: Record<string, NDArray>,
    pred: NDArray,
    positive: NDArray,
    negative: NDArray,
    sampleWeight?: NDArray,
  ): NDArray {
    const pos = this.reshapeLike(F, positive, pred, 'positive');
    const neg = this.reshapeLike(F, negative, pred, 'negative');
    const diff = F.elemwise_sub(F.square(F.elemwise_sub(pos, pred)), F.square(F.elemwise_sub(neg, pred)));
    const perSample = F.sum(diff, { axis: this.batchAxis, exclude: true });
    const loss = F.relu(F._plus_scalar(perSample, { scalar: this.margin }));
    return this.applyWeighting(F, loss, this.weight, sampleWeight);
  }

  protected override extraRepr(): string {
    return `${super.extraRepr()}, margin=${this.margin}`;
  }
}

/**
 * Batchwise Smoothed Deep Metric Learning loss: x1[i] and x2[i] are a positive pair, every other
 * row of x2 a negative. KL divergence between softmax(-squared distances) per row and the
 * identity smoothed by smoothingParameter (the mass spread over the other rows). Inputs x1, x2
 * of shape (batch, dim); one value per sample. As in MXNet, `weight` is stored but not applied.
 */
export class SDMLLoss extends Loss<[x1: NDArray, x2: NDArray]> {
  readonly smoothingParameter: number;
  readonly klLoss: KLDivLoss;

  constructor(options: LossOptions & { smoothingParameter?: number } = {}) {
    super(options.weight === undefined ? 1 : options.weight, options.batchAxis ?? 0, options);
    this.smoothingParameter = checkFinite('SDMLLoss', 'smoothingParameter', options.smoothingParameter ?? 0.3);
    if (this.smoothingParameter < 0 || this.smoothingParameter >= 1) {
      fail('ValueError', `SDMLLoss: smoothingParameter must be in [0, 1), got ${this.smoothingParameter}`);
    }
    this.klLoss = new KLDivLoss({ fromLogits: true });
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, x1: NDArray, x2: NDArray): NDArray {
    if (x1.ndim !== 2 || x2.ndim !== 2 || x1.shape[0] !== x2.shape[0] || x1.shape[1] !== x2.shape[1]) {
      fail('ValueError', `SDMLLoss: x1 and x2 must both be (batch, dim), got (${x1.shape.join(', ')}) and (${x2.shape.join(', ')})`);
    }
    const n = x1.shape[0]!;
    if (n < 2) fail('ValueError', `SDMLLoss: needs a batch of at least 2 pairs, got ${n}`);
    const s = this.smoothingParameter;
    const eye = F._eye({ N: n, dtype: x1.dtype, ctx: x1.context.toString() });
    // identity * (1 - s) + (1 - identity) * s / (n - 1)
    const labels = F._plus_scalar(F._mul_scalar(eye, { scalar: 1 - s - s / (n - 1) }), { scalar: s / (n - 1) });
    const diffs = F.broadcast_sub(F.expand_dims(x1, { axis: 1 }), F.expand_dims(x2, { axis: 0 }));
    const distances = F.sum(F.square(diffs), { axis: 2 });
    const logp = F.log_softmax(F.negative(distances), { axis: 1 });
    return this.klLoss.call(logp, labels);
  }
}
