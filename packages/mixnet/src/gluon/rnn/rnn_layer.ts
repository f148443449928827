// Fused recurrent layers (MXNet 1.x gluon.rnn.RNN/LSTM/GRU): a whole multi-layer, optionally
// bidirectional sequence in one call of the registry's RNN op. Each layer and direction owns
// l0_i2h_weight, l0_h2h_weight, l0_i2h_bias, l0_h2h_bias (r0_... backwards), as in MXNet, and
// every forward flattens and concatenates them into the op's single parameter vector, so
// autograd differentiates through to each named parameter.
import { type DTypeName } from '../../dtype.js';
import { fail } from '../../errors.js';
import { type Initializer } from '../../initializer.js';
import { tidy } from '../../memory.js';
import { type NDArray } from '../../ndarray.js';
import { type BlockOptions, HybridBlock, type OpNamespace } from '../block.js';
import { type Parameter } from '../parameter.js';
import { type BeginStateOptions, makeStates, type StateInfo } from './rnn_cell.js';
import { checkLayout, type SequenceLayout } from './sequence.js';

type RNNMode = 'rnn_relu' | 'rnn_tanh' | 'lstm' | 'gru';
const GATES: Record<RNNMode, number> = { rnn_relu: 1, rnn_tanh: 1, lstm: 4, gru: 3 };

const shapeText = (s: readonly number[]): string => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

export interface RNNLayerOptions extends BlockOptions {
  /** 'TNC' (default): (time, batch, features); 'NTC': batch first. */
  layout?: SequenceLayout;
  /** Dropout on the outputs of every layer but the last (training only). */
  dropout?: number;
  bidirectional?: boolean;
  /** Features per step; 0 (default) infers it on the first forward. */
  inputSize?: number;
  i2hWeightInitializer?: Initializer | string;
  h2hWeightInitializer?: Initializer | string;
  i2hBiasInitializer?: Initializer | string;
  h2hBiasInitializer?: Initializer | string;
  dtype?: DTypeName;
  /** Whether call() takes a third argument, the (N,) valid length of each sequence. */
  useSequenceLength?: boolean;
}

interface KernelOptions {
  mode: RNNMode;
  clip?: { min: number; max: number; nan: boolean };
}

type LayerOut = NDArray | [NDArray, NDArray[]];
type LayerIn = [NDArray, (NDArray | readonly NDArray[] | undefined)?, NDArray?];

/** The shared implementation of RNN, LSTM and GRU (MXNet's _RNNLayer). */
export abstract class RNNLayerBase extends HybridBlock<LayerOut, LayerIn> {
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly layout: SequenceLayout;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly useSequenceLength: boolean;
  protected readonly mode: RNNMode;
  protected readonly gates: number;
  protected dtype: DTypeName;
  private readonly clip: KernelOptions['clip'];

  constructor(hiddenSize: number, numLayers: number, options: RNNLayerOptions, kernel: KernelOptions) {
    super(options);
    const who = this.constructor.name;
    if (!Number.isInteger(hiddenSize) || hiddenSize < 1) fail('ValueError', `${who}: hidden_size must be a positive integer, got ${hiddenSize}`);
    if (!Number.isInteger(numLayers) || numLayers < 1) fail('ValueError', `${who}: num_layers must be a positive integer, got ${numLayers}`);
    const dropout = options.dropout ?? 0;
    if (!(dropout >= 0 && dropout <= 1)) fail('ValueError', `${who}: dropout must be in [0, 1], got ${dropout}`);
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.layout = checkLayout(who, options.layout ?? 'TNC');
    this.dropout = dropout;
    this.bidirectional = options.bidirectional ?? false;
    this.useSequenceLength = options.useSequenceLength ?? false;
    this.mode = kernel.mode;
    this.gates = GATES[kernel.mode];
    this.dtype = options.dtype ?? 'float32';
    this.clip = kernel.clip;
    for (const k of ['mode', 'gates', 'dtype', 'clip']) Object.defineProperty(this, k, { enumerable: false });

    const g = this.gates * hiddenSize;
    let ni = options.inputSize ?? 0;
    const self = this as unknown as Record<string, Parameter>;
    for (let layer = 0; layer < numLayers; layer++) {
      for (const d of this.directions()) {
        const reg = (name: string, shape: number[], init: Initializer | string | undefined): void => {
          // Assigned as a property so the block finds it (and its data arrives as p[name]).
          self[name] = this.params.get(name, { shape, init, allowDeferredInit: true, dtype: this.dtype });
        };
        reg(`${d}${layer}_i2h_weight`, [g, ni], options.i2hWeightInitializer);
        reg(`${d}${layer}_h2h_weight`, [g, hiddenSize], options.h2hWeightInitializer);
        reg(`${d}${layer}_i2h_bias`, [g], options.i2hBiasInitializer ?? 'zeros');
        reg(`${d}${layer}_h2h_bias`, [g], options.h2hBiasInitializer ?? 'zeros');
      }
      ni = hiddenSize * this.directions().length;
    }
  }

  private directions(): string[] {
    return this.bidirectional ? ['l', 'r'] : ['l'];
  }
  private param(name: string): Parameter {
    return (this as unknown as Record<string, Parameter>)[name]!;
  }

  /** Shape, layout and dtype of each state: (layers * directions, batch, hidden). */
  abstract stateInfo(batchSize?: number): StateInfo[];

  protected layerStateInfo(batchSize: number): StateInfo {
    return { shape: [this.numLayers * this.directions().length, batchSize, this.hiddenSize], layout: 'LNC', dtype: this.dtype };
  }

  /** Zeros (or `func`) of the state shapes for a batch of `batchSize`. */
  beginState(batchSize = 0, options: BeginStateOptions = {}): NDArray[] {
    return makeStates(this.stateInfo(batchSize), options);
  }

  /**
   * Runs the layer over a sequence. Without states it returns the output only; with states
   * (one array or a list) it returns [output, newStates], as MXNet does.
   */
  override call(inputs: NDArray): NDArray;
  override call(inputs: NDArray, states: undefined, sequenceLength?: NDArray): NDArray;
  override call(inputs: NDArray, states: NDArray | readonly NDArray[], sequenceLength?: NDArray): [NDArray, NDArray[]];
  override call(...inputs: LayerIn): LayerOut;
  override call(...inputs: LayerIn): LayerOut {
    return super.call(...inputs);
  }

  // The same overloads as call(), so a layer stands in a Sequential next to NDArray → NDArray blocks.
  override forward(inputs: NDArray): NDArray;
  override forward(inputs: NDArray, states: undefined, sequenceLength?: NDArray): NDArray;
  override forward(inputs: NDArray, states: NDArray | readonly NDArray[], sequenceLength?: NDArray): [NDArray, NDArray[]];
  override forward(...inputs: LayerIn): LayerOut;
  override forward(inputs: NDArray, states?: NDArray | readonly NDArray[], sequenceLength?: NDArray): LayerOut {
    // Zero states, the flattened parameter vector and transposes are freed once the op has its inputs.
    return tidy(() => this.run(inputs, states, sequenceLength));
  }

  private run(inputs: NDArray, states?: NDArray | readonly NDArray[], sequenceLength?: NDArray): LayerOut {
    this.checkInput(inputs);
    const skipStates = states === undefined;
    const list: readonly NDArray[] =
      states === undefined ? this.beginState(inputs.shape[this.layout.indexOf('N')], { dtype: inputs.dtype }) : Array.isArray(states) ? states : [states as NDArray];
    if (this.useSequenceLength && sequenceLength === undefined) {
      fail('ValueError', `${this.who()}: useSequenceLength is set, so call() needs the (batch,) sequence lengths as its third argument`);
    }
    if (!this.useSequenceLength && sequenceLength !== undefined) {
      fail('ValueError', `${this.who()}: sequence lengths were given but the layer was built without useSequenceLength`);
    }
    const out = super.forward(inputs, list, sequenceLength) as [NDArray, NDArray[]];
    return skipStates ? out[0] : out;
  }

  override inferShape(inputs: NDArray): void {
    let ni = inputs.shape[2]!;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (const d of this.directions()) this.param(`${d}${layer}_i2h_weight`).shape = [this.gates * this.hiddenSize, ni];
      ni = this.hiddenSize * this.directions().length;
    }
  }

  override hybridForward(F: OpNamespace, p: Record<string, NDArray>, ...args: LayerIn): LayerOut {
    const [inputs, stateArg, sequenceLength] = args;
    const states = stateArg as readonly NDArray[];
    const batch = inputs.shape[this.layout.indexOf('N')]!;
    const infos = this.stateInfo(batch);
    if (states.length !== infos.length) fail('ValueError', `${this.who()}: expected ${infos.length} state array(s), got ${states.length}`);
    states.forEach((s, i) => {
      const want = infos[i]!.shape;
      if (s.shape.length !== want.length || s.shape.some((dim, j) => dim !== want[j])) {
        fail('ValueError', `${this.who()}: invalid recurrent state shape: expecting ${shapeText(want)}, got ${shapeText(s.shape)} for state ${i}`);
      }
    });
    const inUnits = p.l0_i2h_weight!.shape[1]!;
    if (inputs.shape[2] !== inUnits) {
      fail('ValueError', `${this.who()}: the input of shape ${shapeText(inputs.shape)} (layout ${this.layout}) has ${inputs.shape[2]} features, the layer expects ${inUnits}`);
    }
    const data = this.layout === 'NTC' ? F.SwapAxis(inputs, { dim1: 0, dim2: 1 }) : inputs;
    // MXNet's flat layout: every weight (layer-major, then direction, i2h before h2h), then every bias.
    const flat: NDArray[] = [];
    for (const t of ['weight', 'bias']) {
      for (let layer = 0; layer < this.numLayers; layer++) {
        for (const d of this.directions()) {
          for (const g of ['i2h', 'h2h']) flat.push(F.Reshape(p[`${d}${layer}_${g}_${t}`]!, { shape: [-1] }));
        }
      }
    }
    const params = F.Concat(...flat, { dim: 0 });
    const clip = this.clip;
    const outs = F.RNN(data, params, states[0]!, {
      state_size: this.hiddenSize,
      num_layers: this.numLayers,
      bidirectional: this.bidirectional,
      mode: this.mode,
      p: this.dropout,
      state_outputs: true,
      ...(this.mode === 'lstm' ? { state_cell: states[1] } : {}),
      ...(clip !== undefined ? { lstm_state_clip_min: clip.min, lstm_state_clip_max: clip.max, lstm_state_clip_nan: clip.nan } : {}),
      ...(this.useSequenceLength ? { use_sequence_length: true, sequence_length: sequenceLength } : {}),
    });
    const output = this.layout === 'NTC' ? F.SwapAxis(outs[0]!, { dim1: 0, dim2: 1 }) : outs[0]!;
    const next = this.mode === 'lstm' ? [outs[1]!, outs[2]!] : [outs[1]!];
    return [output, next];
  }

  private who(): string {
    return `${this.constructor.name} '${this.name}'`;
  }

  private checkInput(inputs: NDArray): void {
    if (inputs.ndim !== 3) {
      fail('ValueError', `${this.who()}: the input must be 3-D (${this.layout}: ${this.layout.split('').join(', ')}), got shape ${shapeText(inputs.shape)}`);
    }
  }

  override cast(dtype: DTypeName): this {
    this.dtype = dtype;
    return super.cast(dtype);
  }

  /**
   * MXNet 1.x saves a fused layer's parameters under the names of its unfused cell stack
   * (_unfused.0.i2h_weight, or _unfused.0.l_cell.i2h_weight when bidirectional), so files
   * written by MXNet's save_parameters load here and the other way round.
   */
  override collectParamsWithPrefix(prefix = ''): Map<string, Parameter> {
    const out = new Map<string, Parameter>();
    const p = prefix ? `${prefix}.` : '';
    for (const [k, v] of this.regParams()) {
      const m = /^([lr])(\d+)_(i2h|h2h)_(weight|bias)$/.exec(k);
      if (m === null) {
        out.set(p + k, v);
        continue;
      }
      const [, d, layer, g, t] = m;
      out.set(this.bidirectional ? `${p}_unfused.${layer}.${d}_cell.${g}_${t}` : `${p}_unfused.${layer}.${g}_${t}`, v);
    }
    for (const [k, c] of this.children) for (const [n, v] of c.collectParamsWithPrefix(p + k)) out.set(n, v);
    return out;
  }

  protected override extraRepr(): string {
    const shape = this.param('l0_i2h_weight').shape ?? [0, 0];
    let s = `${shape[1] ? shape[1] : 'None'} -> ${shape[0]! / this.gates}, ${this.layout}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (this.dropout !== 0) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ', bidirectional';
    return s;
  }
}

export interface RNNOptions extends RNNLayerOptions {
  /** Default 'relu' (the RNNCell's default is tanh). */
  activation?: 'relu' | 'tanh';
}

/** Multi-layer Elman RNN: h_t = act(W_i2h x_t + b_i2h + W_h2h h_{t-1} + b_h2h). One state. */
export class RNN extends RNNLayerBase {
  readonly activation: 'relu' | 'tanh';
  constructor(hiddenSize: number, numLayers = 1, options: RNNOptions = {}) {
    const activation = options.activation ?? 'relu';
    if (activation !== 'relu' && activation !== 'tanh') fail('ValueError', `RNN: activation must be 'relu' or 'tanh', got '${String(activation)}'`);
    super(hiddenSize, numLayers, options, { mode: activation === 'relu' ? 'rnn_relu' : 'rnn_tanh' });
    this.activation = activation;
  }
  stateInfo(batchSize = 0): StateInfo[] {
    return [this.layerStateInfo(batchSize)];
  }
}

export interface LSTMOptions extends RNNLayerOptions {
  /** Clip the cell state to [stateClipMin, stateClipMax] at every step (both or neither). */
  stateClipMin?: number;
  stateClipMax?: number;
  /** Clip NaN cell states to the range too. */
  stateClipNan?: boolean;
}

/**
 * Multi-layer LSTM, gates i, f, c, o. States [h, c], each (layers * directions, batch, hidden).
 * (MXNet's projection_size is not offered: the engine's RNN op does not implement it.)
 */
export class LSTM extends RNNLayerBase {
  constructor(hiddenSize: number, numLayers = 1, options: LSTMOptions = {}) {
    const { stateClipMin: min, stateClipMax: max } = options;
    if ((min === undefined) !== (max === undefined)) {
      fail('ValueError', `LSTM: stateClipMin and stateClipMax go together, got min=${String(min)}, max=${String(max)}`);
    }
    if (min !== undefined && max !== undefined && !(min <= max)) fail('ValueError', `LSTM: stateClipMin (${min}) must not exceed stateClipMax (${max})`);
    super(hiddenSize, numLayers, options, {
      mode: 'lstm',
      clip: min !== undefined && max !== undefined ? { min, max, nan: options.stateClipNan ?? false } : undefined,
    });
  }
  stateInfo(batchSize = 0): StateInfo[] {
    return [this.layerStateInfo(batchSize), this.layerStateInfo(batchSize)];
  }
}

/** Multi-layer GRU in MXNet's (cuDNN) form, gates r, z, n. One state. */
export class GRU extends RNNLayerBase {
  constructor(hiddenSize: number, numLayers = 1, options: RNNLayerOptions = {}) {
    super(hiddenSize, numLayers, options, { mode: 'gru' });
  }
  stateInfo(batchSize = 0): StateInfo[] {
    return [this.layerStateInfo(batchSize)];
  }
}
