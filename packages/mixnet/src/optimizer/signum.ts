// Signum and SignSGD (Bernstein et al. 2018), MXNet 1.x semantics.
import { fail } from '../errors.js';
import * as ops from '../generated/ops.js';
import { type NDArray } from '../ndarray.js';
import { Optimizer, type OptimizerOptions, type OptimizerState, register } from './optimizer.js';

export interface SignumOptions extends OptimizerOptions {
  /** Momentum (default 0.9; 0 = SignSGD, no state). */
  momentum?: number;
  /** Decoupled weight decay applied to the weight directly (Loshchilov and Hutter). */
  wdLh?: number;
}

/**
 * Signum: mom = momentum * mom - (1 - momentum) * (wd * weight + clip(rescaleGrad * grad));
 * weight = (1 - lr * wdLh) * weight + lr * sign(mom). With momentum 0 it is SignSGD:
 * weight = (1 - lr * wd) * weight - lr * sign(grad).
 */
export class Signum extends Optimizer {
  static override readonly optionKeys: readonly string[] = ['momentum', 'wdLh'];
  readonly name: string = 'signum';
  readonly momentum: number;
  readonly wdLh: number;

  constructor(options: SignumOptions = {}) {
    super(options);
    this.momentum = options.momentum ?? 0.9;
    this.wdLh = options.wdLh ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1)) fail('ValueError', `${new.target.name}: momentum must be in [0, 1), got ${this.momentum}`);
  }

  protected override hyper(): Record<string, number | boolean | null> {
    return { ...super.hyper(), momentum: this.momentum, wdLh: this.wdLh };
  }

  createState(_index: number, weight: NDArray): OptimizerState {
    return this.momentum === 0 ? [] : [this.zerosLike(weight)];
  }

  update(index: number, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    const mom = state[0];
    const params = { ...this.stepParams(index, weight), momentum: mom ? this.momentum : undefined, wd_lh: mom ? this.wdLh : undefined };
    if (mom) ops.signum_update(weight, grad, mom, params);
    else ops.signsgd_update(weight, grad, params);
  }
}

/** SignSGD: Signum without momentum. */
export class SignSGD extends Signum {
  // 'momentum' is listed because the constructor passes momentum 0 on; users may not give it
  static override readonly optionKeys: readonly string[] = ['momentum', 'wdLh'];
  override readonly name: string = 'signsgd';
  constructor(options: Omit<SignumOptions, 'momentum'> = {}) {
    if ('momentum' in options) fail('TypeError', "SignSGD: unknown option 'momentum' (SignSGD has none; use Signum)");
    super({ ...options, momentum: 0 });
  }
}

register('signum', Signum);
register('signsgd', SignSGD);
