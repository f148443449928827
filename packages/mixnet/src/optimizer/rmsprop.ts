// RMSProp (Tieleman and Hinton) and its centered form (Graves 2013), MXNet 1.x semantics.
import { fail } from '../errors.js';
import * as ops from '../generated/ops.js';
import { type NDArray } from '../ndarray.js';
import { Optimizer, type OptimizerOptions, type OptimizerState, register } from './optimizer.js';

export interface RMSPropOptions extends OptimizerOptions {
  /** Decay of the squared-gradient average (default 0.9). */
  gamma1?: number;
  /** Momentum of the centered update (default 0.9). */
  gamma2?: number;
  epsilon?: number;
  /** Graves' centered RMSProp (rmspropalex_update). */
  centered?: boolean;
  /** Clips the updated weights to [-clipWeights, clipWeights]; undefined = no clipping. */
  clipWeights?: number;
}

/**
 * g = clip(rescaleGrad * grad + wd * weight); n = (1 - gamma1) * g^2 + gamma1 * n;
 * weight -= lr * g / sqrt(n + epsilon). Centered: also the mean gradient and a momentum term
 * (see rmspropalex_update). learningRate defaults to 0.001.
 */
export class RMSProp extends Optimizer {
  static override readonly optionKeys: readonly string[] = ['gamma1', 'gamma2', 'epsilon', 'centered', 'clipWeights'];
  readonly name: string = 'rmsprop';
  readonly gamma1: number;
  readonly gamma2: number;
  readonly epsilon: number;
  readonly centered: boolean;
  readonly clipWeights: number;

  constructor(options: RMSPropOptions = {}) {
    super({ ...options, learningRate: options.learningRate ?? (options.lrScheduler ? undefined : 0.001) });
    this.gamma1 = options.gamma1 ?? 0.9;
    this.gamma2 = options.gamma2 ?? 0.9;
    this.epsilon = options.epsilon ?? 1e-8;
    this.centered = options.centered ?? false;
    this.clipWeights = options.clipWeights ?? -1;
    if (!(this.gamma1 >= 0 && this.gamma1 < 1)) fail('ValueError', `RMSProp: gamma1 must be in [0, 1), got ${this.gamma1}`);
  }

  protected override hyper(): Record<string, number | boolean | null> {
    return { ...super.hyper(), gamma1: this.gamma1, gamma2: this.gamma2, epsilon: this.epsilon, centered: this.centered, clipWeights: this.clipWeights };
  }

  createState(_index: number, weight: NDArray): OptimizerState {
    return this.centered ? [this.zerosLike(weight), this.zerosLike(weight), this.zerosLike(weight)] : [this.zerosLike(weight)];
  }

  update(index: number, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    const params = {
      ...this.stepParams(index, weight),
      gamma1: this.gamma1,
      gamma2: this.centered ? this.gamma2 : undefined,
      epsilon: this.epsilon,
      clip_weights: this.clipWeights,
    };
    const [n, g, delta] = state;
    if (!n || (this.centered && (!g || !delta))) {
      fail('ValueError', `RMSProp.update: the state of index ${index} has ${state.length} arrays, expected ${this.centered ? 3 : 1}`);
    }
    if (this.centered) ops.rmspropalex_update(weight, grad, n, g!, delta!, params);
    else ops.rmsprop_update(weight, grad, n, params);
  }
}

register('rmsprop', RMSProp);
