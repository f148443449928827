"""Batchify functions of ``mx.gluon.data`` (Apache MXNet 1.x): turn a list of samples into a batch.

``default_batchify_fn``: NDArray samples are stacked on a new axis 0 (one ``stack`` op); tuple
samples are batchified field by field into a list; anything else (NumPy arrays and scalars,
Python numbers) goes through ``np.asarray`` and becomes an NDArray of NumPy's dtype (so Python
ints give int64 and floats float64, as in MXNet). ``Stack``, ``Pad`` and ``Group`` are the
composable batchify classes of ``mx.gluon.data.batchify``.
"""
import numpy as np

from ... import ndarray as nd
from ...base import MXNetTypeError, MXNetValueError


def default_batchify_fn(data):
    """Stacks a list of samples into a batch (see the module docstring). Raises MXNetValueError
    for an empty list and MXNetTypeError when samples mix NDArrays with other values or NumPy
    gives a dtype mixnet lacks."""
    if len(data) == 0:
        raise MXNetValueError("default_batchify_fn: no samples")
    first = data[0]
    if isinstance(first, nd.NDArray):
        if not all(isinstance(d, nd.NDArray) for d in data):
            raise MXNetTypeError("default_batchify_fn: a batch mixes NDArrays and other values")
        return nd.stack(*data, axis=0)
    if isinstance(first, tuple):
        return [default_batchify_fn(list(field)) for field in zip(*data)]
    arr = np.asarray(data)
    return nd.array(arr, dtype=arr.dtype)


#: MXNet batchifies into shared memory for worker processes; mixnet's workers are threads.
default_mp_batchify_fn = default_batchify_fn


class Stack(object):
    """Stacks samples of equal shape on a new axis 0 (``mx.gluon.data.batchify.Stack``)."""

    def __call__(self, data):
        if isinstance(data[0], nd.NDArray):
            return nd.stack(*data, axis=0)
        arr = np.asarray(data)
        return nd.array(arr, dtype=arr.dtype)


class Pad(object):
    """Pads samples along ``axis`` to the longest one with ``val`` and stacks them
    (``mx.gluon.data.batchify.Pad``); ``ret_length`` also returns the original lengths (int32).
    ``dtype`` defaults to the samples' dtype."""

    def __init__(self, axis=0, pad_val=None, ret_length=False, dtype=None, round_to=None):
        self._axis, self._pad_val, self._ret_length = axis, 0 if pad_val is None else pad_val, ret_length
        self._dtype, self._round_to = dtype, round_to

    def __call__(self, data):
        arrs = [d.asnumpy() if isinstance(d, nd.NDArray) else np.asarray(d) for d in data]
        lengths = np.array([a.shape[self._axis] for a in arrs], dtype=np.int32)
        size = int(lengths.max())
        if self._round_to:
            size = -(-size // self._round_to) * self._round_to
        dtype = self._dtype or arrs[0].dtype
        shape = list(arrs[0].shape)
        shape[self._axis] = size
        out = np.full([len(arrs)] + shape, self._pad_val, dtype=dtype)
        for i, a in enumerate(arrs):
            sl = [slice(None)] * a.ndim
            sl[self._axis] = slice(0, a.shape[self._axis])
            out[(i,) + tuple(sl)] = a
        batch = nd.array(out, dtype=out.dtype)
        return (batch, nd.array(lengths, dtype="int32")) if self._ret_length else batch


class Group(object):
    """Applies one batchify function per field of tuple samples (``mx.gluon.data.batchify.Group``)."""

    def __init__(self, fn, *args):
        self._fn = list(fn) if isinstance(fn, (list, tuple)) else [fn] + list(args)

    def __call__(self, data):
        if len(data[0]) != len(self._fn):
            raise MXNetValueError("Group: samples have %d fields but %d batchify functions were given" %
                                  (len(data[0]), len(self._fn)))
        return tuple(fn([d[i] for d in data]) for i, fn in enumerate(self._fn))
