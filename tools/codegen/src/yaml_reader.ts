// Typed access to a parsed YAML document with positions: every accessor checks the node's shape
// and reports a positioned error (and returns undefined) instead of throwing, so a run collects
// every problem of every file.

import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

import { Diagnostics } from './diagnostics.js';
import type { SourcePos } from './model.js';

export type YamlNode = Node | null | undefined;

/** One YAML file being read: its display path, line counter and the run's diagnostics. */
export class YamlFile {
  readonly lineCounter = new LineCounter();

  constructor(
    readonly displayPath: string,
    readonly text: string,
    readonly diags: Diagnostics,
  ) {}

  /** Parses the document; YAML syntax errors and duplicate keys become diagnostics. */
  parse(): YamlNode {
    const doc = parseDocument(this.text, {
      lineCounter: this.lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
    });
    for (const err of doc.errors) {
      const pos = this.posAt(err.pos[0]);
      if (err.code === 'DUPLICATE_KEY') {
        const m = /^("[^"\n]*"|'[^'\n]*'|[^:\n]*?)\s*:/.exec(this.text.slice(err.pos[0]));
        const key = m ? m[1]!.replace(/^["']|["']$/g, '') : this.text.slice(err.pos[0], err.pos[1]);
        this.diags.add(pos, `duplicate key '${key}'`);
      } else {
        this.diags.add(pos, `YAML syntax error: ${err.message.split('\n')[0]}`);
      }
    }
    return doc.errors.length > 0 ? undefined : (doc.contents as YamlNode);
  }

  posAt(offset: number): SourcePos {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.displayPath, line, col };
  }

  pos(node: YamlNode, fallback?: YamlNode): SourcePos {
    const range = node?.range ?? fallback?.range;
    return this.posAt(range ? range[0] : 0);
  }

  error(node: YamlNode, message: string): void {
    this.diags.add(this.pos(node), message);
  }

  /**
   * Reads a mapping whose keys must all be in `allowed`; reports unknown keys at the key and
   * missing `required` keys at the mapping. Returns key → value node (with the key node).
   */
  map(
    node: YamlNode,
    what: string,
    allowed: readonly string[],
    required: readonly string[],
  ): Map<string, { key: Node; value: YamlNode }> | undefined {
    if (!isMap(node)) {
      this.error(node, `${what} must be a mapping`);
      return undefined;
    }
    const out = new Map<string, { key: Node; value: YamlNode }>();
    for (const pair of node.items) {
      const key = pair.key as YamlNode;
      if (!isScalar(key) || typeof key.value !== 'string') {
        this.error(key, `${what}: keys must be strings`);
        continue;
      }
      if (!allowed.includes(key.value)) {
        this.error(key, `${what}: unknown key '${key.value}' (allowed: ${allowed.join(', ')})`);
        continue;
      }
      out.set(key.value, { key, value: pair.value as YamlNode });
    }
    for (const k of required) {
      if (!out.has(k)) this.error(node, `${what}: missing required key '${k}'`);
    }
    return out;
  }

  seq(node: YamlNode, what: string): Node[] | undefined {
    if (!isSeq(node)) {
      this.error(node, `${what} must be a list`);
      return undefined;
    }
    return node.items as Node[];
  }

  string(node: YamlNode, what: string): string | undefined {
    if (!isScalar(node) || typeof node.value !== 'string') {
      this.error(node, `${what} must be a string`);
      return undefined;
    }
    return node.value;
  }

  /** A non-empty string matching an identifier pattern. */
  identifier(node: YamlNode, what: string, pattern = /^[A-Za-z_][A-Za-z0-9_]*$/): string | undefined {
    const s = this.string(node, what);
    if (s === undefined) return undefined;
    if (!pattern.test(s)) {
      this.error(node, `${what} '${s}' is not a valid name (letters, digits, '_'; not starting with a digit)`);
      return undefined;
    }
    return s;
  }

  /** Required documentation text: a non-blank string; trailing whitespace is dropped. */
  doc(node: YamlNode, what: string): string | undefined {
    const s = this.string(node, what);
    if (s === undefined) return undefined;
    if (s.trim() === '') {
      this.error(node, `${what} must not be empty`);
      return undefined;
    }
    return s.trimEnd();
  }

  bool(node: YamlNode, what: string): boolean | undefined {
    if (!isScalar(node) || typeof node.value !== 'boolean') {
      this.error(node, `${what} must be true or false`);
      return undefined;
    }
    return node.value;
  }

  stringList(node: YamlNode, what: string): string[] | undefined {
    const items = this.seq(node, what);
    if (!items) return undefined;
    const out: string[] = [];
    for (const item of items) {
      const s = this.identifier(item, `${what} entry`);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }
}

export { isMap, isScalar, isSeq };
