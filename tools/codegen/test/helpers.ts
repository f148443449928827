// Shared helpers for the codegen tests: run the CLI, parse YAML from strings, compile C++.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { formatDiagnostic } from '../src/diagnostics.js';
import { parseRegistry, REPO_ROOT } from '../src/load.js';

export const CLI = path.join(REPO_ROOT, 'tools/codegen/src/cli.ts');
export const VALID_FIXTURES = path.join(REPO_ROOT, 'tools/codegen/test/fixtures/valid');
export const INVALID_FIXTURES = path.join(REPO_ROOT, 'tools/codegen/test/fixtures/invalid');
export const ENGINE_SRC = path.join(REPO_ROOT, 'engine/src');

const tempDirs: string[] = [];

export function tempDir(prefix = 'codegen-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every directory tempDir() made (call from afterAll). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function runCli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Parses YAML sources named engine/ops/<name>.yaml; returns the formatted diagnostics. */
export function diagnosticsOf(files: Readonly<Record<string, string>>): string[] {
  const sources = Object.entries(files).map(([name, text]) => ({
    path: path.join(REPO_ROOT, 'engine/ops', `${name}.yaml`),
    text,
  }));
  return parseRegistry(sources).diagnostics.sorted().map(formatDiagnostic);
}

/** Runs g++ with the engine's include path; returns its exit status and output. */
export function gxx(args: readonly string[]): { status: number | null; output: string } {
  const r = spawnSync('g++', ['-std=c++20', '-Wall', '-Wextra', '-Werror', '-I', ENGINE_SRC, ...args], {
    encoding: 'utf8',
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
