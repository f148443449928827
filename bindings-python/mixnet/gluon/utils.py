"""Helpers around training steps (Apache MXNet 1.x's ``mx.gluon.utils``): ``split_data``,
``split_and_load``, ``clip_global_norm`` and ``check_sha1``. ``download`` is not provided:
mixnet never fetches files."""
import hashlib
import warnings

import numpy as np

from .. import ndarray as nd
from ..base import MXNetValueError


def split_data(data, num_slice, batch_axis=0, even_split=True):
    """Splits an NDArray into ``num_slice`` slices along ``batch_axis`` (MXNet semantics: every
    slice has ``size // num_slice`` items and the last one also takes the remainder; with
    ``even_split=False`` and fewer items than slices, one slice per item). Slices along axis 0 are
    views. Raises MXNetValueError when ``even_split`` and the size is not divisible, or num_slice < 1.
    """
    if num_slice < 1:
        raise MXNetValueError("split_data: num_slice must be positive, got %d" % num_slice)
    size = data.shape[batch_axis]
    if even_split and size % num_slice != 0:
        raise MXNetValueError(
            "data with shape %s cannot be evenly split into %d slices along axis %d. Use a batch size that's "
            "multiple of %d or set even_split=False to allow uneven partitioning of data." %
            (str(data.shape), num_slice, batch_axis, num_slice))
    if not even_split and size < num_slice:
        num_slice = size
    step = size // num_slice
    bounds = [(i * step, (i + 1) * step if i < num_slice - 1 else size) for i in range(num_slice)]
    if batch_axis == 0:
        return [data[b:e] for b, e in bounds]
    return [nd.slice_axis(data, axis=batch_axis, begin=b, end=e) for b, e in bounds]


def split_and_load(data, ctx_list, batch_axis=0, even_split=True):
    """Splits ``data`` (an NDArray, or anything ``mx.nd.array`` accepts) into one slice per context
    and copies each slice to its context (see split_data for the split and what it raises)."""
    if not isinstance(data, nd.NDArray):
        data = nd.array(data, ctx=ctx_list[0])
    if len(ctx_list) == 1:
        return [data.as_in_context(ctx_list[0])]
    slices = split_data(data, len(ctx_list), batch_axis, even_split)
    return [s.as_in_context(ctx) for s, ctx in zip(slices, ctx_list)]


def clip_global_norm(arrays, max_norm, check_isfinite=True):
    """Rescales NDArrays in place so that their joint L2 norm is at most ``max_norm``: each is
    multiplied by ``min(1, max_norm / (total_norm + 1e-8))``. Returns the total norm before
    clipping: a Python-readable float32 scalar when ``check_isfinite`` (which also warns when it
    is NaN or infinite), else a 1-element NDArray (nothing waits for the engine). Raises
    MXNetValueError for an empty list."""
    if len(arrays) == 0:
        raise MXNetValueError("clip_global_norm: arrays must not be empty")
    squares = []
    for a in arrays:  # squared norms in float32 (float16 squares overflow early), one value each
        x = a if a._dtype_name == "float32" else a.astype("float32")
        x = x.reshape((-1,))
        squares.append(nd.dot(x, x).reshape((1,)))
    total_norm = nd.sqrt(nd.add_n(*squares) if len(squares) > 1 else squares[0])
    if check_isfinite:
        if not np.isfinite(total_norm.asscalar()):
            warnings.warn(UserWarning("nan or inf is detected. Clipping results will be undefined."), stacklevel=2)
    scale = nd._internal._minimum_scalar(max_norm / (total_norm + 1e-8), scalar=1.0)
    for a in arrays:
        a *= scale if a._dtype_name == "float32" else scale.astype(a.dtype)
    if check_isfinite:
        return total_norm.asscalar()
    return total_norm


def check_sha1(filename, sha1_hash):
    """Whether the SHA-1 of a file's contents equals ``sha1_hash`` (hex)."""
    sha1 = hashlib.sha1()
    with open(filename, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha1.update(chunk)
    return sha1.hexdigest() == sha1_hash
