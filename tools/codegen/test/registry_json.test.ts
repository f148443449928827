// The canonical registry JSON and its hash: stable, sorted, and sensitive to every change,
// docs included (bindings compare the hash at load time).

import { describe, expect, it } from 'vitest';

import { parseRegistry } from '../src/load.js';
import type { Registry } from '../src/model.js';
import { canonicalJson, registryHash, registryJson } from '../src/registry_json.js';

function registry(files: Record<string, string>): Registry {
  const { registry: r, diagnostics } = parseRegistry(
    Object.entries(files).map(([name, text]) => ({ path: `/virtual/ops/${name}.yaml`, text })),
  );
  expect(diagnostics.sorted()).toEqual([]);
  return r!;
}

const B = `family: b
doc: Family B.
ops:
  - name: zeta
    doc: Last op.
    params:
      - {name: eps, type: float, default: 1e-5, doc: Epsilon.}
  - name: Alpha
    aliases: [alpha]
    doc: First op — with a dash.
    inputs: [lhs, rhs]
`;
const A = `family: a
doc: Family A.
ops:
  - name: mid
    doc: Middle op.
    outputs: [out, mask]
`;

describe('registry JSON', () => {
  it('sorts ops by name and keys alphabetically, escapes non-ASCII, has no whitespace', () => {
    const json = registryJson(registry({ b: B, a: A }));
    const parsed = JSON.parse(json) as { ops: { name: string }[]; families: { name: string }[] };
    expect(parsed.ops.map((o) => o.name)).toEqual(['Alpha', 'mid', 'zeta']);
    expect(parsed.families.map((f) => f.name)).toEqual(['a', 'b']);
    expect(json).toMatch(/^[\x20-\x7e]*$/);
    expect(json).toContain('First op \\u2014 with a dash.');
    expect(json.startsWith('{"families":[{"doc":"Family A.","name":"a"}')).toBe(true);
    expect(json).toContain(
      '{"default":"1e-05","doc":"Epsilon.","name":"eps","optional":false,"range":null,"type":"float","values":null}',
    );
    expect(canonicalJson(JSON.parse(json))).toBe(json);
  });

  it('does not depend on file order', () => {
    expect(registryJson(registry({ a: A, b: B }))).toBe(registryJson(registry({ b: B, a: A })));
  });

  it('hash is a stable SHA-256 that changes when a doc changes', () => {
    const json = registryJson(registry({ a: A, b: B }));
    const hash = registryHash(json);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(registryHash(registryJson(registry({ a: A, b: B })))).toBe(hash);
    const edited = registryJson(registry({ a: A.replace('Middle op.', 'Middle op!'), b: B }));
    expect(registryHash(edited)).not.toBe(hash);
    const paramDoc = registryJson(registry({ a: A, b: B.replace('Epsilon.', 'Epsilon') }));
    expect(registryHash(paramDoc)).not.toBe(hash);
  });
});
