// gluon.nn layers inside networks: gradients for every parameter, saveParameters/loadParameters
// with structural names, weight sharing, repr text, and errors for bad arguments.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';
import * as nn from '../src/gluon/nn/index.js';

const nd = mx.nd;

function vals(a: mx.NDArray): number[] {
  return Array.from(a.dataSync() as ArrayLike<number>);
}
function absSum(a: mx.NDArray): number {
  return vals(a).reduce((s, v) => s + Math.abs(v), 0);
}
/** The MXNetError `fn` throws (fails the test when it throws something else or nothing). */
function errorOf(fn: () => unknown): mx.MXNetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(mx.MXNetError);
    return e as mx.MXNetError;
  }
  throw new Error('expected an MXNetError, nothing was thrown');
}

const dir = mkdtempSync(path.join(tmpdir(), 'mixnet-gluon-nn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function convNet(): nn.Sequential {
  const net = new nn.Sequential();
  net.add(
    new nn.Conv2D(4, 3, { padding: 1, activation: 'relu' }),
    new nn.BatchNorm(),
    new nn.MaxPool2D(),
    new nn.Conv2DTranspose(2, 2, { strides: 2 }),
    new nn.PReLU(),
    new nn.LayerNorm(),
    new nn.Dense(3, { activation: 'tanh' }),
  );
  return net;
}

describe('autograd through layers', () => {
  it('a small conv net gives a gradient to every trainable parameter and none to running statistics', () => {
    mx.random.seed(3);
    const net = convNet();
    net.initialize('xavier');
    const x = nd.random.normal(0, 1, [2, 1, 6, 6]);
    const loss = mx.autograd.record(() => net.call(x).square().sum());
    loss.backward();
    const params = [...net.collectParams()];
    expect(params.length).toBe(2 + 4 + 2 + 1 + 2 + 2);
    for (const [name, p] of params) {
      if (/running_(mean|var)$/.test(name)) {
        expect(p.gradReq).toBe('null');
        expect(() => p.grad()).toThrow(mx.MXNetError);
      } else {
        expect(p.grad().shape).toEqual(p.data().shape);
        expect(absSum(p.grad()), name).toBeGreaterThan(0);
      }
    }
  });

  it('Dense gradients match the hand-computed ones', () => {
    // loss = sum(W x + b) over a batch: dW[u][k] = sum_n x[n][k], db[u] = batch size
    const d = new nn.Dense(2, { inUnits: 3 }).initialize();
    const x = nd.array([[1, 2, 3], [4, 5, 6]]);
    mx.autograd.record(() => d.call(x).sum()).backward();
    expect(vals(d.weight.grad())).toEqual([5, 7, 9, 5, 7, 9]);
    expect(vals(d.bias!.grad())).toEqual([2, 2]);
    // through relu: units whose pre-activation is negative pass no gradient
    const r = new nn.Dense(2, { inUnits: 1, activation: 'relu' }).initialize();
    r.weight.setData(nd.array([[1], [-1]]));
    mx.autograd.record(() => r.call(nd.array([[2]])).sum()).backward();
    expect(vals(r.weight.grad())).toEqual([2, 0]);
  });
});

describe('saveParameters / loadParameters', () => {
  function nested(): nn.Sequential {
    const inner = new nn.Sequential();
    inner.add(new nn.BatchNorm({ inChannels: 2 }), new nn.Flatten(), new nn.Dense(3, { inUnits: 2 * 3 * 3 }));
    const net = new nn.Sequential();
    net.add(new nn.Conv2D(2, 3, { inChannels: 1 }), inner);
    return net;
  }

  it('writes structural names and restores the same outputs into a fresh network', () => {
    mx.random.seed(5);
    const net = nested();
    net.initialize('xavier');
    const x = nd.random.uniform(-1, 1, [2, 1, 5, 5]);
    mx.autograd.record(() => net.call(x)); // moves the running statistics off their defaults
    const want = vals(net.call(x));
    const file = path.join(dir, 'nested.params');
    net.saveParameters(file);
    const saved = nd.load(file) as Record<string, mx.NDArray>;
    expect(Object.keys(saved).sort()).toEqual(
      ['0.weight', '0.bias', '1.0.gamma', '1.0.beta', '1.0.running_mean', '1.0.running_var', '1.2.weight', '1.2.bias'].sort(),
    );
    expect(saved['1.2.weight']!.shape).toEqual([3, 18]);
    const copy = nested();
    copy.initialize('zeros');
    expect(vals(copy.call(x))).not.toEqual(want);
    copy.loadParameters(file);
    expect(vals(copy.call(x))).toEqual(want);
    const inner = copy.at(1) as unknown as nn.Sequential;
    expect(vals((inner.at(0) as nn.BatchNorm).running_mean.data())).toEqual(vals(saved['1.0.running_mean']!));
  });

  it('loads into a network whose shapes are still deferred', () => {
    const net = new nn.Sequential().add(new nn.Dense(4, { activation: 'relu' }), new nn.Dense(2));
    net.initialize();
    const x = nd.ones([1, 3]);
    const want = vals(net.call(x));
    const file = path.join(dir, 'deferred.params');
    net.saveParameters(file);
    const fresh = new nn.Sequential().add(new nn.Dense(4, { activation: 'relu' }), new nn.Dense(2));
    fresh.loadParameters(file);
    expect(vals(fresh.call(x))).toEqual(want);
  });
});

describe('weight sharing', () => {
  it('a layer built with another\'s params uses the same arrays', () => {
    const a = new nn.Dense(3, { inUnits: 2 });
    const b = new nn.Dense(3, { inUnits: 2, params: a.collectParams() });
    expect(b.weight).toBe(a.weight);
    expect(b.bias).toBe(a.bias);
    const net = new nn.Sequential().add(a, b);
    expect(net.collectParams().size).toBe(2);
  });

  it('a shared layer used twice accumulates both uses in one gradient', () => {
    const shared = new nn.Dense(2, { inUnits: 2, useBias: false });
    const net = new nn.Sequential().add(shared, shared);
    net.initialize();
    shared.weight.setData(nd.array([[1, 0], [0, 2]]));
    const y = mx.autograd.record(() => net.call(nd.array([[1, 1]])));
    expect(vals(y)).toEqual([1, 4]); // W (W x)
    y.backward();
    // d sum(W W x) / dW = 1 (W x)^T + (W^T 1) x^T = [[1, 2], [1, 2]] + [[1, 1], [2, 2]]
    expect(vals(shared.weight.grad())).toEqual([2, 3, 3, 4]);
    const file = path.join(dir, 'shared.params');
    net.saveParameters(file);
    expect(Object.keys(nd.load(file) as Record<string, mx.NDArray>)).toEqual(['0.weight']);
    net.loadParameters(file);
  });
});

describe('repr', () => {
  it('prints layers as MXNet 1.x does', () => {
    expect(String(new nn.Dense(10, { inUnits: 784, activation: 'relu' }))).toBe('Dense(784 -> 10, Activation(relu))');
    expect(String(new nn.Dense(10))).toBe('Dense(None -> 10, linear)');
    expect(String(new nn.Conv2D(20, 5, { inChannels: 1 }))).toBe('Conv2D(1 -> 20, kernel_size=(5, 5), stride=(1, 1))');
    expect(String(new nn.Conv1D(8, 3, { padding: 1, dilation: 2, groups: 2, useBias: false, activation: 'tanh' }))).toBe(
      'Conv1D(None -> 8, kernel_size=(3,), stride=(1,), padding=(1,), dilation=(2,), groups=2, bias=False, Activation(tanh))',
    );
    expect(String(new nn.Conv2DTranspose(3, 4, { strides: 2, outputPadding: 1, inChannels: 6 }))).toBe(
      'Conv2DTranspose(3 -> 6, kernel_size=(4, 4), stride=(2, 2), output_padding=(1, 1))', // MXNet's order: weight dims 1 -> 0
    );
    expect(String(new nn.Conv2D(6, 3, { groups: 2, inChannels: 4 }))).toBe('Conv2D(2 -> 6, kernel_size=(3, 3), stride=(1, 1), groups=2)');
    expect(String(new nn.MaxPool2D({ poolSize: 2, strides: 2 }))).toBe(
      'MaxPool2D(size=(2, 2), stride=(2, 2), padding=(0, 0), ceil_mode=False, global_pool=False, pool_type=max, layout=NCHW)',
    );
    expect(String(new nn.GlobalAvgPool1D())).toBe(
      'GlobalAvgPool1D(size=(1,), stride=(1,), padding=(0,), ceil_mode=True, global_pool=True, pool_type=avg, layout=NCW)',
    );
    expect(String(new nn.BatchNorm())).toBe('BatchNorm(axis=1, eps=1e-05, momentum=0.9, fix_gamma=False, use_global_stats=False, in_channels=None)');
    expect(String(new nn.LayerNorm({ inChannels: 4 }))).toBe('LayerNorm(eps=1e-05, axis=-1, center=True, scale=True, in_channels=4)');
    expect(String(new nn.InstanceNorm())).toBe('InstanceNorm(eps=1e-05, axis=1, center=True, scale=False, in_channels=0)');
    expect(String(new nn.GroupNorm(4))).toBe('GroupNorm(eps=1e-05, num_groups=4, center=True, scale=True)');
    expect(String(new nn.BatchNorm({ scale: false, momentum: 0.99, epsilon: 2e-5 }))).toBe(
      'BatchNorm(axis=1, eps=2e-05, momentum=0.99, fix_gamma=True, use_global_stats=False, in_channels=None)',
    );
    expect(String(new nn.Dropout(0.3))).toBe('Dropout(p = 0.3, axes=())');
    expect(String(new nn.Embedding(100, 8))).toBe('Embedding(100 -> 8, float32)');
    expect(String(new nn.Flatten())).toBe('Flatten');
    expect(String(new nn.Activation('sigmoid'))).toBe('Activation(sigmoid)');
    expect(String(new nn.LeakyReLU(0.1))).toBe('LeakyReLU(0.1)');
    expect(String(new nn.Lambda('tanh'))).toBe('Lambda(tanh)');
  });

  it('nests children and shows inferred sizes after the first forward', () => {
    const net = new nn.Sequential().add(new nn.Conv2D(2, 3), new nn.Flatten(), new nn.Dense(4));
    net.initialize();
    net.call(nd.ones([1, 3, 5, 5]));
    expect(String(net)).toBe(
      'Sequential(\n' +
        '  (0): Conv2D(3 -> 2, kernel_size=(3, 3), stride=(1, 1))\n' +
        '  (1): Flatten\n' +
        '  (2): Dense(18 -> 4, linear)\n' +
        ')',
    );
  });
});

describe('errors name the layer and the values', () => {
  it('bad constructor arguments', () => {
    let e = errorOf(() => new nn.Conv2D(4, 3, { layout: 'NHWC' }));
    expect(e.kind).toBe('NotImplementedError');
    expect(e.message).toMatch(/Conv2D: layout 'NHWC' is not supported.*'NCHW'/);
    e = errorOf(() => new nn.Conv1D(4, 3, { layout: 'NCHW' }));
    expect(e.kind).toBe('ValueError');
    expect(e.message).toMatch(/Conv1D: layout must be 'NCW'.*got 'NCHW'/);
    expect(errorOf(() => new nn.MaxPool3D({ layout: 'XYZ' })).message).toMatch(/MaxPool3D: layout must be 'NCDHW'.*got 'XYZ'/);
    expect(errorOf(() => new nn.Conv2D(4, [3, 3, 3])).message).toMatch(/Conv2D: kernel_size must be .* tuple of 2 .*got \(3, 3, 3\)/);
    expect(errorOf(() => new nn.Conv2D(5, 3, { groups: 2 })).message).toMatch(/Conv2D: channels \(5\).*groups \(2\)/);
    expect(errorOf(() => new nn.Dense(0)).message).toMatch(/Dense: units must be an integer >= 1, got 0/);
    expect(errorOf(() => new nn.Dense(3, { activation: 'rellu' as 'relu' })).message).toMatch(/Dense: unknown activation 'rellu'/);
    expect(errorOf(() => new nn.Dropout(1.5)).message).toMatch(/Dropout: rate must be in \[0, 1\], got 1.5/);
    expect(errorOf(() => new nn.LeakyReLU(-1)).message).toMatch(/LeakyReLU: alpha .* got -1/);
    expect(errorOf(() => new nn.Lambda('no_such_op')).message).toMatch(/Lambda: 'no_such_op' is not an operator/);
  });

  it('mismatched input sizes on a later call', () => {
    const d = new nn.Dense(3).initialize();
    d.call(nd.ones([2, 4]));
    let e = errorOf(() => d.call(nd.ones([2, 5])));
    expect(e.message).toMatch(/^Dense 'dense\d+': input of shape \(2, 5\) has 5 features per sample but in_units is 4/);
    const c = new nn.Conv2D(2, 3, { inChannels: 3 }).initialize();
    e = errorOf(() => c.call(nd.ones([1, 4, 5, 5])));
    expect(e.message).toMatch(/^Conv2D 'conv2d\d+': input of shape \(1, 4, 5, 5\) has 4 channels but in_channels is 3/);
    e = errorOf(() => c.call(nd.ones([1, 3, 5])));
    expect(e.message).toMatch(/^Conv2D 'conv2d\d+': expects 4-D input \(NCHW\), got shape \(1, 3, 5\)/);
    const bn = new nn.BatchNorm({ inChannels: 2 }).initialize();
    e = errorOf(() => bn.call(nd.ones([1, 3, 2])));
    expect(e.message).toMatch(/^BatchNorm 'batchnorm\d+': input of shape \(1, 3, 2\) has 3 channels on axis 1 but in_channels is 2/);
    const fresh = new nn.Conv2D(2, 3).initialize();
    expect(errorOf(() => fresh.call(nd.ones([4, 4]))).message).toMatch(/expects 4-D input \(NCHW\), got shape \(4, 4\)/);
  });

  it('a declared size that the first input contradicts', () => {
    const d = new nn.Dense(3, { inUnits: 4 }).initialize();
    expect(errorOf(() => d.call(nd.ones([1, 6]))).message).toMatch(/Dense 'dense\d+'.*6 features.*in_units is 4/);
  });
});
