// The main job: trains LeNet on Fashion-MNIST with mixnet's Gluon API, showing a progress bar
// per epoch (loss, accuracy, images/s), evaluates on the test split, saves the model as an MXNet
// .params file and a full training checkpoint after every epoch (resume with --resume).
//
//   npm run demo                    (from the repository root: sets up, builds, then runs this)
//   node --import tsx examples/fashion-mnist/train.ts [--epochs 3] [--batch-size 128] [--lr 0.002]
//        [--data /usr/share/datasets/fashion-mnist] [--synthetic] [--out build/lenet-fashion-mnist]
//        [--resume build/lenet-fashion-mnist.ckpt] [--seed 42]
//
// Data: Debian's dataset-fashion-mnist package (IDX files); --synthetic trains on generated
// images instead (for machines without the package).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

import cliProgress from 'cli-progress';
import * as mx from 'mixnet';

import { lenet } from './lenet.js';
import { syntheticSplit } from './synthetic.js';

const { gluon, nd } = mx;
const { vision } = gluon.data;

const { values: opt } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    'batch-size': { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.002' },
    data: { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
    synthetic: { type: 'boolean', default: false },
    out: { type: 'string', default: 'build/lenet-fashion-mnist' },
    resume: { type: 'string' },
    seed: { type: 'string', default: '42' },
  },
});
const epochs = Number(opt.epochs);
const batchSize = Number(opt['batch-size']);
const seed = Number(opt.seed);

// (x - mean) / std with Fashion-MNIST's pixel statistics, after scaling to [0, 1].
const transform = new vision.transforms.Compose([new vision.transforms.ToTensor(), new vision.transforms.Normalize(0.286, 0.353)]);

function datasets(): { train: mx.gluon.data.Dataset; test: mx.gluon.data.Dataset; source: string } {
  if (opt.synthetic) {
    return { ...syntheticSplit(seed), source: 'synthetic images (--synthetic)' };
  }
  try {
    const train = new vision.FashionMNIST({ root: opt.data, train: true });
    const test = new vision.FashionMNIST({ root: opt.data, train: false });
    return { train, test, source: `Fashion-MNIST from ${opt.data}` };
  } catch (e) {
    console.error(`\n${(e as Error).message}\n`);
    process.exit(2);
  }
}

async function evaluate(net: mx.gluon.HybridSequential, data: mx.gluon.data.Dataset): Promise<number> {
  const loader = new gluon.data.DataLoader(data.transformFirst(transform), { batchSize: 1000 });
  const acc = new mx.metric.Accuracy();
  for await (const [x, y] of loader) {
    mx.tidy(() => acc.update(y, net.call(x)));
    x.dispose();
    y.dispose();
  }
  const [, value] = await acc.getAsync();
  return value as number;
}

async function main(): Promise<void> {
  mx.random.seed(seed);
  const { train, test, source } = datasets();
  const v = mx.version().version; // MXNet's encoding: major * 10000 + minor * 100 + patch
  console.log(`mixnet ${Math.floor(v / 10000)}.${Math.floor(v / 100) % 100}.${v % 100}: LeNet on ${source}: ${train.length} training, ${test.length} test images`);

  const net = lenet();
  net.initialize(new mx.init.Xavier());
  const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
  const loader = new gluon.data.DataLoader(train.transformFirst(transform), { batchSize, shuffle: true, seed, lastBatch: 'keep' });
  // Adam with the learning rate following a cosine from --lr down to 1% of it over the run.
  const lrScheduler = new mx.lrScheduler.CosineScheduler({ maxUpdate: epochs * loader.length, finalLr: Number(opt.lr) / 100 });
  const trainer = new gluon.Trainer(net.collectParams(), 'adam', { learningRate: Number(opt.lr), lrScheduler });
  mkdirSync(dirname(opt.out), { recursive: true });
  const ckpt = `${opt.out}.ckpt`;

  let start = { epoch: 0, batch: 0 };
  if (opt.resume) {
    start = gluon.loadCheckpoint(opt.resume, { net, trainer, loader });
    console.log(
      start.epoch < epochs
        ? `resumed from ${opt.resume} at epoch ${start.epoch + 1}, batch ${start.batch}`
        : `resumed from ${opt.resume}: all ${epochs} epochs are done (raise --epochs to train on)`,
    );
  }

  for (let epoch = start.epoch; epoch < epochs; epoch++) {
    const acc = new mx.metric.Accuracy();
    let lossSum = mx.keep(nd.zeros([1]));
    let seen = 0;
    const t0 = performance.now();
    const bar = new cliProgress.SingleBar(
      {
        format: `epoch ${epoch + 1}/${epochs} |{bar}| {value}/{total} batches | loss {loss} | acc {acc} | {speed} img/s`,
        noTTYOutput: true,
        notTTYSchedule: 5000,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const firstBatch = epoch === start.epoch ? start.batch : 0;
    bar.start(loader.length, firstBatch, { loss: '-', acc: '-', speed: '-' });
    let batch = firstBatch;
    for await (const [x, y] of loader) {
      mx.tidy(() => {
        const [out, loss] = mx.autograd.record(() => {
          const o = net.call(x);
          return [o, lossFn.call(o, y)] as const;
        });
        loss.backward();
        trainer.step(x.shape[0]!);
        acc.update(y, out);
        const next = mx.keep(lossSum.add(loss.sum()));
        lossSum.dispose();
        lossSum = next;
      });
      seen += x.shape[0]!;
      x.dispose();
      y.dispose();
      batch++;
      if (batch % 50 === 0 || batch === loader.length) {
        // Reading waits on a worker thread; the engine keeps the next batches queued meanwhile.
        const [l] = (await lossSum.data()) as Float32Array;
        const [, a] = await acc.getAsync();
        const speed = seen / ((performance.now() - t0) / 1000);
        bar.update(batch, { loss: (l! / seen).toFixed(4), acc: (a as number).toFixed(4), speed: speed.toFixed(0) });
      }
    }
    bar.stop();
    lossSum.dispose();
    const seconds = (performance.now() - t0) / 1000;
    const testAcc = await evaluate(net, test);
    console.log(`epoch ${epoch + 1}: ${(seen / seconds).toFixed(0)} img/s, test accuracy ${testAcc.toFixed(4)}`);
    gluon.saveCheckpoint(ckpt, { net, trainer, loader }, { epoch: epoch + 1, batch: 0, extra: { testAcc } });
  }

  const finalAcc = await evaluate(net, test);
  net.saveParameters(`${opt.out}.params`);
  console.log(`final test accuracy ${finalAcc.toFixed(4)}; model saved to ${opt.out}.params (checkpoint ${ckpt})`);
}

await main();
