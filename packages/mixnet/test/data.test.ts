// Data loading: the PRNG, mx.io.NDArrayIter / MNISTIter, mx.gluon.data (datasets, samplers,
// DataLoader with its fast path, prefetch and checkpoint/resume) and the vision transforms and
// datasets. Expected values are hand-computed or come from independent reference code here.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';
import * as gdata from '../src/gluon/data/index.js';
import * as io from '../src/io/index.js';
import { PRNG } from '../src/prng.js';

const nd = mx.nd;
const { transforms } = gdata.vision;
const FASHION = '/usr/share/datasets/fashion-mnist';
const hasFashion = existsSync(path.join(FASHION, 't10k-images-idx3-ubyte.gz'));

const values = (a: mx.NDArray): number[] => Array.from(a.dataSync() as ArrayLike<number>);
const range = (n: number, start = 0): number[] => Array.from({ length: n }, (_, i) => start + i);

describe('PRNG (xoshiro128**)', () => {
  it('matches hand-computed outputs from state [1, 2, 3, 4]', () => {
    const r = new PRNG();
    r.setState([1, 2, 3, 4]);
    // out = rotl(s1 * 5, 7) * 9: s1 = 2 → 11520; then s1 = 0 → 0; then s1 = 1029 → 5145 << 7 * 9
    expect([r.nextUint32(), r.nextUint32()]).toEqual([11520, 0]);
    expect(r.getState()).toEqual([12295, 1029, 1029, 25165824]);
    expect(r.nextUint32()).toBe(5927040);
  });

  it('state round-trips exactly (through JSON) and seeds are reproducible', () => {
    const a = new PRNG(42);
    for (let i = 0; i < 10; i++) a.nextUint32();
    const saved = JSON.parse(JSON.stringify(a.getState())) as number[];
    const next = [a.nextUint32(), a.nextInt(1000), a.nextFloat()];
    const b = new PRNG(7);
    b.setState(saved);
    expect([b.nextUint32(), b.nextInt(1000), b.nextFloat()]).toEqual(next);
    expect(Array.from(new PRNG(5).shuffle(50))).toEqual(Array.from(new PRNG(5).shuffle(50)));
    expect(Array.from(new PRNG(5).shuffle(50))).not.toEqual(Array.from(new PRNG(6).shuffle(50)));
  });

  it('shuffle is a permutation; nextInt is in range and roughly uniform', () => {
    const p = Array.from(new PRNG(1).shuffle(1000));
    expect([...p].sort((x, y) => x - y)).toEqual(range(1000));
    expect(p).not.toEqual(range(1000));
    const r = new PRNG(3);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70000; i++) counts[r.nextInt(7)]!++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500); // ~5 sigma
  });

  it('rejects bad states and seeds', () => {
    const r = new PRNG();
    expect(() => r.setState([0, 0, 0, 0])).toThrow(/all-zero/);
    expect(() => r.setState([1, 2, 3])).toThrow(expect.objectContaining({ kind: 'ValueError' }));
    expect(() => r.setState([1, 2, 3, -1])).toThrow(/4 uint32 words/);
    expect(() => new PRNG(1.5)).toThrow(/seed must be an integer/);
  });
});

/** 10 samples: data row i = [2i, 2i+1], label i. */
function iterArrays() {
  return { data: nd.arange(0, 20).reshape(10, 2), label: nd.arange(0, 10) };
}
function drain(it: io.NDArrayIter): { index: number[]; pad: number; labels: number[]; rows: number[] }[] {
  const out = [];
  for (const b of it) {
    out.push({ index: b.index, pad: b.pad, labels: values(b.label[0]!), rows: values(b.data[0]!) });
    io.disposeBatch(b);
  }
  return out;
}

describe('mx.io.NDArrayIter', () => {
  it("'pad' wraps the last batch around and reports the pad", () => {
    const { data, label } = iterArrays();
    const it = new io.NDArrayIter({ data, label, batchSize: 4 });
    expect(it.provideData).toEqual([{ name: 'data', shape: [4, 2], dtype: 'float32', layout: 'NCHW' }]);
    expect(it.provideLabel).toEqual([{ name: 'softmax_label', shape: [4], dtype: 'float32', layout: 'NCHW' }]);
    const epoch = drain(it);
    expect(epoch.map((b) => b.index)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]]);
    expect(epoch.map((b) => b.pad)).toEqual([0, 0, 2]);
    expect(epoch[2]!.rows).toEqual([16, 17, 18, 19, 0, 1, 2, 3]);
    expect(epoch[2]!.labels).toEqual([8, 9, 0, 1]);
    expect(it.next()).toBeUndefined();
    it.reset();
    expect(drain(it).map((b) => b.index)).toEqual(epoch.map((b) => b.index));
  });

  it("'discard' drops the partial batch", () => {
    const { data, label } = iterArrays();
    const it = new io.NDArrayIter({ data, label, batchSize: 4, lastBatchHandle: 'discard' });
    expect(drain(it).map((b) => b.index)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  it("'roll_over' carries the leftover into the next epoch's first batch", () => {
    const { data, label } = iterArrays();
    const it = new io.NDArrayIter({ data, label, batchSize: 4, lastBatchHandle: 'roll_over' });
    expect(drain(it).map((b) => b.index)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    it.reset();
    const e2 = drain(it);
    expect(e2.map((b) => b.index)).toEqual([[8, 9, 0, 1], [2, 3, 4, 5], [6, 7, 8, 9]]);
    expect(e2[0]!.labels).toEqual([8, 9, 0, 1]);
    expect(e2.map((b) => b.pad)).toEqual([0, 0, 0]);
    it.reset();
    expect(drain(it).map((b) => b.index)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  it('shuffle: labels follow their rows, each epoch a new permutation, reproducible by seed', () => {
    const { data, label } = iterArrays();
    const make = (seed: number) => new io.NDArrayIter({ data, label, batchSize: 5, shuffle: true, seed });
    const a = make(11);
    const e1 = drain(a);
    a.reset();
    const e2 = drain(a);
    for (const e of [e1, e2]) {
      const idx = e.flatMap((b) => b.index);
      expect([...idx].sort((x, y) => x - y)).toEqual(range(10));
      for (const b of e) {
        expect(b.labels).toEqual(b.index);
        expect(b.rows).toEqual(b.index.flatMap((i) => [2 * i, 2 * i + 1]));
      }
    }
    expect(e1.flatMap((b) => b.index)).not.toEqual(e2.flatMap((b) => b.index));
    expect(drain(make(11)).map((b) => b.index)).toEqual(e1.map((b) => b.index));
  });

  it('names several arrays _0_data, _1_data and checks lengths', () => {
    const it = new io.NDArrayIter({ data: [nd.zeros([6, 3]), nd.ones([6])], batchSize: 3 });
    expect(it.provideData.map((d) => [d.name, d.shape])).toEqual([
      ['_0_data', [3, 3]],
      ['_1_data', [3]],
    ]);
    expect(it.provideLabel).toEqual([]);
    expect(() => new io.NDArrayIter({ data: nd.zeros([6, 3]), label: nd.zeros([5]) })).toThrow(/same first dimension/);
    expect(() => new io.NDArrayIter({ data: nd.zeros([6]), batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });

  it.runIf(hasFashion)('MNISTIter: float32 pixels in [0, 1], flat or (N,1,28,28), incomplete batch dropped', () => {
    const image = path.join(FASHION, 't10k-images-idx3-ubyte.gz');
    const label = path.join(FASHION, 't10k-labels-idx1-ubyte.gz');
    const raw = gunzipSync(readFileSync(image)).subarray(16); // independent: pixel bytes after the header
    const it = new io.MNISTIter({ image, label, batchSize: 3000, shuffle: false, flat: true });
    expect(it.provideData[0]!.shape).toEqual([3000, 784]);
    const batches = [...it];
    expect(batches.length).toBe(3); // 10000 / 3000: the last 1000 are dropped
    const x = batches[0]!.data[0]!.dataSync() as Float32Array;
    for (const i of [0, 200, 350, 783, 784 * 5 + 400]) expect(x[i]).toBeCloseTo(raw[i]! / 255, 6);
    expect(values(batches[0]!.label[0]!).slice(0, 4)).toEqual([9, 2, 1, 1]);
    expect(batches[0]!.label[0]!.dtype).toBe('float32');
    batches.forEach(io.disposeBatch);
    it.dispose();
    const it4 = new io.MNISTIter({ image, label, batchSize: 10, seed: 1 });
    const b = it4.next()!;
    expect(b.data[0]!.shape).toEqual([10, 1, 28, 28]);
    expect(b.index).not.toEqual(range(10)); // shuffled by default, as MXNet
    io.disposeBatch(b);
    it4.dispose();
  });
});

describe('gluon.data datasets and samplers', () => {
  it('ArrayDataset: one array gives the element, several a tuple; lengths must match', () => {
    const x = nd.arange(0, 6).reshape(3, 2);
    const single = new gdata.ArrayDataset(x);
    expect(values(single.get(1) as mx.NDArray)).toEqual([2, 3]);
    const ds = new gdata.ArrayDataset(x, ['a', 'b', 'c']);
    const [row, tag] = ds.get(2) as [mx.NDArray, string];
    expect(values(row)).toEqual([4, 5]);
    expect(tag).toBe('c');
    expect(() => new gdata.ArrayDataset(x, [1, 2])).toThrow(/array 0 has 3, array 1 has 2/);
    expect(() => ds.get(3)).toThrow(expect.objectContaining({ kind: 'IndexError' }));
  });

  it('transform spreads tuples, transformFirst touches only the first field; lazy and eager agree', () => {
    const ds = new gdata.SimpleDataset([
      [1, 10],
      [2, 20],
    ]);
    let calls = 0;
    const fn = (a: number, b: number) => {
      calls++;
      return a + b;
    };
    const lazy = ds.transform<number>(fn);
    expect(calls).toBe(0);
    expect([lazy.get(0), lazy.get(1)]).toEqual([11, 22]);
    const eager = ds.transform<number>(fn, false);
    expect(calls).toBe(4);
    expect([eager.get(0), eager.get(1)]).toEqual([11, 22]);
    expect(ds.transformFirst((a: number) => a * 100).get(1)).toEqual([200, 20]);
  });

  it('BatchSampler keep / discard / rollover (MXNet semantics)', () => {
    const run = (last: gdata.LastBatch) => {
      const bs = new gdata.BatchSampler(new gdata.SequentialSampler(10), 3, last);
      return [bs.length, [...bs], bs.length, [...bs]] as const;
    };
    const keep = run('keep');
    expect(keep[1]).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(keep[0]).toBe(4);
    expect(run('discard')[1]).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
    const roll = run('rollover');
    expect(roll[0]).toBe(3);
    expect(roll[2]).toBe(3); // (1 carried + 10) / 3
    expect(roll[3]).toEqual([[9, 0, 1], [2, 3, 4], [5, 6, 7]]);
  });
});

/** 23 samples: X row i = [3i, 3i+1, 3i+2] (NDArray), Y = i (JS numbers). */
function xy(n = 23) {
  return new gdata.ArrayDataset(nd.arange(0, 3 * n).reshape(n, 3), range(n));
}
type XY = [mx.NDArray, mx.NDArray];
async function epochLabels(loader: gdata.DataLoader<XY>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const [x, y] of loader) {
    const ys = values(y);
    expect(values(x)).toEqual(ys.flatMap((i) => [3 * i, 3 * i + 1, 3 * i + 2]));
    out.push(ys);
    x.dispose();
    y.dispose();
  }
  return out;
}

describe('gluon.data.DataLoader', () => {
  it('sequential batches, keep / discard / rollover, length', async () => {
    const ds = xy();
    const keep = new gdata.DataLoader<XY>(ds, { batchSize: 5 });
    expect(keep.usesFastPath).toBe(true);
    expect(keep.length).toBe(5);
    expect(await epochLabels(keep)).toEqual([range(5), range(5, 5), range(5, 10), range(5, 15), [20, 21, 22]]);
    const discard = new gdata.DataLoader<XY>(ds, { batchSize: 5, lastBatch: 'discard' });
    expect(discard.length).toBe(4);
    expect((await epochLabels(discard)).flat()).toEqual(range(20));
    const roll = new gdata.DataLoader<XY>(ds, { batchSize: 5, lastBatch: 'rollover' });
    expect((await epochLabels(roll)).flat()).toEqual(range(20));
    expect(roll.length).toBe(5); // (3 carried + 23) / 5
    const e2 = await epochLabels(roll);
    expect(e2[0]).toEqual([20, 21, 22, 0, 1]);
    expect(e2.flat()).toEqual([20, 21, 22, ...range(22)]);
  });

  it('the fast path and the generic path (per-sample get + stack) give the same batches', async () => {
    const ds = xy();
    const fast = new gdata.DataLoader<XY>(ds, { batchSize: 4, shuffle: true, seed: 9 });
    const slow = new gdata.DataLoader<XY>(ds, { batchSize: 4, shuffle: true, seed: 9, batchify: gdata.defaultBatchify });
    expect(slow.usesFastPath).toBe(false);
    const f = await epochLabels(fast);
    expect(await epochLabels(slow)).toEqual(f);
    const [x, y] = [...fast][0]!; // the sync iterator too
    expect(x.shape).toEqual([4, 3]);
    expect(y.dtype).toBe('int32');
  });

  it('shuffle: same seed same order, other seed another, every sample once per epoch', async () => {
    const ds = xy();
    const a = new gdata.DataLoader<XY>(ds, { batchSize: 4, shuffle: true, seed: 1 });
    const b = new gdata.DataLoader<XY>(ds, { batchSize: 4, shuffle: true, seed: 1 });
    const c = new gdata.DataLoader<XY>(ds, { batchSize: 4, shuffle: true, seed: 2 });
    const a1 = (await epochLabels(a)).flat();
    const a2 = (await epochLabels(a)).flat();
    for (const e of [a1, a2]) expect([...e].sort((p, q) => p - q)).toEqual(range(23));
    expect(a1).not.toEqual(a2);
    expect(a1).not.toEqual(range(23));
    expect((await epochLabels(b)).flat()).toEqual(a1);
    expect((await epochLabels(c)).flat()).not.toEqual(a1);
  });

  it('state()/setState(): a resumed loader yields the rest of the epoch, then the same later epochs', async () => {
    const ds = xy();
    const opts = { batchSize: 5, shuffle: true, seed: 7, lastBatch: 'rollover' as const };
    const full = new gdata.DataLoader<XY>(ds, opts);
    const reference = [await epochLabels(full), await epochLabels(full), await epochLabels(full)];

    const first = new gdata.DataLoader<XY>(ds, opts);
    expect(await epochLabels(first)).toEqual(reference[0]);
    let saved = '';
    const seen: number[][] = [];
    for await (const [x, y] of first) {
      seen.push(values(y));
      x.dispose();
      y.dispose();
      if (seen.length === 2) {
        saved = JSON.stringify(first.state());
        break; // "crash" mid-epoch
      }
    }
    expect(JSON.parse(saved)).toMatchObject({ epoch: 1, batch: 2 });
    // A fresh loader with another seed: the saved state carries the PRNG and the rollover carry.
    const resumed = new gdata.DataLoader<XY>(ds, { ...opts, seed: 12345 });
    resumed.setState(JSON.parse(saved) as gdata.DataLoaderState);
    const rest = await epochLabels(resumed);
    expect([...seen, ...rest]).toEqual(reference[1]);
    expect(await epochLabels(resumed)).toEqual(reference[2]);
    expect(resumed.state()).toMatchObject({ epoch: 3, batch: 0 });
    expect(() => resumed.setState({ epoch: -1, batch: 0, sampler: { sampler: null, prev: [] } })).toThrow(/expected \{epoch, batch, sampler\}/);
  });

  it('generic path: SimpleDataset of (NDArray, number) samples is stacked', async () => {
    const samples = range(6).map((i) => [nd.full([2], i), i * 10] as const);
    const loader = new gdata.DataLoader<XY>(new gdata.SimpleDataset(samples), { batchSize: 4 });
    expect(loader.usesFastPath).toBe(false);
    const batches = [];
    for await (const [x, y] of loader) batches.push([values(x), values(y), x.shape]);
    expect(batches).toEqual([
      [[0, 0, 1, 1, 2, 2, 3, 3], [0, 10, 20, 30], [4, 2]],
      [[4, 4, 5, 5], [40, 50], [2, 2]],
    ]);
  });

  it('frees every temporary and the prefetched batches when the loop breaks off', async () => {
    const ds = xy().transformFirst(new transforms.Cast('float32'));
    const loader = new gdata.DataLoader<XY>(ds, { batchSize: 2, prefetch: 3 });
    await nd.waitAll();
    const before = mx.memory().numArrays;
    for await (const [x, y] of loader) {
      expect(mx.memory().numArrays).toBe(before + 2 * 4); // the current batch + 3 prefetched, 2 arrays each
      x.dispose();
      y.dispose();
      break;
    }
    expect(mx.memory().numArrays).toBe(before);
  });

  it('rejects conflicting options', () => {
    const ds = xy(4);
    const bs = new gdata.BatchSampler(new gdata.SequentialSampler(4), 2);
    expect(() => new gdata.DataLoader(ds, { batchSampler: bs, batchSize: 2 })).toThrow(/must not be given with batchSampler/);
    expect(() => new gdata.DataLoader(ds, {})).toThrow(/batchSize is required/);
    expect(() => new gdata.DataLoader(ds, { batchSize: 2, shuffle: true, sampler: new gdata.SequentialSampler(4) })).toThrow(/shuffle must not be given with sampler/);
  });

  it('prefetching keeps the event loop responsive while iterating a big loader', async () => {
    const n = 60000;
    const x = nd.random.uniform(0, 1, [n, 1, 28, 28]);
    const ds = new gdata.ArrayDataset(x, range(n)).transformFirst(new transforms.Normalize(0.5, 0.25));
    const loader = new gdata.DataLoader<XY>(ds, { batchSize: 64, shuffle: true, seed: 3, prefetch: 2 });
    expect(loader.usesFastPath).toBe(true);
    await nd.waitAll();
    // A 2 ms timer: its ticks and the longest gap between them show whether the loop turned.
    let ticks = 0;
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 2);
    const h = monitorEventLoopDelay({ resolution: 2 });
    h.enable();
    const t0 = performance.now();
    last = t0;
    let count = 0;
    let checksum = 0;
    for await (const [bx, by] of loader) {
      count += by.shape[0]!;
      if (count === 64) checksum = (bx.dataSync() as Float32Array)[0]!; // value check of one batch
      bx.dispose();
      by.dispose();
    }
    const ms = performance.now() - t0;
    maxGap = Math.max(maxGap, performance.now() - last);
    h.disable();
    clearInterval(timer);
    const p99 = h.percentile(99) / 1e6;
    console.log(`DataLoader ${loader.length} batches in ${ms.toFixed(0)} ms: ${ticks} ticks, longest gap ${maxGap.toFixed(1)} ms, loop delay p99 ${p99.toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms`);
    expect(count).toBe(n);
    expect(checksum).toBeGreaterThanOrEqual(-2);
    expect(checksum).toBeLessThanOrEqual(2);
    // Blocking the loop for the whole epoch (batches assembled in microtasks only) gives 0 ticks
    // and one gap as long as the epoch; prefetch with off-loop waits keeps gaps short.
    expect(p99).toBeLessThan(50);
    expect(maxGap).toBeLessThan(Math.max(40, ms / 3));
    expect(ticks).toBeGreaterThan(ms / 2 / 10);
    x.dispose();
  });
});

describe('gluon.data.vision.transforms', () => {
  it('ToTensor: HWC uint8 → CHW float32 / 255, and NHWC → NCHW', () => {
    const hwc = range(12).map((v) => v * 20); // (2, 2, 3)
    const img = nd.array(Uint8Array.from(hwc), { shape: [2, 2, 3] });
    const t = new transforms.ToTensor().call(img);
    expect(t.shape).toEqual([3, 2, 2]);
    expect(t.dtype).toBe('float32');
    const expected: number[] = [];
    for (let c = 0; c < 3; c++) for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) expected.push(hwc[(h * 2 + w) * 3 + c]! / 255);
    values(t).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    const batch = nd.array(Uint8Array.from([...hwc, ...hwc]), { shape: [2, 2, 2, 3] });
    const tb = new transforms.ToTensor().call(batch);
    expect(tb.shape).toEqual([2, 3, 2, 2]);
    values(tb).forEach((v, i) => expect(v).toBeCloseTo(expected[i % 12]!, 6));
    expect(() => new transforms.ToTensor().call(nd.zeros([2, 2]))).toThrow(/expected an \(H, W, C\) image/);
  });

  it('Normalize per channel on an image and a batch; Cast; Compose', () => {
    const img = nd.array([1, 5, 2, 6, 3, 11], { shape: [3, 1, 2] }); // channels [1,5], [2,6], [3,11]
    const norm = new transforms.Normalize([1, 2, 3], [2, 4, 8]);
    expect(values(norm.call(img))).toEqual([0, 2, 0, 1, 0, 1]);
    const batch = nd.array([1, 2, 3, 3, 6, 11], { shape: [2, 3, 1, 1] });
    expect(values(norm.call(batch))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(values(new transforms.Normalize(1, 0.5).call(img))).toEqual([0, 8, 2, 10, 4, 20]);
    expect(() => new transforms.Normalize([1, 2], [1, 1]).call(img)).toThrow(/mean has 2 values but the input has 3 channels/);
    const cast = new transforms.Cast('int32').call(nd.array([1.7, -2.2]));
    expect([cast.dtype, values(cast)]).toEqual(['int32', [1, -2]]);
    const pipeline = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize(0.5, 0.5)]);
    expect(pipeline.batchSafe).toBe(true);
    const out = pipeline.call(nd.array(Uint8Array.from([0, 255, 51]), { shape: [1, 1, 3] }));
    expect(out.shape).toEqual([3, 1, 1]);
    values(out).forEach((v, i) => expect(v).toBeCloseTo([-1, 1, -0.6][i]!, 6));
    expect(new transforms.Compose([(v: mx.NDArray) => v]).batchSafe).toBe(false);
  });

  it('a batch-safe transformFirst on the fast path equals per-sample transforms', async () => {
    const imgs = nd.random.randint(0, 256, [10, 4, 4, 3]).astype('uint8');
    const base = new gdata.ArrayDataset(imgs, range(10));
    const tt = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1, 0.2, 0.3], [0.5, 0.6, 0.7])]);
    const fast = new gdata.DataLoader<XY>(base.transformFirst(tt), { batchSize: 4, shuffle: true, seed: 4 });
    const slow = new gdata.DataLoader<XY>(base.transformFirst((v: mx.NDArray) => tt.call(v)), { batchSize: 4, shuffle: true, seed: 4 });
    expect([fast.usesFastPath, slow.usesFastPath]).toEqual([true, false]);
    const collect = async (l: gdata.DataLoader<XY>) => {
      const out: number[][] = [];
      for await (const [x, y] of l) out.push([...values(y), ...x.shape, ...values(x)]);
      return out;
    };
    const f = await collect(fast);
    const s = await collect(slow);
    expect(f.length).toBe(3);
    f.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(s[i]![j]!, 5)));
  });
});

describe.runIf(hasFashion)('gluon.data.vision.FashionMNIST', () => {
  it('test split: uint8 (28, 28, 1) images, int32 labels, fast DataLoader with ToTensor', async () => {
    const ds = await gdata.vision.FashionMNIST.load({ train: false });
    expect(ds.length).toBe(10000);
    expect(ds.data.shape).toEqual([10000, 28, 28, 1]);
    const [img, label] = ds.get(0) as [mx.NDArray, number];
    expect([img.shape, img.dtype, label]).toEqual([[28, 28, 1], 'uint8', 9]);
    const raw = gunzipSync(readFileSync(path.join(FASHION, 't10k-images-idx3-ubyte.gz'))).subarray(16);
    const loader = new gdata.DataLoader<XY>(ds.transformFirst(new transforms.ToTensor()), { batchSize: 8 });
    expect(loader.usesFastPath).toBe(true);
    const [x, y] = [...loader][0]!;
    expect([x.shape, x.dtype, y.dtype]).toEqual([[8, 1, 28, 28], 'float32', 'int32']);
    expect(values(y)).toEqual([9, 2, 1, 1, 6, 1, 4, 6]);
    const xs = x.dataSync() as Float32Array;
    for (const i of [0, 300, 784 + 400, 784 * 7 + 783]) expect(xs[i]).toBeCloseTo(raw[i]! / 255, 6);
    const withT = new gdata.vision.FashionMNIST({ train: false, transform: (im: mx.NDArray, l: number) => [im.shape[0], l + 100] });
    expect(withT.get(1)).toEqual([28, 102]);
    ds.dispose();
    withT.dispose();
  });

  it('missing files: the error names the directory and how to install the data', () => {
    expect(() => new gdata.vision.FashionMNIST({ root: '/nonexistent/fm' })).toThrow(
      /train-images-idx3-ubyte\.gz not found in \/nonexistent\/fm: install Debian's dataset-fashion-mnist \(sudo apt-get install dataset-fashion-mnist\) or pass --synthetic/,
    );
  });
});
