// Code generation targets: the first CLI argument picks one. Each target maps the validated
// registry to a list of files; adding a language (ts, python, r, scala) is one more entry here
// plus its emitters.

import { emitParamsHeader, headerFileName } from './emit_cpp_params.js';
import { emitRegistry, REGISTRY_FILE_NAME } from './emit_cpp_registry.js';
import { pythonTarget } from './emit_python.js';
import { tsTarget } from './emit_ts.js';
import type { Registry } from './model.js';
import { registryHash, registryJson } from './registry_json.js';
import type { GeneratedFile } from './write.js';

export interface TargetOptions {
  /** Display path of the ops directory, for stamps ("engine/ops"). */
  readonly sourceDir: string;
}

export type Target = (registry: Registry, options: TargetOptions) => GeneratedFile[];

function cppTarget(registry: Registry, options: TargetOptions): GeneratedFile[] {
  const json = registryJson(registry);
  const files = registry.families.map((f) => ({ path: headerFileName(f), content: emitParamsHeader(f) }));
  files.push({ path: REGISTRY_FILE_NAME, content: emitRegistry(registry, options.sourceDir, json, registryHash(json)) });
  return files;
}

export const TARGETS: Readonly<Record<string, Target>> = {
  cpp: cppTarget,
  ts: (registry, options) => tsTarget(registry, options.sourceDir),
  python: (registry, options) => pythonTarget(registry, options.sourceDir),
};
