// Per-op dispatch from TS: 1-element broadcast_add, N ops, final wait included; and the
// event-loop delay p99 while a long dot runs (awaited through data()). Not part of the tests.
// Run: node bench/ts_dispatch.mjs  (after `npx nx run mixnet:build`; N=, REPS=, SKIP_C=1 tune it)
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';

import * as mx from '../packages/mixnet/dist/esm/index.js';

const N = Number(process.env.N ?? 1e5);

const REPS = Number(process.env.REPS ?? 7);

/** Median over REPS runs of N ops each (as bench/c_abi_bench.cc does). */
function dispatch() {
  const a = mx.nd.array([1]);
  const b = mx.nd.array([2]);
  // warm-up
  for (let i = 0; i < 1000; i++) mx.nd.broadcast_add(a, b).dispose();
  mx.nd.waitAllSync();
  const runs = [];
  for (let r = 0; r < REPS; r++) runs.push(dispatchOnce(a, b));
  runs.sort((x, y) => x - y);
  return runs[runs.length >> 1];
}

function dispatchOnce(a, b) {
  const t0 = process.hrtime.bigint();
  let last;
  for (let i = 0; i < N; i++) {
    if (last) last.dispose();
    last = mx.nd.broadcast_add(a, b);
  }
  mx.nd.waitAllSync();
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / N;
  last.dispose();
  return us;
}

/** Event-loop delay while a chain of four dependent 2048x2048 dots runs, awaited via data(). */
async function loopDelay() {
  const x = mx.nd.random.uniform(0, 1e-3, [2048, 2048]);
  await x.data();
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = Date.now();
  let y = x;
  for (let i = 0; i < 4; i++) y = mx.nd.dot(y, x);
  await y.data();
  const ms = Date.now() - t0;
  h.disable();
  return { ms, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

/** PyTorch lives in its own virtual environment outside the repo (PEER_PYTHON overrides). */
function peerPython() {
  const venv = `${homedir()}/.cache/mixnet-bench/torch/bin/python`;
  return process.env.PEER_PYTHON ?? (existsSync(venv) ? venv : 'python3');
}

function torch() {
  const code = `
import time, torch
torch.set_num_threads(1)
a = torch.ones(1); b = torch.ones(1)
for _ in range(1000): a + b
n = ${N}
t = time.perf_counter()
for _ in range(n): c = a + b
print((time.perf_counter() - t) / n * 1e6)
`;
  try {
    return Number(execFileSync(peerPython(), ['-c', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return undefined;
  }
}

/** The C ABI's own figure (build/engine/bin/c_abi_bench), the floor any binding pays. */
function cAbi() {
  try {
    const out = execFileSync(new URL('../build/engine/bin/c_abi_bench', import.meta.url).pathname, { encoding: 'utf8', timeout: 120_000 });
    return JSON.parse(out).dispatch_ns / 1e3;
  } catch {
    return undefined;
  }
}

const us = dispatch();
const c = process.env.SKIP_C ? undefined : cAbi();
const pt = torch();
console.log(`dispatch: ${us.toFixed(3)} us/op (1-element broadcast_add, ${N} ops, final wait included)`);
if (pt !== undefined) console.log(`PyTorch-from-Python a+b: ${pt.toFixed(3)} us/op  ratio mixnet/torch = ${(us / pt).toFixed(2)}`);
else console.log('PyTorch not installed: no ratio against it');
if (c !== undefined) console.log(`C ABI alone (c_abi_bench): ${c.toFixed(3)} us/op  ratio TS/C = ${(us / c).toFixed(2)}`);
const d = await loopDelay();
console.log(`event loop during a ${d.ms} ms dot: delay p99 ${d.p99.toFixed(2)} ms, max ${d.max.toFixed(2)} ms`);
