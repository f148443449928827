"""mx.gluon (MXNet 1.x): Parameter, ParameterDict, Block, HybridBlock, Trainer, nn, rnn, loss, data and utils."""
from .parameter import Parameter, ParameterDict, Constant, DeferredInitializationError
from .block import Block, HybridBlock
from .trainer import Trainer
from . import nn
from . import loss
from . import rnn
from . import data
from . import utils

__all__ = ["Parameter", "ParameterDict", "Constant", "DeferredInitializationError", "Block", "HybridBlock",
           "Trainer", "nn", "loss", "rnn", "data", "utils"]
