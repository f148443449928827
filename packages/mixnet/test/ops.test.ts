// Op values against hand-computed results and small reference implementations written here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';
import { native } from '../src/native.js';

const nd = mx.nd;

/** Plain numbers from a non-int64 NDArray's data. */
function list(data: mx.DTypeArray): number[] {
  return Array.from(data as ArrayLike<number>);
}

/** Reference matmul on nested arrays. */
function matmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

describe('creation', () => {
  it('array from nested arrays and typed arrays, with facts', () => {
    const a = nd.array([[1, 2, 3], [4, 5, 6]]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('float32');
    expect(a.size).toBe(6);
    expect(a.ndim).toBe(2);
    expect(a.context.toString()).toBe('cpu(0)');
    expect(list(a.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const b = nd.array(new Float64Array([0.1, 0.2]));
    expect(b.dtype).toBe('float64');
    expect(b.dataSync()).toBeInstanceOf(Float64Array);
    expect(list(b.dataSync())).toEqual([0.1, 0.2]);
    const c = nd.array(new Int32Array([1, 2, 3, 4]), { shape: [2, 2] });
    expect(c.dtype).toBe('int32');
    expect(c.toArraySync()).toEqual([[1, 2], [3, 4]]);
  });

  it('zeros, ones, full, arange, empty', async () => {
    expect(await nd.zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(await nd.ones(3, { dtype: 'int32' }).toArray()).toEqual([1, 1, 1]);
    expect(nd.ones(3, { dtype: 'int32' }).dtype).toBe('int32');
    expect(await nd.full([2], 7.5).toArray()).toEqual([7.5, 7.5]);
    expect(await nd.arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(await nd.arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(nd.empty([4, 5]).shape).toEqual([4, 5]);
  });

  it('random: seeded draws repeat, and stay in range', () => {
    mx.random.seed(42);
    const u1 = list(nd.random.uniform(2, 3, [1000]).dataSync());
    mx.random.seed(42);
    const u2 = list(nd.random.uniform(2, 3, [1000]).dataSync());
    expect(u1).toEqual(u2);
    expect(Math.min(...u1)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...u1)).toBeLessThan(3);
    const mean = u1.reduce((s, v) => s + v, 0) / u1.length;
    expect(mean).toBeGreaterThan(2.4);
    expect(mean).toBeLessThan(2.6);
    const n = list(nd.random.normal(10, 0.1, [2000]).dataSync());
    expect(n.reduce((s, v) => s + v, 0) / n.length).toBeCloseTo(10, 1);
    const r = nd.random.randint(0, 5, [500]);
    expect(r.dtype).toBe('int32');
    const rv = Array.from(r.dataSync() as Int32Array);
    expect(rv.every((v) => v >= 0 && v < 5 && Number.isInteger(v))).toBe(true);
  });
});

describe('arithmetic and broadcasting', () => {
  it('elementwise with arrays and scalars', async () => {
    const a = nd.array([1, 2, 3]);
    const b = nd.array([10, 20, 30]);
    expect(await a.add(b).toArray()).toEqual([11, 22, 33]);
    expect(await b.sub(a).toArray()).toEqual([9, 18, 27]);
    expect(await a.mul(2).toArray()).toEqual([2, 4, 6]);
    expect(await b.div(a).toArray()).toEqual([10, 10, 10]);
    expect(await a.pow(2).toArray()).toEqual([1, 4, 9]);
    expect(await a.rsub(10).toArray()).toEqual([9, 8, 7]);
    expect(await a.neg().toArray()).toEqual([-1, -2, -3]);
    expect(await a.maximum(2).toArray()).toEqual([2, 2, 3]);
  });

  it('broadcasts (2,3) with (3,) and (2,1)', async () => {
    const a = nd.array([[1, 2, 3], [4, 5, 6]]);
    expect(await nd.broadcast_add(a, nd.array([10, 20, 30])).toArray()).toEqual([[11, 22, 33], [14, 25, 36]]);
    expect(await a.mul(nd.array([[1], [-1]])).toArray()).toEqual([[1, 2, 3], [-4, -5, -6]]);
    // camelCase alias is the same function
    expect(nd.broadcastAdd).toBe(nd.broadcast_add);
  });

  it('comparisons give 1/0 in the input dtype', async () => {
    const a = nd.array([1, 2, 3]);
    expect(await a.greater(2).toArray()).toEqual([0, 0, 1]);
    expect(await a.lesserEqual(nd.array([3, 2, 1])).toArray()).toEqual([1, 1, 0]);
    expect(await a.equal(2).toArray()).toEqual([0, 1, 0]);
    expect(a.equal(2).dtype).toBe('float32');
  });

  it('integer dtypes: int32 division truncates, int64 reads as BigInt64Array', async () => {
    const a = nd.array([7, -7, 9], { dtype: 'int32' });
    const b = nd.array([2, 2, 4], { dtype: 'int32' });
    const q = a.div(b);
    expect(q.dtype).toBe('int32');
    expect(Array.from((await q.data()) as Int32Array)).toEqual([3, -3, 2]);
    const big = nd.array([1, 2, 3], { dtype: 'int64' }).mul(nd.array([4, 5, 6], { dtype: 'int64' }));
    const data = await big.data();
    expect(data).toBeInstanceOf(BigInt64Array);
    expect(Array.from(data as BigInt64Array)).toEqual([4n, 10n, 18n]);
  });

  it('astype to float16/bfloat16/bool, read back as bits or values', async () => {
    const a = nd.array([1, 0.5, -2, 0]);
    const h = a.astype('float16');
    expect(h.dtype).toBe('float16');
    const bits = await h.data();
    if (!mx.HAS_FLOAT16ARRAY) expect(Array.from(bits as Uint16Array)).toEqual([0x3c00, 0x3800, 0xc000, 0]);
    expect(await h.toArray()).toEqual([1, 0.5, -2, 0]);
    const bf = a.astype('bfloat16');
    expect(Array.from((await bf.data()) as Uint16Array)).toEqual([0x3f80, 0x3f00, 0xc000, 0]);
    const bl = a.astype('bool');
    expect(await bl.data()).toBeInstanceOf(Uint8Array);
    expect(await bl.toArray()).toEqual([true, true, true, false]);
    // float16 arrays can be made from numbers too
    expect(await nd.array([1.5, 3], { dtype: 'float16' }).toArray()).toEqual([1.5, 3]);
  });
});

describe('shape ops, reductions, dot', () => {
  const m = [[1, 2, 3], [4, 5, 6]];

  it('reshape (view), transpose, slice and at views', async () => {
    const a = nd.array(m);
    expect(await a.reshape(3, 2).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(a.reshape([-1]).shape).toEqual([6]);
    expect(await a.transpose().toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(await a.at(1).toArray()).toEqual([4, 5, 6]);
    expect(await a.at(-1).toArray()).toEqual([4, 5, 6]);
    expect(await a.slice(1, 2).toArray()).toEqual([[4, 5, 6]]);
    expect(await a.slice([0, 1], [2, 3]).toArray()).toEqual([[2, 3], [5, 6]]);
  });

  it('sum/mean/max with axis and keepdims', async () => {
    const a = nd.array(m);
    expect(await a.sum().toArray()).toEqual([21]);
    expect(await a.sum({ axis: 0 }).toArray()).toEqual([5, 7, 9]);
    expect(await a.sum({ axis: 1, keepdims: true }).toArray()).toEqual([[6], [15]]);
    expect(await a.mean({ axis: [0, 1] }).toArray()).toEqual([3.5]);
    expect(await a.max({ axis: 1 }).toArray()).toEqual([3, 6]);
    expect(await a.argmax({ axis: 1 }).toArray()).toEqual([2, 2]);
  });

  it('dot against a reference matmul', async () => {
    mx.random.seed(1);
    const A = nd.random.uniform(-1, 1, [7, 5]);
    const Bm = nd.random.uniform(-1, 1, [5, 3]);
    const ref = matmul(A.toArraySync() as number[][], Bm.toArraySync() as number[][]);
    const got = (await A.dot(Bm).toArray()) as number[][];
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(ref[i]![j]!, 5)));
  });

  it('variadic inputs (concat, stack) and multiple outputs (split)', async () => {
    const a = nd.array([[1, 2]]);
    const b = nd.array([[3, 4]]);
    expect(await nd.concat(a, b, { dim: 0 }).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(await nd.concat(a, b).toArray()).toEqual([[1, 2, 3, 4]]);
    expect(nd.stack(a, b).shape).toEqual([2, 1, 2]);
    const parts = nd.split(nd.array([[1, 2, 3, 4]]), { num_outputs: 2, axis: 1 });
    expect(parts).toHaveLength(2);
    expect(await parts[1]!.toArray()).toEqual([[3, 4]]);
  });

  it('copyTo, out= and asInContext', async () => {
    const a = nd.array([1, 2]);
    const b = nd.zeros([2]);
    expect(a.copyTo(b)).toBe(b);
    expect(await b.toArray()).toEqual([1, 2]);
    const out = nd.zeros([2]);
    expect(nd.broadcast_add(a, a, { out })).toBe(out);
    expect(await out.toArray()).toEqual([2, 4]);
    expect(a.asInContext('cpu(0)')).toBe(a);
    expect(await a.copyTo(mx.cpu(0)).toArray()).toEqual([1, 2]);
  });

  it('prints like MXNet', () => {
    expect(nd.array([[1, 2], [3, 4]]).toString()).toBe('[[1. 2.]\n [3. 4.]]\n<NDArray 2x2 @cpu(0)>');
    expect(nd.array([1, 2], { dtype: 'int32' }).toString()).toBe('[1 2]\n<NDArray 2 int32 @cpu(0)>');
    expect(nd.array([0.5, -1.25]).toString()).toBe('[ 0.5  -1.25]\n<NDArray 2 @cpu(0)>');
  });

  it('save and load .params round-trip', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mixnet-ts-'));
    try {
      const f = path.join(dir, 'x.params');
      nd.save(f, { w: nd.array([[1, 2]]), b: nd.array([3], { dtype: 'int32' }) });
      const back = nd.load(f) as Record<string, mx.NDArray>;
      expect(back['w']!.toArraySync()).toEqual([[1, 2]]);
      expect(back['b']!.dtype).toBe('int32');
      nd.save(f, [nd.array([5])]);
      expect((nd.load(f) as mx.NDArray[])[0]!.toArraySync()).toEqual([5]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the library registry matches the generated wrappers, and a mismatch says so clearly', () => {
    expect(() => mx.checkRegistry()).not.toThrow();
    expect(mx.REGISTRY_HASH).toMatch(/^[0-9a-f]{64}$/);
    const binding = native();
    const real = binding.registry;
    binding.registry = () => ['{}', 'f'.repeat(64)];
    try {
      expect(() => mx.checkRegistry()).toThrow(/does not match the one this package was generated from.*Rebuild/s);
    } finally {
      binding.registry = real;
    }
  });

  it('typed-array sources convert to the requested dtype', async () => {
    expect(await nd.array(new Float32Array([0.5, 2]), { dtype: 'float16' }).toArray()).toEqual([0.5, 2]);
    expect(await nd.array(new Uint16Array([0x3c00]), { dtype: 'float16' }).toArray()).toEqual([1]);
    expect(await nd.array(new BigInt64Array([5n, -6n])).toArray()).toEqual([5n, -6n]);
    expect(await nd.array(new Float64Array([1.7, -1.7]), { dtype: 'int32' }).toArray()).toEqual([1, -1]);
  });
});
