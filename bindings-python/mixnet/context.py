"""Devices (Apache MXNet 1.x's ``mx.context``)."""
import threading

_DEVICE_TYPES = {1: "cpu", 2: "gpu", 3: "cpu_pinned"}
_DEVICE_CODES = {v: k for k, v in _DEVICE_TYPES.items()}


class Context:
    """A device: ``Context('cpu', 0)``; usable as ``with mx.cpu(0):`` to set the default."""

    _default = threading.local()
    devtype2str = _DEVICE_TYPES
    devstr2type = _DEVICE_CODES

    def __init__(self, device_type, device_id=0):
        if isinstance(device_type, Context):
            self.device_typeid = device_type.device_typeid
            self.device_id = device_type.device_id
        else:
            if device_type not in _DEVICE_CODES:
                raise ValueError("Context: unknown device type %r (expected one of %s)" %
                                 (device_type, ", ".join(sorted(_DEVICE_CODES))))
            self.device_typeid = _DEVICE_CODES[device_type]
            self.device_id = int(device_id)
        self._old = None

    @property
    def device_type(self):
        return _DEVICE_TYPES[self.device_typeid]

    def __hash__(self):
        return hash((self.device_typeid, self.device_id))

    def __eq__(self, other):
        return isinstance(other, Context) and self.device_typeid == other.device_typeid and \
            self.device_id == other.device_id

    def __str__(self):
        return "%s(%d)" % (self.device_type, self.device_id)

    __repr__ = __str__

    def __enter__(self):
        self._old = current_context()
        Context._default.value = self
        return self

    def __exit__(self, *exc):
        Context._default.value = self._old


def cpu(device_id=0):
    """The CPU context (MXNet's ``mx.cpu()``)."""
    return Context("cpu", device_id)


def cpu_pinned(device_id=0):
    return Context("cpu_pinned", device_id)


def gpu(device_id=0):
    """A GPU context; mixnet's engine runs on the CPU, so arrays on it fail to be created."""
    return Context("gpu", device_id)


def current_context():
    """The default context (``cpu(0)`` unless changed with ``with ctx:``)."""
    ctx = getattr(Context._default, "value", None)
    return ctx if ctx is not None else Context("cpu", 0)


def num_gpus():
    return 0
