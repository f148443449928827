// The `python` target: bindings-python/mixnet/_generated/ops.py, one function per registry op
// with MXNet 1.x's calling convention (inputs first, then parameters as keyword arguments with
// MXNet's defaults, `out=`, `name=`, extra `**kwargs` passed through as MXNet strings) and the
// routing table that places each name where MXNet 1.x's Python package put it.
//
// Every wrapper only marshals its arguments into ONE generic runtime call (`_invoke`, the SWIG
// module's METH_FASTCALL dispatch); a parameter is sent only when it differs from its default, so
// the common call builds no parameter strings at all.

import { allOps, type Op, type Param, type Registry, type Value } from './model.js';
import { registryHash, registryJson } from './registry_json.js';
import type { GeneratedFile } from './write.js';

export const PYTHON_OPS_FILE = 'ops.py';

const PY_KEYWORDS = new Set(
  ('False None True and as assert async await break class continue def del elif else except finally for ' +
    'from global if import in is lambda nonlocal not or pass raise return try while with yield')
    .split(' '),
);

/** MXNet 1.x's prefix routing: `_random_uniform` → (`random`, `uniform`); `_foo` → `_internal`. */
export const PREFIX_ROUTES: readonly (readonly [string, string])[] = [
  ['_random_', 'random'],
  ['_linalg_', 'linalg'],
  ['_contrib_', 'contrib'],
  ['_sparse_', 'sparse'],
  ['_image_', 'image'],
];

export function pythonRoute(name: string): { namespace: string; name: string } {
  for (const [prefix, ns] of PREFIX_ROUTES) {
    if (name.startsWith(prefix)) return { namespace: ns, name: name.slice(prefix.length) };
  }
  if (name.startsWith('_')) return { namespace: '_internal', name };
  return { namespace: '', name };
}

function ident(name: string): string {
  return PY_KEYWORDS.has(name) || name === 'out' || name === 'name' || name === 'kwargs' ? `${name}_` : name;
}

function pyString(s: string): string {
  return JSON.stringify(s); // a JSON string is a valid Python string literal for BMP text
}

function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "float('nan')";
  if (!Number.isFinite(x)) return x > 0 ? "float('inf')" : "-float('inf')";
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function pyTuple(items: readonly string[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** The Python literal of a default. Floats use MXNet's text ("1e-05"), not the float32 rounding. */
function pyDefault(p: Param): string {
  const v: Value | undefined = p.default;
  if (v === undefined) return 'None';
  switch (v.kind) {
    case 'none':
      return 'None';
    case 'int':
      return v.value.toString();
    case 'float': {
      const t = p.defaultText ?? '';
      return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? (/[.eE]/.test(t) ? t : `${t}.0`) : pyFloat(v.value);
    }
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'string':
    case 'enum':
    case 'dtype':
      return pyString(v.value);
    case 'shape':
      return pyTuple(v.value.map((d) => d.toString()));
    case 'int_or_none_tuple':
      return pyTuple(v.value.map((d) => (d === null ? 'None' : d.toString())));
    case 'float_tuple':
      return pyTuple(v.value.map(pyFloat));
  }
}

function pyTypeName(p: Param): string {
  switch (p.type) {
    case 'int':
    case 'long':
      return 'int';
    case 'float':
    case 'double':
      return 'float';
    case 'bool':
      return 'boolean';
    case 'string':
      return 'string';
    case 'dtype':
      return "{'float32', 'float64', 'float16', 'uint8', 'int32', 'int8', 'int64', 'bool', 'bfloat16'}";
    case 'enum':
      return `{${(p.values ?? []).map((x) => `'${x}'`).join(', ')}}`;
    case 'shape':
      return 'Shape(tuple)';
    case 'int_or_none_tuple':
      return 'tuple of <int or None>';
    case 'float_tuple':
      return 'tuple of <float>';
  }
}

function docBlock(text: string, indent: string): string[] {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : `${indent}${l.trimEnd()}`));
}

/** A numpydoc docstring in the layout of MXNet 1.x's generated ones. */
function docstring(op: Op, many: boolean, params: readonly Param[]): string {
  const lines: string[] = [...docBlock(op.doc, ''), '', 'Parameters', '----------'];
  for (const i of op.inputs) {
    lines.push(`${i.name} : NDArray${i.variadic ? '[]' : ''}`);
    lines.push(`    ${i.variadic ? 'Positional input arrays' : i.condition ? 'Input array (present only for some parameter values)' : 'Input array'}.`);
  }
  for (const p of params) {
    const dflt = p.defaultText === undefined ? 'required' : `optional, default='${p.defaultText}'`;
    lines.push(`${p.name} : ${pyTypeName(p)}${p.optional ? ' or None' : ''}, ${dflt}`);
    lines.push(...docBlock(p.doc, '    '));
  }
  lines.push('out : NDArray, optional', '    The output NDArray to hold the result.', '', 'Returns', '-------');
  lines.push(`out : ${many ? 'list of NDArrays' : 'NDArray or list of NDArrays'}`, '    The output of this function.');
  const body = lines.map((l) => (l === '' ? '' : `    ${l}`)).join('\n');
  return `    """${body.trimStart().replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"')}\n    """\n`;
}

function emitOp(op: Op, index: number): string {
  const variadic = op.inputs.find((i) => i.variadic);
  const params = op.params.filter((p) => p.name !== variadic?.countParam);
  const visibleOutputs = op.outputs.length - op.hiddenOutputs;
  const many = visibleOutputs > 1;
  const opConst = `_OP${index}`;
  const out: string[] = [`${opConst} = _op_handle(${pyString(op.name)})\n`];
  const args: string[] = [];
  if (variadic) {
    args.push(`*${ident(variadic.name)}`);
  } else {
    for (const i of op.inputs) args.push(`${ident(i.name)}=None`);
  }
  for (const p of params) args.push(`${ident(p.name)}=${pyDefault(p)}`);
  args.push('out=None', 'name=None', '**kwargs');
  out.push(`def ${op.name}(${args.join(', ')}):\n`);
  out.push(docstring(op, many, params));
  // Inputs: variadic ones are the positional arguments; conditional ones (Convolution's bias
  // when no_bias) are passed exactly when given, in their declared position.
  let inputs: string;
  if (variadic) {
    inputs = ident(variadic.name);
  } else if (op.inputs.some((i) => i.condition !== undefined)) {
    out.push('    _in = []\n');
    for (const i of op.inputs) {
      out.push(
        i.condition === undefined
          ? `    _in.append(${ident(i.name)})\n`
          : `    if ${ident(i.name)} is not None:\n        _in.append(${ident(i.name)})\n`,
      );
    }
    inputs = '_in';
  } else {
    inputs = op.inputs.length === 0 ? '()' : pyTuple(op.inputs.map((i) => ident(i.name)));
  }
  const hasParams = params.length > 0 || variadic?.countParam !== undefined;
  if (!hasParams) {
    out.push(`    if kwargs:\n        _k, _v = _kwargs_params(kwargs)\n        return _invoke(${opConst}, ${inputs}, _k, _v, out)\n`);
    out.push(`    return _invoke(${opConst}, ${inputs}, (), (), out)\n`);
    return out.join('');
  }
  out.push('    _k = []\n    _v = []\n');
  if (variadic?.countParam !== undefined) {
    const per = variadic.countPer;
    const count = per === 1 ? `len(${inputs})` : `len(${inputs}) // ${per}`;
    out.push(`    _k.append(${pyString(variadic.countParam)})\n    _v.append(str(${count}))\n`);
  }
  for (const p of params) {
    const dflt = pyDefault(p);
    const n = ident(p.name);
    // NaN equals nothing, so "differs from a NaN default" is "is not NaN" (x == x).
    const test = dflt === 'None' ? `${n} is not None` : dflt === "float('nan')" ? `${n} == ${n}` : `${n} != ${dflt}`;
    out.push(`    if ${test}:\n        _k.append(${pyString(p.name)})\n        _v.append(_param_str(${n}))\n`);
  }
  out.push('    if kwargs:\n        _add_kwargs(kwargs, _k, _v)\n');
  out.push(`    return _invoke(${opConst}, ${inputs}, _k, _v, out)\n`);
  return out.join('');
}

/** The whole generated module, deterministic for a given registry. */
export function emitPythonOps(registry: Registry, sourceDir: string): string {
  const hash = registryHash(registryJson(registry));
  const ops = allOps(registry);
  const parts: string[] = [];
  const routes: string[] = [];
  const taken = new Set<string>(ops.map((o) => o.name));
  ops.forEach((op, i) => {
    parts.push(emitOp(op, i));
    const r = pythonRoute(op.name);
    routes.push(`    (${pyString(r.namespace)}, ${pyString(r.name)}, ${op.name}),\n`);
  });
  const aliases: string[] = [];
  for (const op of ops) {
    for (const alias of op.aliases) {
      if (taken.has(alias)) continue;
      taken.add(alias);
      aliases.push(`${alias} = ${op.name}\n`);
      const r = pythonRoute(alias);
      routes.push(`    (${pyString(r.namespace)}, ${pyString(r.name)}, ${alias}),\n`);
    }
  }
  return (
    `# generated by tools/codegen from ${sourceDir}/*.yaml — do not edit\n` +
    `"""Every registry op as a function with MXNet 1.x's signature (installed into mx.nd by\n` +
    `mixnet.ndarray according to ROUTES)."""\n` +
    `# flake8: noqa\n` +
    `from ..ndarray._dispatch import invoke as _invoke, op_handle as _op_handle, param_str as _param_str, \\\n` +
    `    add_kwargs as _add_kwargs, kwargs_params as _kwargs_params\n\n` +
    `#: SHA-256 of the canonical registry JSON these wrappers were generated from.\n` +
    `REGISTRY_HASH = ${pyString(hash)}\n` +
    `#: Every op name of the registry (aliases excluded), sorted.\n` +
    `OP_NAMES = (\n${ops.map((o) => `    ${pyString(o.name)},\n`).join('')})\n\n` +
    parts.join('\n\n') +
    `\n\n# Aliases (other MXNet names of the same op).\n` +
    aliases.join('') +
    `\n#: (namespace, name, function): where MXNet 1.x's Python package put each op name:\n` +
    `#: _random_* -> mx.nd.random, _linalg_* -> mx.nd.linalg, _contrib_* -> mx.nd.contrib,\n` +
    `#: other _-prefixed names -> mx.nd._internal, the rest -> mx.nd ("").\n` +
    `ROUTES = (\n${routes.join('')})\n`
  );
}

export function pythonTarget(registry: Registry, sourceDir: string): GeneratedFile[] {
  return [{ path: PYTHON_OPS_FILE, content: emitPythonOps(registry, sourceDir) }];
}
