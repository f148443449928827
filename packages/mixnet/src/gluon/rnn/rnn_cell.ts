// Recurrent cells (MXNet 1.x gluon.rnn): one time step per call, `cell.call(x, states)` →
// [output, newStates], and `unroll()` to run a whole sequence step by step. The fused layers in
// rnn_layer.ts compute the same functions in one op; these cells are the readable, composable
// form (stacking, dropout and residual wrappers, bidirectional unrolling).
import { type DTypeName } from '../../dtype.js';
import { fail } from '../../errors.js';
import { type Initializer } from '../../initializer.js';
import { tidy } from '../../memory.js';
import { type NDArray } from '../../ndarray.js';
import * as nd from '../../nd.js';
import { type BlockOptions, HybridBlock, type OpNamespace } from '../block.js';
import { type Parameter } from '../parameter.js';
import { checkLayout, formatSequence, maskSequence, type Sequence, type SequenceLayout } from './sequence.js';

const shapeText = (s: readonly number[]): string => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

/** Shape, layout and dtype of one recurrent state (MXNet's state_info entries). */
export interface StateInfo {
  shape: number[];
  /** 'NC' for cells, 'LNC' for the fused layers. */
  layout: string;
  dtype?: DTypeName;
}

/** Makes one initial state array: nd.zeros by default; nd.ones or a random fill work too. */
export type StateFunc = (shape: readonly number[], options: { dtype?: DTypeName }) => NDArray;

export interface BeginStateOptions {
  func?: StateFunc;
  dtype?: DTypeName;
}

export interface UnrollOptions<M extends boolean | undefined = boolean | undefined> {
  /** Initial states; zeros from beginState() when absent. */
  beginState?: readonly NDArray[];
  /** Layout of an array input (and of a merged output); MXNet's default for cells is NTC. */
  layout?: SequenceLayout;
  /** true: one array out; false: a list of steps; undefined: whatever form is cheapest. */
  mergeOutputs?: M;
  /** (N,) valid lengths: later steps output zeros and the returned states are each row's last valid ones. */
  validLength?: NDArray;
}

/** unroll()'s output form, following mergeOutputs. */
export type UnrollOutputs<M> = M extends true ? NDArray : M extends false ? NDArray[] : NDArray | NDArray[];

export type CellResult = [NDArray, NDArray[]];

/** An activation by Activation act_type name, or any elementwise function. */
export type CellActivation = 'tanh' | 'relu' | 'sigmoid' | 'softsign' | 'softrelu' | 'log_sigmoid' | 'mish' | ((x: NDArray) => NDArray);

export function applyActivation(F: OpNamespace, x: NDArray, act: CellActivation): NDArray {
  return typeof act === 'function' ? act(x) : F.Activation(x, { act_type: act });
}

/** zeros of each state's shape, as MXNet's begin_state with func=zeros. */
export function makeStates(infos: readonly StateInfo[], options: BeginStateOptions): NDArray[] {
  const func = options.func ?? ((shape, o) => nd.zeros(shape, o));
  return infos.map((info) => func(info.shape, { dtype: options.dtype ?? info.dtype ?? 'float32' }));
}

/**
 * Base of every cell. Subclasses give stateInfo() and either hybridForward (one step) or, for
 * containers, forward/unrollImpl.
 */
export abstract class RecurrentCell extends HybridBlock<CellResult, [NDArray, readonly NDArray[]]> {
  /** Set while a modifier cell (ResidualCell, ...) wraps this cell: use the modifier instead. */
  modified = false;
  /** Steps run since the last reset() (MXNet's _counter). */
  protected counter = -1;

  constructor(options: BlockOptions = {}) {
    super(options);
    for (const k of ['modified', 'counter']) Object.defineProperty(this, k, { enumerable: false, writable: true });
  }

  /** Forgets the step count before the cell is reused for another sequence. */
  reset(): void {
    this.counter = -1;
    for (const c of this.children.values()) if (c instanceof RecurrentCell) c.reset();
  }

  /** Shape and layout of each state for a batch of `batchSize`. */
  abstract stateInfo(batchSize?: number): StateInfo[];

  /** The initial states (zeros unless `func` says otherwise). */
  beginState(batchSize = 0, options: BeginStateOptions = {}): NDArray[] {
    if (this.modified) {
      fail('ValueError', `${this.constructor.name} '${this.name}': a modifier cell wraps this cell; call beginState on the modifier cell instead`);
    }
    return makeStates(this.stateInfo(batchSize), options);
  }

  /** One step: checks the states against stateInfo, then runs the cell. */
  override forward(inputs: NDArray, states: readonly NDArray[]): CellResult {
    this.counter++;
    // The step's intermediates (gate slices, projections) are freed here; autograd keeps its own copies.
    return tidy(() => super.forward(inputs, states));
  }

  /**
   * Runs the cell over `length` steps of `inputs` (one array in `layout`, or a list of (N, C)
   * steps). Returns [outputs, finalStates].
   */
  unroll<M extends boolean | undefined = undefined>(length: number, inputs: Sequence, options: UnrollOptions<M> = {}): [UnrollOutputs<M>, NDArray[]] {
    // Split steps, per-step states and masks are freed once the outputs and final states exist.
    return tidy(() => this.unrollImpl(length, inputs, options)) as [UnrollOutputs<M>, NDArray[]];
  }

  protected unrollImpl(length: number, inputs: Sequence, options: UnrollOptions): [NDArray | NDArray[], NDArray[]] {
    this.reset();
    const owner = `${this.constructor.name} '${this.name}'.unroll`;
    const layout = checkLayout(owner, options.layout ?? 'NTC');
    const seq = formatSequence(owner, length, inputs, layout, false);
    const steps = seq.inputs as NDArray[];
    let states = options.beginState !== undefined ? [...options.beginState] : this.beginState(seq.batchSize, { dtype: steps[0]?.dtype });
    const outputs: NDArray[] = [];
    const history: NDArray[][] = [];
    for (let t = 0; t < length; t++) {
      const [out, next] = this.call(steps[t]!, states);
      outputs.push(out);
      states = next;
      if (options.validLength !== undefined) history.push(next);
    }
    let result: Sequence = outputs;
    const valid = options.validLength;
    if (valid !== undefined) {
      // Each row keeps the state of its last valid step, and padded steps output zeros.
      states = states.map((_, i) =>
        nd.SequenceLast(nd.stack(...history.map((h) => h[i]!), { axis: 0 }), { sequence_length: valid, use_sequence_length: true, axis: 0 }),
      );
      result = maskSequence(outputs, length, valid, seq.axis, true);
    }
    return [formatSequence(owner, length, result, layout, options.mergeOutputs).inputs, states];
  }

  /** Checks one step's input and states before the ops see them, naming the cell and the shapes. */
  protected checkStep(inputs: NDArray, states: readonly NDArray[], inUnits: number): void {
    const who = `${this.constructor.name} '${this.name}'`;
    if (inputs.ndim < 2) fail('ValueError', `${who}: the input of one step must be (batch, features), got shape ${shapeText(inputs.shape)}`);
    const features = inputs.shape.slice(1).reduce((a, b) => a * b, 1);
    if (inUnits > 0 && features !== inUnits) {
      fail('ValueError', `${who}: the input has ${features} features (shape ${shapeText(inputs.shape)}) but the cell expects ${inUnits}`);
    }
    const infos = this.stateInfo(inputs.shape[0]);
    if (states.length !== infos.length) fail('ValueError', `${who}: expected ${infos.length} state(s), got ${states.length}`);
    states.forEach((s, i) => {
      const want = infos[i]!.shape;
      if (s.shape.length !== want.length || s.shape.some((d, j) => d !== want[j])) {
        fail('ValueError', `${who}: state ${i} has shape ${shapeText(s.shape)}, expected ${shapeText(want)}`);
      }
    });
  }
}

/** A cell that can be compiled into a graph (the same class here: execution is identical). */
export abstract class HybridRecurrentCell extends RecurrentCell {}

export interface GateCellOptions extends BlockOptions {
  i2hWeightInitializer?: Initializer | string;
  h2hWeightInitializer?: Initializer | string;
  i2hBiasInitializer?: Initializer | string;
  h2hBiasInitializer?: Initializer | string;
  /** Features per step; 0 infers it on the first call. */
  inputSize?: number;
  dtype?: DTypeName;
}

/** The shared skeleton of RNNCell/LSTMCell/GRUCell: i2h and h2h weights and biases for `gates` gates. */
abstract class GateCell extends HybridRecurrentCell {
  readonly i2h_weight: Parameter;
  readonly h2h_weight: Parameter;
  readonly i2h_bias: Parameter;
  readonly h2h_bias: Parameter;

  constructor(
    readonly hiddenSize: number,
    protected readonly gates: number,
    options: GateCellOptions,
  ) {
    super(options);
    if (!Number.isInteger(hiddenSize) || hiddenSize < 1) fail('ValueError', `${this.constructor.name}: hidden_size must be a positive integer, got ${hiddenSize}`);
    const inputSize = options.inputSize ?? 0;
    const g = gates * hiddenSize;
    const common = { allowDeferredInit: true, dtype: options.dtype ?? 'float32' } as const;
    this.i2h_weight = this.params.get('i2h_weight', { shape: [g, inputSize], init: options.i2hWeightInitializer, ...common });
    this.h2h_weight = this.params.get('h2h_weight', { shape: [g, hiddenSize], init: options.h2hWeightInitializer, ...common });
    this.i2h_bias = this.params.get('i2h_bias', { shape: [g], init: options.i2hBiasInitializer ?? 'zeros', ...common });
    this.h2h_bias = this.params.get('h2h_bias', { shape: [g], init: options.h2hBiasInitializer ?? 'zeros', ...common });
  }

  override inferShape(inputs: NDArray): void {
    if (inputs.ndim < 2) fail('ValueError', `${this.constructor.name} '${this.name}': the input of one step must be (batch, features), got shape ${shapeText(inputs.shape)}`);
    this.i2h_weight.shape = [this.gates * this.hiddenSize, inputs.shape.slice(1).reduce((a, b) => a * b, 1)];
  }

  /** The i2h and h2h projections of one step, (N, gates * hidden) each. */
  protected project(F: OpNamespace, p: Record<string, NDArray>, inputs: NDArray, h: NDArray): [NDArray, NDArray] {
    const g = this.gates * this.hiddenSize;
    const i2h = F.FullyConnected(inputs, p.i2h_weight!, { num_hidden: g, bias: p.i2h_bias });
    const h2h = F.FullyConnected(h, p.h2h_weight!, { num_hidden: g, bias: p.h2h_bias });
    return [i2h, h2h];
  }

  override hybridForward(F: OpNamespace, p: Record<string, NDArray>, inputs: NDArray, states: readonly NDArray[]): CellResult {
    this.checkStep(inputs, states, p.i2h_weight!.shape[1]!);
    return this.step(F, p, inputs, states);
  }

  protected abstract step(F: OpNamespace, p: Record<string, NDArray>, inputs: NDArray, states: readonly NDArray[]): CellResult;

  override stateInfo(batchSize = 0): StateInfo[] {
    return [{ shape: [batchSize, this.hiddenSize], layout: 'NC', dtype: this.i2h_weight.dtype }];
  }

  /** "None -> 40": input features (None until known) and the gate rows, as MXNet prints cells. */
  protected mapping(): string {
    const s = this.i2h_weight.shape ?? [0, 0];
    return `${s[1] ? s[1] : 'None'} -> ${s[0]}`;
  }
  protected override extraRepr(): string {
    return this.mapping();
  }
}

export interface RNNCellOptions extends GateCellOptions {
  /** Default 'tanh' (the fused RNN layer's default is relu). */
  activation?: CellActivation;
}

/** Elman cell: h' = act(W_i2h x + b_i2h + W_h2h h + b_h2h). */
export class RNNCell extends GateCell {
  readonly activation: CellActivation;
  constructor(hiddenSize: number, options: RNNCellOptions = {}) {
    super(hiddenSize, 1, options);
    this.activation = options.activation ?? 'tanh';
  }
  protected step(F: OpNamespace, p: Record<string, NDArray>, inputs: NDArray, states: readonly NDArray[]): CellResult {
    const [i2h, h2h] = this.project(F, p, inputs, states[0]!);
    const out = applyActivation(F, F.elemwise_add(i2h, h2h), this.activation);
    return [out, [out]];
  }
  protected override extraRepr(): string {
    return `${this.mapping()}, ${typeof this.activation === 'function' ? this.activation.name || 'function' : this.activation}`;
  }
}

export interface LSTMCellOptions extends GateCellOptions {
  activation?: CellActivation;
  recurrentActivation?: CellActivation;
}

/** LSTM cell; gates in MXNet's order i, f, c (the candidate), o. States [h, c]. */
export class LSTMCell extends GateCell {
  readonly activation: CellActivation;
  readonly recurrentActivation: CellActivation;
  constructor(hiddenSize: number, options: LSTMCellOptions = {}) {
    super(hiddenSize, 4, options);
    this.activation = options.activation ?? 'tanh';
    this.recurrentActivation = options.recurrentActivation ?? 'sigmoid';
  }
  override stateInfo(batchSize = 0): StateInfo[] {
    const one = super.stateInfo(batchSize)[0]!;
    return [one, { ...one, shape: [...one.shape] }];
  }
  protected step(F: OpNamespace, p: Record<string, NDArray>, inputs: NDArray, states: readonly NDArray[]): CellResult {
    const [i2h, h2h] = this.project(F, p, inputs, states[0]!);
    const [gi, gf, gc, go] = F.SliceChannel(F.elemwise_add(i2h, h2h), { num_outputs: 4 }) as [NDArray, NDArray, NDArray, NDArray];
    const inGate = applyActivation(F, gi, this.recurrentActivation);
    const forgetGate = applyActivation(F, gf, this.recurrentActivation);
    const candidate = applyActivation(F, gc, this.activation);
    const outGate = applyActivation(F, go, this.recurrentActivation);
    const c = F.elemwise_add(F.elemwise_mul(forgetGate, states[1]!), F.elemwise_mul(inGate, candidate));
    const h = F.elemwise_mul(outGate, applyActivation(F, c, this.activation));
    return [h, [h, c]];
  }
}

/**
 * GRU cell in MXNet's (cuDNN) form, gates r, z, n: the reset gate scales the h2h projection
 * after the matrix product: n = tanh(i2h_n + r * h2h_n), h' = (1 - z) * n + z * h.
 */
export class GRUCell extends GateCell {
  constructor(hiddenSize: number, options: GateCellOptions = {}) {
    super(hiddenSize, 3, options);
  }
  protected step(F: OpNamespace, p: Record<string, NDArray>, inputs: NDArray, states: readonly NDArray[]): CellResult {
    const h = states[0]!;
    const [i2h, h2h] = this.project(F, p, inputs, h);
    const [ir, iz, inew] = F.SliceChannel(i2h, { num_outputs: 3 }) as [NDArray, NDArray, NDArray];
    const [hr, hz, hnew] = F.SliceChannel(h2h, { num_outputs: 3 }) as [NDArray, NDArray, NDArray];
    const reset = F.Activation(F.elemwise_add(ir, hr), { act_type: 'sigmoid' });
    const update = F.Activation(F.elemwise_add(iz, hz), { act_type: 'sigmoid' });
    const candidate = F.Activation(F.elemwise_add(inew, F.elemwise_mul(reset, hnew)), { act_type: 'tanh' });
    const keepNew = F.elemwise_sub(F.ones_like(update), update);
    const next = F.elemwise_add(F.elemwise_mul(keepNew, candidate), F.elemwise_mul(update, h));
    return [next, [next]];
  }
}
