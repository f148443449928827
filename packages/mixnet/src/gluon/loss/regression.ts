// Regression losses (MXNet 1.x): L2Loss, L1Loss, HuberLoss.
import { fail } from '../../errors.js';
import { type NDArray } from '../../ndarray.js';
import { type OpNamespace } from '../block.js';
import { checkFinite, Loss, type LossOptions } from './base.js';

/** 0.5 * (label - pred)^2 (weight defaults to 1, as MXNet). */
export class L2Loss extends Loss {
  constructor(options: LossOptions = {}) {
    super(options.weight === undefined ? 1 : options.weight, options.batchAxis ?? 0, options);
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    const l = this.reshapeLike(F, label, pred);
    const loss = F.square(F.elemwise_sub(l, pred));
    // MXNet folds the 1/2 into the weight (weight null: just the 1/2)
    return this.batchMean(F, this.applyWeighting(F, loss, (this.weight ?? 1) / 2, sampleWeight));
  }
}

/** |label - pred|. */
export class L1Loss extends Loss {
  constructor(options: LossOptions = {}) {
    super(options.weight, options.batchAxis ?? 0, options);
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    const l = this.reshapeLike(F, label, pred);
    const loss = F.abs(F.elemwise_sub(l, pred));
    return this.batchMean(F, this.applyWeighting(F, loss, this.weight, sampleWeight));
  }
}

/**
 * Smoothed L1: with e = |label - pred|, 0.5 / rho * e^2 where e <= rho, else e - 0.5 * rho
 * (rho > 0, default 1).
 */
export class HuberLoss extends Loss {
  readonly rho: number;

  constructor(options: LossOptions & { rho?: number } = {}) {
    super(options.weight, options.batchAxis ?? 0, options);
    this.rho = checkFinite('HuberLoss', 'rho', options.rho ?? 1);
    if (this.rho <= 0) fail('ValueError', `HuberLoss: rho must be > 0, got ${this.rho}`);
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    const l = this.reshapeLike(F, label, pred);
    const err = F.abs(F.elemwise_sub(l, pred));
    const linear = F._minus_scalar(err, { scalar: 0.5 * this.rho });
    const quadratic = F._mul_scalar(F.square(err), { scalar: 0.5 / this.rho });
    const loss = F.where(F._greater_scalar(err, { scalar: this.rho }), linear, quadratic);
    return this.batchMean(F, this.applyWeighting(F, loss, this.weight, sampleWeight));
  }

  protected override extraRepr(): string {
    return `${super.extraRepr()}, rho=${this.rho}`;
  }
}

/**
 * Negative log likelihood of a Poisson target: exp(pred) - target * pred (fromLogits, default:
 * pred is the log rate), or pred - target * log(pred + epsilon). computeFull adds Stirling's
 * approximation of log(target!) where target > 1 (0 elsewhere; MXNet gets NaN for target 0
 * there, from 0 * log 0). Inputs: pred, target, sampleWeight?, epsilon? (default 1e-8).
 */
export class PoissonNLLLoss extends Loss<[pred: NDArray, target: NDArray, sampleWeight?: NDArray, epsilon?: number]> {
  readonly fromLogits: boolean;
  readonly computeFull: boolean;

  constructor(options: LossOptions & { fromLogits?: boolean; computeFull?: boolean } = {}) {
    super(options.weight, options.batchAxis ?? 0, options);
    this.fromLogits = options.fromLogits ?? true;
    this.computeFull = options.computeFull ?? false;
  }

  override hybridForward(
    F: OpNamespace,
    _p: Record<string, NDArray>,
    pred: NDArray,
    target: NDArray,
    sampleWeight?: NDArray,
    epsilon = 1e-8,
  ): NDArray {
    const t = this.reshapeLike(F, target, pred, 'target');
    let loss = this.fromLogits
      ? F.elemwise_sub(F.exp(pred), F.elemwise_mul(t, pred))
      : F.elemwise_sub(pred, F.elemwise_mul(t, F.log(F._plus_scalar(pred, { scalar: epsilon }))));
    if (this.computeFull) {
      // target * log(target) - target + 0.5 * log(2 * pi * target), only where target > 1
      const big = F._greater_scalar(t, { scalar: 1 });
      const safe = F._maximum_scalar(t, { scalar: 1 }); // keeps log() finite where the term is dropped
      const stirling = F.elemwise_add(
        F.elemwise_sub(F.elemwise_mul(safe, F.log(safe)), safe),
        F._mul_scalar(F.log(F._mul_scalar(safe, { scalar: 2 * Math.PI })), { scalar: 0.5 }),
      );
      loss = F.elemwise_add(loss, F.elemwise_mul(stirling, big));
    }
    // The mean over every element, shape [1], as Apache MXNet 1.9.1 returns it.
    return F.mean(this.applyWeighting(F, loss, this.weight, sampleWeight));
  }
}
