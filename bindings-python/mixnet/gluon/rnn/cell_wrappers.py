"""Cells made of cells (MXNet 1.x gluon/rnn/rnn_cell.py): SequentialRNNCell and
HybridSequentialRNNCell (a stack), DropoutCell (dropout on each step's input), the modifiers
ResidualCell and ZoneoutCell (wrap one cell), and BidirectionalCell (pairs two, unroll only)."""
import numbers

from ... import ndarray as nd
from ...base import MXNetNotImplementedError, MXNetValueError
from ._sequence import check_layout, format_sequence, get_begin_state, mask_sequence, reverse_steps
from .rnn_cell import HybridRecurrentCell, RecurrentCell


def _indent(text, spaces):
    return text.replace("\n", "\n" + " " * spaces)


def _cells(owner):
    return [c for c in owner._children.values() if isinstance(c, RecurrentCell)]


class _CellStack(object):
    """What SequentialRNNCell and HybridSequentialRNNCell share: each step runs the cells in
    order, each on the previous cell's output; the states are the cells' states concatenated."""

    def add(self, cell):
        """Appends a cell to the stack."""
        self.register_child(cell)

    def state_info(self, batch_size=0):
        """Shape and layout of each state for a batch of batch_size."""
        return sum([c.state_info(batch_size) for c in _cells(self)], [])

    def begin_state(self, batch_size=0, **kwargs):
        """The cells' initial states, concatenated (kwargs as RecurrentCell.begin_state)."""
        self._check_not_modified()
        return sum([c.begin_state(batch_size=batch_size, **kwargs) for c in _cells(self)], [])

    def forward(self, inputs, states):
        """One step through every cell. A BidirectionalCell in the stack, or a wrong number of
        states, raises MXNetValueError."""
        self._counter += 1
        cells = _cells(self)
        if any(isinstance(c, BidirectionalCell) for c in cells):
            raise MXNetValueError("%s '%s': a BidirectionalCell cannot be stepped; use unroll()"
                                  % (type(self).__name__, self.name))
        total = len(self.state_info())
        if len(states) != total:
            raise MXNetValueError("%s '%s': expected %d state(s) for its cells, got %d"
                                  % (type(self).__name__, self.name, total, len(states)))
        p, next_states = 0, []
        for cell in cells:
            n = len(cell.state_info())
            inputs, state = cell(inputs, states[p:p + n])
            p += n
            next_states.extend(state)
        return inputs, next_states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        """Unrolls each cell over the whole sequence in turn (see RecurrentCell.unroll)."""
        self.reset()
        owner = "%s '%s'.unroll" % (type(self).__name__, self.name)
        check_layout(owner, layout)
        inputs, _, batch_size = format_sequence(owner, length, inputs, layout, None)
        begin_state = get_begin_state(self, begin_state, inputs, batch_size)
        cells = _cells(self)
        p, next_states = 0, []
        for i, cell in enumerate(cells):
            n = len(cell.state_info())
            inputs, states = cell.unroll(length, inputs, begin_state=begin_state[p:p + n], layout=layout,
                                         merge_outputs=None if i < len(cells) - 1 else merge_outputs,
                                         valid_length=valid_length)
            p += n
            next_states.extend(states)
        return inputs, next_states

    def __getitem__(self, i):
        return self._children[str(i)]

    def __len__(self):
        return len(self._children)

    def __repr__(self):
        body = "\n".join("(%s): %s" % (k, _indent(repr(c), 2)) for k, c in self._children.items())
        return "%s(\n%s\n)" % (type(self).__name__, body)


class SequentialRNNCell(_CellStack, RecurrentCell):
    """Stacks cells: ``cell.add(LSTMCell(20)); cell.add(LSTMCell(20))``."""

    def __init__(self, prefix=None, params=None):
        super(SequentialRNNCell, self).__init__(prefix=prefix, params=params)


class HybridSequentialRNNCell(_CellStack, HybridRecurrentCell):
    """Stacks hybrid cells (the same execution as SequentialRNNCell)."""

    def __init__(self, prefix=None, params=None):
        super(HybridSequentialRNNCell, self).__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F, inputs, states):
        """One step: (output, new_states) (see the class docstring)."""
        return _CellStack.forward(self, inputs, states)


class DropoutCell(HybridRecurrentCell):
    """Dropout on each step's input (training only), axes sharing one mask; passes the states
    through. rate must be a number in [0, 1] (else MXNetValueError)."""

    def __init__(self, rate, axes=(), prefix=None, params=None):
        super(DropoutCell, self).__init__(prefix, params)
        if not isinstance(rate, numbers.Real) or isinstance(rate, bool) or not 0 <= rate <= 1:
            raise MXNetValueError("DropoutCell: rate must be a number in [0, 1], got %r" % (rate,))
        self._rate = rate
        self._axes = tuple(axes)

    def __repr__(self):
        return "DropoutCell(rate=%s, axes=%s)" % (self._rate, self._axes)

    def state_info(self, batch_size=0):
        """Shape and layout of each state for a batch of batch_size."""
        return []

    def _alias(self):
        return "dropout"

    def hybrid_forward(self, F, inputs, states):
        """One step: (output, new_states) (see the class docstring)."""
        if self._rate > 0:
            inputs = F.Dropout(inputs, p=self._rate, axes=self._axes)
        return inputs, states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        """A merged sequence takes one dropout over all steps; a list is stepped through."""
        self.reset()
        owner = "DropoutCell '%s'.unroll" % self.name
        check_layout(owner, layout)
        inputs, _, _ = format_sequence(owner, length, inputs, layout, merge_outputs)
        if isinstance(inputs, nd.NDArray):
            return self.hybrid_forward(nd, inputs, list(begin_state) if begin_state else [])
        return super(DropoutCell, self).unroll(length, inputs, begin_state=begin_state, layout=layout,
                                               merge_outputs=merge_outputs, valid_length=None)


class ModifierCell(HybridRecurrentCell):
    """Base of the cells that wrap one cell and change what it computes. Once wrapped, the base
    cell is used through the modifier only (its begin_state raises); its parameters stay the base
    cell's. Wrapping a cell twice raises MXNetValueError."""

    def __init__(self, base_cell):
        if base_cell._modified:
            raise MXNetValueError("Cell %s is already modified. One cell cannot be modified twice" % base_cell.name)
        base_cell._modified = True
        super(ModifierCell, self).__init__(prefix=base_cell.prefix + self._alias(), params=None)
        self.base_cell = base_cell

    @property
    def params(self):
        """The base cell's parameters (a modifier cell owns none)."""
        return self.base_cell.params

    def state_info(self, batch_size=0):
        """Shape and layout of each state for a batch of batch_size."""
        return self.base_cell.state_info(batch_size)

    def begin_state(self, batch_size=0, func=nd.zeros, **kwargs):
        """The base cell's initial states."""
        self._check_not_modified()
        self.base_cell._modified = False
        try:
            return self.base_cell.begin_state(batch_size=batch_size, func=func, **kwargs)
        finally:
            self.base_cell._modified = True

    def hybrid_forward(self, F, inputs, states):
        """One step: (output, new_states) (see the class docstring)."""
        raise NotImplementedError

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self.base_cell)


class ZoneoutCell(ModifierCell):
    """Zoneout (Krueger et al., 2016): in training each output / state value keeps its previous
    step's value with probability zoneout_outputs / zoneout_states; outside training the base
    cell runs unchanged. A BidirectionalCell cannot be wrapped (MXNetValueError)."""

    def __init__(self, base_cell, zoneout_outputs=0., zoneout_states=0.):
        if isinstance(base_cell, BidirectionalCell):
            raise MXNetValueError("ZoneoutCell: BidirectionalCell doesn't support zoneout since it doesn't support "
                                  "step; add ZoneoutCell to the cells underneath instead")
        for name, p in (("zoneout_outputs", zoneout_outputs), ("zoneout_states", zoneout_states)):
            if not isinstance(p, numbers.Real) or not 0 <= p <= 1:
                raise MXNetValueError("ZoneoutCell: %s must be in [0, 1], got %r" % (name, p))
        super(ZoneoutCell, self).__init__(base_cell)
        self.zoneout_outputs = zoneout_outputs
        self.zoneout_states = zoneout_states
        self._prev_output = None

    def __repr__(self):
        return "ZoneoutCell(p_out=%s, p_state=%s, %r)" % (self.zoneout_outputs, self.zoneout_states, self.base_cell)

    def _alias(self):
        return "zoneout"

    def reset(self):
        """Forgets the step counters and the previous output."""
        super(ZoneoutCell, self).reset()
        self._prev_output = None

    def hybrid_forward(self, F, inputs, states):
        """One step: (output, new_states) (see the class docstring)."""
        next_output, next_states = self.base_cell(inputs, states)
        # Dropout of ones is 0 where the old value stays and 1 / (1 - p) where the new one wins
        mask = lambda p, like: F.Dropout(F.ones_like(like), p=p)  # noqa: E731
        prev_output = self._prev_output if self._prev_output is not None else F.zeros_like(next_output)
        output = F.where(mask(self.zoneout_outputs, next_output), next_output, prev_output) \
            if self.zoneout_outputs != 0. else next_output
        states = [F.where(mask(self.zoneout_states, new), new, old) for new, old in zip(next_states, states)] \
            if self.zoneout_states != 0. else next_states
        self._prev_output = output
        return output, states


class ResidualCell(ModifierCell):
    """Adds each step's input to the base cell's output (Wu et al., 2016); the output and input
    must have the same shape (else MXNetValueError)."""

    def __init__(self, base_cell):
        super(ResidualCell, self).__init__(base_cell)

    def _alias(self):
        return "residual"

    def _check_same(self, output, inputs):
        if tuple(output.shape) != tuple(inputs.shape):
            raise MXNetValueError("ResidualCell '%s': the base cell's output %s and the input %s must have the same "
                                  "shape" % (self.name, tuple(output.shape), tuple(inputs.shape)))

    def hybrid_forward(self, F, inputs, states):
        """One step: (output, new_states) (see the class docstring)."""
        output, states = self.base_cell(inputs, states)
        self._check_same(output, inputs)
        return F.elemwise_add(output, inputs), states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        """The base cell's unroll, plus the (masked) inputs."""
        self.reset()
        self.base_cell._modified = False
        try:
            outputs, states = self.base_cell.unroll(length, inputs, begin_state=begin_state, layout=layout,
                                                    merge_outputs=merge_outputs, valid_length=valid_length)
        finally:
            self.base_cell._modified = True
        merge = isinstance(outputs, nd.NDArray) if merge_outputs is None else merge_outputs
        inputs, axis, _ = format_sequence("ResidualCell '%s'.unroll" % self.name, length, inputs, layout, merge)
        if valid_length is not None:
            inputs = mask_sequence(inputs, length, valid_length, axis, merge)
        if merge:
            self._check_same(outputs, inputs)
            return nd.elemwise_add(outputs, inputs), states
        for o, i in zip(outputs, inputs):
            self._check_same(o, i)
        return [nd.elemwise_add(o, i) for o, i in zip(outputs, inputs)], states


class BidirectionalCell(HybridRecurrentCell):
    """Runs l_cell forward in time and r_cell backward, concatenating their outputs per step
    (unroll only: stepping raises MXNetNotImplementedError). With valid_length, r_cell reads each
    row's valid prefix reversed."""

    def __init__(self, l_cell, r_cell, output_prefix="bi_"):
        super(BidirectionalCell, self).__init__(prefix="", params=None)
        self.register_child(l_cell, "l_cell")
        self.register_child(r_cell, "r_cell")
        self._output_prefix = output_prefix

    def __call__(self, inputs, states):
        raise MXNetNotImplementedError("Bidirectional cannot be stepped. Please use unroll")

    def __repr__(self):
        return "BidirectionalCell(forward=%r, backward=%r)" % (self._children["l_cell"], self._children["r_cell"])

    def state_info(self, batch_size=0):
        """Shape and layout of each state for a batch of batch_size."""
        return sum([c.state_info(batch_size) for c in _cells(self)], [])

    def begin_state(self, batch_size=0, **kwargs):
        """l_cell's initial states, then r_cell's."""
        self._check_not_modified()
        return sum([c.begin_state(batch_size=batch_size, **kwargs) for c in _cells(self)], [])

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        """(outputs, l_states + r_states); outputs concatenate the two directions on the
        feature axis."""
        self.reset()
        owner = "BidirectionalCell.unroll"
        check_layout(owner, layout)
        steps, axis, batch_size = format_sequence(owner, length, inputs, layout, False)
        begin_state = get_begin_state(self, begin_state, steps, batch_size)
        l_cell, r_cell = self._children["l_cell"], self._children["r_cell"]
        nl = len(l_cell.state_info(batch_size))
        l_outputs, l_states = l_cell.unroll(length, steps, begin_state=begin_state[:nl], layout=layout,
                                            merge_outputs=merge_outputs, valid_length=valid_length)
        r_outputs, r_states = r_cell.unroll(length, reverse_steps(steps, valid_length), begin_state=begin_state[nl:],
                                            layout=layout, merge_outputs=False, valid_length=valid_length)
        r_steps = reverse_steps(r_outputs, valid_length)
        merge = isinstance(l_outputs, nd.NDArray) if merge_outputs is None else merge_outputs
        if merge:
            l_merged, _, _ = format_sequence(owner, None, l_outputs, layout, True)
            outputs = nd.Concat(l_merged, nd.stack(*r_steps, axis=axis), dim=2)
        else:
            l_steps, _, _ = format_sequence(owner, None, l_outputs, layout, False)
            outputs = [nd.Concat(l, r, dim=1) for l, r in zip(l_steps, r_steps)]
        if valid_length is not None:
            outputs = mask_sequence(outputs, length, valid_length, axis, merge)
        return outputs, l_states + r_states


__all__ = ["SequentialRNNCell", "HybridSequentialRNNCell", "DropoutCell", "ModifierCell", "ZoneoutCell",
           "ResidualCell", "BidirectionalCell"]
