"""Gluon parameters (MXNet 1.x): ``Parameter`` (one weight with its gradient, deferred shapes with
0 for "unknown until the first forward") and ``ParameterDict`` (parameters by full name)."""
from collections import OrderedDict

import numpy as np

from .. import initializer as _init_mod
from .. import ndarray as nd
from ..base import MXNetError, MXNetNotFoundError, MXNetNotImplementedError, MXNetValueError


class DeferredInitializationError(MXNetError):
    """Raised by Parameter.data() while the shape is still unknown (initialise on first forward)."""


_GRAD_REQS = ("write", "add", "null")


def _shape_known(shape):
    return shape is not None and all(int(d) > 0 for d in shape)


class Parameter(object):
    """A parameter of a Block: ``Parameter('weight', shape=(10, 0))`` (0: filled in on first forward)."""

    def __init__(self, name, grad_req="write", shape=None, dtype=np.float32, lr_mult=1.0, wd_mult=1.0,
                 init=None, allow_deferred_init=False, differentiable=True, stype="default",
                 grad_stype="default"):
        if grad_req not in _GRAD_REQS:
            raise MXNetValueError("Parameter '%s': grad_req must be one of %s, got %r" % (name, _GRAD_REQS, grad_req))
        self.name = name
        self._shape = None if shape is None else ((int(shape),) if isinstance(shape, int) else tuple(shape))
        self.dtype = np.dtype(dtype).type if not isinstance(dtype, str) else np.dtype(dtype).type
        self.lr_mult = lr_mult
        self.wd_mult = wd_mult
        self.init = init
        self.allow_deferred_init = allow_deferred_init
        self._grad_req = grad_req if differentiable else "null"
        self._data = None
        self._deferred_init = None  # (init, default_init) waiting for a known shape

    def __repr__(self):
        return "Parameter %s (shape=%s, dtype=%s)" % (self.name, self.shape, np.dtype(self.dtype).name)

    # ---- shape / grad_req -----------------------------------------------------------------------
    @property
    def shape(self):
        return self._shape

    @shape.setter
    def shape(self, new_shape):
        new_shape = tuple(int(d) for d in new_shape)
        if self._shape is None:
            self._shape = new_shape
            return
        ok = len(self._shape) == len(new_shape) and all(o in (0, n) for o, n in zip(self._shape, new_shape))
        if not ok:
            raise MXNetValueError("Parameter '%s': cannot set shape %s, incompatible with %s" %
                             (self.name, new_shape, self._shape))
        self._shape = new_shape

    @property
    def grad_req(self):
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req):
        if req not in _GRAD_REQS:
            raise MXNetValueError("Parameter '%s': grad_req must be one of %s, got %r" % (self.name, _GRAD_REQS, req))
        if req == self._grad_req:
            return
        self._grad_req = req
        if self._data is not None:
            self._data = self._data.detach()
            if req != "null":
                self._data.attach_grad(req)

    # ---- initialisation -------------------------------------------------------------------------
    def initialize(self, init=None, ctx=None, default_init=None, force_reinit=False):
        """Allocates and fills the data (now, or on the first forward when the shape has 0s)."""
        if self._data is not None and not force_reinit:
            return
        if default_init is None:
            default_init = _init_mod.Uniform()
        if init is None:
            init = default_init
        if not _shape_known(self._shape):
            if not self.allow_deferred_init or self._shape is None:
                raise MXNetValueError("Parameter '%s': cannot initialise with unknown shape %s (deferred init is "
                                 "not allowed for it)" % (self.name, self._shape))
            self._deferred_init = (init,)
            return
        self._init_now(init)

    def _init_now(self, init):
        arr = nd.zeros(self._shape, dtype=self.dtype)
        desc = _init_mod.InitDesc(self.name, global_init=_init_mod.create(init))
        if self.init is not None:
            # the parameter's own initializer fills it whatever its name (MXNet's __init__ attr)
            _init_mod.create(self.init)._init_weight(desc, arr)
        else:
            _init_mod.create(init)(desc, arr)
        self._set_data_array(arr)
        self._deferred_init = None

    def _finish_deferred_init(self):
        if self._deferred_init is None:
            return
        if not _shape_known(self._shape):
            raise DeferredInitializationError("Parameter '%s': shape %s is still unknown" % (self.name, self._shape))
        self._init_now(self._deferred_init[0])

    def _set_data_array(self, arr):
        self._data = arr
        if self._grad_req != "null":
            self._data.attach_grad(self._grad_req)

    # ---- access ---------------------------------------------------------------------------------
    def _check(self):
        if self._data is not None:
            return
        if self._deferred_init is not None:
            raise DeferredInitializationError(
                "Parameter '%s' has not been initialized yet because initialization was deferred: its shape "
                "%s becomes known on the first forward" % (self.name, self._shape))
        raise MXNetError("Parameter '%s' has not been initialized; call initialize() first" % self.name)

    def data(self, ctx=None):
        self._check()
        return self._data

    def list_data(self):
        return [self.data()]

    def grad(self, ctx=None):
        self._check()
        if self._grad_req == "null":
            raise MXNetError("Parameter '%s': cannot get gradient array because grad_req='null'" % self.name)
        return self._data.grad

    def list_grad(self):
        return [self.grad()]

    def list_ctx(self):
        from ..context import cpu
        return [cpu()]

    def set_data(self, data):
        """Replaces the values (shape must match; a deferred parameter takes the shape of data)."""
        data = data if isinstance(data, nd.NDArray) else nd.array(data, dtype=self.dtype)
        self.shape = data.shape
        if self._data is None:
            if self._deferred_init is None:
                raise MXNetError("Parameter '%s' has not been initialized" % self.name)
            self._finish_deferred_init()
        self._data[:] = data.astype(np.dtype(self.dtype).name)

    def zero_grad(self):
        if self._data is None or self._grad_req == "null":
            return
        self._data.grad[:] = 0

    def cast(self, dtype):
        self.dtype = np.dtype(dtype).type
        if self._data is not None:
            self._set_data_array(self._data.astype(np.dtype(dtype).name))

    def var(self):
        raise MXNetNotImplementedError("Parameter.var: mx.sym is not available in mixnet yet")


class Constant(Parameter):
    """A parameter that is never updated (grad_req='null'), holding value."""

    def __init__(self, name, value):
        value = value if isinstance(value, nd.NDArray) else nd.array(value)
        super(Constant, self).__init__(name, grad_req="null", shape=value.shape, dtype=value.dtype,
                                       init=_init_mod.Constant(0))
        self.value = value

    def _init_now(self, init):
        self._set_data_array(self.value.copy())
        self._deferred_init = None


class ParameterDict(object):
    """Parameters by full name, all starting with prefix (``dense0_``)."""

    def __init__(self, prefix="", shared=None):
        self._prefix = prefix
        self._params = OrderedDict()
        self._shared = shared

    @property
    def prefix(self):
        return self._prefix

    def __repr__(self):
        body = "\n".join("  %r" % p for p in self._params.values())
        return "%s (\n%s\n)" % (self._prefix, body)

    def __getitem__(self, key):
        return self._params[key]

    def __contains__(self, key):
        return key in self._params

    def __iter__(self):
        return iter(self._params)

    def __len__(self):
        return len(self._params)

    def items(self):
        return self._params.items()

    def keys(self):
        return self._params.keys()

    def values(self):
        return self._params.values()

    def _get_impl(self, name):
        if name in self._params:
            return self._params[name]
        if self._shared is not None and name in self._shared._params:
            self._params[name] = self._shared._params[name]
            return self._params[name]
        return None

    def get(self, name, **kwargs):
        """The parameter prefix+name, created with kwargs when absent (existing ones must agree)."""
        full = self._prefix + name
        param = self._get_impl(full)
        if param is None:
            param = Parameter(full, **kwargs)
            self._params[full] = param
            return param
        for k, v in kwargs.items():
            if k == "shape" and v is not None and param.shape is not None:
                v = tuple(v) if not isinstance(v, int) else (v,)
                if len(v) == len(param.shape) and all(a == b or 0 in (a, b) for a, b in zip(v, param.shape)):
                    param.shape = tuple(max(a, b) for a, b in zip(v, param.shape))
                    continue
                raise MXNetValueError("ParameterDict.get: '%s' has shape %s, asked for %s" % (full, param.shape, v))
            if k == "dtype" and v is not None:
                if np.dtype(v) != np.dtype(param.dtype):
                    raise MXNetValueError("ParameterDict.get: '%s' has dtype %s, asked for %s" % (full, param.dtype, v))
                continue
            if k in ("lr_mult", "wd_mult", "grad_req") and getattr(param, k) != v:
                raise MXNetValueError("ParameterDict.get: '%s' has %s=%r, asked for %r" %
                                      (full, k, getattr(param, k), v))
        return param

    def get_constant(self, name, value=None):
        full = self._prefix + name
        param = self._get_impl(full)
        if param is None:
            if value is None:
                raise MXNetNotFoundError("ParameterDict.get_constant: no constant '%s' and no value given" % full)
            param = Constant(full, value)
            self._params[full] = param
        return param

    def update(self, other):
        for k, v in other.items():
            if k in self._params and self._params[k] is not v:
                raise MXNetValueError("ParameterDict.update: duplicate parameter name '%s'" % k)
            self._params[k] = v

    def initialize(self, init=None, ctx=None, verbose=False, force_reinit=False):
        if init is None:
            init = _init_mod.Uniform()
        for p in self._params.values():
            p.initialize(None, ctx, init, force_reinit=force_reinit)

    def zero_grad(self):
        for p in self._params.values():
            p.zero_grad()

    def setattr(self, name, value):
        for p in self._params.values():
            setattr(p, name, value)

    def reset_ctx(self, ctx):
        pass

    def list_ctx(self):
        from ..context import cpu
        return [cpu()]

    def save(self, filename, strip_prefix=""):
        arrays = {}
        for p in self._params.values():
            name = p.name
            if strip_prefix and name.startswith(strip_prefix):
                name = name[len(strip_prefix):]
            arrays[name] = p.data()
        nd.save(filename, arrays)

    def load(self, filename, ctx=None, allow_missing=False, ignore_extra=False, restore_prefix=""):
        loaded = nd.load(filename)
        if not isinstance(loaded, dict):
            raise MXNetValueError("ParameterDict.load: '%s' holds unnamed arrays" % filename)
        loaded = {restore_prefix + _strip_arg_aux(k): v for k, v in loaded.items()}
        if not allow_missing:
            for name in self._params:
                if name not in loaded:
                    raise MXNetError("ParameterDict.load: parameter '%s' is missing in file '%s'" % (name, filename))
        for name, arr in loaded.items():
            if name not in self._params:
                if ignore_extra:
                    continue
                raise MXNetError("ParameterDict.load: file '%s' has parameter '%s' which is not in this dict"
                                 % (filename, name))
            _load_into(self._params[name], arr, filename)


def _strip_arg_aux(name):
    """HybridBlock.export writes 'arg:<name>' and 'aux:<name>'; the parameter is <name>."""
    return name[4:] if name.startswith(("arg:", "aux:")) else name


def _load_into(param, arr, filename):
    if param.shape is not None and _shape_known(param.shape) and tuple(param.shape) != tuple(arr.shape):
        raise MXNetError("load: parameter '%s' has shape %s but '%s' holds %s" %
                         (param.name, param.shape, filename, arr.shape))
    param.shape = arr.shape
    if param._data is None:
        param._set_data_array(arr.astype(np.dtype(param.dtype).name).copy())
        param._deferred_init = None
    else:
        param.set_data(arr)
