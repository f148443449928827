// gluon.Trainer: trains a linear regression with autograd, rescales by the batch size, honours
// gradReq 'null' and lrMult, refuses bad input naming the parameter, checkpoints (file and in
// memory: continuing is bit-identical), allocates nothing per step; gluon.utils.clipGlobalNorm.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';
import { Dense } from '../src/gluon/nn/basic_layers.js';
import { Parameter } from '../src/gluon/parameter.js';
import { ParameterDict } from '../src/gluon/parameter_dict.js';
import { Trainer, TRAINER_META_KEY } from '../src/gluon/trainer.js';
import { clipGlobalNorm } from '../src/gluon/utils.js';
import * as optimizer from '../src/optimizer/index.js';
import { FactorScheduler } from '../src/lr_scheduler.js';

const nd = mx.nd;
const ag = mx.autograd;
const f32 = (a: mx.NDArray): number[] => Array.from(a.dataSync() as Float32Array);

/** Deterministic values in [-scale, scale]. */
function values(n: number, seed: number, scale = 1): number[] {
  const out: number[] = [];
  let x = seed * 7919 + 17;
  for (let i = 0; i < n; i++) {
    x = (x * 9301 + 49297) % 233280;
    out.push(((x / 233280) * 2 - 1) * scale);
  }
  return out;
}

/** y = x . [2, -3.4] + 4.2 for 64 rows. */
function regressionData(): { x: mx.NDArray; y: mx.NDArray } {
  const n = 64;
  const xs = values(2 * n, 3, 2);
  const ys: number[] = [];
  for (let i = 0; i < n; i++) ys.push(2 * xs[2 * i]! - 3.4 * xs[2 * i + 1]! + 4.2);
  return { x: nd.array(xs, { shape: [n, 2] }), y: nd.array(ys, { shape: [n, 1] }) };
}

function linearParams(): ParameterDict {
  const pd = new ParameterDict('lin_');
  pd.get('weight', { shape: [1, 2] });
  pd.get('bias', { shape: [1], init: 'zeros' });
  pd.initialize('zeros');
  return pd;
}

/** One full-batch step of squared loss; returns the loss (read after the step). */
function trainStep(pd: ParameterDict, trainer: Trainer, x: mx.NDArray, y: mx.NDArray): number {
  return mx.tidy(() => {
    const w = pd.lookup('lin_weight')!.data();
    const b = pd.lookup('lin_bias')!.data();
    const loss = ag.record(() => {
      const pred = nd.FullyConnected(x, w, { num_hidden: 1, bias: b });
      return pred.sub(y).square().mul(0.5);
    });
    loss.backward();
    trainer.step(x.shape[0]!);
    return Number(loss.mean().asscalar());
  });
}

describe('Trainer', () => {
  it('trains a linear regression with SGD + momentum (loss below a bound, weights near the truth)', () => {
    const { x, y } = regressionData();
    const pd = linearParams();
    const trainer = new Trainer(pd, 'sgd', { learningRate: 0.1, momentum: 0.9 });
    const losses: number[] = [];
    for (let e = 0; e < 150; e++) losses.push(trainStep(pd, trainer, x, y));
    expect(losses[0]!).toBeGreaterThan(5);
    expect(losses[losses.length - 1]!).toBeLessThan(1e-4);
    const w = f32(pd.lookup('lin_weight')!.data());
    expect(w[0]!).toBeCloseTo(2, 2);
    expect(w[1]!).toBeCloseTo(-3.4, 2);
    expect(f32(pd.lookup('lin_bias')!.data())[0]!).toBeCloseTo(4.2, 2);
    expect(trainer.optimizer.numUpdate).toBe(150);
  });

  it('trains with Adam from a Parameter list and a scheduler', () => {
    const { x, y } = regressionData();
    const pd = linearParams();
    const sched = new FactorScheduler({ step: 100, factor: 0.5 });
    const trainer = new Trainer([...pd.values()], new optimizer.Adam({ learningRate: 0.3, lrScheduler: sched }));
    let loss = Infinity;
    for (let e = 0; e < 300; e++) loss = trainStep(pd, trainer, x, y);
    expect(loss).toBeLessThan(1e-3);
    expect(trainer.learningRate).toBeCloseTo(0.3 * 0.25, 12);
  });

  it('rescales gradients by 1 / batchSize and honours gradReq null and lrMult', () => {
    const a = new Parameter('a', { shape: [2], init: 'ones' });
    const frozen = new Parameter('frozen', { shape: [2], init: 'ones', gradReq: 'null' });
    const slow = new Parameter('slow', { shape: [2], init: 'ones', lrMult: 0.5 });
    for (const p of [a, frozen, slow]) p.initialize();
    const trainer = new Trainer([a, frozen, slow], 'sgd', { learningRate: 0.1, wd: 0 });
    ag.record(() => nd.add_n(a.data().mul(nd.array([4, 8])), frozen.data(), slow.data().mul(nd.array([4, 8]))).sum()).backward();
    trainer.step(4);
    expect(f32(a.data())).toEqual([1 - 0.1, 1 - 0.2].map(Math.fround));
    expect(f32(frozen.data())).toEqual([1, 1]);
    expect(f32(slow.data())).toEqual([1 - 0.05, 1 - 0.1].map(Math.fround));
    expect(trainer.optimizer.rescaleGrad).toBe(0.25);
    trainer.update(2);
    expect(trainer.optimizer.rescaleGrad).toBe(0.5);
    expect(f32(a.data())[0]!).toBeCloseTo(0.9 - 0.2, 6);
  });

  it('sets the learning rate through the optimizer', () => {
    const p = new Parameter('p', { shape: [1], init: 'zeros' });
    p.initialize();
    const trainer = new Trainer([p], 'sgd', { learningRate: 0.5 });
    expect(trainer.learningRate).toBe(0.5);
    trainer.setLearningRate(0.25);
    expect(trainer.learningRate).toBe(0.25);
    trainer.learningRate = 0.125;
    expect(trainer.optimizer.learningRate).toBe(0.125);
  });

  it('allocates no arrays in step() once states exist', () => {
    const { x, y } = regressionData();
    const pd = linearParams();
    for (const name of ['sgd', 'adam', 'adamw', 'rmsprop']) {
      const trainer = new Trainer(pd, name, name === 'sgd' ? { momentum: 0.9 } : {});
      trainStep(pd, trainer, x, y);
      const w = pd.lookup('lin_weight')!.data();
      ag.record(() => nd.FullyConnected(x, w, { num_hidden: 1, bias: pd.lookup('lin_bias')!.data() }).sub(y).square()).backward();
      const before = mx.memory().numArrays;
      trainer.step(64);
      trainer.step(64);
      expect(mx.memory().numArrays, name).toBe(before);
      trainer.optimizer.dispose();
    }
  });
});

describe('Trainer with a Gluon block', () => {
  it('trains nn.Dense from collectParams(); before the first forward its deferred weight is named', () => {
    const { x, y } = regressionData();
    const net = new Dense(1);
    net.initialize('xavier');
    const trainer = new Trainer(net.collectParams(), 'sgd', { learningRate: 0.1 });
    expect(() => trainer.step(64)).toThrow(/Parameter '[^']*weight' has not been initialized yet because initialization was deferred/);
    let loss = Infinity;
    for (let e = 0; e < 100; e++) {
      loss = mx.tidy(() => {
        const l = ag.record(() => net.call(x).sub(y).square().mul(0.5));
        l.backward();
        trainer.step(64);
        return Number(l.mean().asscalar());
      });
    }
    expect(loss).toBeLessThan(1e-3);
  });
});

describe('Trainer errors', () => {
  it('names an uninitialised parameter, and updates nothing', () => {
    const ok = new Parameter('ok', { shape: [1], init: 'ones' });
    ok.initialize();
    const missing = new Parameter('dense9_weight', { shape: [3] });
    const trainer = new Trainer([ok, missing], 'sgd');
    expect(() => trainer.step(1)).toThrow(/Parameter 'dense9_weight' has not been initialized/);
    expect(f32(ok.data())).toEqual([1]);
    const deferred = new Parameter('deferred_weight', { shape: [0, 3], allowDeferredInit: true });
    deferred.initialize();
    expect(() => new Trainer([deferred], 'sgd').step(1)).toThrow(/'deferred_weight'.*deferred/);
  });

  it('refuses bad arguments with the value', () => {
    const p = new Parameter('p', { shape: [1], init: 'zeros' });
    p.initialize();
    expect(() => new Trainer([p, 3 as unknown as Parameter], 'sgd')).toThrow(/only Parameters, got number/);
    expect(() => new Trainer([p, p], 'sgd')).toThrow(/'p' is listed twice/);
    expect(() => new Trainer([p], new optimizer.SGD(), { learningRate: 1 })).toThrow(/optimizerParams must be empty/);
    expect(() => new Trainer([p], 'nope')).toThrow(/cannot find optimizer 'nope'/);
    expect(() => new Trainer([p], 'sgd', {}, { kvstore: 'dist_sync' })).toThrow(/kvstore 'dist_sync' is not supported/);
    expect(() => new Trainer([p], 'sgd').step(0)).toThrow(/batchSize must be a positive number, got 0/);
  });

  it('fails on a stale gradient (arrays that report freshness) unless ignoreStaleGrad', () => {
    const used = new Parameter('used', { shape: [1], init: 'ones' });
    const unused = new Parameter('unused', { shape: [1], init: 'ones' });
    used.initialize();
    unused.initialize();
    // stands in for the engine's fresh-gradient flag (MXNet's _fresh_grad)
    Object.assign(used.data(), { freshGrad: true });
    Object.assign(unused.data(), { freshGrad: false });
    const trainer = new Trainer([used, unused], 'sgd', { learningRate: 1 });
    ag.record(() => used.data().mul(2)).backward();
    expect(() => trainer.step(1)).toThrow(/gradient of Parameter 'unused' has not been updated by backward/);
    trainer.step(1, { ignoreStaleGrad: true });
    expect(f32(used.data())).toEqual([-1]);
    expect(f32(unused.data())).toEqual([1]);
    expect((used.data() as unknown as { freshGrad: boolean }).freshGrad).toBe(false);
  });
});

describe('Trainer checkpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mixnet-trainer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function run(pd: ParameterDict, trainer: Trainer, x: mx.NDArray, y: mx.NDArray, steps: number): void {
    for (let i = 0; i < steps; i++) trainStep(pd, trainer, x, y);
  }
  const mkTrainer = (pd: ParameterDict): Trainer =>
    new Trainer(pd, 'adam', { learningRate: 0.05, wd: 0.01, lrScheduler: new FactorScheduler({ step: 2, factor: 0.8 }) });

  it('saveStates/loadStates through a .params file: continuing is bit-identical', () => {
    const { x, y } = regressionData();
    const straight = linearParams();
    run(straight, mkTrainer(straight), x, y, 8);

    const pd = linearParams();
    const t1 = mkTrainer(pd);
    run(pd, t1, x, y, 4);
    const file = join(dir, 'trainer.states');
    t1.saveStates(file);
    const raw = nd.load(file) as Record<string, mx.NDArray>;
    expect(Object.keys(raw).sort()).toEqual(['0_0', '0_1', '1_0', '1_1', TRAINER_META_KEY]);
    expect(raw[TRAINER_META_KEY]!.dtype).toBe('uint8');

    const resumed = linearParams();
    for (const [k, p] of pd) resumed.lookup(k)!.setData(p.data());
    const t2 = mkTrainer(resumed);
    t2.loadStates(file);
    expect(t2.optimizer.numUpdate).toBe(4);
    run(resumed, t2, x, y, 4);
    for (const k of ['lin_weight', 'lin_bias']) expect(f32(resumed.lookup(k)!.data())).toEqual(f32(straight.lookup(k)!.data()));
    expect(t2.learningRate).toBe(0.05 * 0.8 ** 3);
  });

  it('states()/setStates(): a snapshot stays as taken while training goes on', () => {
    const { x, y } = regressionData();
    const pd = linearParams();
    const t = mkTrainer(pd);
    run(pd, t, x, y, 3);
    const snap = t.states();
    const weights = [...pd.values()].map((p) => p.data().copy());
    const mean0 = f32(snap.arrays['0_0']!);
    run(pd, t, x, y, 3);
    const after = [...pd.values()].map((p) => f32(p.data()));
    expect(f32(snap.arrays['0_0']!)).toEqual(mean0);
    // rewind weights and optimizer, replay: same result
    [...pd.values()].forEach((p, i) => p.setData(weights[i]!));
    t.setStates(snap);
    expect(t.optimizer.numUpdate).toBe(3);
    run(pd, t, x, y, 3);
    expect([...pd.values()].map((p) => f32(p.data()))).toEqual(after);
  });

  it('refuses a file without trainer metadata and states of the wrong shape', () => {
    const plain = join(dir, 'plain.params');
    nd.save(plain, { a: nd.array([1]) });
    const pd = linearParams();
    const t = new Trainer(pd, 'sgd', { momentum: 0.9 });
    expect(() => t.loadStates(plain)).toThrow(/no '__mixnet_trainer_meta__' entry/);
    const other = new Parameter('w', { shape: [5], init: 'ones' });
    other.initialize();
    const t5 = new Trainer([other], 'sgd', { momentum: 0.9 });
    ag.record(() => other.data().sum()).backward();
    t5.step(1);
    expect(() => t.setStates(t5.states())).toThrow(/state 0 of Parameter 'lin_weight' has shape \(5\), the parameter \(1, 2\)/);
  });
});

describe('gluon.utils.clipGlobalNorm', () => {
  it('scales every array by maxNorm / norm when the norm is larger, and returns the norm', () => {
    const a = nd.array([3, 4]);
    const b = nd.array([[12]]);
    expect(clipGlobalNorm([a, b], 6.5)).toBeCloseTo(13, 5);
    expect(f32(a)[0]!).toBeCloseTo(1.5, 5);
    expect(f32(a)[1]!).toBeCloseTo(2, 5);
    expect(f32(b)[0]!).toBeCloseTo(6, 5);
  });

  it('leaves arrays under the bound alone; checkIsfinite false returns an NDArray without waiting', () => {
    const a = nd.array([0.3, 0.4]);
    const norm = clipGlobalNorm([a], 1, false);
    expect(norm).toBeInstanceOf(mx.NDArray);
    expect(f32(norm)[0]!).toBeCloseTo(0.5, 6);
    expect(f32(a)).toEqual([0.3, 0.4].map(Math.fround));
    expect(() => clipGlobalNorm([], 1)).toThrow(/at least one array/);
    expect(() => clipGlobalNorm([a], 0)).toThrow(/maxNorm must be > 0, got 0/);
  });

  it('clips float16 arrays with the norm taken in float32', () => {
    const h = nd.array([300, 400], { dtype: 'float16' });
    expect(clipGlobalNorm([h], 50)).toBeCloseTo(500, 2);
    expect(h.dtype).toBe('float16');
    const back = f32(h.astype('float32'));
    expect(back[0]!).toBeCloseTo(30, 1);
    expect(back[1]!).toBeCloseTo(40, 1);
  });
});
