// Small helpers shared by the gluon.nn layers: argument normalisation done once in constructors,
// Python-style text for repr()s, and turning an engine error into one that names the layer.
import { fail, MXNetError } from '../../errors.js';
import { type Parameter, type ParameterOptions } from '../parameter.js';
import { type ParameterDict } from '../parameter_dict.js';

/** A spatial argument as MXNet takes it: one int for every dimension, or one per dimension. */
export type IntOrTuple = number | readonly number[];

/** `v` as a tuple of `n` positive-or-zero integers (kernel_size=3 → [3, 3] in 2-D). */
export function toTuple(layer: string, arg: string, v: IntOrTuple, n: number, min = 0): number[] {
  const t = typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (t.length !== n || t.some((d) => !Number.isInteger(d) || d < min)) {
    fail(
      'ValueError',
      `${layer}: ${arg} must be an integer >= ${min} or a tuple of ${n} such integers, got ${pyRepr(v)}`,
    );
  }
  return t;
}

/** A value as Python's repr() prints it: (2, 2), (2,), True, None, 1e-05, 'relu'. */
export function pyRepr(v: unknown): string {
  if (v === undefined || v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyFloat(v);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(', ')})`;
  return String(v);
}

/** A number as Python prints a float or int: 1e-05, 0.9, 1. */
function pyFloat(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs < 1e-4) {
    // Python writes small floats as 1e-05, JS as 0.00001 / 1e-7
    const [m, e] = v.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

/** A float parameter that must be finite and satisfy `ok`. */
export function checkNumber(layer: string, arg: string, v: number, ok: (v: number) => boolean, want: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) fail('ValueError', `${layer}: ${arg} must be ${want}, got ${pyRepr(v)}`);
  return v;
}

/** A positive integer argument (units, channels, input_dim). */
export function checkCount(layer: string, arg: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) fail('ValueError', `${layer}: ${arg} must be an integer >= ${min}, got ${pyRepr(v)}`);
  return v;
}

/** `axis` of an array of rank `ndim` as a non-negative index, or an error naming the layer. */
export function normAxis(layer: string, axis: number, ndim: number): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= ndim) fail('ValueError', `${layer}: axis ${axis} is out of range for an input of ${ndim} dimensions`);
  return a;
}

export const shapeText = (s: readonly number[]): string => pyRepr([...s]);

/**
 * Runs an op call; an engine error is re-thrown with the layer's name and the layer's own
 * diagnosis first. try/catch costs nothing on the path that does not throw, so the hot path
 * keeps no checks of its own.
 */
export function explainFailure(layer: string, e: unknown, diagnose: () => string | undefined): never {
  if (!(e instanceof MXNetError)) throw e;
  let why: string | undefined;
  try {
    why = diagnose();
  } catch {
    why = undefined;
  }
  const msg = why ? `${layer}: ${why} (${e.message})` : `${layer}: ${e.message}`;
  throw new MXNetError(msg, e.kind, e.op);
}

/**
 * The layer's parameter `name`, taken from `shared` (the `params` block option) when that dict
 * holds it. MXNet gives a block built with `params=` a dict with the shared dict's prefix, so
 * `Dense(3, params=d.collect_params())` finds d's dense0_weight; block.ts keys the dict by the
 * block's own prefix, so the lookup is made here by the shared prefix.
 */
export function layerParam(own: ParameterDict, shared: ParameterDict | undefined, name: string, options: ParameterOptions): Parameter {
  if (shared === undefined || shared.prefix === own.prefix || !shared.has(shared.prefix + name)) return own.get(name, options);
  const p = shared.get(name, options); // checks the requested shape against the shared one
  own.update([[p.name, p]]);
  return p;
}
