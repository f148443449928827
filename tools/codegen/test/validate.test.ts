// Every kind of invalid registry YAML is reported as "engine/ops/<file>.yaml:<line>:<col>: ..."
// at the offending node, and one run reports all errors.

import { afterAll, describe, expect, it } from 'vitest';

import { diagnosticsOf, INVALID_FIXTURES, removeTempDirs, runCli, tempDir } from './helpers.js';

afterAll(removeTempDirs);

/** A family file "a" with one op whose body lines are given (indented under `- `). */
function family(opBody: string, name = 'a'): string {
  return `family: ${name}\ndoc: Family doc.\nops:\n${opBody}`;
}

const OK_OP = '  - name: good\n    doc: Good op.\n';

describe('structure', () => {
  it('accepts a minimal valid file', () => {
    expect(diagnosticsOf({ a: family(OK_OP) })).toEqual([]);
  });

  it('rejects unknown keys at every level, at the key', () => {
    const text = [
      'family: a',
      'doc: d',
      'colour: red',
      'ops:',
      '  - name: x',
      '    doc: X.',
      '    inputs:',
      '      - {name: data, varadic: true}',
      '    params:',
      '      - name: p',
      '        type: int',
      '        doc: P.',
      '        defualt: 1',
      '    in_place: true',
    ].join('\n');
    expect(diagnosticsOf({ a: text })).toEqual([
      "engine/ops/a.yaml:3:1: family file: unknown key 'colour' (allowed: family, doc, ops)",
      "engine/ops/a.yaml:8:22: op 'x': input 'data': unknown key 'varadic' (allowed: name, variadic, count_param, count_per, mutable, present_when, absent_when)",
      "engine/ops/a.yaml:13:9: op 'x': parameter 'p': unknown key 'defualt' (allowed: name, type, default, optional, values, range, doc)",
      "engine/ops/a.yaml:14:5: op 'x': unknown key 'in_place' (allowed: name, aliases, doc, inputs, outputs, params, differentiable, needs_rng)",
    ]);
  });

  it('rejects duplicate YAML keys', () => {
    const text = family('  - name: x\n    doc: X.\n    doc: Again.\n');
    expect(diagnosticsOf({ a: text })).toEqual(["engine/ops/a.yaml:6:5: duplicate key 'doc'"]);
  });

  it('reports YAML syntax errors with their position', () => {
    const out = diagnosticsOf({ a: 'family: a\ndoc: [unclosed\nops: []\n' });
    expect(out.length).toBeGreaterThan(0);
    expect(out[0]).toMatch(/^engine\/ops\/a\.yaml:\d+:\d+: YAML syntax error: /);
  });

  it('requires family to equal the file name', () => {
    expect(diagnosticsOf({ a: family(OK_OP, 'b') })).toEqual([
      "engine/ops/a.yaml:1:9: 'family: b' must equal the file name 'a'",
    ]);
  });

  it('requires docs on families, ops and params', () => {
    const text = [
      'family: a',
      'ops:',
      '  - name: x',
      '    params:',
      '      - {name: p, type: int, doc: "  "}',
      '  - name: y',
      '    doc: ""',
    ].join('\n');
    expect(diagnosticsOf({ a: text })).toEqual([
      "engine/ops/a.yaml:1:1: family file: missing required key 'doc'",
      "engine/ops/a.yaml:3:5: op 'x': missing required key 'doc'",
      "engine/ops/a.yaml:5:35: op 'x': parameter 'p': 'doc' must not be empty",
      "engine/ops/a.yaml:7:10: op 'y': 'doc' must not be empty",
    ]);
  });

  it('rejects wrongly typed flags and names', () => {
    const text = family('  - name: 3x\n    doc: X.\n  - name: y\n    doc: Y.\n    differentiable: yes\n');
    expect(diagnosticsOf({ a: text })).toEqual([
      "engine/ops/a.yaml:4:11: op 'name' '3x' is not a valid name (letters, digits, '_'; not starting with a digit)",
      "engine/ops/a.yaml:8:21: op 'y': 'differentiable' must be true or false",
    ]);
  });
});

describe('names', () => {
  it('rejects duplicate op names and aliases across files', () => {
    const a = family('  - name: x\n    aliases: [ex]\n    doc: X.\n');
    const b = family('  - name: ex\n    doc: X2.\n  - name: z\n    aliases: [x]\n    doc: Z.\n', 'b');
    expect(diagnosticsOf({ a, b })).toEqual([
      "engine/ops/b.yaml:4:11: op name 'ex' of op 'ex' is already used by op 'x' (engine/ops/a.yaml:4:11)",
      "engine/ops/b.yaml:6:11: alias 'x' of op 'z' is already used by op 'x' (engine/ops/a.yaml:4:11)",
    ]);
  });

  it('rejects an alias equal to the op name or listed twice', () => {
    const text = family('  - name: x\n    aliases: [x, y, y]\n    doc: X.\n');
    expect(diagnosticsOf({ a: text })).toEqual([
      "engine/ops/a.yaml:5:14: op 'x': alias 'x' equals the op name",
      "engine/ops/a.yaml:5:14: op 'x': alias 'y' is listed twice",
    ]);
  });

  it('rejects two ops that map to the same C++ struct', () => {
    const text = family('  - name: _foo_bar\n    doc: X.\n  - name: FooBar\n    doc: Y.\n');
    expect(diagnosticsOf({ a: text })).toEqual([
      "engine/ops/a.yaml:6:11: op 'FooBar' maps to the C++ struct 'FooBarParam', already used by op '_foo_bar' (engine/ops/a.yaml:4:11)",
    ]);
  });

  it('rejects duplicate params, inputs and outputs', () => {
    const text = family(
      [
        '  - name: x',
        '    doc: X.',
        '    inputs: [data, data]',
        '    outputs: [out, out]',
        '    params:',
        '      - {name: p, type: int, doc: P.}',
        '      - {name: p, type: float, doc: P again.}',
        '',
      ].join('\n'),
    );
    expect(diagnosticsOf({ a: text })).toEqual([
      "engine/ops/a.yaml:6:13: op 'x': input 'data' is listed twice",
      "engine/ops/a.yaml:7:14: op 'x': output 'out' is listed twice",
      "engine/ops/a.yaml:10:16: op 'x': duplicate parameter 'p' (first at engine/ops/a.yaml:9:16)",
    ]);
  });
});

describe('params', () => {
  function param(spec: string): string[] {
    return diagnosticsOf({ a: family(`  - name: x\n    doc: X.\n    params:\n      - {${spec}}\n`) });
  }
  const at = (col: number, msg: string): string => `engine/ops/a.yaml:7:${col}: op 'x': parameter 'p': ${msg}`;

  it('rejects unknown types', () => {
    expect(param('name: p, type: integer, doc: P.')).toEqual([
      at(25, "unknown type 'integer' (known: int, long, float, double, bool, string, dtype, enum, shape, int_or_none_tuple, float_tuple)"),
    ]);
  });

  it('requires non-empty, unique enum values', () => {
    expect(param('name: p, type: enum, doc: P.')).toEqual([at(25, "an enum needs 'values'")]);
    expect(param('name: p, type: enum, values: [], doc: P.')).toEqual([at(39, "'values' must not be empty")]);
    expect(param('name: p, type: enum, values: [a, b, a], doc: P.')).toEqual([at(46, "enum value 'a' is listed twice")]);
    expect(param('name: p, type: enum, values: [a_b, aB], doc: P.')).toEqual([
      at(45, "enum values 'a_b' and 'aB' both map to the C++ enumerator 'kAB'"),
    ]);
  });

  it('rejects defaults that do not parse for their type', () => {
    expect(param('name: p, type: int, default: abc, doc: P.')).toEqual([at(39, "default 'abc' is not an int")]);
    expect(param('name: p, type: int, default: 1.5, doc: P.')).toEqual([at(39, "default '1.5' is not an int")]);
    expect(param('name: p, type: int, default: 2147483648, doc: P.')).toEqual([
      at(39, "default '2147483648' is not an int in [-2147483648, 2147483647]"),
    ]);
    expect(param('name: p, type: bool, default: maybe, doc: P.')).toEqual([
      at(40, "default 'maybe' is not a bool (True/False)"),
    ]);
    expect(param('name: p, type: shape, default: "(2, x)", doc: P.')).toEqual([
      at(41, "default '(2, x)' is not a shape such as (2, 3)"),
    ]);
    expect(param('name: p, type: dtype, default: float128, doc: P.')).toEqual([
      at(41, "default 'float128' is not a dtype name (float32, float64, float16, bfloat16, uint8, int8, int32, int64, bool)"),
    ]);
    expect(param('name: p, type: float, default: 1e39, doc: P.')).toEqual([
      at(41, "default '1e39' is not a float within the float32 range"),
    ]);
  });

  it('rejects defaults outside range or not in values', () => {
    expect(param('name: p, type: float, default: 1.5, range: [0, 1], doc: P.')).toEqual([
      at(41, "default '1.5' is outside the range [0, 1]"),
    ]);
    expect(param('name: p, type: int, default: -1, range: [0, null], doc: P.')).toEqual([
      at(39, "default '-1' is outside the range [0, inf]"),
    ]);
    expect(param('name: p, type: enum, values: [max, avg], default: min, doc: P.')).toEqual([
      at(60, "default 'min' is not one of 'max', 'avg'"),
    ]);
  });

  it('accepts a float default equal to a float-rounded bound', () => {
    expect(param('name: p, type: float, default: 0.1, range: [0, 0.1], doc: P.')).toEqual([]);
  });

  it('checks ranges and where values/range may appear', () => {
    expect(param('name: p, type: int, range: [2, 1], doc: P.')).toEqual([at(37, 'range [2, 1] is empty (min > max)')]);
    expect(param('name: p, type: int, range: [0.5, 1], doc: P.')).toEqual([at(38, 'range bound must be an integer or null')]);
    expect(param('name: p, type: int, range: [1], doc: P.')).toEqual([at(37, "'range' must be [min, max] (null for an open end)")]);
    expect(param('name: p, type: shape, range: [0, 1], doc: P.')).toEqual([at(32, "'range' is only allowed for int, long, float, double")]);
    expect(param('name: p, type: int, values: [a], doc: P.')).toEqual([at(30, "'values' is only allowed for type enum")]);
  });

  it('requires optional: true for a None default', () => {
    expect(param('name: p, type: int, default: null, doc: P.')).toEqual([at(39, "default None needs 'optional: true'")]);
    expect(param('name: p, type: int, default: None, doc: P.')).toEqual([at(39, "default None needs 'optional: true'")]);
    expect(param('name: p, type: int, optional: true, default: None, doc: P.')).toEqual([]);
  });

  it('rejects names reserved by the generated struct', () => {
    expect(
      diagnosticsOf({ a: family('  - name: x\n    doc: X.\n    params:\n      - {name: kOpName, type: int, doc: P.}\n') }),
    ).toEqual(["engine/ops/a.yaml:7:16: op 'x': parameter 'kOpName': the name is reserved by the generated struct"]);
  });
});

describe('variadic inputs', () => {
  function op(body: string): string[] {
    return diagnosticsOf({ a: family(`  - name: x\n    doc: X.\n${body}`) });
  }

  it('requires count_param on a variadic input', () => {
    expect(op('    inputs:\n      - {name: data, variadic: true}\n')).toEqual([
      "engine/ops/a.yaml:7:9: op 'x': variadic input 'data' needs 'count_param' (the int param holding the count)",
    ]);
  });

  it('requires count_param to be a non-optional int param of the op', () => {
    const inputs = '    inputs:\n      - {name: data, variadic: true, count_param: n}\n';
    expect(op(inputs)).toEqual(["engine/ops/a.yaml:7:51: op 'x': count_param 'n' is not a parameter of the op"]);
    expect(op(`${inputs}    params:\n      - {name: n, type: float, doc: N.}\n`)).toEqual([
      "engine/ops/a.yaml:7:51: op 'x': count_param 'n' must be a non-optional int parameter (it is float)",
    ]);
    expect(op(`${inputs}    params:\n      - {name: n, type: int, optional: true, doc: N.}\n`)).toEqual([
      "engine/ops/a.yaml:7:51: op 'x': count_param 'n' must be a non-optional int parameter (it is optional int)",
    ]);
    expect(op(`${inputs}    params:\n      - {name: n, type: int, doc: N.}\n`)).toEqual([]);
  });

  it('rejects count_param without variadic, and a variadic input beside others', () => {
    expect(op('    inputs:\n      - {name: data, count_param: n}\n')).toEqual([
      "engine/ops/a.yaml:7:35: op 'x': 'count_param' is only allowed on a variadic input",
    ]);
    const body = '    inputs:\n      - w\n      - {name: data, variadic: true, count_param: n}\n    params:\n      - {name: n, type: int, doc: N.}\n';
    expect(op(body)).toEqual(["engine/ops/a.yaml:7:7: op 'x': a variadic input must be the op's only input"]);
  });
});

describe('conditional, mutable inputs and hidden outputs', () => {
  const op = (body: string): string[] => diagnosticsOf({ a: family(`  - name: x\n    doc: X.\n${body}`) });
  const params = '    params:\n      - {name: flag, type: bool, default: false, doc: F.}\n      - {name: mode, type: enum, values: [a, b], default: a, doc: M.}\n';

  it('accepts bool and enum conditions, mutable inputs, trailing hidden outputs', () => {
    const body = `    inputs:\n      - data\n      - {name: aux, mutable: true}\n      - {name: b, absent_when: flag}\n      - {name: c, present_when: "mode == b"}\n    outputs: [out, {name: saved, hidden: true}]\n${params}`;
    expect(op(body)).toEqual([]);
  });

  it('rejects conditions on unknown, non-bool or wrong-valued params', () => {
    expect(op(`    inputs:\n      - {name: b, present_when: nope}\n${params}`)).toEqual([
      "engine/ops/a.yaml:7:33: op 'x': input 'b' 'present_when': 'nope' is not a parameter of the op",
    ]);
    expect(op(`    inputs:\n      - {name: b, present_when: mode}\n${params}`)).toEqual([
      "engine/ops/a.yaml:7:33: op 'x': input 'b' 'present_when': 'mode' must be a non-optional bool parameter (it is enum)",
    ]);
    expect(op(`    inputs:\n      - {name: b, present_when: "mode == c"}\n${params}`)).toEqual([
      "engine/ops/a.yaml:7:33: op 'x': input 'b' 'present_when': 'mode == c' needs a non-optional enum parameter with the value 'c'",
    ]);
    expect(op(`    inputs:\n      - {name: b, present_when: "a b"}\n${params}`)).toEqual([
      "engine/ops/a.yaml:7:33: op 'x': input 'b' 'present_when': expected '<bool param>' or '<enum param> == <value>', got 'a b'",
    ]);
  });

  it('accepts count_per only as a positive integer on a variadic input', () => {
    const p = '    params:\n      - {name: n, type: int, doc: N.}\n';
    expect(op(`    inputs:\n      - {name: d, variadic: true, count_param: n, count_per: 2}\n${p}`)).toEqual([]);
    expect(op(`    inputs:\n      - {name: d, variadic: true, count_param: n, count_per: 0}\n${p}`)).toEqual([
      "engine/ops/a.yaml:7:62: op 'x': 'count_per' must be a positive integer",
    ]);
    expect(op(`    inputs:\n      - {name: d, count_per: 2}\n${p}`)).toEqual([
      "engine/ops/a.yaml:7:30: op 'x': 'count_per' is only allowed on a variadic input",
    ]);
  });

  it('requires conditional inputs last and hidden outputs last', () => {
    expect(op(`    inputs:\n      - {name: b, absent_when: flag}\n      - data\n${params}`)).toEqual([
      "engine/ops/a.yaml:7:7: op 'x': conditional inputs (present_when/absent_when) must come after the others",
    ]);
    expect(op(`    outputs: [{name: s, hidden: true}, out]\n`)).toEqual([
      "engine/ops/a.yaml:6:40: op 'x': visible output 'out' follows a hidden one (hidden outputs come last)",
    ]);
    expect(op(`    outputs: [{name: s, hidden: true}]\n`)).toEqual([
      "engine/ops/a.yaml:6:14: op 'x': at least one output must be visible",
    ]);
  });
});

describe('cli', () => {
  it('prints every error of every file and exits 1', () => {
    const r = runCli(['cpp', '--ops', INVALID_FIXTURES, '--out', tempDir()]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      "tools/codegen/test/fixtures/invalid/first.yaml:9:18: op '_dup': parameter 'p': default 'x' is not an int",
      "tools/codegen/test/fixtures/invalid/first.yaml:11:11: op 'dup' maps to the C++ struct 'DupParam', already used by op '_dup' (tools/codegen/test/fixtures/invalid/first.yaml:4:11)",
      "tools/codegen/test/fixtures/invalid/second.yaml:1:9: 'family: wrong' must equal the file name 'second'",
      "tools/codegen/test/fixtures/invalid/second.yaml:5:5: op 'other': unknown key 'color' (allowed: name, aliases, doc, inputs, outputs, params, differentiable, needs_rng)",
      '4 error(s)',
    ]);
    expect(r.stdout).toBe('');
  });

  it('rejects bad usage with exit code 2', () => {
    expect(runCli(['rust', '--ops', 'x', '--out', 'y']).status).toBe(2);
    expect(runCli(['cpp', '--ops', 'x']).status).toBe(2);
  });
});
