// AdaGrad (Duchi et al. 2011), MXNet 1.x semantics, through the fused adagrad_update op.
import { fail } from '../errors.js';
import * as ops from '../generated/ops.js';
import { type NDArray } from '../ndarray.js';
import { Optimizer, type OptimizerOptions, type OptimizerState, register } from './optimizer.js';

/**
 * g = clip(rescaleGrad * grad); history += g^2; weight -= lr * (g / sqrt(history + epsilon) +
 * wd * weight). epsilon defaults to 1e-7 (MXNet's `eps`, accepted as an alias).
 */
export class AdaGrad extends Optimizer {
  static override readonly optionKeys: readonly string[] = ['epsilon', 'eps'];
  readonly name: string = 'adagrad';
  readonly epsilon: number;

  constructor(options: OptimizerOptions & { epsilon?: number; eps?: number } = {}) {
    super(options);
    this.epsilon = options.epsilon ?? options.eps ?? 1e-7;
  }

  protected override hyper(): Record<string, number | boolean | null> {
    return { ...super.hyper(), epsilon: this.epsilon };
  }

  createState(_index: number, weight: NDArray): OptimizerState {
    return [this.zerosLike(weight)];
  }

  update(index: number, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    const history = state[0];
    if (!history) fail('ValueError', `AdaGrad.update: the state of index ${index} must hold the history, got no arrays`);
    ops._sparse_adagrad_update(weight, grad, history, { ...this.stepParams(index, weight), epsilon: this.epsilon });
  }
}

register('adagrad', AdaGrad);
