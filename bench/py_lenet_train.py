#!/usr/bin/env python3
"""LeNet training throughput (images/s, batch 128) of mixnet's Python Gluon API against PyTorch CPU
and Apache MXNet 1.9.1, measured in the same run with the same network, step and thread count.
The mixnet side is the MXNet peer's own Gluon script with `import mixnet as mx` (see
bench/lenet_peers.py). Not part of the tests.

    .venv/bin/python bench/py_lenet_train.py [--threads 2] [--steps 40] [--reps 5] [--rounds 2]

Peers come from the virtual environments ~/.cache/mixnet-bench/{torch,mxnet}; a missing one is
reported and skipped. Each round runs mixnet and every peer once, one after the other, so a noisy
neighbour hurts all of them alike; the ratio printed is the median over rounds.
"""
import argparse
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
VENVS = pathlib.Path.home() / ".cache" / "mixnet-bench"


def run(python, peer, args):
    out = subprocess.run([str(python), str(HERE / "lenet_peers.py"), peer, "--threads", str(args.threads),
                          "--batch", str(args.batch), "--steps", str(args.steps), "--reps", str(args.reps)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    peers = []
    for name in ("torch", "mxnet"):
        py = VENVS / name / "bin" / "python"
        if py.exists():
            peers.append((name, py))
        else:
            print("%s: not installed (%s); skipped" % (name, py))
    ratios = {name: [] for name, _ in peers}
    for r in range(args.rounds):
        mine = run(ROOT / ".venv" / "bin" / "python", "mixnet", args)
        line = "round %d: mixnet %.0f img/s" % (r + 1, mine["img_per_s"])
        for name, py in peers:
            p = run(py, name, args)
            ratios[name].append(mine["img_per_s"] / p["img_per_s"])
            line += ", %s %s %.0f img/s" % (p["peer"], p["version"], p["img_per_s"])
        print(line, flush=True)
    for name, rs in ratios.items():
        print("ratio mixnet(Python)/%s = %.2fx (rounds: %s)" % (name, median(rs), ", ".join("%.2f" % x for x in rs)))


if __name__ == "__main__":
    sys.exit(main())
