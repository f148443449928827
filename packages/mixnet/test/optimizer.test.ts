// mx.optimizer: every optimizer's updates over several steps against plain-JS implementations of
// MXNet 1.x's formulas (weight decay, gradient rescaling and clipping, per-index lr/wd
// multipliers, schedulers), multi-precision SGD, the create() registry, learning-rate rules, and
// checkpoints (save, continue vs uninterrupted: bit-identical).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';
import * as optimizer from '../src/optimizer/index.js';
import { FactorScheduler } from '../src/lr_scheduler.js';

const nd = mx.nd;

const f32 = (a: mx.NDArray): number[] => Array.from(a.dataSync() as Float32Array);

// ---- reference formulas (float64, elementwise) ----------------------------------------------
type Hyper = Record<string, number | boolean>;
interface RefCtx {
  lr: number; // scheduled lr times lrMult
  wd: number; // wd times wdMult
  t: number; // this index's update count (1-based)
  h: Hyper;
}
const clip = (x: number, c: number): number => (c < 0 ? x : Math.min(Math.max(x, -c), c));
const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);

/** One update of element i: w, g and the state values s (mutated), returns the new weight. */
type RefStep = (w: number, g: number, s: number[], c: RefCtx) => number;

const REF: Record<string, { stateSize: (h: Hyper) => number; step: RefStep }> = {
  sgd: {
    stateSize: (h) => (h.momentum ? 1 : 0),
    step: (w, g, s, { lr, wd, h }) => {
      const gg = clip((h.rescaleGrad as number) * g, h.clipGradient as number);
      if (!h.momentum) return w - lr * (gg + wd * w);
      s[0] = (h.momentum as number) * s[0]! - lr * wd * w - lr * gg;
      return w + s[0];
    },
  },
  nag: {
    stateSize: (h) => (h.momentum ? 1 : 0),
    step: (w, g, s, { lr, wd, h }) => {
      const gg = clip((h.rescaleGrad as number) * g, h.clipGradient as number) + wd * w;
      if (!h.momentum) return w - lr * gg;
      const mu = h.momentum as number;
      s[0] = mu * s[0]! - lr * gg;
      return w + mu * s[0] - lr * gg;
    },
  },
  adam: {
    stateSize: () => 2,
    step: (w, g, s, { lr, wd, t, h }) => {
      const b1 = h.beta1 as number;
      const b2 = h.beta2 as number;
      const gg = clip((h.rescaleGrad as number) * g + wd * w, h.clipGradient as number);
      s[0] = b1 * s[0]! + (1 - b1) * gg;
      s[1] = b2 * s[1]! + (1 - b2) * gg * gg;
      const lrt = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      return w - (lrt * s[0]) / (Math.sqrt(s[1]) + (h.epsilon as number));
    },
  },
  adamw: {
    stateSize: () => 2,
    step: (w, g, s, { lr, wd, t, h }) => {
      const b1 = h.beta1 as number;
      const b2 = h.beta2 as number;
      const gg = clip((h.rescaleGrad as number) * g, h.clipGradient as number);
      s[0] = b1 * s[0]! + (1 - b1) * gg;
      s[1] = b2 * s[1]! + (1 - b2) * gg * gg;
      const c = Math.sqrt(1 - b2 ** t) / (1 - b1 ** t);
      return w - lr * ((c * s[0]) / (Math.sqrt(s[1]) + (h.epsilon as number)) + wd * w);
    },
  },
  rmsprop: {
    stateSize: (h) => (h.centered ? 3 : 1),
    step: (w, g, s, { lr, wd, h }) => {
      const g1 = h.gamma1 as number;
      const eps = h.epsilon as number;
      const cw = h.clipWeights as number;
      const r = clip((h.rescaleGrad as number) * g + wd * w, h.clipGradient as number);
      s[0] = (1 - g1) * r * r + g1 * s[0]!;
      if (!h.centered) return clip(w - (lr * r) / Math.sqrt(s[0] + eps), cw);
      s[1] = (1 - g1) * r + g1 * s[1]!;
      s[2] = (h.gamma2 as number) * s[2]! - (lr * r) / Math.sqrt(s[0] - s[1] * s[1] + eps);
      return clip(w + s[2], cw);
    },
  },
  adagrad: {
    stateSize: () => 1,
    step: (w, g, s, { lr, wd, h }) => {
      const gg = clip((h.rescaleGrad as number) * g, h.clipGradient as number);
      s[0] = s[0]! + gg * gg;
      return w - lr * (gg / Math.sqrt(s[0] + (h.epsilon as number)) + wd * w);
    },
  },
  signum: {
    stateSize: () => 1,
    step: (w, g, s, { lr, wd, h }) => {
      const mu = h.momentum as number;
      s[0] = mu * s[0]! - (1 - mu) * (wd * w + clip((h.rescaleGrad as number) * g, h.clipGradient as number));
      return (1 - lr * (h.wdLh as number)) * w + lr * sign(s[0]);
    },
  },
  signsgd: {
    stateSize: () => 0,
    step: (w, g, _s, { lr, wd }) => (1 - lr * wd) * w - lr * sign(g),
  },
};

/** Deterministic pseudo-random values in [-scale, scale]. */
function values(n: number, seed: number, scale = 1): number[] {
  const out: number[] = [];
  let x = seed * 9301 + 49297;
  for (let i = 0; i < n; i++) {
    x = (x * 9301 + 49297) % 233280;
    out.push(((x / 233280) * 2 - 1) * scale);
  }
  return out;
}

interface Case {
  name: string;
  options: Hyper;
}

const COMMON = { learningRate: 0.05, wd: 0.1, rescaleGrad: 0.5, clipGradient: 0.6 };
const CASES: Case[] = [
  { name: 'sgd', options: { ...COMMON, momentum: 0 } },
  { name: 'sgd', options: { ...COMMON, momentum: 0.9 } },
  { name: 'sgd', options: { ...COMMON, momentum: 0.8, clipGradient: -1 } },
  { name: 'nag', options: { ...COMMON, momentum: 0.9 } },
  { name: 'nag', options: { ...COMMON, momentum: 0 } },
  { name: 'adam', options: { ...COMMON, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } },
  { name: 'adam', options: { ...COMMON, beta1: 0.8, beta2: 0.95, epsilon: 1e-6, clipGradient: -1 } },
  { name: 'adamw', options: { ...COMMON, beta1: 0.9, beta2: 0.99, epsilon: 1e-8 } },
  { name: 'rmsprop', options: { ...COMMON, gamma1: 0.9, gamma2: 0.9, epsilon: 1e-8, centered: false, clipWeights: -1 } },
  { name: 'rmsprop', options: { ...COMMON, gamma1: 0.8, gamma2: 0.7, epsilon: 1e-6, centered: true, clipWeights: 0.9 } },
  { name: 'adagrad', options: { ...COMMON, epsilon: 1e-7 } },
  { name: 'signum', options: { ...COMMON, momentum: 0.9, wdLh: 0.01 } },
  { name: 'signsgd', options: { ...COMMON } },
];

/** Runs `steps` updates of two weights (index 1 with lr/wd multipliers) on mixnet and the reference. */
function compare(c: Case, steps: number, lrAt: (numUpdate: number) => number, opt: optimizer.Optimizer): void {
  const n = 7;
  const mults = { lr: [1, 0.5], wd: [1, 2] };
  opt.setLrMult({ 1: mults.lr[1]! });
  opt.setWdMult({ 1: mults.wd[1]! });
  const h = { ...c.options, ...optionsOf(opt) };
  const ws = [values(n, 1), values(n, 2, 2)];
  const weights = ws.map((w) => nd.array(w));
  const states = ws.map(() => Array.from({ length: n }, () => new Array<number>(REF[c.name]!.stateSize(h)).fill(0)));
  let numUpdate = 0;
  for (let t = 1; t <= steps; t++) {
    for (let idx = 0; idx < 2; idx++) {
      const g = values(n, 10 * t + idx, 3);
      opt.updateIndex(idx, weights[idx]!, nd.array(g));
      numUpdate = Math.max(numUpdate, t);
      const ctx: RefCtx = { lr: lrAt(numUpdate) * mults.lr[idx]!, wd: (c.options.wd as number) * mults.wd[idx]!, t, h };
      ws[idx] = ws[idx]!.map((w, i) => REF[c.name]!.step(w, g[i]!, states[idx]![i]!, ctx));
    }
  }
  for (let idx = 0; idx < 2; idx++) {
    const got = f32(weights[idx]!);
    got.forEach((v, i) => expect(v, `${c.name} ${JSON.stringify(c.options)} index ${idx} element ${i}`).toBeCloseTo(ws[idx]![i]!, 5));
  }
  expect(opt.numUpdate).toBe(steps);
  expect(opt.indexUpdateCount.get(1)).toBe(steps);
}

/** The hyper-parameters the optimizer actually uses (defaults filled in). */
function optionsOf(opt: optimizer.Optimizer): Hyper {
  const meta = opt.saveStates().meta;
  const out: Hyper = {};
  for (const [k, v] of Object.entries(meta.hyper)) if (v !== null) out[k] = v;
  return out;
}

describe('optimizers against reference formulas', () => {
  for (const c of CASES) {
    it(`${c.name} ${JSON.stringify(c.options)}`, () => {
      const opt = optimizer.create(c.name, c.options);
      expect(opt.name).toBe(c.name);
      compare(c, 4, () => c.options.learningRate as number, opt);
      opt.dispose();
    });
  }

  it('follows an lr scheduler (Adam with a FactorScheduler and warm-up)', () => {
    const sched = () => new FactorScheduler({ step: 2, factor: 0.5, warmupSteps: 1, warmupBeginLr: 0.01 });
    const c: Case = { name: 'adam', options: { ...COMMON, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } };
    const opt = optimizer.create('adam', { ...c.options, lrScheduler: sched() });
    const reference = sched();
    reference.setBaseLr(COMMON.learningRate);
    compare(c, 6, (u) => reference.call(u), opt);
    // MXNet drops the lr once numUpdate > count + step: at updates 3 and 5
    expect(opt.learningRate).toBeCloseTo(0.05 * 0.25, 12);
  });
});

describe('multi-precision SGD', () => {
  it('updates a float32 master copy and writes it back as float16', () => {
    const w0 = [0.1, -0.2, 0.3337, 1.0001];
    const w = nd.array(w0, { dtype: 'float16' });
    const opt = new optimizer.SGD({ learningRate: 0.01, momentum: 0.9, multiPrecision: true });
    let master = w0.map((v) => Math.fround(f16(v)));
    const mom = [0, 0, 0, 0];
    for (let t = 0; t < 3; t++) {
      const g = values(4, t, 0.7);
      opt.updateIndex(0, w, nd.array(g, { dtype: 'float16' }));
      master = master.map((m, i) => {
        mom[i] = 0.9 * mom[i]! - 0.01 * f16(g[i]!);
        return m + mom[i]!;
      });
    }
    const [m32] = opt.states.get(0)!;
    expect(m32!.dtype).toBe('float32');
    f32(m32!).forEach((v, i) => expect(v).toBeCloseTo(master[i]!, 6));
    expect(w.dtype).toBe('float16');
    const back = f32(w.astype('float32'));
    back.forEach((v, i) => expect(v).toBe(f16(master[i]!)));
  });
});

describe('multi-precision through the generic path', () => {
  it('Adam on a float16 weight updates its float32 master exactly as Adam on float32', () => {
    const w0 = [0.5, -0.25, 0.125, 2];
    const half = nd.array(w0, { dtype: 'float16' });
    const full = nd.array(w0);
    const mp = new optimizer.Adam({ learningRate: 0.01, wd: 0.01, multiPrecision: true });
    const plain = new optimizer.Adam({ learningRate: 0.01, wd: 0.01 });
    for (let t = 0; t < 3; t++) {
      const g16 = nd.array(values(4, t + 5, 0.5), { dtype: 'float16' });
      mp.updateIndex(0, half, g16);
      plain.updateIndex(0, full, g16.astype('float32'));
    }
    const state = mp.states.get(0)!;
    expect(state.length).toBe(3); // master, mean, var
    expect(f32(state[0]!)).toEqual(f32(full));
    expect(f32(half.astype('float32'))).toEqual(f32(full.astype('float16').astype('float32')));
    expect(f32(half.astype('float32'))[0]).not.toBe(w0[0]); // it moved
  });
});

/** Rounds to the nearest float16 (normal range; enough for these values). */
function f16(x: number): number {
  if (x === 0) return 0;
  const e = Math.floor(Math.log2(Math.abs(x)));
  const ulp = 2 ** (e - 10);
  return Math.round(x / ulp) * ulp;
}

describe('optimizer rules', () => {
  it('create() finds every MXNet name case-insensitively and names the unknown', () => {
    expect(optimizer.registered()).toEqual(['adagrad', 'adam', 'adamw', 'nag', 'rmsprop', 'sgd', 'signsgd', 'signum']);
    expect(optimizer.create('SGD', { momentum: 0.5 })).toBeInstanceOf(optimizer.SGD);
    expect(() => optimizer.create('sgdd')).toThrow(/cannot find optimizer 'sgdd'/);
  });

  it('uses MXNet default learning rates', () => {
    expect(new optimizer.SGD().learningRate).toBe(0.01);
    expect(new optimizer.Adam().learningRate).toBe(0.001);
    expect(new optimizer.RMSProp().learningRate).toBe(0.001);
    expect(new optimizer.AdaGrad().learningRate).toBe(0.01);
  });

  it('sets the learning rate only without a scheduler; a scheduler takes learningRate as its base', () => {
    const o = new optimizer.SGD({ learningRate: 0.1 });
    o.learningRate = 0.2;
    expect(o.learningRate).toBe(0.2);
    o.setLearningRate(0.3);
    expect(o.learningRate).toBe(0.3);
    const s = new FactorScheduler({ step: 10, factor: 0.5, baseLr: 1 });
    const withSched = new optimizer.SGD({ learningRate: 0.4, lrScheduler: s });
    expect(s.baseLr).toBe(0.4);
    expect(() => withSched.setLearningRate(0.1)).toThrow(/lrScheduler/);
    expect(new optimizer.Adam({ lrScheduler: new FactorScheduler({ step: 3, baseLr: 0.7 }) }).learningRate).toBe(0.7);
  });

  it('reads lr/wd multipliers by parameter name, and from Gluon parameters first', () => {
    const o = new optimizer.SGD({ learningRate: 0.1, wd: 0.01, paramIdx2Name: { 0: 'fc_weight', 1: 'fc_bias' } });
    o.setLrMult({ fc_bias: 2 });
    o.setWdMult({ fc_bias: 0 });
    expect(o.getLr(0)).toBeCloseTo(0.1, 15);
    expect(o.getLr(1)).toBeCloseTo(0.2, 15);
    expect(o.getWd(1)).toBe(0);
    o.paramDict.set(1, { lrMult: 3, wdMult: 5 });
    expect(o.getLr(1)).toBeCloseTo(0.3, 15);
    expect(o.getWd(1)).toBeCloseTo(0.05, 15);
  });

  it('rejects bad hyper-parameters with the value', () => {
    expect(() => new optimizer.SGD({ momentum: 1.5 })).toThrow(/momentum must be in \[0, 1\), got 1.5/);
    expect(() => new optimizer.Adam({ beta1: 1 })).toThrow(/beta1 must be in \[0, 1\), got 1/);
    expect(() => new optimizer.SGD({ learningRate: Number.NaN })).toThrow(/learningRate must be a finite number/);
    expect(() => optimizer.create('sgd', { momentun: 0.9 })).toThrow(/SGD: unknown option 'momentun'/);
    expect(() => optimizer.create('signsgd', { momentum: 0.9 })).toThrow(/SignSGD: unknown option 'momentum'/);
    expect(() => optimizer.create('adam', { learning_rate: 0.1, learningRate: 0.2 })).toThrow(/'learningRate' is given twice/);
  });

  it("create() accepts MXNet's Python option names", () => {
    const o = optimizer.create('rmsprop', { learning_rate: 0.2, clip_weights: 0.5, rescale_grad: 0.25, param_idx2name: { 0: 'w' } }) as optimizer.RMSProp;
    expect(o.learningRate).toBe(0.2);
    expect(o.clipWeights).toBe(0.5);
    expect(o.rescaleGrad).toBe(0.25);
    expect(o.idx2name[0]).toBe('w');
  });

  it('counts from beginNumUpdate and keeps per-index counts', () => {
    const o = new optimizer.SGD({ beginNumUpdate: 10 });
    const w = nd.array([1]);
    const g = nd.array([1]);
    o.updateIndex(3, w, g);
    o.updateIndex(3, w, g);
    o.updateIndex(5, w, g);
    expect(o.indexUpdateCount.get(3)).toBe(12);
    expect(o.indexUpdateCount.get(5)).toBe(11);
    expect(o.numUpdate).toBe(12);
  });

  it('getUpdater takes (index, grad, weight) as MXNet', () => {
    const o = new optimizer.SGD({ learningRate: 0.5 });
    const upd = optimizer.getUpdater(o);
    const w = nd.array([1, 2]);
    upd(0, nd.array([2, -2]), w);
    expect(f32(w)).toEqual([0, 3]);
  });
});

describe('optimizer checkpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mixnet-opt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const make: Record<string, () => optimizer.Optimizer> = {
    'sgd momentum + factor schedule': () =>
      new optimizer.SGD({ learningRate: 0.1, momentum: 0.9, wd: 0.01, lrScheduler: new FactorScheduler({ step: 2, factor: 0.7 }) }),
    'adam + multiplier': () => new optimizer.Adam({ learningRate: 0.01, wd: 0.001 }),
    'adamw': () => new optimizer.AdamW({ learningRate: 0.01, wd: 0.01 }),
    'rmsprop centered': () => new optimizer.RMSProp({ centered: true }),
  };

  for (const [label, mk] of Object.entries(make)) {
    it(`${label}: save after 3 steps, restore in a new optimizer, continue: bit-identical`, () => {
      const grads = (t: number, i: number) => nd.array(values(5, 100 * t + i, 2));
      const w0 = [values(5, 7), values(5, 8)];

      const straight = mk();
      const ws = w0.map((w) => nd.array(w));
      for (let t = 0; t < 6; t++) ws.forEach((w, i) => straight.updateIndex(i, w, grads(t, i)));

      const first = mk();
      const wr = w0.map((w) => nd.array(w));
      for (let t = 0; t < 3; t++) wr.forEach((w, i) => first.updateIndex(i, w, grads(t, i)));
      const saved = first.saveStates();
      const file = join(dir, `${label.replace(/\W+/g, '_')}.states`);
      nd.save(file, saved.arrays);
      const meta = JSON.parse(JSON.stringify(saved.meta)) as optimizer.OptimizerMeta;
      first.dispose();

      const second = mk();
      second.loadStates({ arrays: nd.load(file) as Record<string, mx.NDArray>, meta });
      expect(second.numUpdate).toBe(3);
      for (let t = 3; t < 6; t++) wr.forEach((w, i) => second.updateIndex(i, w, grads(t, i)));

      for (let i = 0; i < 2; i++) expect(f32(wr[i]!)).toEqual(f32(ws[i]!));
      expect(second.learningRate).toBe(straight.learningRate);
      expect(second.saveStates().meta).toEqual(straight.saveStates().meta);
    });
  }

  it('refuses states of another optimizer or a scheduler mismatch', () => {
    const a = new optimizer.SGD({ momentum: 0.9 });
    a.updateIndex(0, nd.array([1]), nd.array([1]));
    const saved = a.saveStates();
    expect(() => new optimizer.Adam().loadStates(saved)).toThrow(/optimizer 'sgd', not 'adam'/);
    expect(() => new optimizer.SGD({ lrScheduler: new FactorScheduler({ step: 1 }) }).loadStates(saved)).toThrow(/without an lrScheduler/);
    const missing = { arrays: {}, meta: saved.meta };
    expect(() => new optimizer.SGD({ momentum: 0.9 }).loadStates(missing)).toThrow(/state array '0_0' is missing/);
  });
});
