"""mx.gluon.loss (MXNet 1.x): loss blocks with MXNet's names, defaults and weighting semantics
(``weight`` a global scalar, ``sample_weight`` broadcast against the elementwise loss, one value
per sample along ``batch_axis``)."""
from ._base import Loss
from .classification import (HingeLoss, KLDivLoss, LogisticLoss, SigmoidBCELoss, SigmoidBinaryCrossEntropyLoss,
                             SoftmaxCELoss, SoftmaxCrossEntropyLoss, SquaredHingeLoss)
from .embedding import CosineEmbeddingLoss, SDMLLoss, TripletLoss
from .regression import HuberLoss, L1Loss, L2Loss, PoissonNLLLoss

__all__ = ["Loss", "L2Loss", "L1Loss", "SigmoidBinaryCrossEntropyLoss", "SigmoidBCELoss", "SoftmaxCrossEntropyLoss",
           "SoftmaxCELoss", "KLDivLoss", "HuberLoss", "HingeLoss", "SquaredHingeLoss", "LogisticLoss",
           "TripletLoss", "PoissonNLLLoss", "CosineEmbeddingLoss", "SDMLLoss"]
