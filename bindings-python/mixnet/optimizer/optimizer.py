"""The Optimizer base (Apache MXNet 1.x's ``mx.optimizer.Optimizer``), its registry, ``create`` and
``get_updater``.

The base holds the learning rate (or its scheduler), weight decay, gradient rescaling and clipping,
per-index lr/wd multipliers and update counts, and multi-precision (float32 master copies of
float16 weights). Subclasses implement ``create_state`` and ``update`` with one fused registry op
per weight, written in place (``out=weight``).
"""
import pickle
import warnings

import numpy as np

from .. import ndarray as nd

__all__ = ["Optimizer", "register", "create", "Updater", "get_updater"]

_REGISTRY = {}


def register(klass):
    """Registers an Optimizer subclass under its lower-cased class name (MXNet's decorator)."""
    if not (isinstance(klass, type) and issubclass(klass, Optimizer)):
        raise TypeError("optimizer.register: expects an Optimizer subclass, got %r" % (klass,))
    _REGISTRY[klass.__name__.lower()] = klass
    return klass


def create(name, **kwargs):
    """An optimizer by registry name (case-insensitive): ``create('sgd', learning_rate=0.1, momentum=0.9)``.
    An Optimizer instance is returned as is."""
    if isinstance(name, Optimizer):
        return name
    if not isinstance(name, str):
        raise TypeError("optimizer.create: name must be a string or an Optimizer, got %r" % (name,))
    klass = _REGISTRY.get(name.lower())
    if klass is None:
        raise ValueError("optimizer.create: cannot find optimizer '%s'; known: %s"
                         % (name, ", ".join(sorted(_REGISTRY))))
    return klass(**kwargs)


def _is_fp16(weight):
    return np.dtype(weight.dtype) == np.float16


class Optimizer(object):
    """Base class of every optimizer.

    Parameters (MXNet 1.x): rescale_grad multiplies every gradient (the Trainer sets 1/batch_size);
    param_idx2name maps indices to names (so multipliers may be keyed by name); wd is the weight
    decay; clip_gradient clips the rescaled gradient to [-c, c] (None: no clipping); learning_rate
    (default 0.01, or the scheduler's base_lr) and lr_scheduler; begin_num_update the count every
    index starts from; multi_precision keeps float32 master copies of float16 weights;
    param_dict maps indices to Gluon Parameters, whose lr_mult/wd_mult then win.
    """

    opt_registry = _REGISTRY
    register = staticmethod(register)
    create_optimizer = staticmethod(create)

    def __init__(self, rescale_grad=1.0, param_idx2name=None, wd=0.0, clip_gradient=None, learning_rate=None,
                 lr_scheduler=None, sym=None, begin_num_update=0, multi_precision=False, param_dict=None):
        cls = type(self).__name__
        self.rescale_grad = rescale_grad
        self.lr_scheduler = lr_scheduler
        if learning_rate is None:
            learning_rate = lr_scheduler.base_lr if lr_scheduler is not None else 0.01
        elif lr_scheduler is not None:
            if lr_scheduler.base_lr != learning_rate:
                warnings.warn("learning rate from ``lr_scheduler`` has been overwritten by ``learning_rate`` in "
                              "optimizer.", UserWarning, stacklevel=2)
            # the optimizer's learning rate is the schedule's base (Poly/Cosine restart from it too)
            lr_scheduler.base_lr = learning_rate
            lr_scheduler.warmup_final_lr = learning_rate
            if hasattr(lr_scheduler, "base_lr_orig"):
                lr_scheduler.base_lr_orig = learning_rate
        self.lr = learning_rate
        self.wd = wd
        self.lr_mult = {}
        self.wd_mult = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        self._all_index_update_counts = {0: {}}
        self._index_update_count = self._all_index_update_counts[0]
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        self.aggregate_num = 0
        if param_idx2name is None:
            param_idx2name = {}
        if not isinstance(param_idx2name, dict):
            raise TypeError("%s: param_idx2name must be a dict of index to parameter name, got %r"
                            % (cls, param_idx2name))
        self.idx2name = param_idx2name.copy()
        self.sym_info = ()
        self.param_dict = param_dict if param_dict else {}
        for key, value in (("learning_rate", self.lr), ("wd", wd), ("rescale_grad", rescale_grad)):
            if not isinstance(value, (int, float)) or not np.isfinite(value):
                raise ValueError("%s: %s must be a finite number, got %r" % (cls, key, value))
        self.set_lr_mult({})
        self.set_wd_mult({})

    # ---- learning rate ---------------------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate (the scheduler's at num_update, when there is one)."""
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    @learning_rate.setter
    def learning_rate(self, lr):
        self.set_learning_rate(lr)

    def set_learning_rate(self, lr):
        """Sets the learning rate; refused while an lr_scheduler decides it (MXNet raises UserWarning)."""
        if self.lr_scheduler is not None:
            raise UserWarning("%s.set_learning_rate: the optimizer has an lr_scheduler; the learning rate can be "
                              "set only when it has none (got %r)" % (type(self).__name__, lr))
        self.lr = lr

    def set_lr_mult(self, args_lr_mult):
        """Learning-rate multipliers by index or parameter name (replaces earlier ones)."""
        self.lr_mult = {}
        self.lr_mult.update(args_lr_mult)

    def set_wd_mult(self, args_wd_mult):
        """Weight-decay multipliers by index or parameter name (replaces earlier ones). As in MXNet,
        named parameters that end neither in _weight nor in _gamma get no weight decay by default."""
        self.wd_mult = {}
        for n in self.idx2name.values():
            if not (n.endswith("_weight") or n.endswith("_gamma")):
                self.wd_mult[n] = 0.0
        self.wd_mult.update(args_wd_mult)

    def _mult(self, index, table, attr):
        if index in self.param_dict:
            return getattr(self.param_dict[index], attr)
        if index in table:
            return table[index]
        if index in self.idx2name:
            return table.get(self.idx2name[index], 1.0)
        return 1.0

    def _get_lrs(self, indices):
        lr = self.learning_rate
        return [lr * self._mult(i, self.lr_mult, "lr_mult") for i in indices]

    def _get_lr(self, index):
        """The learning rate of index for its update (scheduler, then multiplier)."""
        return self._get_lrs([index])[0]

    def _get_wds(self, indices):
        return [self.wd * self._mult(i, self.wd_mult, "wd_mult") for i in indices]

    def _get_wd(self, index):
        """The weight decay of index (wd times its multiplier)."""
        return self._get_wds([index])[0]

    def _update_count(self, index):
        """Counts one update of index (or of each index of a list) and advances num_update."""
        indices = index if isinstance(index, (list, tuple)) else [index]
        for idx in indices:
            count = self._index_update_count.get(idx, self.begin_num_update) + 1
            self._index_update_count[idx] = count
            self.num_update = max(count, self.num_update)

    def _common_kwargs(self, index, weight):
        """Counts the update and gives the parameters every fused update op shares."""
        self._update_count(index)
        kwargs = {"lr": self._get_lr(index), "wd": self._get_wd(index), "rescale_grad": self.rescale_grad,
                  "out": weight}
        if self.clip_gradient is not None:
            kwargs["clip_gradient"] = self.clip_gradient
        return kwargs

    # ---- states and updates ----------------------------------------------------------------------
    def create_state(self, index, weight):
        """A fresh state for weight (None when the optimizer keeps none)."""
        return None

    def create_state_multi_precision(self, index, weight):
        """With multi_precision and a float16 weight: (float32 master copy, state of the copy)."""
        if self.multi_precision and _is_fp16(weight):
            master = weight.astype(np.float32)
            return (master, self.create_state(index, master))
        return self.create_state(index, weight)

    def update(self, index, weight, grad, state):
        """One update of weight in place from grad; counts the update and advances state."""
        raise NotImplementedError("%s.update is not implemented" % type(self).__name__)

    def update_multi_precision(self, index, weight, grad, state):
        """Updates through the float32 master copy when there is one, then casts it into weight."""
        if self.multi_precision and _is_fp16(weight):
            master, inner = state
            self.update(index, master, grad.astype(np.float32), inner)
            nd.op.Cast(master, dtype=weight.dtype, out=weight)
            return
        self.update(index, weight, grad, state)

    @staticmethod
    def _zeros_like(weight):
        return nd.op.zeros_like(weight)

    def __getstate__(self):
        ret = self.__dict__.copy()
        ret.pop("param_dict", None)
        return ret

    def __setstate__(self, state):
        self.__dict__ = state
        self.param_dict = {}


class Updater(object):
    """MXNet's updater: called as ``updater(index, grad, weight)`` (grad before weight), it keeps each
    index's state, made on its first update."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.states = {}
        self.states_synced = {}

    def __call__(self, index, grad, weight):
        indices = index if isinstance(index, (list, tuple)) else [index]
        grads = grad if isinstance(grad, (list, tuple)) else [grad]
        weights = weight if isinstance(weight, (list, tuple)) else [weight]
        for i, g, w in zip(indices, grads, weights):
            if i not in self.states:
                self.states[i] = self.optimizer.create_state_multi_precision(i, w)
                self.states_synced[i] = True
            self.optimizer.update_multi_precision(i, w, g, self.states[i])

    def get_states(self, dump_optimizer=False):
        """The states (and, with dump_optimizer, the optimizer) pickled; arrays travel as NumPy."""
        states = _to_host(self.states)
        return pickle.dumps((states, self.optimizer) if dump_optimizer else states)

    def set_states(self, states):
        """Restores get_states() output (an optimizer in it replaces this updater's)."""
        loaded = pickle.loads(states)
        if isinstance(loaded, tuple) and len(loaded) == 2 and isinstance(loaded[1], Optimizer):
            loaded, self.optimizer = loaded
        self.states = _to_device(loaded)
        self.states_synced = dict.fromkeys(self.states.keys(), False)


def _to_host(obj):
    """NDArrays (nested in dicts, lists, tuples) as (marker, NumPy array) pairs, for pickling."""
    if isinstance(obj, nd.NDArray):
        return ("__ndarray__", obj.asnumpy())
    if isinstance(obj, dict):
        return {k: _to_host(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_host(v) for v in obj)
    return obj


def _to_device(obj):
    if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[0], str) and obj[0] == "__ndarray__":
        return nd.array(obj[1], dtype=obj[1].dtype)
    if isinstance(obj, dict):
        return {k: _to_device(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_device(v) for v in obj)
    return obj


def get_updater(optimizer):
    """An Updater over optimizer (a function (index, grad, weight) with per-index states)."""
    return Updater(optimizer)
