// Adam (MXNet 1.x: bias correction folded into the learning rate) and AdamW (decoupled weight
// decay through the contrib _adamw_update op), one fused op per update.
import { fail } from '../errors.js';
import * as ops from '../generated/ops.js';
import { keep } from '../memory.js';
import { type NDArray } from '../ndarray.js';
import { Optimizer, type OptimizerOptions, type OptimizerState, register } from './optimizer.js';

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Row-sparse gradients only update their rows (accepted; dense gradients update all rows). */
  lazyUpdate?: boolean;
}

function checkBetas(who: string, beta1: number, beta2: number): void {
  if (!(beta1 >= 0 && beta1 < 1)) fail('ValueError', `${who}: beta1 must be in [0, 1), got ${beta1}`);
  if (!(beta2 >= 0 && beta2 < 1)) fail('ValueError', `${who}: beta2 must be in [0, 1), got ${beta2}`);
}

/**
 * Adam: g = clip(rescaleGrad * grad + wd * weight); mean = beta1 * mean + (1 - beta1) * g;
 * var = beta2 * var + (1 - beta2) * g^2; weight -= lr_t * mean / (sqrt(var) + epsilon), with
 * lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t) at the index's t-th update. learningRate
 * defaults to 0.001.
 */
export class Adam extends Optimizer {
  static override readonly optionKeys: readonly string[] = ['beta1', 'beta2', 'epsilon', 'lazyUpdate'];
  readonly name: string = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  lazyUpdate: boolean;

  constructor(options: AdamOptions = {}) {
    super({ ...options, learningRate: options.learningRate ?? (options.lrScheduler ? undefined : 0.001) });
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.lazyUpdate = options.lazyUpdate ?? true;
    checkBetas('Adam', this.beta1, this.beta2);
  }

  protected override hyper(): Record<string, number | boolean | null> {
    return { ...super.hyper(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, lazyUpdate: this.lazyUpdate };
  }

  createState(_index: number, weight: NDArray): OptimizerState {
    return [this.zerosLike(weight), this.zerosLike(weight)];
  }

  /** sqrt(1 - beta2^t) / (1 - beta1^t) at the index's current count t. */
  protected biasCorrection(index: number): number {
    const t = this.indexUpdateCount.get(index) ?? 1;
    return Math.sqrt(1 - Math.pow(this.beta2, t)) / (1 - Math.pow(this.beta1, t));
  }

  update(index: number, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    const [mean, variance] = state;
    if (!mean || !variance) fail('ValueError', `Adam.update: the state of index ${index} must hold mean and var, got ${state.length} arrays`);
    const step = this.stepParams(index, weight);
    ops.adam_update(weight, grad, mean, variance, {
      ...step,
      lr: step.lr * this.biasCorrection(index),
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      lazy_update: this.lazyUpdate,
    });
  }
}

/**
 * AdamW (Loshchilov and Hutter): g = clip(rescaleGrad * grad); mean and var as Adam;
 * weight -= lr * (c_t * mean / (sqrt(var) + epsilon) + wd * weight), where c_t is Adam's bias
 * correction (1 with correctBias false) and lr the scheduled learning rate times lrMult. It runs
 * _adamw_update with eta = lr (the schedule multiplier) and lr = c_t; the weight decay is not
 * part of the gradient. learningRate defaults to 0.001.
 */
export class AdamW extends Adam {
  static override readonly optionKeys: readonly string[] = ['beta1', 'beta2', 'epsilon', 'lazyUpdate', 'correctBias'];
  override readonly name: string = 'adamw';
  readonly correctBias: boolean;
  /** The one-element rescale_grad array the op reads (remade when rescaleGrad or the context changes). */
  private rescaleArray: NDArray | undefined;
  private rescaleKey = '';

  constructor(options: AdamOptions & { correctBias?: boolean } = {}) {
    super(options);
    this.correctBias = options.correctBias ?? true;
  }

  protected override hyper(): Record<string, number | boolean | null> {
    return { ...super.hyper(), correctBias: this.correctBias };
  }

  private rescaleOn(weight: NDArray): NDArray {
    const ctx = weight.context.toString();
    const key = `${this.rescaleGrad}@${ctx}`;
    if (this.rescaleArray === undefined || this.rescaleKey !== key) {
      this.rescaleArray?.dispose();
      this.rescaleArray = keep(ops._full({ shape: [1], value: this.rescaleGrad, dtype: 'float32', ctx }));
      this.rescaleKey = key;
    }
    return this.rescaleArray;
  }

  override update(index: number, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    const [mean, variance] = state;
    if (!mean || !variance) fail('ValueError', `AdamW.update: the state of index ${index} must hold mean and var, got ${state.length} arrays`);
    ops._adamw_update(weight, grad, mean, variance, this.rescaleOn(weight), {
      lr: this.correctBias ? this.biasCorrection(index) : 1,
      eta: this.getLr(index),
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      wd: this.getWd(index),
      clip_gradient: this.clipGradient,
      out: weight,
    });
  }

  override dispose(): void {
    super.dispose();
    this.rescaleArray?.dispose();
    this.rescaleArray = undefined;
  }
}

register('adam', Adam);
register('adamw', AdamW);
