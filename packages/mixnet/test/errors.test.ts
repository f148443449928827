// Every kind of bad input throws MXNetError with the C ABI's message (and kind, op where known),
// and the process keeps working afterwards.
import { describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';
import { MXNetError } from '../src/index.js';

const nd = mx.nd;

function thrown(f: () => unknown): MXNetError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MXNetError);
    return e as MXNetError;
  }
  throw new Error('expected an MXNetError');
}

describe('errors', () => {
  it('shape mismatch names the op and both shapes', () => {
    const e = thrown(() => nd.broadcast_add(nd.ones([2, 3]), nd.ones([4])));
    expect(e.kind).toBe('ValueError');
    expect(e.op).toBe('broadcast_add');
    expect(e.message).toBe('broadcast_add: operands could not be broadcast together with shapes (2, 3) (4,)');
  });

  it('bad parameters: unknown key, unparsable value, out of range, missing required', () => {
    const a = nd.ones([2, 2]);
    const unknown = thrown(() => nd.sum(a, { bogus: 1 } as unknown as mx.nd.SumParams));
    expect(unknown.kind).toBe('NotFoundError');
    expect(unknown.message).toContain('bogus');
    const typ = thrown(() => nd.Cast(a, { dtype: 'float99' as mx.DTypeName }));
    expect(typ.kind).toBe('TypeError');
    expect(typ.message).toContain('float99');
    const missing = thrown(() => nd.clip(a, {} as mx.nd.ClipParams));
    expect(missing.message).toContain('a_min');
    const enumBad = thrown(() => nd.take(a, nd.array([0]), { mode: 'nope' as 'clip' }));
    expect(enumBad.op).toBe('take');
  });

  it('bad axes, reshape, slice and index', () => {
    const a = nd.ones([2, 3]);
    expect(thrown(() => a.sum({ axis: 5 })).op).toBe('sum');
    expect(thrown(() => a.reshape(4, 4)).message).toMatch(/reshape|size/i);
    expect(thrown(() => a.at(7)).kind).toBe('IndexError');
    expect(thrown(() => a.slice(2, 1)).message.length).toBeGreaterThan(0);
    expect(thrown(() => nd.transpose(a, { axes: [0, 0] })).op).toBe('transpose');
  });

  it('bad arguments caught in TS: wrong input type, disposed array, bad dtype/ctx, ragged arrays', () => {
    expect(thrown(() => nd.exp(42 as unknown as mx.NDArray)).kind).toBe('TypeError');
    const d = nd.ones([1]);
    d.dispose();
    expect(thrown(() => nd.exp(d)).kind).toBe('InvalidHandleError');
    expect(thrown(() => d.shape).kind).toBe('InvalidHandleError');
    expect(thrown(() => nd.array([1], { dtype: 'complex' as mx.DTypeName })).kind).toBe('TypeError');
    expect(thrown(() => nd.zeros([1], { ctx: 'tpu(0)' })).kind).toBe('ValueError');
    expect(thrown(() => nd.array([[1, 2], [3]])).kind).toBe('ValueError');
    expect(thrown(() => nd.array([1, 2, 3], { shape: [2, 2] })).kind).toBe('ValueError');
  });

  it('IO errors', () => {
    const e = thrown(() => nd.load('/nonexistent/dir/x.params'));
    expect(['IOError', 'NotFoundError']).toContain(e.kind);
    expect(e.message).toContain('/nonexistent/dir/x.params');
  });

  it('errors inside async kernels surface on the awaiting read, and the engine goes on', async () => {
    const x = nd.array([1, 2, 3]);
    const bad = nd.take(x, nd.array([0, 9]), { mode: 'raise' });
    await expect(bad.data()).rejects.toBeInstanceOf(MXNetError);
    await expect(bad.data()).rejects.toMatchObject({ kind: 'IndexError' });
    expect(() => bad.dataSync()).toThrow(MXNetError);
    // the process and the engine live on
    expect(await x.add(1).toArray()).toEqual([2, 3, 4]);
  });
});
