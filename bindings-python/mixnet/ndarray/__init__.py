"""mx.nd: NDArray, creation functions, .params files and every registry op (Apache MXNet 1.x).

Ops are generated (mixnet/_generated/ops.py) and placed by MXNet 1.x's name-prefix routing:
``_random_*`` in ``mx.nd.random``, ``_linalg_*`` in ``mx.nd.linalg``, ``_contrib_*`` in
``mx.nd.contrib``, other ``_``-prefixed names in ``mx.nd._internal``, the rest in ``mx.nd``.
"""
import sys as _sys

from ..base import check_registry as _check_registry
from .._generated import ops as _ops

_check_registry(_ops.REGISTRY_HASH)

from . import _internal, contrib, image, linalg, random, sparse  # noqa: E402

_NAMESPACES = {"": _sys.modules[__name__], "_internal": _internal, "contrib": contrib, "image": image,
               "linalg": linalg, "random": random, "sparse": sparse}
for _ns, _name, _fn in _ops.ROUTES:
    setattr(_NAMESPACES[_ns], _name, _fn)
# MXNet 1.x also keeps every op under its full name in mx.nd.op.
op = _ops

# Hand-written API last, so it wins over a generated name.
from .ndarray import NDArray  # noqa: E402
from .creation import (arange, array, empty, from_dlpack, from_numpy, full, invoke, ones,  # noqa: E402
                       to_dlpack_for_read, to_dlpack_for_write, waitall, zeros)
from .utils import load, load_frombuffer, save, save_tobuffer  # noqa: E402

# MXNet 1.x's fluent methods: x.sum(axis=1) is nd.sum(x, axis=1). Hand-written methods win.
_FLUENT = {"flip": "reverse", "swapaxes": "SwapAxis", "split": "SliceChannel", "broadcast_axes": "broadcast_axis"}
for _name in (
        "reshape_like", "ones_like", "broadcast_like", "broadcast_axes", "repeat", "pad", "swapaxes", "split",
        "slice", "slice_axis", "slice_like", "take", "one_hot", "pick", "sort", "topk", "argsort", "argmax",
        "argmax_channel", "argmin", "clip", "abs", "sign", "flatten", "shape_array", "size_array", "expand_dims",
        "tile", "transpose", "flip", "depth_to_space", "space_to_depth", "diag", "sum", "nansum", "prod",
        "nanprod", "mean", "max", "min", "norm", "round", "rint", "fix", "floor", "ceil", "trunc", "sin", "cos",
        "tan", "arcsin", "arccos", "arctan", "degrees", "radians", "sinh", "cosh", "tanh", "arcsinh", "arccosh",
        "arctanh", "exp", "expm1", "log", "log10", "log2", "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt", "square",
        "reciprocal", "relu", "sigmoid", "softmax", "log_softmax", "softmin", "squeeze"):
    _fn = getattr(_ops, _FLUENT.get(_name, _name), None)
    if _fn is not None and not hasattr(NDArray, _name):
        setattr(NDArray, _name, (lambda f: lambda self, *args, **kwargs: f(self, *args, **kwargs))(_fn))

del _ns, _name, _fn
