// mx.autograd: record computations on NDArrays and get their gradients (Apache MXNet 1.x
// semantics). Modes belong to the JS thread; a scope restores the previous mode when its
// function returns or its promise settles.
import { type GradReq, gradReqCode } from './grad_req.js';
import { NDArray } from './ndarray.js';
import { native, type Handle } from './native.js';

export type { GradReq };

export function isRecording(): boolean {
  return native().modes()[0];
}
export function isTraining(): boolean {
  return native().modes()[1];
}
/** Sets the recording mode; returns the previous one. Prefer record()/pause(). */
export function setRecording(on: boolean): boolean {
  return native().setRecording(on);
}
/** Sets the training mode; returns the previous one. Prefer trainMode()/predictMode(). */
export function setTraining(on: boolean): boolean {
  return native().setTraining(on);
}

function scoped<T>(recording: boolean | undefined, training: boolean, fn: () => T): T {
  const b = native();
  const prevRec = recording === undefined ? undefined : b.setRecording(recording);
  const prevTrain = b.setTraining(training);
  const restore = (): void => {
    if (prevRec !== undefined) b.setRecording(prevRec);
    b.setTraining(prevTrain);
  };
  let result: T;
  try {
    result = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}

/**
 * Runs fn while recording (autograd.record()): ops on arrays with attachGrad() (and on results
 * of recorded ops) are recorded for backward(). trainMode (default true) selects training
 * behaviour of Dropout/BatchNorm. fn may be async; the mode is restored when it settles (ops
 * from other code that runs meanwhile on this thread are recorded too).
 */
export function record<T>(fn: () => T, options: { trainMode?: boolean } = {}): T {
  return scoped(true, options.trainMode ?? true, fn);
}

/** Runs fn without recording (autograd.pause()); trainMode defaults to false. */
export function pause<T>(fn: () => T, options: { trainMode?: boolean } = {}): T {
  return scoped(false, options.trainMode ?? false, fn);
}

/** Runs fn in training mode without changing recording. */
export function trainMode<T>(fn: () => T): T {
  return scoped(undefined, true, fn);
}

/** Runs fn in predicting mode without changing recording. */
export function predictMode<T>(fn: () => T): T {
  return scoped(undefined, false, fn);
}

/** Marks variables whose gradients land in `grads` (same shapes and dtypes). */
export function markVariables(
  variables: readonly NDArray[],
  grads: readonly NDArray[],
  gradReqs: GradReq | readonly GradReq[] = 'write',
): void {
  const reqs = typeof gradReqs === 'string' ? variables.map(() => gradReqs) : gradReqs;
  if (reqs.length !== variables.length || grads.length !== variables.length) {
    throw new TypeError(
      `mixnet: markVariables got ${variables.length} variables, ${grads.length} gradients and ${reqs.length} grad_reqs`,
    );
  }
  native().markVariables(
    variables.map((v) => v._h),
    reqs.map(gradReqCode),
    grads.map((g) => g._h),
  );
  variables.forEach((v, i) => v._setGrad(grads[i]!));
}

function headHandles(heads: NDArray | readonly NDArray[], headGrads?: NDArray | readonly (NDArray | null | undefined)[] | null): [Handle[], Handle[]] {
  const hs = heads instanceof NDArray ? [heads] : [...heads];
  let gs: (NDArray | null | undefined)[];
  if (headGrads === undefined || headGrads === null) gs = hs.map(() => null);
  else if (headGrads instanceof NDArray) gs = [headGrads];
  else gs = [...headGrads];
  if (gs.length !== hs.length) {
    throw new TypeError(`mixnet: backward got ${gs.length} head gradients for ${hs.length} heads`);
  }
  return [hs.map((h) => h._h), gs.map((g) => (g ? g._h : 0))];
}

/**
 * Computes gradients of heads with respect to the marked variables (into their .grad buffers).
 * headGrads default to ones. Without retainGraph the recorded graph is freed. Queued on the
 * engine: reading a gradient waits for it.
 */
export function backward(
  heads: NDArray | readonly NDArray[],
  headGrads?: NDArray | readonly (NDArray | null | undefined)[] | null,
  options: { retainGraph?: boolean } = {},
): void {
  const [h, g] = headHandles(heads, headGrads);
  native().backward(h, g, options.retainGraph ?? false);
}

/** Returns the gradients of heads with respect to `variables` as new arrays (autograd.grad). */
export function grad(
  heads: NDArray | readonly NDArray[],
  variables: NDArray | readonly NDArray[],
  options: { headGrads?: NDArray | readonly (NDArray | null | undefined)[]; retainGraph?: boolean } = {},
): NDArray[] {
  const [h, g] = headHandles(heads, options.headGrads);
  const vars = variables instanceof NDArray ? [variables] : [...variables];
  const out = native().backward(h, g, options.retainGraph ?? false, vars.map((v) => v._h)) ?? [];
  return out.map((handle) => new NDArray(handle));
}
