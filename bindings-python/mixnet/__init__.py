"""mixnet: a deep learning framework in the spirit of Apache MXNet 1.x.

``import mixnet as mx`` gives MXNet 1.x's imperative API: ``mx.nd`` (NDArray and every registry
op), ``mx.autograd``, ``mx.random``, ``mx.cpu()``/``mx.context``, ``mx.base.MXNetError``, ``mx.optimizer``,
``mx.lr_scheduler``, ``mx.init`` (``mx.initializer``), ``mx.metric``, ``mx.io`` and ``mx.gluon``.
"""
from . import base
from .base import MXNetError
from . import context
from .context import Context, cpu, gpu, current_context
from . import ndarray
from . import ndarray as nd
from . import autograd
from . import random
from . import lr_scheduler
from . import optimizer
from . import initializer
from . import initializer as init
from . import metric
from . import io
from . import gluon

__version__ = "0.1.0"

__all__ = ["MXNetError", "Context", "cpu", "gpu", "current_context", "nd", "ndarray", "autograd", "random", "base",
           "context", "lr_scheduler", "optimizer", "initializer", "init", "metric", "io", "gluon"]
