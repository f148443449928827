// The `ts` target: typed wrappers for packages/mixnet (`mx.nd.*`). Every wrapper only marshals its
// arguments into ONE generic runtime call (`invoke` / `invokeMany` / `invokeVariadic` from
// packages/mixnet/src/invoke.ts); no op has logic of its own here.
//
// Naming rule (documented in packages/mixnet/README.md): every MXNet name (op name and aliases)
// is exported unchanged, as MXNet users expect (`broadcast_add`, `FullyConnected`). In addition,
// each such name that does not start with `_` and contains `_` gets one camelCase export
// (`broadcastAdd`), unless that name is already taken.

import { allOps, type Op, type Param, type Registry } from './model.js';
import { registryHash, registryJson } from './registry_json.js';
import type { GeneratedFile } from './write.js';

export const TS_OPS_FILE = 'ops.ts';

const JS_RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally ' +
    'for function if import in instanceof new null return super switch this throw true try typeof var void ' +
    'while with yield let static implements interface package private protected public await arguments eval')
    .split(' '),
);

/** `broadcast_add` → `broadcastAdd`; undefined when the rule gives no camelCase name. */
export function camelCaseName(name: string): string | undefined {
  if (name.startsWith('_') || !name.includes('_')) return undefined;
  const camel = name.replace(/_+([A-Za-z0-9])/g, (_m, c: string) => c.toUpperCase()).replace(/_+$/, '');
  return camel === name ? undefined : camel;
}

function tsParamType(p: Param): string {
  let t: string;
  switch (p.type) {
    case 'int':
    case 'float':
    case 'double':
      t = 'number';
      break;
    case 'long':
      t = 'number | bigint';
      break;
    case 'bool':
      t = 'boolean';
      break;
    case 'string':
      t = 'string';
      break;
    case 'dtype':
      t = 'DTypeName';
      break;
    case 'enum':
      t = (p.values ?? []).map((v) => JSON.stringify(v)).join(' | ');
      break;
    case 'shape':
      t = 'number | readonly number[]';
      break;
    case 'int_or_none_tuple':
      t = 'readonly (number | null)[]';
      break;
    case 'float_tuple':
      t = 'readonly number[]';
      break;
  }
  return p.optional ? `${t} | null` : t;
}

function propName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

function docLines(text: string): string[] {
  return text
    .replace(/\*\//g, '*\\/')
    .trimEnd()
    .split('\n')
    .map((l) => l.trimEnd());
}

function jsdoc(op: Op, indent = ''): string {
  const lines = [...docLines(op.doc)];
  for (const i of op.inputs) lines.push(`@param ${i.name} ${i.variadic ? 'input arrays (variadic)' : 'input array'}`);
  if (op.params.length > 0) {
    lines.push(`@param params MXNet parameters:`);
    for (const p of op.params) {
      const dflt = p.defaultText === undefined ? 'required' : `default ${p.defaultText}`;
      const [first, ...rest] = docLines(p.doc);
      lines.push(`  - \`${p.name}\` (${p.type}, ${dflt}): ${first ?? ''}`, ...rest.map((r) => `    ${r}`));
    }
  }
  lines.push(`@see MXNet operator \`${op.name}\` (family ${op.family})`);
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ''}`).join('\n')}\n${indent} */\n`;
}

function typeBaseName(op: Op): string {
  return op.name
    .split('_')
    .filter((s) => s !== '')
    .map((s) => s[0]!.toUpperCase() + s.slice(1))
    .join('');
}

interface EmittedOp {
  readonly code: string;
  readonly names: readonly string[];
}

function emitOp(op: Op, index: number, taken: Set<string>): EmittedOp {
  const variadic = op.inputs.find((i) => i.variadic);
  // The count of a variadic input is filled in from the number of arrays passed.
  const params = op.params.filter((p) => p.name !== variadic?.countParam);
  const typeName = `${typeBaseName(op)}Params`;
  const anyRequired = params.some((p) => p.defaultText === undefined);
  const visibleOutputs = op.outputs.length - op.hiddenOutputs;
  const many = visibleOutputs > 1 || op.params.some((p) => p.name === 'num_outputs');
  // Inputs present only for some parameter values are passed in the params object.
  const fixedInputs = op.inputs.filter((i) => i.condition === undefined);
  const condInputs = op.inputs.filter((i) => i.condition !== undefined);
  const ret = many ? 'NDArray[]' : 'NDArray';
  const out: string[] = [];
  out.push(`/** Parameters of \`${op.name}\`. */\nexport interface ${typeName} {\n`);
  for (const p of params) {
    const q = p.defaultText === undefined ? '' : '?';
    out.push(`  /** ${docLines(p.doc).join(' ').replace(/\s+/g, ' ')} */\n  ${propName(p.name)}${q}: ${tsParamType(p)};\n`);
  }
  for (const i of condInputs) {
    const c = i.condition!;
    const when = c.value === undefined ? `\`${c.param}\` is ${c.negate ? 'false' : 'true'}` : `\`${c.param}\` is ${c.negate ? 'not ' : ''}'${c.value}'`;
    out.push(`  /** Input array \`${i.name}\`: pass it exactly when ${when}. */\n  ${propName(i.name)}?: NDArray;\n`);
  }
  out.push(`  /** Write the result${many ? 's' : ''} into ${many ? 'these arrays' : 'this array'} instead of allocating. */\n`);
  out.push(`  out?: ${many ? 'NDArray[]' : 'NDArray'};\n}\n`);
  const opConst = `OP${index}`;
  out.push(`const ${opConst} = opRef(${JSON.stringify(op.name)});\n`);
  const fn = safeIdent(op.name);
  out.push(jsdoc(op));
  const pOpt = anyRequired ? '' : '?';
  if (variadic) {
    out.push(
      `export function ${fn}(...args: [...${variadic.name}: NDArray[], params: ${typeName}] | NDArray[]): ${ret} {\n` +
        `  return invokeVariadic(${opConst}, ${JSON.stringify(variadic.countParam ?? '')}, args, ${many}${variadic.countPer !== 1 ? `, ${variadic.countPer}` : ''});\n}\n`,
    );
  } else {
    const inputs = fixedInputs.map((i) => `${safeIdent(i.name)}: NDArray`);
    const sig = [...inputs, `params${pOpt}: ${typeName}`].join(', ');
    const fixed = fixedInputs.map((i) => safeIdent(i.name)).join(', ');
    // One output and one to three fixed inputs: the inputs go as arguments (no array per call).
    const byArgs = !many && condInputs.length === 0 && fixedInputs.length >= 1 && fixedInputs.length <= 3;
    const call = many ? 'invokeMany' : byArgs ? `invoke${fixedInputs.length}` : 'invoke';
    const args = byArgs
      ? `${fixed}, params`
      : condInputs.length === 0
        ? `[${fixed}], params`
        : `...withOptionalInputs([${fixed}], params, ${JSON.stringify(condInputs.map((i) => i.name))})`;
    out.push(`export function ${fn}(${sig}): ${ret} {\n` + `  return ${call}(${opConst}, ${args});\n}\n`);
  }
  const names = [fn];
  taken.add(op.name);
  for (const alias of op.aliases) {
    if (taken.has(alias)) continue;
    taken.add(alias);
    out.push(`/** Alias of {@link ${fn}} (MXNet name \`${alias}\`). */\nexport const ${safeIdent(alias)} = ${fn};\n`);
    names.push(alias);
  }
  return { code: out.join(''), names };
}

function safeIdent(name: string): string {
  return JS_RESERVED.has(name) ? `${name}_` : name;
}

/** The whole generated module, deterministic for a given registry. */
export function emitTsOps(registry: Registry, sourceDir: string): string {
  const json = registryJson(registry);
  const hash = registryHash(json);
  const ops = allOps(registry);
  const taken = new Set<string>(ops.flatMap((o) => [o.name, ...o.aliases]));
  const seen = new Set<string>();
  const parts: string[] = [];
  const exported: string[] = [];
  ops.forEach((op, i) => {
    const e = emitOp(op, i, seen);
    parts.push(e.code);
    exported.push(...e.names);
  });
  // camelCase names, after every MXNet name is known, so that they never shadow one.
  const camel: string[] = [];
  for (const name of exported) {
    const c = camelCaseName(name);
    if (c === undefined || taken.has(c) || JS_RESERVED.has(c)) continue;
    taken.add(c);
    camel.push(`export const ${c} = ${safeIdent(name)};\n`);
  }
  const opNames = ops.map((o) => o.name);
  return (
    `// generated by tools/codegen from ${sourceDir}/*.yaml — do not edit\n` +
    `/* eslint-disable */\n` +
    `import { invoke, invoke1, invoke2, invoke3, invokeMany, invokeVariadic, opRef, withOptionalInputs } from '../invoke.js';\n` +
    `import type { NDArray } from '../ndarray.js';\n` +
    `import type { DTypeName } from '../dtype.js';\n\n` +
    `/** SHA-256 of the canonical registry JSON these wrappers were generated from. */\n` +
    `export const REGISTRY_HASH = ${JSON.stringify(hash)};\n` +
    `/** Every op name of the registry (aliases excluded), sorted. */\n` +
    `export const OP_NAMES: readonly string[] = ${JSON.stringify(opNames)};\n\n` +
    parts.join('\n') +
    `\n// camelCase names (rule: MXNet names that contain '_' and do not start with '_').\n` +
    camel.join('')
  );
}

export function tsTarget(registry: Registry, sourceDir: string): GeneratedFile[] {
  return [{ path: TS_OPS_FILE, content: emitTsOps(registry, sourceDir) }];
}
