// Gluon's core: parameters (initialisation, deferred shapes, grad_req), blocks (naming,
// discovery of children and parameters, hooks), initializers, and save/load of parameters.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';

const { nd, gluon } = mx;
const dir = mkdtempSync(join(tmpdir(), 'mixnet-gluon-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const values = (a: mx.NDArray): number[] => Array.from(a.dataSync() as Float32Array);

/** y = x · Wᵀ with W (units, in) whose in-size is learned from the first input. */
class Linear extends gluon.HybridBlock {
  readonly weight: mx.gluon.Parameter;
  constructor(readonly units: number, options: mx.gluon.BlockOptions = {}) {
    super(options);
    this.weight = this.params.get('weight', { shape: [units, 0], allowDeferredInit: true });
  }
  override inferShape(x: mx.NDArray): void {
    this.weight.shape = [this.units, x.shape[1]!];
  }
  override hybridForward(F: mx.gluon.OpNamespace, p: Record<string, mx.NDArray>, x: mx.NDArray): mx.NDArray {
    return F.FullyConnected(x, p.weight!, { num_hidden: this.units, no_bias: true });
  }
}

class TwoLayer extends gluon.HybridBlock {
  readonly first: Linear;
  readonly second: Linear;
  constructor() {
    super();
    [this.first, this.second] = this.nameScope(() => [new Linear(3), new Linear(2)]);
  }
  override hybridForward(_F: mx.gluon.OpNamespace, _p: Record<string, mx.NDArray>, x: mx.NDArray): mx.NDArray {
    return this.second.call(this.first.call(x));
  }
}

describe('gluon blocks', () => {
  it('names blocks by class and counter, nested under the parent in a name scope', () => {
    const a = new Linear(2);
    const b = new Linear(2);
    const na = Number(/^linear(\d+)_$/.exec(a.prefix)![1]);
    expect(b.prefix).toBe(`linear${na + 1}_`);
    expect(a.weight.name).toBe(`${a.prefix}weight`);
    const net = new TwoLayer();
    expect(net.first.prefix).toBe(`${net.prefix}linear0_`);
    expect(net.second.prefix).toBe(`${net.prefix}linear1_`);
    expect(new Linear(1, { prefix: 'fc_' }).prefix).toBe('fc_');
  });

  it('discovers children and parameters from properties, in assignment order', () => {
    const net = new TwoLayer();
    expect([...net.children.keys()]).toEqual(['first', 'second']);
    const names = [...net.collectParams().keys()];
    expect(names).toEqual([net.first.weight.name, net.second.weight.name]);
    expect([...net.collectParamsWithPrefix().keys()]).toEqual(['first.weight', 'second.weight']);
    expect([...net.collectParams('.*linear1').keys()]).toEqual([net.second.weight.name]);
  });

  it('defers initialisation until the first forward fills in the shape', () => {
    const net = new TwoLayer();
    net.initialize(new mx.init.Constant(0.5));
    expect(net.first.weight.isDeferred).toBe(true);
    expect(() => net.first.weight.data()).toThrow(gluon.DeferredInitializationError);
    const y = net.call(nd.ones([4, 5]));
    expect(net.first.weight.shape).toEqual([3, 5]);
    expect(net.second.weight.shape).toEqual([2, 3]);
    // each output: sum over 3 of 0.5 * (sum over 5 of 0.5 * 1) = 3 * 0.5 * 2.5
    expect(values(y)).toEqual(new Array(8).fill(3.75));
  });

  it('refuses to use an uninitialised parameter, naming it', () => {
    const l = new Linear(2);
    expect(() => l.call(nd.ones([1, 2]))).toThrow(new RegExp(`Parameter '${l.weight.name}' has not been initialised`));
    const p = new gluon.Parameter('lonely_weight', { shape: [2, 0] });
    expect(() => p.initialize()).toThrow(/lonely_weight.*unknown shape/);
  });

  it('dispatches the global initializer on the parameter name; a parameter init wins', () => {
    const pd = new gluon.ParameterDict('blk_');
    const w = pd.get('weight', { shape: [2, 2] });
    const b = pd.get('bias', { shape: [2] });
    const g = pd.get('gamma', { shape: [2] });
    const rv = pd.get('running_var', { shape: [2] });
    const own = pd.get('bias2', { shape: [2], init: new mx.init.Constant(7) });
    pd.initialize(new mx.init.Constant(3));
    expect(values(w.data())).toEqual([3, 3, 3, 3]);
    expect(values(b.data())).toEqual([0, 0]);
    expect(values(g.data())).toEqual([1, 1]);
    expect(values(rv.data())).toEqual([1, 1]);
    expect(values(own.data())).toEqual([7, 7]);
    expect(() => pd.get('weight', { shape: [3, 2] })).toThrow(/blk_weight.*\(2, 2\).*\(3, 2\)/);
    const odd = new gluon.Parameter('mystery', { shape: [2] });
    expect(() => odd.initialize({ init: 'xavier' })).toThrow(/mystery/);
  });

  it('draws Xavier and Normal values with the scale MXNet defines', () => {
    mx.random.seed(42);
    const p = new gluon.Parameter('conv_weight', { shape: [64, 32, 3, 3] });
    p.initialize({ init: new mx.init.Xavier('uniform', 'avg', 3) });
    const v = values(p.data());
    const scale = Math.sqrt(3 / ((32 * 9 + 64 * 9) / 2));
    expect(Math.max(...v)).toBeLessThanOrEqual(scale);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-scale);
    const std = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    expect(std).toBeCloseTo(scale / Math.sqrt(3), 2); // uniform(-a, a) has std a/√3
    const n = new gluon.Parameter('n_weight', { shape: [10000] });
    n.initialize({ init: new mx.init.Normal(0.5) });
    const nv = values(n.data());
    const nstd = Math.sqrt(nv.reduce((s, x) => s + x * x, 0) / nv.length);
    expect(nstd).toBeGreaterThan(0.48);
    expect(nstd).toBeLessThan(0.52);
    const flat = new gluon.Parameter('flat_weight', { shape: [5] });
    expect(() => flat.initialize({ init: 'xavier' })).toThrow(/Xavier.*flat_weight.*at least 2 dimensions/);
    expect(() => mx.init.create('nope')).toThrow(/unknown initializer 'nope'/);
  });

  it('initialises reproducibly from mx.random.seed', () => {
    const draw = (): number[] => {
      mx.random.seed(7);
      const p = new gluon.Parameter('r_weight', { shape: [3, 4] });
      p.initialize({ init: 'xavier' });
      return values(p.data());
    };
    expect(draw()).toEqual(draw());
  });

  it('computes gradients for write, accumulates for add, and none for null', () => {
    const l = new Linear(1);
    l.initialize(new mx.init.Constant(1));
    const x = nd.array([[1, 2, 3]]);
    const run = (): void => mx.autograd.record(() => l.call(x)).backward();
    run();
    expect(values(l.weight.grad())).toEqual([1, 2, 3]);
    run();
    expect(values(l.weight.grad())).toEqual([1, 2, 3]);
    l.weight.gradReq = 'add';
    l.weight.zeroGrad();
    run();
    run();
    expect(values(l.weight.grad())).toEqual([2, 4, 6]);
    l.collectParams().setAttr('gradReq', 'null');
    expect(() => l.weight.grad()).toThrow(/grad_req is 'null'/);
  });

  it('saves by structural name and loads back, checking names and shapes first', () => {
    mx.random.seed(1);
    const net = new TwoLayer();
    net.initialize('xavier');
    const x = nd.random.uniform(-1, 1, [2, 4]);
    const y = values(net.call(x));
    const file = join(dir, 'two.params');
    net.saveParameters(file);
    const saved = nd.load(file) as Record<string, mx.NDArray>;
    expect(Object.keys(saved).sort()).toEqual(['first.weight', 'second.weight']);

    const fresh = new TwoLayer();
    fresh.initialize();
    fresh.call(x); // shapes known
    fresh.loadParameters(file);
    expect(values(fresh.call(x))).toEqual(y);

    // full names (collectParams().save) load as well, into blocks with the same prefixes
    const full = join(dir, 'two-full.params');
    net.collectParams().save(full);
    net.collectParams().setAttr('init', 'zeros');
    net.initialize(undefined, { forceReinit: true });
    expect(values(net.call(x))).toEqual([0, 0, 0, 0]);
    net.loadParameters(full);
    expect(values(net.call(x))).toEqual(y);
  });

  it('reports missing, extra and mis-shaped arrays, changing nothing', () => {
    const net = new TwoLayer();
    net.initialize(new mx.init.Constant(2));
    net.call(nd.ones([1, 4]));
    const partial = join(dir, 'partial.params');
    nd.save(partial, { 'first.weight': nd.zeros([3, 4]) });
    expect(() => net.loadParameters(partial)).toThrow(/lacks parameter\(s\) second\.weight/);
    expect(values(net.first.weight.data())[0]).toBe(2);
    net.loadParameters(partial, { allowMissing: true });
    expect(values(net.first.weight.data())[0]).toBe(0);

    const extra = join(dir, 'extra.params');
    nd.save(extra, { 'first.weight': nd.ones([3, 4]), 'second.weight': nd.ones([2, 3]), 'third.bias': nd.ones([1]) });
    expect(() => net.loadParameters(extra)).toThrow(/third\.bias.*match no parameter/);
    net.loadParameters(extra, { ignoreExtra: true });
    expect(values(net.second.weight.data())[0]).toBe(1);

    const wrong = join(dir, 'wrong.params');
    nd.save(wrong, { 'first.weight': nd.full([3, 5], 9), 'second.weight': nd.full([2, 3], 9) });
    expect(() => net.loadParameters(wrong)).toThrow(/'first\.weight' has shape \(3, 5\), the parameter expects \(3, 4\)/);
    expect(values(net.second.weight.data())[0]).toBe(1); // untouched: checks precede writes

    const list = join(dir, 'list.params');
    nd.save(list, [nd.ones([1])]);
    expect(() => net.loadParameters(list)).toThrow(/unnamed list/);
  });

  it('chains Sequential children, runs hooks and prints like MXNet', () => {
    const seq = new gluon.HybridSequential();
    seq.add(new Linear(3), new Linear(1));
    seq.initialize(new mx.init.One());
    const seen: number[][] = [];
    const remove = seq.at(0).registerForwardHook((_b, _in, out) => seen.push([...(out as mx.NDArray).shape]));
    expect(values(seq.call(nd.ones([2, 2])))).toEqual([6, 6]);
    expect(seen).toEqual([[2, 3]]);
    remove();
    seq.call(nd.ones([2, 2]));
    expect(seen.length).toBe(1);
    expect(seq.length).toBe(2);
    expect(seq.toString()).toBe('HybridSequential(\n  (0): Linear()\n  (1): Linear()\n)');
    expect(() => seq.at(5)).toThrow(/index 5 out of range for 2 children/);
    expect([...seq.collectParamsWithPrefix().keys()]).toEqual(['0.weight', '1.weight']);
  });

  it('shares parameters between blocks through params', () => {
    const a = new Linear(2, { prefix: 'shared_' });
    const b = new Linear(2, { prefix: 'shared_', params: a.collectParams() });
    expect(b.weight).toBe(a.weight);
  });
});
