// gluon.nn convolution layers (MXNet 1.x gluon/nn/conv_layers.py): Conv1D/2D/3D and their
// transposes. Only channel-first layouts (NCW, NCHW, NCDHW) are computed by the engine.
import { type DTypeName } from '../../dtype.js';
import { fail } from '../../errors.js';
import type * as ops from '../../generated/ops.js';
import { type Initializer } from '../../initializer.js';
import { type NDArray } from '../../ndarray.js';
import { type BlockOptions, HybridBlock, type OpNamespace } from '../block.js';
import { type Parameter } from '../parameter.js';
import { type ActivationType, checkActivation } from './activations.js';
import { checkCount, explainFailure, type IntOrTuple, layerParam, pyRepr, shapeText, toTuple } from './util.js';

export type ConvLayout = 'NCW' | 'NCHW' | 'NCDHW';
const CHANNEL_FIRST: readonly ConvLayout[] = ['NCW', 'NCHW', 'NCDHW'];
const CHANNEL_LAST = ['NWC', 'NHWC', 'NDHWC'];

/** The layout for a `dims`-D layer, or an error naming the layer and what it accepts. */
export function checkLayout(layer: string, layout: string | undefined, dims: number): ConvLayout {
  const want = CHANNEL_FIRST[dims - 1]!;
  if (layout === undefined || layout === want) return want;
  if (layout === CHANNEL_LAST[dims - 1]) {
    fail('NotImplementedError', `${layer}: layout '${layout}' is not supported; only the channel-first layout '${want}' is`);
  }
  return fail('ValueError', `${layer}: layout must be '${want}' for a ${dims}-D layer, got '${layout}'`);
}

export interface ConvOptions extends BlockOptions {
  /** Default 1 in every dimension. */
  strides?: IntOrTuple;
  /** Zero padding on both sides; default 0. */
  padding?: IntOrTuple;
  /** Default 1. */
  dilation?: IntOrTuple;
  /** Input and output channels are split into this many groups (default 1). */
  groups?: number;
  layout?: string;
  activation?: ActivationType | null;
  useBias?: boolean;
  weightInitializer?: Initializer | string;
  /** Default 'zeros'. */
  biasInitializer?: Initializer | string;
  /** Input channels; 0 or omitted: inferred on the first forward. */
  inChannels?: number;
  dtype?: DTypeName;
}

export interface ConvTransposeOptions extends ConvOptions {
  /** Extra size added at the end of each output dimension (default 0). */
  outputPadding?: IntOrTuple;
}

/**
 * The shared body of every convolution layer. weight is (channels, in_channels / groups, *kernel)
 * for a convolution and (in_channels, channels / groups, *kernel) for a transposed one.
 */
abstract class ConvBase extends HybridBlock<NDArray, [NDArray]> {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;
  readonly channels: number;
  readonly #dims: number;
  readonly #transposed: boolean;
  readonly #op: ops.ConvolutionParams & ops.DeconvolutionParams;
  readonly #act: ops.ActivationParams | undefined;
  readonly #fusedRelu: ops.ConvActParams | undefined;  // set for a convolution followed by relu

  protected constructor(dims: number, transposed: boolean, channels: number, kernelSize: IntOrTuple, o: ConvTransposeOptions) {
    super(o);
    const layer = new.target.name;
    this.#dims = dims;
    this.#transposed = transposed;
    this.channels = checkCount(layer, 'channels', channels);
    const kernel = toTuple(layer, 'kernel_size', kernelSize, dims, 1);
    const stride = toTuple(layer, 'strides', o.strides ?? 1, dims, 1);
    const pad = toTuple(layer, 'padding', o.padding ?? 0, dims, 0);
    const dilate = toTuple(layer, 'dilation', o.dilation ?? 1, dims, 1);
    const groups = checkCount(layer, 'groups', o.groups ?? 1);
    const inChannels = checkCount(layer, 'in_channels', o.inChannels ?? 0, 0);
    const layout = checkLayout(layer, o.layout, dims);
    if (channels % groups !== 0 || inChannels % groups !== 0) {
      fail('ValueError', `${layer}: channels (${channels}) and in_channels (${inChannels}) must be divisible by groups (${groups})`);
    }
    const useBias = o.useBias ?? true;
    const dtype = o.dtype ?? 'float32';
    const shape = transposed ? [inChannels, channels / groups, ...kernel] : [channels, inChannels / groups, ...kernel];
    this.weight = layerParam(this.params, o.params, 'weight', { shape, init: o.weightInitializer, dtype, allowDeferredInit: true });
    this.bias = useBias
      ? layerParam(this.params, o.params, 'bias', { shape: [channels], init: o.biasInitializer ?? 'zeros', dtype, allowDeferredInit: true })
      : undefined;
    this.#op = { kernel, stride, dilate, pad, num_filter: channels, num_group: groups, no_bias: !useBias, layout };
    if (transposed) this.#op.adj = toTuple(layer, 'output_padding', o.outputPadding ?? 0, dims, 0);
    const act = o.activation ?? undefined;
    this.#act = act === undefined ? undefined : { act_type: checkActivation(layer, act) };
    if (!transposed && this.#act?.act_type === 'relu') {
      this.#fusedRelu = { kernel, stride, dilate, pad, num_filter: channels, num_group: groups, no_bias: !useBias, act_type: 'relu' };
    }
  }

  get kernelSize(): readonly number[] {
    return this.#op.kernel as readonly number[];
  }
  get groups(): number {
    return this.#op.num_group!;
  }
  get layout(): ConvLayout {
    return this.#op.layout as ConvLayout;
  }

  /** The input channel count the weight was built for (0 until known). */
  get inChannels(): number {
    const s = this.weight.shape!;
    return this.#transposed ? s[0]! : s[1]! * this.groups;
  }

  #rankProblem(x: NDArray): string | undefined {
    const s = x.shape;
    return s.length === this.#dims + 2 ? undefined : `expects ${this.#dims + 2}-D input (${this.layout}), got shape ${shapeText(s)}`;
  }

  override inferShape(x: NDArray): void {
    const bad = this.#rankProblem(x);
    if (bad !== undefined) fail('ValueError', `${this.constructor.name} '${this.name}': ${bad}`);
    const c = x.shape[1]!;
    const g = this.groups;
    if (c % g !== 0) fail('ValueError', `${this.constructor.name} '${this.name}': input channels ${c} are not divisible by groups ${g}`);
    const k = this.kernelSize;
    this.weight.shape = this.#transposed ? [c, this.channels / g, ...k] : [this.channels, c / g, ...k];
  }

  override hybridForward(F: OpNamespace, p: Record<string, NDArray>, x: NDArray): NDArray {
    const op = this.#op;
    op.bias = p.bias;
    // A convolution followed by relu runs as one op, _conv_act: the activation is applied as the
    // convolution writes its output and its gradient is folded into the convolution's backward.
    // The result is the same.
    const fused = this.#fusedRelu;
    let y: NDArray;
    try {
      if (fused !== undefined) {
        fused.bias = p.bias;
        return F._conv_act(x, p.weight!, fused);
      }
      y = this.#transposed ? F.Deconvolution(x, p.weight!, op) : F.Convolution(x, p.weight!, op);
    } catch (e) {
      explainFailure(`${this.constructor.name} '${this.name}'`, e, () => {
        const bad = this.#rankProblem(x);
        if (bad !== undefined) return bad;
        const c = x.shape[1]!;
        return c === this.inChannels ? undefined : `input of shape ${shapeText(x.shape)} has ${c} channels but in_channels is ${this.inChannels}`;
      });
    }
    const act = this.#act;
    if (act === undefined) return y;
    const out = F.Activation(y, act);
    y.dispose();
    return out;
  }

  protected override extraRepr(): string {
    const o = this.#op;
    const zeros = (t: unknown): boolean => (t as number[]).every((d) => d === 0);
    const ones = (t: unknown): boolean => (t as number[]).every((d) => d === 1);
    // MXNet prints the weight's dims 1 -> 0: in_channels / groups -> channels for a convolution,
    // channels / groups -> in_channels for a transposed one. Kept as is so output matches MXNet's.
    const [d0, d1] = this.weight.shape!;
    let s = `${d1 ? d1 : 'None'} -> ${d0!}, kernel_size=${pyRepr(o.kernel)}, stride=${pyRepr(o.stride)}`;
    if (!zeros(o.pad)) s += `, padding=${pyRepr(o.pad)}`;
    if (!ones(o.dilate)) s += `, dilation=${pyRepr(o.dilate)}`;
    if (o.adj !== undefined && !zeros(o.adj)) s += `, output_padding=${pyRepr(o.adj)}`;
    if (o.num_group !== 1) s += `, groups=${o.num_group!}`;
    if (this.bias === undefined) s += ', bias=False';
    if (this.#act) s += `, Activation(${this.#act.act_type})`;
    return s;
  }
}

/** 1-D convolution over (N, C, W) input. */
export class Conv1D extends ConvBase {
  constructor(channels: number, kernelSize: IntOrTuple, options: ConvOptions = {}) {
    super(1, false, channels, kernelSize, options);
  }
}
/** 2-D convolution over (N, C, H, W) input. */
export class Conv2D extends ConvBase {
  constructor(channels: number, kernelSize: IntOrTuple, options: ConvOptions = {}) {
    super(2, false, channels, kernelSize, options);
  }
}
/** 3-D convolution over (N, C, D, H, W) input. */
export class Conv3D extends ConvBase {
  constructor(channels: number, kernelSize: IntOrTuple, options: ConvOptions = {}) {
    super(3, false, channels, kernelSize, options);
  }
}
/** 1-D transposed convolution: out width (w - 1) * stride - 2 * pad + dilation * (k - 1) + 1 + output_padding. */
export class Conv1DTranspose extends ConvBase {
  constructor(channels: number, kernelSize: IntOrTuple, options: ConvTransposeOptions = {}) {
    super(1, true, channels, kernelSize, options);
  }
}
/** 2-D transposed convolution (fractionally strided; the gradient of Conv2D with respect to its input). */
export class Conv2DTranspose extends ConvBase {
  constructor(channels: number, kernelSize: IntOrTuple, options: ConvTransposeOptions = {}) {
    super(2, true, channels, kernelSize, options);
  }
}
/** 3-D transposed convolution. */
export class Conv3DTranspose extends ConvBase {
  constructor(channels: number, kernelSize: IntOrTuple, options: ConvTransposeOptions = {}) {
    super(3, true, channels, kernelSize, options);
  }
}

/** Pads the two spatial axes of (N, C, H, W) input with their reflection. */
export class ReflectionPad2D extends HybridBlock<NDArray, [NDArray]> {
  readonly #op: ops.PadParams;

  /** `padding`: one width for every side, or MXNet's 8-tuple (0, 0, 0, 0, top, bottom, left, right). */
  constructor(padding: IntOrTuple = 0, options: BlockOptions = {}) {
    super(options);
    const p = toTuple('ReflectionPad2D', 'padding', typeof padding === 'number' ? [0, 0, 0, 0, padding, padding, padding, padding] : padding, 8, 0);
    this.#op = { mode: 'reflect', pad_width: p };
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, x: NDArray): NDArray {
    return F.Pad(x, this.#op);
  }

  protected override extraRepr(): string {
    return `padding=${pyRepr(this.#op.pad_width)}`;
  }
}
