"""Running one MXNet 1.9.1 case (../README.md) through the Python package: mirrors the TypeScript
runner's src/run.ts, src/run_grad.ts and src/compare.ts."""
import json
import math
import os
import pathlib

import numpy as np

import mixnet as mx

HERE = pathlib.Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent  # test/conformance
REPO_ROOT = PACKAGE_ROOT.parent.parent

#: |got - want| <= atol + rtol * |want| per float dtype (float32: what MXNet's own tests use).
TOLERANCES = {"float16": (1e-3, 1e-3), "bfloat16": (1e-2, 1e-2), "float32": (1e-5, 1e-6),
              "float64": (1e-7, 1e-10)}
#: Gradients sum in other orders than MXNet's kernels; same looser tolerance as the TS runner.
GRAD_TOLERANCE = (1e-4, 1e-5)
INTEGER_DTYPES = {"int8", "uint8", "int32", "int64", "bool"}


def fixture_dir():
    env = os.environ.get("MXNET_FIXTURES")
    return pathlib.Path(env).resolve() if env else REPO_ROOT.parent / "shared" / "fixtures" / "mxnet-1.9.1"


def load_fixture():
    return json.loads((fixture_dir() / "ops.json").read_text())


def load_known_differences():
    return json.loads((PACKAGE_ROOT / "known-differences.json").read_text())


def _flatten(v):
    if not isinstance(v, list):
        return [v]
    out = []
    for x in v:
        out.extend(_flatten(x))
    return out


def _to_number(v):
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(v, None) if v in ("nan", "inf", "-inf") \
            else (int(v) if v.lstrip("-").isdigit() else float(v))
    return v


def make_input(rec):
    values = [_to_number(v) for v in _flatten(rec["data"])]
    if rec["dtype"] == "int64":
        host = np.array([int(v) for v in values], dtype=np.int64)
    elif rec["dtype"] == "bool":
        host = np.array(values, dtype=bool)
    else:
        host = np.array(values, dtype=np.float64)
    return mx.nd.array(host.reshape(rec["shape"]), dtype=rec["dtype"])


def _fmt(shape):
    return "(%s%s)" % (", ".join(str(d) for d in shape), "," if len(shape) == 1 else "")


def mismatch(want, got, label, float_tol=None):
    """None when `got` (an NDArray) matches the record `want`, else what differs."""
    dt = got._dtype_name
    if dt != want["dtype"]:
        return "%s: dtype %s, MXNet %s" % (label, dt, want["dtype"])
    if tuple(got.shape) != tuple(want["shape"]):
        return "%s: shape %s, MXNet %s" % (label, _fmt(got.shape), _fmt(want["shape"]))
    expected = [_to_number(v) for v in _flatten(want["data"])]
    host = got.asnumpy().reshape(-1)
    if len(expected) != host.size:
        return "%s: %d values, MXNet %d" % (label, host.size, len(expected))
    bad = []
    if want["dtype"] in INTEGER_DTYPES:
        for i, e in enumerate(expected):
            if int(host[i]) != int(e):
                bad.append("[%d] got %s, MXNet %s" % (i, host[i], e))
    else:
        rtol, atol = float_tol or TOLERANCES[want["dtype"]]
        g = host.astype(np.float64)
        for i, e in enumerate(expected):
            e = float(e)
            ok = math.isnan(g[i]) if math.isnan(e) else (g[i] == e if math.isinf(e) else
                                                         abs(g[i] - e) <= atol + rtol * abs(e))
            if not ok:
                bad.append("[%d] got %r, MXNet %r" % (i, float(g[i]), e))
    if not bad:
        return None
    return "%s: %d of %d values differ: %s%s" % (label, len(bad), len(expected), "; ".join(bad[:6]),
                                                  "; ..." if len(bad) > 6 else "")


def run_case(c):
    """None when mixnet reproduces the op case, else the problem (an exception is a failure)."""
    try:
        outs = mx.nd.invoke(c["op"], [make_input(r) for r in c["inputs"]], c["attrs"])
        if len(outs) != len(c["outputs"]):
            return "%d outputs, MXNet %d" % (len(outs), len(c["outputs"]))
        problems = [m for m in (mismatch(w, g, "output %d" % i) for i, (w, g) in
                                enumerate(zip(c["outputs"], outs))) if m]
        return "\n".join(problems) or None
    except Exception as e:  # noqa: BLE001 - reported as the case's failure
        return "threw %s: %s" % (type(e).__name__, e)


def run_grad_case(c):
    """None when outputs, gradients and in-place updated inputs match the gradient case."""
    try:
        inputs = [make_input(r) for r in c["inputs"]]
        for i, g in enumerate(c["grads"]):
            if not ("grad" in g and g["grad"] is None):
                inputs[i].attach_grad()
        with mx.autograd.record(train_mode=True):
            outs = mx.nd.invoke(c["op"], inputs, c["attrs"])
        if len(outs) != len(c["outputs"]):
            return "%d outputs, MXNet %d" % (len(outs), len(c["outputs"]))
        mx.autograd.backward(outs)
        problems = [mismatch(w, g, "output %d" % i) for i, (w, g) in enumerate(zip(c["outputs"], outs))]
        for i, g in enumerate(c["grads"]):
            if "grad" in g and g["grad"] is None:
                continue
            problems.append(mismatch(g, inputs[i].grad, "gradient of %s" % g.get("name"), GRAD_TOLERANCE))
        names = [r.get("name") for r in c["inputs"]]
        for name, after in (c.get("inputs_after") or {}).items():
            if name not in names:
                return "inputs_after names unknown input %s" % name
            problems.append(mismatch(after, inputs[names.index(name)], "%s after the call" % name))
        return "\n".join(p for p in problems if p) or None
    except Exception as e:  # noqa: BLE001
        return "threw %s: %s" % (type(e).__name__, e)
