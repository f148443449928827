// Memory: dispose, tidy (sync and async), mx.memory(), and a loop without dispose that stays
// bounded thanks to the FinalizationRegistry backstop and external-memory accounting.
import { describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';

const nd = mx.nd;

describe('memory', () => {
  it('dispose frees the array and its bytes, once', () => {
    const before = mx.memory();
    const a = nd.zeros([1000]);
    expect(mx.memory().numArrays).toBe(before.numArrays + 1);
    expect(mx.memory().numBytes).toBe(before.numBytes + 4000);
    a.dispose();
    a.dispose();
    expect(a.isDisposed).toBe(true);
    expect(mx.memory()).toEqual(before);
  });

  it('tidy disposes intermediates and keeps what fn returns', () => {
    const before = mx.memory().numArrays;
    const x = nd.ones([10]);
    let inner: mx.NDArray | undefined;
    const { y } = mx.tidy(() => {
      inner = x.add(1);
      const y = inner.mul(3);
      return { y };
    });
    expect(inner!.isDisposed).toBe(true);
    expect(x.isDisposed).toBe(false);
    expect(y.isDisposed).toBe(false);
    expect(y.toArraySync()).toEqual(new Array(10).fill(6));
    expect(mx.memory().numArrays).toBe(before + 2);
    x.dispose();
    y.dispose();
    expect(mx.memory().numArrays).toBe(before);
  });

  it('nested tidy hands the result to the outer scope', () => {
    const before = mx.memory().numArrays;
    mx.tidy(() => {
      const kept = mx.tidy(() => nd.ones([2]).add(1));
      expect(kept.isDisposed).toBe(false);
      return undefined;
    });
    expect(mx.memory().numArrays).toBe(before);
  });

  it('async tidy keeps its scope across awaits', async () => {
    const before = mx.memory().numArrays;
    let tmp: mx.NDArray | undefined;
    const r = await mx.tidy(async () => {
      tmp = nd.ones([3]).mul(2);
      await tmp.data();
      return tmp.add(1);
    });
    expect(tmp!.isDisposed).toBe(true);
    expect(await r.toArray()).toEqual([3, 3, 3]);
    r.dispose();
    expect(mx.memory().numArrays).toBe(before);
  });

  it('tidy disposes even when fn throws', () => {
    const before = mx.memory().numArrays;
    expect(() =>
      mx.tidy(() => {
        nd.ones([2]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(mx.memory().numArrays).toBe(before);
  });

  it('dispose during a pending data() waits for the read', async () => {
    const a = nd.random.uniform(0, 1, [200, 200]).dot(nd.ones([200, 200]));
    const p = a.data();
    a.dispose();
    expect((await p).length).toBe(40000);
    expect(a.isDisposed).toBe(true);
  });

  it('long synchronous runs without dispose are still finalized', async () => {
    // 5000 results per synchronous run: the backstop registers them early (memory.ts flushes
    // `young` at a bound instead of only in a microtask); none may be left unregistered.
    const x = nd.ones([1000]); // 4 kB per result: 400 MB if nothing were freed
    let peak = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5000; i++) x.add(i);
      await new Promise((r) => setImmediate(r));
      peak = Math.max(peak, mx.memory().numBytes);
    }
    await mx.nd.waitAll();
    expect(peak).toBeLessThan(200e6);
  });

  it('arrays disposed after the backstop registered them are never freed again', async () => {
    // Registered arrays (they outlived a tick) get their cell; dispose() must clear it, or the
    // finalizer would free the handle again, by then perhaps reused by one of the live arrays.
    const old = Array.from({ length: 3000 }, (_, i) => nd.array([i]));
    await new Promise((r) => setImmediate(r));
    for (const a of old) a.dispose();
    old.length = 0;
    const live = Array.from({ length: 3000 }, (_, i) => nd.array([i]));
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 2000; i++) new Array(1000).fill(i); // garbage: let the GC run
      await new Promise((r) => setImmediate(r));
    }
    // (Arrays earlier tests dropped may still be finalized meanwhile: count only a lower bound.)
    expect(mx.memory().numArrays).toBeGreaterThanOrEqual(3000);
    for (let i = 0; i < live.length; i++) expect(live[i]!.dataSync()[0]).toBe(i);
    for (const a of live) a.dispose();
  });

  it('1e5 iterations without dispose keep memory bounded', async () => {
    const x = nd.ones([1000]); // 4 kB per result: 400 MB if nothing were freed
    let peak = 0;
    for (let i = 0; i < 100_000; i++) {
      x.add(i);
      if (i % 2000 === 0) {
        // finalizers run as tasks: let the loop turn
        await new Promise((r) => setImmediate(r));
        peak = Math.max(peak, mx.memory().numBytes);
      }
    }
    await mx.nd.waitAll();
    expect(peak).toBeLessThan(150e6);
  });
});
