"""Gluon activation layers (MXNet 1.x gluon/nn/activations.py): Activation, LeakyReLU, PReLU, ELU,
SELU, GELU, Swish. Each is one registry op call (Activation or LeakyReLU) through F."""
import numbers

from ... import initializer as _init
from ...base import MXNetValueError
from ..block import HybridBlock
from ._util import check_count

#: The functions the registry's Activation op computes (its act_type enum).
ACTIVATIONS = ("relu", "sigmoid", "log_sigmoid", "mish", "tanh", "softrelu", "softsign")


def check_activation(layer, name):
    """name if the Activation op knows it; else MXNetValueError naming the layer."""
    if name not in ACTIVATIONS:
        raise MXNetValueError("%s: unknown activation %r (known: %s)" % (layer, name, ", ".join(ACTIVATIONS)))
    return name


def _check_number(layer, arg, value, ok, want):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or value != value or not ok(value):
        raise MXNetValueError("%s: %s must be %s, got %r" % (layer, arg, want, value))
    return value


class Activation(HybridBlock):
    """Applies an activation function by name: relu, sigmoid, tanh, softrelu, softsign,
    log_sigmoid, mish. Raises MXNetValueError for an unknown name."""

    def __init__(self, activation, **kwargs):
        # set before Block.__init__: _alias() (the automatic prefix relu0_) needs it
        self._act_type = check_activation("Activation", activation)
        super(Activation, self).__init__(**kwargs)

    def _alias(self):
        return self._act_type

    def hybrid_forward(self, F, x):
        """The layer's output for x (see the class docstring)."""
        return F.Activation(x, act_type=self._act_type)

    def __repr__(self):
        return "Activation(%s)" % self._act_type


class LeakyReLU(HybridBlock):
    """x for x > 0, alpha * x otherwise (alpha >= 0; else MXNetValueError)."""

    def __init__(self, alpha, **kwargs):
        super(LeakyReLU, self).__init__(**kwargs)
        self._alpha = _check_number("LeakyReLU", "alpha", alpha, lambda a: a >= 0, "a number >= 0")

    def hybrid_forward(self, F, x):
        """The layer's output for x (see the class docstring)."""
        return F.LeakyReLU(x, act_type="leaky", slope=self._alpha)

    def __repr__(self):
        return "LeakyReLU(%s)" % self._alpha


class PReLU(HybridBlock):
    """Leaky ReLU with a learned slope ``alpha`` of shape (in_channels,): one per channel on
    axis 1, or one shared slope (in_channels=1, the default)."""

    def __init__(self, alpha_initializer=_init.Constant(0.25), in_channels=1, **kwargs):
        super(PReLU, self).__init__(**kwargs)
        in_channels = check_count("PReLU", "in_channels", in_channels)
        with self.name_scope():
            self.alpha = self.params.get("alpha", shape=(in_channels,), init=alpha_initializer)

    def hybrid_forward(self, F, x, alpha):
        """The layer's output for x (see the class docstring)."""
        return F.LeakyReLU(x, alpha, act_type="prelu")


class ELU(HybridBlock):
    """Exponential linear unit: x for x > 0, alpha * (exp(x) - 1) otherwise."""

    def __init__(self, alpha=1.0, **kwargs):
        super(ELU, self).__init__(**kwargs)
        self._alpha = _check_number("ELU", "alpha", alpha, lambda a: abs(a) != float("inf"), "a finite number")

    def hybrid_forward(self, F, x):
        """The layer's output for x (see the class docstring)."""
        return F.LeakyReLU(x, act_type="elu", slope=self._alpha)


class SELU(HybridBlock):
    """Scaled exponential linear unit (Klambauer et al., 2017; the fixed alpha and lambda)."""

    def hybrid_forward(self, F, x):
        """The layer's output for x (see the class docstring)."""
        return F.LeakyReLU(x, act_type="selu")


class GELU(HybridBlock):
    """Gaussian error linear unit: 0.5 x (1 + erf(x / sqrt(2)))."""

    def hybrid_forward(self, F, x):
        """The layer's output for x (see the class docstring)."""
        return F.LeakyReLU(x, act_type="gelu")


class Swish(HybridBlock):
    """x * sigmoid(beta * x) (Ramachandran et al., 2017)."""

    def __init__(self, beta=1.0, **kwargs):
        super(Swish, self).__init__(**kwargs)
        self._beta = _check_number("Swish", "beta", beta, lambda b: abs(b) != float("inf"), "a finite number")

    def hybrid_forward(self, F, x):
        """The layer's output for x (see the class docstring)."""
        return F.elemwise_mul(x, F.sigmoid(x * self._beta))


__all__ = ["Activation", "LeakyReLU", "PReLU", "ELU", "SELU", "GELU", "Swish"]
