"""mx.gluon.nn (MXNet 1.x layers)."""
from .basic_layers import Sequential, HybridSequential, Dense, Activation, Dropout, Flatten, BatchNorm
from .conv_layers import Conv2D, MaxPool2D, AvgPool2D, GlobalAvgPool2D, GlobalMaxPool2D
from ..block import Block, HybridBlock

__all__ = ["Sequential", "HybridSequential", "Dense", "Activation", "Dropout", "Flatten", "BatchNorm", "Conv2D",
           "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "GlobalMaxPool2D", "Block", "HybridBlock"]
