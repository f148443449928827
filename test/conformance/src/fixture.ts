// The MXNet 1.9.1 case file (shared/fixtures/mxnet-1.9.1/ops.json; see its README) and the list of
// cases whose registered op is known to differ from MXNet (known-differences.json).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Nested lists of numbers; non-finite floats are the strings "nan", "inf", "-inf". */
export type Nested = number | string | boolean | Nested[];

export interface TensorRecord {
  name?: string;
  dtype: string;
  shape: number[];
  data: Nested;
}

export interface OpCase {
  name: string; // case id
  op: string; // the registered name as symbol JSON stores it
  attrs: Record<string, string>;
  inputs: TensorRecord[]; // arguments, then aux states, in MXNet's order
  outputs: TensorRecord[];
}

/** A gradient record: the input's gradient, or `grad: null` for inputs that get none. */
export type GradRecord = TensorRecord | { name: string; grad: null };

export interface GradCase {
  name: string;
  op: string;
  attrs: Record<string, string>;
  inputs: TensorRecord[];
  outputs: TensorRecord[];
  grads: GradRecord[];
  /** Inputs the op updates in place (BatchNorm's moving statistics) by name, after the call. */
  inputs_after?: Record<string, TensorRecord>;
}

export interface Fixture {
  mxnet_version: string;
  ops: OpCase[];
  grads: GradCase[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The package root (test/conformance). */
export const packageRoot = path.resolve(here, '..');

/**
 * The fixture directory: $MXNET_FIXTURES, else shared/fixtures/mxnet-1.9.1 beside the repository
 * (../shared/fixtures/… from the repository root, as the fixture README says).
 */
export function fixtureDir(): string {
  const env = process.env['MXNET_FIXTURES'];
  if (env) return path.resolve(env);
  return path.resolve(packageRoot, '..', '..', '..', 'shared', 'fixtures', 'mxnet-1.9.1');
}

export function loadFixture(): Fixture {
  const file = path.join(fixtureDir(), 'ops.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Fixture;
}

/** case id → one-line reason, for registered ops known to differ from MXNet. */
export function loadKnownDifferences(): Map<string, string> {
  const raw = JSON.parse(readFileSync(path.join(packageRoot, 'known-differences.json'), 'utf8')) as Record<string, string>;
  return new Map(Object.entries(raw));
}
