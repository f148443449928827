"""Gluon blocks (MXNet 1.x): ``Block`` (children and parameters registered by attribute assignment,
name scopes and prefixes, parameter save/load by structural name) and ``HybridBlock``
(``hybrid_forward(F, x, **params)`` with F = mx.nd; hybridize() is accepted and changes nothing)."""
import re
import threading
from collections import OrderedDict


from .. import ndarray as nd
from ..base import MXNetError, MXNetNotImplementedError, MXNetTypeError
from .parameter import DeferredInitializationError, Parameter, ParameterDict, _load_into, _strip_arg_aux


class _BlockScope(object):
    """The naming scope of a block: counts child names per hint ('dense' -> dense0_, dense1_)."""
    _current = threading.local()
    _global_counter = {}

    def __init__(self, block):
        self._block = block
        self._counter = {}
        self._old_scope = None

    @staticmethod
    def create(prefix, params, hint):
        current = getattr(_BlockScope._current, "value", None)
        if current is None:
            if prefix is None:
                count = _BlockScope._global_counter.get(hint, 0)
                _BlockScope._global_counter[hint] = count + 1
                prefix = "%s%d_" % (hint, count)
            params = ParameterDict(prefix) if params is None else ParameterDict(params.prefix, params)
            return prefix, params
        if prefix is None:
            count = current._counter.get(hint, 0)
            current._counter[hint] = count + 1
            prefix = "%s%d_" % (hint, count)
        if params is None:
            parent = current._block.params
            params = ParameterDict(parent.prefix + prefix, parent._shared)
        else:
            params = ParameterDict(params.prefix, params)
        return current._block.prefix + prefix, params

    def __enter__(self):
        if self._block._empty_prefix:
            return self
        self._old_scope = getattr(_BlockScope._current, "value", None)
        _BlockScope._current.value = self
        return self

    def __exit__(self, *exc):
        if self._block._empty_prefix:
            return
        _BlockScope._current.value = self._old_scope


class Block(object):
    """Base class of all layers and models: override ``forward(x, ...)``; call the block as ``net(x)``."""

    def __init__(self, prefix=None, params=None):
        self._empty_prefix = prefix == ""
        self._prefix, self._params = _BlockScope.create(prefix, params, self._alias())
        self._name = self._prefix[:-1] if self._prefix.endswith("_") else self._prefix
        self._scope = _BlockScope(self)
        self._children = OrderedDict()
        self._reg_params = OrderedDict()

    def __repr__(self):
        lines = ["%s(" % type(self).__name__]
        for key, child in self._children.items():
            lines.append("  (%s): %s" % (key, repr(child).replace("\n", "\n  ")))
        return "\n".join(lines) + "\n)" if self._children else "%s()" % type(self).__name__

    def __setattr__(self, name, value):
        """Registers Blocks and Parameters assigned as attributes (in assignment order)."""
        if hasattr(self, name):
            existing = getattr(self, name)
            if isinstance(existing, (Parameter, Block)) and not isinstance(value, type(existing)):
                raise MXNetTypeError("Changing attribute type for %s from %s to %s is not allowed" %
                                (name, type(existing), type(value)))
        if isinstance(value, Block):
            self.register_child(value, name)
        elif isinstance(value, Parameter):
            self.__dict__.setdefault("_reg_params", OrderedDict())[name] = value
        super(Block, self).__setattr__(name, value)

    def _alias(self):
        """The name hint of automatic prefixes (dense -> dense0_); MXNet's layers override it."""
        return type(self).__name__.lower()

    @property
    def prefix(self):
        return self._prefix

    @property
    def name(self):
        return self._name

    @property
    def params(self):
        """This block's own ParameterDict (children's parameters are in collect_params())."""
        return self._params

    def name_scope(self):
        """``with self.name_scope():`` children created inside get this block's prefix."""
        return self._scope

    def register_child(self, block, name=None):
        if name is None:
            name = str(len(self._children))
        self._children[name] = block

    def register_forward_hook(self, hook):
        raise MXNetNotImplementedError("Block.register_forward_hook is not available in mixnet yet")

    def collect_params(self, select=None):
        """Every parameter of this block and its children by full name; select is a regex
        ('.*weight|.*bias') that the names must match."""
        ret = ParameterDict(self._params.prefix)
        self._collect(ret, None if select is None else re.compile(select))
        return ret

    def _collect(self, ret, pattern):
        own = list(self._params.items()) + [(p.name, p) for p in self._reg_params.values()]
        for name, p in own:
            if (pattern is None or pattern.match(name)) and name not in ret._params:
                ret._params[name] = p
        for child in self._children.values():
            child._collect(ret, pattern)

    def _collect_params_with_prefix(self, prefix=""):
        """Parameters by structural name ('0.weight', 'features.1.bias'), as save_parameters writes."""
        if prefix:
            prefix += "."
        ret = OrderedDict((prefix + k, v) for k, v in self._reg_params.items())
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    def initialize(self, init=None, ctx=None, verbose=False, force_reinit=False):
        self.collect_params().initialize(init, ctx, verbose, force_reinit)

    def hybridize(self, active=True, **kwargs):
        for child in self._children.values():
            child.hybridize(active, **kwargs)

    def cast(self, dtype):
        for child in self._children.values():
            child.cast(dtype)
        for p in self._reg_params.values():
            p.cast(dtype)

    def save_parameters(self, filename, deduplicate=False):
        """Saves the parameters by structural name in MXNet's .params format."""
        arrays = OrderedDict()
        seen = set()
        for name, p in self._collect_params_with_prefix().items():
            if id(p) in seen:
                continue  # a shared parameter is written once, under its first name
            seen.add(id(p))
            arrays[name] = p.data()
        nd.save(filename, arrays)

    def load_parameters(self, filename, ctx=None, allow_missing=False, ignore_extra=False, cast_dtype=False,
                        dtype_source="current"):
        """Loads parameters written by save_parameters (structural names) or by
        collect_params().save() (full names)."""
        loaded = nd.load(filename)
        if not isinstance(loaded, dict):
            raise MXNetError("load_parameters: '%s' holds unnamed arrays" % filename)
        params = self._collect_params_with_prefix()
        if not any("." in k for k in loaded):
            # full names (collect_params().save(), HybridBlock.export): as they are when they name this
            # block's parameters, else without the block's prefix (as MXNet's save_params wrote them)
            full = self.collect_params()
            names = [_strip_arg_aux(k) for k in loaded]
            restore = "" if any(k in full for k in names) else self.prefix
            full.load(filename, ctx, allow_missing, ignore_extra, restore_prefix=restore)
            return
        if not allow_missing:
            saved_ids = {id(params[k]) for k in loaded if k in params}
            for name, p in params.items():
                if name not in loaded and id(p) not in saved_ids:
                    raise MXNetError("load_parameters: parameter '%s' is missing in file '%s'" % (name, filename))
        for name, arr in loaded.items():
            if name not in params:
                if ignore_extra:
                    continue
                raise MXNetError("load_parameters: parameter '%s' loaded from file '%s' is not present in this "
                                 "block" % (name, filename))
            _load_into(params[name], arr, filename)

    # MXNet 1.x's older names
    def save_params(self, filename):
        self.save_parameters(filename)

    def load_params(self, filename, ctx=None, allow_missing=False, ignore_extra=False):
        self.load_parameters(filename, ctx, allow_missing, ignore_extra)

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args):
        raise MXNetNotImplementedError("%s must implement forward" % type(self).__name__)

    def summary(self, *inputs):
        raise MXNetNotImplementedError("Block.summary is not available in mixnet yet")


class HybridBlock(Block):
    """A block whose computation is ``hybrid_forward(F, x, *args, **params)``: F is mx.nd and the
    block's own parameters arrive as keyword arguments by attribute name (weight=, bias=). Layers
    with deferred shapes implement ``infer_shape(x, *args)`` to fill their parameters' 0 dims."""

    def __init__(self, prefix=None, params=None):
        super(HybridBlock, self).__init__(prefix, params)
        self._active = False

    def hybridize(self, active=True, **kwargs):
        self._active = active
        super(HybridBlock, self).hybridize(active, **kwargs)

    def infer_shape(self, *args):
        raise DeferredInitializationError(
            "%s: a parameter's shape is unknown and this block has no infer_shape to fill it" % type(self).__name__)

    def _param_kwargs(self, x, args):
        try:
            return {k: p.data() for k, p in self._reg_params.items()}
        except DeferredInitializationError:
            self.infer_shape(x, *args)
            for p in self._reg_params.values():
                p._finish_deferred_init()
            return {k: p.data() for k, p in self._reg_params.items()}

    def forward(self, x, *args):
        return self.hybrid_forward(nd, x, *args, **self._param_kwargs(x, args))

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise MXNetNotImplementedError("%s must implement hybrid_forward" % type(self).__name__)

    def export(self, path, epoch=0):
        raise MXNetNotImplementedError("HybridBlock.export needs mx.sym, which mixnet does not have yet")
