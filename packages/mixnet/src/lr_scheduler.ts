// mx.lrScheduler (alias mx.lr_scheduler): learning-rate schedules as functions of the number of
// updates, with MXNet 1.x's semantics (python/mxnet/lr_scheduler.py), warm-up included. Factor
// and MultiFactor schedules keep mutable state (they advance as updates pass), so every scheduler
// has state()/setState() for checkpoints: a restored scheduler continues bit-identically.
import { fail } from './errors.js';

export type WarmupMode = 'linear' | 'constant';

export interface LRSchedulerOptions {
  /** The learning rate after warm-up (an optimizer given a learningRate overwrites it). */
  baseLr?: number;
  /** Updates spent warming up (0 = none). */
  warmupSteps?: number;
  /** The learning rate at update 0 of the warm-up. */
  warmupBeginLr?: number;
  /** 'linear' ramps from warmupBeginLr to baseLr; 'constant' holds warmupBeginLr. */
  warmupMode?: WarmupMode;
}

/** A JSON-serialisable snapshot of a scheduler's mutable fields. */
export type LRSchedulerState = Record<string, number>;

/**
 * The base schedule: warm-up, then a constant baseLr (MXNet's LRScheduler is abstract; here the
 * base is usable as a plain warm-up schedule).
 */
export class LRScheduler {
  baseLr: number;
  readonly warmupSteps: number;
  readonly warmupBeginLr: number;
  readonly warmupMode: WarmupMode;
  /** The learning rate warm-up ends at (baseLr when the schedule was made). */
  warmupFinalLr: number;

  constructor(options: LRSchedulerOptions = {}) {
    const name = new.target.name;
    this.baseLr = options.baseLr ?? 0.01;
    this.warmupSteps = options.warmupSteps ?? 0;
    this.warmupBeginLr = options.warmupBeginLr ?? 0;
    this.warmupMode = options.warmupMode ?? 'linear';
    if (!Number.isInteger(this.warmupSteps) || this.warmupSteps < 0) {
      fail('ValueError', `${name}: warmupSteps must be an integer >= 0, got ${this.warmupSteps}`);
    }
    if (this.warmupBeginLr > this.baseLr) {
      fail('ValueError', `${name}: warmupBeginLr (${this.warmupBeginLr}) must not exceed baseLr (${this.baseLr})`);
    }
    if (this.warmupMode !== 'linear' && this.warmupMode !== 'constant') {
      fail('ValueError', `${name}: warmupMode must be 'linear' or 'constant', got '${String(this.warmupMode)}'`);
    }
    this.warmupFinalLr = this.baseLr;
  }

  /** The learning rate during warm-up (numUpdate < warmupSteps). */
  getWarmupLr(numUpdate: number): number {
    if (numUpdate >= this.warmupSteps) {
      fail('ValueError', `${this.constructor.name}.getWarmupLr: update ${numUpdate} is past the ${this.warmupSteps} warm-up steps`);
    }
    if (this.warmupMode === 'constant') return this.warmupBeginLr;
    return this.warmupBeginLr + ((this.warmupFinalLr - this.warmupBeginLr) * numUpdate) / this.warmupSteps;
  }

  /** The learning rate for the given number of updates done so far. */
  call(numUpdate: number): number {
    if (numUpdate < this.warmupSteps) return this.getWarmupLr(numUpdate);
    return this.baseLr;
  }

  /** Sets the learning rate after warm-up (what an optimizer's learningRate does). */
  setBaseLr(lr: number): void {
    this.baseLr = lr;
    this.warmupFinalLr = lr;
  }

  /** The mutable fields, for a checkpoint. */
  state(): LRSchedulerState {
    return { baseLr: this.baseLr, warmupFinalLr: this.warmupFinalLr };
  }

  /** Restores state() output. */
  setState(s: LRSchedulerState): void {
    this.baseLr = num(s, 'baseLr', this);
    this.warmupFinalLr = num(s, 'warmupFinalLr', this);
  }
}

function num(s: LRSchedulerState, key: string, who: LRScheduler): number {
  const v = s[key];
  if (typeof v !== 'number') fail('ValueError', `${who.constructor.name}.setState: field '${key}' is missing or not a number, got ${String(v)}`);
  return v;
}

/** lr = baseLr * factor^floor((numUpdate - 1) / step), never below stopFactorLr. */
export class FactorScheduler extends LRScheduler {
  readonly step: number;
  readonly factor: number;
  readonly stopFactorLr: number;
  /** The update count the current lr took effect at. */
  count = 0;

  constructor(options: LRSchedulerOptions & { step: number; factor?: number; stopFactorLr?: number }) {
    super(options);
    this.step = options.step;
    this.factor = options.factor ?? 1;
    this.stopFactorLr = options.stopFactorLr ?? 1e-8;
    if (!(this.step >= 1)) fail('ValueError', `FactorScheduler: step must be >= 1, got ${this.step}`);
    if (this.factor > 1) fail('ValueError', `FactorScheduler: factor must be <= 1 for the lr to decay, got ${this.factor}`);
  }

  override call(numUpdate: number): number {
    if (numUpdate < this.warmupSteps) return this.getWarmupLr(numUpdate);
    // MXNet's loop: every full step passed multiplies the lr once (state advances, never rewinds)
    while (numUpdate > this.count + this.step) {
      this.count += this.step;
      this.baseLr *= this.factor;
      if (this.baseLr < this.stopFactorLr) this.baseLr = this.stopFactorLr;
    }
    return this.baseLr;
  }

  override state(): LRSchedulerState {
    return { ...super.state(), count: this.count };
  }
  override setState(s: LRSchedulerState): void {
    super.setState(s);
    this.count = num(s, 'count', this);
  }
}

/** lr = baseLr * factor^(number of steps[i] < numUpdate). */
export class MultiFactorScheduler extends LRScheduler {
  readonly step: readonly number[];
  readonly factor: number;
  /** Index of the next milestone in step. */
  curStepInd = 0;
  /** The milestone the current lr took effect at. */
  count = 0;

  constructor(options: LRSchedulerOptions & { step: readonly number[]; factor?: number }) {
    super(options);
    this.step = [...options.step];
    this.factor = options.factor ?? 1;
    if (this.step.length < 1) fail('ValueError', 'MultiFactorScheduler: step must list at least one update count, got []');
    this.step.forEach((s, i) => {
      if (i > 0 && !(s > this.step[i - 1]!)) fail('ValueError', `MultiFactorScheduler: step must be increasing, got [${this.step.join(', ')}]`);
      if (!(s >= 1)) fail('ValueError', `MultiFactorScheduler: every step must be >= 1, got ${s}`);
    });
    if (this.factor > 1) fail('ValueError', `MultiFactorScheduler: factor must be <= 1 for the lr to decay, got ${this.factor}`);
  }

  override call(numUpdate: number): number {
    if (numUpdate < this.warmupSteps) return this.getWarmupLr(numUpdate);
    while (this.curStepInd < this.step.length && numUpdate > this.step[this.curStepInd]!) {
      this.count = this.step[this.curStepInd]!;
      this.curStepInd++;
      this.baseLr *= this.factor;
    }
    return this.baseLr;
  }

  override state(): LRSchedulerState {
    return { ...super.state(), count: this.count, curStepInd: this.curStepInd };
  }
  override setState(s: LRSchedulerState): void {
    super.setState(s);
    this.count = num(s, 'count', this);
    this.curStepInd = num(s, 'curStepInd', this);
  }
}

/** Shared by Poly and Cosine: a decay from baseLr to finalLr over maxUpdate - warmupSteps updates. */
abstract class DecayToFinal extends LRScheduler {
  readonly maxUpdate: number;
  readonly finalLr: number;
  /** The lr the decay starts from (MXNet's base_lr_orig). */
  baseLrOrig: number;
  readonly maxSteps: number;

  constructor(name: string, options: LRSchedulerOptions & { maxUpdate: number; finalLr?: number }) {
    super(options);
    this.maxUpdate = options.maxUpdate;
    this.finalLr = options.finalLr ?? 0;
    if (!Number.isInteger(this.maxUpdate) || this.maxUpdate < 1) fail('ValueError', `${name}: maxUpdate must be an integer >= 1, got ${this.maxUpdate}`);
    this.baseLrOrig = this.baseLr;
    this.maxSteps = this.maxUpdate - this.warmupSteps;
    if (this.maxSteps < 1) fail('ValueError', `${name}: maxUpdate (${this.maxUpdate}) must exceed warmupSteps (${this.warmupSteps})`);
  }

  /** The decay's shape at progress p in [0, 1] (1 at p = 0, 0 at p = 1). */
  protected abstract shape(p: number): number;

  override call(numUpdate: number): number {
    if (numUpdate < this.warmupSteps) return this.getWarmupLr(numUpdate);
    if (numUpdate <= this.maxUpdate) {
      const p = (numUpdate - this.warmupSteps) / this.maxSteps;
      this.baseLr = this.finalLr + (this.baseLrOrig - this.finalLr) * this.shape(p);
    }
    return this.baseLr;
  }

  // MXNet leaves base_lr_orig alone when an optimizer overwrites base_lr, so its learning_rate
  // has no effect on these schedules; here it does, as a user would expect.
  override setBaseLr(lr: number): void {
    super.setBaseLr(lr);
    this.baseLrOrig = lr;
  }

  override state(): LRSchedulerState {
    return { ...super.state(), baseLrOrig: this.baseLrOrig };
  }
  override setState(s: LRSchedulerState): void {
    super.setState(s);
    this.baseLrOrig = num(s, 'baseLrOrig', this);
  }
}

/** lr = finalLr + (baseLr - finalLr) * (1 - t / maxSteps)^pwr, t counted after warm-up. */
export class PolyScheduler extends DecayToFinal {
  readonly power: number;
  constructor(options: LRSchedulerOptions & { maxUpdate: number; pwr?: number; finalLr?: number }) {
    super('PolyScheduler', options);
    this.power = options.pwr ?? 2;
  }
  protected shape(p: number): number {
    return Math.pow(1 - p, this.power);
  }
}

/** lr = finalLr + (baseLr - finalLr) * (1 + cos(pi * t / maxSteps)) / 2, t counted after warm-up. */
export class CosineScheduler extends DecayToFinal {
  constructor(options: LRSchedulerOptions & { maxUpdate: number; finalLr?: number }) {
    super('CosineScheduler', options);
  }
  protected shape(p: number): number {
    return (1 + Math.cos(Math.PI * p)) / 2;
  }
}
