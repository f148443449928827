"""Recurrent cells (MXNet 1.x gluon/rnn/rnn_cell.py): one time step per call,
``cell(x, states) -> (output, new_states)``, and ``unroll()`` to run a whole sequence step by step.
RNNCell, LSTMCell (gates i, f, c, o) and GRUCell (gates r, z, n; cuDNN form) hold i2h_weight,
h2h_weight, i2h_bias, h2h_bias as MXNet names them. The cells made of cells (stacks, dropout,
modifiers, bidirectional) are in cell_wrappers.py and re-exported here, MXNet's import path."""
import numpy as np

from ... import ndarray as nd
from ...base import MXNetValueError
from ..block import Block, HybridBlock
from ..nn.activations import LeakyReLU
from ._sequence import check_layout, format_sequence, get_begin_state, last_valid_states, mask_sequence


def _make_states(infos, func, kwargs):
    """One array per state info: func(shape=..., **info) with the caller's kwargs merged in; the
    '__layout__' entry is description only (MXNet's ops never took it)."""
    states = []
    for info in infos:
        info = dict(info or {})
        info.update(kwargs)
        info.pop("__layout__", None)
        states.append(func(**info))
    return states


class RecurrentCell(Block):
    """Base class of the recurrent cells. Subclasses give state_info() and a step (forward or
    hybrid_forward); begin_state() makes the initial states and unroll() runs a sequence."""

    def __init__(self, prefix=None, params=None):
        super(RecurrentCell, self).__init__(prefix=prefix, params=params)
        self._modified = False
        self.reset()

    def reset(self):
        """Forgets the step counters before the cell is reused for another sequence."""
        self._init_counter = -1
        self._counter = -1
        for cell in self._children.values():
            if isinstance(cell, RecurrentCell):
                cell.reset()

    def state_info(self, batch_size=0):
        """Shape and layout of each state: a list of {'shape': ..., '__layout__': ...}."""
        raise NotImplementedError()

    def _check_not_modified(self):
        if self._modified:
            raise MXNetValueError("%s '%s': after applying modifier cells (e.g. ZoneoutCell) the base cell cannot "
                                  "be called directly; call the modifier cell instead" % (type(self).__name__,
                                                                                          self.name))

    def begin_state(self, batch_size=0, func=nd.zeros, **kwargs):
        """The initial states: func(shape=(batch_size, ...), **kwargs) for each state (zeros by
        default; kwargs such as dtype go to func). Raises MXNetValueError on a cell wrapped by a
        modifier cell."""
        self._check_not_modified()
        infos = self.state_info(batch_size)
        self._init_counter += len(infos)
        return _make_states(infos, func, kwargs)

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        """Runs the cell over length steps of inputs (one array in layout, or a list of (N, C)
        steps). merge_outputs: True gives one array, False a list, None whichever is at hand.
        valid_length (N,): padded steps output zeros and the returned states are each row's last
        valid ones. Returns (outputs, states). Raises MXNetValueError for a bad layout or a
        length that does not match the inputs."""
        self.reset()
        owner = "%s '%s'.unroll" % (type(self).__name__, self.name)
        check_layout(owner, layout)
        steps, axis, batch_size = format_sequence(owner, length, inputs, layout, False)
        states = get_begin_state(self, begin_state, steps, batch_size)
        outputs, history = [], []
        for t in range(length):
            output, states = self(steps[t], states)
            outputs.append(output)
            if valid_length is not None:
                history.append(states)
        if valid_length is not None:
            states = last_valid_states(history, valid_length)
            outputs = mask_sequence(outputs, length, valid_length, axis, True)
        outputs, _, _ = format_sequence(owner, length, outputs, layout, merge_outputs)
        return outputs, states

    def _get_activation(self, F, inputs, activation):
        """An activation by name, a LeakyReLU block or any callable, applied to inputs."""
        func = {"tanh": F.tanh, "relu": F.relu, "sigmoid": F.sigmoid, "softsign": F.softsign}.get(activation) \
            if isinstance(activation, str) else None
        if func is not None:
            return func(inputs)
        if isinstance(activation, str):
            return F.Activation(inputs, act_type=activation)
        if isinstance(activation, LeakyReLU):
            return F.LeakyReLU(inputs, act_type="leaky", slope=activation._alpha)
        return activation(inputs)

    def forward(self, inputs, states):
        """One time step: (output, new_states)."""
        self._counter += 1
        return super(RecurrentCell, self).forward(inputs, states)


class HybridRecurrentCell(RecurrentCell, HybridBlock):
    """A recurrent cell whose step is hybrid_forward(F, inputs, states, **params)."""

    def __init__(self, prefix=None, params=None):
        super(HybridRecurrentCell, self).__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F, x, *args, **kwargs):
        """One step; every concrete cell overrides it."""
        raise NotImplementedError


class _GateCell(HybridRecurrentCell):
    """The shared skeleton of RNNCell / LSTMCell / GRUCell: i2h and h2h weights (gates * hidden,
    in) / (gates * hidden, hidden) and biases; input_size=0 is inferred on the first step."""

    _gates = 1

    def __init__(self, hidden_size, i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                 h2h_bias_initializer, input_size, prefix, params):
        super(_GateCell, self).__init__(prefix=prefix, params=params)
        if not isinstance(hidden_size, (int, np.integer)) or isinstance(hidden_size, bool) or hidden_size < 1:
            raise MXNetValueError("%s: hidden_size must be a positive integer, got %r" % (type(self).__name__,
                                                                                          hidden_size))
        self._hidden_size = int(hidden_size)
        self._input_size = input_size
        g = self._gates * self._hidden_size
        self.i2h_weight = self.params.get("i2h_weight", shape=(g, input_size), init=i2h_weight_initializer,
                                          allow_deferred_init=True)
        self.h2h_weight = self.params.get("h2h_weight", shape=(g, self._hidden_size), init=h2h_weight_initializer,
                                          allow_deferred_init=True)
        self.i2h_bias = self.params.get("i2h_bias", shape=(g,), init=i2h_bias_initializer, allow_deferred_init=True)
        self.h2h_bias = self.params.get("h2h_bias", shape=(g,), init=h2h_bias_initializer, allow_deferred_init=True)

    def state_info(self, batch_size=0):
        """Shape and layout of each state for a batch of batch_size."""
        return [{"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def infer_shape(self, inputs, *args):
        """Fills the parameters' unknown (0) dims from the first input's shape."""
        self._check_input(inputs)
        self.i2h_weight.shape = (self._gates * self._hidden_size, int(np.prod(inputs.shape[1:])))

    def _who(self):
        return "%s '%s'" % (type(self).__name__, self.name)

    def _check_input(self, inputs):
        if inputs.ndim < 2:
            raise MXNetValueError("%s: the input of one step must be (batch, features), got shape %s"
                                  % (self._who(), tuple(inputs.shape)))

    def _check_step(self, inputs, states, in_units):
        """Checks one step's input and states before the ops see them (MXNetValueError naming
        the cell and the shapes)."""
        self._check_input(inputs)
        features = int(np.prod(inputs.shape[1:]))
        if features != in_units:
            raise MXNetValueError("%s: the input has %d features (shape %s) but the cell expects %d"
                                  % (self._who(), features, tuple(inputs.shape), in_units))
        infos = self.state_info(inputs.shape[0])
        if len(states) != len(infos):
            raise MXNetValueError("%s: expected %d state(s), got %d" % (self._who(), len(infos), len(states)))
        for i, (s, info) in enumerate(zip(states, infos)):
            if tuple(s.shape) != tuple(info["shape"]):
                raise MXNetValueError("%s: state %d has shape %s, expected %s"
                                      % (self._who(), i, tuple(s.shape), tuple(info["shape"])))

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        """One step: (output, new_states) (see the class docstring)."""
        self._check_step(inputs, states, i2h_weight.shape[1])
        g = self._gates * self._hidden_size
        i2h = F.FullyConnected(inputs, i2h_weight, i2h_bias, num_hidden=g)
        h2h = F.FullyConnected(states[0], h2h_weight, h2h_bias, num_hidden=g)
        return self._step(F, i2h, h2h, states)

    def _mapping(self):
        shape = self.i2h_weight.shape
        return "%s -> %s" % (shape[1] if shape[1] else None, shape[0])

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, self._mapping())


class RNNCell(_GateCell):
    """Elman cell: h' = activation(W_i2h x + b_i2h + W_h2h h + b_h2h), activation 'tanh' by
    default (a name, a LeakyReLU block or a callable). One state (batch, hidden)."""

    def __init__(self, hidden_size, activation="tanh", i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0, prefix=None, params=None):
        super(RNNCell, self).__init__(hidden_size, i2h_weight_initializer, h2h_weight_initializer,
                                      i2h_bias_initializer, h2h_bias_initializer, input_size, prefix, params)
        self._activation = activation

    def _alias(self):
        return "rnn"

    def _step(self, F, i2h, h2h, states):
        output = self._get_activation(F, F.elemwise_add(i2h, h2h), self._activation)
        return output, [output]

    def __repr__(self):
        return "RNNCell(%s, %s)" % (self._mapping(), self._activation)


class LSTMCell(_GateCell):
    """LSTM cell, gates in MXNet's order i, f, c (the candidate), o:
    c' = f * c + i * g, h' = o * activation(c'). States [h, c], each (batch, hidden)."""

    _gates = 4

    def __init__(self, hidden_size, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0, prefix=None, params=None,
                 activation="tanh", recurrent_activation="sigmoid"):
        super(LSTMCell, self).__init__(hidden_size, i2h_weight_initializer, h2h_weight_initializer,
                                       i2h_bias_initializer, h2h_bias_initializer, input_size, prefix, params)
        self._activation = activation
        self._recurrent_activation = recurrent_activation

    def state_info(self, batch_size=0):
        """Shape and layout of each state for a batch of batch_size."""
        return [{"shape": (batch_size, self._hidden_size), "__layout__": "NC"},
                {"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def _alias(self):
        return "lstm"

    def _step(self, F, i2h, h2h, states):
        gates = F.SliceChannel(F.elemwise_add(i2h, h2h), num_outputs=4)
        in_gate = self._get_activation(F, gates[0], self._recurrent_activation)
        forget_gate = self._get_activation(F, gates[1], self._recurrent_activation)
        candidate = self._get_activation(F, gates[2], self._activation)
        out_gate = self._get_activation(F, gates[3], self._recurrent_activation)
        next_c = F.elemwise_add(F.elemwise_mul(forget_gate, states[1]), F.elemwise_mul(in_gate, candidate))
        # MXNet applies the cell activation by the Activation op here (a name)
        next_h = F.elemwise_mul(out_gate, F.Activation(next_c, act_type=self._activation))
        return next_h, [next_h, next_c]


class GRUCell(_GateCell):
    """GRU cell in MXNet's (cuDNN) form, gates r, z, n: the reset gate scales the h2h projection
    after the matrix product: n = tanh(i2h_n + r * h2h_n), h' = (1 - z) * n + z * h."""

    _gates = 3

    def __init__(self, hidden_size, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0, prefix=None, params=None):
        super(GRUCell, self).__init__(hidden_size, i2h_weight_initializer, h2h_weight_initializer,
                                      i2h_bias_initializer, h2h_bias_initializer, input_size, prefix, params)

    def _alias(self):
        return "gru"

    def _step(self, F, i2h, h2h, states):
        prev_h = states[0]
        i2h_r, i2h_z, i2h_n = F.SliceChannel(i2h, num_outputs=3)
        h2h_r, h2h_z, h2h_n = F.SliceChannel(h2h, num_outputs=3)
        reset_gate = F.Activation(F.elemwise_add(i2h_r, h2h_r), act_type="sigmoid")
        update_gate = F.Activation(F.elemwise_add(i2h_z, h2h_z), act_type="sigmoid")
        candidate = F.Activation(F.elemwise_add(i2h_n, F.elemwise_mul(reset_gate, h2h_n)), act_type="tanh")
        keep_new = F.elemwise_sub(F.ones_like(update_gate), update_gate)
        next_h = F.elemwise_add(F.elemwise_mul(keep_new, candidate), F.elemwise_mul(update_gate, prev_h))
        return next_h, [next_h]


# MXNet 1.x keeps every cell in rnn_cell.py; the wrappers import the classes above.
from .cell_wrappers import (BidirectionalCell, DropoutCell, HybridSequentialRNNCell, ModifierCell,  # noqa: E402
                            ResidualCell, SequentialRNNCell, ZoneoutCell)

__all__ = ["RecurrentCell", "HybridRecurrentCell", "RNNCell", "LSTMCell", "GRUCell", "SequentialRNNCell",
           "HybridSequentialRNNCell", "DropoutCell", "ModifierCell", "ZoneoutCell", "ResidualCell",
           "BidirectionalCell"]
