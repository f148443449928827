"""Creating arrays (`mx.nd.array`, `zeros`, `ones`, `full`, `arange`, `empty`), DLPack import,
running an op by name, and `waitall`."""
import numbers

import numpy as np

from .. import _capi
from ..base import MXNetValueError
from ..context import Context, current_context
from ._dispatch import invoke as _invoke, param_str as _param_str
from ._dtype import dtype_code, dtype_name, np_dtype
from .ndarray import NDArray, _OPS


def _shape_tuple(shape):
    if isinstance(shape, (numbers.Integral, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _ctx(ctx):
    return current_context() if ctx is None else Context(ctx)


def empty(shape, ctx=None, dtype=None):
    """A new uninitialised array."""
    c = _ctx(ctx)
    return _capi.MXNDArrayCreate64(_shape_tuple(shape), c.device_typeid, c.device_id, dtype_code(dtype))


def array(source_array, ctx=None, dtype=None):
    """An array copied from an NDArray, a NumPy array or nested lists. dtype defaults to the source
    NDArray's, else float32 (MXNet 1.x; NumPy's float64 becomes float32)."""
    if isinstance(source_array, NDArray):
        dtype = source_array.dtype if dtype is None else dtype
        source_array = source_array.asnumpy()
    elif dtype is None:
        dtype = "float32"
    name = dtype_name(dtype)
    src = np.asarray(source_array, dtype=np_dtype(dtype_code(name)))
    out = empty(src.shape, ctx=ctx, dtype=name)
    if src.size:
        out._sync_copyfrom(src)
    return out


def _creation(op, shape, ctx, dtype, extra_keys=(), extra_vals=(), out=None):
    keys = ("shape", "ctx", "dtype") + tuple(extra_keys)
    vals = (_param_str(_shape_tuple(shape)), str(_ctx(ctx)), dtype_name(dtype)) + tuple(extra_vals)
    return _invoke(_OPS[op], (), keys, vals, out)


def zeros(shape, ctx=None, dtype=None, **kwargs):
    """An array of zeros."""
    return _creation("_zeros", shape, ctx, dtype, out=kwargs.get("out"))


def ones(shape, ctx=None, dtype=None, **kwargs):
    """An array of ones."""
    return _creation("_ones", shape, ctx, dtype, out=kwargs.get("out"))


def full(shape, val, ctx=None, dtype=np.float32, out=None):
    """An array filled with `val`."""
    return _creation("_full", shape, ctx, dtype, ("value",), (str(float(val)),), out=out)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=None, ctx=None, dtype=np.float32):
    """Evenly spaced values in [start, stop) (MXNet's `arange`, float32 by default)."""
    keys = ["start", "step", "repeat", "ctx", "dtype"]
    vals = [str(float(start)), str(float(step)), str(int(repeat)), str(_ctx(ctx)), dtype_name(dtype)]
    if stop is not None:
        keys.append("stop")
        vals.append(str(float(stop)))
    return _invoke(_OPS["_arange"], (), keys, vals, None)


def from_dlpack(dlpack):
    """An NDArray sharing the memory of a DLPack capsule or of an object with __dlpack__ (no copy)."""
    capsule = dlpack.__dlpack__() if hasattr(dlpack, "__dlpack__") else dlpack
    return _capi.from_dlpack(capsule)


def from_numpy(ndarray, zero_copy=True):
    """An NDArray over a NumPy array: shares its memory when zero_copy (it must be C-contiguous and
    writable), else a copy."""
    if not zero_copy:
        return array(ndarray, dtype=ndarray.dtype)
    if not ndarray.flags["C_CONTIGUOUS"]:
        raise MXNetValueError("from_numpy: zero_copy needs a C-contiguous array")
    return from_dlpack(ndarray)


def to_dlpack_for_read(data):
    return _capi.to_dlpack(data)


def to_dlpack_for_write(data):
    return _capi.to_dlpack(data)


def invoke(op_name, inputs, attrs=None, out=None):
    """Runs the op registered as `op_name` (a name or alias) with MXNet string attributes, exactly as
    a symbol JSON would (`{"kernel": "(3, 3)"}`); always returns a list of outputs."""
    handle = _capi.NNGetOpHandle(op_name)
    attrs = attrs or {}
    res = _invoke(handle, tuple(inputs), list(attrs.keys()), [str(v) for v in attrs.values()], out)
    return res if isinstance(res, list) else [res]


def waitall():
    """Blocks until every pushed op is done (re-raises a pending error)."""
    _capi.MXNDArrayWaitAll()
