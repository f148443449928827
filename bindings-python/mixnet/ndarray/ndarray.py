"""NDArray (Apache MXNet 1.x's ``mx.nd.NDArray``) and the creation / file functions of ``mx.nd``.

An NDArray is a ``capi.NDArrayBase``: a C object owning one library handle, freed when the Python
object goes. Operators dispatch straight to the op's handle through ``_capi.invoke``.
"""
import numbers

import numpy as np

from .. import _capi
from ..base import MXNetIndexError, MXNetTypeError, MXNetValueError
from ..context import Context
from ._dispatch import invoke as _invoke, op_handle as _op_handle, param_str as _param_str
from ._dtype import buffer_view, dtype_name, np_dtype

_E = ()
_OPS = {name: _op_handle(name) for name in (
    "broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div", "broadcast_mod", "broadcast_power",
    "broadcast_equal", "broadcast_not_equal", "broadcast_greater", "broadcast_greater_equal",
    "broadcast_lesser", "broadcast_lesser_equal", "_plus_scalar", "_minus_scalar", "_rminus_scalar",
    "_mul_scalar", "_div_scalar", "_rdiv_scalar", "_mod_scalar", "_rmod_scalar", "_power_scalar",
    "_rpower_scalar", "_equal_scalar", "_not_equal_scalar", "_greater_scalar", "_greater_equal_scalar",
    "_lesser_scalar", "_lesser_equal_scalar", "negative", "abs", "_copy", "Cast", "transpose", "slice",
    "_full", "_zeros", "_ones", "_arange", "broadcast_to", "take", "zeros_like")}
_ADD = _OPS["broadcast_add"]
_PLUS_SCALAR = _OPS["_plus_scalar"]
_SCALAR_KEYS = ("scalar",)


def _scalar(self, op, value, out=None):
    """Array-scalar op. MXNet 1.9.1 sends `scalar=float(value)` and nothing else, so `is_int` keeps
    its default and an integer array stays integer (int32 array + 2.5 -> int32, as MXNet)."""
    return _invoke(op, (self,), _SCALAR_KEYS, (str(float(value)),), out)


def _binary(self, other, array_op, scalar_op, out=None):
    if isinstance(other, NDArray):
        return _invoke(array_op, (self, other), _E, _E, out)
    if isinstance(other, numbers.Number):
        return _scalar(self, scalar_op, other, out)
    if isinstance(other, (np.ndarray, list, tuple)):
        return _invoke(array_op, (self, array(other, dtype=self.dtype)), _E, _E, out)
    return NotImplemented


def _compare(self, other, array_op, scalar_op):
    """Comparisons: like arithmetic, but an unsupported operand is a TypeError (MXNet 1.x raises
    for `x == None` rather than falling back to identity)."""
    res = _binary(self, other, array_op, scalar_op)
    if res is NotImplemented:
        raise MXNetTypeError("type %s not supported" % str(type(other)))
    return res


def _rbinary(self, other, array_op, rscalar_op):
    if isinstance(other, numbers.Number):
        return _scalar(self, rscalar_op, other)
    if isinstance(other, (np.ndarray, list, tuple)):
        return _invoke(array_op, (array(other, dtype=self.dtype), self), _E, _E, None)
    return NotImplemented


class NDArray(_capi.NDArrayBase):
    """An n-dimensional array on a device, computed asynchronously by the engine."""

    __slots__ = ()
    # NumPy defers to our reflected operators (np.float32(2) * x gives an NDArray).
    __array_priority__ = 1000.0

    # ---- facts -------------------------------------------------------------------------------
    @property
    def shape(self):
        """Tuple of dimensions."""
        return _capi.MXNDArrayGetShapeEx64(self)

    @property
    def dtype(self):
        """The NumPy scalar type, as MXNet 1.x gives it (`np.float32`; bfloat16 as
        `ml_dtypes.bfloat16`); it compares equal to the matching np.dtype and name."""
        return np_dtype(_capi.MXNDArrayGetDType(self)).type

    @property
    def _dtype_name(self):
        return dtype_name_of_code(_capi.MXNDArrayGetDType(self))

    @property
    def context(self):
        dev_type, dev_id = _capi.MXNDArrayGetContext(self)
        return Context(Context.devtype2str[dev_type], dev_id)

    ctx = context

    @property
    def size(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def stype(self):
        return "default"

    @property
    def T(self):
        """The transpose (arrays of fewer than 2 dimensions are returned unchanged)."""
        if self.ndim < 2:
            return self
        return _invoke(_OPS["transpose"], (self,), _E, _E, None)

    def __len__(self):
        shape = self.shape
        if not shape:
            raise TypeError("len() of a 0-d NDArray")
        return shape[0]

    def __repr__(self):
        shape_info = "x".join("%d" % d for d in self.shape)
        return "\n%s\n<%s %s @%s>" % (str(self.asnumpy()), self.__class__.__name__, shape_info, self.context)

    __hash__ = object.__hash__

    # ---- host data ---------------------------------------------------------------------------
    def asnumpy(self):
        """A NumPy copy of the data (waits for pending writes)."""
        out = np.empty(self.shape, dtype=self.dtype)
        _capi.MXNDArraySyncCopyToCPU(self, buffer_view(out), out.size)
        return out

    def __array__(self, dtype=None, copy=None):
        # NumPy normally takes the buffer protocol (no copy) and comes here only for bfloat16 or
        # when a copy is asked for; copy=False must not copy (NumPy 2's rule).
        if copy is False:
            a = np.asarray(memoryview(self))
            if dtype is not None and np.dtype(dtype) != a.dtype:
                raise ValueError("NDArray.__array__: converting %s to %s needs a copy" % (a.dtype, np.dtype(dtype)))
            return a
        a = self.asnumpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    def asscalar(self):
        """The value of a one-element array as a NumPy scalar."""
        if self.size != 1:
            raise MXNetValueError("NDArray.asscalar: the array is not a scalar (shape %s)" % (self.shape,))
        return self.asnumpy().reshape(())[()]

    def item(self):
        return self.asscalar().item()

    def __bool__(self):
        n = self.size
        if n == 0:
            return False
        if n == 1:
            return bool(self.asscalar())
        raise MXNetValueError("The truth value of an NDArray with more than one element is ambiguous.")

    def __float__(self):
        return float(self.asscalar())

    def __int__(self):
        return int(self.asscalar())

    def __index__(self):
        if self.size == 1 and np.issubdtype(self.dtype, np.integer):
            return int(self.asscalar())
        raise TypeError("only integer scalar NDArrays can be converted to an index")

    def _sync_copyfrom(self, source):
        """Copies a NumPy array (or array-like) of the same size into this array."""
        src = np.ascontiguousarray(np.asarray(source, dtype=self.dtype))
        if src.size != self.size:
            raise MXNetValueError("NDArray: cannot copy %d elements into an array of shape %s" %
                                  (src.size, self.shape))
        _capi.MXNDArraySyncCopyFromCPU(self, buffer_view(src), src.size)

    # ---- DLPack --------------------------------------------------------------------------------
    def __dlpack__(self, stream=None, max_version=None, dl_device=None, copy=None):
        """A DLPack capsule sharing this array's memory (pending writes are waited for first): the
        1.0 layout when the consumer accepts it (writable in NumPy 2), else the 0.x one."""
        if copy:
            return self.copy().__dlpack__(stream=stream, max_version=max_version)
        if max_version is not None and max_version[0] >= 1:
            return _capi.to_dlpack_versioned(self)
        return _capi.to_dlpack(self)

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU, device 0

    def to_dlpack_for_read(self):
        return _capi.to_dlpack(self)

    def to_dlpack_for_write(self):
        return _capi.to_dlpack(self)

    # ---- sync --------------------------------------------------------------------------------
    def wait_to_read(self):
        """Blocks until pending writes are done; re-raises an error of the ops that produced it."""
        _capi.MXNDArrayWaitToRead(self)

    def wait_to_write(self):
        _capi.MXNDArrayWaitToWrite(self)

    # ---- copies and conversions -----------------------------------------------------------------
    def copy(self):
        return _invoke(_OPS["_copy"], (self,), _E, _E, None)

    def copyto(self, other):
        """Copies into `other` (an NDArray of the same shape) or to a new array on a Context."""
        if isinstance(other, NDArray):
            if other is self:
                return other
            return _invoke(_OPS["_copy"], (self,), _E, _E, other)
        if isinstance(other, Context):
            out = empty(self.shape, ctx=other, dtype=self.dtype)
            return _invoke(_OPS["_copy"], (self,), _E, _E, out)
        raise MXNetTypeError("copyto: expected an NDArray or a Context, got %s" % type(other).__name__)

    def as_in_context(self, context):
        if self.context == context:
            return self
        return self.copyto(context)

    as_in_ctx = as_in_context

    def astype(self, dtype, copy=True):
        name = dtype_name(dtype)
        if not copy and name == self._dtype_name:
            return self
        return _invoke(_OPS["Cast"], (self,), ("dtype",), (name,), None)

    def reshape(self, *shape, **kwargs):
        """A view with a new shape (MXNet's special codes 0, -1, -2, -3, -4; reverse=True)."""
        reverse = bool(kwargs.pop("reverse", False))
        if "shape" in kwargs:
            shape = kwargs.pop("shape")
        elif len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        if kwargs:
            raise TypeError("reshape: unexpected keyword arguments %s" % sorted(kwargs))
        return _capi.MXNDArrayReshape64(self, [int(d) for d in shape], int(reverse))

    def detach(self):
        """A new array sharing this one's storage, outside the recorded graph."""
        return _capi.MXNDArrayDetach(self)

    # ---- autograd -------------------------------------------------------------------------------
    def attach_grad(self, grad_req="write", stype=None):
        """Allocates a zero gradient buffer and marks this array as a variable to differentiate."""
        from ..autograd import GRAD_REQ_CODES
        if grad_req not in GRAD_REQ_CODES:
            raise MXNetValueError("attach_grad: grad_req must be one of %s, got %r" %
                                  (", ".join(GRAD_REQ_CODES), grad_req))
        grad = _invoke(_OPS["zeros_like"], (self,), _E, _E, None)
        _capi.mark_variables([self], [GRAD_REQ_CODES[grad_req]], [grad])

    @property
    def grad(self):
        """The gradient buffer of a variable (after attach_grad), else None."""
        return _capi.MXNDArrayGetGrad(self)

    def backward(self, out_grad=None, retain_graph=False, train_mode=True):
        """Computes the gradients of this array with respect to the marked variables."""
        _capi.backward([self], None if out_grad is None else [out_grad], None, retain_graph, train_mode)

    # ---- arithmetic (MXNet 1.x: arrays broadcast, scalars through the *_scalar ops) -------------
    # `+` itself is NDArrayBase's C slot (nb_add): NDArray + NDArray runs broadcast_add without a
    # Python frame; other operands come to _add / _radd. Defining __add__ or __radd__ here would
    # replace that slot.
    def _add(self, other):
        return _binary(self, other, _ADD, _PLUS_SCALAR)

    def _radd(self, other):
        return _rbinary(self, other, _ADD, _PLUS_SCALAR)

    def __iadd__(self, other):
        return _binary(self, other, _ADD, _PLUS_SCALAR, out=self)

    def __sub__(self, other):
        return _binary(self, other, _OPS["broadcast_sub"], _OPS["_minus_scalar"])

    def __rsub__(self, other):
        return _rbinary(self, other, _OPS["broadcast_sub"], _OPS["_rminus_scalar"])

    def __isub__(self, other):
        return _binary(self, other, _OPS["broadcast_sub"], _OPS["_minus_scalar"], out=self)

    def __mul__(self, other):
        return _binary(self, other, _OPS["broadcast_mul"], _OPS["_mul_scalar"])

    def __rmul__(self, other):
        return _rbinary(self, other, _OPS["broadcast_mul"], _OPS["_mul_scalar"])

    def __imul__(self, other):
        return _binary(self, other, _OPS["broadcast_mul"], _OPS["_mul_scalar"], out=self)

    def __truediv__(self, other):
        return _binary(self, other, _OPS["broadcast_div"], _OPS["_div_scalar"])

    def __rtruediv__(self, other):
        return _rbinary(self, other, _OPS["broadcast_div"], _OPS["_rdiv_scalar"])

    def __itruediv__(self, other):
        return _binary(self, other, _OPS["broadcast_div"], _OPS["_div_scalar"], out=self)

    __div__, __rdiv__, __idiv__ = __truediv__, __rtruediv__, __itruediv__

    def __mod__(self, other):
        return _binary(self, other, _OPS["broadcast_mod"], _OPS["_mod_scalar"])

    def __rmod__(self, other):
        return _rbinary(self, other, _OPS["broadcast_mod"], _OPS["_rmod_scalar"])

    def __imod__(self, other):
        return _binary(self, other, _OPS["broadcast_mod"], _OPS["_mod_scalar"], out=self)

    def __pow__(self, other):
        return _binary(self, other, _OPS["broadcast_power"], _OPS["_power_scalar"])

    def __rpow__(self, other):
        return _rbinary(self, other, _OPS["broadcast_power"], _OPS["_rpower_scalar"])

    def __neg__(self):
        return _invoke(_OPS["negative"], (self,), _E, _E, None)

    def __pos__(self):
        return self

    def __abs__(self):
        return _invoke(_OPS["abs"], (self,), _E, _E, None)

    def __eq__(self, other):
        return _compare(self, other, _OPS["broadcast_equal"], _OPS["_equal_scalar"])

    def __ne__(self, other):
        return _compare(self, other, _OPS["broadcast_not_equal"], _OPS["_not_equal_scalar"])

    def __gt__(self, other):
        return _compare(self, other, _OPS["broadcast_greater"], _OPS["_greater_scalar"])

    def __ge__(self, other):
        return _compare(self, other, _OPS["broadcast_greater_equal"], _OPS["_greater_equal_scalar"])

    def __lt__(self, other):
        return _compare(self, other, _OPS["broadcast_lesser"], _OPS["_lesser_scalar"])

    def __le__(self, other):
        return _compare(self, other, _OPS["broadcast_lesser_equal"], _OPS["_lesser_equal_scalar"])

    # ---- indexing -------------------------------------------------------------------------------
    def __getitem__(self, key):
        """Ints and step-1 slices of the first axis are views (as in MXNet); tuples of ints and
        slices (any step) go through the `slice` op; an integer array picks rows (`take`)."""
        shape = self.shape
        if isinstance(key, (numbers.Integral, np.integer)) and not isinstance(key, bool):
            return _capi.MXNDArrayAt64(self, _check_index(int(key), shape, 0))
        if isinstance(key, slice) and (key.step is None or key.step == 1) and shape:
            start, stop, _ = key.indices(shape[0])
            return _capi.MXNDArraySlice64(self, start, max(start, stop))
        if isinstance(key, (NDArray, np.ndarray, list)):
            idx = key if isinstance(key, NDArray) else array(key, dtype="int64")
            return _invoke(_OPS["take"], (self, idx), _E, _E, None)
        begin, end, step, keep = _basic_index(key, shape)
        out = _invoke(_OPS["slice"], (self,), ("begin", "end", "step"),
                      (_param_str(begin), _param_str(end), _param_str(step)), None)
        new_shape = [d for d, k in zip(out.shape, keep) if k]
        if len(new_shape) == len(shape):
            return out
        return out.reshape(new_shape if new_shape else (1,))

    def __setitem__(self, key, value):
        """`x[:] = v`, `x[i] = v`, `x[a:b] = v` write in place through views; other keys through a
        host round trip. Values: NDArrays (broadcast), numbers, array-likes."""
        shape = self.shape
        if isinstance(key, slice) and key == slice(None) or key is Ellipsis:
            target = self
        elif (isinstance(key, (numbers.Integral, np.integer)) and not isinstance(key, bool)) or \
                (isinstance(key, slice) and (key.step is None or key.step == 1) and shape):
            target = self[key]
        else:
            host = self.asnumpy()
            host[key] = value.asnumpy() if isinstance(value, NDArray) else value
            self._sync_copyfrom(host)
            return
        _assign(target, value)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    # ---- a few MXNet 1.x fluent methods ---------------------------------------------------------
    def zeros_like(self):
        return _invoke(_OPS["zeros_like"], (self,), _E, _E, None)

    def broadcast_to(self, shape):
        return _invoke(_OPS["broadcast_to"], (self,), ("shape",), (_param_str(tuple(shape)),), None)

    def tostype(self, stype):
        if stype != "default":
            raise MXNetTypeError("tostype: only 'default' storage exists in mixnet, got %r" % (stype,))
        return self


def dtype_name_of_code(code):
    from ._dtype import _CODE_TO_NAME
    return _CODE_TO_NAME[code]


def _check_index(i, shape, axis):
    if not shape:
        raise MXNetIndexError("NDArray: too many indices for a 0-d array")
    n = shape[axis]
    j = i + n if i < 0 else i
    if not 0 <= j < n:
        raise MXNetIndexError("NDArray: index %d is out of bounds for axis %d with size %d" % (i, axis, n))
    return j


def _basic_index(key, shape):
    """begin/end/step tuples for `slice` and which axes stay (ints drop theirs)."""
    if not isinstance(key, tuple):
        key = (key,)
    if any(k is Ellipsis for k in key):
        pos = [i for i, k in enumerate(key) if k is Ellipsis]
        if len(pos) > 1:
            raise MXNetIndexError("NDArray: an index can only have a single ellipsis")
        fill = len(shape) - (len(key) - 1)
        key = key[:pos[0]] + (slice(None),) * fill + key[pos[0] + 1:]
    if len(key) > len(shape):
        raise MXNetIndexError("NDArray: too many indices (%d) for an array of shape %s" % (len(key), shape))
    begin, end, step, keep = [], [], [], []
    for axis, k in enumerate(key):
        if isinstance(k, (numbers.Integral, np.integer)) and not isinstance(k, bool):
            j = _check_index(int(k), shape, axis)
            begin.append(j)
            end.append(j + 1)
            step.append(1)
            keep.append(False)
        elif isinstance(k, slice):
            b, e, s = k.indices(shape[axis])
            if s < 0 and e < 0:
                e = None  # runs to the front: `None` in MXNet's slice
            begin.append(b)
            end.append(e)
            step.append(s)
            keep.append(True)
        else:
            raise MXNetTypeError("NDArray: unsupported index %r of type %s" % (k, type(k).__name__))
    keep.extend([True] * (len(shape) - len(key)))
    return tuple(begin), tuple(end), tuple(step), keep


def _assign(target, value):
    if isinstance(value, NDArray):
        if value is target:
            return
        if value.shape == target.shape:
            _invoke(_OPS["_copy"], (value,), _E, _E, target)
        else:
            shape = target.shape
            if value.ndim < len(shape):  # NumPy's rule: align on the right (broadcast_to needs equal rank)
                value = value.reshape((1,) * (len(shape) - value.ndim) + value.shape)
            _invoke(_OPS["broadcast_to"], (value,), ("shape",), (_param_str(shape),), target)
    elif isinstance(value, numbers.Number):
        _invoke(_OPS["_full"], (), ("shape", "dtype", "value"),
                (_param_str(target.shape), target._dtype_name, str(float(value))), target)
    else:
        host = np.broadcast_to(np.asarray(value, dtype=target.dtype), target.shape)
        target._sync_copyfrom(host)


_capi.set_ndarray_class(NDArray)


# Creation functions the operators use (imported last: creation.py imports NDArray from here).
from .creation import array, empty  # noqa: E402
