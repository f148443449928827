// LeNet training throughput (images/s, batch 128) of mixnet's TS Gluon against PyTorch CPU and
// Apache MXNet 1.9.1 measured in the same run with the same network, step and thread count
// (bench/lenet_peers.py). Not part of the tests.
//
//   npx nx run mixnet:build && node --import tsx bench/lenet_train.ts [--threads 2] [--steps 40] [--reps 5]
//        [--peers torch,mxnet | none]
//
// Peers come from the virtual environments ~/.cache/mixnet-bench/{torch,mxnet}; a missing one is
// reported and skipped. One step = forward, softmax cross-entropy, backward, SGD-momentum update
// of every parameter; the timed region ends when the last step's values are computed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import * as mx from 'mixnet';

import { lenet } from '../examples/fashion-mnist/lenet.js';

const { values: opt } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '128' },
    steps: { type: 'string', default: '40' },
    reps: { type: 'string', default: '5' },
    peers: { type: 'string', default: 'torch,mxnet' },
  },
});
// The engine reads its thread budget when the first op runs, after this line.
process.env.MIXNET_NUM_THREADS ??= opt.threads;
const batch = Number(opt.batch);
const steps = Number(opt.steps);
const reps = Number(opt.reps);

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function mixnetRun(): { imgPerS: number; runs: number[] } {
  mx.random.seed(0);
  const net = lenet();
  net.initialize(new mx.init.Xavier());
  const trainer = new mx.gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.05, momentum: 0.9 });
  const lossFn = new mx.gluon.loss.SoftmaxCrossEntropyLoss();
  const x = mx.nd.random.uniform(0, 1, [batch, 1, 28, 28]);
  const y = mx.nd.random.randint(0, 10, [batch]).astype('float32');
  const step = (): void =>
    mx.tidy(() => {
      const loss = mx.autograd.record(() => lossFn.call(net.call(x), y));
      loss.backward();
      trainer.step(batch);
    });
  for (let i = 0; i < 5; i++) step();
  mx.nd.waitAllSync();
  const runs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    mx.nd.waitAllSync();
    runs.push((batch * steps) / ((performance.now() - t0) / 1000));
  }
  return { imgPerS: median(runs), runs };
}

interface PeerResult {
  peer: string;
  version: string;
  img_per_s: number;
}

function peer(name: 'torch' | 'mxnet'): PeerResult | undefined {
  const py = join(homedir(), '.cache/mixnet-bench', name, 'bin/python');
  if (!existsSync(py)) {
    console.log(`${name}: not installed (${py}); skipped`);
    return undefined;
  }
  const script = join(import.meta.dirname, 'lenet_peers.py');
  const out = execFileSync(py, [script, name, '--threads', opt.threads!, '--batch', String(batch), '--steps', String(steps), '--reps', String(reps)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as PeerResult;
}

const mine = mixnetRun();
console.log(`mixnet   LeNet train batch ${batch}: ${mine.imgPerS.toFixed(0)} img/s (runs ${mine.runs.map((r) => r.toFixed(0)).join(', ')})`);
for (const name of opt.peers!.split(',').filter((n): n is 'torch' | 'mxnet' => n === 'torch' || n === 'mxnet')) {
  const p = peer(name);
  if (p === undefined) continue;
  console.log(
    `${p.peer.padEnd(8)} ${p.version}: ${p.img_per_s.toFixed(0)} img/s   ratio mixnet/${p.peer} = ${(mine.imgPerS / p.img_per_s).toFixed(2)}x`,
  );
}
