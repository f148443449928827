"""Automatic differentiation (Apache MXNet 1.x's ``mx.autograd``).

    x.attach_grad()
    with mx.autograd.record():
        y = (x * x).sum()
    y.backward()        # x.grad == 2 * x
"""
from . import _capi

#: MXNet's grad_req codes.
GRAD_REQ_CODES = {"null": 0, "write": 1, "add": 3}


def set_recording(is_recording):
    """Sets whether ops are recorded; returns the previous state."""
    return bool(_capi.MXAutogradSetIsRecording(int(bool(is_recording))))


def set_training(train_mode):
    """Sets training mode (Dropout, BatchNorm); returns the previous state."""
    return bool(_capi.MXAutogradSetIsTraining(int(bool(train_mode))))


def is_recording():
    return _capi.MXAutogradIsRecording()


def is_training():
    return _capi.MXAutogradIsTraining()


class _RecordingStateScope:
    """Sets recording / training for a `with` block and restores the previous modes after it."""

    def __init__(self, is_record, train_mode):
        self._enter_is_record = is_record
        self._enter_train_mode = train_mode
        self._prev_is_record = None
        self._prev_train_mode = None

    def __enter__(self):
        if self._enter_is_record is not None:
            self._prev_is_record = set_recording(self._enter_is_record)
        if self._enter_train_mode is not None:
            self._prev_train_mode = set_training(self._enter_train_mode)

    def __exit__(self, *exc):
        if self._enter_is_record is not None and self._prev_is_record != self._enter_is_record:
            set_recording(self._prev_is_record)
        if self._enter_train_mode is not None and self._prev_train_mode != self._enter_train_mode:
            set_training(self._prev_train_mode)


def record(train_mode=True):
    """Records ops for differentiation inside the block (training mode by default)."""
    return _RecordingStateScope(True, train_mode)


def pause(train_mode=False):
    """Stops recording inside the block (prediction mode by default)."""
    return _RecordingStateScope(False, train_mode)


def train_mode():
    return _RecordingStateScope(None, True)


def predict_mode():
    return _RecordingStateScope(None, False)


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def mark_variables(variables, gradients, grad_reqs="write"):
    """Marks arrays as variables whose gradients land in `gradients` (grad_reqs: write/add/null)."""
    variables = _as_list(variables)
    gradients = _as_list(gradients)
    reqs = [grad_reqs] * len(variables) if isinstance(grad_reqs, str) else list(grad_reqs)
    for r in reqs:
        if r not in GRAD_REQ_CODES:
            from .base import MXNetValueError
            raise MXNetValueError("mark_variables: grad_req must be one of %s, got %r" %
                                  (", ".join(GRAD_REQ_CODES), r))
    _capi.mark_variables(variables, [GRAD_REQ_CODES[r] for r in reqs], gradients)


def backward(heads, head_grads=None, retain_graph=False, train_mode=True):
    """Computes gradients of `heads` into the marked variables' buffers."""
    heads = _as_list(heads)
    if head_grads is not None:
        head_grads = _as_list(head_grads)
    _capi.backward(heads, head_grads, None, retain_graph, train_mode)


def grad(heads, variables, head_grads=None, retain_graph=None, create_graph=False, train_mode=True):
    """The gradients of `heads` with respect to `variables`, as new arrays."""
    if create_graph:
        from .base import MXNetNotImplementedError
        raise MXNetNotImplementedError("autograd.grad: create_graph=True (higher-order gradients) is not "
                                       "supported yet")
    single = not isinstance(variables, (list, tuple))
    heads = _as_list(heads)
    if head_grads is not None:
        head_grads = _as_list(head_grads)
    retain = create_graph if retain_graph is None else retain_graph
    grads = _capi.backward(heads, head_grads, _as_list(variables), retain, train_mode)
    return grads[0] if single else grads
