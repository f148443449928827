"""gluon.Trainer (MXNet 1.x): applies an mx.optimizer to a block's parameters after backward."""
from .. import optimizer as opt
from ..base import MXNetError, MXNetValueError
from .parameter import Parameter, ParameterDict


class Trainer(object):
    """``Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1})``; ``step(batch_size)`` after
    ``loss.backward()`` updates every parameter with grad_req != 'null' (gradients scaled by 1/batch_size)."""

    def __init__(self, params, optimizer, optimizer_params=None, kvstore="device", compression_params=None,
                 update_on_kvstore=None):
        if isinstance(params, (dict, ParameterDict)):
            params = list(params.values())
        if not isinstance(params, (list, tuple)):
            raise MXNetValueError("Trainer: params must be a list or dict of Parameters, got %s" % type(params))
        self._params = []
        seen = set()
        for p in params:
            if not isinstance(p, Parameter):
                raise MXNetValueError("Trainer: params must contain Parameters, got %s" % type(p))
            if id(p) in seen:
                continue
            seen.add(id(p))
            self._params.append(p)
        optimizer_params = dict(optimizer_params or {})
        self._scale = float(optimizer_params.get("rescale_grad", 1.0))
        param_dict = {i: p for i, p in enumerate(self._params)}
        if isinstance(optimizer, opt.Optimizer):
            if optimizer_params:
                raise MXNetValueError("Trainer: optimizer_params must be None when optimizer is an Optimizer instance")
            self._optimizer = optimizer
            self._optimizer.param_dict = param_dict
        else:
            self._optimizer = opt.create(optimizer, param_dict=param_dict, **optimizer_params)
        self._optimizer.idx2name = {i: p.name for i, p in enumerate(self._params)}
        self._updater = opt.get_updater(self._optimizer)

    @property
    def learning_rate(self):
        return self._optimizer.learning_rate

    @property
    def optimizer(self):
        return self._optimizer

    def set_learning_rate(self, lr):
        self._optimizer.set_learning_rate(lr)

    def step(self, batch_size, ignore_stale_grad=False):
        """One update with gradients rescaled by rescale_grad / batch_size."""
        self._optimizer.rescale_grad = self._scale / batch_size
        self.update(batch_size, ignore_stale_grad)

    def allreduce_grads(self):
        pass  # one device: nothing to reduce

    def update(self, batch_size, ignore_stale_grad=False):
        self._optimizer.rescale_grad = self._scale / batch_size
        for i, p in enumerate(self._params):
            if p.grad_req == "null":
                continue
            if p._data is None:
                if ignore_stale_grad:
                    continue
                raise MXNetError("Trainer.step: parameter '%s' has not been initialized" % p.name)
            self._updater(i, p.grad(), p.data())

    def save_states(self, fname):
        with open(fname, "wb") as f:
            f.write(self._updater.get_states(dump_optimizer=True))

    def load_states(self, fname):
        with open(fname, "rb") as f:
            self._updater.set_states(f.read())
        self._optimizer = self._updater.optimizer
        self._optimizer.param_dict = {i: p for i, p in enumerate(self._params)}
