// Emits registry.gen.cc: for every op its parser (AttrList → typed struct), its to_attrs (struct
// → MXNet strings) and its OpSchema, all registered by one static initializer; plus the
// canonical registry JSON and hash (RegistryJSON(), RegistryHash()).

import { enumeratorName, fieldName, structName } from './cpp_names.js';
import { cppFloating, cppInt64, cppString, cppValueType, stamp } from './cpp_values.js';
import { headerFileName } from './emit_cpp_params.js';
import { allOps, type Op, type Param, type Registry } from './model.js';

export const REGISTRY_FILE_NAME = 'registry.gen.cc';

const PARSERS: Readonly<Record<Exclude<Param['type'], 'enum' | 'string'>, string>> = {
  int: 'param::ParseInt',
  long: 'param::ParseLong',
  float: 'param::ParseFloat',
  double: 'param::ParseDouble',
  bool: 'param::ParseBool',
  dtype: 'param::ParseDTypeValue',
  shape: 'param::ParseShape',
  int_or_none_tuple: 'param::ParseIntOrNoneTuple',
  float_tuple: 'param::ParseFloatTuple',
};

const FORMATTERS: Readonly<Record<Exclude<Param['type'], 'enum' | 'string'>, string>> = {
  int: 'param::FormatInt',
  long: 'param::FormatInt',
  float: 'param::FormatFloat',
  double: 'param::FormatDouble',
  bool: 'param::FormatBool',
  dtype: 'param::FormatDType',
  shape: 'param::FormatShape',
  int_or_none_tuple: 'param::FormatIntOrNoneTuple',
  float_tuple: 'param::FormatFloatTuple',
};

export function emitRegistry(
  registry: Registry,
  sourceDir: string,
  json: string,
  hash: string,
): string {
  const ops = allOps(registry);
  const lines: string[] = [
    stamp(`${sourceDir}/*.yaml`),
    '#include <cstdint>',
    '#include <limits>',
    '#include <memory>',
    '#include <optional>',
    '#include <string>',
    '#include <string_view>',
    '#include <utility>',
    '#include <vector>',
    '',
    '#include "operator/op.h"',
    '#include "operator/param_parse.h"',
    ...registry.families.map((f) => `#include "${headerFileName(f)}"`),
    '',
    'namespace mixnet::op {',
    'namespace {',
  ];
  for (const op of ops) lines.push('', ...emitOp(op));
  lines.push(
    '',
    '// One initializer registers every schema, in name order (static init order within a file',
    '// is definition order, so every kSchema above is constructed by now).',
    'struct SchemaRegistrar {',
    '  SchemaRegistrar() {',
    ...ops.map((op) => `    detail::RegisterSchema(&${ns(op)}::kSchema);`),
    '  }',
    '};',
    'const SchemaRegistrar kSchemaRegistrar;',
    '',
    'constexpr char kRegistryJSON[] =',
    ...chunk(json, 96).map((c) => `    ${cppString(c)}`),
    ';',
    '',
    '}  // namespace',
    '',
    'const char* RegistryJSON() { return kRegistryJSON; }',
    `const char* RegistryHash() { return ${cppString(hash)}; }`,
    '',
    '}  // namespace mixnet::op',
    '',
  );
  return lines.join('\n');
}

function chunk(s: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out.length ? out : [''];
}

function ns(op: Op): string {
  return `gen_${structName(op.name)}`;
}

function cStrList(items: readonly string[]): string {
  return `{${items.map(cppString).join(', ')}}`;
}

function emitOp(op: Op): string[] {
  const struct = structName(op.name);
  const required = op.params.filter((p) => p.default === undefined);
  const variadic = op.inputs.find((i) => i.variadic);
  const lines = [
    `// ---- ${op.name} (family ${op.family}) ----`,
    `namespace ${ns(op)} {`,
    `constexpr const char* kOp = ${cppString(op.name)};`,
  ];
  if (op.params.length > 0) {
    lines.push(`constexpr const char* kParamNames[] = ${cStrList(op.params.map((p) => p.name))};`);
  }
  for (const p of op.params.filter((q) => q.type === 'enum')) lines.push('', ...emitEnumParser(struct, p));

  lines.push('', 'std::unique_ptr<ParamBase> Parse(AttrList attrs) {', `  auto p = std::make_unique<${struct}>();`);
  if (required.length > 0) lines.push(`  bool seen[${required.length}] = {};`);
  lines.push('  for (const auto& [key, value] : attrs) {');
  op.params.forEach((p, i) => {
    const seenIndex = required.indexOf(p);
    lines.push(`    ${i === 0 ? 'if' : '} else if'} (key == ${cppString(p.name)}) {`);
    lines.push(...emitParseValue(struct, p).map((l) => `      ${l}`));
    if (seenIndex >= 0) lines.push(`      seen[${seenIndex}] = true;`);
  });
  const unknown = `param::ThrowUnknownParam(kOp, key, ${op.params.length ? 'kParamNames' : '{}'});`;
  if (op.params.length > 0) lines.push(`    } else if (!param::IsHiddenKey(key)) {`, `      ${unknown}`, '    }');
  else lines.push(`    if (!param::IsHiddenKey(key)) ${unknown}`);
  lines.push('  }');
  required.forEach((p, i) => lines.push(`  if (!seen[${i}]) param::ThrowMissingParam(kOp, ${cppString(p.name)});`));
  lines.push('  return p;', '}', '');

  const baseArg = op.params.length > 0 ? 'base' : '/*base*/';
  lines.push(`std::vector<std::pair<std::string, std::string>> ToAttrs(const ParamBase& ${baseArg}) {`);
  if (op.params.length > 0) lines.push(`  const auto& p = ParamAs<${struct}>(base);`);
  lines.push('  std::vector<std::pair<std::string, std::string>> out;');
  if (op.params.length > 0) lines.push(`  out.reserve(${op.params.length});`);
  for (const p of op.params) lines.push(`  out.emplace_back(${cppString(p.name)}, ${emitFormat(struct, p)});`);
  lines.push('  return out;', '}', '');

  const conditional = op.inputs.some((i) => i.condition !== undefined);
  if (conditional) lines.push(...emitInputPresent(struct, op));
  const mutableInputs = op.inputs.flatMap((inp, i) => (inp.mutable ? [String(i)] : []));
  const params = op.params.map(
    (p) => `{${cppString(p.name)}, ${cppString(p.type)}, ${p.defaultText === undefined ? 'nullptr' : cppString(p.defaultText)}}`,
  );
  lines.push(
    'const OpSchema kSchema{',
    `    .name = ${cppString(op.name)},`,
    `    .aliases = ${cStrList(op.aliases)},`,
    `    .family = ${cppString(op.family)},`,
    `    .input_names = ${cStrList(op.inputs.map((i) => i.name))},`,
    `    .variadic_inputs = ${variadic ? 'true' : 'false'},`,
    `    .num_inputs_param = ${variadic?.countParam ? cppString(variadic.countParam) : 'nullptr'},`,
    `    .inputs_per_count = ${variadic?.countPer ?? 1},`,
    `    .input_present = ${conditional ? '&InputPresent' : 'nullptr'},`,
    `    .mutable_inputs = {${mutableInputs.join(', ')}},`,
    `    .output_names = ${cStrList(op.outputs)},`,
    `    .num_hidden_outputs = ${op.hiddenOutputs},`,
    `    .params = {${params.join(', ')}},`,
    `    .differentiable = ${op.differentiable},`,
    `    .needs_rng = ${op.needsRng},`,
    '    .parse = &Parse,',
    '    .to_attrs = &ToAttrs,',
    '};',
    `}  // namespace ${ns(op)}`,
  );
  return lines;
}

/** bool InputPresent(param, index): whether input_names[index] takes part in a call. */
function emitInputPresent(struct: string, op: Op): string[] {
  const lines = ['bool InputPresent(const ParamBase& base, size_t index) {', `  const auto& p = ParamAs<${struct}>(base);`];
  lines.push('  switch (index) {');
  op.inputs.forEach((inp, i) => {
    const c = inp.condition;
    if (!c) return;
    const param = op.params.find((q) => q.name === c.param)!;
    const test =
      c.value === undefined
        ? `p.${fieldName(c.param)}`
        : `p.${fieldName(c.param)} == ${cppValueType(param, struct)}::${enumeratorName(c.value)}`;
    lines.push(`    case ${i}: return ${c.negate ? `!(${test})` : test};`);
  });
  lines.push('    default: return true;', '  }', '}', '');
  return lines;
}

function enumParserName(p: Param): string {
  return `Parse_${p.name}`;
}

function emitEnumParser(struct: string, p: Param): string[] {
  const type = cppValueType(p, struct);
  const values = p.values ?? [];
  return [
    `${type} ${enumParserName(p)}(std::string_view text) {`,
    '  const std::string_view s = param::Trim(text);',
    ...values.map((v) => `  if (s == ${cppString(v)}) return ${type}::${enumeratorName(v)};`),
    `  static constexpr const char* kValues[] = ${cStrList(values)};`,
    `  param::ThrowNotInValues(kOp, ${cppString(p.name)}, text, kValues);`,
    '}',
  ];
}

/** Statements that parse `value` into p->field (None handling, range check included). */
function emitParseValue(struct: string, p: Param): string[] {
  const field = `p->${fieldName(p.name)}`;
  const name = cppString(p.name);
  const parsed =
    p.type === 'enum'
      ? `${enumParserName(p)}(value)`
      : p.type === 'string'
        ? 'std::string(value)'
        : `${PARSERS[p.type]}(value, kOp, ${name})`;
  const body = [`const auto v = ${parsed};`, ...emitRangeCheck(p, name), `${field} = v;`];
  if (!p.optional) return body.length === 2 ? [`${field} = ${parsed};`] : body;
  return [
    'if (param::IsNone(value)) {',
    `  ${field} = std::nullopt;`,
    '} else {',
    ...body.map((l) => `  ${l}`),
    '}',
  ];
}

function emitRangeCheck(p: Param, name: string): string[] {
  if (!p.range) return [];
  const integer = p.type === 'int' || p.type === 'long';
  const bound = (b: number | null): string =>
    b === null ? 'std::nullopt' : integer ? cppInt64(BigInt(b)) : cppFloating(b, p.type === 'float');
  // float params compare against float-rounded bounds: "0.1" must stay inside [0, 0.1].
  const fn = integer ? 'param::CheckIntRange' : 'param::CheckFloatRange';
  return [`${fn}(v, ${bound(p.range[0])}, ${bound(p.range[1])}, kOp, ${name}, value);`];
}

function emitFormat(struct: string, p: Param): string {
  const field = `p.${fieldName(p.name)}`;
  const fmt = (x: string): string =>
    p.type === 'enum'
      ? `std::string(${struct}::ToString(${x}))`
      : p.type === 'string'
        ? x
        : `${FORMATTERS[p.type]}(${x})`;
  return p.optional ? `${field} ? ${fmt(`*${field}`)} : std::string("None")` : fmt(field);
}
