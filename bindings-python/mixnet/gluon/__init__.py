"""mx.gluon (MXNet 1.x): Parameter, ParameterDict, Block, HybridBlock, Trainer, nn and loss."""
from .parameter import Parameter, ParameterDict, Constant, DeferredInitializationError
from .block import Block, HybridBlock
from .trainer import Trainer
from . import nn
from . import loss

__all__ = ["Parameter", "ParameterDict", "Constant", "DeferredInitializationError", "Block", "HybridBlock",
           "Trainer", "nn", "loss"]
