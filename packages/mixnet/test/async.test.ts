// Reads are async: while `await y.data()` waits for a long dot, the event loop keeps turning;
// dataSync() blocks on purpose (checked as the contrast that proves the measurement works).
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';

const nd = mx.nd;
const N = 2000; // one dot of N x N takes ~100-300 ms here (16 GFLOP)

async function measure(read: (y: mx.NDArray) => Promise<unknown>) {
  const x = nd.random.uniform(0, 1, [N, N]);
  x.waitToRead();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t0 = performance.now();
  const y = x.dot(x);
  const data = (await read(y)) as Float32Array;
  const ms = performance.now() - t0;
  h.disable();
  clearInterval(timer);
  // a value check, so the op really ran: row 0 of x·x against a reference sum
  const xs = x.dataSync() as Float32Array;
  let ref = 0;
  for (let k = 0; k < N; k++) ref += xs[k]! * xs[k * N]!;
  expect(data[0]).toBeCloseTo(ref, 1);
  x.dispose();
  y.dispose();
  return { ms, ticks, max: h.max / 1e6 };
}

describe('async reads', () => {
  it('await data() does not block the event loop while a large dot runs', async () => {
    const r = await measure((y) => y.data());
    console.log(`async read: dot ${r.ms.toFixed(0)} ms, ${r.ticks} timer ticks, max loop delay ${r.max.toFixed(1)} ms`);
    expect(r.ms).toBeGreaterThan(30); // long enough for the measurement to mean something
    // The loop turned throughout: timer ticks at a fair fraction of the elapsed time, and no
    // stall anywhere near the whole op's duration.
    expect(r.ticks).toBeGreaterThan(r.ms / 5 / 4);
    expect(r.max).toBeLessThan(Math.max(r.ms / 2, 50));
  });

  it('dataSync() blocks (the contrast)', async () => {
    const r = await measure(async (y) => y.dataSync());
    expect(r.ticks).toBe(0);
  });

  it('waitAll() resolves without blocking', async () => {
    const y = nd.ones([300, 300]).dot(nd.ones([300, 300]));
    await mx.nd.waitAll();
    expect((y.dataSync() as Float32Array)[0]).toBe(300);
  });
});
