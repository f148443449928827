// Comparing one MXNet output record with what mixnet computed: shapes and dtypes exactly,
// integers exactly, floats within a dtype-dependent tolerance, NaN equal to NaN.
import type { Nested, TensorRecord } from './fixture.js';

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** |got - want| <= atol + rtol * |want|, per float dtype (float32 is what MXNet's tests use). */
export const TOLERANCES: Readonly<Record<string, Tolerance>> = {
  float16: { rtol: 1e-3, atol: 1e-3 },
  bfloat16: { rtol: 1e-2, atol: 1e-2 },
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-7, atol: 1e-10 },
};

const INTEGER_DTYPES = new Set(['int8', 'uint8', 'int32', 'int64', 'bool']);

/** A fixture element as a number ("nan"/"inf"/"-inf" strings, booleans as 0/1). */
export function toNumber(v: Nested): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    if (v === 'nan') return NaN;
    if (v === 'inf') return Infinity;
    if (v === '-inf') return -Infinity;
    return Number(v);
  }
  throw new Error(`expected a scalar, got a list`);
}

/** Row-major flattening of nested lists (a scalar is a 0-d array: one element). */
export function flatten<T>(v: T | readonly unknown[]): T[] {
  if (!Array.isArray(v)) return [v as T];
  const out: T[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) for (const y of x) walk(y);
    else out.push(x as T);
  };
  walk(v);
  return out;
}

/** What mixnet produced for one output. */
export interface Actual {
  dtype: string;
  shape: readonly number[];
  values: readonly (number | bigint | boolean)[];
}

const fmt = (s: readonly number[]): string => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

/**
 * Undefined when `got` matches `want`, else a message that says where and by how much. `floatTol`
 * overrides the per-dtype tolerance of float values (gradients use a looser one).
 */
export function mismatch(want: TensorRecord, got: Actual, label: string, floatTol?: Tolerance): string | undefined {
  if (got.dtype !== want.dtype) return `${label}: dtype ${got.dtype}, MXNet ${want.dtype}`;
  if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
    return `${label}: shape ${fmt(got.shape)}, MXNet ${fmt(want.shape)}`;
  }
  const expected = flatten<Nested>(want.data);
  if (expected.length !== got.values.length) {
    return `${label}: ${got.values.length} values, MXNet ${expected.length}`;
  }
  const bad: string[] = [];
  let nBad = 0;
  if (INTEGER_DTYPES.has(want.dtype)) {
    for (let i = 0; i < expected.length; i++) {
      const e = expected[i]!;
      const g = got.values[i]!;
      const ok = typeof g === 'bigint' ? g === BigInt(typeof e === 'boolean' ? Number(e) : (e as number | string)) : Number(g) === toNumber(e);
      if (!ok && nBad++ < 6) bad.push(`[${i}] got ${String(g)}, MXNet ${String(e)}`);
    }
  } else {
    const tol = floatTol ?? TOLERANCES[want.dtype];
    if (!tol) return `${label}: no tolerance defined for dtype ${want.dtype}`;
    for (let i = 0; i < expected.length; i++) {
      const e = toNumber(expected[i]!);
      const g = Number(got.values[i]!);
      const ok = Number.isNaN(e) ? Number.isNaN(g) : !Number.isFinite(e) ? g === e : Math.abs(g - e) <= tol.atol + tol.rtol * Math.abs(e);
      if (!ok && nBad++ < 6) bad.push(`[${i}] got ${g}, MXNet ${e}`);
    }
  }
  if (nBad === 0) return undefined;
  return `${label}: ${nBad} of ${expected.length} values differ: ${bad.join('; ')}${nBad > bad.length ? '; …' : ''}`;
}
