"""AdaGrad (Duchi et al. 2011), MXNet 1.x semantics, through the fused _sparse_adagrad_update op."""
from .. import ndarray as nd
from .optimizer import Optimizer, register

__all__ = ["AdaGrad"]


@register
class AdaGrad(Optimizer):
    """g = clip(rescale_grad * grad); history += g^2;
    weight -= lr * (g / sqrt(history + eps) + wd * weight). eps defaults to 1e-7."""

    def __init__(self, eps=1e-7, **kwargs):
        super(AdaGrad, self).__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight):
        return self._zeros_like(weight)

    def update(self, index, weight, grad, state):
        kwargs = self._common_kwargs(index, weight)
        nd.op._sparse_adagrad_update(weight, grad, state, epsilon=self.float_stable_eps, **kwargs)
