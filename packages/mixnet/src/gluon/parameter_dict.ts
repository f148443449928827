// ParameterDict: a block's parameters by full name (prefix + short name), in creation order, with
// the bulk operations MXNet users call on collect_params(): initialize, zeroGrad, setAttr, save, load.
import { type DTypeName } from '../dtype.js';
import { fail } from '../errors.js';
import { type Initializer } from '../initializer.js';
import { NDArray } from '../ndarray.js';
import * as nd from '../nd.js';
import { type InitializeOptions, Parameter, type ParameterOptions } from './parameter.js';

export interface LoadOptions {
  /** Leave parameters that the file lacks untouched instead of failing. */
  allowMissing?: boolean;
  /** Skip names in the file that match no parameter instead of failing. */
  ignoreExtra?: boolean;
  /** Prepended to the file's names before matching (ParameterDict.load's restore_prefix). */
  restorePrefix?: string;
  /** Convert loaded arrays to the parameter's dtype instead of requiring them to match. */
  castDtype?: boolean;
}

const shapeText = (s: readonly number[]): string => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

/** Reads a .params file as a name → array record; files written by Model.export carry arg:/aux: prefixes. */
export function loadNamedArrays(file: string): Map<string, NDArray> {
  const loaded = nd.load(file);
  if (Array.isArray(loaded)) {
    for (const a of loaded) a.dispose();
    fail('ValueError', `${file}: the file holds an unnamed list of arrays; parameters need a name for each array`);
  }
  const out = new Map<string, NDArray>();
  for (const [k, v] of Object.entries(loaded)) out.set(k.startsWith('arg:') || k.startsWith('aux:') ? k.slice(4) : k, v);
  return out;
}

/**
 * Checks that `arrays` can be copied into the parameters named by `byName`: every name (unless
 * allowMissing/ignoreExtra), shape and dtype. Changes nothing; throws an MXNetError naming the
 * first problem.
 */
export function validateLoaded(
  file: string,
  byName: ReadonlyMap<string, Parameter>,
  arrays: ReadonlyMap<string, NDArray>,
  options: LoadOptions,
): void {
  const list = (names: string[]): string => `${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}`;
  if (!options.allowMissing) {
    const missing = [...byName.keys()].filter((n) => !arrays.has(n));
    if (missing.length) {
      fail(
        'ValueError',
        `loadParameters: ${file} lacks parameter(s) ${list(missing)} (the file has: ${list([...arrays.keys()])}); pass allowMissing to skip them`,
      );
    }
  }
  if (!options.ignoreExtra) {
    const extra = [...arrays.keys()].filter((n) => !byName.has(n));
    if (extra.length) {
      fail(
        'ValueError',
        `loadParameters: ${file} has array(s) ${list(extra)} that match no parameter of this block ` +
          `(parameters: ${list([...byName.keys()])}); pass ignoreExtra to skip them`,
      );
    }
  }
  for (const [n, arr] of arrays) {
    const p = byName.get(n);
    if (p === undefined) continue;
    const want = p.shape;
    if (want !== undefined && (want.length !== arr.shape.length || want.some((d, i) => d !== 0 && d !== arr.shape[i]))) {
      fail('ValueError', `loadParameters: ${file}: '${n}' has shape ${shapeText(arr.shape)}, the parameter expects ${shapeText(want)}`);
    }
    if (arr.dtype !== p.dtype && !options.castDtype) {
      fail('TypeError', `loadParameters: ${file}: '${n}' is ${arr.dtype}, the parameter is ${p.dtype}; pass castDtype to convert`);
    }
  }
}

/** Copies validated arrays into their parameters (converting dtypes where castDtype allowed it). */
export function applyLoaded(byName: ReadonlyMap<string, Parameter>, arrays: ReadonlyMap<string, NDArray>): void {
  for (const [n, arr] of arrays) {
    const p = byName.get(n);
    if (p === undefined) continue;
    if (arr.dtype !== p.dtype) {
      const cast = arr.astype(p.dtype);
      p.setData(cast);
      cast.dispose();
    } else {
      p.setData(arr);
    }
  }
}

/**
 * Copies `arrays` into the parameters named by `byName`, after checking every name and shape
 * first so that a bad file changes nothing. Arrays are disposed afterwards.
 */
export function assignLoaded(
  file: string,
  byName: ReadonlyMap<string, Parameter>,
  arrays: Map<string, NDArray>,
  options: LoadOptions,
): void {
  try {
    validateLoaded(file, byName, arrays, options);
    applyLoaded(byName, arrays);
  } finally {
    for (const a of arrays.values()) a.dispose();
  }
}

export class ParameterDict implements Iterable<[string, Parameter]> {
  private readonly map = new Map<string, Parameter>();

  /** `shared`: another dict whose parameters are reused when a name matches (weight sharing). */
  constructor(
    readonly prefix = '',
    private readonly shared?: ParameterDict,
  ) {}

  get size(): number {
    return this.map.size;
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<Parameter> {
    return this.map.values();
  }
  entries(): IterableIterator<[string, Parameter]> {
    return this.map.entries();
  }
  [Symbol.iterator](): IterableIterator<[string, Parameter]> {
    return this.map.entries();
  }
  has(fullName: string): boolean {
    return this.map.has(fullName);
  }
  /** A parameter by its full name (dense0_weight), or undefined. */
  lookup(fullName: string): Parameter | undefined {
    return this.map.get(fullName);
  }

  /**
   * The parameter `prefix + name`, created with `options` when it does not exist yet (MXNet's
   * ParameterDict.get). An existing one must agree with the options given.
   */
  get(name: string, options: ParameterOptions = {}): Parameter {
    const full = this.prefix + name;
    let p = this.map.get(full) ?? this.shared?.lookup(full);
    if (p === undefined) {
      p = new Parameter(full, options);
    } else if (options.shape !== undefined) {
      const s = typeof options.shape === 'number' ? [options.shape] : options.shape;
      if (p.shape === undefined) p.shape = s;
      else if (p.shape.length !== s.length || p.shape.some((d, i) => d !== 0 && s[i] !== 0 && d !== s[i])) {
        fail('ValueError', `ParameterDict.get: '${full}' exists with shape ${shapeText(p.shape)}, requested ${shapeText(s)}`);
      } else {
        p.shape = p.shape.map((d, i) => (d === 0 ? s[i]! : d));
      }
    }
    this.map.set(full, p);
    return p;
  }

  /** Adds another dict's parameters (same object: sharing). Names must not clash with different parameters. */
  update(other: ParameterDict | Iterable<[string, Parameter]>): void {
    for (const [k, v] of other) {
      const mine = this.map.get(k);
      if (mine !== undefined && mine !== v) fail('ValueError', `ParameterDict.update: a different parameter named '${k}' already exists`);
      this.map.set(k, v);
    }
  }

  /** Keeps the parameters whose full name matches from its start (MXNet's collect_params(select), re.match). */
  select(pattern: string | RegExp): ParameterDict {
    const re = typeof pattern === 'string' ? new RegExp(`^(?:${pattern})`) : pattern;
    const out = new ParameterDict(this.prefix);
    for (const [k, v] of this.map) if (re.test(k)) out.map.set(k, v);
    return out;
  }

  initialize(init?: Initializer | string, options: Omit<InitializeOptions, 'init'> = {}): void {
    for (const p of this.map.values()) p.initialize({ ...options, init });
  }
  zeroGrad(): void {
    for (const p of this.map.values()) p.zeroGrad();
  }
  cast(dtype: DTypeName): void {
    for (const p of this.map.values()) p.cast(dtype);
  }
  /** Sets one attribute on every parameter: setAttr('gradReq', 'null'), setAttr('lrMult', 0.1). */
  setAttr<K extends 'gradReq' | 'lrMult' | 'wdMult' | 'init'>(key: K, value: Parameter[K]): void {
    for (const p of this.map.values()) p[key] = value;
  }

  /** Saves every parameter by its full name, minus `stripPrefix`, in MXNet's .params format. */
  save(file: string, stripPrefix = ''): void {
    const rec: Record<string, NDArray> = {};
    for (const [k, p] of this.map) {
      if (stripPrefix && !k.startsWith(stripPrefix)) {
        fail('ValueError', `ParameterDict.save: prefix '${stripPrefix}' is not a prefix of parameter '${k}'`);
      }
      rec[k.slice(stripPrefix.length)] = p.data();
    }
    nd.save(file, rec);
  }

  /** Loads values saved by save() (or Model.export's arg:/aux: files) into these parameters. */
  load(file: string, options: LoadOptions = {}): void {
    const arrays = loadNamedArrays(file);
    const prefixed = new Map<string, NDArray>();
    for (const [k, v] of arrays) prefixed.set((options.restorePrefix ?? '') + k, v);
    assignLoaded(file, this.map, prefixed, options);
  }

  toString(): string {
    const body = [...this.map.values()].map((p) => `  ${p.toString()}`).join('\n');
    return `${this.prefix ? `${this.prefix} ` : ''}(\n${body}\n)`;
  }
}
