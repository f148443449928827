"""Gluon normalisation layers (in MXNet 1.x they live in gluon/nn/basic_layers.py): BatchNorm,
LayerNorm, InstanceNorm, GroupNorm. Channel counts left at 0 are read from the first input; a
forward whose channel count differs raises MXNetError naming the layer."""
import numbers

import numpy as np

from ...base import MXNetValueError
from ..block import HybridBlock
from ._util import call_op, check_count, is_int, shape_text


def _check_float(layer, arg, value, ok, want):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or value != value or not ok(value):
        raise MXNetValueError("%s: %s must be %s, got %r" % (layer, arg, want, value))
    return float(value)


def _check_axis(layer, axis):
    if not is_int(axis):
        raise MXNetValueError("%s: axis must be an integer, got %r" % (layer, axis))
    return int(axis)


def _scale_shift(block, n, center, scale, beta_initializer, gamma_initializer, fix_unused):
    """gamma and beta of shape (n,), trained only when scale / center ask for it. BatchNorm (alone,
    as in MXNet) also makes an unused one non-differentiable, so its grad_req stays 'null'."""
    with block.name_scope():
        block.gamma = block.params.get("gamma", grad_req="write" if scale else "null", shape=(n,),
                                       init=gamma_initializer, allow_deferred_init=True,
                                       differentiable=scale if fix_unused else True)
        block.beta = block.params.get("beta", grad_req="write" if center else "null", shape=(n,),
                                      init=beta_initializer, allow_deferred_init=True,
                                      differentiable=center if fix_unused else True)


def _channels(x, axis):
    a = axis + len(x.shape) if axis < 0 else axis
    if not 0 <= a < len(x.shape):
        raise MXNetValueError("axis %d is out of range for an input of shape %s" % (axis, shape_text(x.shape)))
    return x.shape[a]


def _mismatch(x, axis, want):
    """The layer's diagnosis of a failed forward: the axis or its size is wrong."""
    a = axis + len(x.shape) if axis < 0 else axis
    if not 0 <= a < len(x.shape):
        return "axis %d is out of range for an input of shape %s" % (axis, shape_text(x.shape))
    got = x.shape[a]
    if want and got != want:
        return "input of shape %s has %d channels on axis %d but in_channels is %d" % (
            shape_text(x.shape), got, axis, want)
    return None


def _kwargs_repr(kwargs):
    return ", ".join("%s=%r" % (k, v) for k, v in kwargs.items())


class BatchNorm(HybridBlock):
    """Batch normalisation over axis (the channels). Training (autograd.record()) normalises by
    the batch statistics and updates running_mean / running_var in place
    (running = running * momentum + batch * (1 - momentum)); prediction uses the running ones."""

    def __init__(self, axis=1, momentum=0.9, epsilon=1e-5, center=True, scale=True, use_global_stats=False,
                 beta_initializer="zeros", gamma_initializer="ones", running_mean_initializer="zeros",
                 running_variance_initializer="ones", in_channels=0, **kwargs):
        super(BatchNorm, self).__init__(**kwargs)
        axis = _check_axis("BatchNorm", axis)
        momentum = _check_float("BatchNorm", "momentum", momentum, lambda m: 0 <= m <= 1, "in [0, 1]")
        epsilon = _check_float("BatchNorm", "epsilon", epsilon, lambda e: e > 0, "a number > 0")
        in_channels = check_count("BatchNorm", "in_channels", in_channels, 0)
        self._kwargs = {"axis": axis, "eps": epsilon, "momentum": momentum, "fix_gamma": not scale,
                        "use_global_stats": use_global_stats}
        self._axis = axis
        _scale_shift(self, in_channels, center, scale, beta_initializer, gamma_initializer, True)
        with self.name_scope():
            # auxiliary state: updated by the op in training, never by gradients
            self.running_mean = self.params.get("running_mean", grad_req="null", shape=(in_channels,),
                                                init=running_mean_initializer, allow_deferred_init=True,
                                                differentiable=False)
            self.running_var = self.params.get("running_var", grad_req="null", shape=(in_channels,),
                                               init=running_variance_initializer, allow_deferred_init=True,
                                               differentiable=False)

    def cast(self, dtype):
        """As in MXNet, float16 networks keep BatchNorm's parameters in float32."""
        if np.dtype(dtype).name == "float16":
            dtype = "float32"
        super(BatchNorm, self).cast(dtype)

    def infer_shape(self, x, *args):
        """Fills the parameters' unknown (0) dims from the first input's shape."""
        c = _channels(x, self._axis)
        for p in (self.gamma, self.beta, self.running_mean, self.running_var):
            p.shape = (c,)

    def hybrid_forward(self, F, x, gamma, beta, running_mean, running_var):
        """The layer's output for x (see the class docstring)."""
        return call_op(self, F.BatchNorm, lambda: _mismatch(x, self._axis, self.gamma.shape[0]),
                       x, gamma, beta, running_mean, running_var, **self._kwargs)

    def __repr__(self):
        c = self.gamma.shape[0]
        return "BatchNorm(%s, in_channels=%s)" % (_kwargs_repr(self._kwargs), c if c else None)


class _AxisNorm(HybridBlock):
    """LayerNorm and InstanceNorm: gamma and beta of one value per channel on `axis` (inferred
    when in_channels is 0); subclasses supply _forward(F, x, gamma, beta)."""

    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer, in_channels,
                 **kwargs):
        super(_AxisNorm, self).__init__(**kwargs)
        name = type(self).__name__
        axis = _check_axis(name, axis)
        epsilon = _check_float(name, "epsilon", epsilon, lambda e: e > 0, "a number > 0")
        in_channels = check_count(name, "in_channels", in_channels, 0)
        self._kwargs = {"eps": epsilon, "axis": axis, "center": center, "scale": scale}
        self._axis = axis
        self._epsilon = epsilon
        _scale_shift(self, in_channels, center, scale, beta_initializer, gamma_initializer, False)

    def infer_shape(self, x, *args):
        """Fills the parameters' unknown (0) dims from the first input's shape."""
        c = _channels(x, self._axis)
        self.gamma.shape = (c,)
        self.beta.shape = (c,)

    def hybrid_forward(self, F, x, gamma, beta):
        """The layer's output for x (see the class docstring)."""
        return call_op(self, self._forward, lambda: _mismatch(x, self._axis, self.gamma.shape[0]),
                       F, x, gamma, beta)

    def __repr__(self):
        return "%s(%s, in_channels=%s)" % (type(self).__name__, _kwargs_repr(self._kwargs), self.gamma.shape[0])


class LayerNorm(_AxisNorm):
    """Normalises each slice along axis (default -1) by its own mean and variance, then scales by
    gamma and shifts by beta (shape (in_channels,), inferred when 0)."""

    def __init__(self, axis=-1, epsilon=1e-5, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", in_channels=0, prefix=None, params=None):
        super(LayerNorm, self).__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                                        in_channels, prefix=prefix, params=params)

    def _forward(self, F, x, gamma, beta):
        return F.LayerNorm(x, gamma, beta, axis=self._axis, eps=self._epsilon)


class InstanceNorm(_AxisNorm):
    """Normalises each (sample, channel) over the remaining axes; channels on axis (default 1).
    gamma is not trained unless scale=True (MXNet's default scale=False)."""

    def __init__(self, axis=1, epsilon=1e-5, center=True, scale=False, beta_initializer="zeros",
                 gamma_initializer="ones", in_channels=0, **kwargs):
        super(InstanceNorm, self).__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                                           in_channels, **kwargs)

    def _forward(self, F, x, gamma, beta):
        if self._axis == 1:
            return F.InstanceNorm(x, gamma, beta, eps=self._epsilon)
        # the op normalises with the channels on axis 1: move them there and back
        y = F.InstanceNorm(F.SwapAxis(x, dim1=1, dim2=self._axis), gamma, beta, eps=self._epsilon)
        return F.SwapAxis(y, dim1=1, dim2=self._axis)


class GroupNorm(HybridBlock):
    """Splits the channels (axis 1) into num_groups groups and normalises each (sample, group);
    as in MXNet 1.x, gamma and beta hold one value per group, shape (num_groups,). Channels not
    divisible by num_groups raise MXNetError naming the layer."""

    def __init__(self, num_groups=1, epsilon=1e-5, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", prefix=None, params=None):
        super(GroupNorm, self).__init__(prefix=prefix, params=params)
        num_groups = check_count("GroupNorm", "num_groups", num_groups)
        epsilon = _check_float("GroupNorm", "epsilon", epsilon, lambda e: e > 0, "a number > 0")
        self._kwargs = {"eps": epsilon, "num_groups": num_groups, "center": center, "scale": scale}
        self._num_groups = num_groups
        self._epsilon = epsilon
        _scale_shift(self, num_groups, center, scale, beta_initializer, gamma_initializer, False)

    def _diagnose(self, x):
        if len(x.shape) < 2:
            return "expects input with channels on axis 1, got shape %s" % shape_text(x.shape)
        if x.shape[1] % self._num_groups:
            return "input of shape %s has %d channels, not divisible by num_groups %d" % (
                shape_text(x.shape), x.shape[1], self._num_groups)
        return None

    def hybrid_forward(self, F, x, gamma, beta):
        """The layer's output for x (see the class docstring)."""
        return call_op(self, F.GroupNorm, lambda: self._diagnose(x), x, gamma, beta,
                       num_groups=self._num_groups, eps=self._epsilon)

    def __repr__(self):
        return "GroupNorm(%s)" % _kwargs_repr(self._kwargs)


__all__ = ["BatchNorm", "LayerNorm", "InstanceNorm", "GroupNorm"]
