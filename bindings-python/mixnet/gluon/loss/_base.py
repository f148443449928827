"""The Gluon loss base (MXNet 1.x gluon/loss.py): a HybridBlock computing one loss value per
sample (the mean over every axis but batch_axis), scaled by a global ``weight`` and an optional
per-sample ``sample_weight`` (broadcast against the elementwise loss). Built from registry ops
only, so autograd differentiates every loss."""
import numbers

from ...base import MXNetTypeError, MXNetValueError
from ..block import HybridBlock


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def apply_weighting(F, loss, weight=None, sample_weight=None):
    """loss * sample_weight (broadcast) * weight, as MXNet's _apply_weighting."""
    if sample_weight is not None:
        loss = F.broadcast_mul(loss, sample_weight)
    if weight is not None:
        loss = loss * weight
    return loss


def check_finite(loss, name, value):
    """value if it is a finite number; else MXNetValueError naming the loss and the option."""
    if not _is_number(value) or value != value or abs(value) == float("inf"):
        raise MXNetValueError("%s: %s must be a finite number, got %r" % (loss, name, value))
    return value


class Loss(HybridBlock):
    """Base class of the losses: ``weight`` (a number or None) scales the loss, ``batch_axis``
    is the axis kept (the others are averaged). A non-numeric weight or a non-integer batch_axis
    raises MXNetTypeError."""

    def __init__(self, weight, batch_axis, **kwargs):
        super(Loss, self).__init__(**kwargs)
        if weight is not None and (not _is_number(weight) or weight != weight):
            raise MXNetTypeError("%s: weight must be a number or None, got %r" % (type(self).__name__, weight))
        if not isinstance(batch_axis, numbers.Integral) or isinstance(batch_axis, bool):
            raise MXNetTypeError("%s: batch_axis must be an integer, got %r" % (type(self).__name__, batch_axis))
        self._weight = weight
        self._batch_axis = batch_axis

    def __repr__(self):
        return "%s(batch_axis=%s, w=%s)" % (type(self).__name__, self._batch_axis, self._weight)

    def hybrid_forward(self, F, x, *args, **kwargs):
        """Computes the loss; every subclass overrides it."""
        raise NotImplementedError

    def _batch_mean(self, F, loss):
        """One value per sample: the mean over every axis except batch_axis."""
        return F.mean(loss, axis=self._batch_axis, exclude=True)

    def _batch_sum(self, F, loss):
        """One value per sample: the sum over every axis except batch_axis."""
        return F.sum(loss, axis=self._batch_axis, exclude=True)

    def _reshape_like(self, F, x, like, what="label"):
        """x reshaped to like's shape (MXNet's _reshape_like) through an op, so autograd sees it;
        MXNetValueError naming the loss when the sizes differ."""
        if tuple(x.shape) == tuple(like.shape):
            return x
        if x.size != like.size:
            raise MXNetValueError("%s: %s of shape %s cannot be reshaped to the shape %s of the prediction"
                                  % (type(self).__name__, what, tuple(x.shape), tuple(like.shape)))
        return F.reshape_like(x, like)
