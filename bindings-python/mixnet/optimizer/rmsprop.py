"""RMSProp (Tieleman and Hinton) and its centered form (Graves 2013), MXNet 1.x semantics."""
from .. import ndarray as nd
from .optimizer import Optimizer, register

__all__ = ["RMSProp"]


@register
class RMSProp(Optimizer):
    """g = clip(rescale_grad * grad + wd * weight); n = (1 - gamma1) * g^2 + gamma1 * n;
    weight -= lr * g / sqrt(n + epsilon). Centered (Graves): also the mean gradient and a momentum
    term gamma2 (rmspropalex_update). clip_weights clips the updated weight to [-c, c].
    learning_rate defaults to 0.001 (or the scheduler's base_lr)."""

    def __init__(self, learning_rate=None, gamma1=0.9, gamma2=0.9, epsilon=1e-8, centered=False, clip_weights=None,
                 **kwargs):
        if learning_rate is None and kwargs.get("lr_scheduler") is None:
            learning_rate = 0.001
        super(RMSProp, self).__init__(learning_rate=learning_rate, **kwargs)
        if not 0.0 <= gamma1 < 1.0:
            raise ValueError("RMSProp: gamma1 must be in [0, 1), got %r" % (gamma1,))
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.centered = centered
        self.epsilon = epsilon
        self.clip_weights = clip_weights

    def create_state(self, index, weight):
        if self.centered:
            return (self._zeros_like(weight), self._zeros_like(weight), self._zeros_like(weight))
        return self._zeros_like(weight)

    def update(self, index, weight, grad, state):
        kwargs = self._common_kwargs(index, weight)
        kwargs.update(gamma1=self.gamma1, epsilon=self.epsilon)
        if self.clip_weights is not None:
            kwargs["clip_weights"] = self.clip_weights
        if self.centered:
            n, g, delta = state
            nd.op.rmspropalex_update(weight, grad, n, g, delta, gamma2=self.gamma2, **kwargs)
        else:
            nd.op.rmsprop_update(weight, grad, state, **kwargs)
