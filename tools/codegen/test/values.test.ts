// MXNet string forms in TypeScript: what YAML defaults may say and how they print.

import { describe, expect, it } from 'vitest';

import { formatFloat, formatValue, parseValue } from '../src/values.js';
import type { ParamType } from '../src/model.js';

function canon(type: ParamType, text: string, optional = false, values?: string[]): string {
  const r = parseValue(type, text, { optional, values });
  if (!r.ok) throw new Error(`${type} '${text}': ${r.reason}: ${r.expected}`);
  return formatValue(type, r.value);
}

describe('formatFloat (Python repr, as MXNet symbol JSON stores floats)', () => {
  it.each([
    [1, '1.0'],
    [0.5, '0.5'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [123.25, '123.25'],
    [1e16, '1e+16'],
    [1234567890123456, '1234567890123456.0'],
    [-2.5e-7, '-2.5e-07'],
    [1.5e300, '1.5e+300'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
    [-0, '-0.0'],
  ])('double %s → %s', (x, s) => {
    expect(formatFloat(x, false)).toBe(s);
  });

  it('prints float32 values with the fewest digits that round-trip in float32', () => {
    expect(formatFloat(Math.fround(0.1), true)).toBe('0.1');
    expect(formatFloat(Math.fround(0.1), false)).toBe('0.10000000149011612');
    expect(formatFloat(Math.fround(1 / 3), true)).toBe('0.33333334');
    expect(formatFloat(Math.fround(3.4028234663852886e38), true)).toBe('3.4028235e+38');
  });
});

describe('parseValue', () => {
  it('reads MXNet bools and prints True/False', () => {
    for (const t of ['True', 'true', '1', ' TRUE ']) expect(canon('bool', t)).toBe('True');
    for (const t of ['False', 'false', '0']) expect(canon('bool', t)).toBe('False');
    expect(parseValue('bool', 'yes', { optional: false })).toMatchObject({ ok: false, reason: 'type' });
  });

  it('reads every shape spelling', () => {
    expect(canon('shape', '(2, 3)')).toBe('(2, 3)');
    expect(canon('shape', '[2,3]')).toBe('(2, 3)');
    expect(canon('shape', '(3,)')).toBe('(3,)');
    expect(canon('shape', '3')).toBe('(3,)');
    expect(canon('shape', '()')).toBe('()');
    expect(canon('shape', '[]')).toBe('()');
    expect(canon('shape', '(0, -1, -4)')).toBe('(0, -1, -4)');
    for (const bad of ['(2, x)', '(,)', '(2,,3)', '(2, 3', '', '2.5', '(None,)']) {
      expect(parseValue('shape', bad, { optional: false }).ok, bad).toBe(false);
    }
  });

  it('reads int-or-None tuples and float tuples', () => {
    expect(canon('int_or_none_tuple', '(None, 2, -1)')).toBe('(None, 2, -1)');
    expect(canon('int_or_none_tuple', 'None')).toBe('(None,)');
    expect(canon('float_tuple', '(0.5, 1)')).toBe('(0.5, 1.0)');
    expect(canon('float_tuple', '[1e-3]')).toBe('(0.001,)');
    expect(parseValue('float_tuple', '(0.5, x)', { optional: false }).ok).toBe(false);
  });

  it('reads numbers with limits', () => {
    expect(canon('int', '+7')).toBe('7');
    expect(canon('long', '-9223372036854775808')).toBe('-9223372036854775808');
    expect(parseValue('long', '9223372036854775808', { optional: false })).toMatchObject({ ok: false, reason: 'range' });
    expect(parseValue('int', '1.0', { optional: false })).toMatchObject({ ok: false, reason: 'type' });
    expect(canon('float', '1e-5')).toBe('1e-05');
    expect(canon('float', '-INF')).toBe('-inf');
    expect(canon('double', 'NaN')).toBe('nan');
    expect(canon('float', '.5')).toBe('0.5');
    expect(parseValue('float', '1e39', { optional: false })).toMatchObject({ ok: false, reason: 'range' });
    expect(parseValue('double', '1e999', { optional: false })).toMatchObject({ ok: false, reason: 'range' });
    expect(parseValue('float', '0x10', { optional: false })).toMatchObject({ ok: false, reason: 'type' });
  });

  it('reads dtypes (with aliases), enums and None', () => {
    expect(canon('dtype', 'float')).toBe('float32');
    expect(canon('dtype', 'half')).toBe('float16');
    expect(canon('dtype', 'bfloat16')).toBe('bfloat16');
    expect(canon('enum', 'avg', false, ['max', 'avg'])).toBe('avg');
    expect(parseValue('enum', 'min', { optional: false, values: ['max'] })).toMatchObject({ ok: false, reason: 'range' });
    expect(canon('int', 'None', true)).toBe('None');
    expect(parseValue('int', 'None', { optional: false }).ok).toBe(false);
  });
});
