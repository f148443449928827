// MXNet's string forms of parameter values, in TypeScript: the same grammar the engine's
// param_parse.cc accepts at run time, used here to validate YAML defaults and to print them in
// the canonical form that the engine's to_attrs prints (so a default round-trips unchanged).

import { DTYPE_NAMES, type DTypeName, type ParamType, type Value } from './model.js';

/** What a type accepts, as run-time error messages say it ("expects <this>, got ..."). */
export const EXPECTED: Readonly<Record<ParamType, string>> = {
  int: 'an int',
  long: 'an int64',
  float: 'a float',
  double: 'a double',
  bool: 'a bool (True/False)',
  string: 'a string',
  dtype: 'a dtype name (float32, float64, float16, bfloat16, uint8, int8, int32, int64, bool)',
  enum: 'one of the listed values',
  shape: 'a shape such as (2, 3)',
  int_or_none_tuple: 'a tuple of ints or None such as (None, 2)',
  float_tuple: 'a tuple of floats such as (0.5, 1.0)',
};

const DTYPE_ALIASES: Readonly<Record<string, DTypeName>> = {
  float: 'float32',
  double: 'float64',
  half: 'float16',
};

const INT_LIMITS = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
} as const;

/** The result of parsing: a value, or why not ("type" → TypeError, "range" → ValueError). */
export type ParseResult =
  | { readonly ok: true; readonly value: Value }
  | { readonly ok: false; readonly reason: 'type' | 'range'; readonly expected: string };

function fail(reason: 'type' | 'range', expected: string): ParseResult {
  return { ok: false, reason, expected };
}

export function isNoneText(text: string): boolean {
  return text.trim() === 'None';
}

function parseIntText(text: string): bigint | undefined {
  const t = text.trim();
  return /^[+-]?\d+$/.test(t) ? BigInt(t) : undefined;
}

/** Float grammar of the engine: decimal or scientific, inf/infinity/nan with optional sign. */
function parseFloatText(text: string): number | undefined {
  const t = text.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** Splits "(a, b)", "[a,b]", "(a,)", "()" into trimmed items; a bare item is a 1-tuple. */
function splitTuple(text: string): string[] | undefined {
  const t = text.trim();
  const open = t[0];
  if (open !== '(' && open !== '[') return t === '' ? undefined : [t];
  if (t[t.length - 1] !== (open === '(' ? ')' : ']')) return undefined;
  const inner = t.slice(1, -1).trim();
  if (inner === '') return [];
  const items = inner.split(',').map((s) => s.trim());
  if (items[items.length - 1] === '') items.pop(); // "(3,)"
  return items.some((s) => s === '') ? undefined : items;
}

/** Parses `text` (MXNet string form) as a value of `type`; `optional` admits "None". */
export function parseValue(
  type: ParamType,
  text: string,
  opts: { readonly optional: boolean; readonly values?: readonly string[] | undefined },
): ParseResult {
  if (opts.optional && isNoneText(text)) return { ok: true, value: { kind: 'none' } };
  switch (type) {
    case 'int':
    case 'long': {
      const v = parseIntText(text);
      if (v === undefined) return fail('type', EXPECTED[type]);
      const [lo, hi] = INT_LIMITS[type];
      if (v < lo || v > hi) return fail('range', `${EXPECTED[type]} in [${lo}, ${hi}]`);
      return { ok: true, value: { kind: 'int', value: v } };
    }
    case 'float':
    case 'double': {
      const v = parseFloatText(text);
      if (v === undefined) return fail('type', EXPECTED[type]);
      const stored = type === 'float' ? Math.fround(v) : v;
      if (!/inf|nan/i.test(text) && !Number.isFinite(stored)) {
        return fail('range', `${EXPECTED[type]} within the ${type === 'float' ? 'float32' : 'float64'} range`);
      }
      return { ok: true, value: { kind: 'float', value: stored } };
    }
    case 'bool': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === '1') return { ok: true, value: { kind: 'bool', value: true } };
      if (t === 'false' || t === '0') return { ok: true, value: { kind: 'bool', value: false } };
      return fail('type', EXPECTED.bool);
    }
    case 'string':
      return { ok: true, value: { kind: 'string', value: text } };
    case 'dtype': {
      const t = text.trim();
      const name = (DTYPE_NAMES as readonly string[]).includes(t)
        ? (t as DTypeName)
        : DTYPE_ALIASES[t];
      return name ? { ok: true, value: { kind: 'dtype', value: name } } : fail('type', EXPECTED.dtype);
    }
    case 'enum': {
      const t = text.trim();
      const values = opts.values ?? [];
      if (values.includes(t)) return { ok: true, value: { kind: 'enum', value: t } };
      return fail('range', `one of ${values.map((v) => `'${v}'`).join(', ')}`);
    }
    case 'shape': {
      const items = splitTuple(text);
      const dims = items?.map(parseIntText);
      if (!dims || dims.some((d) => d === undefined)) return fail('type', EXPECTED.shape);
      return { ok: true, value: { kind: 'shape', value: dims as bigint[] } };
    }
    case 'int_or_none_tuple': {
      const items = splitTuple(text);
      const dims = items?.map((s) => (s === 'None' ? null : parseIntText(s)));
      if (!dims || dims.some((d) => d === undefined)) return fail('type', EXPECTED[type]);
      return { ok: true, value: { kind: 'int_or_none_tuple', value: dims as (bigint | null)[] } };
    }
    case 'float_tuple': {
      const items = splitTuple(text);
      const vals = items?.map(parseFloatText);
      if (!vals || vals.some((d) => d === undefined)) return fail('type', EXPECTED[type]);
      return { ok: true, value: { kind: 'float_tuple', value: vals as number[] } };
    }
  }
}

/** Shortest decimal digits that round-trip: "d.ddde±N" (float32 when `single`). */
function shortestExponential(x: number, single: boolean): string {
  if (!single) return x.toExponential();
  for (let p = 0; p < 9; ++p) {
    const s = x.toExponential(p);
    if (Math.fround(Number(s)) === x) return s;
  }
  return x.toExponential(8);
}

/**
 * Python's repr of a float (what MXNet's Python front end writes into symbol JSON): shortest
 * round-trip digits, fixed notation for exponents in [-4, 16), else "1e-05"; integral values
 * keep ".0"; specials are "inf", "-inf", "nan". The engine's FormatFloat does the same.
 */
export function formatFloat(x: number, single: boolean): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, expText] = shortestExponential(Math.abs(x), single).split('e');
  const digits = mantissa!.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const e = String(Math.abs(exp)).padStart(2, '0');
    return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fracPart = digits.slice(exp + 1) || '0';
  return `${sign}${intPart}.${fracPart}`;
}

function formatTuple(items: readonly string[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** The canonical MXNet string form of a value of `type` (what the engine's to_attrs prints). */
export function formatValue(type: ParamType, v: Value): string {
  switch (v.kind) {
    case 'none':
      return 'None';
    case 'int':
      return v.value.toString();
    case 'float':
      return formatFloat(v.value, type === 'float');
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'string':
    case 'dtype':
    case 'enum':
      return v.value;
    case 'shape':
      return formatTuple(v.value.map(String));
    case 'int_or_none_tuple':
      return formatTuple(v.value.map((d) => (d === null ? 'None' : String(d))));
    case 'float_tuple':
      return formatTuple(v.value.map((d) => formatFloat(d, false)));
  }
}
