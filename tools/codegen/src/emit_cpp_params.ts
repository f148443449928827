// Emits <family>.h: one parameter struct per op (`mixnet::op::<Name>Param : ParamBase`) with a
// typed field per parameter, initialised to its default, and a nested enum class per enum param.

import { enumeratorName, enumTypeName, fieldName, structName } from './cpp_names.js';
import { cppComment, cppFieldType, cppValue, stamp } from './cpp_values.js';
import type { Family, Op, Param } from './model.js';

export function headerFileName(family: Family): string {
  return `${family.name}.h`;
}

export function emitParamsHeader(family: Family): string {
  const lines: string[] = [
    stamp(family.file),
    ...cppComment(family.doc),
    '#pragma once',
    '',
    '#include <cstdint>',
    '#include <limits>',
    '#include <optional>',
    '#include <string>',
    '#include <vector>',
    '',
    '#include "operator/op.h"',
    '#include "operator/param_parse.h"',
    '',
    'namespace mixnet::op {',
  ];
  for (const op of family.ops) lines.push('', ...emitStruct(op));
  lines.push('', '}  // namespace mixnet::op', '');
  return lines.join('\n');
}

function emitStruct(op: Op): string[] {
  const name = structName(op.name);
  const lines = [
    ...cppComment(`${op.name}: ${op.doc}`),
    `struct ${name} final : ParamBase {`,
    `  static constexpr const char* kOpName = "${op.name}";`,
  ];
  for (const p of op.params) {
    if (p.type === 'enum') lines.push('', ...emitEnum(p));
  }
  for (const p of op.params) lines.push('', ...emitField(p));
  lines.push('};');
  return lines;
}

function emitEnum(p: Param): string[] {
  const type = enumTypeName(p.name);
  const values = p.values ?? [];
  return [
    `  // Values of '${p.name}', in MXNet's spelling: ${values.join(', ')}.`,
    `  enum class ${type} : int { ${values.map(enumeratorName).join(', ')} };`,
    `  static constexpr const char* ToString(${type} value) noexcept {`,
    '    switch (value) {',
    ...values.map((v) => `      case ${type}::${enumeratorName(v)}: return "${v}";`),
    '    }',
    '    return "";',
    '  }',
  ];
}

function emitField(p: Param): string[] {
  const docLine = p.defaultText === undefined ? 'Required.' : `Default: ${p.defaultText}.`;
  const rangeLine = p.range ? ` Range: [${p.range[0] ?? '-inf'}, ${p.range[1] ?? 'inf'}].` : '';
  const init = p.default === undefined ? '{}' : ` = ${cppValue(p, p.default)}`;
  return [
    ...cppComment(`${p.doc}\n(${p.type}${p.optional ? ', optional' : ''}) ${docLine}${rangeLine}`, '  '),
    `  ${cppFieldType(p)} ${fieldName(p.name)}${init};`,
  ];
}
