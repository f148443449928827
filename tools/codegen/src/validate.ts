// Checks across all family files: an op name or alias may be used once in the whole registry,
// and no two ops may map to the same C++ struct name (all live in namespace mixnet::op).

import { structName } from './cpp_names.js';
import { type Diagnostics, formatPos } from './diagnostics.js';
import type { Family, SourcePos } from './model.js';

export function validateRegistry(families: readonly Family[], diags: Diagnostics): void {
  const names = new Map<string, { op: string; pos: SourcePos }>();
  const structs = new Map<string, { op: string; pos: SourcePos }>();
  for (const family of families) {
    for (const op of family.ops) {
      for (const [i, name] of [op.name, ...op.aliases].entries()) {
        const first = names.get(name);
        const kind = i === 0 ? 'op name' : 'alias';
        // Repeats within one op are reported by the parser ("equals the op name", "listed twice").
        if (first && first.op === op.name) continue;
        if (first) {
          diags.add(op.pos, `${kind} '${name}' of op '${op.name}' is already used by op '${first.op}' (${formatPos(first.pos)})`);
        } else {
          names.set(name, { op: op.name, pos: op.pos });
        }
      }
      const struct = structName(op.name);
      const other = structs.get(struct);
      if (other && other.op !== op.name) {
        diags.add(op.pos, `op '${op.name}' maps to the C++ struct '${struct}', already used by op '${other.op}' (${formatPos(other.pos)})`);
      } else if (!other) {
        structs.set(struct, { op: op.name, pos: op.pos });
      }
    }
  }
}
