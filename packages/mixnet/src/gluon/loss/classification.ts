// Classification losses (MXNet 1.x): SoftmaxCrossEntropyLoss, SigmoidBinaryCrossEntropyLoss,
// KLDivLoss, HingeLoss, SquaredHingeLoss, LogisticLoss.
import { fail } from '../../errors.js';
import { type NDArray } from '../../ndarray.js';
import { type OpNamespace } from '../block.js';
import { checkFinite, Loss, type LossOptions } from './base.js';

export interface SoftmaxCrossEntropyOptions extends LossOptions {
  /** The class axis (default -1). */
  axis?: number;
  /** Labels are class indices (default); false: a distribution of the prediction's shape. */
  sparseLabel?: boolean;
  /** pred already holds log-probabilities (default false: logits, log_softmax applied here). */
  fromLogits?: boolean;
}

/**
 * -log softmax(pred)[label] along `axis` (sparse labels), or -sum(label * log softmax(pred))
 * for dense labels.
 */
export class SoftmaxCrossEntropyLoss extends Loss {
  readonly axis: number;
  readonly sparseLabel: boolean;
  readonly fromLogits: boolean;

  constructor(options: SoftmaxCrossEntropyOptions = {}) {
    super(options.weight, options.batchAxis ?? 0, options);
    this.axis = options.axis ?? -1;
    this.sparseLabel = options.sparseLabel ?? true;
    this.fromLogits = options.fromLogits ?? false;
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    const logp = this.fromLogits ? pred : F.log_softmax(pred, { axis: this.axis });
    let loss: NDArray;
    if (this.sparseLabel) {
      loss = F.negative(F.pick(logp, label, { axis: this.axis, keepdims: true }));
    } else {
      const l = this.reshapeLike(F, label, logp);
      loss = F.negative(F.sum(F.elemwise_mul(logp, l), { axis: this.axis, keepdims: true }));
    }
    return this.batchMean(F, this.applyWeighting(F, loss, this.weight, sampleWeight));
  }

  protected override extraRepr(): string {
    return `${super.extraRepr()}, axis=${this.axis}, sparse_label=${this.sparseLabel}, from_logits=${this.fromLogits}`;
  }
}

export interface SigmoidBCEOptions extends LossOptions {
  /** pred already holds probabilities (default false: logits). */
  fromSigmoid?: boolean;
  /** Weight of the positive class (a forward() posWeight argument overrides it). */
  posWeight?: number;
}

/**
 * Binary cross entropy -(posWeight * y * log p + (1 - y) * log(1 - p)), p = sigmoid(pred). From
 * logits it uses the overflow-free form relu(x) - x*y + log(1 + exp(-|x|)). Inputs: pred,
 * label, sampleWeight?, posWeight? (an array broadcast against the loss).
 */
export class SigmoidBinaryCrossEntropyLoss extends Loss<[pred: NDArray, label: NDArray, sampleWeight?: NDArray, posWeight?: NDArray]> {
  readonly fromSigmoid: boolean;
  readonly posWeight: number | null;

  constructor(options: SigmoidBCEOptions = {}) {
    super(options.weight, options.batchAxis ?? 0, options);
    this.fromSigmoid = options.fromSigmoid ?? false;
    this.posWeight = options.posWeight === undefined ? null : checkFinite('SigmoidBinaryCrossEntropyLoss', 'posWeight', options.posWeight);
  }

  override hybridForward(
    F: OpNamespace,
    _p: Record<string, NDArray>,
    pred: NDArray,
    label: NDArray,
    sampleWeight?: NDArray,
    posWeight?: NDArray,
  ): NDArray {
    const y = this.reshapeLike(F, label, pred);
    // (w - 1) * y + 1 when a positive weight is given
    const scalePositive = (t: NDArray): NDArray | undefined => {
      if (posWeight !== undefined) return F.broadcast_mul(t, posWeight);
      if (this.posWeight !== null) return F._mul_scalar(t, { scalar: this.posWeight });
      return undefined;
    };
    let loss: NDArray;
    if (!this.fromSigmoid) {
      const xy = F.elemwise_mul(pred, y);
      const softplusNegAbs = F.Activation(F.negative(F.abs(pred)), { act_type: 'softrelu' });
      const weightedY = scalePositive(y);
      if (weightedY === undefined) {
        loss = F.elemwise_add(F.elemwise_sub(F.relu(pred), xy), softplusNegAbs);
      } else {
        // log(1 + exp(-x)) = log(1 + exp(-|x|)) + relu(-x), weighted by 1 + (w - 1) * y
        const logWeight = F._plus_scalar(F.elemwise_sub(weightedY, y), { scalar: 1 });
        const softplusNeg = F.elemwise_add(softplusNegAbs, F.relu(F.negative(pred)));
        loss = F.elemwise_add(F.elemwise_sub(pred, xy), F.elemwise_mul(logWeight, softplusNeg));
      }
    } else {
      const eps = 1e-12;
      const logP = F.log(F._plus_scalar(pred, { scalar: eps }));
      const log1mP = F.log(F._plus_scalar(F._rminus_scalar(pred, { scalar: 1 }), { scalar: eps }));
      const pos = F.elemwise_mul(logP, y);
      const neg = F.elemwise_mul(log1mP, F._rminus_scalar(y, { scalar: 1 }));
      loss = F.negative(F.elemwise_add(scalePositive(pos) ?? pos, neg));
    }
    return this.batchMean(F, this.applyWeighting(F, loss, this.weight, sampleWeight));
  }

  protected override extraRepr(): string {
    return `${super.extraRepr()}, from_sigmoid=${this.fromSigmoid}`;
  }
}

/**
 * Kullback-Leibler divergence label * (log(label + 1e-12) - pred); pred holds log-probabilities
 * (fromLogits true, the default) or logits that get log_softmax along `axis`.
 */
export class KLDivLoss extends Loss {
  readonly fromLogits: boolean;
  readonly axis: number;

  constructor(options: LossOptions & { fromLogits?: boolean; axis?: number } = {}) {
    super(options.weight, options.batchAxis ?? 0, options);
    this.fromLogits = options.fromLogits ?? true;
    this.axis = options.axis ?? -1;
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    const logp = this.fromLogits ? pred : F.log_softmax(pred, { axis: this.axis });
    const logLabel = F.log(F._plus_scalar(label, { scalar: 1e-12 }));
    const loss = F.broadcast_mul(label, F.broadcast_sub(logLabel, logp));
    // Summed over each sample's elements: Apache MXNet 1.9.1 sums here where its other losses average.
    return this.batchSum(F, this.applyWeighting(F, loss, this.weight, sampleWeight));
  }
}

/** relu(margin - pred * label) for labels -1/1 (margin default 1). */
export class HingeLoss extends Loss {
  readonly margin: number;

  constructor(options: LossOptions & { margin?: number } = {}) {
    super(options.weight, options.batchAxis ?? 0, options);
    this.margin = checkFinite(this.constructor.name, 'margin', options.margin ?? 1);
  }

  /** relu(margin - pred * label). */
  protected hinge(F: OpNamespace, pred: NDArray, label: NDArray): NDArray {
    const l = this.reshapeLike(F, label, pred);
    return F.relu(F._rminus_scalar(F.elemwise_mul(pred, l), { scalar: this.margin }));
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    return this.batchMean(F, this.applyWeighting(F, this.hinge(F, pred, label), this.weight, sampleWeight));
  }
}

/** relu(margin - pred * label)^2 for labels -1/1. */
export class SquaredHingeLoss extends HingeLoss {
  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    return this.batchMean(F, this.applyWeighting(F, F.square(this.hinge(F, pred, label)), this.weight, sampleWeight));
  }
}

/**
 * log(1 + exp(-pred * label)) for labels -1/1 (labelFormat 'signed', default) or 0/1
 * ('binary'). Computed as MXNet does, on 0/1 labels: relu(x) - x*y + log(1 + exp(-|x|)).
 */
export class LogisticLoss extends Loss {
  readonly labelFormat: 'signed' | 'binary';

  constructor(options: LossOptions & { labelFormat?: 'signed' | 'binary' } = {}) {
    super(options.weight, options.batchAxis ?? 0, options);
    const format = options.labelFormat ?? 'signed';
    if (format !== 'signed' && format !== 'binary') {
      fail('ValueError', `LogisticLoss: labelFormat can only be 'signed' or 'binary', got '${String(format)}'`);
    }
    this.labelFormat = format;
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    let y = this.reshapeLike(F, label, pred);
    if (this.labelFormat === 'signed') y = F._div_scalar(F._plus_scalar(y, { scalar: 1 }), { scalar: 2 }); // -1/1 to 0/1
    const loss = F.elemwise_add(
      F.elemwise_sub(F.relu(pred), F.elemwise_mul(pred, y)),
      F.Activation(F.negative(F.abs(pred)), { act_type: 'softrelu' }),
    );
    return this.batchMean(F, this.applyWeighting(F, loss, this.weight, sampleWeight));
  }
}
