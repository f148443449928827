// gluon.nn activation layers (MXNet 1.x gluon/nn/activations.py): Activation, LeakyReLU, PReLU,
// ELU, SELU, GELU, Swish. Each is one op call with parameters built in the constructor.
import { fail } from '../../errors.js';
import type * as ops from '../../generated/ops.js';
import { Constant, type Initializer } from '../../initializer.js';
import { type NDArray } from '../../ndarray.js';
import { type BlockOptions, HybridBlock, type OpNamespace } from '../block.js';
import { type Parameter } from '../parameter.js';
import { checkCount, checkNumber, layerParam, pyRepr } from './util.js';

/** The functions the Activation op computes. */
export type ActivationType = ops.ActivationParams['act_type'];
const ACTIVATIONS: readonly ActivationType[] = ['relu', 'sigmoid', 'log_sigmoid', 'mish', 'tanh', 'softrelu', 'softsign'];

/** `name` if the Activation op knows it, else an error naming the layer. */
export function checkActivation(layer: string, name: string): ActivationType {
  if (!(ACTIVATIONS as readonly string[]).includes(name)) {
    fail('ValueError', `${layer}: unknown activation '${name}' (known: ${ACTIVATIONS.join(', ')})`);
  }
  return name as ActivationType;
}

/** Applies an activation function by name: relu, sigmoid, tanh, softrelu, softsign, log_sigmoid, mish. */
export class Activation extends HybridBlock<NDArray, [NDArray]> {
  readonly #op: ops.ActivationParams;

  constructor(activation: ActivationType, options: BlockOptions = {}) {
    super(options);
    this.#op = { act_type: checkActivation('Activation', activation) };
  }

  get activation(): ActivationType {
    return this.#op.act_type;
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, x: NDArray): NDArray {
    return F.Activation(x, this.#op);
  }

  protected override extraRepr(): string {
    return this.#op.act_type;
  }
}

/** x for x > 0, alpha * x otherwise. */
export class LeakyReLU extends HybridBlock<NDArray, [NDArray]> {
  readonly alpha: number;
  readonly #op: ops.LeakyReLUParams;

  constructor(alpha: number, options: BlockOptions = {}) {
    super(options);
    this.alpha = checkNumber('LeakyReLU', 'alpha', alpha, (a) => a >= 0, 'a number >= 0');
    this.#op = { act_type: 'leaky', slope: alpha };
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, x: NDArray): NDArray {
    return F.LeakyReLU(x, this.#op);
  }

  protected override extraRepr(): string {
    return pyRepr(this.alpha);
  }
}

export interface PReLUOptions extends BlockOptions {
  /** Default Constant(0.25). */
  alphaInitializer?: Initializer | string;
  /** Number of learned slopes (one per channel on axis 1, or 1 shared); default 1. */
  inChannels?: number;
}

/** Leaky ReLU with a learned slope `alpha` (shape (inChannels,)). */
export class PReLU extends HybridBlock<NDArray, [NDArray]> {
  readonly alpha: Parameter;
  readonly #op: ops.LeakyReLUParams = { act_type: 'prelu' };

  constructor(options: PReLUOptions = {}) {
    super(options);
    const inChannels = checkCount('PReLU', 'in_channels', options.inChannels ?? 1);
    this.alpha = layerParam(this.params, options.params, 'alpha', { shape: [inChannels], init: options.alphaInitializer ?? new Constant(0.25) });
  }

  override hybridForward(F: OpNamespace, p: Record<string, NDArray>, x: NDArray): NDArray {
    const op = this.#op;
    op.gamma = p.alpha;
    return F.LeakyReLU(x, op);
  }
}

/** Exponential linear unit: x for x > 0, alpha * (exp(x) - 1) otherwise. */
export class ELU extends HybridBlock<NDArray, [NDArray]> {
  readonly alpha: number;
  readonly #op: ops.LeakyReLUParams;

  constructor(alpha = 1.0, options: BlockOptions = {}) {
    super(options);
    this.alpha = checkNumber('ELU', 'alpha', alpha, () => true, 'a finite number');
    this.#op = { act_type: 'elu', slope: alpha };
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, x: NDArray): NDArray {
    return F.LeakyReLU(x, this.#op);
  }

  protected override extraRepr(): string {
    return `alpha=${pyRepr(this.alpha)}`;
  }
}

const SELU_OP: ops.LeakyReLUParams = { act_type: 'selu' };
const GELU_OP: ops.LeakyReLUParams = { act_type: 'gelu' };

/** Scaled exponential linear unit (fixed alpha and lambda). */
export class SELU extends HybridBlock<NDArray, [NDArray]> {
  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, x: NDArray): NDArray {
    return F.LeakyReLU(x, SELU_OP);
  }
}

/** Gaussian error linear unit, 0.5 x (1 + erf(x / sqrt(2))). */
export class GELU extends HybridBlock<NDArray, [NDArray]> {
  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, x: NDArray): NDArray {
    return F.LeakyReLU(x, GELU_OP);
  }
}

/** x * sigmoid(beta * x). */
export class Swish extends HybridBlock<NDArray, [NDArray]> {
  readonly beta: number;
  readonly #scale: ops.MulScalarParams;

  constructor(beta = 1.0, options: BlockOptions = {}) {
    super(options);
    this.beta = checkNumber('Swish', 'beta', beta, () => true, 'a finite number');
    this.#scale = { scalar: beta };
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, x: NDArray): NDArray {
    const bx = this.beta === 1 ? x : F._mul_scalar(x, this.#scale);
    const s = F.sigmoid(bx);
    if (bx !== x) bx.dispose();
    const out = F.elemwise_mul(x, s);
    s.dispose();
    return out;
  }

  protected override extraRepr(): string {
    return `beta=${pyRepr(this.beta)}`;
  }
}
