// mx.registry (names the library registers) and mx.nd.invoke (an op by name, string attributes).
import { describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';

describe('mx.registry', () => {
  it('knows primary names and aliases, and nothing else', () => {
    expect(mx.registry.has('broadcast_add')).toBe(true);
    expect(mx.registry.has('SliceChannel')).toBe(true);
    expect(mx.registry.has('split')).toBe(true); // alias of SliceChannel
    expect(mx.registry.has('no_such_op')).toBe(false);
    expect(mx.registry.has('Broadcast_Add')).toBe(false); // case-sensitive, as MXNet
  });

  it('lists sorted primary names only', () => {
    const ops = mx.registry.ops();
    expect(ops).toContain('SliceChannel');
    expect(ops).not.toContain('split');
    expect([...ops]).toEqual([...ops].sort());
    expect(new Set(ops).size).toBe(ops.length);
    for (const name of ops) expect(mx.registry.has(name)).toBe(true);
  });
});

describe('mx.nd.invoke', () => {
  it('passes string attributes through as MXNet wrote them and returns every output', () => {
    const x = mx.nd.array([[1, 2, 3, 4], [5, 6, 7, 8]]);
    const parts = mx.nd.invoke('SliceChannel', [x], { axis: '1', num_outputs: '2' });
    expect(parts.map((p) => p.toArraySync())).toEqual([
      [[1, 2], [5, 6]],
      [[3, 4], [7, 8]],
    ]);
    const r = mx.nd.invoke('Reshape', [x], { shape: '(0, -1, 2)' });
    expect(r).toHaveLength(1);
    expect(r[0]!.shape).toEqual([2, 2, 2]);
  });

  it('runs ops without inputs and with an alias', () => {
    const [a] = mx.nd.invoke('_arange', [], { start: '1.0', stop: '4.0', step: '0.5', dtype: 'float32' });
    expect(a!.toArraySync()).toEqual([1, 1.5, 2, 2.5, 3, 3.5]);
    const parts = mx.nd.invoke('split', [mx.nd.array([1, 2])], { axis: '0', num_outputs: '2' });
    expect(parts.map((p) => p.toArraySync())).toEqual([[1], [2]]);
  });

  it('rejects unknown ops, bad attribute values and non-string attributes', () => {
    expect(() => mx.nd.invoke('no_such_op', [])).toThrow(mx.MXNetError);
    expect(() => mx.nd.invoke('sum', [mx.nd.ones([2])], { axis: 'seven' })).toThrow(mx.MXNetError);
    expect(() => mx.nd.invoke('sum', [mx.nd.ones([2])], { axis: 0 as unknown as string })).toThrow(/attribute axis must be a string/);
  });
});
