// Cells made of cells (MXNet 1.x gluon.rnn): a stack of cells, dropout between steps, and
// modifiers that wrap one cell (residual connection) or pair two (bidirectional unrolling).
import { fail } from '../../errors.js';
import { type NDArray } from '../../ndarray.js';
import { tidy } from '../../memory.js';
import * as nd from '../../nd.js';
import { type BlockOptions, type OpNamespace } from '../block.js';
import { type ParameterDict } from '../parameter_dict.js';
import {
  type BeginStateOptions,
  type CellResult,
  HybridRecurrentCell,
  RecurrentCell,
  type StateInfo,
  type UnrollOptions,
} from './rnn_cell.js';
import { checkLayout, formatSequence, isMerged, maskSequence, reverseSteps, type Sequence } from './sequence.js';

type AnyCell = RecurrentCell;

function cellsOf(owner: RecurrentCell): AnyCell[] {
  const out: AnyCell[] = [];
  for (const c of owner.children.values()) if (c instanceof RecurrentCell) out.push(c);
  return out;
}

/** Stacks cells: each step runs them in order, each on the previous cell's output. */
export class SequentialRNNCell extends RecurrentCell {
  constructor(options: BlockOptions = {}) {
    super(options);
  }

  add(cell: RecurrentCell): this {
    this.registerChild(cell as never);
    return this;
  }
  get length(): number {
    return this.children.size;
  }
  at(i: number): RecurrentCell {
    const c = cellsOf(this)[i];
    if (c === undefined) fail('IndexError', `${this.constructor.name}: index ${i} out of range for ${this.length} cells`);
    return c;
  }

  override stateInfo(batchSize = 0): StateInfo[] {
    return cellsOf(this).flatMap((c) => c.stateInfo(batchSize));
  }
  override beginState(batchSize = 0, options: BeginStateOptions = {}): NDArray[] {
    if (this.modified) fail('ValueError', `${this.constructor.name} '${this.name}': a modifier cell wraps this cell; call beginState on the modifier cell instead`);
    return cellsOf(this).flatMap((c) => c.beginState(batchSize, options));
  }

  override forward(inputs: NDArray, states: readonly NDArray[]): CellResult {
    this.counter++;
    return tidy(() => this.stepCells(inputs, states));
  }

  private stepCells(inputs: NDArray, states: readonly NDArray[]): CellResult {
    const total = this.stateInfo().length;
    if (states.length !== total) fail('ValueError', `${this.constructor.name} '${this.name}': expected ${total} state(s) for its cells, got ${states.length}`);
    let x = inputs;
    let p = 0;
    const next: NDArray[] = [];
    for (const cell of cellsOf(this)) {
      if (cell instanceof BidirectionalCell) fail('ValueError', `${this.constructor.name} '${this.name}': a BidirectionalCell cannot be stepped; use unroll()`);
      const n = cell.stateInfo().length;
      const [out, s] = cell.call(x, states.slice(p, p + n));
      p += n;
      x = out;
      next.push(...s);
    }
    return [x, next];
  }

  protected override unrollImpl(length: number, inputs: Sequence, options: UnrollOptions): [NDArray | NDArray[], NDArray[]] {
    this.reset();
    const owner = `${this.constructor.name} '${this.name}'.unroll`;
    const layout = checkLayout(owner, options.layout ?? 'NTC');
    const seq = formatSequence(owner, length, inputs, layout, undefined);
    const cells = cellsOf(this);
    const first = Array.isArray(seq.inputs) ? seq.inputs[0] : seq.inputs;
    const begin = options.beginState !== undefined ? [...options.beginState] : this.beginState(seq.batchSize, { dtype: first?.dtype });
    let x: Sequence = seq.inputs;
    let p = 0;
    const next: NDArray[] = [];
    cells.forEach((cell, i) => {
      const n = cell.stateInfo().length;
      const [out, s] = cell.unroll(length, x, {
        beginState: begin.slice(p, p + n),
        layout,
        mergeOutputs: i < cells.length - 1 ? undefined : options.mergeOutputs,
        validLength: options.validLength,
      });
      p += n;
      x = out;
      next.push(...s);
    });
    return [x as NDArray | NDArray[], next];
  }

  override toString(): string {
    // MXNet prints the cells of a SequentialRNNCell without indenting them.
    const body = [...this.children].map(([k, c]) => `(${k}): ${c.toString().replace(/\n/g, '\n  ')}`).join('\n');
    return `${this.constructor.name}(\n${body}\n)`;
  }
}

/** The hybrid variant of SequentialRNNCell (identical execution). */
export class HybridSequentialRNNCell extends SequentialRNNCell {}

export interface DropoutCellOptions extends BlockOptions {
  /** Axes along which one dropout mask is shared (variational dropout). */
  axes?: readonly number[];
}

/** Dropout on the input of each step (training only); passes the states through. */
export class DropoutCell extends HybridRecurrentCell {
  readonly rate: number;
  readonly axes: readonly number[];
  constructor(rate: number, options: DropoutCellOptions = {}) {
    super(options);
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) fail('ValueError', `DropoutCell: rate must be a number in [0, 1], got ${String(rate)}`);
    this.rate = rate;
    this.axes = options.axes ?? [];
  }
  override stateInfo(): StateInfo[] {
    return [];
  }
  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, inputs: NDArray, states: readonly NDArray[]): CellResult {
    const out = this.rate > 0 ? F.Dropout(inputs, { p: this.rate, axes: [...this.axes] }) : inputs;
    return [out, [...states]];
  }
  protected override unrollImpl(length: number, inputs: Sequence, options: UnrollOptions): [NDArray | NDArray[], NDArray[]] {
    this.reset();
    const owner = `${this.constructor.name} '${this.name}'.unroll`;
    const layout = checkLayout(owner, options.layout ?? 'NTC');
    const seq = formatSequence(owner, length, inputs, layout, options.mergeOutputs);
    // A merged sequence takes one dropout over all steps instead of one per step.
    if (isMerged(seq.inputs)) return this.hybridForward(nd, {}, seq.inputs, options.beginState ?? []);
    return super.unrollImpl(length, inputs, { ...options, validLength: undefined });
  }
  protected override extraRepr(): string {
    return `rate=${this.rate}, axes=(${this.axes.join(', ')}${this.axes.length === 1 ? ',' : ''})`;
  }
}

/**
 * A cell that wraps another and changes what it computes. Once wrapped, the base cell is used
 * through the modifier only (MXNet's _modified flag); the parameters stay the base cell's.
 */
export abstract class ModifierCell extends HybridRecurrentCell {
  protected readonly baseCell: RecurrentCell;
  constructor(baseCell: RecurrentCell, alias: string) {
    if (baseCell.modified) fail('ValueError', `${new.target.name}: cell '${baseCell.name}' is already modified; one cell cannot be modified twice`);
    super({ prefix: baseCell.prefix + alias });
    baseCell.modified = true;
    this.baseCell = baseCell;
    Object.defineProperty(this, 'baseCell', { enumerable: false });
    // MXNet's attribute name, so saved parameter names read base_cell.i2h_weight.
    this.registerChild(baseCell as never, 'base_cell');
  }
  override get params(): ParameterDict {
    return this.baseCell.params;
  }
  override stateInfo(batchSize = 0): StateInfo[] {
    return this.baseCell.stateInfo(batchSize);
  }
  override beginState(batchSize = 0, options: BeginStateOptions = {}): NDArray[] {
    if (this.modified) fail('ValueError', `${this.constructor.name} '${this.name}': a modifier cell wraps this cell; call beginState on the modifier cell instead`);
    this.baseCell.modified = false;
    try {
      return this.baseCell.beginState(batchSize, options);
    } finally {
      this.baseCell.modified = true;
    }
  }
  override toString(): string {
    return `${this.constructor.name}(${this.baseCell.toString()})`;
  }
}

/** Adds each step's input to the base cell's output (Wu et al., 2016). */
export class ResidualCell extends ModifierCell {
  constructor(baseCell: RecurrentCell) {
    super(baseCell, 'residual');
  }
  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, inputs: NDArray, states: readonly NDArray[]): CellResult {
    const [out, next] = this.baseCell.call(inputs, states);
    if (out.shape.join() !== inputs.shape.join()) {
      fail('ValueError', `ResidualCell '${this.name}': the base cell's output (${out.shape.join(', ')}) and the input (${inputs.shape.join(', ')}) must have the same shape`);
    }
    return [F.elemwise_add(out, inputs), next];
  }
  protected override unrollImpl(length: number, inputs: Sequence, options: UnrollOptions): [NDArray | NDArray[], NDArray[]] {
    this.reset();
    this.baseCell.modified = false;
    let outputs: NDArray | NDArray[];
    let states: NDArray[];
    try {
      [outputs, states] = this.baseCell.unroll(length, inputs, options);
    } finally {
      this.baseCell.modified = true;
    }
    const merge = options.mergeOutputs ?? !Array.isArray(outputs);
    const owner = `${this.constructor.name} '${this.name}'.unroll`;
    const layout = checkLayout(owner, options.layout ?? 'NTC');
    const seq = formatSequence(owner, length, inputs, layout, merge);
    let x = seq.inputs;
    if (options.validLength !== undefined) x = maskSequence(x, length, options.validLength, seq.axis, merge);
    if (merge) return [nd.elemwise_add(outputs as NDArray, x as NDArray), states];
    const xs = x as NDArray[];
    return [(outputs as NDArray[]).map((o, t) => nd.elemwise_add(o, xs[t]!)), states];
  }
}

export interface ZoneoutCellOptions {
  /** Probability of keeping the previous step's output instead of the new one (training only). */
  zoneoutOutputs?: number;
  /** Probability of keeping each previous state value instead of the new one (training only). */
  zoneoutStates?: number;
}

/**
 * Zoneout (Krueger et al., 2016): in training, each output and state value keeps its previous
 * step's value with the given probability; outside training the base cell runs unchanged.
 */
export class ZoneoutCell extends ModifierCell {
  readonly zoneoutOutputs: number;
  readonly zoneoutStates: number;
  private prevOutput: NDArray | undefined;

  constructor(baseCell: RecurrentCell, options: ZoneoutCellOptions = {}) {
    if (baseCell instanceof BidirectionalCell) {
      fail('ValueError', 'ZoneoutCell: a BidirectionalCell cannot be stepped, so it cannot be zoned out; wrap the cells inside it instead');
    }
    super(baseCell, 'zoneout');
    this.zoneoutOutputs = options.zoneoutOutputs ?? 0;
    this.zoneoutStates = options.zoneoutStates ?? 0;
    for (const [k, v] of [['zoneoutOutputs', this.zoneoutOutputs], ['zoneoutStates', this.zoneoutStates]] as const) {
      if (!(v >= 0 && v <= 1)) fail('ValueError', `ZoneoutCell: ${k} must be in [0, 1], got ${v}`);
    }
    Object.defineProperty(this, 'prevOutput', { enumerable: false, writable: true });
  }

  override reset(): void {
    super.reset();
    this.prevOutput = undefined;
  }

  override hybridForward(F: OpNamespace, _p: Record<string, NDArray>, inputs: NDArray, states: readonly NDArray[]): CellResult {
    const [nextOut, nextStates] = this.baseCell.call(inputs, states);
    // Dropout of ones is 0 where the old value stays and 1/(1-p) (non-zero) where the new one wins.
    const fresh = (p: number, like: NDArray): NDArray => F.Dropout(F.ones_like(like), { p });
    const prev = this.prevOutput ?? F.zeros_like(nextOut);
    const output = this.zoneoutOutputs !== 0 ? F.where(fresh(this.zoneoutOutputs, nextOut), nextOut, prev) : nextOut;
    const next = this.zoneoutStates !== 0 ? nextStates.map((s, i) => F.where(fresh(this.zoneoutStates, s), s, states[i]!)) : nextStates;
    this.prevOutput = output;
    return [output, next];
  }

  protected override unrollImpl(length: number, inputs: Sequence, options: UnrollOptions): [NDArray | NDArray[], NDArray[]] {
    try {
      return super.unrollImpl(length, inputs, options);
    } finally {
      // The per-step outputs belong to this unroll (merged outputs free them): do not carry one over.
      this.prevOutput = undefined;
    }
  }

  protected override extraRepr(): string {
    return `p_out=${this.zoneoutOutputs}, p_state=${this.zoneoutStates}`;
  }
  override toString(): string {
    return `${this.constructor.name}(${this.extraRepr()}, ${this.baseCell.toString()})`;
  }
}

/** Runs one cell forward in time and another backward, concatenating their outputs per step. */
export class BidirectionalCell extends HybridRecurrentCell {
  constructor(lCell: RecurrentCell, rCell: RecurrentCell, options: { outputPrefix?: string } = {}) {
    super({ prefix: '' });
    this.registerChild(lCell as never, 'l_cell');
    this.registerChild(rCell as never, 'r_cell');
    this.outputPrefix = options.outputPrefix ?? 'bi_';
  }
  /** Kept for MXNet parity (names the outputs of a compiled graph). */
  readonly outputPrefix: string;

  private pair(): [RecurrentCell, RecurrentCell] {
    const [l, r] = cellsOf(this);
    return [l!, r!];
  }
  override forward(): CellResult {
    return fail('NotImplementedError', 'BidirectionalCell cannot be stepped; use unroll()');
  }
  override stateInfo(batchSize = 0): StateInfo[] {
    return cellsOf(this).flatMap((c) => c.stateInfo(batchSize));
  }
  override beginState(batchSize = 0, options: BeginStateOptions = {}): NDArray[] {
    if (this.modified) fail('ValueError', `${this.constructor.name} '${this.name}': a modifier cell wraps this cell; call beginState on the modifier cell instead`);
    return cellsOf(this).flatMap((c) => c.beginState(batchSize, options));
  }

  protected override unrollImpl(length: number, inputs: Sequence, options: UnrollOptions): [NDArray | NDArray[], NDArray[]] {
    this.reset();
    const owner = `BidirectionalCell.unroll`;
    const layout = checkLayout(owner, options.layout ?? 'NTC');
    const seq = formatSequence(owner, length, inputs, layout, false);
    const steps = seq.inputs as NDArray[];
    const valid = options.validLength;
    const [l, r] = this.pair();
    const begin = options.beginState !== undefined ? [...options.beginState] : this.beginState(seq.batchSize, { dtype: steps[0]?.dtype });
    const nl = l.stateInfo(seq.batchSize).length;
    const [lOut, lStates] = l.unroll(length, steps, { beginState: begin.slice(0, nl), layout, mergeOutputs: options.mergeOutputs, validLength: valid });
    const [rOut, rStates] = r.unroll(length, reverseSteps(steps, valid), { beginState: begin.slice(nl), layout, mergeOutputs: false, validLength: valid });
    const rSteps = reverseSteps(rOut, valid);
    const merge = options.mergeOutputs ?? !Array.isArray(lOut);
    let outputs: NDArray | NDArray[];
    if (merge) {
      const lMerged = formatSequence(owner, undefined, lOut, layout, true).inputs as NDArray;
      outputs = nd.Concat(lMerged, nd.stack(...rSteps, { axis: seq.axis }), { dim: 2 });
    } else {
      const lSteps = formatSequence(owner, undefined, lOut, layout, false).inputs as NDArray[];
      outputs = lSteps.map((o, t) => nd.Concat(o, rSteps[t]!, { dim: 1 }));
    }
    if (valid !== undefined) outputs = maskSequence(outputs, length, valid, seq.axis, merge);
    return [outputs, [...lStates, ...rStates]];
  }

  override toString(): string {
    const [l, r] = this.pair();
    return `${this.constructor.name}(forward=${l.toString()}, backward=${r.toString()})`;
  }
}
