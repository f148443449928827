// Samplers (mx.gluon.data.*Sampler): the order of sample indices for one epoch, and how it is
// cut into batches. Stateful samplers expose getState/setState (JSON-serialisable) so a
// DataLoader can checkpoint the position inside an epoch and resume it exactly.
import { fail } from '../../errors.js';
import { PRNG, randomSeed } from '../../prng.js';

/** Yields the indices of one epoch each time it is iterated. */
export interface Sampler extends Iterable<number> {
  readonly length: number;
  /** State that determines the next epoch's order (undefined: stateless). */
  getState?(): unknown;
  setState?(state: unknown): void;
}

export type LastBatch = 'keep' | 'discard' | 'rollover';

/** 0, 1, ..., length-1. */
export class SequentialSampler implements Sampler {
  constructor(readonly length: number, private readonly start = 0) {
    if (!Number.isInteger(length) || length < 0) fail('ValueError', `SequentialSampler: length must be a non-negative integer, got ${length}`);
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.length; i++) yield this.start + i;
  }
  getState(): null {
    return null;
  }
  setState(): void {}
}

/** A fresh random permutation of 0..length-1 every epoch, from a seedable PRNG. */
export class RandomSampler implements Sampler {
  private readonly rng: PRNG;

  constructor(readonly length: number, seed?: number) {
    if (!Number.isInteger(length) || length < 0) fail('ValueError', `RandomSampler: length must be a non-negative integer, got ${length}`);
    this.rng = new PRNG(seed ?? randomSeed());
  }
  /** The permutation of the next epoch (advances the PRNG). */
  nextPermutation(): Int32Array {
    return this.rng.shuffle(this.length);
  }
  *[Symbol.iterator](): Iterator<number> {
    yield* this.nextPermutation();
  }
  getState(): number[] {
    return this.rng.getState();
  }
  setState(state: unknown): void {
    this.rng.setState(state as number[]);
  }
}

export interface BatchSamplerState {
  sampler: unknown;
  /** rollover: indices carried into the next epoch's first batch. */
  prev: number[];
}

/**
 * Cuts a sampler's epoch into batches. lastBatch: 'keep' yields a short last batch, 'discard'
 * drops it, 'rollover' carries its indices to the front of the next epoch (MXNet semantics).
 */
export class BatchSampler implements Iterable<number[]> {
  private prev: number[] = [];

  constructor(
    readonly sampler: Sampler,
    readonly batchSize: number,
    readonly lastBatch: LastBatch = 'keep',
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) fail('ValueError', `BatchSampler: batchSize must be a positive integer, got ${batchSize}`);
    if (lastBatch !== 'keep' && lastBatch !== 'discard' && lastBatch !== 'rollover') {
      fail('ValueError', `BatchSampler: lastBatch must be 'keep', 'discard' or 'rollover', got '${String(lastBatch)}'`);
    }
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch = this.prev;
    this.prev = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length === 0) return;
    if (this.lastBatch === 'keep') yield batch;
    else if (this.lastBatch === 'rollover') this.prev = batch;
  }

  /** Batches in the next epoch. */
  get length(): number {
    const n = this.sampler.length;
    const bs = this.batchSize;
    switch (this.lastBatch) {
      case 'keep':
        return Math.ceil(n / bs);
      case 'discard':
        return Math.floor(n / bs);
      case 'rollover':
        return Math.floor((this.prev.length + n) / bs);
    }
  }

  /** Whether getState/setState can capture the position (the sampler is stateless or has them). */
  get hasState(): boolean {
    return typeof this.sampler.getState === 'function' && typeof this.sampler.setState === 'function';
  }

  getState(): BatchSamplerState {
    if (!this.hasState) fail('NotImplementedError', 'BatchSampler.getState: the sampler has no getState/setState, so its position cannot be saved');
    return { sampler: this.sampler.getState!(), prev: [...this.prev] };
  }

  setState(state: BatchSamplerState): void {
    if (!this.hasState) fail('NotImplementedError', 'BatchSampler.setState: the sampler has no getState/setState');
    if (state === null || typeof state !== 'object' || !Array.isArray(state.prev) || !state.prev.every((i) => Number.isInteger(i))) {
      fail('ValueError', `BatchSampler.setState: expected {sampler, prev: number[]}, got ${JSON.stringify(state)}`);
    }
    this.sampler.setState!(state.sampler);
    this.prev = [...state.prev];
  }
}
