#!/usr/bin/env python3
"""Convolution benchmark: mixnet's oneDNN Convolution kernel against PyTorch (CPU), one run.

    python3 bench/nn_conv.py [--build build/engine] [--threads 2] [--reps 15] [--plain]

Times forward and backward (data, weight and bias gradients) of a LeNet-sized pair of layers
(N=64: 1->20 channels 5x5 on 28x28, 20->50 5x5 on 12x12) and a ResNet 3x3 block (N=32, 64->64,
pad 1, 56x56), both sides on the same thread count. PyTorch comes from the virtual environment
~/.cache/mixnet-bench/torch. Figures are medians; read the ratios (PyTorch time / mixnet time, so
> 1 means mixnet is faster). By default mixnet picks oneDNN's blocked formats only when the
channels per group are multiples of 16; --plain / --blocked force one choice for every layer
(MIXNET_CONV_PLAIN=1 / 0) to re-measure it.
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TORCH_PY = Path.home() / ".cache/mixnet-bench/torch/bin/python"

PEER = r'''
import json, sys, time, torch
import torch.nn.functional as F
threads, reps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
def median(v): v = sorted(v); return v[len(v) // 2]
def timed(fn):
    fn(); fn()
    t = []
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); t.append((time.perf_counter() - t0) * 1e3)
    return median(t)
cases = {"lenet_conv1": (64, 1, 20, 28, 28, 5, 0), "lenet_conv2": (64, 20, 50, 12, 12, 5, 0),
         "resnet_3x3": (32, 64, 64, 56, 56, 3, 1)}
res = {}
for name, (n, c, f, h, w, k, pad) in cases.items():
    x = torch.full((n, c, h, w), 0.5, requires_grad=True)
    wt = torch.full((f, c, k, k), 0.01, requires_grad=True)
    b = torch.full((f,), 0.1, requires_grad=True)
    with torch.no_grad():
        fwd = timed(lambda: F.conv2d(x, wt, b, padding=pad))
    y = F.conv2d(x, wt, b, padding=pad)
    gy = torch.ones_like(y)
    def bwd():
        # The convolution backward alone (data, weight, bias), as mixnet's kernel.backward.
        torch.ops.aten.convolution_backward(gy, x, wt, [f], [1, 1], [pad, pad], [1, 1], False,
                                            [0, 0], 1, [True, True, True])
    res[name] = {"fwd_ms": fwd, "bwd_ms": timed(bwd)}
print(json.dumps({"threads": torch.get_num_threads(), "torch": torch.__version__, "cases": res}))
'''


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/engine")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--plain", action="store_true", help="force plain formats (MIXNET_CONV_PLAIN=1)")
    ap.add_argument("--blocked", action="store_true", help="force blocked formats (MIXNET_CONV_PLAIN=0)")
    args = ap.parse_args()
    binary = ROOT / args.build / "bin/nn_conv_bench"
    if not binary.exists():
        print(f"{binary} is missing: build the nn_conv_bench target first", file=sys.stderr)
        return 1
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    if args.plain or args.blocked:
        env["MIXNET_CONV_PLAIN"] = "1" if args.plain else "0"
    ours = json.loads(subprocess.run([binary, "--threads", str(args.threads), "--reps", str(args.reps)],
                                     check=True, capture_output=True, text=True, env=env).stdout)
    peer = json.loads(subprocess.run([TORCH_PY, "-c", PEER, str(args.threads), str(args.reps)],
                                     check=True, capture_output=True, text=True, env=env).stdout)
    print(json.dumps({"mixnet": ours, "pytorch": peer}))
    print(f"mixnet Convolution kernel vs PyTorch {peer['torch']} CPU, {args.threads} threads"
          f"{' (mixnet forced to plain formats)' if args.plain else ''}"
          f"{' (mixnet forced to blocked formats)' if args.blocked else ''}; median ms per call")
    print(f"{'case':<14}{'pass':<6}{'mixnet':>10}{'PyTorch':>10}{'ratio':>9}")
    for name, o in ours["cases"].items():
        p = peer["cases"][name]
        for part in ("fwd", "bwd"):
            a, b = o[f"{part}_ms"], p[f"{part}_ms"]
            print(f"{name:<14}{part:<6}{a:>10.2f}{b:>10.2f}{b / a:>8.2f}x")
        a = o["fwd_ms"] + o["bwd_ms"]
        b = p["fwd_ms"] + p["bwd_ms"]
        print(f"{name:<14}{'both':<6}{a:>10.2f}{b:>10.2f}{b / a:>8.2f}x")
    print("ratio = PyTorch time / mixnet time (> 1: mixnet faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
