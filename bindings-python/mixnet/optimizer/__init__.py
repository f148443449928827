"""mx.optimizer: Apache MXNet 1.x's optimizers over the registry's fused update ops, ``create`` and
``get_updater``."""
from .optimizer import Optimizer, Updater, create, get_updater, register
from .sgd import SGD, NAG
from .adam import Adam, AdamW
from .rmsprop import RMSProp
from .adagrad import AdaGrad
from .signum import Signum

__all__ = ["Optimizer", "Updater", "create", "get_updater", "register", "SGD", "NAG", "Adam", "AdamW", "RMSProp",
           "AdaGrad", "Signum"]
