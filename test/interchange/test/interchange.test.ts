// Files cross between the TypeScript and Python packages unchanged: a Gluon CNN trained in
// TypeScript and saved with saveParameters runs in Python (mx.nd ops, Python has no Gluon yet) to
// the same bits, parameters made in Python load into the TypeScript network with loadParameters
// and give Python's output bit for bit, and float16/int64 arrays keep their dtype and exact values
// on the way TS -> Python -> TS. Both packages use the same libmixnet, so "close" is not enough.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as mx from 'mixnet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const { nn } = mx.gluon;
type NDArray = mx.NDArray;

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const python = join(repo, '.venv/bin/python');
const script = resolve(here, '../python/load_and_run.py');

let dir = '';
beforeAll(() => {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/bootstrap.sh and npx nx run mixnet-python:build`);
  dir = mkdtempSync(join(tmpdir(), 'mixnet-interchange-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a command of python/load_and_run.py and returns the JSON it prints. */
function runPython(...args: string[]): unknown {
  const out = execFileSync(python, [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out);
}

/** The CNN of the brief, its input sizes left to the first forward (or to loadParameters). */
function cnn(): mx.gluon.HybridSequential {
  const net = new nn.HybridSequential();
  net.add(
    new nn.Conv2D(8, 3, { activation: 'relu' }),
    new nn.MaxPool2D({ poolSize: 2 }),
    new nn.Flatten(),
    new nn.Dense(16, { activation: 'relu' }),
    new nn.Dense(10),
  );
  return net;
}

/** The array's bytes exactly as stored (float16 comes back as its bit patterns on Node < 24). */
function bytesOf(a: NDArray): Buffer {
  const d = a.dataSync();
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

/** Asserts got has want's dtype, shape and bytes; a mismatch names the first differing element. */
function expectSameBits(got: NDArray, want: NDArray, what: string): void {
  expect(got.dtype, what).toBe(want.dtype);
  expect(got.shape, what).toEqual(want.shape);
  const [g, w] = [bytesOf(got), bytesOf(want)];
  if (g.equals(w)) return;
  const [gv, wv] = [got.dataSync(), want.dataSync()];
  const i = Array.from(gv as ArrayLike<number | bigint>).findIndex((v, k) => !Object.is(v, wv[k]));
  expect.fail(`${what}: bits differ, first at element ${i}: ${String(gv[i])} vs ${String(wv[i])}`);
}

/** float16 values as their bit patterns, whichever TypedArray dataSync gives for them. */
function halfBits(a: NDArray): number[] {
  const b = bytesOf(a);
  return Array.from(new Uint16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
}

function loadOnly(file: string): NDArray {
  const loaded = mx.nd.load(file);
  const arrays = Array.isArray(loaded) ? loaded : Object.values(loaded);
  expect(arrays).toHaveLength(1);
  return arrays[0]!;
}

function loadNamed(file: string): Record<string, NDArray> {
  const loaded = mx.nd.load(file);
  if (Array.isArray(loaded)) throw new Error(`${file}: expected named arrays`);
  return loaded;
}

describe('TypeScript Gluon -> Python', () => {
  it('a CNN trained in TS and saved with saveParameters gives the same output bits in Python', () => {
    mx.random.seed(11);
    const net = cnn();
    net.initialize(new mx.init.Xavier());
    const trainer = new mx.gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1, momentum: 0.9 });
    const lossFn = new mx.gluon.loss.SoftmaxCrossEntropyLoss();
    const x = mx.nd.random.uniform(-1, 1, [8, 1, 12, 12]);
    const y = mx.nd.random.randint(0, 10, [8]).astype('float32');
    net.call(x).dispose(); // fills the deferred shapes so the weights can be snapshotted
    const before = bytesOf(net.collectParamsWithPrefix().get('3.weight')!.data());
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      mx.tidy(() => {
        const loss = mx.autograd.record(() => lossFn.call(net.call(x), y));
        loss.backward();
        trainer.step(x.shape[0]!);
        losses.push(loss.mean().asscalar() as number);
      });
    }
    // Training really changed the weights (the files below are not just the initial values).
    expect(bytesOf(net.collectParamsWithPrefix().get('3.weight')!.data()).equals(before)).toBe(false);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);

    const paramsFile = join(dir, 'ts_cnn.params');
    const inputFile = join(dir, 'ts_input.nd');
    const pyOutFile = join(dir, 'py_forward_of_ts.nd');
    net.saveParameters(paramsFile);
    const probe = mx.nd.random.uniform(-1, 1, [3, 1, 12, 12]);
    mx.nd.save(inputFile, probe);
    const tsOut = net.call(probe);
    mx.nd.save(join(dir, 'ts_forward.nd'), tsOut);

    const report = runPython('forward', paramsFile, inputFile, pyOutFile) as {
      params: Record<string, { shape: number[]; dtype: string }>;
      out_shape: number[];
    };
    expect(report.params).toEqual({
      '0.weight': { shape: [8, 1, 3, 3], dtype: 'float32' },
      '0.bias': { shape: [8], dtype: 'float32' },
      '3.weight': { shape: [16, 200], dtype: 'float32' },
      '3.bias': { shape: [16], dtype: 'float32' },
      '4.weight': { shape: [10, 16], dtype: 'float32' },
      '4.bias': { shape: [10], dtype: 'float32' },
    });
    const pyOut = loadOnly(pyOutFile);
    expect(tsOut.shape).toEqual([3, 10]);
    expectSameBits(pyOut, tsOut, 'Python forward vs TS forward');
    // Not a degenerate output that any network would give.
    expect(new Set(tsOut.dataSync() as Float32Array).size).toBe(30);
    for (const a of [x, y, probe, tsOut, pyOut]) a.dispose();
  });
});

describe('Python -> TypeScript Gluon', () => {
  it('parameters made in Python load with loadParameters and give the Python forward bit for bit', () => {
    const paramsFile = join(dir, 'py_cnn.params');
    const inputFile = join(dir, 'py_input.nd');
    const pyOutFile = join(dir, 'py_forward.nd');
    runPython('make', '20261125', paramsFile, inputFile, pyOutFile);

    const net = cnn();
    net.loadParameters(paramsFile); // no initialize(): the file gives every shape, as in MXNet
    const saved = loadNamed(paramsFile);
    const params = net.collectParamsWithPrefix();
    expect([...params.keys()].sort()).toEqual(Object.keys(saved).sort());
    for (const [name, p] of params) {
      expectSameBits(p.data(), saved[name]!, name);
    }
    const x = loadOnly(inputFile);
    expect(x.shape).toEqual([3, 1, 10, 10]);
    const tsOut = net.call(x);
    const pyOut = loadOnly(pyOutFile);
    expect(tsOut.shape).toEqual([3, 10]);
    expectSameBits(tsOut, pyOut, 'TS forward vs Python forward');
    expect(new Set(tsOut.dataSync() as Float32Array).size).toBe(30);
    for (const a of [x, tsOut, pyOut, ...Object.values(saved)]) a.dispose();
  });
});

describe('dtypes across languages', () => {
  // float16 bit patterns: 0, -0, the smallest subnormal, 1, 1/3 rounded, the largest finite, +-inf, NaN.
  const halfPatterns = [0x0000, 0x8000, 0x0001, 0x3c00, 0x3555, 0x7bff, 0x7c00, 0xfc00, 0x7e00];
  // int64 values a double cannot hold.
  const longs = [0n, -1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 123456789012345678n];

  it('float16 and int64 arrays go TS -> Python -> TS with dtype and every bit kept', () => {
    const half = mx.nd.array(Uint16Array.from(halfPatterns), { dtype: 'float16', shape: [3, 3] });
    const long = mx.nd.array(BigInt64Array.from(longs), { shape: [2, 3] });
    expect(half.dtype).toBe('float16');
    expect(long.dtype).toBe('int64');
    const tsFile = join(dir, 'ts_dtypes.params');
    const backFile = join(dir, 'py_dtypes.params');
    mx.nd.save(tsFile, { half, long });

    const report = runPython('roundtrip', tsFile, backFile) as Record<string, { dtype: string; shape: number[]; values: unknown[] }>;
    // What Python itself sees (not only bytes passed through).
    expect(report).toEqual({
      half: { dtype: 'float16', shape: [3, 3], values: halfPatterns },
      long: { dtype: 'int64', shape: [2, 3], values: longs.map(String) },
    });

    const back = loadNamed(backFile);
    expect(Object.keys(back).sort()).toEqual(['half', 'long', 'py_float16', 'py_int64']);
    expectSameBits(back.half!, half, 'float16 back from Python');
    expect(back.long!.dtype).toBe('int64');
    expect(back.long!.shape).toEqual([2, 3]);
    expect(Array.from(back.long!.dataSync() as BigInt64Array)).toEqual(longs);

    // Arrays made in Python from numpy arrive with their dtype: float16 rounds 0.1 to 0x2e66 and
    // 6e-8 to the smallest subnormal 0x0001; -2.5 is 0xc100, 65504 the largest finite 0x7bff.
    expect(back.py_float16!.dtype).toBe('float16');
    expect(back.py_float16!.shape).toEqual([2, 2]);
    expect(halfBits(back.py_float16!)).toEqual([0x2e66, 0xc100, 0x7bff, 0x0001]);
    expect(back.py_int64!.dtype).toBe('int64');
    expect(Array.from(back.py_int64!.dataSync() as BigInt64Array)).toEqual([-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, -7n]);
    for (const a of [half, long, ...Object.values(back)]) a.dispose();
  });
});
