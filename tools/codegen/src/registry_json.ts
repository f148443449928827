// The canonical JSON of the registry and its SHA-256. The engine returns both at run time
// (RegistryJSON(), RegistryHash(), MXGetRegistryJSON); every binding's generated wrappers embed
// the hash and compare it at load time. Canonical: object keys sorted, no whitespace, non-ASCII
// escaped as \uXXXX, ops sorted by name, lists (params, inputs, ...) in declaration order.

import { createHash } from 'node:crypto';

import { allOps, type Op, type Param, type Registry } from './model.js';

export const REGISTRY_JSON_FORMAT = 1;

type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

function paramJson(p: Param): Json {
  return {
    name: p.name,
    type: p.type,
    optional: p.optional,
    default: p.defaultText ?? null,
    values: p.values ?? null,
    range: p.range ?? null,
    doc: p.doc,
  };
}

function opJson(op: Op): Json {
  return {
    name: op.name,
    aliases: op.aliases,
    family: op.family,
    doc: op.doc,
    inputs: op.inputs.map((i) => ({
      name: i.name,
      variadic: i.variadic,
      count_param: i.countParam ?? null,
      count_per: i.countPer,
      mutable: i.mutable,
      condition: i.condition ? { param: i.condition.param, value: i.condition.value ?? null, negate: i.condition.negate } : null,
    })),
    outputs: op.outputs,
    hidden_outputs: op.hiddenOutputs,
    params: op.params.map(paramJson),
    differentiable: op.differentiable,
    needs_rng: op.needsRng,
  };
}

export function registryObject(registry: Registry): Json {
  return {
    format_version: REGISTRY_JSON_FORMAT,
    families: registry.families.map((f) => ({ name: f.name, doc: f.doc })),
    ops: allOps(registry).map(opJson),
  };
}

/** JSON.stringify with sorted keys and ASCII-only output. */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as { readonly [k: string]: Json };
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${canonicalJson(k)}:${canonicalJson(obj[k]!)}`).join(',')}}`;
}

export function registryJson(registry: Registry): string {
  return canonicalJson(registryObject(registry));
}

/** Hex SHA-256 of the canonical JSON (UTF-8; the JSON is ASCII). */
export function registryHash(json: string): string {
  return createHash('sha256').update(json, 'utf8').digest('hex');
}
