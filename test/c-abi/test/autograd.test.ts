// Autograd through the raw C ABI: a gradient computed as a foreign caller would, and bad input
// (NULL handles, mismatched buffers, unsupported create_graph, unrecorded heads, a freed graph)
// coming back as -1 with a message while the process carries on.
import { describe, expect, it } from 'vitest';
import { expectError, float32Array, free, invoke, ok, readFloat32 } from '../src/helpers.js';
import {
  ErrKind,
  type Handle,
  MXAutogradBackwardEx,
  MXAutogradIsRecording,
  MXAutogradMarkVariables,
  MXAutogradSetIsRecording,
  MXAutogradSetIsTraining,
  MXNDArrayDetach,
  MXNDArrayGetGrad,
} from '../src/lib.js';

function record<T>(fn: () => T): T {
  const prev: [number] = [0];
  const prevTrain: [number] = [0];
  ok(MXAutogradSetIsRecording(1, prev));
  ok(MXAutogradSetIsTraining(1, prevTrain));
  try {
    return fn();
  } finally {
    ok(MXAutogradSetIsRecording(prev[0], [0]));
    ok(MXAutogradSetIsTraining(prevTrain[0], [0]));
  }
}

function backward(heads: Handle[], retain = 0): number {
  return MXAutogradBackwardEx(heads.length, heads, null, 0, null, retain, 0, 1, [null], [null]);
}

describe('autograd C ABI', () => {
  it('computes d(x*x + x)/dx into the marked buffer', () => {
    const x = float32Array([3], [1, -2, 0.5]);
    const g = float32Array([3], [0, 0, 0]);
    ok(MXAutogradMarkVariables(1, [x], [1], [g]));
    const recording: [boolean] = [false];
    const y = record(() => {
      ok(MXAutogradIsRecording(recording));
      const [sq] = invoke('elemwise_mul', [x, x]);
      const [sum] = invoke('elemwise_add', [sq, x]);
      free(sq);
      return sum;
    });
    expect(recording[0]).toBe(true);
    ok(backward([y]));
    expect(readFloat32(g, 3)).toEqual([3, -3, 2]);
    const view: [Handle] = [null];
    ok(MXNDArrayGetGrad(x, view));
    expect(readFloat32(view[0], 3)).toEqual([3, -3, 2]);
    const detached: [Handle] = [null];
    ok(MXNDArrayDetach(y, detached));
    expectError(backward([detached[0]]), ErrKind.Value, 'does not depend on any variable');
    expectError(backward([y]), ErrKind.Value, 'retain_graph');
    for (const h of [x, g, y, view[0], detached[0]]) free(h);
  });

  it('returns gradients of given variables as new handles', () => {
    const x = float32Array([2], [1, 3]);
    const g = float32Array([2], [0, 0]);
    ok(MXAutogradMarkVariables(1, [x], [1], [g]));
    const [y] = record(() => invoke('elemwise_mul', [x, x]));
    const grads: [unknown] = [null];
    const stypes: [unknown] = [null];
    ok(MXAutogradBackwardEx(1, [y], null, 1, [x], 0, 0, 1, grads, stypes));
    expect(grads[0]).not.toBeNull();
    expect(readFloat32(g, 2)).toEqual([0, 0]);
    for (const h of [x, g, y]) free(h);
  });

  it('rejects bad arguments with -1 and a message', () => {
    const x = float32Array([2], [1, 2]);
    const wrong = float32Array([3], [0, 0, 0]);
    expectError(MXAutogradMarkVariables(1, [x], [1], [wrong]), ErrKind.Value, 'mark_variables', '(3,)', '(2,)');
    expectError(MXAutogradMarkVariables(1, [x], [2], [x]), ErrKind.Value, 'grad_req 2');
    expectError(MXAutogradMarkVariables(1, null, null, null), ErrKind.InvalidHandle, 'MXAutogradMarkVariables');
    expectError(MXAutogradSetIsRecording(1, null), ErrKind.InvalidHandle, 'prev');
    expectError(MXAutogradBackwardEx(1, [null], null, 0, null, 0, 0, 1, [null], [null]), ErrKind.InvalidHandle, 'output_handles[0]');
    expectError(MXAutogradBackwardEx(1, [x], null, 0, null, 0, 1, 1, [null], [null]), ErrKind.NotImplemented, 'create_graph');
    expectError(backward([x]), ErrKind.Value, 'does not depend on any variable');
    const none: [Handle] = [x];
    ok(MXNDArrayGetGrad(wrong, none));
    expect(none[0]).toBeNull();
    free(x);
    free(wrong);
    const h = float32Array([1], [4]);
    expect(readFloat32(h, 1)).toEqual([4]);
    free(h);
  });
});
