// The runner's comparison must be able to fail: each rule checked against hand-made records.
import { describe, expect, it } from 'vitest';

import { flatten, mismatch } from '../src/compare.js';

const f32 = (data: unknown, shape: number[]) => ({ dtype: 'float32', shape, data: data as number[] });

describe('mismatch', () => {
  it('requires the exact dtype and shape', () => {
    expect(mismatch(f32([1, 2], [2]), { dtype: 'float64', shape: [2], values: [1, 2] }, 'o')).toMatch(/dtype float64, MXNet float32/);
    expect(mismatch(f32([[1, 2]], [1, 2]), { dtype: 'float32', shape: [2], values: [1, 2] }, 'o')).toMatch(/shape \(2,\), MXNet \(1, 2\)/);
  });

  it('uses rtol 1e-5 / atol 1e-6 for float32', () => {
    const want = f32([100, 0], [2]);
    expect(mismatch(want, { dtype: 'float32', shape: [2], values: [100.0009, 9e-7] }, 'o')).toBeUndefined();
    expect(mismatch(want, { dtype: 'float32', shape: [2], values: [100.002, 0] }, 'o')).toMatch(/1 of 2 values differ: \[0\] got 100.002/);
    expect(mismatch(want, { dtype: 'float32', shape: [2], values: [100, 2e-6] }, 'o')).toMatch(/\[1\]/);
  });

  it('is looser for float16, and NaN equals NaN while infinities must match', () => {
    const h = { dtype: 'float16', shape: [3], data: [1, 'nan', '-inf'] };
    expect(mismatch(h, { dtype: 'float16', shape: [3], values: [1.0015, NaN, -Infinity] }, 'o')).toBeUndefined();
    expect(mismatch(h, { dtype: 'float16', shape: [3], values: [1, 0, -Infinity] }, 'o')).toMatch(/\[1\] got 0, MXNet NaN/);
    expect(mismatch(h, { dtype: 'float16', shape: [3], values: [1, NaN, Infinity] }, 'o')).toMatch(/\[2\]/);
  });

  it('compares integers exactly, int64 as bigint', () => {
    const i = { dtype: 'int32', shape: [2], data: [3, -4] };
    expect(mismatch(i, { dtype: 'int32', shape: [2], values: [3, -4] }, 'o')).toBeUndefined();
    expect(mismatch(i, { dtype: 'int32', shape: [2], values: [3, -3] }, 'o')).toMatch(/\[1\] got -3, MXNet -4/);
    const l = { dtype: 'int64', shape: [2], data: [2, '4611686018427387904'] };
    expect(mismatch(l, { dtype: 'int64', shape: [2], values: [2n, 4611686018427387904n] }, 'o')).toBeUndefined();
    expect(mismatch(l, { dtype: 'int64', shape: [2], values: [2n, 4611686018427387905n] }, 'o')).toMatch(/\[1\]/);
  });

  it('flattens row-major and treats a scalar as one element', () => {
    expect(flatten([[1, 2], [3, 4]])).toEqual([1, 2, 3, 4]);
    expect(flatten(5)).toEqual([5]);
    expect(flatten([])).toEqual([]);
  });
});
