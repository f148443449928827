"""Basic Gluon layers (MXNet 1.x gluon/nn/basic_layers.py): Sequential, HybridSequential, Dense,
Dropout, Embedding, Flatten, Lambda, HybridLambda. The normalisation layers and Activation live in
norm_layers.py / activations.py and are re-exported here, where MXNet 1.x code imports them from."""
import numbers

import numpy as np

from ... import ndarray as nd
from ...base import MXNetTypeError, MXNetValueError
from ..block import Block, HybridBlock
from ._util import call_op, check_count, shape_text
from .activations import Activation
from .norm_layers import BatchNorm, GroupNorm, InstanceNorm, LayerNorm  # noqa: F401 (MXNet's import path)


class Sequential(Block):
    """Runs its children in order: ``net.add(nn.Dense(10), nn.Dense(2))``."""

    def __init__(self, prefix=None, params=None):
        super(Sequential, self).__init__(prefix=prefix, params=params)

    def add(self, *blocks):
        """Appends blocks (registered as children '0', '1', ...)."""
        for block in blocks:
            self.register_child(block)

    def forward(self, x, *args):
        """x through every child; extra arguments go to the first child only."""
        for block in self._children.values():
            x = block(x, *args)
            args = ()
        return x

    def __getitem__(self, key):
        children = list(self._children.values())
        if isinstance(key, slice):
            net = type(self)(prefix=self._prefix)
            with net.name_scope():
                net.add(*children[key])
            return net
        return children[key]

    def __len__(self):
        return len(self._children)


class HybridSequential(HybridBlock, Sequential):
    """Sequential of HybridBlocks."""

    def __init__(self, prefix=None, params=None):
        HybridBlock.__init__(self, prefix=prefix, params=params)

    def forward(self, x, *args):
        """x through every child, as Sequential.forward."""
        return Sequential.forward(self, x, *args)


def _make_activation(block, activation):
    """MXNet's layers hold their activation as a child block prefixed '<act>_' (dense0_relu_)."""
    if activation is None:
        return None
    with block.name_scope():
        return Activation(activation, prefix=activation + "_")


class Dense(HybridBlock):
    """Fully connected layer: ``y = activation(x . weight^T + bias)``, weight (units, in_units);
    in_units=0 is inferred on the first forward. flatten=True collapses all axes but the first,
    flatten=False acts on the last axis. A forward whose feature count differs from in_units
    raises MXNetError naming the layer."""

    def __init__(self, units, activation=None, use_bias=True, flatten=True, dtype="float32",
                 weight_initializer=None, bias_initializer="zeros", in_units=0, **kwargs):
        super(Dense, self).__init__(**kwargs)
        self._units = check_count("Dense", "units", units)
        self._in_units = check_count("Dense", "in_units", in_units, 0)
        self._flatten = flatten
        with self.name_scope():
            self.weight = self.params.get("weight", shape=(units, in_units), init=weight_initializer,
                                          dtype=dtype, allow_deferred_init=True)
            if use_bias:
                self.bias = self.params.get("bias", shape=(units,), init=bias_initializer, dtype=dtype,
                                            allow_deferred_init=True)
            else:
                self.bias = None
        self.act = _make_activation(self, activation)

    def _features(self, x):
        return int(np.prod(x.shape[1:])) if self._flatten else x.shape[-1]

    def infer_shape(self, x, *args):
        """Fills the parameters' unknown (0) dims from the first input's shape."""
        self.weight.shape = (self._units, self._features(x))

    def _diagnose(self, x):
        want = self.weight.shape[1]
        got = self._features(x)
        if got != want:
            return "input of shape %s has %d %s but in_units is %d" % (
                shape_text(x.shape), got, "features per sample" if self._flatten else "features on its last axis",
                want)
        return None

    def hybrid_forward(self, F, x, weight, bias=None):
        """The layer's output for x (see the class docstring)."""
        y = call_op(self, F.FullyConnected, lambda: self._diagnose(x), x, weight, bias, num_hidden=self._units,
                    no_bias=bias is None, flatten=self._flatten)
        return y if self.act is None else self.act(y)

    def __repr__(self):
        shape = self.weight.shape
        return "Dense(%s -> %s, %s)" % (shape[1] if shape[1] else None, shape[0], self.act if self.act else "linear")


class Dropout(HybridBlock):
    """Zeroes each element with probability rate in training (``autograd.record()``) and scales
    the rest by 1 / (1 - rate); axes share one mask along them (variational dropout). Outside
    training it is the identity. rate outside [0, 1] raises MXNetValueError."""

    def __init__(self, rate, axes=(), **kwargs):
        super(Dropout, self).__init__(**kwargs)
        if not isinstance(rate, numbers.Real) or isinstance(rate, bool) or not 0 <= rate <= 1:
            raise MXNetValueError("Dropout: rate must be a number in [0, 1], got %r" % (rate,))
        self._rate = rate
        self._axes = tuple(axes)

    def hybrid_forward(self, F, x):
        """The layer's output for x (see the class docstring)."""
        if self._rate > 0:
            return F.Dropout(x, p=self._rate, axes=self._axes, cudnn_off=False)
        return F.identity(x)

    def __repr__(self):
        return "Dropout(p = %s, axes=%s)" % (self._rate, self._axes)


class Embedding(HybridBlock):
    """Maps integer indices to rows of weight (input_dim, output_dim): the output has shape
    x.shape + (output_dim,). sparse_grad is accepted; the gradient is dense."""

    def __init__(self, input_dim, output_dim, dtype="float32", weight_initializer=None, sparse_grad=False,
                 **kwargs):
        super(Embedding, self).__init__(**kwargs)
        check_count("Embedding", "input_dim", input_dim)
        check_count("Embedding", "output_dim", output_dim)
        self._kwargs = {"input_dim": input_dim, "output_dim": output_dim, "dtype": dtype,
                        "sparse_grad": sparse_grad}
        with self.name_scope():
            self.weight = self.params.get("weight", shape=(input_dim, output_dim), init=weight_initializer,
                                          dtype=dtype, allow_deferred_init=True)

    def hybrid_forward(self, F, x, weight):
        """The layer's output for x (see the class docstring)."""
        return F.Embedding(x, weight, **self._kwargs)

    def cast(self, dtype):
        """Casts the weight; the op's dtype follows it."""
        self._kwargs["dtype"] = np.dtype(dtype).name
        super(Embedding, self).cast(dtype)

    def __repr__(self):
        return "Embedding(%d -> %d, %s)" % (self._kwargs["input_dim"], self._kwargs["output_dim"],
                                           np.dtype(self._kwargs["dtype"]).name)


class Flatten(HybridBlock):
    """Reshapes (N, ...) to (N, product of the other axes)."""

    def hybrid_forward(self, F, x):
        """The layer's output for x (see the class docstring)."""
        return F.Flatten(x)

    def __repr__(self):
        return "Flatten"


def _nd_function(layer, name):
    fn = getattr(nd, name, None)
    if not callable(fn):
        raise MXNetValueError("%s: function name %r is not found in ndarray" % (layer, name))
    return fn


class Lambda(Block):
    """Wraps a function of NDArrays, or the name of an mx.nd function, as a Block:
    ``Lambda('tanh')``, ``Lambda(lambda x: x * 2)``. An unknown name raises MXNetValueError,
    anything else that is not callable MXNetTypeError."""

    def __init__(self, function, prefix=None):
        super(Lambda, self).__init__(prefix=prefix)
        if isinstance(function, str):
            self._func_impl = _nd_function("Lambda", function)
            self._func_name = function
        elif callable(function):
            self._func_impl = function
            self._func_name = getattr(function, "__name__", type(function).__name__)
        else:
            raise MXNetTypeError("Lambda: unrecognized function %r of type %s" % (function, type(function)))

    def forward(self, *args):
        """The wrapped function of the inputs."""
        return self._func_impl(*args)

    def __repr__(self):
        return "Lambda(%s)" % self._func_name


class HybridLambda(HybridBlock):
    """A HybridBlock from a function of (F, *inputs) or the name of an op of F:
    ``HybridLambda('tanh')``, ``HybridLambda(lambda F, x: F.LeakyReLU(x, slope=0.1))``. Raises as
    Lambda does."""

    def __init__(self, function, prefix=None):
        super(HybridLambda, self).__init__(prefix=prefix)
        if isinstance(function, str):
            _nd_function("HybridLambda", function)  # fail now, not at the first forward
            self._func = lambda F, *args: getattr(F, function)(*args)
            self._func_name = function
        elif callable(function):
            self._func = function
            self._func_name = getattr(function, "__name__", type(function).__name__)
        else:
            raise MXNetTypeError("HybridLambda: unrecognized function %r of type %s" % (function, type(function)))

    def hybrid_forward(self, F, x, *args):
        """The layer's output for x (see the class docstring)."""
        return self._func(F, x, *args)

    def __repr__(self):
        return "HybridLambda(%s)" % self._func_name


__all__ = ["Sequential", "HybridSequential", "Dense", "Dropout", "Embedding", "Flatten", "Lambda", "HybridLambda"]
