"""dtype codes of the C ABI (Apache MXNet 1.x type flags) <-> NumPy dtypes."""
import numpy as np

try:  # bfloat16 as a NumPy dtype comes from ml_dtypes when it is installed
    import ml_dtypes as _ml_dtypes
    BFLOAT16 = np.dtype(_ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - exercised only without ml_dtypes
    BFLOAT16 = None

_CODE_TO_NAME = {0: "float32", 1: "float64", 2: "float16", 3: "uint8", 4: "int32", 5: "int8", 6: "int64",
                 7: "bool", 12: "bfloat16"}
NAME_TO_CODE = {v: k for k, v in _CODE_TO_NAME.items()}
_CODE_TO_NP = {k: np.dtype(v) for k, v in _CODE_TO_NAME.items() if v != "bfloat16"}
if BFLOAT16 is not None:
    _CODE_TO_NP[12] = BFLOAT16


def dtype_name(dtype):
    """MXNet's name of a dtype given as a name, a NumPy dtype or a type (np.float32, float, bool)."""
    if dtype is None:
        return "float32"
    if isinstance(dtype, str):
        name = dtype
    elif BFLOAT16 is not None and np.dtype(dtype) == BFLOAT16:
        name = "bfloat16"
    else:
        name = np.dtype(dtype).name
    if name not in NAME_TO_CODE:
        from ..base import MXNetTypeError
        raise MXNetTypeError("dtype %r is not supported by mixnet (supported: %s)" %
                             (dtype, ", ".join(NAME_TO_CODE)))
    return name


def dtype_code(dtype):
    return NAME_TO_CODE[dtype_name(dtype)]


def np_dtype(code):
    """The NumPy dtype of a dtype code (bfloat16 needs ml_dtypes)."""
    dt = _CODE_TO_NP.get(code)
    if dt is None:
        from ..base import MXNetTypeError
        raise MXNetTypeError("dtype %s has no NumPy equivalent here (install ml_dtypes for bfloat16)" %
                             _CODE_TO_NAME.get(code, code))
    return dt


def buffer_view(a):
    """A view of a NumPy array the buffer protocol can export (custom dtypes as raw bits)."""
    if BFLOAT16 is not None and a.dtype == BFLOAT16:
        return a.view(np.uint16)
    return a
