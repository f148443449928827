// gluon.Trainer (MXNet 1.x): applies an optimizer to a set of Parameters. step(batchSize)
// rescales gradients by 1 / batchSize and queues one fused update op per parameter; it never
// waits for the engine. Single process, so the kvstore is local and allreduceGrads() has
// nothing to reduce.
//
// saveStates(file) writes one MXNet .params file (mx.nd.save format): the optimizer state arrays
// under "<parameter index>_<k>" plus the counters, scheduler state and hyper-parameters as UTF-8
// JSON in a uint8 array named "__mixnet_trainer_meta__" (see TRAINER_META_KEY).
import { fail } from '../errors.js';
import { keep } from '../memory.js';
import * as nd from '../nd.js';
import { NDArray } from '../ndarray.js';
import { create, type Optimizer, type OptimizerMeta, type OptimizerStates } from '../optimizer/index.js';
import { Parameter } from './parameter.js';
import { ParameterDict } from './parameter_dict.js';

/** The .params key of the JSON metadata in a file saveStates() wrote. */
export const TRAINER_META_KEY = '__mixnet_trainer_meta__';

export interface TrainerOptions {
  /** 'device' or 'local' (the same here), or null; distributed kvstores are not supported. */
  kvstore?: string | null;
  /** Accepted for MXNet compatibility; updates always run locally. */
  updateOnKvstore?: boolean | null;
}

export interface StepOptions {
  /**
   * Skip parameters whose gradient backward has not written since the last step, instead of
   * failing (needs arrays that report freshness: see hasFreshFlag).
   */
  ignoreStaleGrad?: boolean;
}

/** An NDArray whose gradient freshness the engine reports (MXNet's _fresh_grad). */
interface FreshFlag {
  freshGrad: boolean;
}
function hasFreshFlag(a: NDArray): a is NDArray & FreshFlag {
  return typeof (a as Partial<FreshFlag>).freshGrad === 'boolean';
}

type ParamsArg = ParameterDict | Iterable<Parameter> | Readonly<Record<string, Parameter>>;

function toParamList(params: ParamsArg): Parameter[] {
  let list: unknown[];
  if (params instanceof ParameterDict) list = [...params.values()];
  else if (typeof (params as Iterable<Parameter>)[Symbol.iterator] === 'function') list = [...(params as Iterable<unknown>)];
  else if (typeof params === 'object' && params !== null) list = Object.values(params);
  else return fail('ValueError', `Trainer: params must be a ParameterDict, a list or a record of Parameters, got ${typeof params}`);
  const seen = new Set<Parameter>();
  for (const p of list) {
    if (!(p instanceof Parameter)) {
      fail('ValueError', `Trainer: params must hold only Parameters, got ${p === null ? 'null' : typeof p === 'object' ? p.constructor.name : typeof p}`);
    }
    if (seen.has(p)) fail('ValueError', `Trainer: parameter '${p.name}' is listed twice`);
    seen.add(p);
  }
  return list as Parameter[];
}

export class Trainer {
  readonly optimizer: Optimizer;
  private readonly params: Parameter[];
  /** The optimizer's rescaleGrad when the trainer was made; step divides it by the batch size. */
  private readonly scale: number;

  constructor(params: ParamsArg, optimizer: string | Optimizer, optimizerParams?: object, options: TrainerOptions = {}) {
    this.params = toParamList(params);
    const kv = options.kvstore;
    if (kv !== undefined && kv !== null && kv !== 'device' && kv !== 'local') {
      fail('NotImplementedError', `Trainer: kvstore '${kv}' is not supported (single process: use 'device', 'local' or null)`);
    }
    if (typeof optimizer === 'string') {
      this.optimizer = create(optimizer, optimizerParams ?? {});
    } else {
      if (optimizerParams !== undefined && Object.keys(optimizerParams).length > 0) {
        fail('ValueError', 'Trainer: optimizerParams must be empty when optimizer is an Optimizer instance instead of a name');
      }
      this.optimizer = optimizer;
    }
    // Gluon parameters carry their own lr/wd multipliers; the optimizer reads them by index
    this.optimizer.paramDict = new Map(this.params.map((p, i) => [i, p]));
    this.scale = this.optimizer.rescaleGrad;
  }

  /** The parameters, in index order (the optimizer's state indices). */
  get parameters(): readonly Parameter[] {
    return this.params;
  }

  get learningRate(): number {
    return this.optimizer.learningRate;
  }
  set learningRate(lr: number) {
    this.optimizer.setLearningRate(lr);
  }
  setLearningRate(lr: number): void {
    this.optimizer.setLearningRate(lr);
  }

  /**
   * One optimisation step: gradients are rescaled by 1 / batchSize (times the optimizer's own
   * rescaleGrad) and every parameter with a gradient is updated. Call after backward, outside
   * autograd.record(). Queues the updates and returns without waiting.
   */
  step(batchSize: number, options: StepOptions = {}): void {
    this.setBatchSize('step', batchSize);
    this.allreduceGrads();
    this.applyUpdates('step', options.ignoreStaleGrad ?? false);
  }

  /** MXNet's all-reduce of gradients across devices: one device here, nothing to do. */
  allreduceGrads(): void {
    // single device: the gradients are already complete
  }

  /** The update half of step() (for users who call allreduceGrads() themselves). */
  update(batchSize: number, options: StepOptions = {}): void {
    this.setBatchSize('update', batchSize);
    this.applyUpdates('update', options.ignoreStaleGrad ?? false);
  }

  private setBatchSize(who: string, batchSize: number): void {
    if (!(batchSize > 0) || !Number.isFinite(batchSize)) fail('ValueError', `Trainer.${who}: batchSize must be a positive number, got ${batchSize}`);
    this.optimizer.rescaleGrad = this.scale / batchSize;
  }

  private applyUpdates(who: string, ignoreStaleGrad: boolean): void {
    // Check everything first so that a failing step updates nothing.
    for (const p of this.params) {
      if (p.gradReq === 'null') continue;
      if (!p.isInitialized) {
        if (p.isDeferred) {
          fail(
            'ValueError',
            `Trainer.${who}: Parameter '${p.name}' has not been initialized yet because initialization was deferred; ` +
              'pass one batch through the network before calling step',
          );
        }
        fail(
          'ValueError',
          `Trainer.${who}: Parameter '${p.name}' has not been initialized; initialize the block's parameters ` +
            '(and create the Trainer with block.collectParams()) before calling step',
        );
      }
      const d = p.data();
      if (!ignoreStaleGrad && hasFreshFlag(d) && !d.freshGrad) {
        fail(
          'ValueError',
          `Trainer.${who}: the gradient of Parameter '${p.name}' has not been updated by backward since the last step. ` +
            'This could mean a bug in your model that made it use only a subset of the Parameters (Blocks) for this ' +
            'iteration; if that is intended, call step with {ignoreStaleGrad: true} to skip parameters with stale gradients',
        );
      }
    }
    const opt = this.optimizer;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i]!;
      if (p.gradReq === 'null') continue;
      const d = p.data();
      if (hasFreshFlag(d)) {
        if (!d.freshGrad) continue; // stale and ignoreStaleGrad (checked above)
        d.freshGrad = false;
      }
      opt.updateIndex(i, d, p.grad());
    }
  }

  // ---- checkpoints -------------------------------------------------------------------------
  /**
   * A snapshot of the optimizer: copies of its state arrays (the caller owns them) and its
   * JSON-serialisable counters. Copies are queued ops: taking a snapshot does not wait.
   */
  states(): OptimizerStates {
    const saved = this.optimizer.saveStates();
    const arrays: Record<string, NDArray> = {};
    for (const [k, a] of Object.entries(saved.arrays)) arrays[k] = keep(a.copy());
    return { arrays, meta: JSON.parse(JSON.stringify(saved.meta)) as OptimizerMeta };
  }

  /** Restores a states() snapshot (copied: the snapshot stays the caller's). */
  setStates(states: OptimizerStates): void {
    const arrays: Record<string, NDArray> = {};
    for (const [k, a] of Object.entries(states.arrays)) arrays[k] = keep(a.copy());
    this.adopt('setStates', { arrays, meta: states.meta });
  }

  /** Writes the optimizer states to an MXNet .params file (format in the header comment). */
  saveStates(file: string): void {
    const saved = this.optimizer.saveStates();
    const json = new TextEncoder().encode(JSON.stringify(saved.meta));
    const meta = nd.array(json, { dtype: 'uint8' });
    try {
      nd.save(file, { ...saved.arrays, [TRAINER_META_KEY]: meta });
    } finally {
      meta.dispose();
    }
  }

  /** Reads a file saveStates() wrote and restores the optimizer from it. */
  loadStates(file: string): void {
    const loaded = nd.load(file);
    if (Array.isArray(loaded)) {
      for (const a of loaded) a.dispose();
      fail('ValueError', `Trainer.loadStates: '${file}' holds unnamed arrays, not trainer states`);
    }
    const metaArray = loaded[TRAINER_META_KEY];
    if (metaArray === undefined) {
      for (const a of Object.values(loaded)) a.dispose();
      return fail('ValueError', `Trainer.loadStates: '${file}' has no '${TRAINER_META_KEY}' entry: not written by Trainer.saveStates`);
    }
    const meta = JSON.parse(new TextDecoder().decode(metaArray.dataSync() as Uint8Array)) as OptimizerMeta;
    metaArray.dispose();
    const arrays: Record<string, NDArray> = {};
    for (const [k, a] of Object.entries(loaded)) if (k !== TRAINER_META_KEY) arrays[k] = a;
    this.adopt('loadStates', { arrays, meta });
  }

  /** Checks the states fit these parameters, then hands them to the optimizer. */
  private adopt(who: string, states: OptimizerStates): void {
    const dispose = (): void => {
      for (const a of Object.values(states.arrays)) a.dispose();
    };
    for (const [index, size] of states.meta.stateSizes) {
      const p = this.params[index];
      if (p === undefined) {
        dispose();
        fail('ValueError', `Trainer.${who}: the states hold index ${index}, but the trainer has ${this.params.length} parameters`);
      }
      const want = p.isInitialized ? p.data().shape : undefined;
      for (let k = 0; k < size; k++) {
        const a = states.arrays[`${index}_${k}`];
        if (a !== undefined && want !== undefined && !sameShape(a.shape, want)) {
          dispose();
          fail('ValueError', `Trainer.${who}: state ${k} of Parameter '${p.name}' has shape (${a.shape.join(', ')}), the parameter (${want.join(', ')})`);
        }
      }
    }
    try {
      this.optimizer.loadStates(states);
    } catch (e) {
      dispose();
      throw e;
    }
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
