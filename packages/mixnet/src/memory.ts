// Lifetime of NDArrays: tidy() scopes, the FinalizationRegistry backstop, mx.memory().
// Scopes follow async code through AsyncLocalStorage, so concurrent async tidy() calls each
// collect only the arrays made inside them. Native bytes are reported to V8 by the addon
// (napi_adjust_external_memory), so GC pressure reflects them.
import { AsyncLocalStorage } from 'node:async_hooks';

import { native, type Handle } from './native.js';

/** Anything that owns a native handle and can release it. */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

interface Scope {
  readonly arrays: Disposable[];
}

const scopes = new AsyncLocalStorage<Scope>();
let activeScopes = 0; // fast path: no AsyncLocalStorage lookup while no tidy() runs

/**
 * The handle an NDArray owns, in a cell the FinalizationRegistry holds. dispose() zeroes the cell
 * instead of unregistering (unregister costs about as much as a small op's dispatch).
 */
export interface HandleCell {
  h: Handle;
}

/** An array under the backstop: it makes its cell when registered (undefined once disposed). */
export interface Guarded extends Disposable {
  _makeCell(): HandleCell | undefined;
}

/** Frees handles whose NDArray was garbage-collected without dispose(). */
export const finalizer = new FinalizationRegistry<HandleCell>((cell) => {
  const h = cell.h;
  if (h === 0) return; // disposed explicitly
  cell.h = 0;
  try {
    native().free(h);
  } catch {
    // already freed (e.g. by the engine shutting down): nothing to do
  }
});

// Registration with the FinalizationRegistry is deferred to a microtask: arrays disposed in the
// same synchronous run (most temporaries) never pay for it, nor for their cell, which is made
// only at registration. Nothing is lost: finalizer callbacks cannot run before the current
// synchronous run ends anyway.
// The arrays are in young[0 .. youngLength). The backing array keeps its size and slots are
// cleared as they are flushed: truncating it (length = 0) would free the backing store and make
// the next run of pushes grow it again, copy by copy, on the dispatch path.
const young: (Guarded | undefined)[] = [];
let youngLength = 0;
let flushQueued = false;

function flushYoung(): void {
  flushQueued = false;
  const n = youngLength;
  youngLength = 0;
  for (let i = 0; i < n; i++) {
    const a = young[i] as Guarded;
    const cell = a._makeCell();
    if (cell !== undefined) finalizer.register(a, cell);
    young[i] = undefined; // let collected arrays go
  }
}

// A long synchronous loop (a training step, a benchmark) would otherwise keep every temporary it
// made alive in `young` until the microtask runs: they all survive V8's young-generation GC and
// get promoted, so GC work grows with the loop. Flushing early at this many arrays bounds that;
// registering early changes nothing (callbacks still cannot run before the run ends).
const YOUNG_FLUSH_AT = 2048;

/** Puts a new array under the FinalizationRegistry backstop (at the end of this synchronous run). */
export function guard(a: Guarded): void {
  young[youngLength++] = a;
  if (youngLength >= YOUNG_FLUSH_AT) {
    flushYoung(); // clears flushQueued too: a later guard() queues a fresh microtask; an
    // already queued one finds `young` short or empty, which is harmless
    return;
  }
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushYoung);
  }
}

/** Called for every new NDArray: puts it in the current tidy() scope, if any. */
export function track(a: Disposable): void {
  if (activeScopes === 0) return;
  scopes.getStore()?.arrays.push(a);
}

/** Collects every Disposable reachable from a tidy() result (arrays, plain objects, Maps, Sets). */
function collectKept(value: unknown, kept: Set<unknown>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (typeof (value as Disposable).dispose === 'function' && 'isDisposed' in (value as object)) {
    kept.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collectKept(v, kept, seen);
  else if (value instanceof Map) for (const v of value.values()) collectKept(v, kept, seen);
  else if (value instanceof Set) for (const v of value) collectKept(v, kept, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collectKept(v, kept, seen);
}

function endScope(scope: Scope, parent: Scope | undefined, result: unknown): void {
  const kept = new Set<unknown>();
  collectKept(result, kept, new Set());
  for (const a of scope.arrays) {
    if (kept.has(a)) parent?.arrays.push(a);
    else if (!a.isDisposed) a.dispose();
  }
  scope.arrays.length = 0;
}

/**
 * Runs fn and disposes every NDArray created inside it except those it returns (found in
 * returned arrays, plain objects, Maps and Sets). fn may be async: the scope then ends when its
 * promise settles, and arrays created in its async continuations belong to it. Returned arrays
 * move to the enclosing tidy() scope, if any.
 */
export function tidy<T>(fn: () => Promise<T>): Promise<T>;
export function tidy<T>(fn: () => T): T;
export function tidy<T>(fn: () => T | Promise<T>): T | Promise<T> {
  const parent = activeScopes > 0 ? scopes.getStore() : undefined;
  const scope: Scope = { arrays: [] };
  activeScopes++;
  let result: T | Promise<T>;
  try {
    result = scopes.run(scope, fn);
  } catch (e) {
    activeScopes--;
    endScope(scope, parent, undefined);
    throw e;
  }
  if (result instanceof Promise) {
    return result.then(
      (v) => {
        activeScopes--;
        endScope(scope, parent, v);
        return v;
      },
      (e: unknown) => {
        activeScopes--;
        endScope(scope, parent, undefined);
        throw e;
      },
    );
  }
  activeScopes--;
  endScope(scope, parent, result);
  return result;
}

/** Marks arrays so that the enclosing tidy() does not dispose them. */
export function keep<T extends Disposable>(a: T): T {
  if (activeScopes > 0) {
    const s = scopes.getStore();
    if (s) {
      const i = s.arrays.indexOf(a);
      if (i >= 0) s.arrays.splice(i, 1);
    }
  }
  return a;
}

export interface MemoryInfo {
  /** Native arrays alive (handles made by this package and not yet freed; views included). */
  numArrays: number;
  /** Bytes of storage those arrays own (views count 0). */
  numBytes: number;
}

/** Live arrays and bytes. */
export function memory(): MemoryInfo {
  const [numArrays, numBytes] = native().memory();
  return { numArrays, numBytes };
}
