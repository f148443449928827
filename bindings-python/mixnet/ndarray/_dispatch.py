"""The op-dispatch runtime the generated wrappers call (mixnet/_generated/ops.py).

``invoke`` is the SWIG module's METH_FASTCALL entry: inputs as a tuple of NDArrays, parameters as
parallel lists of MXNet strings, ``out`` None / an NDArray / a list. Nothing else runs per call
except the wrapper's own comparisons with its defaults.
"""
import numpy as np

from .. import _capi

invoke = _capi.invoke


def op_handle(name):
    """The op handle (an int), or None when the library lacks the op (the registry-hash check at
    import reports that case with a clear message)."""
    try:
        return _capi.NNGetOpHandle(name)
    except Exception:  # noqa: BLE001 - reported by the hash check
        return None


def param_str(v):
    """A parameter value in MXNet's string form: True/False, (2, 3), 1e-05, None, float32."""
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "True" if v else "False"
    if t is int or t is float:
        return str(v)
    if t is tuple or t is list:
        if len(v) == 1:
            return "(%s,)" % param_str(v[0])
        return "(%s)" % ", ".join([param_str(x) for x in v])
    if v is None:
        return "None"
    if isinstance(v, np.generic):
        return param_str(v.item())
    if isinstance(v, (np.dtype, type)):
        from ._dtype import dtype_name
        return dtype_name(v)
    return str(v)


def add_kwargs(kwargs, keys, vals):
    """Extra keyword arguments go through as MXNet attributes (the library rejects unknown ones)."""
    for k, v in kwargs.items():
        keys.append(k)
        vals.append(param_str(v))


def kwargs_params(kwargs):
    keys, vals = [], []
    add_kwargs(kwargs, keys, vals)
    return keys, vals
