// gluon.nn basic layers (MXNet 1.x gluon/nn/basic_layers.py): Dense, Dropout, Embedding, Flatten,
// Lambda, HybridLambda. Constructors validate and build each op's parameter object once; forward
// is the op call alone (an engine error is re-thrown naming the layer, at no cost when none occurs).
import { type DTypeName } from '../../dtype.js';
import { fail } from '../../errors.js';
import type * as ops from '../../generated/ops.js';
import { type Initializer } from '../../initializer.js';
import { type NDArray } from '../../ndarray.js';
import * as nd from '../../nd.js';
import { Block, type BlockOptions, HybridBlock, type OpNamespace } from '../block.js';
import { type Parameter } from '../parameter.js';
import { checkActivation, type ActivationType } from './activations.js';
import { checkCount, checkNumber, explainFailure, layerParam, pyRepr, shapeText } from './util.js';

export interface DenseOptions extends BlockOptions {
  /** Activation applied to the output (an Activation op name); none by default. */
  activation?: ActivationType | null;
  /** Whether the layer has a bias (default true). */
  useBias?: boolean;
  /** Collapse all input axes but the first (default true); otherwise act on the last axis. */
  flatten?: boolean;
  dtype?: DTypeName;
  weightInitializer?: Initializer | string;
  /** Default 'zeros'. */
  biasInitializer?: Initializer | string;
  /** Input size; 0 or omitted: inferred on the first forward. */
  inUnits?: number;
}

/** Fully connected layer: out = activation(dot(x, weight.T) + bias). weight is (units, in_units). */
export class Dense extends HybridBlock<NDArray, [NDArray]> {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;
  readonly units: number;
  readonly #act: ops.ActivationParams | undefined;
  readonly #fc: ops.FullyConnectedParams;

  constructor(units: number, options: DenseOptions = {}) {
    super(options);
    this.units = checkCount('Dense', 'units', units);
    const inUnits = checkCount('Dense', 'in_units', options.inUnits ?? 0, 0);
    const useBias = options.useBias ?? true;
    const dtype = options.dtype ?? 'float32';
    this.weight = layerParam(this.params, options.params, 'weight', {
      shape: [units, inUnits],
      init: options.weightInitializer,
      dtype,
      allowDeferredInit: true,
    });
    this.bias = useBias
      ? layerParam(this.params, options.params, 'bias', { shape: [units], init: options.biasInitializer ?? 'zeros', dtype, allowDeferredInit: true })
      : undefined;
    const act = options.activation ?? undefined;
    this.#act = act === undefined ? undefined : { act_type: checkActivation('Dense', act) };
    this.#fc = { num_hidden: units, no_bias: !useBias, flatten: options.flatten ?? true };
  }

  /** Whether the input is flattened to (batch, features). */
  get flatten(): boolean {
    return this.#fc.flatten!;
  }
  /** The activation's name, or undefined for a linear layer. */
  get activation(): ActivationType | undefined {
    return this.#act?.act_type;
  }

  #inUnitsOf(x: NDArray): number {
    const s = x.shape;
    if (!this.flatten) return s[s.length - 1] ?? 1;
    let n = 1;
    for (let i = 1; i < s.length; i++) n *= s[i]!;
    return n;
  }

  override inferShape(x: NDArray): void {
    this.weight.shape = [this.units, this.#inUnitsOf(x)];
  }

  override hybridForward(F: OpNamespace, p: Record<string, NDArray>, x: NDArray): NDArray {
    const fc = this.#fc;
    fc.bias = p.bias;
    let y: NDArray;
    try {
      y = F.FullyConnected(x, p.weight!, fc);
    } catch (e) {
      explainFailure(`Dense '${this.name}'`, e, () => {
        const want = this.weight.shape![1]!;
        const got = this.#inUnitsOf(x);
        return got === want
          ? undefined
          : `input of shape ${shapeText(x.shape)} has ${got} ${this.flatten ? 'features per sample' : 'features on its last axis'} but in_units is ${want}`;
      });
    }
    const act = this.#act;
    if (act === undefined) return y;
    const out = F.Activation(y, act);
    y.dispose();
    return out;
  }

  protected override extraRepr(): string {
    const [units, inUnits] = this.weight.shape!;
    const act = this.#act ? `Activation(${this.#act.act_type})` : 'linear';
    return `${inUnits ? inUnits : 'None'} -> ${units}, ${act}`;
  }
}

export interface DropoutOptions extends BlockOptions {
  /** Axes along which one mask is shared (variational dropout). */
  axes?: readonly number[];
}

/** Zeroes each element with probability `rate` in training and scales the rest by 1 / (1 - rate). */
export class Dropout extends HybridBlock<NDArray, [NDArray]> {
  readonly rate: number;
  readonly axes: readonly number[];
  readonly #op: ops.DropoutParams;

  constructor(rate: number, options: DropoutOptions = {}) {
    super(options);
    this.rate = checkNumber('Dropout', 'rate', rate, (r) => r >= 0 && r <= 1, 'in [0, 1]');
    this.axes = [...(options.axes ?? [])];
    this.#op = this.axes.length ? { p: rate, axes: this.axes } : { p: rate };
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, x: NDArray): NDArray {
    return this.rate > 0 ? F.Dropout(x, this.#op) : F.identity(x);
  }

  protected override extraRepr(): string {
    return `p = ${pyRepr(this.rate)}, axes=${this.axes.length ? pyRepr(this.axes) : '()'}`;
  }
}

export interface EmbeddingOptions extends BlockOptions {
  dtype?: DTypeName;
  weightInitializer?: Initializer | string;
  /** Accepted for compatibility; the gradient is dense. */
  sparseGrad?: boolean;
}

/** Maps integer indices to rows of a (inputDim, outputDim) weight: out shape = x.shape + (outputDim,). */
export class Embedding extends HybridBlock<NDArray, [NDArray]> {
  readonly weight: Parameter;
  readonly #op: ops.EmbeddingParams;

  constructor(inputDim: number, outputDim: number, options: EmbeddingOptions = {}) {
    super(options);
    checkCount('Embedding', 'input_dim', inputDim);
    checkCount('Embedding', 'output_dim', outputDim);
    const dtype = options.dtype ?? 'float32';
    this.weight = layerParam(this.params, options.params, 'weight', {
      shape: [inputDim, outputDim],
      init: options.weightInitializer,
      dtype,
      allowDeferredInit: true,
    });
    this.#op = { input_dim: inputDim, output_dim: outputDim, dtype, sparse_grad: options.sparseGrad ?? false };
  }

  override hybridForward(F: OpNamespace, p: Record<string, NDArray>, x: NDArray): NDArray {
    return F.Embedding(x, p.weight!, this.#op);
  }

  // The op's dtype must follow the weight's.
  override cast(dtype: DTypeName): this {
    super.cast(dtype);
    this.#op.dtype = dtype;
    return this;
  }

  protected override extraRepr(): string {
    return `${this.#op.input_dim} -> ${this.#op.output_dim}, ${this.#op.dtype!}`;
  }
}

/** Flattens the input to (batch, everything else). */
export class Flatten extends HybridBlock<NDArray, [NDArray]> {
  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, x: NDArray): NDArray {
    return F.Flatten(x);
  }
  // MXNet prints just the class name for Flatten.
  override toString(): string {
    return 'Flatten';
  }
}

type NdFunction = (...inputs: NDArray[]) => NDArray;

/** An op of mx.nd by name, for Lambda('tanh'). */
function opByName(layer: string, name: string): NdFunction {
  const f = (nd as unknown as Record<string, unknown>)[name];
  if (typeof f !== 'function') fail('ValueError', `${layer}: '${name}' is not an operator of mx.nd`);
  return f as NdFunction;
}

/** Wraps a function of arrays (or the name of an mx.nd op) as a Block: new Lambda('tanh'), new Lambda((x) => x.mul(2)). */
export class Lambda extends Block<NDArray, NDArray[]> {
  readonly #fn: NdFunction;
  readonly #label: string;

  constructor(fn: string | NdFunction, options: BlockOptions = {}) {
    super(options);
    if (typeof fn === 'string') {
      this.#fn = opByName('Lambda', fn);
      this.#label = fn;
    } else if (typeof fn === 'function') {
      this.#fn = fn;
      this.#label = fn.name || '<lambda>';
    } else {
      fail('TypeError', `Lambda: function must be an operator name or a function, got ${typeof fn}`);
    }
  }

  override forward(...inputs: NDArray[]): NDArray {
    return this.#fn(...inputs);
  }

  protected override extraRepr(): string {
    return this.#label;
  }
}

type HybridFunction = (F: OpNamespace, ...inputs: NDArray[]) => NDArray;

/** A HybridBlock from a function of (F, ...inputs) or the name of an op: new HybridLambda((F, x) => F.relu(x)). */
export class HybridLambda extends HybridBlock<NDArray, NDArray[]> {
  readonly #fn: HybridFunction;
  readonly #label: string;

  constructor(fn: string | HybridFunction, options: BlockOptions = {}) {
    super(options);
    if (typeof fn === 'string') {
      opByName('HybridLambda', fn); // fail now, not at the first forward
      this.#fn = (F, ...inputs) => (F as unknown as Record<string, NdFunction>)[fn]!(...inputs);
      this.#label = fn;
    } else if (typeof fn === 'function') {
      this.#fn = fn;
      this.#label = fn.name || '<lambda>';
    } else {
      fail('TypeError', `HybridLambda: function must be an operator name or a function, got ${typeof fn}`);
    }
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, ...inputs: NDArray[]): NDArray {
    return this.#fn(F, ...inputs);
  }

  protected override extraRepr(): string {
    return this.#label;
  }
}
