#!/usr/bin/env python3
"""Foundation benchmark: mixnet's C-ABI dispatch and sgemm against NumPy, measured in one run.

    python3 bench/foundation.py            (builds nothing; run `npm run build` first)

NumPy comes from a virtual environment outside the repo (~/.cache/mixnet-bench/numpy), created
on first use. Figures are medians; the machine is shared, so read the ratios, not the absolutes.
"""
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_BIN = ROOT / "build/engine/bin/c_abi_bench"
VENV = Path.home() / ".cache/mixnet-bench/numpy"

PEER = r'''
import json, time, numpy as np
def median(v): v = sorted(v); return v[len(v) // 2]
a, b = np.ones(1, np.float32), np.full(1, 2, np.float32)
runs = []
for _ in range(7):
    t0 = time.perf_counter()
    for _ in range(100000):
        np.add(a, b)
    runs.append((time.perf_counter() - t0) / 100000 * 1e9)
res = {"dispatch_ns": median(runs)}
for n, reps in ((256, 31), (1024, 9), (2048, 5)):
    x, y = np.full((n, n), 0.5, np.float32), np.full((n, n), 0.25, np.float32)
    out = np.empty((n, n), np.float32)
    np.dot(x, y, out=out)
    g = []
    for _ in range(reps):
        t0 = time.perf_counter(); np.dot(x, y, out=out); g.append(2 * n**3 / (time.perf_counter() - t0) / 1e9)
    res[f"sgemm_{n}"] = median(g)
print(json.dumps(res))
'''


def numpy_python() -> Path:
    py = VENV / "bin/python"
    if not py.exists():
        venv.create(VENV, with_pip=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "numpy"], check=True)
    return py


def main() -> int:
    if not BENCH_BIN.exists():
        print(f"{BENCH_BIN} is missing: run `npm run build` first", file=sys.stderr)
        return 1
    ours = json.loads(subprocess.run([BENCH_BIN], check=True, capture_output=True, text=True).stdout)
    threads = str(ours["threads"])
    env = dict(os.environ, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads)
    peer = json.loads(subprocess.run([numpy_python(), "-c", PEER], check=True, capture_output=True,
                                     text=True, env=env).stdout)
    print(f"mixnet engine: {ours['workers']} workers, {threads} threads; NumPy peer on {threads} threads")
    print(f"{'benchmark':<34}{'mixnet':>12}{'NumPy':>12}{'ratio':>9}")
    d_ours, d_peer = ours["dispatch_ns"], peer["dispatch_ns"]
    print(f"{'1-element add, ns/op (lower=better)':<34}{d_ours:>12.0f}{d_peer:>12.0f}"
          f"{d_peer / d_ours:>8.2f}x")
    for n in (256, 1024, 2048):
        o, p = ours[f"sgemm_{n}"], peer[f"sgemm_{n}"]
        print(f"{f'sgemm {n}x{n}, GFLOP/s':<34}{o:>12.1f}{p:>12.1f}{o / p:>8.2f}x")
    print("ratio > 1 means mixnet is faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
