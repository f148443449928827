"""Apache MXNet 1.x `.params` files: `mx.nd.save`, `load`, and their in-memory forms."""
from .. import _capi
from ..base import MXNetTypeError
from .ndarray import NDArray


def _save_args(data):
    if isinstance(data, NDArray):
        return [data], None
    if isinstance(data, dict):
        keys = list(data.keys())
        for k, v in data.items():
            if not isinstance(k, str) or not isinstance(v, NDArray):
                raise MXNetTypeError("save: a dict must map str to NDArray, got %s -> %s" %
                                     (type(k).__name__, type(v).__name__))
        return [data[k] for k in keys], keys
    if isinstance(data, (list, tuple)):
        for v in data:
            if not isinstance(v, NDArray):
                raise MXNetTypeError("save: a list must hold only NDArrays, got %s" % type(v).__name__)
        return list(data), None
    raise MXNetTypeError("save: data must be an NDArray, a list or a dict of NDArrays, got %s" %
                         type(data).__name__)


def save(fname, data):
    """Saves arrays in Apache MXNet 1.x's .params format (a list, or a dict str -> NDArray)."""
    arrays, keys = _save_args(data)
    _capi.MXNDArraySave(str(fname), arrays, keys)


def _loaded(arrays, names):
    if names:
        return dict(zip(names, arrays))
    return arrays


def load(fname):
    """Loads a .params file: a dict when the arrays are named, else a list."""
    arrays, names = _capi.MXNDArrayLoad(str(fname))
    return _loaded(arrays, names)


def save_tobuffer(data):
    arrays, keys = _save_args(data)
    return _capi.MXNDArraySaveToBuffer(arrays, keys)


def load_frombuffer(buf):
    """Loads .params bytes (as written by save or by Apache MXNet)."""
    arrays, names = _capi.MXNDArrayLoadFromBuffer(buf)
    return _loaded(arrays, names)
