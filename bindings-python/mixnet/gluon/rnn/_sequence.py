"""Sequence plumbing shared by the recurrent cells (MXNet 1.x rnn_cell.py's helpers). A sequence
is either one NDArray with a time axis (layout 'NTC' or 'TNC') or a list of per-step (N, ...)
arrays; unroll() converts between the two so cells can step through a list and hand back
whichever form the caller asked for. Everything is done with registry ops, so autograd sees it."""
from ... import ndarray as nd
from ...base import MXNetValueError

LAYOUTS = ("TNC", "NTC")


def check_layout(owner, layout):
    """layout if it is 'TNC' or 'NTC'; else MXNetValueError naming owner."""
    if layout not in LAYOUTS:
        raise MXNetValueError("%s: invalid layout %r; must be one of ['TNC' or 'NTC']" % (owner, layout))
    return layout


def as_list(x):
    """split() gives one NDArray when num_outputs is 1 and a list otherwise: always a list."""
    return list(x) if isinstance(x, (list, tuple)) else [x]


def split_steps(x, steps, axis):
    """The steps of x along axis, each without that axis."""
    return as_list(nd.SliceChannel(x, num_outputs=steps, axis=axis, squeeze_axis=True))


def format_sequence(owner, length, inputs, layout, merge, in_layout=None):
    """(inputs, time_axis, batch_size): inputs as one array (merge True), a list of steps (merge
    False) or in the given form (merge None). in_layout is the layout of an array input when it
    differs from layout. Raises MXNetValueError when inputs is missing or does not have length
    steps."""
    if inputs is None:
        raise MXNetValueError("%s: unroll(inputs=None) is not supported; create the input arrays first" % owner)
    axis = layout.find("T")
    batch_axis = layout.find("N")
    in_axis = in_layout.find("T") if in_layout is not None else axis
    if isinstance(inputs, nd.NDArray):
        if inputs.ndim < 2:
            raise MXNetValueError("%s: a sequence array needs a time and a batch axis (layout %s), got shape %s"
                                  % (owner, layout, tuple(inputs.shape)))
        batch_size = inputs.shape[batch_axis]
        if merge is False:
            steps = inputs.shape[in_axis]
            if length is not None and length != steps:
                raise MXNetValueError("%s: unroll length %d does not match the %d steps on axis %d of the input "
                                      "of shape %s (layout %s)" % (owner, length, steps, in_axis,
                                                                   tuple(inputs.shape), in_layout or layout))
            inputs = split_steps(inputs, steps, in_axis)
    else:
        inputs = list(inputs)
        if not inputs:
            raise MXNetValueError("%s: the input sequence is an empty list" % owner)
        if length is not None and len(inputs) != length:
            raise MXNetValueError("%s: unroll length %d does not match the %d arrays in the input list"
                                  % (owner, length, len(inputs)))
        batch_size = inputs[0].shape[0]  # every step is (N, ...)
        if merge is True:
            inputs = nd.stack(*inputs, axis=axis)
            in_axis = axis
    if isinstance(inputs, nd.NDArray) and axis != in_axis:
        inputs = nd.SwapAxis(inputs, dim1=axis, dim2=in_axis)
    return inputs, axis, batch_size


def mask_sequence(data, length, valid_length, time_axis, merge):
    """Zeroes the steps at or past each row's valid length (MXNet's
    _mask_sequence_variable_length); a list when merge is False."""
    if not isinstance(data, nd.NDArray):
        data = nd.stack(*data, axis=time_axis)
    out = nd.SequenceMask(data, valid_length, use_sequence_length=True, axis=time_axis)
    return out if merge else split_steps(out, length, time_axis)


def last_valid_states(history, valid_length):
    """Each row's state at its last valid step: history is a list over time of state lists."""
    return [nd.SequenceLast(nd.stack(*per_step, axis=0), valid_length, use_sequence_length=True, axis=0)
            for per_step in zip(*history)]


def reverse_steps(steps, valid_length=None):
    """The steps in reverse order; with valid_length (N,) only each row's valid prefix is
    reversed and the padding stays where it is (MXNet's SequenceReverse, which the registry
    lacks: a gather_nd whose time indices are computed from the lengths by ops)."""
    steps = list(steps)
    if valid_length is None:
        return steps[::-1]
    T, N = len(steps), steps[0].shape[0]
    stacked = nd.stack(*steps, axis=0)  # (T, N, ...)
    t = nd.broadcast_to(nd.arange(T).reshape((T, 1)), shape=(T, N))
    lengths = nd.broadcast_to(valid_length.astype("float32").reshape((1, N)), shape=(T, N))
    time_index = nd.where(t < lengths, lengths - 1 - t, t)
    batch_index = nd.broadcast_to(nd.arange(N).reshape((1, N)), shape=(T, N))
    reversed_steps = nd.gather_nd(stacked, nd.stack(time_index, batch_index, axis=0))
    return split_steps(reversed_steps, T, 0)


def get_begin_state(cell, begin_state, inputs, batch_size):
    """begin_state, or the cell's zero states for batch_size in the inputs' dtype."""
    if begin_state is not None:
        return list(begin_state)
    first = inputs if isinstance(inputs, nd.NDArray) else inputs[0]
    return cell.begin_state(batch_size=batch_size, func=nd.zeros, dtype=first.dtype)
