// The ONE generic op call every generated wrapper goes through: marshals inputs to handles and
// parameters to MXNet's string forms, calls the addon's invoke, wraps the outputs.
// Hot path: no per-call work beyond what the arguments need (op handles are cached by index in
// the addon; ops without parameters allocate only the input array and the result).
import { Context } from './context.js';
import { fail } from './errors.js';
import { native, type Handle, type NativeBinding } from './native.js';

/** What the wrappers hand in: anything with a live handle (NDArray). */
export interface HandleOwner {
  /** @internal the native handle; 0 after dispose() */
  readonly _h: Handle;
}

/** A lazily resolved op: the first call looks the name up (after the registry check ran). */
export interface OpRef {
  readonly name: string;
  id: number;
}

export function opRef(name: string): OpRef {
  return { name, id: -1 };
}

type Wrap<T> = (h: Handle) => T;
let wrapHandle: Wrap<unknown> = () => fail('InternalError', 'mixnet: NDArray class not initialised');
/** ndarray.ts registers how a new handle becomes an NDArray (keeps this module free of a cycle). */
export function setWrapper(w: Wrap<unknown>): void {
  wrapHandle = w;
}

let B: NativeBinding | undefined;
function binding(): NativeBinding {
  return B ?? (B = native());
}

function opId(b: NativeBinding, op: OpRef): number {
  if (op.id < 0) op.id = b.opIndex(op.name);
  return op.id;
}

function isOwner(x: unknown): x is HandleOwner {
  return typeof x === 'object' && x !== null && typeof (x as HandleOwner)._h === 'number';
}

/** The handle of a wrapper's input, or an MXNetError naming the op and the argument. */
export function handleOf(x: unknown, op: string, index: number): Handle {
  if (!isOwner(x)) {
    fail('TypeError', `${op}: input ${index} must be an NDArray, got ${x === null ? 'null' : typeof x}`, op);
  }
  const h = x._h;
  if (h === 0) fail('InvalidHandleError', `${op}: input ${index} is an NDArray that was already disposed`, op);
  return h;
}

/** A parameter value in MXNet's string form ("True", "(2, 3)", "None", "1e-05"). */
export function paramString(v: unknown): string {
  switch (typeof v) {
    case 'boolean':
      return v ? 'True' : 'False';
    case 'number':
      if (Number.isFinite(v)) return String(v);
      return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
    case 'bigint':
    case 'string':
      return String(v);
    case 'object':
      if (v === null) return 'None';
      if (Array.isArray(v)) return v.length === 1 ? `(${paramString(v[0])},)` : `(${v.map(paramString).join(', ')})`;
      if (v instanceof Context) return v.toString();
      break;
  }
  return fail('TypeError', `cannot pass ${typeof v} as an operator parameter`);
}

interface Marshalled {
  keys: string[] | undefined;
  vals: string[] | undefined;
  outs: unknown;
}
const EMPTY: Marshalled = { keys: undefined, vals: undefined, outs: undefined };

function marshal(params: object | undefined, count?: [string, number]): Marshalled {
  if (params === undefined && count === undefined) return EMPTY;
  const keys: string[] = [];
  const vals: string[] = [];
  let outs: unknown;
  let countGiven = false;
  if (params !== undefined) {
    for (const k in params) {
      const v = (params as Record<string, unknown>)[k];
      if (v === undefined) continue;
      if (k === 'out') {
        outs = v;
        continue;
      }
      if (count && k === count[0]) countGiven = true;
      keys.push(k);
      vals.push(paramString(v));
    }
  }
  if (count && !countGiven) {
    keys.push(count[0]);
    vals.push(String(count[1]));
  }
  return { keys: keys.length ? keys : undefined, vals: keys.length ? vals : undefined, outs };
}

function outHandles(op: OpRef, outs: unknown): Handle[] {
  const list = Array.isArray(outs) ? outs : [outs];
  return list.map((o, i) => handleOf(o, op.name, i));
}

function call(op: OpRef, inputs: readonly unknown[], m: Marshalled): Handle | Handle[] | unknown {
  const b = binding();
  const n = inputs.length;
  const id = opId(b, op);
  if (m === EMPTY && n <= 3) {
    // fast path: handles as plain arguments, nothing else to marshal
    if (n === 2) return b.invokeN(id, handleOf(inputs[0], op.name, 0), handleOf(inputs[1], op.name, 1));
    if (n === 1) return b.invokeN(id, handleOf(inputs[0], op.name, 0));
    if (n === 0) return b.invokeN(id);
    return b.invokeN(id, handleOf(inputs[0], op.name, 0), handleOf(inputs[1], op.name, 1), handleOf(inputs[2], op.name, 2));
  }
  const hs: Handle[] = [];
  for (let i = 0; i < n; i++) hs.push(handleOf(inputs[i], op.name, i));
  if (m.outs !== undefined) {
    b.invoke(id, hs, m.keys, m.vals, outHandles(op, m.outs));
    return m.outs;
  }
  return m.keys === undefined ? b.invoke(id, hs) : b.invoke(id, hs, m.keys, m.vals);
}

/** Runs an op with one output. */
export function invoke<T>(op: OpRef, inputs: readonly T[], params?: object): T {
  return one(call(op, inputs, marshal(params)));
}

function one<T>(r: unknown): T {
  if (typeof r === 'number') return wrapHandle(r) as T;
  if (Array.isArray(r)) return (typeof r[0] === 'number' ? wrapHandle(r[0]) : r[0]) as T;
  return r as T;
}

// invoke() for ops with one, two or three fixed inputs, which the generated wrappers call with
// the inputs as arguments: a call without parameters (the common small op) builds no input array.
/** Runs an op with one input and one output. */
export function invoke1<T>(op: OpRef, x: T, params?: object): T {
  if (params !== undefined) return invoke(op, [x], params);
  const b = binding();
  return one(b.invokeN(opId(b, op), handleOf(x, op.name, 0)));
}
/** Runs an op with two inputs and one output. */
export function invoke2<T>(op: OpRef, x: T, y: T, params?: object): T {
  if (params !== undefined) return invoke(op, [x, y], params);
  const b = binding();
  return one(b.invokeN(opId(b, op), handleOf(x, op.name, 0), handleOf(y, op.name, 1)));
}
/** Runs an op with three inputs and one output. */
export function invoke3<T>(op: OpRef, x: T, y: T, z: T, params?: object): T {
  if (params !== undefined) return invoke(op, [x, y, z], params);
  const b = binding();
  return one(b.invokeN(opId(b, op), handleOf(x, op.name, 0), handleOf(y, op.name, 1), handleOf(z, op.name, 2)));
}

/**
 * Splits inputs that exist only for some parameter values (FullyConnected's `bias`, softmax's
 * `length`) out of the params object and appends the given ones to the fixed inputs.
 */
export function withOptionalInputs<T>(
  fixed: readonly T[],
  params: object | undefined,
  names: readonly string[],
): [T[], object | undefined] {
  if (params === undefined) return [[...fixed], params];
  const rest: Record<string, unknown> = { ...(params as Record<string, unknown>) };
  const inputs = [...fixed];
  for (const n of names) {
    const v = rest[n];
    delete rest[n];
    if (v !== undefined && v !== null) inputs.push(v as T);
  }
  return [inputs, rest];
}

/** Runs an op with several outputs (or a num_outputs parameter). */
export function invokeMany<T>(op: OpRef, inputs: readonly T[], params?: object): T[] {
  const r = call(op, inputs, marshal(params));
  if (typeof r === 'number') return [wrapHandle(r) as T];
  if (Array.isArray(r)) return r.map((h) => (typeof h === 'number' ? (wrapHandle(h) as T) : (h as T)));
  return [r as T];
}

/** Runs an op with a variadic input: args are the arrays, optionally followed by a params object. */
export function invokeVariadic<T>(op: OpRef, countParam: string, args: readonly unknown[], many: boolean, per = 1): any {
  const last = args[args.length - 1];
  const hasParams = args.length > 0 && !isOwner(last) && typeof last === 'object' && last !== null && !Array.isArray(last);
  const inputs = hasParams ? args.slice(0, -1) : args;
  const params = hasParams ? (last as object) : undefined;
  const r = call(op, inputs, marshal(params, countParam ? [countParam, Math.floor(inputs.length / per)] : undefined));
  const list = typeof r === 'number' ? [r] : Array.isArray(r) ? r : [r];
  const wrapped = list.map((h) => (typeof h === 'number' ? (wrapHandle(h) as T) : (h as T)));
  return many ? wrapped : wrapped[0];
}

const byName = new Map<string, OpRef>();

/**
 * Runs a registry op by name (primary name or alias) with parameters already in MXNet's string
 * form, exactly as a symbol JSON stores them ({"axis": "1", "shape": "(2, 3)"}); the same path a
 * symbol loader takes. Returns every output. Throws NotFoundError for an unknown op.
 */
export function invokeByName<T>(name: string, inputs: readonly T[], attrs: Readonly<Record<string, string>> = {}): T[] {
  let op = byName.get(name);
  if (!op) byName.set(name, (op = opRef(name)));
  const keys: string[] = [];
  const vals: string[] = [];
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v !== 'string') fail('TypeError', `${name}: attribute ${k} must be a string, got ${typeof v}`, name);
    keys.push(k);
    vals.push(v);
  }
  const r = call(op, inputs, keys.length ? { keys, vals, outs: undefined } : EMPTY);
  const list = Array.isArray(r) ? r : [r];
  return list.map((h) => (typeof h === 'number' ? (wrapHandle(h) as T) : (h as T)));
}
