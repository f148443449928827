#!/usr/bin/env python3
"""LeNet training throughput of the peers, for bench/lenet_train.ts (which runs mixnet's TS API)
and bench/py_lenet_train.py (which runs this file for mixnet's Python API too).

    <venv>/bin/python bench/lenet_peers.py torch|mxnet|mixnet --threads 2 --batch 128 --steps 40 --reps 5

'mixnet' runs the very code of the 'mxnet' peer (an MXNet 1.x Gluon script, hybridized) with
`import mixnet as mx` in its place, from the repository's .venv.

The same network and step as the mixnet side: conv 20@5x5 → relu → maxpool 2 → conv 50@5x5 →
relu → maxpool 2 → dense 500 → relu → dense 10, softmax cross-entropy, SGD with momentum 0.9,
on a fixed synthetic batch of 28x28 images (data loading is not what is measured). Prints one
JSON line: {"peer", "version", "img_per_s" (median over reps), "runs"}.
"""
import argparse
import importlib
import json
import os
import time


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def run_torch(args):
    import torch
    import torch.nn as nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(5):
        step()
    runs = []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        for _ in range(args.steps):
            loss = step()
        float(loss)  # wait for the last step
        runs.append(args.batch * args.steps / (time.perf_counter() - t0))
    return {"peer": "pytorch", "version": torch.__version__, "img_per_s": median(runs), "runs": runs}


def run_gluon(args, module):
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    os.environ.setdefault("MXNET_CPU_WORKER_NTHREADS", "1")
    os.environ.setdefault("MIXNET_NUM_THREADS", str(args.threads))
    mx = importlib.import_module(module)
    autograd, gluon = mx.autograd, mx.gluon
    nn = gluon.nn

    mx.random.seed(0)
    net = nn.HybridSequential()
    net.add(nn.Conv2D(20, 5, activation="relu"), nn.MaxPool2D(2, 2),
            nn.Conv2D(50, 5, activation="relu"), nn.MaxPool2D(2, 2),
            nn.Flatten(), nn.Dense(500, activation="relu"), nn.Dense(10))
    net.initialize(mx.init.Xavier())
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.05, "momentum": 0.9})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    x = mx.nd.random.uniform(shape=(args.batch, 1, 28, 28))
    y = mx.nd.random.randint(0, 10, shape=(args.batch,)).astype("float32")

    def step():
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(args.batch)
        return loss

    for _ in range(5):
        step()
    mx.nd.waitall()
    runs = []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        for _ in range(args.steps):
            step()
        mx.nd.waitall()
        runs.append(args.batch * args.steps / (time.perf_counter() - t0))
    return {"peer": module, "version": mx.__version__, "img_per_s": median(runs), "runs": runs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("peer", choices=["torch", "mxnet", "mixnet"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    print(json.dumps(run_torch(args) if args.peer == "torch" else run_gluon(args, args.peer)))


if __name__ == "__main__":
    main()
