"""mixnet: a deep learning framework in the spirit of Apache MXNet 1.x.

``import mixnet as mx`` gives MXNet 1.x's imperative API: ``mx.nd`` (NDArray and every registry
op), ``mx.autograd``, ``mx.random``, ``mx.cpu()``/``mx.context``, ``mx.base.MXNetError``, ``mx.optimizer``,
``mx.lr_scheduler``, ``mx.init`` (``mx.initializer``), ``mx.metric``, ``mx.io`` and ``mx.gluon``.
"""
import os as _os

# A shallow engine queue (the library's default, 512 pending ops, suits hosts whose thread must
# not block, such as Node's event loop): output blocks are then reused while still in cache, 10%
# faster LeNet training. Read when the engine starts, at the first op; the user's value wins.
_os.environ.setdefault("MIXNET_ENGINE_MAX_PENDING", "16")

from . import base  # noqa: E402 (after the engine setting above)
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
