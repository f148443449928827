// mx.nd: the generated op wrappers (every registry op, MXNet names first, camelCase aliases)
// plus hand-written creation functions (array, zeros, ones, full, arange, random.*) and IO.
import { type ContextLike, toContext } from './context.js';
import { type DTypeName, dtypeCode, dtypeOfTypedArray, fromValues, HAS_FLOAT16ARRAY } from './dtype.js';
import { fail } from './errors.js';
import * as ops from './generated/ops.js';
import { invokeByName } from './invoke.js';
import { native } from './native.js';
import { NDArray, type NestedArray } from './ndarray.js';

export * from './generated/ops.js';
export { NDArray } from './ndarray.js';

export interface CreateOptions {
  dtype?: DTypeName;
  ctx?: ContextLike;
}

type Nested = number | boolean | bigint | readonly Nested[];

function shapeOf(src: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = src;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = (cur as readonly Nested[])[0] as Nested;
    if (cur === undefined) break;
  }
  return shape;
}

function flatten(src: Nested, shape: readonly number[]): (number | boolean | bigint)[] {
  const out: (number | boolean | bigint)[] = [];
  const walk = (v: Nested, axis: number, where: string): void => {
    if (axis === shape.length) {
      if (Array.isArray(v)) fail('ValueError', `array: ragged nested array at ${where || 'top level'}: expected a scalar, got a list`);
      const t = typeof v;
      if (t !== 'number' && t !== 'boolean' && t !== 'bigint') fail('TypeError', `array: element at ${where} is ${t}, not a number`);
      out.push(v as number);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      fail('ValueError', `array: ragged nested array at ${where || 'top level'}: expected a list of length ${shape[axis]}`);
    }
    (v as readonly Nested[]).forEach((x, i) => walk(x, axis + 1, `${where}[${i}]`));
  };
  walk(src, 0, '');
  return out;
}

/**
 * A new array from nested JS arrays or a TypedArray (copied). dtype defaults to the TypedArray's
 * own (Float32Array → float32, ...) or float32 for nested arrays, as in MXNet. A Uint16Array
 * source needs dtype 'float16' or 'bfloat16' (it holds the bits). `shape` reshapes a flat source.
 */
export function array(src: Nested | ArrayBufferView, options: CreateOptions & { shape?: readonly number[] } = {}): NDArray {
  const ctx = toContext(options.ctx);
  if (options.dtype !== undefined) dtypeCode(options.dtype); // throws TypeError for an unknown dtype
  let data: ArrayBufferView;
  let shape: number[];
  let dtype: DTypeName;
  if (ArrayBuffer.isView(src)) {
    const own = dtypeOfTypedArray(src);
    const isBits = src instanceof Uint16Array;
    if (isBits && options.dtype !== 'float16' && options.dtype !== 'bfloat16') {
      fail('TypeError', "array: a Uint16Array source holds float16/bfloat16 bits: pass dtype 'float16' or 'bfloat16'");
    }
    dtype = options.dtype ?? own ?? 'float32';
    const length = (src as unknown as ArrayLike<number>).length;
    shape = options.shape ? [...options.shape] : [length];
    if (isBits || (own === dtype && !(dtype === 'float16' && !HAS_FLOAT16ARRAY))) data = src;
    else data = fromValues(src as unknown as ArrayLike<number>, dtype);
  } else {
    dtype = options.dtype ?? 'float32';
    shape = shapeOf(src);
    const flat = flatten(src, shape);
    if (options.shape) shape = [...options.shape];
    data = fromValues(flat, dtype);
  }
  const size = shape.reduce((a, d) => a * d, 1);
  if ((data as unknown as ArrayLike<number>).length !== size) {
    fail('ValueError', `array: ${(data as unknown as ArrayLike<number>).length} values do not fill shape (${shape.join(', ')})`);
  }
  return new NDArray(native().create(shape, dtypeCode(dtype), ctx.devTypeCode, ctx.deviceId, data));
}

/** An uninitialised array (MXNet's mx.nd.empty). */
export function empty(shape: number | readonly number[], options: CreateOptions = {}): NDArray {
  const ctx = toContext(options.ctx);
  const dims = typeof shape === 'number' ? [shape] : [...shape];
  return new NDArray(native().create(dims, dtypeCode(options.dtype ?? 'float32'), ctx.devTypeCode, ctx.deviceId));
}

function creation(shape: number | readonly number[], options: CreateOptions) {
  return { shape, dtype: options.dtype ?? 'float32', ctx: toContext(options.ctx).toString() } as const;
}

export function zeros(shape: number | readonly number[], options: CreateOptions = {}): NDArray {
  return ops._zeros(creation(shape, options));
}
export function ones(shape: number | readonly number[], options: CreateOptions = {}): NDArray {
  return ops._ones(creation(shape, options));
}
export function full(shape: number | readonly number[], value: number, options: CreateOptions = {}): NDArray {
  return ops._full({ ...creation(shape, options), value });
}
/** Values start, start+step, ... below stop (MXNet's arange; arange(5) is 0..4). */
export function arange(start: number, stop?: number, step = 1, options: CreateOptions & { repeat?: number } = {}): NDArray {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  return ops._arange({
    start: lo,
    stop: hi,
    step,
    repeat: options.repeat ?? 1,
    dtype: options.dtype ?? 'float32',
    ctx: toContext(options.ctx).toString(),
  });
}

/** Random arrays (MXNet's mx.nd.random.*). Seed with mx.random.seed(n). */
export const random = {
  uniform(low = 0, high = 1, shape: number | readonly number[] = 1, options: CreateOptions = {}): NDArray {
    return ops._random_uniform({ low, high, ...creation(shape, options) });
  },
  normal(loc = 0, scale = 1, shape: number | readonly number[] = 1, options: CreateOptions = {}): NDArray {
    return ops._random_normal({ loc, scale, ...creation(shape, options) });
  },
  randint(low: number, high: number, shape: number | readonly number[] = 1, options: CreateOptions = {}): NDArray {
    return ops._random_randint({ low, high, ...creation(shape, options), dtype: options.dtype ?? 'int32' });
  },
};

/** Saves arrays to an MXNet 1.x .params file (a list, or a name → array record). */
export function save(fname: string, data: NDArray | readonly NDArray[] | Readonly<Record<string, NDArray>>): void {
  if (data instanceof NDArray) return native().save(fname, [data._h]);
  if (Array.isArray(data)) return native().save(fname, (data as readonly NDArray[]).map((a) => a._h));
  const entries = Object.entries(data as Record<string, NDArray>);
  native().save(fname, entries.map(([, a]) => a._h), entries.map(([k]) => k));
}

/** Loads a .params file: a list when it has no names, else a name → array record. */
export function load(fname: string): NDArray[] | Record<string, NDArray> {
  const [handles, names] = native().load(fname);
  const arrays = handles.map((h) => new NDArray(h));
  if (names.length === 0) return arrays;
  return Object.fromEntries(names.map((n, i) => [n, arrays[i]!]));
}

/** Waits (without blocking the event loop) until every queued op has finished. */
export function waitAll(): Promise<void> {
  return native().waitAllAsync();
}
/** Blocks until every queued op has finished; throws the first async error. */
export function waitAllSync(): void {
  native().waitAll();
}

export type { NestedArray };

/**
 * Runs any registry op by its MXNet name (or alias) with string attributes as symbol JSON stores
 * them: `mx.nd.invoke('SliceChannel', [x], { axis: '1', num_outputs: '2' })`. Always returns the
 * list of outputs. For typed calls use the generated wrappers (`mx.nd.split`).
 */
export function invoke(op: string, inputs: readonly NDArray[], attrs: Readonly<Record<string, string>> = {}): NDArray[] {
  return invokeByName<NDArray>(op, inputs, attrs);
}
