"""Fused recurrent layers (MXNet 1.x gluon/rnn/rnn_layer.py): RNN, LSTM and GRU run a whole
multi-layer, optionally bidirectional sequence in one call of the registry's RNN op. Each layer and
direction owns l0_i2h_weight, l0_h2h_weight, l0_i2h_bias, l0_h2h_bias (r0_... backwards), as in
MXNet; every forward flattens and concatenates them into the op's one parameter vector (MXNet's
flat layout), so autograd differentiates through to each named parameter."""
import re
from collections import OrderedDict

from ... import ndarray as nd
from ...base import MXNetNotImplementedError, MXNetValueError
from ..block import HybridBlock
from ._sequence import check_layout

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}
_FUSED_NAME = re.compile(r"^([lr])(\d+)_(i2h|h2h)_(weight|bias)$")


class _RNNLayer(HybridBlock):
    """The shared implementation of RNN, LSTM and GRU. ``layer(inputs)`` returns the output
    ((T, N, D*H) for 'TNC', (N, T, D*H) for 'NTC'); ``layer(inputs, states)`` returns
    (output, new_states). Bad constructor arguments raise MXNetValueError (projection_size, which
    the engine's RNN op does not implement, MXNetNotImplementedError); input of the wrong rank or
    feature count, or states of the wrong shape, raise MXNetValueError naming the layer."""

    def __init__(self, hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                 i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer, h2h_bias_initializer,
                 mode, projection_size, h2r_weight_initializer, lstm_state_clip_min, lstm_state_clip_max,
                 lstm_state_clip_nan, dtype, use_sequence_length=False, **kwargs):
        super(_RNNLayer, self).__init__(**kwargs)
        who = type(self).__name__
        for arg, v in (("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise MXNetValueError("%s: %s must be a positive integer, got %r" % (who, arg, v))
        if not 0 <= dropout <= 1:
            raise MXNetValueError("%s: dropout must be in [0, 1], got %r" % (who, dropout))
        if projection_size:
            raise MXNetNotImplementedError("%s: projection_size is not supported (the engine's RNN op has no LSTM "
                                           "projection)" % who)
        if (lstm_state_clip_min is None) != (lstm_state_clip_max is None):
            raise MXNetValueError("%s: state_clip_min and state_clip_max go together, got %r and %r"
                                  % (who, lstm_state_clip_min, lstm_state_clip_max))
        self._hidden_size = hidden_size
        self._projection_size = projection_size
        self._num_layers = num_layers
        self._mode = mode
        self._layout = check_layout(who, layout)
        self._dropout = dropout
        self._dir = 2 if bidirectional else 1
        self._input_size = input_size
        self._lstm_state_clip_min = lstm_state_clip_min
        self._lstm_state_clip_max = lstm_state_clip_max
        self._lstm_state_clip_nan = lstm_state_clip_nan
        self._dtype = dtype
        self._use_sequence_length = use_sequence_length
        self._gates = _GATES[mode]
        ng, ni, nh = self._gates, input_size, hidden_size
        for i in range(num_layers):
            for j in ["l", "r"][:self._dir]:
                self._register_param("%s%d_i2h_weight" % (j, i), (ng * nh, ni), i2h_weight_initializer, dtype)
                self._register_param("%s%d_h2h_weight" % (j, i), (ng * nh, nh), h2h_weight_initializer, dtype)
                self._register_param("%s%d_i2h_bias" % (j, i), (ng * nh,), i2h_bias_initializer, dtype)
                self._register_param("%s%d_h2h_bias" % (j, i), (ng * nh,), h2h_bias_initializer, dtype)
            ni = nh * self._dir

    def _register_param(self, name, shape, init, dtype):
        p = self.params.get(name, shape=shape, init=init, allow_deferred_init=True, dtype=dtype)
        setattr(self, name, p)  # registered by attribute name, so its data arrives as a keyword
        return p

    def _who(self):
        return "%s '%s'" % (type(self).__name__, self.name)

    def __repr__(self):
        shape = self.l0_i2h_weight.shape
        s = "%s(%s -> %s, %s" % (type(self).__name__, shape[1] if shape[1] else None, shape[0] // self._gates,
                                 self._layout)
        if self._num_layers != 1:
            s += ", num_layers=%s" % self._num_layers
        if self._dropout != 0:
            s += ", dropout=%s" % self._dropout
        if self._dir == 2:
            s += ", bidirectional"
        return s + ")"

    def _collect_params_with_prefix(self, prefix=""):
        """MXNet 1.x saves a fused layer's parameters under the names of its unfused cell stack
        (_unfused.0.i2h_weight, or _unfused.0.l_cell.i2h_weight when bidirectional), so its
        save_parameters files load here and the other way round."""
        if prefix:
            prefix += "."
        ret = OrderedDict()
        for key, value in self._reg_params.items():
            m = _FUSED_NAME.match(key)
            if m is None:
                ret[prefix + key] = value
                continue
            d, layer, g, t = m.groups()
            name = "_unfused.%s.%s_cell.%s_%s" % (layer, d, g, t) if self._dir == 2 else \
                "_unfused.%s.%s_%s" % (layer, g, t)
            ret[prefix + name] = value
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    def state_info(self, batch_size=0):
        """Shape, layout and dtype of each state: (layers * directions, batch, hidden)."""
        raise NotImplementedError

    def _layer_state_info(self, batch_size):
        return {"shape": (self._num_layers * self._dir, batch_size, self._hidden_size), "__layout__": "LNC",
                "dtype": self._dtype}

    def cast(self, dtype):
        """Casts the parameters; the default states follow."""
        self._dtype = dtype
        super(_RNNLayer, self).cast(dtype)

    def begin_state(self, batch_size=0, func=nd.zeros, **kwargs):
        """The initial states: func(shape=..., dtype=...) for each (zeros by default); kwargs
        override the info given to func."""
        states = []
        for info in self.state_info(batch_size):
            info = dict(info)
            info.update(kwargs)
            info.pop("__layout__", None)
            states.append(func(**info))
        return states

    def infer_shape(self, inputs, *args):
        """Fills the parameters' unknown (0) dims from the first input's shape."""
        ni = inputs.shape[2]
        for i in range(self._num_layers):
            for j in ["l", "r"][:self._dir]:
                getattr(self, "%s%d_i2h_weight" % (j, i)).shape = (self._gates * self._hidden_size, ni)
            ni = self._hidden_size * self._dir

    def forward(self, inputs, states=None, sequence_length=None):
        """Runs the layer over a sequence; without states returns the output only, with states
        (one array or a list) returns (output, new_states), as MXNet does."""
        if inputs.ndim != 3:
            raise MXNetValueError("%s: the input must be 3-D (layout %s), got shape %s"
                                  % (self._who(), self._layout, tuple(inputs.shape)))
        skip_states = states is None
        if skip_states:
            states = self.begin_state(inputs.shape[self._layout.find("N")], dtype=inputs.dtype)
        if isinstance(states, nd.NDArray):
            states = [states]
        if self._use_sequence_length and sequence_length is None:
            raise MXNetValueError("%s: use_sequence_length is set, so the call needs the (batch,) sequence lengths "
                                  "as its third argument" % self._who())
        if not self._use_sequence_length and sequence_length is not None:
            raise MXNetValueError("%s: sequence lengths were given but the layer was built without "
                                  "use_sequence_length=True" % self._who())
        params = self._param_kwargs(inputs, (states,))
        out = self.hybrid_forward(nd, inputs, list(states), sequence_length, **params)
        return out[0] if skip_states else out

    def hybrid_forward(self, F, inputs, states, sequence_length=None, **kwargs):
        """(output, new_states) for the whole sequence through the RNN op (states checked first)."""
        batch_size = inputs.shape[self._layout.find("N")]
        infos = self.state_info(batch_size)
        if len(states) != len(infos):
            raise MXNetValueError("%s: expected %d state array(s), got %d" % (self._who(), len(infos), len(states)))
        for state, info in zip(states, infos):
            if tuple(state.shape) != info["shape"]:
                raise MXNetValueError("%s: invalid recurrent state shape. Expecting %s, got %s."
                                      % (self._who(), info["shape"], tuple(state.shape)))
        in_units = kwargs["l0_i2h_weight"].shape[1]
        if inputs.shape[2] != in_units:
            raise MXNetValueError("%s: the input of shape %s (layout %s) has %d features, the layer expects %d"
                                  % (self._who(), tuple(inputs.shape), self._layout, inputs.shape[2], in_units))
        if self._layout == "NTC":
            inputs = F.SwapAxis(inputs, dim1=0, dim2=1)
        # MXNet's flat layout: every weight (layer-major, then direction, i2h before h2h), then every bias
        flat = [F.Reshape(kwargs["%s%d_%s_%s" % (d, layer, g, t)], shape=(-1,))
                for t in ("weight", "bias") for layer in range(self._num_layers)
                for d in ["l", "r"][:self._dir] for g in ("i2h", "h2h")]
        params = F.Concat(*flat, dim=0)
        extra = {}
        if self._mode == "lstm":
            extra["state_cell"] = states[1]
        if self._lstm_state_clip_min is not None:
            extra.update(lstm_state_clip_min=self._lstm_state_clip_min, lstm_state_clip_max=self._lstm_state_clip_max,
                         lstm_state_clip_nan=self._lstm_state_clip_nan)
        if self._use_sequence_length:
            extra.update(use_sequence_length=True, sequence_length=sequence_length)
        rnn = F.RNN(inputs, params, states[0], state_size=self._hidden_size, num_layers=self._num_layers,
                    bidirectional=self._dir == 2, p=self._dropout, state_outputs=True, mode=self._mode, **extra)
        outputs, new_states = rnn[0], ([rnn[1], rnn[2]] if self._mode == "lstm" else [rnn[1]])
        if self._layout == "NTC":
            outputs = F.SwapAxis(outputs, dim1=0, dim2=1)
        return outputs, new_states


class RNN(_RNNLayer):
    """Multi-layer Elman RNN: h_t = activation(W_i2h x_t + b_i2h + W_h2h h_{t-1} + b_h2h),
    activation 'relu' (default) or 'tanh' (else MXNetValueError). One state."""

    def __init__(self, hidden_size, num_layers=1, activation="relu", layout="TNC", dropout=0, bidirectional=False,
                 i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", input_size=0, dtype="float32", **kwargs):
        if activation not in ("relu", "tanh"):
            raise MXNetValueError("RNN: activation must be 'relu' or 'tanh', got %r" % (activation,))
        super(RNN, self).__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                                  i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                                  h2h_bias_initializer, "rnn_" + activation, None, None, None, None, False, dtype,
                                  **kwargs)

    def state_info(self, batch_size=0):
        """Shape and layout of each state for a batch of batch_size."""
        return [self._layer_state_info(batch_size)]


class LSTM(_RNNLayer):
    """Multi-layer LSTM, gates i, f, c, o. States [h, c], each (layers * directions, batch,
    hidden). state_clip_min / state_clip_max clip the cell state at every step (both or neither)."""

    def __init__(self, hidden_size, num_layers=1, layout="TNC", dropout=0, bidirectional=False, input_size=0,
                 i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", projection_size=None, h2r_weight_initializer=None,
                 state_clip_min=None, state_clip_max=None, state_clip_nan=False, dtype="float32", **kwargs):
        super(LSTM, self).__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                                   i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                                   h2h_bias_initializer, "lstm", projection_size, h2r_weight_initializer,
                                   state_clip_min, state_clip_max, state_clip_nan, dtype, **kwargs)

    def state_info(self, batch_size=0):
        """Shape and layout of each state for a batch of batch_size."""
        return [self._layer_state_info(batch_size), self._layer_state_info(batch_size)]


class GRU(_RNNLayer):
    """Multi-layer GRU in MXNet's (cuDNN) form, gates r, z, n. One state."""

    def __init__(self, hidden_size, num_layers=1, layout="TNC", dropout=0, bidirectional=False, input_size=0,
                 i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", dtype="float32", **kwargs):
        super(GRU, self).__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                                  i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                                  h2h_bias_initializer, "gru", None, None, None, None, False, dtype, **kwargs)

    def state_info(self, batch_size=0):
        """Shape and layout of each state for a batch of batch_size."""
        return [self._layer_state_info(batch_size)]


__all__ = ["RNN", "LSTM", "GRU"]
