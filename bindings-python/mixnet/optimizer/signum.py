"""Signum and SignSGD (Bernstein et al. 2018), MXNet 1.x semantics."""
from .. import ndarray as nd
from .optimizer import Optimizer, register

__all__ = ["Signum"]


@register
class Signum(Optimizer):
    """mom = momentum * mom - (1 - momentum) * (wd * weight + clip(rescale_grad * grad));
    weight = (1 - lr * wd_lh) * weight + lr * sign(mom). With momentum 0 it is SignSGD:
    weight = (1 - lr * wd) * weight - lr * sign(clip(rescale_grad * grad))."""

    def __init__(self, learning_rate=None, momentum=0.9, wd_lh=0.0, **kwargs):
        super(Signum, self).__init__(learning_rate=learning_rate, **kwargs)
        if not 0.0 <= momentum < 1.0:
            raise ValueError("Signum: momentum must be in [0, 1), got %r" % (momentum,))
        self.momentum = momentum
        self.wd_lh = wd_lh

    def create_state(self, index, weight):
        return self._zeros_like(weight) if self.momentum != 0.0 else None

    def update(self, index, weight, grad, state):
        kwargs = self._common_kwargs(index, weight)
        if state is not None:
            nd.op.signum_update(weight, grad, state, momentum=self.momentum, wd_lh=self.wd_lh, **kwargs)
        else:
            nd.op.signsgd_update(weight, grad, **kwargs)
