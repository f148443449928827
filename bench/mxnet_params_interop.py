#!/usr/bin/env python3
"""Checks that Apache MXNet 1.9.1 loads .params files written by mixnet (the V2 layout every MXNet
model file uses), with names, dtypes, shapes and values intact. The reverse direction (mixnet
reading MXNet's files) is covered by the engine tests against ../shared/fixtures.

    python3 bench/mxnet_params_interop.py      (after `npm run build`)

MXNet comes from a virtual environment outside the repo (~/.cache/mixnet-bench/mxnet, PyPI
mxnet==1.9.1 with numpy<1.24), created on first use. Not part of the test run.
"""
import array
import ctypes
import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "build/engine/lib/libmixnet.so"
VENV = Path.home() / ".cache/mixnet-bench/mxnet"

# name -> (mixnet dtype code, array typecode, shape, values)
ARRAYS = {
    "f32": (0, "f", (2, 3), [0.5, -1.25, 3.0, 1e-7, -0.0, 65504.0]),
    "f64": (1, "d", (3, 2), [1 / 3, -2.5, 1e300, -1e-300, 0.0, 7.0]),
    "i32": (4, "i", (2, 2), [-(2**31), 2**31 - 1, 0, -7]),
    "i64": (6, "q", (3,), [-(2**62), 2**62, 123456789012345]),
    "u8": (3, "B", (4,), [0, 1, 128, 255]),
    "i8": (5, "b", (2, 2), [-128, 127, 0, -1]),
    "f16": (2, "H", (3,), [0x3C00, 0xC000, 0x7BFF]),  # 1.0, -2.0, 65504 as raw half bits
}
F16_VALUES = [1.0, -2.0, 65504.0]

READER = r'''
import json, sys, mxnet as mx
arrays = mx.nd.load(sys.argv[1])
print(json.dumps({k: {"dtype": str(v.dtype.__name__ if hasattr(v.dtype, "__name__") else v.dtype),
                      "shape": list(v.shape), "data": v.asnumpy().ravel().tolist()}
                  for k, v in arrays.items()}))
'''

DTYPE_NAMES = {"f32": "float32", "f64": "float64", "i32": "int32", "i64": "int64", "u8": "uint8",
               "i8": "int8", "f16": "float16"}


def check(rc: int, lib: ctypes.CDLL) -> None:
    if rc != 0:
        raise RuntimeError(lib.MXGetLastError().decode())


def write_with_mixnet(path: Path) -> None:
    lib = ctypes.CDLL(str(LIB))
    lib.MXGetLastError.restype = ctypes.c_char_p
    handles, keys = [], []
    for name, (code, typecode, shape, values) in ARRAYS.items():
        h = ctypes.c_void_p()
        dims = (ctypes.c_int64 * len(shape))(*shape)
        check(lib.MXNDArrayCreate64(dims, len(shape), 1, 0, code, ctypes.byref(h)), lib)
        buf = array.array(typecode, values)
        addr, n = buf.buffer_info()
        check(lib.MXNDArraySyncCopyFromCPU(h, ctypes.c_void_p(addr), ctypes.c_size_t(n)), lib)
        handles.append(h)
        keys.append(name.encode())
    check(lib.MXNDArraySave(str(path).encode(), len(handles),
                            (ctypes.c_void_p * len(handles))(*handles),
                            (ctypes.c_char_p * len(keys))(*keys)), lib)
    for h in handles:
        check(lib.MXNDArrayFree(h), lib)


def mxnet_python() -> Path:
    py = VENV / "bin/python"
    if not py.exists():
        venv.create(VENV, with_pip=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "mxnet==1.9.1", "numpy<1.24"], check=True)
    return py


def main() -> int:
    if not LIB.exists():
        print(f"{LIB} is missing: run `npm run build` first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "written-by-mixnet.params"
        write_with_mixnet(path)
        out = subprocess.run([mxnet_python(), "-c", READER, str(path)], check=True,
                             capture_output=True, text=True).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    problems = []
    for name, (_, _, shape, values) in ARRAYS.items():
        got = loaded.get(name)
        want = F16_VALUES if name == "f16" else values
        if got is None:
            problems.append(f"{name}: missing")
        elif got["dtype"] != DTYPE_NAMES[name] or tuple(got["shape"]) != shape:
            problems.append(f"{name}: {got['dtype']} {got['shape']}, want {DTYPE_NAMES[name]} {shape}")
        elif name == "f32":
            if any(abs(g - w) > abs(w) * 1e-7 for g, w in zip(got["data"], want)):
                problems.append(f"{name}: {got['data']} != {want}")
        elif got["data"] != want:
            problems.append(f"{name}: {got['data']} != {want}")
    if problems:
        print("MXNet 1.9.1 read mixnet's file differently:\n  " + "\n  ".join(problems))
        return 1
    print(f"MXNet 1.9.1 loaded all {len(ARRAYS)} arrays written by mixnet (names, dtypes, shapes, "
          "values equal)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
