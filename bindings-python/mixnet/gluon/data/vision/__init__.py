"""mx.gluon.data.vision (Apache MXNet 1.x): the MNIST and FashionMNIST datasets (local IDX files,
never downloaded) and image ``transforms``."""
from . import transforms
from .datasets import MNIST, FashionMNIST

__all__ = ["MNIST", "FashionMNIST", "transforms"]
