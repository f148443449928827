"""Python per-op dispatch: 1-element `a + b`, 10^5 times then one final wait, in mixnet (this
interpreter, the repository's .venv) and in PyTorch (its own venv, run as a subprocess in the same
run). Prints both per-op times and the ratio (bar: mixnet <= 0.7x PyTorch's time).

    .venv/bin/python bench/py_dispatch.py [--n 100000] [--torch-python PATH]
"""
import argparse
import os
import subprocess
import sys
import time

TORCH_PYTHON = os.path.expanduser("~/.cache/mixnet-bench/torch/bin/python")

TORCH_SCRIPT = r"""
import sys, time, torch
torch.set_num_threads(1)
n = int(sys.argv[1])
a = torch.ones(1); b = torch.ones(1)
for _ in range(1000): c = a + b
best = float('inf')
for _ in range(3):
    t = time.perf_counter()
    for _ in range(n): c = a + b
    float(c[0])
    best = min(best, time.perf_counter() - t)
print(best / n)
"""


def bench_mixnet(n):
    import mixnet as mx
    a = mx.nd.ones((1,))
    b = mx.nd.ones((1,))
    for _ in range(1000):
        c = a + b
    mx.nd.waitall()
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(n):
            c = a + b
        c.wait_to_read()
        best = min(best, time.perf_counter() - t)
    assert c.asscalar() == 2.0
    return best / n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--torch-python", default=TORCH_PYTHON)
    args = ap.parse_args()
    ours = bench_mixnet(args.n)
    print("mixnet  a+b (1 element): %.3f us/op" % (ours * 1e6))
    if not os.path.exists(args.torch_python):
        print("PyTorch: not found at %s (skipped; no ratio)" % args.torch_python)
        return
    out = subprocess.run([args.torch_python, "-c", TORCH_SCRIPT, str(args.n)], check=True,
                         capture_output=True, text=True).stdout
    torch_t = float(out.strip().splitlines()[-1])
    print("PyTorch a+b (1 element): %.3f us/op" % (torch_t * 1e6))
    ratio = ours / torch_t
    print("ratio mixnet/PyTorch: %.2fx (bar <= 0.70x: %s)" % (ratio, "met" if ratio <= 0.7 else "NOT met"))


if __name__ == "__main__":
    sys.exit(main())
