"""Classification losses (MXNet 1.x): SoftmaxCrossEntropyLoss (SoftmaxCELoss),
SigmoidBinaryCrossEntropyLoss (SigmoidBCELoss), KLDivLoss, HingeLoss, SquaredHingeLoss,
LogisticLoss. Inputs are (pred, label, sample_weight=None); one value per sample."""
from ...base import MXNetValueError
from ._base import Loss, apply_weighting, check_finite


class SoftmaxCrossEntropyLoss(Loss):
    """-log softmax(pred)[label] along axis with sparse_label=True (label holds class indices,
    pred's shape without axis), else -sum(label * log softmax(pred)) with label a distribution of
    pred's shape. from_logits=True: pred already holds log-probabilities."""

    def __init__(self, axis=-1, sparse_label=True, from_logits=False, weight=None, batch_axis=0, **kwargs):
        super(SoftmaxCrossEntropyLoss, self).__init__(weight, batch_axis, **kwargs)
        self._axis = axis
        self._sparse_label = sparse_label
        self._from_logits = from_logits

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        """The per-sample loss (see the class docstring)."""
        if not self._from_logits:
            pred = F.log_softmax(pred, axis=self._axis)
        if self._sparse_label:
            loss = -F.pick(pred, label, axis=self._axis, keepdims=True)
        else:
            label = self._reshape_like(F, label, pred)
            loss = -F.sum(pred * label, axis=self._axis, keepdims=True)
        return self._batch_mean(F, apply_weighting(F, loss, self._weight, sample_weight))


SoftmaxCELoss = SoftmaxCrossEntropyLoss


class SigmoidBinaryCrossEntropyLoss(Loss):
    """Binary cross entropy -(pos_weight * y * log p + (1 - y) * log(1 - p)). from_sigmoid=False
    (default): p = sigmoid(pred), computed in the overflow-free form
    relu(x) - x*y + log(1 + exp(-|x|)). Inputs: pred, label, sample_weight=None,
    pos_weight=None (broadcast against the loss, e.g. (1, classes))."""

    def __init__(self, from_sigmoid=False, weight=None, batch_axis=0, **kwargs):
        super(SigmoidBinaryCrossEntropyLoss, self).__init__(weight, batch_axis, **kwargs)
        self._from_sigmoid = from_sigmoid

    def hybrid_forward(self, F, pred, label, sample_weight=None, pos_weight=None):
        """The per-sample loss (see the class docstring)."""
        label = self._reshape_like(F, label, pred)
        if not self._from_sigmoid:
            softplus_neg_abs = F.Activation(-F.abs(pred), act_type="softrelu")
            if pos_weight is None:
                loss = F.relu(pred) - pred * label + softplus_neg_abs
            else:
                # log(1 + exp(-x)) = log(1 + exp(-|x|)) + relu(-x), weighted by 1 + (w - 1) * y
                log_weight = 1 + F.broadcast_mul(pos_weight - 1, label)
                loss = pred - pred * label + log_weight * (softplus_neg_abs + F.relu(-pred))
        else:
            eps = 1e-12
            pos = F.log(pred + eps) * label
            if pos_weight is not None:
                pos = F.broadcast_mul(pos, pos_weight)
            loss = -(pos + F.log(1. - pred + eps) * (1. - label))
        return self._batch_mean(F, apply_weighting(F, loss, self._weight, sample_weight))


SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss


class KLDivLoss(Loss):
    """Kullback-Leibler divergence label * (log(label + 1e-12) - pred), summed over each
    sample's elements (Apache MXNet 1.9.1 sums here where its other losses average). pred holds
    log-probabilities (from_logits=True, the default) or logits that get log_softmax along axis."""

    def __init__(self, from_logits=True, axis=-1, weight=None, batch_axis=0, **kwargs):
        super(KLDivLoss, self).__init__(weight, batch_axis, **kwargs)
        self._from_logits = from_logits
        self._axis = axis

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        """The per-sample loss (see the class docstring)."""
        if not self._from_logits:
            pred = F.log_softmax(pred, axis=self._axis)
        loss = label * (F.log(label + 1e-12) - pred)
        return self._batch_sum(F, apply_weighting(F, loss, self._weight, sample_weight))


class HingeLoss(Loss):
    """relu(margin - pred * label) for labels -1 / 1 (margin default 1)."""

    def __init__(self, margin=1, weight=None, batch_axis=0, **kwargs):
        super(HingeLoss, self).__init__(weight, batch_axis, **kwargs)
        self._margin = check_finite(type(self).__name__, "margin", margin)

    def _hinge(self, F, pred, label):
        label = self._reshape_like(F, label, pred)
        return F.relu(self._margin - pred * label)

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        """The per-sample loss (see the class docstring)."""
        return self._batch_mean(F, apply_weighting(F, self._hinge(F, pred, label), self._weight, sample_weight))


class SquaredHingeLoss(HingeLoss):
    """relu(margin - pred * label)^2 for labels -1 / 1 (margin default 1)."""

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        """The per-sample loss (see the class docstring)."""
        loss = F.square(self._hinge(F, pred, label))
        return self._batch_mean(F, apply_weighting(F, loss, self._weight, sample_weight))


class LogisticLoss(Loss):
    """log(1 + exp(-pred * label)) for labels -1 / 1 (label_format 'signed', default) or 0 / 1
    ('binary'; any other format raises MXNetValueError). Computed on 0 / 1 labels in the stable
    form relu(x) - x*y + log(1 + exp(-|x|))."""

    def __init__(self, weight=None, batch_axis=0, label_format="signed", **kwargs):
        super(LogisticLoss, self).__init__(weight, batch_axis, **kwargs)
        if label_format not in ("signed", "binary"):
            raise MXNetValueError("LogisticLoss: label_format can only be 'signed' or 'binary', got %r"
                                  % (label_format,))
        self._label_format = label_format

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        """The per-sample loss (see the class docstring)."""
        label = self._reshape_like(F, label, pred)
        if self._label_format == "signed":
            label = (label + 1.0) / 2.0  # -1 / 1 to 0 / 1
        loss = F.relu(pred) - pred * label + F.Activation(-F.abs(pred), act_type="softrelu")
        return self._batch_mean(F, apply_weighting(F, loss, self._weight, sample_weight))


__all__ = ["SoftmaxCrossEntropyLoss", "SoftmaxCELoss", "SigmoidBinaryCrossEntropyLoss", "SigmoidBCELoss",
           "KLDivLoss", "HingeLoss", "SquaredHingeLoss", "LogisticLoss"]
