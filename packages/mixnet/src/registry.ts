// mx.registry: what the loaded libmixnet can run, read from its registry (MXGetRegistryJSON).
// Lets generic callers (symbol loaders, the conformance suite) ask whether an op exists by the
// name MXNet stored, which may be a primary name or an alias (`split` is stored as SliceChannel).
import { native } from './native.js';

interface RegistryOp {
  name: string;
  aliases?: string[];
}

let primary: readonly string[] | undefined;
let known: ReadonlySet<string> | undefined;

function load(): ReadonlySet<string> {
  if (known) return known;
  const [json] = native().registry();
  const list = (JSON.parse(json) as { ops: RegistryOp[] }).ops;
  primary = Object.freeze(list.map((o) => o.name).sort());
  known = new Set(list.flatMap((o) => [o.name, ...(o.aliases ?? [])]));
  return known;
}

/** True when the library registers an op under this name or alias (case-sensitive, as MXNet). */
export function has(name: string): boolean {
  return load().has(name);
}

/** The primary names of every registered op, sorted (aliases are not listed; see has()). */
export function ops(): readonly string[] {
  load();
  return primary!;
}
