// engine/ops/<family>.yaml → the model (model.ts), checking every key and value. Per-file checks
// live here; checks across files (duplicate op names, struct-name collisions) in validate.ts.

import { isMap, isScalar, isSeq, type Node } from 'yaml';

import { enumeratorName, enumTypeName, RESERVED_MEMBERS } from './cpp_names.js';
import { formatPos } from './diagnostics.js';
import {
  INTEGER_TYPES,
  NUMERIC_TYPES,
  PARAM_TYPES,
  type Family,
  type Input,
  type InputCondition,
  type Op,
  type Param,
  type ParamType,
  type Value,
} from './model.js';
import { formatValue, parseValue } from './values.js';
import { type YamlFile, type YamlNode } from './yaml_reader.js';

const FAMILY_KEYS = ['family', 'doc', 'ops'];
const OP_KEYS = ['name', 'aliases', 'doc', 'inputs', 'outputs', 'params', 'differentiable', 'needs_rng'];
const INPUT_KEYS = ['name', 'variadic', 'count_param', 'count_per', 'mutable', 'present_when', 'absent_when'];
const OUTPUT_KEYS = ['name', 'hidden'];
const PARAM_KEYS = ['name', 'type', 'default', 'optional', 'values', 'range', 'doc'];
const TUPLE_TYPES: readonly ParamType[] = ['shape', 'int_or_none_tuple', 'float_tuple'];

/**
 * Parses one family file. Errors go to file.diags; the family returned then holds what could be
 * read (ops with a name), so that checks across files still run and one run reports everything.
 */
export function parseFamily(file: YamlFile, expectedName: string): Family | undefined {
  const before = file.diags.count;
  const root = file.parse();
  if (root === undefined && file.diags.count > before) return undefined;
  const m = file.map(root, 'family file', FAMILY_KEYS, FAMILY_KEYS);
  if (!m) return undefined;
  const nameNode = m.get('family')?.value;
  const name = m.has('family') ? file.identifier(nameNode, "'family'") : undefined;
  if (name !== undefined && name !== expectedName) {
    file.error(nameNode, `'family: ${name}' must equal the file name '${expectedName}'`);
  }
  const doc = m.has('doc') ? file.doc(m.get('doc')?.value, "the family's 'doc'") : undefined;
  const ops: Op[] = [];
  const opNodes = m.has('ops') ? file.seq(m.get('ops')?.value, "'ops'") : undefined;
  for (const node of opNodes ?? []) {
    const op = parseOp(file, node, expectedName);
    if (op) ops.push(op);
  }
  return { name: expectedName, doc: doc ?? '', file: file.displayPath, ops };
}

/** The `name:` of a mapping, if it has a string one (to name it in errors about its keys). */
function peekName(node: YamlNode): string | undefined {
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => isScalar(p.key) && p.key.value === 'name');
  return isScalar(pair?.value) && typeof pair.value.value === 'string' ? pair.value.value : undefined;
}

/** Parses one op; undefined only without a usable name. Fields with errors get neutral values. */
function parseOp(file: YamlFile, node: Node, family: string): Op | undefined {
  const peeked = peekName(node);
  const m = file.map(node, peeked === undefined ? 'op' : `op '${peeked}'`, OP_KEYS, ['name', 'doc']);
  if (!m) return undefined;
  const name = m.has('name') ? file.identifier(m.get('name')?.value, "op 'name'") : undefined;
  if (name === undefined) return undefined;
  const what = `op '${name}'`;
  const doc = m.has('doc') ? file.doc(m.get('doc')?.value, `${what}: 'doc'`) : undefined;
  const aliases = m.has('aliases') ? file.stringList(m.get('aliases')?.value, `${what}: 'aliases'`) : [];
  for (const a of aliases ?? []) {
    if (a === name) file.error(m.get('aliases')?.value, `${what}: alias '${a}' equals the op name`);
  }
  checkUnique(file, aliases ?? [], m.get('aliases')?.value, `${what}: alias`);

  const params: Param[] = [];
  const paramNodes = m.has('params') ? file.seq(m.get('params')?.value, `${what}: 'params'`) : [];
  const seenParams = new Map<string, Param>();
  const seenEnumTypes = new Map<string, string>();
  for (const pn of paramNodes ?? []) {
    const p = parseParam(file, pn, what);
    if (!p) continue;
    const first = seenParams.get(p.name);
    if (first) {
      file.diags.add(p.pos, `${what}: duplicate parameter '${p.name}' (first at ${formatPos(first.pos)})`);
      continue;
    }
    if (p.type === 'enum') {
      const t = enumTypeName(p.name);
      const other = seenEnumTypes.get(t);
      if (other) file.diags.add(p.pos, `${what}: enum parameters '${other}' and '${p.name}' both map to the C++ type '${t}'`);
      seenEnumTypes.set(t, p.name);
    }
    seenParams.set(p.name, p);
    params.push(p);
  }

  const inputs = parseInputs(file, m.get('inputs')?.value, m.has('inputs'), what, seenParams);
  let outputs: string[] | undefined = ['output'];
  let hiddenOutputs = 0;
  if (m.has('outputs')) {
    const parsed = parseOutputs(file, m.get('outputs')?.value, what);
    outputs = parsed?.names;
    hiddenOutputs = parsed?.hidden ?? 0;
  }
  const differentiable = m.has('differentiable')
    ? file.bool(m.get('differentiable')?.value, `${what}: 'differentiable'`)
    : false;
  const needsRng = m.has('needs_rng') ? file.bool(m.get('needs_rng')?.value, `${what}: 'needs_rng'`) : false;
  return {
    name,
    aliases: aliases ?? [],
    family,
    doc: doc ?? '',
    inputs: inputs ?? [],
    outputs: outputs ?? [],
    hiddenOutputs,
    params,
    differentiable: differentiable ?? false,
    needsRng: needsRng ?? false,
    pos: file.pos(m.get('name')?.value),
  };
}

function checkUnique(file: YamlFile, names: readonly string[], node: YamlNode, what: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) file.error(node, `${what} '${n}' is listed twice`);
    seen.add(n);
  }
}

function parseInputs(
  file: YamlFile,
  node: YamlNode,
  present: boolean,
  what: string,
  params: ReadonlyMap<string, Param>,
): Input[] | undefined {
  if (!present) return [];
  const items = file.seq(node, `${what}: 'inputs'`);
  if (!items) return undefined;
  const inputs: Input[] = [];
  for (const item of items) {
    if (isScalar(item)) {
      const name = file.identifier(item, `${what}: input name`);
      if (name !== undefined) inputs.push({ name, variadic: false, countParam: undefined, countPer: 1, mutable: false, condition: undefined });
      continue;
    }
    const peeked = peekName(item);
    const m = file.map(item, peeked === undefined ? `${what}: input` : `${what}: input '${peeked}'`, INPUT_KEYS, ['name']);
    if (!m) continue;
    const name = m.has('name') ? file.identifier(m.get('name')?.value, `${what}: input name`) : undefined;
    const variadic = m.has('variadic') ? file.bool(m.get('variadic')?.value, `${what}: 'variadic'`) : false;
    const countNode = m.get('count_param')?.value;
    const countParam = m.has('count_param') ? file.identifier(countNode, `${what}: 'count_param'`) : undefined;
    if (name === undefined || variadic === undefined) continue;
    if (variadic && !m.has('count_param')) {
      file.error(item, `${what}: variadic input '${name}' needs 'count_param' (the int param holding the count)`);
    } else if (!variadic && m.has('count_param')) {
      file.error(countNode, `${what}: 'count_param' is only allowed on a variadic input`);
    } else if (countParam !== undefined) {
      const p = params.get(countParam);
      if (!p) {
        file.error(countNode, `${what}: count_param '${countParam}' is not a parameter of the op`);
      } else if (p.type !== 'int' || p.optional) {
        file.error(countNode, `${what}: count_param '${countParam}' must be a non-optional int parameter (it is ${p.optional ? 'optional ' : ''}${p.type})`);
      }
    }
    const mutable = m.has('mutable') ? file.bool(m.get('mutable')?.value, `${what}: 'mutable'`) : false;
    if (mutable && variadic) file.error(m.get('mutable')?.value, `${what}: a variadic input cannot be mutable`);
    let condition: InputCondition | undefined;
    for (const key of ['present_when', 'absent_when'] as const) {
      if (!m.has(key)) continue;
      const condNode = m.get(key)?.value;
      if (condition !== undefined) file.error(condNode, `${what}: use one of 'present_when' and 'absent_when'`);
      condition = parseCondition(file, condNode, `${what}: input '${name}' '${key}'`, key === 'absent_when', params);
      if (variadic) file.error(condNode, `${what}: a variadic input cannot be conditional`);
    }
    let countPer = 1;
    if (m.has('count_per')) {
      const perNode = m.get('count_per')?.value;
      const per: unknown = isScalar(perNode) ? perNode.value : undefined;
      if (!variadic) file.error(perNode, `${what}: 'count_per' is only allowed on a variadic input`);
      else if (typeof per !== 'number' || !Number.isInteger(per) || per < 1) file.error(perNode, `${what}: 'count_per' must be a positive integer`);
      else countPer = per;
    }
    inputs.push({ name, variadic, countParam, countPer, mutable: mutable ?? false, condition });
  }
  checkUnique(file, inputs.map((i) => i.name), node, `${what}: input`);
  const firstConditional = inputs.findIndex((i) => i.condition !== undefined);
  if (firstConditional >= 0 && inputs.slice(firstConditional).some((i) => i.condition === undefined)) {
    file.error(node, `${what}: conditional inputs (present_when/absent_when) must come after the others`);
  }
  if (inputs.some((i) => i.variadic) && inputs.length > 1) {
    file.error(node, `${what}: a variadic input must be the op's only input`);
  }
  return inputs;
}

/**
 * `use_length` (a bool param) or `mode == lstm` (an enum param and one of its values).
 */
function parseCondition(
  file: YamlFile,
  node: YamlNode,
  what: string,
  negate: boolean,
  params: ReadonlyMap<string, Param>,
): InputCondition | undefined {
  const text = file.string(node, what);
  if (text === undefined) return undefined;
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:==\s*([A-Za-z0-9_]+)\s*)?$/.exec(text);
  if (!match) {
    file.error(node, `${what}: expected '<bool param>' or '<enum param> == <value>', got '${text}'`);
    return undefined;
  }
  const [, param, value] = match as unknown as [string, string, string | undefined];
  const p = params.get(param);
  if (!p) {
    file.error(node, `${what}: '${param}' is not a parameter of the op`);
    return undefined;
  }
  if (value === undefined && (p.type !== 'bool' || p.optional)) {
    file.error(node, `${what}: '${param}' must be a non-optional bool parameter (it is ${p.type})`);
    return undefined;
  }
  if (value !== undefined && (p.type !== 'enum' || p.optional || !(p.values ?? []).includes(value))) {
    file.error(node, `${what}: '${param} == ${value}' needs a non-optional enum parameter with the value '${value}'`);
    return undefined;
  }
  return { param, value, negate };
}

/** Output names (strings, or {name, hidden: true} for trailing hidden outputs). */
function parseOutputs(file: YamlFile, node: YamlNode, what: string): { names: string[]; hidden: number } | undefined {
  const items = file.seq(node, `${what}: 'outputs'`);
  if (!items) return undefined;
  if (items.length === 0) file.error(node, `${what}: 'outputs' must not be empty`);
  const names: string[] = [];
  let hidden = 0;
  for (const item of items) {
    let name: string | undefined;
    let isHidden = false;
    if (isScalar(item)) {
      name = file.identifier(item, `${what}: output name`);
    } else {
      const m = file.map(item, `${what}: output`, OUTPUT_KEYS, ['name']);
      if (!m) continue;
      name = file.identifier(m.get('name')?.value, `${what}: output name`);
      isHidden = m.has('hidden') ? (file.bool(m.get('hidden')?.value, `${what}: 'hidden'`) ?? false) : false;
    }
    if (name === undefined) continue;
    if (!isHidden && hidden > 0) file.error(item, `${what}: visible output '${name}' follows a hidden one (hidden outputs come last)`);
    if (isHidden) hidden++;
    names.push(name);
  }
  if (hidden > 0 && hidden === names.length) file.error(node, `${what}: at least one output must be visible`);
  checkUnique(file, names, node, `${what}: output`);
  return { names, hidden };
}

function parseParam(file: YamlFile, node: Node, opWhat: string): Param | undefined {
  const before = file.diags.count;
  const peeked = peekName(node);
  const label = peeked === undefined ? `${opWhat}: parameter` : `${opWhat}: parameter '${peeked}'`;
  const m = file.map(node, label, PARAM_KEYS, ['name', 'type', 'doc']);
  if (!m) return undefined;
  const name = m.has('name') ? file.identifier(m.get('name')?.value, `${opWhat}: parameter name`) : undefined;
  if (name === undefined) return undefined;
  const what = `${opWhat}: parameter '${name}'`;
  if (RESERVED_MEMBERS.includes(name)) {
    file.error(m.get('name')?.value, `${what}: the name is reserved by the generated struct`);
  }
  const typeNode = m.get('type')?.value;
  const typeText = m.has('type') ? file.string(typeNode, `${what}: 'type'`) : undefined;
  let type: ParamType | undefined;
  if (typeText !== undefined) {
    if ((PARAM_TYPES as readonly string[]).includes(typeText)) type = typeText as ParamType;
    else file.error(typeNode, `${what}: unknown type '${typeText}' (known: ${PARAM_TYPES.join(', ')})`);
  }
  const doc = m.has('doc') ? file.doc(m.get('doc')?.value, `${what}: 'doc'`) : undefined;
  const optional = m.has('optional') ? file.bool(m.get('optional')?.value, `${what}: 'optional'`) : false;
  if (type === undefined || optional === undefined) return undefined;

  let values: string[] | undefined;
  const valuesNode = m.get('values')?.value;
  if (type === 'enum') {
    if (!m.has('values')) file.error(m.get('type')?.value, `${what}: an enum needs 'values'`);
    else values = parseEnumValues(file, valuesNode, what);
  } else if (m.has('values')) {
    file.error(m.get('values')?.key, `${what}: 'values' is only allowed for type enum`);
  }
  let range: [number | null, number | null] | undefined;
  if (m.has('range')) {
    if (!NUMERIC_TYPES.includes(type)) {
      file.error(m.get('range')?.key, `${what}: 'range' is only allowed for ${NUMERIC_TYPES.join(', ')}`);
    } else {
      range = parseRange(file, m.get('range')?.value, what, INTEGER_TYPES.includes(type));
    }
  }
  let dflt: Value | undefined;
  const valuesOk = type !== 'enum' || values !== undefined;
  const rangeOk = !m.has('range') || range !== undefined;
  if (m.has('default') && valuesOk && rangeOk) {
    dflt = parseDefault(file, m.get('default')?.value, what, type, optional, values, range);
  }
  if (file.diags.count > before) return undefined;
  return {
    name,
    type,
    optional,
    default: dflt,
    defaultText: dflt === undefined ? undefined : formatValue(type, dflt),
    values,
    range,
    doc: doc!,
    pos: file.pos(m.get('name')?.value),
  };
}

function parseEnumValues(file: YamlFile, node: YamlNode, what: string): string[] | undefined {
  const items = file.seq(node, `${what}: 'values'`);
  if (!items) return undefined;
  if (items.length === 0) {
    file.error(node, `${what}: 'values' must not be empty`);
    return undefined;
  }
  const values: string[] = [];
  const enumerators = new Map<string, string>();
  for (const item of items) {
    // YAML reads `True`, `1` or `null` as non-strings; enum values are always strings.
    const v = isScalar(item) && item.value !== null ? (item.source ?? String(item.value)) : undefined;
    if (v === undefined || !/^[A-Za-z0-9_]+$/.test(v)) {
      file.error(item, `${what}: enum value must be a word of letters, digits and '_'`);
      continue;
    }
    const e = enumeratorName(v);
    const other = enumerators.get(e);
    if (other !== undefined) {
      file.error(item, other === v ? `${what}: enum value '${v}' is listed twice` : `${what}: enum values '${other}' and '${v}' both map to the C++ enumerator '${e}'`);
      continue;
    }
    enumerators.set(e, v);
    values.push(v);
  }
  return values;
}

function parseRange(file: YamlFile, node: YamlNode, what: string, integer: boolean): [number | null, number | null] | undefined {
  const items = isSeq(node) ? (node.items as Node[]) : undefined;
  if (!items || items.length !== 2) {
    file.error(node, `${what}: 'range' must be [min, max] (null for an open end)`);
    return undefined;
  }
  const bounds: (number | null)[] = [];
  for (const item of items) {
    const v = isScalar(item) ? item.value : undefined;
    if (v === null) bounds.push(null);
    else if (typeof v === 'number' && Number.isFinite(v) && (!integer || Number.isInteger(v))) bounds.push(v);
    else {
      file.error(item, `${what}: range bound must be ${integer ? 'an integer' : 'a finite number'} or null`);
      return undefined;
    }
  }
  const [lo, hi] = bounds as [number | null, number | null];
  if (lo !== null && hi !== null && lo > hi) {
    file.error(node, `${what}: range [${lo}, ${hi}] is empty (min > max)`);
    return undefined;
  }
  return [lo, hi];
}

/** The default as MXNet string text: YAML null → "None", booleans → "True"/"False". */
function defaultText(file: YamlFile, node: YamlNode, what: string, type: ParamType): string | undefined {
  if (isSeq(node) && TUPLE_TYPES.includes(type)) {
    const parts: string[] = [];
    for (const item of node.items as Node[]) {
      if (!isScalar(item) || (typeof item.value !== 'number' && item.value !== null && item.value !== 'None')) {
        file.error(item, `${what}: tuple default entries must be numbers or None`);
        return undefined;
      }
      parts.push(item.value === null ? 'None' : (item.source ?? String(item.value)));
    }
    return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
  }
  if (!isScalar(node)) {
    file.error(node, `${what}: 'default' must be a scalar in MXNet string form`);
    return undefined;
  }
  const v = node.value;
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    return node.source ?? String(v);
  }
  return String(v);
}

function parseDefault(
  file: YamlFile,
  node: YamlNode,
  what: string,
  type: ParamType,
  optional: boolean,
  values: readonly string[] | undefined,
  range: readonly [number | null, number | null] | undefined,
): Value | undefined {
  const text = defaultText(file, node, what, type);
  if (text === undefined) return undefined;
  if (text.trim() === 'None' && !optional) {
    file.error(node, `${what}: default None needs 'optional: true'`);
    return undefined;
  }
  const r = parseValue(type, text, { optional, values });
  if (!r.ok) {
    file.error(node, `${what}: default '${text}' is not ${r.expected}`);
    return undefined;
  }
  const v = r.value;
  if (range && (v.kind === 'int' || v.kind === 'float')) {
    const x = Number(v.value);
    // float params compare against float-rounded bounds, as the engine does.
    const round = (b: number | null): number | null => (b !== null && type === 'float' ? Math.fround(b) : b);
    const [lo, hi] = [round(range[0]), round(range[1])];
    if (Number.isNaN(x) || (lo !== null && x < lo) || (hi !== null && x > hi)) {
      file.error(node, `${what}: default '${text}' is outside the range [${range[0] ?? '-inf'}, ${range[1] ?? 'inf'}]`);
      return undefined;
    }
  }
  return v;
}
