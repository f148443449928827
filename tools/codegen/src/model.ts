// The typed, frozen model of the operator registry (engine/ops/*.yaml). Every emitter (C++ now;
// TypeScript, Python, R and Scala later) reads only this model, never the YAML, so a new target
// language is one more emitter over the same validated data.

/** The parameter types of engine/ops/README.md. */
export const PARAM_TYPES = [
  'int',
  'long',
  'float',
  'double',
  'bool',
  'string',
  'dtype',
  'enum',
  'shape',
  'int_or_none_tuple',
  'float_tuple',
] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

/** Numeric types: the only ones that may carry a `range`. */
export const NUMERIC_TYPES: readonly ParamType[] = ['int', 'long', 'float', 'double'];
export const INTEGER_TYPES: readonly ParamType[] = ['int', 'long'];

/** dtype names in MXNet/NumPy spelling, in the engine's DType order. */
export const DTYPE_NAMES = [
  'float32',
  'float64',
  'float16',
  'uint8',
  'int32',
  'int8',
  'int64',
  'bool',
  'bfloat16',
] as const;
export type DTypeName = (typeof DTYPE_NAMES)[number];

/**
 * A parsed parameter value. Integers are bigint (long params are 64-bit); `float` values are
 * already rounded to float32 (Math.fround) so that every emitter prints what C++ stores.
 */
export type Value =
  | { readonly kind: 'none' }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'dtype'; readonly value: DTypeName }
  | { readonly kind: 'enum'; readonly value: string }
  | { readonly kind: 'shape'; readonly value: readonly bigint[] }
  | { readonly kind: 'int_or_none_tuple'; readonly value: readonly (bigint | null)[] }
  | { readonly kind: 'float_tuple'; readonly value: readonly number[] };

/** Where something was declared: the display path (repo-relative) and 1-based line/column. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface Param {
  readonly name: string;
  readonly type: ParamType;
  /** `optional: true`: the value may be None (C++ std::optional<T>). */
  readonly optional: boolean;
  /** The default, parsed; undefined when the parameter is required. */
  readonly default: Value | undefined;
  /** The default in MXNet's canonical string form ("(2, 3)", "True", "1e-05", "None"). */
  readonly defaultText: string | undefined;
  /** For enums: accepted strings in MXNet's spelling, in declaration order. */
  readonly values: readonly string[] | undefined;
  /** Inclusive bounds for numeric types; null for an open end. */
  readonly range: readonly [number | null, number | null] | undefined;
  readonly doc: string;
  readonly pos: SourcePos;
}

/** When an input takes part in a call: `param` (a bool) is true, or (enum) equals `value`. */
export interface InputCondition {
  readonly param: string;
  /** For enum params: the value that makes the input present. */
  readonly value: string | undefined;
  /** absent_when: the input is present when the condition is false. */
  readonly negate: boolean;
}

export interface Input {
  readonly name: string;
  readonly variadic: boolean;
  /** Variadic inputs: the int param holding the number of inputs. */
  readonly countParam: string | undefined;
  /** Variadic inputs: inputs per unit of the count (multi_sgd_update: weight and grad = 2). */
  readonly countPer: number;
  /** The forward writes this input in place (auxiliary state, e.g. BatchNorm's moving_mean). */
  readonly mutable: boolean;
  /** Present only for some parameter values; undefined when always present. */
  readonly condition: InputCondition | undefined;
}

export interface Op {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly family: string;
  readonly doc: string;
  readonly inputs: readonly Input[];
  /** Every output: visible ones, then `hiddenOutputs` hidden ones (state saved for backward). */
  readonly outputs: readonly string[];
  readonly hiddenOutputs: number;
  readonly params: readonly Param[];
  readonly differentiable: boolean;
  readonly needsRng: boolean;
  readonly pos: SourcePos;
}

export interface Family {
  readonly name: string;
  readonly doc: string;
  /** Display path of the YAML file, e.g. "engine/ops/shape.yaml". */
  readonly file: string;
  /** In declaration order. */
  readonly ops: readonly Op[];
}

export interface Registry {
  /** Sorted by name. */
  readonly families: readonly Family[];
}

/** Every op of the registry, sorted by name (code-unit order, as C++ strcmp on ASCII). */
export function allOps(registry: Registry): Op[] {
  return registry.families.flatMap((f) => f.ops).sort((a, b) => compareStrings(a.name, b.name));
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Recursively freezes a freshly built model so no emitter can mutate shared state. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
