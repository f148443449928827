// Reads every <family>.yaml of an ops directory into a validated, frozen Registry.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Diagnostics, RegistryError } from './diagnostics.js';
import { compareStrings, deepFreeze, type Family, type Registry } from './model.js';
import { parseFamily } from './parse.js';
import { validateRegistry } from './validate.js';
import { YamlFile } from './yaml_reader.js';

/** The repository root (tools/codegen/src/../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Repo-relative path for files inside the repo ("engine/ops/shape.yaml"), else absolute. */
export function displayPath(file: string): string {
  const abs = path.resolve(file);
  const rel = path.relative(REPO_ROOT, abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel.split(path.sep).join('/');
}

/** Parses YAML sources given as (file name, text); the building block of loadRegistry. */
export function parseRegistry(
  sources: readonly { readonly path: string; readonly text: string }[],
): { registry: Registry | undefined; diagnostics: Diagnostics } {
  const diags = new Diagnostics();
  const families: Family[] = [];
  for (const src of sources) {
    const expected = path.basename(src.path).replace(/\.yaml$/, '');
    const family = parseFamily(new YamlFile(displayPath(src.path), src.text, diags), expected);
    if (family) families.push(family);
  }
  families.sort((a, b) => compareStrings(a.name, b.name));
  validateRegistry(families, diags);
  const registry = diags.count === 0 ? deepFreeze({ families }) : undefined;
  return { registry, diagnostics: diags };
}

/** Loads and validates every *.yaml in `opsDir`; throws RegistryError listing all problems. */
export function loadRegistry(opsDir: string): Registry {
  const files = readdirSync(opsDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort(compareStrings)
    .map((f) => path.join(opsDir, f));
  const sources = files.map((f) => ({ path: f, text: readFileSync(f, 'utf8') }));
  const { registry, diagnostics } = parseRegistry(sources);
  if (!registry) throw new RegistryError(diagnostics.sorted());
  return registry;
}
