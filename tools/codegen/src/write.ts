// Writes generated files only when their bytes change, so an unchanged registry does not make
// ninja recompile anything. Writes go through a temporary file + rename (never a torn file).

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface GeneratedFile {
  /** Relative to the output directory. */
  readonly path: string;
  readonly content: string;
}

/** Writes each file whose content differs; returns the paths actually written. */
export function writeIfChanged(outDir: string, files: readonly GeneratedFile[]): string[] {
  const written: string[] = [];
  for (const f of files) {
    const target = path.join(outDir, f.path);
    if (existsSync(target) && readFileSync(target, 'utf8') === f.content) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    writeFileSync(tmp, f.content);
    renameSync(tmp, target);
    written.push(f.path);
  }
  return written;
}
