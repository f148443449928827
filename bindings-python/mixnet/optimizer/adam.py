"""Adam (MXNet 1.x: bias correction folded into the learning rate) and AdamW (decoupled weight decay
through the _adamw_update op), one fused op per update."""
import math

from .. import ndarray as nd
from .optimizer import Optimizer, register

__all__ = ["Adam", "AdamW"]


def _check_betas(who, beta1, beta2):
    if not 0.0 <= beta1 < 1.0:
        raise ValueError("%s: beta1 must be in [0, 1), got %r" % (who, beta1))
    if not 0.0 <= beta2 < 1.0:
        raise ValueError("%s: beta2 must be in [0, 1), got %r" % (who, beta2))


@register
class Adam(Optimizer):
    """g = clip(rescale_grad * grad + wd * weight); mean = beta1 * mean + (1 - beta1) * g;
    var = beta2 * var + (1 - beta2) * g^2; weight -= lr_t * mean / (sqrt(var) + epsilon) with
    lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t) at the index's t-th update. learning_rate
    defaults to 0.001 (or the scheduler's base_lr)."""

    def __init__(self, learning_rate=None, beta1=0.9, beta2=0.999, epsilon=1e-8, lazy_update=True, **kwargs):
        if learning_rate is None and kwargs.get("lr_scheduler") is None:
            learning_rate = 0.001
        super(Adam, self).__init__(learning_rate=learning_rate, **kwargs)
        _check_betas(type(self).__name__, beta1, beta2)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update

    def create_state(self, index, weight):
        return (self._zeros_like(weight), self._zeros_like(weight))

    def _bias_correction(self, index):
        t = self._index_update_count[index]
        return math.sqrt(1.0 - self.beta2 ** t) / (1.0 - self.beta1 ** t)

    def update(self, index, weight, grad, state):
        kwargs = self._common_kwargs(index, weight)
        kwargs["lr"] *= self._bias_correction(index)
        mean, var = state
        nd.op.adam_update(weight, grad, mean, var, beta1=self.beta1, beta2=self.beta2, epsilon=self.epsilon,
                          lazy_update=self.lazy_update, **kwargs)


@register
class AdamW(Adam):
    """AdamW (Loshchilov and Hutter): g = clip(rescale_grad * grad); mean and var as Adam;
    weight -= lr * (c_t * mean / (sqrt(var) + epsilon) + wd * weight), c_t Adam's bias correction
    (1 with correct_bias=False). The weight decay is not part of the gradient."""

    def __init__(self, learning_rate=None, beta1=0.9, beta2=0.999, epsilon=1e-8, correct_bias=True, **kwargs):
        super(AdamW, self).__init__(learning_rate=learning_rate, beta1=beta1, beta2=beta2, epsilon=epsilon, **kwargs)
        self.correct_bias = correct_bias
        self._rescale = {}

    def _rescale_on(self, weight):
        # the op reads rescale_grad from a one-element array; keep one per (value, context)
        key = (self.rescale_grad, str(weight.context))
        arr = self._rescale.get(key)
        if arr is None:
            self._rescale.clear()
            arr = nd.full((1,), self.rescale_grad, ctx=weight.context, dtype="float32")
            self._rescale[key] = arr
        return arr

    def update(self, index, weight, grad, state):
        self._update_count(index)
        mean, var = state
        kwargs = {}
        if self.clip_gradient is not None:
            kwargs["clip_gradient"] = self.clip_gradient
        nd.op._adamw_update(weight, grad, mean, var, self._rescale_on(weight),
                            lr=self._bias_correction(index) if self.correct_bias else 1.0,
                            eta=self._get_lr(index), beta1=self.beta1, beta2=self.beta2, epsilon=self.epsilon,
                            wd=self._get_wd(index), out=weight, **kwargs)

    def __getstate__(self):
        ret = super(AdamW, self).__getstate__()
        ret["_rescale"] = {}
        return ret
