// Errors with a source position, "engine/ops/<file>.yaml:<line>:<col>: <message>". The parser
// collects every error of a run instead of stopping at the first, so one run shows them all.

import type { SourcePos } from './model.js';

export interface Diagnostic extends SourcePos {
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message}`;
}

export function formatPos(p: SourcePos): string {
  return `${p.file}:${p.line}:${p.col}`;
}

export class Diagnostics {
  private readonly list: Diagnostic[] = [];

  add(pos: SourcePos, message: string): void {
    this.list.push({ file: pos.file, line: pos.line, col: pos.col, message });
  }

  get count(): number {
    return this.list.length;
  }

  /** Sorted by file, line and column so the report is stable. */
  sorted(): Diagnostic[] {
    return [...this.list].sort(
      (a, b) =>
        (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.col - b.col,
    );
  }
}

/** Thrown by the CLI-level API when validation failed; carries every diagnostic. */
export class RegistryError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'RegistryError';
  }
}
