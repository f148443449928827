"""SGD (plain, momentum, multi-precision) and Nesterov momentum (NAG), MXNet 1.x semantics: one fused
registry op per update, written into the weight."""
import numpy as np

from .. import ndarray as nd
from .optimizer import Optimizer, register, _is_fp16

__all__ = ["SGD", "NAG"]


def _check_momentum(who, momentum):
    if not 0.0 <= momentum < 1.0:
        raise ValueError("%s: momentum must be in [0, 1), got %r" % (who, momentum))
    return momentum


@register
class SGD(Optimizer):
    """weight -= lr * (clip(rescale_grad * grad) + wd * weight); with momentum:
    mom = momentum * mom - lr * (clip(rescale_grad * grad) + wd * weight); weight += mom.
    With multi_precision, float16 weights update through float32 master copies (mp_sgd_*_update)."""

    def __init__(self, momentum=0.0, lazy_update=True, **kwargs):
        super(SGD, self).__init__(**kwargs)
        self.momentum = _check_momentum("SGD", momentum)
        self.lazy_update = lazy_update

    def create_state(self, index, weight):
        return self._zeros_like(weight) if self.momentum != 0.0 else None

    def create_state_multi_precision(self, index, weight):
        if self.multi_precision and _is_fp16(weight):
            master = weight.astype(np.float32)
            return (self.create_state(index, master), master)
        return self.create_state(index, weight)

    def update(self, index, weight, grad, state):
        kwargs = self._common_kwargs(index, weight)
        kwargs["lazy_update"] = self.lazy_update
        if state is not None:
            nd.op.sgd_mom_update(weight, grad, state, momentum=self.momentum, **kwargs)
        else:
            nd.op.sgd_update(weight, grad, **kwargs)

    def update_multi_precision(self, index, weight, grad, state):
        if not (self.multi_precision and _is_fp16(weight)):
            return self.update(index, weight, grad, state)
        mom, master = state
        kwargs = self._common_kwargs(index, weight)
        kwargs["lazy_update"] = self.lazy_update
        if mom is not None:
            nd.op.mp_sgd_mom_update(weight, grad, mom, master, momentum=self.momentum, **kwargs)
        else:
            nd.op.mp_sgd_update(weight, grad, master, **kwargs)


@register
class NAG(Optimizer):
    """Nesterov momentum: g = clip(rescale_grad * grad) + wd * weight; mom = momentum * mom - lr * g;
    weight += momentum * mom - lr * g (plain SGD when momentum is 0)."""

    def __init__(self, momentum=0.0, **kwargs):
        super(NAG, self).__init__(**kwargs)
        self.momentum = _check_momentum("NAG", momentum)

    def create_state(self, index, weight):
        return self._zeros_like(weight) if self.momentum != 0.0 else None

    def update(self, index, weight, grad, state):
        kwargs = self._common_kwargs(index, weight)
        if state is not None:
            nd.op.nag_mom_update(weight, grad, state, momentum=self.momentum, **kwargs)
        else:
            nd.op.sgd_update(weight, grad, **kwargs)
