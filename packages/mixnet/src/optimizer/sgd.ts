// SGD (plain, momentum, multi-precision) and Nesterov momentum (NAG), MXNet 1.x semantics:
// one fused registry op per update, written into the weight.
import { fail } from '../errors.js';
import * as ops from '../generated/ops.js';
import { type NDArray } from '../ndarray.js';
import { Optimizer, type OptimizerOptions, type OptimizerState, register } from './optimizer.js';

export interface SGDOptions extends OptimizerOptions {
  /** Momentum (0 = plain SGD, no state). */
  momentum?: number;
  /** Row-sparse gradients only update their rows (accepted; dense gradients update all rows). */
  lazyUpdate?: boolean;
}

function checkMomentum(who: string, m: number): number {
  if (!(m >= 0 && m < 1)) fail('ValueError', `${who}: momentum must be in [0, 1), got ${m}`);
  return m;
}

/**
 * Stochastic gradient descent: weight = weight - lr * (clip(rescaleGrad * grad) + wd * weight),
 * or with momentum: mom = momentum * mom - lr * (clip(rescaleGrad * grad) + wd * weight);
 * weight += mom. With multiPrecision, float16 weights are updated through float32 master copies
 * by the fused mp_sgd_update / mp_sgd_mom_update.
 */
export class SGD extends Optimizer {
  static override readonly optionKeys: readonly string[] = ['momentum', 'lazyUpdate'];
  readonly name: string = 'sgd';
  momentum: number;
  lazyUpdate: boolean;

  constructor(options: SGDOptions = {}) {
    super(options);
    this.momentum = checkMomentum('SGD', options.momentum ?? 0);
    this.lazyUpdate = options.lazyUpdate ?? true;
  }

  protected override hyper(): Record<string, number | boolean | null> {
    return { ...super.hyper(), momentum: this.momentum, lazyUpdate: this.lazyUpdate };
  }

  createState(_index: number, weight: NDArray): OptimizerState {
    return this.momentum === 0 ? [] : [this.zerosLike(weight)];
  }

  update(index: number, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    // momentum is set (and read by the op) only with a state
    const params = { ...this.stepParams(index, weight), momentum: undefined as number | undefined, lazy_update: this.lazyUpdate };
    const mom = state[0];
    if (mom) {
      params.momentum = this.momentum;
      ops.sgd_mom_update(weight, grad, mom, params);
    } else ops.sgd_update(weight, grad, params);
  }

  override updateMultiPrecision(index: number, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    if (!(this.multiPrecision && weight.dtype === 'float16')) return this.update(index, weight, grad, state);
    const [master, mom] = state;
    if (!master) fail('ValueError', `SGD.updateMultiPrecision: index ${index} has no float32 master copy in its state`);
    const params = { ...this.stepParams(index, weight), momentum: undefined as number | undefined, lazy_update: this.lazyUpdate };
    if (mom) {
      params.momentum = this.momentum;
      ops.mp_sgd_mom_update(weight, grad, mom, master, params);
    } else ops.mp_sgd_update(weight, grad, master, params);
  }
}

/**
 * Nesterov accelerated SGD: g = clip(rescaleGrad * grad) + wd * weight;
 * mom = momentum * mom - lr * g; weight += momentum * mom - lr * g (plain SGD when momentum is 0).
 */
export class NAG extends Optimizer {
  static override readonly optionKeys: readonly string[] = ['momentum'];
  readonly name: string = 'nag';
  momentum: number;

  constructor(options: OptimizerOptions & { momentum?: number } = {}) {
    super(options);
    this.momentum = checkMomentum('NAG', options.momentum ?? 0);
  }

  protected override hyper(): Record<string, number | boolean | null> {
    return { ...super.hyper(), momentum: this.momentum };
  }

  createState(_index: number, weight: NDArray): OptimizerState {
    return this.momentum === 0 ? [] : [this.zerosLike(weight)];
  }

  update(index: number, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    const params = { ...this.stepParams(index, weight), momentum: undefined as number | undefined };
    const mom = state[0];
    if (mom) {
      params.momentum = this.momentum;
      ops.nag_mom_update(weight, grad, mom, params);
    } else ops.sgd_update(weight, grad, params);
  }
}

register('sgd', SGD);
register('nag', NAG);
