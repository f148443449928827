"""Helpers shared by the gluon.nn layers: argument normalisation done once in constructors, and
turning an engine error into one that names the layer (the op's own message is kept)."""
import numbers

from ...base import MXNetError, MXNetNotImplementedError, MXNetValueError

# The channel-first layout the engine computes for each number of spatial dimensions, and the
# channel-last layout MXNet also accepts there (the engine's kernels do not).
CHANNEL_FIRST = {1: "NCW", 2: "NCHW", 3: "NCDHW"}
CHANNEL_LAST = {1: "NWC", 2: "NHWC", 3: "NDHWC"}


def is_int(v):
    """Whether v is an integer (Python or NumPy), not a bool."""
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def to_tuple(layer, arg, value, n, minimum=0):
    """value as a tuple of n integers >= minimum (kernel_size=3 -> (3, 3) in 2-D).

    Raises MXNetValueError naming the layer and the argument otherwise."""
    t = (value,) * n if is_int(value) else tuple(value) if isinstance(value, (tuple, list)) else None
    if t is None or len(t) != n or not all(is_int(d) and d >= minimum for d in t):
        raise MXNetValueError("%s: %s must be an integer >= %d or a tuple of %d such integers, got %r"
                              % (layer, arg, minimum, n, value))
    return tuple(int(d) for d in t)


def check_count(layer, arg, value, minimum=1):
    """value if it is an integer >= minimum (units, channels); else MXNetValueError."""
    if not is_int(value) or value < minimum:
        raise MXNetValueError("%s: %s must be an integer >= %d, got %r" % (layer, arg, minimum, value))
    return int(value)


def check_layout(layer, layout, dims):
    """The layout of a dims-D conv/pool layer. MXNet also accepts the channel-last layout, which
    the engine does not compute: MXNetNotImplementedError for it, MXNetValueError for others."""
    want = CHANNEL_FIRST[dims]
    if layout == want:
        return layout
    if layout == CHANNEL_LAST[dims]:
        raise MXNetNotImplementedError("%s: layout '%s' is not supported; only the channel-first layout '%s' is"
                                       % (layer, layout, want))
    raise MXNetValueError("%s: layout must be '%s' for a %d-D layer, got %r" % (layer, want, dims, layout))


def explain(block, error, why=None):
    """Re-raises the engine's error (same class) with the layer's name and, when known, the
    layer's own diagnosis (why) in front of the op's message."""
    who = "%s '%s'" % (type(block).__name__, block.name)
    msg = "%s: %s (%s)" % (who, why, error) if why else "%s: %s" % (who, error)
    raise type(error)(msg) from error


def call_op(block, op, diagnose, *args, **kwargs):
    """op(*args, **kwargs); an MXNetError from it is re-raised by explain() with diagnose()'s
    reason. try/except costs nothing on the path that does not raise."""
    try:
        return op(*args, **kwargs)
    except MXNetError as e:
        try:
            why = diagnose()
        except Exception:  # noqa: BLE001 - a diagnosis must never hide the real error
            why = None
        explain(block, e, why)


def shape_text(shape):
    """A shape as Python prints a tuple: (2, 3), (4,)."""
    return str(tuple(shape))
