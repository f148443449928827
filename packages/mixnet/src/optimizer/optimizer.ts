// The Optimizer base (MXNet 1.x's mx.optimizer.Optimizer): learning rate and its scheduler,
// weight decay, gradient rescaling and clipping, per-index lr/wd multipliers and update counts,
// multi-precision (float32 master copies of float16 weights), the per-index state it owns, and a
// checkpoint form of all of it (saveStates/loadStates). Subclasses implement createState and
// update with one fused registry op per parameter, writing into the weight (out: weight).
import { fail } from '../errors.js';
import * as ops from '../generated/ops.js';
import { type LRScheduler, type LRSchedulerState } from '../lr_scheduler.js';
import { keep } from '../memory.js';
import { NDArray } from '../ndarray.js';

/** An optimizer's state for one weight: a flat list of arrays (empty when it keeps none). */
export type OptimizerState = NDArray[];

export interface OptimizerOptions {
  /** The learning rate (default 0.01, or the scheduler's baseLr when a scheduler is given). */
  learningRate?: number;
  /** Weight decay (L2 penalty, as each update op applies it). */
  wd?: number;
  /** Multiplies every gradient before clipping (the Trainer sets it to 1 / batchSize). */
  rescaleGrad?: number;
  /** Clips the rescaled gradient to [-clipGradient, clipGradient]; undefined or < 0 = no clipping. */
  clipGradient?: number;
  lrScheduler?: LRScheduler;
  /** The update count every index starts from (resuming a run). */
  beginNumUpdate?: number;
  /** Keep float32 master copies of float16 weights and update those. */
  multiPrecision?: boolean;
  /** Parameter names by index (so setLrMult/setWdMult may key multipliers by name). */
  paramIdx2Name?: Readonly<Record<number, string>>;
}

/** What an optimizer needs of a Gluon Parameter to read its multipliers. */
export interface ParamMults {
  readonly lrMult: number;
  readonly wdMult: number;
}

/** A JSON-serialisable description of an optimizer's counters and settings. */
export interface OptimizerMeta {
  optimizer: string;
  lr: number;
  numUpdate: number;
  beginNumUpdate: number;
  /** [index, count] pairs. */
  indexUpdateCount: [number, number][];
  /** [index, number of state arrays] pairs. */
  stateSizes: [number, number][];
  lrMult: [string, number][];
  wdMult: [string, number][];
  scheduler: LRSchedulerState | null;
  hyper: Record<string, number | boolean | null>;
}

export interface OptimizerStates {
  /** State arrays named "<index>_<k>" (k-th array of that index's state). */
  arrays: Record<string, NDArray>;
  meta: OptimizerMeta;
}

/** The options every optimizer takes; subclasses list theirs in a static `optionKeys`. */
const BASE_OPTION_KEYS: readonly string[] = [
  'learningRate',
  'wd',
  'rescaleGrad',
  'clipGradient',
  'lrScheduler',
  'beginNumUpdate',
  'multiPrecision',
  'paramIdx2Name',
];

export abstract class Optimizer {
  /** Options of this class beyond the base ones (unknown keys are refused, as MXNet's kwargs). */
  static readonly optionKeys: readonly string[] = [];

  /** The registry name (mx.optimizer.create's key). */
  abstract readonly name: string;

  lr: number;
  wd: number;
  rescaleGrad: number;
  /** < 0 = no clipping (the fused ops' convention for None). */
  clipGradient: number;
  lrScheduler: LRScheduler | undefined;
  readonly multiPrecision: boolean;
  beginNumUpdate: number;
  /** The largest update count of any index. */
  numUpdate: number;
  /** Update count per index. */
  readonly indexUpdateCount = new Map<number, number>();
  /** Multipliers set by setLrMult/setWdMult, by index (as string) or parameter name. */
  readonly lrMult = new Map<string, number>();
  readonly wdMult = new Map<string, number>();
  idx2name: Readonly<Record<number, string>>;
  /** Gluon parameters by index (the Trainer sets it): their lrMult/wdMult win. */
  paramDict = new Map<number, ParamMults>();
  /** The state of each index, made on its first update (see updateIndex). */
  readonly states = new Map<number, OptimizerState>();

  constructor(options: OptimizerOptions = {}) {
    const own = (new.target as unknown as { optionKeys: readonly string[] }).optionKeys;
    for (const [k, v] of Object.entries(options)) {
      if (v !== undefined && !BASE_OPTION_KEYS.includes(k) && !own.includes(k)) {
        fail('TypeError', `${new.target.name}: unknown option '${k}'; known: ${[...BASE_OPTION_KEYS, ...own].join(', ')}`);
      }
    }
    this.lrScheduler = options.lrScheduler;
    this.lr = options.learningRate ?? this.lrScheduler?.baseLr ?? 0.01;
    if (this.lrScheduler && options.learningRate !== undefined) this.lrScheduler.setBaseLr(options.learningRate);
    this.wd = options.wd ?? 0;
    this.rescaleGrad = options.rescaleGrad ?? 1;
    this.clipGradient = options.clipGradient ?? -1;
    this.multiPrecision = options.multiPrecision ?? false;
    this.beginNumUpdate = options.beginNumUpdate ?? 0;
    this.numUpdate = this.beginNumUpdate;
    this.idx2name = { ...(options.paramIdx2Name ?? {}) };
    for (const [k, v] of [
      ['learningRate', this.lr],
      ['wd', this.wd],
      ['rescaleGrad', this.rescaleGrad],
      ['clipGradient', this.clipGradient],
    ] as const) {
      if (!Number.isFinite(v)) fail('ValueError', `${new.target.name}: ${k} must be a finite number, got ${v}`);
    }
  }

  /** The hyper-parameters a checkpoint records (subclasses add theirs). */
  protected hyper(): Record<string, number | boolean | null> {
    return { wd: this.wd, rescaleGrad: this.rescaleGrad, clipGradient: this.clipGradient, multiPrecision: this.multiPrecision };
  }

  // ---- learning rate -----------------------------------------------------------------------
  /** The current learning rate (the scheduler's at numUpdate, when there is one). */
  get learningRate(): number {
    return this.lrScheduler ? this.lrScheduler.call(this.numUpdate) : this.lr;
  }
  set learningRate(lr: number) {
    this.setLearningRate(lr);
  }
  /** MXNet's set_learning_rate: refused while a scheduler decides the learning rate. */
  setLearningRate(lr: number): void {
    if (this.lrScheduler) {
      fail(
        'ValueError',
        `${this.constructor.name}.setLearningRate: the optimizer has an lrScheduler; the learning rate can be set only when it has none (got ${lr})`,
      );
    }
    if (!Number.isFinite(lr)) fail('ValueError', `${this.constructor.name}.setLearningRate: lr must be a finite number, got ${lr}`);
    this.lr = lr;
  }

  /** Multipliers of the learning rate by index or parameter name (replaces earlier ones). */
  setLrMult(mult: Readonly<Record<string | number, number>>): void {
    this.lrMult.clear();
    for (const [k, v] of Object.entries(mult)) this.lrMult.set(k, v);
  }
  /** Multipliers of the weight decay by index or parameter name (replaces earlier ones). */
  setWdMult(mult: Readonly<Record<string | number, number>>): void {
    this.wdMult.clear();
    for (const [k, v] of Object.entries(mult)) this.wdMult.set(k, v);
  }

  private mult(index: number, table: Map<string, number>, fromParam: (p: ParamMults) => number): number {
    const p = this.paramDict.get(index);
    if (p) return fromParam(p);
    const byIndex = table.get(String(index));
    if (byIndex !== undefined) return byIndex;
    const name = this.idx2name[index];
    return (name !== undefined ? table.get(name) : undefined) ?? 1;
  }

  /** The learning rate of an index for its next update (scheduler, then multiplier). */
  getLr(index: number): number {
    return this.learningRate * this.mult(index, this.lrMult, (p) => p.lrMult);
  }
  /** The weight decay of an index. */
  getWd(index: number): number {
    return this.wd * this.mult(index, this.wdMult, (p) => p.wdMult);
  }

  /** Counts one update of index (MXNet's _update_count). */
  updateCount(index: number): void {
    const n = (this.indexUpdateCount.get(index) ?? this.beginNumUpdate) + 1;
    this.indexUpdateCount.set(index, n);
    if (n > this.numUpdate) this.numUpdate = n;
  }

  // ---- states and updates ------------------------------------------------------------------
  /** A fresh state for a weight (arrays on the weight's context, in its dtype). */
  abstract createState(index: number, weight: NDArray): OptimizerState;

  /** One update of weight in place from grad; counts the update and advances state. */
  abstract update(index: number, weight: NDArray, grad: NDArray, state: OptimizerState): void;

  /** With multiPrecision and a float16 weight: [float32 master copy, ...state of it]. */
  createStateMultiPrecision(index: number, weight: NDArray): OptimizerState {
    if (this.multiPrecision && weight.dtype === 'float16') {
      const master = keep(weight.astype('float32'));
      return [master, ...this.createState(index, master)];
    }
    return this.createState(index, weight);
  }

  /**
   * Updates through the float32 master copy when createStateMultiPrecision made one: the update
   * runs on the copy with a float32 gradient and the weight receives the copy cast back.
   * Optimizers with fused mixed-precision ops (SGD) override this.
   */
  updateMultiPrecision(index: number, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    if (this.multiPrecision && weight.dtype === 'float16') {
      const [master, ...inner] = state;
      if (!master) fail('ValueError', `${this.constructor.name}.updateMultiPrecision: index ${index} has no float32 master copy in its state`);
      const grad32 = grad.astype('float32');
      this.update(index, master, grad32, inner);
      grad32.dispose();
      ops.Cast(master, { dtype: weight.dtype, out: weight });
      return;
    }
    this.update(index, weight, grad, state);
  }

  /** Updates index with the state this optimizer keeps for it (made on first use). */
  updateIndex(index: number, weight: NDArray, grad: NDArray): void {
    let state = this.states.get(index);
    if (!state) {
      state = this.createStateMultiPrecision(index, weight);
      for (const a of state) keep(a);
      this.states.set(index, state);
    }
    this.updateMultiPrecision(index, weight, grad, state);
  }

  /** Zero arrays shaped and placed like weight (for states). */
  /**
   * Counts an update of `index` and returns the parameters every fused update op shares (this
   * step's lr and wd, rescaling, clipping, in place into `weight`). Subclasses add their own.
   */
  protected stepParams(index: number, weight: NDArray): { lr: number; wd: number; rescale_grad: number; clip_gradient: number; out: NDArray } {
    this.updateCount(index);
    return { lr: this.getLr(index), wd: this.getWd(index), rescale_grad: this.rescaleGrad, clip_gradient: this.clipGradient, out: weight };
  }

  protected zerosLike(weight: NDArray): NDArray {
    return keep(ops.zeros_like(weight));
  }

  // ---- checkpoints -------------------------------------------------------------------------
  /** The states (the arrays themselves, not copies) and the counters, for a checkpoint. */
  saveStates(): OptimizerStates {
    const arrays: Record<string, NDArray> = {};
    const stateSizes: [number, number][] = [];
    for (const [index, state] of this.states) {
      stateSizes.push([index, state.length]);
      state.forEach((a, k) => (arrays[`${index}_${k}`] = a));
    }
    return {
      arrays,
      meta: {
        optimizer: this.name,
        lr: this.lr,
        numUpdate: this.numUpdate,
        beginNumUpdate: this.beginNumUpdate,
        indexUpdateCount: [...this.indexUpdateCount],
        stateSizes,
        lrMult: [...this.lrMult],
        wdMult: [...this.wdMult],
        scheduler: this.lrScheduler ? this.lrScheduler.state() : null,
        hyper: this.hyper(),
      },
    };
  }

  /**
   * Restores saveStates() output: states (the arrays are adopted, not copied; the previous ones
   * are disposed), counters, multipliers, base learning rate and scheduler state.
   */
  loadStates(saved: OptimizerStates): void {
    const { arrays, meta } = saved;
    const who = `${this.constructor.name}.loadStates`;
    if (meta.optimizer !== this.name) fail('ValueError', `${who}: the states are of optimizer '${meta.optimizer}', not '${this.name}'`);
    if ((meta.scheduler === null) !== (this.lrScheduler === undefined)) {
      fail('ValueError', `${who}: the states were saved ${meta.scheduler ? 'with' : 'without'} an lrScheduler, this optimizer has ${this.lrScheduler ? 'one' : 'none'}`);
    }
    const states = new Map<number, OptimizerState>();
    for (const [index, size] of meta.stateSizes) {
      const state: OptimizerState = [];
      for (let k = 0; k < size; k++) {
        const a = arrays[`${index}_${k}`];
        if (!(a instanceof NDArray)) fail('ValueError', `${who}: state array '${index}_${k}' is missing`);
        state.push(keep(a));
      }
      states.set(index, state);
    }
    for (const [index, state] of this.states) {
      const fresh = states.get(index);
      for (const a of state) if (!fresh?.includes(a)) a.dispose();
    }
    this.states.clear();
    for (const [i, s] of states) this.states.set(i, s);
    this.lr = meta.lr;
    this.numUpdate = meta.numUpdate;
    this.beginNumUpdate = meta.beginNumUpdate;
    this.indexUpdateCount.clear();
    for (const [i, n] of meta.indexUpdateCount) this.indexUpdateCount.set(i, n);
    this.lrMult.clear();
    for (const [k, v] of meta.lrMult) this.lrMult.set(k, v);
    this.wdMult.clear();
    for (const [k, v] of meta.wdMult) this.wdMult.set(k, v);
    if (meta.scheduler && this.lrScheduler) this.lrScheduler.setState(meta.scheduler);
  }

  /** Frees every state array. */
  dispose(): void {
    for (const state of this.states.values()) for (const a of state) a.dispose();
    this.states.clear();
  }
}

type OptimizerClass = new (options?: object) => Optimizer;
const registry = new Map<string, OptimizerClass>();

/** Registers an optimizer class under a (case-insensitive) name for create(). */
export function register<O extends object>(name: string, cls: new (options?: O) => Optimizer): void {
  // create() passes the caller's options object through; each class checks its own fields
  registry.set(name.toLowerCase(), cls as unknown as OptimizerClass);
}

/** learning_rate → learningRate (MXNet's Python spelling, for ported code). */
function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * An optimizer by registry name: create('sgd', {learningRate: 0.1, momentum: 0.9}). Option names
 * may also be spelled as in MXNet's Python (learning_rate, rescale_grad, lr_scheduler, ...).
 */
export function create(name: string, options: object = {}): Optimizer {
  const cls = registry.get(name.toLowerCase());
  if (!cls) fail('ValueError', `optimizer.create: cannot find optimizer '${name}'; known: ${[...registry.keys()].sort().join(', ')}`);
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    const key = k === 'param_idx2name' ? 'paramIdx2Name' : camel(k);
    if (key !== k && key in options) fail('ValueError', `optimizer.create: option '${key}' is given twice (also as '${k}')`);
    opts[key] = v;
  }
  return new cls(opts);
}

/** The registered names. */
export function registered(): string[] {
  return [...registry.keys()].sort();
}

/**
 * MXNet's get_updater: a function (index, grad, weight) that updates with the optimizer's own
 * per-index states (note MXNet's argument order: grad before weight).
 */
export function getUpdater(optimizer: Optimizer): (index: number, grad: NDArray, weight: NDArray) => void {
  return (index, grad, weight) => optimizer.updateIndex(index, weight, grad);
}
