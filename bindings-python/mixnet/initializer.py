"""mx.init (also mx.initializer): how parameters get their first values (Apache MXNet 1.x semantics).

An initializer called with an ``InitDesc`` (or a plain name) dispatches on the name as MXNet does:
``*weight`` gets the initializer's own rule, ``*bias``/``*beta``/``*moving_mean``/``*moving_inv_var``/
``*moving_avg``/``*min``/``*max`` get 0, ``*gamma``/``*moving_var`` get 1; an ``__init__`` attribute on the
descriptor (a parameter's own initializer) wins whatever the name. Random draws go through the
engine's generator (``mx.random.seed``), written in place with ``out=``.
"""
import json

import numpy as np

from .ndarray import op as _op

__all__ = ["InitDesc", "Initializer", "register", "create", "Constant", "Zero", "One", "Uniform", "Normal",
           "Xavier", "MSRAPrelu"]

_REGISTRY = {}


def register(klass):
    """Registers an Initializer subclass under its lower-cased class name (for create and dumps)."""
    if not (isinstance(klass, type) and issubclass(klass, Initializer)):
        raise TypeError("initializer.register: expects an Initializer subclass, got %r" % (klass,))
    _REGISTRY[klass.__name__.lower()] = klass
    return klass


def _alias(*names):
    def deco(klass):
        for n in names:
            _REGISTRY[n] = klass
        return klass
    return deco


def create(init, **kwargs):
    """An initializer from an instance (returned as is), a registered name ('xavier', 'zeros', ...)
    with keyword arguments, or the JSON that ``dumps()`` writes."""
    if isinstance(init, Initializer):
        return init
    if not isinstance(init, str):
        raise TypeError("mx.init.create: expects an Initializer or a name, got %r" % (init,))
    if init.startswith("["):
        name, saved = json.loads(init)
        return create(name, **saved)
    klass = _REGISTRY.get(init.lower())
    if klass is None:
        raise ValueError("mx.init.create: unknown initializer '%s' (known: %s)" % (init, ", ".join(sorted(_REGISTRY))))
    return klass(**kwargs)


class InitDesc(str):
    """A parameter's name with its attributes (``attrs['__init__']``: its own initializer) and the
    global initializer it is being initialised under."""

    def __new__(cls, name, attrs=None, global_init=None):
        ret = super(InitDesc, cls).__new__(cls, name)
        ret.attrs = attrs or {}
        ret.global_init = global_init
        return ret


class Initializer(object):
    """Base class: subclasses implement ``_init_weight(name, arr)``."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs

    def dumps(self):
        """The JSON form ``[name, kwargs]`` (what ``create`` reads back)."""
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def __call__(self, desc, arr):
        """Fills arr in place for the parameter named by desc (an InitDesc or a str)."""
        if not isinstance(desc, InitDesc):
            desc = InitDesc(str(desc))
        if desc.global_init is None:
            desc.global_init = self
        own = desc.attrs.get("__init__", "")
        if own:
            create(own)._init_weight(desc, arr)
            return
        name = str(desc)
        if name.endswith("weight"):
            self._init_weight(desc, arr)
        elif name.endswith("bias"):
            self._init_bias(desc, arr)
        elif name.endswith("gamma"):
            self._init_gamma(desc, arr)
        elif name.endswith("beta"):
            self._init_beta(desc, arr)
        elif name.endswith("moving_mean") or name.endswith("moving_inv_var") or name.endswith("moving_avg"):
            self._init_zero(desc, arr)
        elif name.endswith("moving_var"):
            self._init_one(desc, arr)
        elif name.endswith("min") or name.endswith("max"):
            self._init_zero(desc, arr)
        else:
            self._init_default(desc, arr)

    def __eq__(self, other):
        return isinstance(other, Initializer) and type(self) is type(other) and self._kwargs == other._kwargs

    def __hash__(self):
        return hash(self.dumps())

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join("%s=%r" % kv for kv in sorted(self._kwargs.items())))

    # ---- rules ----------------------------------------------------------------------------------
    def _init_zero(self, _, arr):
        _fill(arr, 0.0)

    def _init_one(self, _, arr):
        _fill(arr, 1.0)

    def _init_bias(self, _, arr):
        _fill(arr, 0.0)

    def _init_gamma(self, _, arr):
        _fill(arr, 1.0)

    def _init_beta(self, _, arr):
        _fill(arr, 0.0)

    def _init_weight(self, name, arr):
        raise NotImplementedError("%s must implement _init_weight (for '%s')" % (type(self).__name__, name))

    def _init_default(self, name, _):
        raise ValueError("%s: unknown parameter name pattern for '%s': names should end in weight, bias, gamma, "
                         "beta, moving_mean or moving_var, or the parameter should carry its own init "
                         "(e.g. init='zeros')" % (type(self).__name__, name))


def _dtype_name(arr):
    return np.dtype(arr.dtype).name


def _fill(arr, value):
    _op._full(shape=arr.shape, value=float(value), dtype=_dtype_name(arr), out=arr)


def _uniform(arr, low, high):
    _op._random_uniform(low=float(low), high=float(high), shape=arr.shape, dtype=_dtype_name(arr), out=arr)


def _normal(arr, loc, scale):
    _op._random_normal(loc=float(loc), scale=float(scale), shape=arr.shape, dtype=_dtype_name(arr), out=arr)


@register
class Constant(Initializer):
    """Every parameter gets ``value`` (a scalar, or an array broadcast into it)."""

    def __init__(self, value):
        value = value.tolist() if isinstance(value, np.ndarray) else value
        super(Constant, self).__init__(value=value)
        self.value = value

    def _init_weight(self, _, arr):
        if isinstance(self.value, (int, float)):
            _fill(arr, self.value)
        else:
            arr[:] = np.broadcast_to(np.asarray(self.value, dtype=np.dtype(arr.dtype)), arr.shape)


@_alias("zeros")
@register
class Zero(Initializer):
    """Every parameter gets 0."""

    def _init_weight(self, _, arr):
        _fill(arr, 0.0)


@_alias("ones")
@register
class One(Initializer):
    """Every parameter gets 1."""

    def _init_weight(self, _, arr):
        _fill(arr, 1.0)


@register
class Uniform(Initializer):
    """Weights drawn uniformly from [-scale, scale] (MXNet's default initializer, scale 0.07)."""

    def __init__(self, scale=0.07):
        super(Uniform, self).__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _, arr):
        _uniform(arr, -self.scale, self.scale)


@register
class Normal(Initializer):
    """Weights drawn from N(0, sigma^2)."""

    def __init__(self, sigma=0.01):
        super(Normal, self).__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _, arr):
        _normal(arr, 0.0, self.sigma)


@register
class Xavier(Initializer):
    """Glorot/Xavier: scale = sqrt(magnitude / factor), factor the average of fan-in and fan-out
    ('avg') or one of them ('in', 'out'); fans count the receptive field (shape[2:]). 'uniform' draws
    from [-scale, scale], 'gaussian' from N(0, scale^2)."""

    def __init__(self, rnd_type="uniform", factor_type="avg", magnitude=3):
        super(Xavier, self).__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        if rnd_type not in ("uniform", "gaussian"):
            raise ValueError("Xavier: rnd_type must be 'uniform' or 'gaussian', got %r" % (rnd_type,))
        if factor_type not in ("avg", "in", "out"):
            raise ValueError("Xavier: factor_type must be 'avg', 'in' or 'out', got %r" % (factor_type,))
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name, arr):
        shape = arr.shape
        if len(shape) < 2:
            raise ValueError("Xavier: cannot initialise '%s' of shape %s: it needs at least 2 dimensions "
                             "(fan-in and fan-out)" % (name, shape))
        hw_scale = float(np.prod(shape[2:])) if len(shape) > 2 else 1.0
        fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale
        factor = {"avg": (fan_in + fan_out) / 2.0, "in": fan_in, "out": fan_out}[self.factor_type]
        scale = np.sqrt(self.magnitude / factor)
        if self.rnd_type == "uniform":
            _uniform(arr, -scale, scale)
        else:
            _normal(arr, 0.0, scale)


@register
class MSRAPrelu(Xavier):
    """He/MSRA initialisation for PReLU nets: Xavier gaussian with magnitude 2 / (1 + slope^2)."""

    def __init__(self, factor_type="avg", slope=0.25):
        super(MSRAPrelu, self).__init__("gaussian", factor_type, 2.0 / (1 + slope ** 2))
        self._kwargs = {"factor_type": factor_type, "slope": slope}
        self.slope = slope
