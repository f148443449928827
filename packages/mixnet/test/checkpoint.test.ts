// Training checkpoints: an interrupted-and-resumed run equals the uninterrupted one bit for bit
// (parameters, optimizer state and counters, LR schedule, data order, dropout draws), and bad
// checkpoint files are refused without changing anything.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';

const { gluon, nd } = mx;
const { nn } = gluon;
const dir = mkdtempSync(join(tmpdir(), 'mixnet-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 96;
const BATCH = 8; // 12 batches per epoch
const EPOCHS = 3;
// Large enough that GEMMs thread and elementwise updates split across threads: the resumed run
// must match whatever the scheduler does.
const FEATURES = 300;
const HIDDEN = 256;

/** A fixed 3-class problem: the class is the argmax of three linear scores. */
function dataset(): mx.gluon.data.ArrayDataset {
  const x = new Float32Array(N * FEATURES);
  const y: number[] = [];
  for (let i = 0; i < N; i++) {
    const r = i * FEATURES;
    for (let j = 0; j < FEATURES; j++) x[r + j] = Math.sin(i * 1.7 + j * 0.9);
    const s = [x[r]! + x[r + 1]!, x[r + 2]! - x[r]!, x[r + 3]! + x[r + 4]!];
    y.push(s.indexOf(Math.max(...s)));
  }
  return new gluon.data.ArrayDataset(nd.array(x, { shape: [N, FEATURES] }), y);
}

interface Run {
  net: mx.gluon.HybridSequential;
  trainer: mx.gluon.Trainer;
  loader: mx.gluon.data.DataLoader;
}

function setup(seed: number): Run {
  mx.random.seed(seed);
  const net = new nn.HybridSequential();
  net.add(new nn.Dense(HIDDEN, { activation: 'relu', inUnits: FEATURES }), new nn.Dropout(0.3), new nn.Dense(3, { inUnits: HIDDEN }));
  net.initialize(new mx.init.Xavier());
  const trainer = new gluon.Trainer(net.collectParams(), 'adam', {
    learningRate: 0.05,
    lrScheduler: new mx.lrScheduler.FactorScheduler({ step: 5, factor: 0.7 }),
  });
  const loader = new gluon.data.DataLoader(dataset(), { batchSize: BATCH, shuffle: true, seed });
  return { net, trainer, loader };
}

/** Trains from the loader's current position; stops after `stopAfter` batches when given. */
async function train(run: Run, fromEpoch: number, fromBatch: number, stopAfter?: number): Promise<{ epoch: number; batch: number }> {
  const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
  let done = 0;
  for (let epoch = fromEpoch; epoch < EPOCHS; epoch++) {
    let batch = epoch === fromEpoch ? fromBatch : 0;
    for await (const [x, y] of run.loader) {
      mx.tidy(() => {
        const loss = mx.autograd.record(() => lossFn.call(run.net.call(x), y));
        loss.backward();
        run.trainer.step(BATCH);
      });
      x.dispose();
      y.dispose();
      batch++;
      if (stopAfter !== undefined && ++done === stopAfter) return { epoch, batch };
    }
  }
  return { epoch: EPOCHS, batch: 0 };
}

function snapshot(net: mx.gluon.Block<unknown, never[]>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, p] of net.collectParamsWithPrefix()) out[k] = Array.from(p.data().dataSync() as Float32Array);
  return out;
}

describe('training checkpoints', () => {
  it('resumes mid-epoch and finishes bit-identical to an uninterrupted run', async () => {
    const full = setup(11);
    await train(full, 0, 0);
    const expected = snapshot(full.net);
    const expectedRng = nd.random.uniform(0, 1, [4]).dataSync();

    const first = setup(11);
    const pos = await train(first, 0, 0, 17); // epoch 1, batch 5
    expect(pos).toEqual({ epoch: 1, batch: 5 });
    const file = join(dir, 'run.ckpt');
    gluon.saveCheckpoint(file, first, { ...pos, extra: { note: 'half way' } });
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);

    // A fresh process would build everything anew, with other random draws before loading.
    const second = setup(999);
    nd.random.uniform(0, 1, [100]).dispose();
    const info = gluon.loadCheckpoint(file, second);
    expect(info).toEqual({ epoch: 1, batch: 5, extra: { note: 'half way' } });
    await train(second, info.epoch, info.batch);
    expect(snapshot(second.net)).toEqual(expected);
    // The generator continues exactly where the uninterrupted run's did.
    expect(nd.random.uniform(0, 1, [4]).dataSync()).toEqual(expectedRng);
  });

  it('refuses files that are not checkpoints or do not fit, changing nothing', async () => {
    const run = setup(3);
    await train(run, 0, 0, 2);
    const file = join(dir, 'fit.ckpt');
    gluon.saveCheckpoint(file, run, { epoch: 0, batch: 2 });
    const before = snapshot(run.net);

    const plain = join(dir, 'plain.params');
    run.net.saveParameters(plain);
    expect(() => gluon.loadCheckpoint(plain, run)).toThrow(/no __mixnet_checkpoint__ entry/);

    const other = new nn.HybridSequential();
    other.add(new nn.Dense(HIDDEN, { activation: 'relu', inUnits: 7 }), new nn.Dropout(0.3), new nn.Dense(3, { inUnits: HIDDEN }));
    other.initialize(new mx.init.Constant(0.5));
    const otherBefore = snapshot(other);
    expect(() => gluon.loadCheckpoint(file, { net: other })).toThrow(/'0\.weight' has shape \(256, 300\), the parameter expects \(256, 7\)/);
    expect(snapshot(other)).toEqual(otherBefore);

    const bytes = readFileSync(file);
    const torn = join(dir, 'torn.ckpt');
    writeFileSync(torn, bytes.subarray(0, bytes.length - 100));
    expect(() => gluon.loadCheckpoint(torn, run)).toThrow(mx.MXNetError);
    expect(snapshot(run.net)).toEqual(before);

    // A failed save leaves the previous checkpoint in place and no temporary behind.
    const unready = new nn.Dense(3); // deferred: no data yet
    unready.initialize();
    expect(() => gluon.saveCheckpoint(file, { net: unready }, { epoch: 0, batch: 0 })).toThrow(/has not been initialised/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(existsSync(`${file}.tmp-${process.pid}`)).toBe(false);
  });
});
