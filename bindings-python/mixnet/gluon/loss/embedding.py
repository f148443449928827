"""Losses on embeddings (MXNet 1.x): TripletLoss, CosineEmbeddingLoss, SDMLLoss."""
from ...base import MXNetValueError
from ._base import Loss, apply_weighting, check_finite
from .classification import KLDivLoss


class TripletLoss(Loss):
    """max(0, |positive - pred|^2 - |negative - pred|^2 + margin), the squared distances summed
    over every axis but batch_axis. Inputs: pred, positive, negative, sample_weight=None."""

    def __init__(self, margin=1, weight=None, batch_axis=0, **kwargs):
        super(TripletLoss, self).__init__(weight, batch_axis, **kwargs)
        self._margin = check_finite("TripletLoss", "margin", margin)

    def hybrid_forward(self, F, pred, positive, negative, sample_weight=None):
        """The per-sample loss (see the class docstring)."""
        positive = self._reshape_like(F, positive, pred, "positive")
        negative = self._reshape_like(F, negative, pred, "negative")
        loss = self._batch_sum(F, F.square(positive - pred) - F.square(negative - pred))
        loss = F.relu(loss + self._margin)
        return apply_weighting(F, loss, self._weight, sample_weight)


class CosineEmbeddingLoss(Loss):
    """With c = cos(input1, input2) along the last axis: 1 - c where label is 1, else
    clip(c - margin, 0, 1 - margin) (labels 1 / -1). Inputs: input1, input2, label,
    sample_weight=None; the result has shape (batch, 1), as Apache MXNet 1.9.1 returns it."""

    def __init__(self, weight=None, batch_axis=0, margin=0, **kwargs):
        super(CosineEmbeddingLoss, self).__init__(weight, batch_axis, **kwargs)
        self._margin = check_finite("CosineEmbeddingLoss", "margin", margin)

    def hybrid_forward(self, F, input1, input2, label, sample_weight=None):
        """The per-sample loss (see the class docstring)."""
        input1 = self._reshape_like(F, input1, input2, "input1")
        cos = self._cosine_similarity(F, input1, input2)
        label = self._reshape_like(F, label, cos)
        dissimilar = F.clip(cos - self._margin, 0, 1 - self._margin)
        loss = F.where(label == 1, 1 - cos, dissimilar)
        return apply_weighting(F, loss, self._weight, sample_weight)

    @staticmethod
    def _cosine_similarity(F, x, y, axis=-1):
        """(batch, 1) cosine similarities along axis; the norm product is floored at 1e-12."""
        x_norm = F.Reshape(F.norm(x, axis=axis), shape=(-1, 1))
        y_norm = F.Reshape(F.norm(y, axis=axis), shape=(-1, 1))
        x_dot_y = F.Reshape(F.sum(x * y, axis=axis), shape=(-1, 1))
        return x_dot_y / F._internal._maximum_scalar(x_norm * y_norm, scalar=1e-12)


class SDMLLoss(Loss):
    """Batchwise Smoothed Deep Metric Learning loss (Bonadiman et al., 2019): x1[i] and x2[i]
    are a positive pair, every other row of x2 a negative. The KL divergence between
    softmax(-squared distances) of each row and the identity smoothed by smoothing_parameter (its
    mass spread over the other rows). Inputs x1, x2 of shape (batch, dim); one value per sample.
    As in MXNet, weight is stored but not applied. Bad shapes raise MXNetValueError."""

    def __init__(self, smoothing_parameter=0.3, weight=1., batch_axis=0, **kwargs):
        super(SDMLLoss, self).__init__(weight, batch_axis, **kwargs)
        self.smoothing_parameter = check_finite("SDMLLoss", "smoothing_parameter", smoothing_parameter)
        if not 0 <= smoothing_parameter < 1:
            raise MXNetValueError("SDMLLoss: smoothing_parameter must be in [0, 1), got %r" % (smoothing_parameter,))
        with self.name_scope():
            self.kl_loss = KLDivLoss(from_logits=True)

    def _compute_labels(self, F, batch_size, dtype):
        # identity * (1 - s) + (1 - identity) * s / (n - 1)
        s = self.smoothing_parameter
        gold = F._internal._eye(N=batch_size, dtype=dtype)
        return gold * (1 - s) + (1 - gold) * (s / (batch_size - 1))

    def hybrid_forward(self, F, x1, x2):
        """The per-sample loss (see the class docstring)."""
        if len(x1.shape) != 2 or tuple(x1.shape) != tuple(x2.shape):
            raise MXNetValueError("SDMLLoss: x1 and x2 must both be (batch, dim), got %s and %s"
                                  % (tuple(x1.shape), tuple(x2.shape)))
        n = x1.shape[0]
        if n < 2:
            raise MXNetValueError("SDMLLoss: needs a batch of at least 2 pairs, got %d" % n)
        labels = self._compute_labels(F, n, x1.dtype)
        diffs = F.broadcast_sub(F.expand_dims(x1, axis=1), F.expand_dims(x2, axis=0))
        distances = F.sum(F.square(diffs), axis=2)
        log_probabilities = F.log_softmax(-distances, axis=1)
        return self.kl_loss(log_probabilities, labels)


__all__ = ["TripletLoss", "CosineEmbeddingLoss", "SDMLLoss"]
