#!/usr/bin/env python3
"""Fused RNN benchmark: one training step (forward + backward) of a 2-layer LSTM, mixnet's RNN
kernel against PyTorch's CPU nn.LSTM, measured in the same run on the same thread count.

    python3 bench/rnn.py [--build build/engine] [--threads 2] [--mode lstm] [--T 35] [--N 32]
                         [--I 256] [--H 256] [--L 2] [--bidirectional 0]

PyTorch comes from the virtual environment ~/.cache/mixnet-bench/torch (not created here).
Figures are medians; the machine is shared, so read the ratio, not the absolutes.
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
cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)
T, N, I, H, L, D = cfg["T"], cfg["N"], cfg["I"], cfg["H"], cfg["L"], 2 if cfg["bidirectional"] else 1
cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn_tanh": torch.nn.RNN, "rnn_relu": torch.nn.RNN}[cfg["mode"]]
kw = {"nonlinearity": "relu"} if cfg["mode"] == "rnn_relu" else {}
net = cls(I, H, num_layers=L, bidirectional=bool(D == 2), **kw)
x = (torch.rand(T, N, I) * 0.2 - 0.1).requires_grad_()
h0 = (torch.rand(L * D, N, H) * 0.2 - 0.1).requires_grad_()
c0 = (torch.rand(L * D, N, H) * 0.2 - 0.1).requires_grad_()
head = torch.rand(T, N, D * H) * 0.2 - 0.1
def median(v): v = sorted(v); return v[len(v) // 2]
fwd, step = [], []
for r in range(cfg["runs"] + 2):
    for p in list(net.parameters()) + [x, h0, c0]:
        p.grad = None
    t0 = time.perf_counter()
    y, _ = net(x, (h0, c0)) if cfg["mode"] == "lstm" else net(x, h0)
    t1 = time.perf_counter()
    y.backward(head)
    t2 = time.perf_counter()
    if r >= 2:
        fwd.append((t1 - t0) * 1e3)
        step.append((t2 - t0) * 1e3)
print(json.dumps({"forward_ms": median(fwd), "train_step_ms": median(step),
                  "torch": torch.__version__}))
'''


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/engine")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--mode", default="lstm")
    for k, v in (("T", 35), ("N", 32), ("I", 256), ("H", 256), ("L", 2), ("bidirectional", 0)):
        ap.add_argument(f"--{k}", type=int, default=v)
    a = ap.parse_args()
    binary = ROOT / a.build / "bin/rnn_bench"
    if not binary.exists():
        print(f"{binary} is missing: build the rnn_bench target first", file=sys.stderr)
        return 1
    if not TORCH_PY.exists():
        print(f"{TORCH_PY} is missing: create the PyTorch venv first", file=sys.stderr)
        return 1
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(a.threads), OMP_NUM_THREADS=str(a.threads))
    args = ["--mode", a.mode, "--threads", str(a.threads), "--runs", str(a.runs)]
    for k in ("T", "N", "I", "H", "L", "bidirectional"):
        args += [f"--{k}", str(getattr(a, k))]
    ours = json.loads(subprocess.run([binary, *args], check=True, capture_output=True, text=True,
                                     env=env).stdout)
    cfg = {k: ours[k] for k in ("mode", "T", "N", "I", "H", "L", "bidirectional", "threads")}
    cfg["runs"] = a.runs
    peer = json.loads(subprocess.run([TORCH_PY, "-c", PEER, json.dumps(cfg)], check=True,
                                     capture_output=True, text=True, env=env).stdout)
    result = {"config": cfg, "mixnet": ours, "pytorch": peer,
              "speed_ratio_train_step": peer["train_step_ms"] / ours["train_step_ms"],
              "speed_ratio_forward": peer["forward_ms"] / ours["forward_ms"]}
    print(json.dumps(result))
    print(f"{cfg['mode']} L={cfg['L']} T={cfg['T']} N={cfg['N']} I={cfg['I']} H={cfg['H']} "
          f"threads={cfg['threads']} (PyTorch {peer['torch']})")
    print(f"{'':<24}{'mixnet ms':>12}{'PyTorch ms':>12}{'speed ratio':>13}")
    for name, key in (("forward (train mode)", "forward_ms"), ("train step (fwd+bwd)", "train_step_ms")):
        print(f"{name:<24}{ours[key]:>12.2f}{peer[key]:>12.2f}{peer[key] / ours[key]:>12.2f}x")
    print("ratio = PyTorch time / mixnet time; > 1 means mixnet is faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
