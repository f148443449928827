"""Regression losses (MXNet 1.x): L2Loss, L1Loss, HuberLoss, PoissonNLLLoss. Inputs are
(pred, label, sample_weight=None); each returns one value per sample along batch_axis."""
import math

from ...base import MXNetValueError
from ._base import Loss, apply_weighting, check_finite


class L2Loss(Loss):
    """weight / 2 * (label - pred)^2, averaged per sample (weight defaults to 1)."""

    def __init__(self, weight=1., batch_axis=0, **kwargs):
        super(L2Loss, self).__init__(weight, batch_axis, **kwargs)

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        """The per-sample loss (see the class docstring)."""
        label = self._reshape_like(F, label, pred)
        loss = F.square(label - pred)
        # MXNet folds the 1/2 into the weight
        loss = apply_weighting(F, loss, (1. if self._weight is None else self._weight) / 2, sample_weight)
        return self._batch_mean(F, loss)


class L1Loss(Loss):
    """weight * |label - pred|, averaged per sample."""

    def __init__(self, weight=None, batch_axis=0, **kwargs):
        super(L1Loss, self).__init__(weight, batch_axis, **kwargs)

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        """The per-sample loss (see the class docstring)."""
        label = self._reshape_like(F, label, pred)
        loss = F.abs(label - pred)
        return self._batch_mean(F, apply_weighting(F, loss, self._weight, sample_weight))


class HuberLoss(Loss):
    """Smoothed L1: with e = |label - pred|, 0.5 / rho * e^2 where e <= rho, else e - 0.5 * rho
    (rho > 0, default 1; else MXNetValueError)."""

    def __init__(self, rho=1, weight=None, batch_axis=0, **kwargs):
        super(HuberLoss, self).__init__(weight, batch_axis, **kwargs)
        self._rho = check_finite("HuberLoss", "rho", rho)
        if rho <= 0:
            raise MXNetValueError("HuberLoss: rho must be > 0, got %r" % (rho,))

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        """The per-sample loss (see the class docstring)."""
        label = self._reshape_like(F, label, pred)
        err = F.abs(label - pred)
        loss = F.where(err > self._rho, err - 0.5 * self._rho, (0.5 / self._rho) * F.square(err))
        return self._batch_mean(F, apply_weighting(F, loss, self._weight, sample_weight))


class PoissonNLLLoss(Loss):
    """Negative log likelihood of a Poisson target: exp(pred) - target * pred (from_logits, the
    default: pred is the log rate), or pred - target * log(pred + epsilon). compute_full adds
    Stirling's approximation of log(target!) where target > 1. Inputs: pred, target,
    sample_weight=None, epsilon=1e-08. Returns the mean over all elements, shape (1,), as
    Apache MXNet 1.9.1 does (not one value per sample)."""

    def __init__(self, weight=None, from_logits=True, batch_axis=0, compute_full=False, **kwargs):
        super(PoissonNLLLoss, self).__init__(weight, batch_axis, **kwargs)
        self._from_logits = from_logits
        self._compute_full = compute_full

    def hybrid_forward(self, F, pred, target, sample_weight=None, epsilon=1e-08):
        """The per-sample loss (see the class docstring)."""
        target = self._reshape_like(F, target, pred, "target")
        if self._from_logits:
            loss = F.exp(pred) - target * pred
        else:
            loss = pred - target * F.log(pred + epsilon)
        if self._compute_full:
            # target * log(target) - target + 0.5 * log(2 pi target), kept only where target > 1;
            # max(target, 1) keeps log() finite where the term is dropped (MXNet gets NaN from 0 * log 0)
            safe = F._internal._maximum_scalar(target, scalar=1)
            stirling = safe * F.log(safe) - safe + 0.5 * F.log(2 * math.pi * safe)
            loss = loss + stirling * (target > 1)
        return F.mean(apply_weighting(F, loss, self._weight, sample_weight))


__all__ = ["L2Loss", "L1Loss", "HuberLoss", "PoissonNLLLoss"]
