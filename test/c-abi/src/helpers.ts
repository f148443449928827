// Small wrappers over the raw bindings for the happy paths the tests need.
import { expect } from 'vitest';
import {
  DType,
  Dev,
  type Handle,
  MXGetLastError,
  MXGetLastErrorKind,
  MXImperativeInvoke,
  MXNDArrayCreate64,
  MXNDArrayFree,
  MXNDArrayGetShapeEx64,
  MXNDArraySyncCopyFromCPU,
  MXNDArraySyncCopyToCPU,
  NNGetOpHandle,
  koffi,
} from './lib.js';

/** Throws with the library's message when a call that must succeed fails. */
export function ok(rc: number): void {
  if (rc !== 0) throw new Error(`call failed (${rc}): ${MXGetLastError()}`);
}

/** Asserts a call failed with -1, the given MX_ERR_* kind, and a message holding each fragment. */
export function expectError(rc: number, kind: number, ...fragments: string[]): string {
  const message = MXGetLastError();
  expect(rc, message).toBe(-1);
  expect(MXGetLastErrorKind(), message).toBe(kind);
  for (const f of fragments) expect(message).toContain(f);
  return message;
}

export function float32Array(shape: number[], values: number[]): Handle {
  const out: [Handle] = [null];
  ok(MXNDArrayCreate64(shape, shape.length, Dev.cpu, 0, DType.float32, out));
  ok(MXNDArraySyncCopyFromCPU(out[0], new Float32Array(values), values.length));
  return out[0];
}

export function readFloat32(h: Handle, size: number): number[] {
  const data = new Float32Array(size);
  ok(MXNDArraySyncCopyToCPU(h, data, size));
  return Array.from(data);
}

export function shapeOf(h: Handle): number[] {
  const ndim: [number] = [0];
  const dims: [unknown] = [null];
  ok(MXNDArrayGetShapeEx64(h, ndim, dims));
  if (ndim[0] <= 0) return [];
  return Array.from(koffi.decode(dims[0], koffi.array('int64_t', ndim[0], 'Array')) as Array<number | bigint>, Number);
}

/** Runs an op through MXImperativeInvoke with library-allocated outputs. */
export function invoke(op: string, inputs: Handle[], params: Record<string, string> = {}): Handle[] {
  const opHandle: [Handle] = [null];
  ok(NNGetOpHandle(op, opHandle));
  const numOutputs: [number] = [0];
  const outputs: [unknown] = [null];
  const keys = Object.keys(params);
  ok(
    MXImperativeInvoke(opHandle[0], inputs.length, inputs, numOutputs, outputs, keys.length, keys,
      keys.map((k) => params[k] ?? '')),
  );
  return koffi.decode(outputs[0], koffi.array('NDArrayHandle', numOutputs[0])) as Handle[];
}

export function free(...handles: Handle[]): void {
  for (const h of handles) ok(MXNDArrayFree(h));
}
