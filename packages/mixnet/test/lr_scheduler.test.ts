// mx.lrScheduler: each schedule against hand-computed learning-rate sequences (warm-up included),
// state() round trips through JSON, and argument errors.
import { describe, expect, it } from 'vitest';

import * as sch from '../src/lr_scheduler.js';

/** lr for numUpdate = 0 .. n-1, called in order (Factor/MultiFactor advance as updates pass). */
function seq(s: sch.LRScheduler, n: number, from = 0): number[] {
  const out: number[] = [];
  for (let u = from; u < from + n; u++) out.push(s.call(u));
  return out;
}

function expectClose(got: number[], want: number[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v, `update ${i}`).toBeCloseTo(want[i]!, 12));
}

describe('learning-rate schedules', () => {
  it('LRScheduler: linear and constant warm-up, then baseLr', () => {
    expectClose(seq(new sch.LRScheduler({ baseLr: 0.5, warmupSteps: 5 }), 7), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.5]);
    expectClose(seq(new sch.LRScheduler({ baseLr: 0.5, warmupSteps: 2, warmupBeginLr: 0.1, warmupMode: 'constant' }), 4), [0.1, 0.1, 0.5, 0.5]);
    expect(new sch.LRScheduler().call(100)).toBe(0.01);
  });

  it('FactorScheduler: one factor per full step passed, floored at stopFactorLr', () => {
    const s = new sch.FactorScheduler({ step: 3, factor: 0.5, baseLr: 1, stopFactorLr: 0.2 });
    expectClose(seq(s, 14), [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2]);
    expect(s.count).toBe(12);
  });

  it('FactorScheduler with warm-up counts its steps from update 0 (as MXNet)', () => {
    const s = new sch.FactorScheduler({ step: 2, factor: 0.5, baseLr: 1, warmupSteps: 4, warmupBeginLr: 0.2 });
    expectClose(seq(s, 8), [0.2, 0.4, 0.6, 0.8, 0.5, 0.25, 0.25, 0.125]);
    const c = new sch.FactorScheduler({ step: 2, factor: 0.5, baseLr: 1, warmupSteps: 2, warmupBeginLr: 0.3, warmupMode: 'constant' });
    expectClose(seq(c, 4), [0.3, 0.3, 1, 0.5]);
  });

  it('MultiFactorScheduler: a factor after each milestone', () => {
    const s = new sch.MultiFactorScheduler({ step: [2, 5], factor: 0.1, baseLr: 1 });
    expectClose(seq(s, 8), [1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01]);
    expect(s.curStepInd).toBe(2);
    expect(s.count).toBe(5);
    const w = new sch.MultiFactorScheduler({ step: [3], factor: 0.5, baseLr: 1, warmupSteps: 2 });
    expectClose(seq(w, 5), [0, 0.5, 1, 1, 0.5]);
  });

  it('PolyScheduler: (1 - t / maxSteps)^pwr towards finalLr, held after maxUpdate', () => {
    expectClose(seq(new sch.PolyScheduler({ maxUpdate: 10, baseLr: 2, pwr: 2 }), 13, 0).filter((_, u) => [0, 5, 10, 12].includes(u)), [2, 0.5, 0, 0]);
    const w = new sch.PolyScheduler({ maxUpdate: 10, baseLr: 2, pwr: 2, finalLr: 0.4, warmupSteps: 2 });
    const got = seq(w, 12);
    expectClose([got[0]!, got[1]!, got[2]!, got[6]!, got[10]!, got[11]!], [0, 1, 2, 0.4 + 1.6 * 0.25, 0.4, 0.4]);
    expectClose(seq(new sch.PolyScheduler({ maxUpdate: 4, baseLr: 1, pwr: 1 }), 5), [1, 0.75, 0.5, 0.25, 0]);
  });

  it('CosineScheduler: half a cosine from baseLr to finalLr', () => {
    const s = new sch.CosineScheduler({ maxUpdate: 4, baseLr: 1, finalLr: 0.2 });
    expectClose(seq(s, 6), [1, 0.2 + (0.8 * (1 + Math.SQRT1_2)) / 2, 0.6, 0.2 + (0.8 * (1 - Math.SQRT1_2)) / 2, 0.2, 0.2]);
    const w = new sch.CosineScheduler({ maxUpdate: 6, baseLr: 1, warmupSteps: 2, warmupBeginLr: 0.5 });
    expectClose(seq(w, 7), [0.5, 0.75, 1, (1 + Math.SQRT1_2) / 2, 0.5, (1 - Math.SQRT1_2) / 2, 0]);
  });

  it('setBaseLr (what an optimizer learningRate does) moves the whole schedule', () => {
    const s = new sch.CosineScheduler({ maxUpdate: 2, baseLr: 1, warmupSteps: 1 });
    s.setBaseLr(4);
    expectClose(seq(s, 3), [0, 4, 0]);
  });
});

describe('scheduler state', () => {
  const makers: Record<string, () => sch.LRScheduler> = {
    factor: () => new sch.FactorScheduler({ step: 2, factor: 0.7, baseLr: 1, warmupSteps: 1 }),
    multifactor: () => new sch.MultiFactorScheduler({ step: [3, 6, 9], factor: 0.5, baseLr: 2 }),
    poly: () => new sch.PolyScheduler({ maxUpdate: 8, baseLr: 1, pwr: 3 }),
    cosine: () => new sch.CosineScheduler({ maxUpdate: 8, baseLr: 1, finalLr: 0.1 }),
  };
  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: state() through JSON continues bit-identically`, () => {
      const straight = seq(make(), 12);
      const first = make();
      seq(first, 7);
      const saved = JSON.parse(JSON.stringify(first.state())) as sch.LRSchedulerState;
      const second = make();
      second.setState(saved);
      expect(seq(second, 5, 7)).toEqual(straight.slice(7));
    });
  }

  it('a restored Factor schedule differs from a fresh one (the state matters)', () => {
    const a = new sch.FactorScheduler({ step: 2, factor: 0.5, baseLr: 1 });
    seq(a, 6);
    const b = new sch.FactorScheduler({ step: 2, factor: 0.5, baseLr: 1 });
    b.setState(a.state());
    expect(b.call(6)).toBe(0.25);
    expect(() => b.setState({ baseLr: 1 })).toThrow(/field 'warmupFinalLr' is missing/);
  });
});

describe('scheduler arguments', () => {
  it('names the bad value', () => {
    expect(() => new sch.FactorScheduler({ step: 0 })).toThrow(/step must be >= 1, got 0/);
    expect(() => new sch.FactorScheduler({ step: 2, factor: 1.5 })).toThrow(/factor must be <= 1.*got 1.5/);
    expect(() => new sch.MultiFactorScheduler({ step: [3, 3] })).toThrow(/increasing, got \[3, 3\]/);
    expect(() => new sch.PolyScheduler({ maxUpdate: 0 })).toThrow(/maxUpdate must be an integer >= 1, got 0/);
    expect(() => new sch.LRScheduler({ baseLr: 0.1, warmupBeginLr: 0.5 })).toThrow(/warmupBeginLr \(0.5\) must not exceed baseLr \(0.1\)/);
    expect(() => new sch.LRScheduler({ warmupMode: 'cubic' as sch.WarmupMode })).toThrow(/warmupMode must be 'linear' or 'constant', got 'cubic'/);
  });
});
