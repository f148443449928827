// mx.autograd from TypeScript: gradients against hand-computed derivatives, grad_req add,
// retainGraph, pause, autograd.grad, async record scopes, errors, and ops whose inputs depend on
// parameters (FullyConnected's bias) and hidden outputs (Dropout's mask).
import { describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';

const nd = mx.nd;
const ag = mx.autograd;

function list(a: mx.NDArray | undefined): number[] {
  if (!a) throw new Error('no array');
  return Array.from(a.dataSync() as ArrayLike<number>);
}

describe('autograd', () => {
  it('differentiates a polynomial (x used twice by one op and again by another)', async () => {
    const x = nd.array([1, -2, 0.5]);
    x.attachGrad();
    const y = ag.record(() => x.mul(x).add(x));
    y.backward();
    expect(Array.from((await x.grad!.data()) as Float32Array)).toEqual([3, -3, 2]);
  });

  it('reduces broadcast gradients to the input shapes and follows head gradients', () => {
    const a = nd.array([[1, 2, 3], [4, 5, 6]]);
    const b = nd.array([[10, 20, 30]]);
    a.attachGrad();
    b.attachGrad();
    const y = ag.record(() => nd.broadcast_mul(a, b));
    y.backward(nd.array([[1, 1, 1], [2, 2, 2]]));
    expect(list(a.grad)).toEqual([10, 20, 30, 20, 40, 60]);
    expect(list(b.grad)).toEqual([9, 12, 15]);
  });

  it("accumulates with gradReq 'add' and overwrites with 'write'", () => {
    const x = nd.array([3]);
    const w = nd.array([5]);
    x.attachGrad('add');
    w.attachGrad('write');
    for (let i = 0; i < 3; i++) ag.record(() => x.mul(w)).backward();
    expect(list(x.grad)).toEqual([15]);
    expect(list(w.grad)).toEqual([3]);
  });

  it('frees the graph unless retainGraph, with a clear error', () => {
    const x = nd.array([2]);
    x.attachGrad('add');
    const y = ag.record(() => x.mul(x));
    y.backward(null, { retainGraph: true });
    y.backward();
    expect(list(x.grad)).toEqual([8]);
    expect(() => y.backward()).toThrow(/retain_graph/);
    try {
      y.backward();
    } catch (e) {
      expect(e).toBeInstanceOf(mx.MXNetError);
      expect((e as mx.MXNetError).kind).toBe('ValueError');
    }
  });

  it('does not record under pause() or outside record()', () => {
    const x = nd.array([2]);
    x.attachGrad();
    const y = ag.record(() => ag.pause(() => x.mul(x)));
    expect(() => y.backward()).toThrow(/does not depend on any variable/);
    expect(() => x.mul(x).backward()).toThrow(mx.MXNetError);
  });

  it('autograd.grad returns new arrays and leaves .grad alone', () => {
    const x = nd.array([1, 3]);
    x.attachGrad();
    const y = ag.record(() => x.mul(x).sum());
    const [gx] = ag.grad(y, [x]);
    expect(list(gx)).toEqual([2, 6]);
    expect(list(x.grad)).toEqual([0, 0]);
  });

  it('detach() and markVariables with explicit buffers', () => {
    const x = nd.array([2]);
    const buf = nd.zeros([1]);
    ag.markVariables([x], [buf], 'write');
    expect(x.grad).toBe(buf);
    const y = ag.record(() => x.mul(x).add(x.mul(10).detach()));
    y.backward();
    expect(list(buf)).toEqual([4]);
  });

  it('scopes restore modes, also around async functions and throws', async () => {
    expect(ag.isRecording()).toBe(false);
    expect(ag.isTraining()).toBe(false);
    const inside = await ag.record(async () => {
      await new Promise((r) => setTimeout(r, 1));
      return [ag.isRecording(), ag.isTraining()];
    });
    expect(inside).toEqual([true, true]);
    expect(ag.record(() => ag.isTraining(), { trainMode: false })).toBe(false);
    expect(() =>
      ag.record(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(ag.isRecording()).toBe(false);
    expect(ag.trainMode(() => ag.isTraining())).toBe(true);
    expect(ag.predictMode(() => ag.isTraining())).toBe(false);
  });

  it('rejects bad grad_req and mismatched buffers', () => {
    const x = nd.array([1, 2]);
    expect(() => x.attachGrad('sometimes' as mx.GradReq)).toThrow(TypeError);
    expect(() => ag.markVariables([x], [nd.zeros([3])])).toThrow(/\(3,\).*\(2,\)|\(2,\).*\(3,\)/);
  });

  it('FullyConnected takes its optional bias from the params object; gradients match by hand', () => {
    const x = nd.array([[1, 2]]);
    const w = nd.array([[1, 0], [0, 1], [1, 1]]);
    const bias = nd.array([0.5, -0.5, 0]);
    for (const v of [x, w, bias]) v.attachGrad();
    const y = ag.record(() => nd.FullyConnected(x, w, { num_hidden: 3, bias }));
    expect(list(y)).toEqual([1.5, 1.5, 3]);
    y.backward();
    expect(list(x.grad)).toEqual([2, 2]); // column sums of w
    expect(list(w.grad)).toEqual([1, 2, 1, 2, 1, 2]);
    expect(list(bias.grad)).toEqual([1, 1, 1]);
    const noBias = nd.FullyConnected(x, w, { num_hidden: 3, no_bias: true });
    expect(list(noBias)).toEqual([1, 2, 3]);
    expect(() => nd.FullyConnected(x, w, { num_hidden: 3 })).toThrow(/expected 3 inputs/);
  });

  it('Dropout returns only its visible output and is the identity when predicting', () => {
    const x = nd.ones([1000]);
    const predicted = nd.Dropout(x, { p: 0.5 });
    expect(predicted).toBeInstanceOf(mx.NDArray);
    expect(list(predicted).every((v) => v === 1)).toBe(true);
    x.attachGrad();
    const y = ag.record(() => nd.Dropout(x, { p: 0.5 }));
    const kept = list(y).filter((v) => v !== 0);
    expect(kept.every((v) => v === 2)).toBe(true);
    expect(kept.length).toBeGreaterThan(400);
    expect(kept.length).toBeLessThan(600);
    y.backward();
    expect(list(x.grad)).toEqual(list(y)); // d(mask * x / (1-p)) / dx = mask / (1-p)
  });
});
