"""The Python half of test/interchange: reads what the TypeScript test wrote, writes what it reads.

Python has no Gluon yet, so the CNN the TypeScript test builds with mx.gluon
(Conv2D(8, 3, relu) -> MaxPool2D(2) -> Flatten -> Dense(16, relu) -> Dense(10)) is run here with
the mx.nd ops those layers call, with the same op parameters, so both sides must agree bit for bit.

Commands (each prints one JSON line on stdout for the test to read):
  forward PARAMS INPUT OUT     load Gluon parameters (structural names) and an input,
                               write the output
  make SEED PARAMS INPUT OUT   make parameters and an input from numpy with SEED,
                               write both and the output
  roundtrip IN OUT             load arrays, report their dtypes and exact values,
                               write them back (through numpy) with arrays made here
"""

import json
import sys

import numpy as np

import mixnet as mx

CHANNELS = 8
KERNEL = 3
POOL = 2
HIDDEN = 16
CLASSES = 10
# The structural names Gluon's save_parameters uses for a HybridSequential of these five layers.
PARAM_NAMES = ("0.weight", "0.bias", "3.weight", "3.bias", "4.weight", "4.bias")


def forward(p, x):
    """The CNN's forward pass with the ops (and op parameters) the TypeScript layers invoke."""
    y = mx.nd.Convolution(x, p["0.weight"], p["0.bias"], kernel=(KERNEL, KERNEL), stride=(1, 1),
                          dilate=(1, 1), pad=(0, 0), num_filter=CHANNELS, num_group=1,
                          no_bias=False, layout="NCHW")
    y = mx.nd.Activation(y, act_type="relu")
    y = mx.nd.Pooling(y, kernel=(POOL, POOL), pool_type="max", global_pool=False,
                      pooling_convention="valid", stride=(POOL, POOL), pad=(0, 0), layout="NCHW")
    y = mx.nd.Flatten(y)
    y = mx.nd.FullyConnected(y, p["3.weight"], p["3.bias"], num_hidden=HIDDEN, no_bias=False,
                             flatten=True)
    y = mx.nd.Activation(y, act_type="relu")
    return mx.nd.FullyConnected(y, p["4.weight"], p["4.bias"], num_hidden=CLASSES, no_bias=False,
                                flatten=True)


def load_one(fname):
    """The single array of a file written with mx.nd.save(fname, array)."""
    loaded = mx.nd.load(fname)
    arrays = list(loaded.values()) if isinstance(loaded, dict) else loaded
    if len(arrays) != 1:
        raise SystemExit(f"{fname}: expected one array, got {len(arrays)}")
    return arrays[0]


def cmd_forward(params_file, input_file, out_file):
    params = mx.nd.load(params_file)
    if not isinstance(params, dict) or sorted(params) != sorted(PARAM_NAMES):
        raise SystemExit(f"{params_file}: expected parameters {PARAM_NAMES}, got {params!r}")
    out = forward(params, load_one(input_file))
    mx.nd.save(out_file, [out])
    return {
        "params": {k: {"shape": list(v.shape), "dtype": np.dtype(v.dtype).name}
                   for k, v in params.items()},
        "out_shape": list(out.shape),
    }


def cmd_make(seed, params_file, input_file, out_file, batch=3, side=10):
    rng = np.random.RandomState(int(seed))
    feat = CHANNELS * ((side - KERNEL + 1) // POOL) ** 2
    shapes = {
        "0.weight": (CHANNELS, 1, KERNEL, KERNEL),
        "0.bias": (CHANNELS,),
        "3.weight": (HIDDEN, feat),
        "3.bias": (HIDDEN,),
        "4.weight": (CLASSES, HIDDEN),
        "4.bias": (CLASSES,),
    }
    # mx.nd.array makes float32 from numpy unless told (MXNet 1.x), so the dtype is explicit.
    params = {k: mx.nd.array(rng.standard_normal(s).astype(np.float32) * 0.3, dtype="float32")
              for k, s in shapes.items()}
    x = rng.uniform(-1, 1, (batch, 1, side, side)).astype(np.float32)
    x = mx.nd.array(x, dtype="float32")
    out = forward(params, x)
    mx.nd.save(params_file, params)
    mx.nd.save(input_file, [x])
    mx.nd.save(out_file, [out])
    return {"input_shape": list(x.shape), "out_shape": list(out.shape)}


def exact_values(a):
    """Values in a form JSON keeps exactly: float16 as its bit patterns, int64 as decimal strings."""
    n = a.asnumpy()
    if n.dtype == np.float16:
        return [int(v) for v in n.view(np.uint16).ravel()]
    if n.dtype == np.int64:
        return [str(int(v)) for v in n.ravel()]
    return [float(v) for v in n.ravel()]


def cmd_roundtrip(in_file, out_file):
    loaded = mx.nd.load(in_file)
    if not isinstance(loaded, dict):
        raise SystemExit(f"{in_file}: expected named arrays")
    report = {k: {"dtype": np.dtype(v.dtype).name, "shape": list(v.shape),
                  "values": exact_values(v)} for k, v in loaded.items()}
    # Back through numpy (a copy in each direction), keeping each array's own dtype.
    out = {k: mx.nd.array(v.asnumpy(), dtype=v.dtype) for k, v in loaded.items()}
    half = np.array([[0.1, -2.5], [65504, 6e-8]], dtype=np.float16)
    out["py_float16"] = mx.nd.array(half, dtype=np.float16)
    longs = np.array([-(2**63), 2**63 - 1, 2**53 + 1, -7], dtype=np.int64)
    out["py_int64"] = mx.nd.array(longs, dtype=np.int64)
    mx.nd.save(out_file, out)
    return report


COMMANDS = {"forward": cmd_forward, "make": cmd_make, "roundtrip": cmd_roundtrip}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        raise SystemExit(f"usage: load_and_run.py {{{'|'.join(COMMANDS)}}} ARGS...")
    print(json.dumps(COMMANDS[sys.argv[1]](*sys.argv[2:])))
