// gluon.nn layers: output shapes and parameter counts (hand-computed), deferred shape inference,
// and values against plain-JS reference implementations on small inputs.
import { describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';
import { DeferredInitializationError } from '../src/gluon/parameter.js';
import * as nn from '../src/gluon/nn/index.js';

const nd = mx.nd;
type Layer = nn.Block<mx.NDArray, [mx.NDArray]>;

function vals(a: mx.NDArray): number[] {
  return Array.from(a.dataSync() as ArrayLike<number>);
}
function expectClose(got: number[], want: number[], tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Math.abs(got[i]! - want[i]!) > tol * (1 + Math.abs(want[i]!))) {
      throw new Error(`element ${i}: got ${got[i]}, want ${want[i]}\n got: ${got.join(', ')}\nwant: ${want.join(', ')}`);
    }
  }
}
/** Deterministic values in [-1, 1) (an LCG), so references see the same numbers. */
function seq(n: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  });
}
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
function arr(shape: number[], seed = 1): { a: mx.NDArray; v: number[] } {
  const v = seq(prod(shape), seed);
  return { a: nd.array(new Float32Array(v), { shape }), v: Array.from(new Float32Array(v)) };
}
function paramCount(b: Layer): number {
  let n = 0;
  for (const [, p] of b.collectParams()) n += p.data().size;
  return n;
}

describe('shapes and parameter counts', () => {
  const cases: [string, () => Layer, number[], number[], number][] = [
    ['Dense', () => new nn.Dense(10, { inUnits: 784 }), [2, 784], [2, 10], 7850],
    ['Dense flatten', () => new nn.Dense(10, { inUnits: 12 }), [2, 3, 4], [2, 10], 130],
    ['Dense no flatten', () => new nn.Dense(5, { inUnits: 4, flatten: false }), [2, 3, 4], [2, 3, 5], 25],
    ['Dense no bias', () => new nn.Dense(5, { inUnits: 4, useBias: false }), [2, 4], [2, 5], 20],
    ['Conv1D', () => new nn.Conv1D(4, 3, { inChannels: 2 }), [2, 2, 10], [2, 4, 8], 28],
    ['Conv2D stride pad', () => new nn.Conv2D(6, 5, { padding: 2, strides: 2, inChannels: 3 }), [1, 3, 28, 28], [1, 6, 14, 14], 456],
    ['Conv2D groups', () => new nn.Conv2D(4, 3, { groups: 2, inChannels: 4 }), [1, 4, 5, 5], [1, 4, 3, 3], 76],
    ['Conv2D dilation', () => new nn.Conv2D(2, 3, { dilation: 2, inChannels: 1, useBias: false }), [1, 1, 7, 7], [1, 2, 3, 3], 18],
    ['Conv3D', () => new nn.Conv3D(2, [1, 2, 3], { inChannels: 1 }), [1, 1, 4, 5, 6], [1, 2, 4, 4, 4], 14],
    ['Conv1DTranspose', () => new nn.Conv1DTranspose(3, 4, { strides: 2, padding: 1, inChannels: 2 }), [1, 2, 5], [1, 3, 10], 27],
    ['Conv2DTranspose', () => new nn.Conv2DTranspose(4, 3, { strides: 2, padding: 1, outputPadding: 1, inChannels: 2 }), [1, 2, 5, 5], [1, 4, 10, 10], 76],
    ['Conv3DTranspose', () => new nn.Conv3DTranspose(2, 2, { strides: 2, inChannels: 3 }), [1, 3, 2, 2, 2], [1, 2, 4, 4, 4], 50],
    ['MaxPool1D', () => new nn.MaxPool1D(), [1, 2, 9], [1, 2, 4], 0],
    ['MaxPool2D', () => new nn.MaxPool2D({ poolSize: 3, strides: 2 }), [1, 1, 8, 8], [1, 1, 3, 3], 0],
    ['MaxPool2D ceil', () => new nn.MaxPool2D({ poolSize: 3, strides: 2, ceilMode: true }), [1, 1, 8, 8], [1, 1, 4, 4], 0],
    ['MaxPool2D positional', () => new nn.MaxPool2D(3, { strides: 2 }), [1, 1, 8, 8], [1, 1, 3, 3], 0],
    ['AvgPool1D positional', () => new nn.AvgPool1D([3]), [1, 1, 8], [1, 1, 2], 0],
    ['AvgPool2D pad', () => new nn.AvgPool2D({ poolSize: 2, padding: 1 }), [1, 1, 4, 4], [1, 1, 3, 3], 0],
    ['AvgPool3D', () => new nn.AvgPool3D(), [1, 1, 4, 4, 4], [1, 1, 2, 2, 2], 0],
    ['AvgPool1D', () => new nn.AvgPool1D({ poolSize: 3, strides: 1 }), [2, 3, 5], [2, 3, 3], 0],
    ['MaxPool3D', () => new nn.MaxPool3D({ poolSize: [1, 2, 2] }), [1, 1, 3, 4, 4], [1, 1, 3, 2, 2], 0],
    ['GlobalAvgPool1D', () => new nn.GlobalAvgPool1D(), [2, 3, 7], [2, 3, 1], 0],
    ['GlobalMaxPool2D', () => new nn.GlobalMaxPool2D(), [2, 3, 5, 6], [2, 3, 1, 1], 0],
    ['GlobalAvgPool3D', () => new nn.GlobalAvgPool3D(), [1, 2, 3, 4, 5], [1, 2, 1, 1, 1], 0],
    ['GlobalMaxPool1D', () => new nn.GlobalMaxPool1D(), [1, 2, 5], [1, 2, 1], 0],
    ['GlobalAvgPool2D', () => new nn.GlobalAvgPool2D(), [1, 2, 5, 5], [1, 2, 1, 1], 0],
    ['GlobalMaxPool3D', () => new nn.GlobalMaxPool3D(), [1, 2, 2, 2, 2], [1, 2, 1, 1, 1], 0],
    ['BatchNorm', () => new nn.BatchNorm({ inChannels: 3 }), [2, 3, 4, 4], [2, 3, 4, 4], 12],
    ['LayerNorm', () => new nn.LayerNorm({ inChannels: 6 }), [2, 3, 6], [2, 3, 6], 12],
    ['InstanceNorm', () => new nn.InstanceNorm({ inChannels: 3 }), [2, 3, 5], [2, 3, 5], 6],
    ['GroupNorm', () => new nn.GroupNorm(2), [2, 4, 3], [2, 4, 3], 4],
    ['Embedding', () => new nn.Embedding(10, 3), [2, 4], [2, 4, 3], 30],
    ['Dropout', () => new nn.Dropout(0.5), [2, 3], [2, 3], 0],
    ['Flatten', () => new nn.Flatten(), [2, 3, 4, 5], [2, 60], 0],
    ['Activation', () => new nn.Activation('tanh'), [2, 3], [2, 3], 0],
    ['LeakyReLU', () => new nn.LeakyReLU(0.1), [2, 3], [2, 3], 0],
    ['PReLU', () => new nn.PReLU(), [2, 3], [2, 3], 1],
    ['PReLU per channel', () => new nn.PReLU({ inChannels: 3 }), [2, 3, 4], [2, 3, 4], 3],
    ['ELU', () => new nn.ELU(), [2, 3], [2, 3], 0],
    ['SELU', () => new nn.SELU(), [2, 3], [2, 3], 0],
    ['GELU', () => new nn.GELU(), [2, 3], [2, 3], 0],
    ['Swish', () => new nn.Swish(2), [2, 3], [2, 3], 0],
    ['ReflectionPad2D', () => new nn.ReflectionPad2D(1), [1, 2, 3, 3], [1, 2, 5, 5], 0],
  ];
  for (const [name, make, inShape, outShape, count] of cases) {
    it(`${name}: ${inShape.join('x')} -> ${outShape.join('x')}, ${count} parameters`, () => {
      const layer = make();
      layer.initialize();
      const x = name === 'Embedding' ? nd.array([[0, 1, 2, 9], [3, 4, 5, 6]]) : arr(inShape).a;
      expect(layer.call(x).shape).toEqual(outShape);
      expect(paramCount(layer)).toBe(count);
    });
  }
});

describe('deferred initialisation', () => {
  it('Dense learns in_units from the first input (flattened or last axis)', () => {
    const d = new nn.Dense(5);
    d.initialize();
    expect(d.weight.shape).toEqual([5, 0]);
    expect(() => d.weight.data()).toThrow(DeferredInitializationError);
    expect(d.call(nd.ones([2, 3, 4])).shape).toEqual([2, 5]);
    expect(d.weight.shape).toEqual([5, 12]);
    expect(d.weight.data().shape).toEqual([5, 12]);
    const d2 = new nn.Dense(5, { flatten: false }).initialize();
    expect(d2.call(nd.ones([2, 3, 4])).shape).toEqual([2, 3, 5]);
    expect(d2.weight.shape).toEqual([5, 4]);
  });

  it('convolutions and norms learn their channels', () => {
    const c = new nn.Conv2D(3, 3, { groups: 1 }).initialize();
    expect(c.weight.shape).toEqual([3, 0, 3, 3]);
    c.call(nd.ones([1, 2, 5, 5]));
    expect(c.weight.shape).toEqual([3, 2, 3, 3]);
    const g = new nn.Conv2D(4, 1, { groups: 2 }).initialize();
    g.call(nd.ones([1, 6, 3, 3]));
    expect(g.weight.shape).toEqual([4, 3, 1, 1]);
    const t = new nn.Conv2DTranspose(4, 3, { groups: 2 }).initialize();
    expect(t.call(nd.ones([1, 6, 2, 2])).shape).toEqual([1, 4, 4, 4]);
    expect(t.weight.shape).toEqual([6, 2, 3, 3]);
    const bn = new nn.BatchNorm().initialize();
    bn.call(nd.ones([2, 3, 4]));
    for (const p of [bn.gamma, bn.beta, bn.running_mean, bn.running_var]) expect(p.shape).toEqual([3]);
    const bnLast = new nn.BatchNorm({ axis: -1 }).initialize();
    bnLast.call(nd.ones([2, 3, 4]));
    expect(bnLast.gamma.shape).toEqual([4]);
    const ln = new nn.LayerNorm().initialize();
    ln.call(nd.ones([2, 3, 7]));
    expect(ln.gamma.shape).toEqual([7]);
    const inorm = new nn.InstanceNorm().initialize();
    inorm.call(nd.ones([2, 5, 3]));
    expect(inorm.beta.shape).toEqual([5]);
  });

  it('a Sequential infers every layer in turn', () => {
    const net = new nn.Sequential();
    net.add(new nn.Conv2D(4, 3), new nn.MaxPool2D(), new nn.Dense(8, { activation: 'relu' }), new nn.Dense(2));
    net.initialize();
    expect(net.call(nd.ones([3, 1, 10, 10])).shape).toEqual([3, 2]);
    expect((net.at(2) as nn.Dense).weight.shape).toEqual([8, 64]);
  });
});

// ---- plain-JS references -----------------------------------------------------------------

/** Dense: y[n][u] = sum_k x[n][k] w[u][k] + b[u]. */
function denseRef(x: number[], n: number, k: number, w: number[], b: number[], units: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let u = 0; u < units; u++) {
    let s = b[u] ?? 0;
    for (let j = 0; j < k; j++) s += x[i * k + j]! * w[u * k + j]!;
    out.push(s);
  }
  return out;
}

interface Conv2DGeom { n: number; c: number; h: number; w: number; o: number; kh: number; kw: number; stride: number; pad: number; dil: number; groups: number }
function conv2dRef(x: number[], w: number[], b: number[], g: Conv2DGeom): { out: number[]; oh: number; ow: number } {
  const oh = Math.floor((g.h + 2 * g.pad - g.dil * (g.kh - 1) - 1) / g.stride) + 1;
  const ow = Math.floor((g.w + 2 * g.pad - g.dil * (g.kw - 1) - 1) / g.stride) + 1;
  const cg = g.c / g.groups;
  const og = g.o / g.groups;
  const out: number[] = [];
  for (let n = 0; n < g.n; n++) for (let o = 0; o < g.o; o++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
    let s = b[o] ?? 0;
    const grp = Math.floor(o / og);
    for (let ci = 0; ci < cg; ci++) for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = y * g.stride - g.pad + ky * g.dil;
      const ix = xx * g.stride - g.pad + kx * g.dil;
      if (iy < 0 || ix < 0 || iy >= g.h || ix >= g.w) continue;
      const c = grp * cg + ci;
      s += x[((n * g.c + c) * g.h + iy) * g.w + ix]! * w[((o * cg + ci) * g.kh + ky) * g.kw + kx]!;
    }
    out.push(s);
  }
  return { out, oh, ow };
}

/** Transposed 2-D convolution: every input pixel scatters weight[c][o] into the output. */
function deconv2dRef(x: number[], w: number[], b: number[], n: number, c: number, h: number, wd: number, o: number, k: number, stride: number, pad: number, adj: number): number[] {
  const oh = (h - 1) * stride - 2 * pad + k + adj;
  const ow = (wd - 1) * stride - 2 * pad + k + adj;
  const out = new Array<number>(n * o * oh * ow).fill(0);
  for (let b0 = 0; b0 < n; b0++) for (let oc = 0; oc < o; oc++) for (let i = 0; i < oh * ow; i++) out[(b0 * o + oc) * oh * ow + i] = b[oc]!;
  for (let b0 = 0; b0 < n; b0++) for (let ic = 0; ic < c; ic++) for (let y = 0; y < h; y++) for (let xx = 0; xx < wd; xx++) {
    const v = x[((b0 * c + ic) * h + y) * wd + xx]!;
    for (let oc = 0; oc < o; oc++) for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
      const oy = y * stride - pad + ky;
      const ox = xx * stride - pad + kx;
      if (oy < 0 || ox < 0 || oy >= oh || ox >= ow) continue;
      out[((b0 * o + oc) * oh + oy) * ow + ox]! += v * w[((ic * o + oc) * k + ky) * k + kx]!;
    }
  }
  return out;
}

/** 2-D pooling on one (H, W) plane; avg divides by the padded window unless !includePad. */
function pool2dRef(x: number[], h: number, w: number, k: number, stride: number, pad: number, type: 'max' | 'avg', includePad: boolean, ceil: boolean): number[] {
  const round = ceil ? Math.ceil : Math.floor;
  const oh = round((h + 2 * pad - k) / stride) + 1;
  const ow = round((w + 2 * pad - k) / stride) + 1;
  const out: number[] = [];
  for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
    let m = -Infinity;
    let s = 0;
    let cnt = 0;
    const y0 = y * stride - pad;
    const x0 = xx * stride - pad;
    const yEnd = Math.min(y0 + k, h + pad);
    const xEnd = Math.min(x0 + k, w + pad);
    for (let iy = y0; iy < y0 + k; iy++) for (let ix = x0; ix < x0 + k; ix++) {
      if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
      m = Math.max(m, x[iy * w + ix]!);
      s += x[iy * w + ix]!;
      cnt++;
    }
    const padded = (yEnd - y0) * (xEnd - x0);
    out.push(type === 'max' ? m : s / (includePad ? padded : cnt));
  }
  return out;
}

describe('values against references', () => {
  it('Dense: linear, with relu, and without flatten', () => {
    const { a: x, v: xv } = arr([3, 4], 2);
    const { a: w, v: wv } = arr([5, 4], 3);
    const bv = [0.5, -0.5, 0.25, 0, 1];
    const d = new nn.Dense(5, { inUnits: 4 }).initialize();
    d.weight.setData(w);
    d.bias!.setData(nd.array(bv));
    const ref = denseRef(xv, 3, 4, wv, bv, 5);
    expectClose(vals(d.call(x)), ref);
    const r = new nn.Dense(5, { inUnits: 4, activation: 'relu' }).initialize();
    r.weight.setData(w);
    r.bias!.setData(nd.array(bv));
    expectClose(vals(r.call(x)), ref.map((v) => Math.max(v, 0)));
    expect(ref.some((v) => v < 0)).toBe(true); // the relu case is not vacuous
    const nf = new nn.Dense(5, { inUnits: 2, flatten: false, useBias: false }).initialize();
    const { a: w2, v: w2v } = arr([5, 2], 4);
    nf.weight.setData(w2);
    expectClose(vals(nf.call(x.reshape([3, 2, 2]))), denseRef(xv, 6, 2, w2v, [], 5));
  });

  it('Conv2D: padding, stride, dilation and groups', () => {
    const geoms: Conv2DGeom[] = [
      { n: 2, c: 2, h: 5, w: 4, o: 3, kh: 3, kw: 3, stride: 1, pad: 1, dil: 1, groups: 1 },
      { n: 1, c: 2, h: 7, w: 7, o: 2, kh: 3, kw: 2, stride: 2, pad: 0, dil: 2, groups: 1 },
      { n: 1, c: 4, h: 4, w: 4, o: 6, kh: 3, kw: 3, stride: 1, pad: 1, dil: 1, groups: 2 },
    ];
    for (const g of geoms) {
      const { a: x, v: xv } = arr([g.n, g.c, g.h, g.w], 5);
      const { a: w, v: wv } = arr([g.o, g.c / g.groups, g.kh, g.kw], 6);
      const bv = seq(g.o, 7).map((v) => Math.fround(v));
      const conv = new nn.Conv2D(g.o, [g.kh, g.kw], { strides: g.stride, padding: g.pad, dilation: g.dil, groups: g.groups, inChannels: g.c });
      conv.initialize();
      conv.weight.setData(w);
      conv.bias!.setData(nd.array(bv));
      const { out, oh, ow } = conv2dRef(xv, wv, bv, g);
      const y = conv.call(x);
      expect(y.shape).toEqual([g.n, g.o, oh, ow]);
      expectClose(vals(y), out, 1e-4);
    }
  });

  it('Conv2D with activation, Conv1D as a 1-row Conv2D', () => {
    const { a: x, v: xv } = arr([1, 2, 1, 6], 8);
    const { a: w, v: wv } = arr([3, 2, 1, 3], 9);
    const c1 = new nn.Conv1D(3, 3, { inChannels: 2, activation: 'relu', useBias: false }).initialize();
    c1.weight.setData(w.reshape([3, 2, 3]));
    const ref = conv2dRef(xv, wv, [], { n: 1, c: 2, h: 1, w: 6, o: 3, kh: 1, kw: 3, stride: 1, pad: 0, dil: 1, groups: 1 }).out;
    expectClose(vals(c1.call(x.reshape([1, 2, 6]))), ref.map((v) => Math.max(0, v)), 1e-4);
  });

  it('Conv2D with relu (run fused, as _conv_act) has the gradients of convolution then relu', () => {
    for (const [c, o] of [[1, 20], [20, 50], [16, 32]] as const) {
      const { a: x } = arr([2, c, 6, 6], 21);
      const { a: w } = arr([o, c, 3, 3], 22);
      const b = nd.array(seq(o, 23));
      const fused = new nn.Conv2D(o, 3, { inChannels: c, activation: 'relu' }).initialize();
      const plain = new nn.Conv2D(o, 3, { inChannels: c }).initialize();
      for (const l of [fused, plain]) {
        l.weight.setData(w);
        l.bias!.setData(b);
      }
      const xf = x.copy();
      const xp = x.copy();
      xf.attachGrad();
      xp.attachGrad();
      const yf = mx.autograd.record(() => fused.call(xf));
      const yp = mx.autograd.record(() => nd.relu(plain.call(xp)));
      const { a: head } = arr(yf.shape, 24);
      yf.backward(head);
      yp.backward(head);
      const y = vals(yp);
      expect(y.some((v) => v === 0) && y.some((v) => v > 0)).toBe(true); // the mask matters
      expect(vals(yf)).toEqual(y);
      expect(vals(xf.grad!)).toEqual(vals(xp.grad!));
      expectClose(vals(fused.weight.grad()), vals(plain.weight.grad()), 1e-5);
      expectClose(vals(fused.bias!.grad()), vals(plain.bias!.grad()), 1e-5);
    }
  });

  it('Conv2DTranspose: stride, padding, output padding', () => {
    const { a: x, v: xv } = arr([1, 2, 3, 3], 10);
    const { a: w, v: wv } = arr([2, 3, 3, 3], 11);
    const bv = [0.1, -0.2, 0.3];
    const t = new nn.Conv2DTranspose(3, 3, { strides: 2, padding: 1, outputPadding: 1, inChannels: 2 }).initialize();
    t.weight.setData(w);
    t.bias!.setData(nd.array(bv));
    const y = t.call(x);
    expect(y.shape).toEqual([1, 3, 6, 6]);
    expectClose(vals(y), deconv2dRef(xv, wv, bv, 1, 2, 3, 3, 3, 3, 2, 1, 1), 1e-4);
  });

  it('pooling: max, avg with and without counting padding, ceil mode, global', () => {
    const { a: x, v: xv } = arr([1, 1, 5, 5], 12);
    const cases: [nn.HybridBlock<mx.NDArray, [mx.NDArray]>, number[]][] = [
      [new nn.MaxPool2D(), pool2dRef(xv, 5, 5, 2, 2, 0, 'max', true, false)],
      [new nn.MaxPool2D({ poolSize: 3, strides: 1, padding: 1 }), pool2dRef(xv, 5, 5, 3, 1, 1, 'max', true, false)],
      [new nn.AvgPool2D({ poolSize: 3, strides: 2, padding: 1 }), pool2dRef(xv, 5, 5, 3, 2, 1, 'avg', true, false)],
      [new nn.AvgPool2D({ poolSize: 3, strides: 2, padding: 1, countIncludePad: false }), pool2dRef(xv, 5, 5, 3, 2, 1, 'avg', false, false)],
      [new nn.MaxPool2D({ poolSize: 2, strides: 2, ceilMode: true }), pool2dRef(xv, 5, 5, 2, 2, 0, 'max', true, true)],
      [new nn.GlobalAvgPool2D(), [xv.reduce((a, b) => a + b, 0) / 25]],
      [new nn.GlobalMaxPool2D(), [Math.max(...xv)]],
    ];
    for (const [pool, ref] of cases) expectClose(vals(pool.call(x)), ref);
  });

  it('ReflectionPad2D mirrors the border', () => {
    const y = new nn.ReflectionPad2D(1).call(nd.array([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]));
    expect(y.toArraySync()).toEqual([[[[5, 4, 5, 6, 5], [2, 1, 2, 3, 2], [5, 4, 5, 6, 5], [8, 7, 8, 9, 8], [5, 4, 5, 6, 5]]]]);
  });

  it('Embedding picks rows of its weight', () => {
    const e = new nn.Embedding(4, 2).initialize();
    e.weight.setData(nd.array([[0, 1], [10, 11], [20, 21], [30, 31]]));
    expect(e.call(nd.array([[3, 0], [1, 1]])).toArraySync()).toEqual([[[30, 31], [0, 1]], [[10, 11], [10, 11]]]);
    e.cast('float64');
    const y = e.call(nd.array([2]));
    expect(y.dtype).toBe('float64');
    expect(vals(y)).toEqual([20, 21]);
  });
});

/** Per-channel mean and population variance of (N, C, L) data. */
function channelStats(x: number[], n: number, c: number, l: number): { mean: number[]; variance: number[] } {
  const mean: number[] = [];
  const variance: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const v: number[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) v.push(x[(i * c + ch) * l + j]!);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    mean.push(m);
    variance.push(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  }
  return { mean, variance };
}
function normalise(x: number[], n: number, c: number, l: number, mean: number[], variance: number[], gamma: number[], beta: number[], eps: number): number[] {
  return x.map((v, i) => {
    const ch = Math.floor(i / l) % c;
    return ((v - mean[ch]!) / Math.sqrt(variance[ch]! + eps)) * gamma[ch]! + beta[ch]!;
  });
}

describe('BatchNorm', () => {
  const N = 3;
  const C = 2;
  const L = 4;
  const gamma = [1.5, 0.5];
  const beta = [0.1, -0.2];
  function make(options: nn.BatchNormOptions = {}): nn.BatchNorm {
    const bn = new nn.BatchNorm({ inChannels: C, ...options }).initialize();
    bn.gamma.setData(nd.array(gamma));
    bn.beta.setData(nd.array(beta));
    return bn;
  }

  it('training normalises by batch statistics and moves the running statistics by momentum', () => {
    const { a: x, v: xv } = arr([N, C, L], 13);
    const bn = make({ momentum: 0.8 });
    expect(vals(bn.running_mean.data())).toEqual([0, 0]);
    expect(vals(bn.running_var.data())).toEqual([1, 1]);
    const { mean, variance } = channelStats(xv, N, C, L);
    const y = mx.autograd.record(() => bn.call(x));
    expectClose(vals(y), normalise(xv, N, C, L, mean, variance, gamma, beta, 1e-5), 1e-4);
    const rm = mean.map((m) => 0.2 * m);
    const rv = variance.map((v) => 0.8 + 0.2 * v);
    expectClose(vals(bn.running_mean.data()), rm, 1e-5);
    expectClose(vals(bn.running_var.data()), rv, 1e-5);
    // a second training step moves them again
    mx.autograd.record(() => bn.call(x));
    expectClose(vals(bn.running_mean.data()), rm.map((r, i) => 0.8 * r + 0.2 * mean[i]!), 1e-5);
    expectClose(vals(bn.running_var.data()), rv.map((r, i) => 0.8 * r + 0.2 * variance[i]!), 1e-5);
  });

  it('prediction uses the running statistics and leaves them alone', () => {
    const { a: x, v: xv } = arr([N, C, L], 14);
    const bn = make();
    const rm = [0.3, -0.1];
    const rv = [2, 0.5];
    bn.running_mean.setData(nd.array(rm));
    bn.running_var.setData(nd.array(rv));
    const y = bn.call(x); // outside record: predict mode
    expectClose(vals(y), normalise(xv, N, C, L, rm, rv, gamma, beta, 1e-5), 1e-4);
    expectClose(vals(bn.running_mean.data()), rm);
    expectClose(vals(bn.running_var.data()), rv);
    const yp = mx.autograd.record(() => bn.call(x), { trainMode: false });
    expectClose(vals(yp), vals(y));
  });

  it('useGlobalStats normalises by the running statistics in training; scale: false fixes gamma at 1', () => {
    const { a: x, v: xv } = arr([N, C, L], 15);
    const g = make({ useGlobalStats: true, epsilon: 1e-3 });
    const y = mx.autograd.record(() => g.call(x));
    expectClose(vals(y), normalise(xv, N, C, L, [0, 0], [1, 1], gamma, beta, 1e-3), 1e-4);
    expect(vals(g.running_mean.data())).toEqual([0, 0]);
    const s = make({ scale: false });
    expect(s.gamma.gradReq).toBe('null');
    s.gamma.gradReq = 'write'; // non-differentiable, as in MXNet: stays 'null'
    expect(s.gamma.gradReq).toBe('null');
    const { mean, variance } = channelStats(xv, N, C, L);
    const ys = mx.autograd.record(() => s.call(x));
    expectClose(vals(ys), normalise(xv, N, C, L, mean, variance, [1, 1], beta, 1e-5), 1e-4);
  });

  it('running statistics are auxiliary: no gradient', () => {
    const bn = make();
    expect(bn.running_mean.gradReq).toBe('null');
    expect(bn.running_var.differentiable).toBe(false);
    expect(bn.gamma.gradReq).toBe('write');
  });

  it('stays float32 when a network is cast to float16, as in MXNet', () => {
    const bn = make();
    bn.cast('float16');
    expect(bn.gamma.data().dtype).toBe('float32');
    expect(bn.running_var.dtype).toBe('float32');
    bn.cast('float64');
    expect(bn.gamma.data().dtype).toBe('float64');
  });
});

describe('other normalisations', () => {
  it('LayerNorm over the last axis', () => {
    const { a: x, v: xv } = arr([2, 3, 4], 16);
    const ln = new nn.LayerNorm().initialize();
    const y = ln.call(x);
    const want: number[] = [];
    for (let r = 0; r < 6; r++) {
      const row = xv.slice(r * 4, r * 4 + 4);
      const m = row.reduce((a, b) => a + b, 0) / 4;
      const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / 4;
      for (const e of row) want.push((e - m) / Math.sqrt(v + 1e-5));
    }
    expectClose(vals(y), want, 1e-4);
  });

  it('InstanceNorm per (sample, channel), also with the channel axis last', () => {
    const { a: x, v: xv } = arr([2, 3, 4], 17);
    const want: number[] = [];
    for (let r = 0; r < 6; r++) {
      const row = xv.slice(r * 4, r * 4 + 4);
      const m = row.reduce((a, b) => a + b, 0) / 4;
      const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / 4;
      for (const e of row) want.push((e - m) / Math.sqrt(v + 1e-5));
    }
    const inorm = new nn.InstanceNorm().initialize();
    expectClose(vals(inorm.call(x)), want, 1e-4);
    const last = new nn.InstanceNorm({ axis: 2 }).initialize();
    const yt = last.call(nd.swapaxes(x, { dim1: 1, dim2: 2 }));
    expect(last.gamma.shape).toEqual([3]);
    expectClose(vals(nd.swapaxes(yt, { dim1: 1, dim2: 2 })), want, 1e-4);
  });

  it('GroupNorm normalises each group of channels', () => {
    const { a: x, v: xv } = arr([1, 4, 2], 18);
    const gn = new nn.GroupNorm(2).initialize();
    gn.gamma.setData(nd.array([2, 1]));
    const want: number[] = [];
    for (let grp = 0; grp < 2; grp++) {
      const part = xv.slice(grp * 4, grp * 4 + 4);
      const m = part.reduce((a, b) => a + b, 0) / 4;
      const v = part.reduce((a, b) => a + (b - m) ** 2, 0) / 4;
      for (const e of part) want.push(((e - m) / Math.sqrt(v + 1e-5)) * [2, 1][grp]!);
    }
    expectClose(vals(gn.call(x)), want, 1e-4);
  });
});

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

describe('activations', () => {
  const xv = [-2, -0.5, 0, 0.5, 2, 3];
  const x = nd.array(xv);
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));
  const cases: [string, nn.HybridBlock<mx.NDArray, [mx.NDArray]>, (v: number) => number][] = [
    ['relu', new nn.Activation('relu'), (v) => Math.max(v, 0)],
    ['sigmoid', new nn.Activation('sigmoid'), sig],
    ['softrelu', new nn.Activation('softrelu'), (v) => Math.log1p(Math.exp(v))],
    ['LeakyReLU', new nn.LeakyReLU(0.1), (v) => (v > 0 ? v : 0.1 * v)],
    ['PReLU', new nn.PReLU(), (v) => (v > 0 ? v : 0.25 * v)],
    ['ELU', new nn.ELU(0.5), (v) => (v > 0 ? v : 0.5 * (Math.exp(v) - 1))],
    ['SELU', new nn.SELU(), (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1))],
    ['GELU', new nn.GELU(), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
    ['Swish', new nn.Swish(), (v) => v * sig(v)],
    ['Swish beta 2', new nn.Swish(2), (v) => v * sig(2 * v)],
  ];
  for (const [name, layer, f] of cases) {
    it(name, () => {
      layer.initialize();
      expectClose(vals(layer.call(x)), xv.map(f), 1e-5);
    });
  }

  it('PReLU learns one slope per channel', () => {
    const p = new nn.PReLU({ inChannels: 2 }).initialize();
    expect(vals(p.alpha.data())).toEqual([0.25, 0.25]);
    p.alpha.setData(nd.array([0.5, 0.1]));
    expectClose(vals(p.call(nd.array([[-1, -1], [-2, 2]]))), [-0.5, -0.1, -1, 2]);
  });
});

describe('Dropout and lambdas', () => {
  it('Dropout is the identity in prediction; in training it zeroes or scales by 1 / (1 - rate)', () => {
    const x = nd.ones([400]);
    const d = new nn.Dropout(0.5);
    expect(vals(d.call(x)).every((v) => v === 1)).toBe(true);
    const y = vals(mx.autograd.record(() => d.call(x)));
    expect(y.every((v) => v === 0 || v === 2)).toBe(true);
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(120);
    expect(zeros).toBeLessThan(280);
    const shared = vals(mx.autograd.record(() => new nn.Dropout(0.5, { axes: [1] }).call(nd.ones([50, 4]))));
    for (let r = 0; r < 50; r++) expect(new Set(shared.slice(r * 4, r * 4 + 4)).size).toBe(1);
    const none = new nn.Dropout(0);
    const z = mx.autograd.record(() => none.call(x));
    expect(vals(z).every((v) => v === 1)).toBe(true);
    expect(z).not.toBe(x);
  });

  it('Lambda and HybridLambda from op names and functions', () => {
    const x = nd.array([-1, 0, 2]);
    expectClose(vals(new nn.Lambda('tanh').call(x)), [-1, 0, 2].map(Math.tanh));
    expect(vals(new nn.Lambda((a) => a.mul(3)).call(x))).toEqual([-3, 0, 6]);
    expect(vals(new nn.HybridLambda('relu').call(x))).toEqual([0, 0, 2]);
    expect(vals(new nn.HybridLambda((F, a) => F.square(a)).call(x))).toEqual([1, 0, 4]);
    const net = new nn.HybridSequential().add(new nn.HybridLambda((F, a) => F.relu(a)), new nn.Dense(1, { inUnits: 3, useBias: false }));
    net.initialize('ones');
    expect(vals(net.call(nd.array([[-1, 2, 3]])))).toEqual([5]);
  });
});
