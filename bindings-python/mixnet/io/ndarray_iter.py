"""``mx.io.NDArrayIter``: batches over in-memory arrays, with Apache MXNet 1.x's semantics.

The arrays are never copied when shuffling: the iterator keeps the order of source rows and
gathers each batch with one ``take`` per array (a view when the rows are contiguous).
The shuffle follows MXNet exactly: NumPy's global RNG shuffles ``self.idx`` in place at every
``reset()`` (and once at construction), and the new order is the previous one permuted by it, so
``np.random.seed(s)`` gives the same batches as in MXNet.
"""
from collections import OrderedDict

import numpy as np

from .. import ndarray as nd
from ..base import MXNetTypeError, MXNetValueError
from ._gather import gather
from .base import DataBatch, DataDesc, DataIter

_LAST_BATCH = ("pad", "discard", "roll_over")


def _init_data(data, allow_empty, default_name):
    """(name, NDArray) pairs sorted by name, as MXNet: one array is ``default_name``, a list of
    several is ``_0_<name>``, ``_1_<name>``, ...; dict keys are kept. NumPy inputs become
    NDArrays with ``mx.nd.array``'s default dtype (float32), as in MXNet."""
    if data is None:
        data = []
    if isinstance(data, (np.ndarray, nd.NDArray)):
        data = [data]
    if isinstance(data, (list, tuple)):
        if not allow_empty and len(data) == 0:
            raise MXNetValueError("NDArrayIter: data is empty")
        if len(data) == 1:
            data = OrderedDict([(default_name, data[0])])
        else:
            data = OrderedDict([("_%d_%s" % (i, default_name), d) for i, d in enumerate(data)])
    if not isinstance(data, dict):
        raise MXNetTypeError("NDArrayIter: input must be an NDArray, a numpy.ndarray, a list of them or a dict "
                             "with them as values, got %s" % type(data).__name__)
    out = []
    for name, value in data.items():
        if not isinstance(value, nd.NDArray):
            try:
                value = nd.array(value)
            except Exception as e:  # noqa: BLE001 - re-raised with the input's name
                raise MXNetTypeError("NDArrayIter: input '%s' (%s) cannot be converted to an NDArray: %s" %
                                     (name, type(value).__name__, e))
        if value.ndim == 0:
            raise MXNetValueError("NDArrayIter: input '%s' is a scalar; arrays need a batch axis" % name)
        out.append((name, value))
    return sorted(out, key=lambda kv: kv[0])


class NDArrayIter(DataIter):
    """Iterates over NDArrays / NumPy arrays in batches (MXNet's ``mx.io.NDArrayIter``).

    ``data`` and ``label`` are an array, a list of arrays or a dict name -> array (all with the same
    first dimension). ``last_batch_handle``: 'pad' fills the last batch from the start of the data
    (``batch.pad`` says how many), 'discard' drops it, 'roll_over' carries its samples into the
    first batch of the next epoch (whose ``pad`` is then the number carried, as in MXNet).
    Raises MXNetValueError / MXNetTypeError for empty or mismatched inputs and bad arguments.
    """

    def __init__(self, data, label=None, batch_size=1, shuffle=False, last_batch_handle="pad", data_name="data",
                 label_name="softmax_label"):
        super(NDArrayIter, self).__init__(batch_size)
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise MXNetValueError("NDArrayIter: batch_size must be a positive integer, got %r" % (batch_size,))
        if last_batch_handle not in _LAST_BATCH:
            raise MXNetValueError("NDArrayIter: last_batch_handle must be 'pad', 'discard' or 'roll_over', got %r" %
                                  (last_batch_handle,))
        self.data = _init_data(data, allow_empty=False, default_name=data_name)
        self.label = _init_data(label, allow_empty=True, default_name=label_name)
        n = self.data[0][1].shape[0]
        for name, a in self.data + self.label:
            if a.shape[0] != n:
                raise MXNetValueError("NDArrayIter: all arrays need the same first dimension: '%s' has %d, '%s' has %d"
                                      % (self.data[0][0], n, name, a.shape[0]))
        if n == 0:
            raise MXNetValueError("NDArrayIter: the arrays have no samples (first dimension 0)")
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.last_batch_handle = last_batch_handle
        self.num_data = n
        self.idx = np.arange(n)
        self._order = np.arange(n)  # source row of every position of the (virtually) shuffled data
        self._cache = None  # roll_over: source rows of the last partial batch
        self.cursor = -self.batch_size
        self.data_list = [a for _, a in self.data] + [a for _, a in self.label]
        self.num_source = len(self.data_list)
        self.reset()

    @property
    def provide_data(self):
        """DataDescs of the data arrays (batch_size first)."""
        return [DataDesc(k, (self.batch_size,) + tuple(v.shape[1:]), v.dtype) for k, v in self.data]

    @property
    def provide_label(self):
        """DataDescs of the label arrays (batch_size first)."""
        return [DataDesc(k, (self.batch_size,) + tuple(v.shape[1:]), v.dtype) for k, v in self.label]

    def _shuffle_data(self):
        np.random.shuffle(self.idx)
        self._order = self._order[self.idx]

    def hard_reset(self):
        """Starts a new epoch and drops samples rolled over from the last one."""
        if self.shuffle:
            self._shuffle_data()
        self.cursor = -self.batch_size
        self._cache = None

    def reset(self):
        """Starts a new epoch (reshuffled when shuffle is on); with 'roll_over' the next epoch's
        first batch begins with the samples left over from this one."""
        if self.shuffle:
            self._shuffle_data()
        if self.last_batch_handle == "roll_over" and self.num_data - self.batch_size < self.cursor < self.num_data:
            # the cursor stands at the last, partial batch: start the next epoch that many early
            self.cursor = self.cursor - self.num_data - self.batch_size
        else:
            self.cursor = -self.batch_size

    def iter_next(self):
        """Moves the cursor to the next batch; False past the end of the data."""
        self.cursor += self.batch_size
        return self.cursor < self.num_data

    def _rows(self):
        """Source rows of the batch at the cursor (may be short: the last partial batch)."""
        bs, n, c = self.batch_size, self.num_data, self.cursor
        if c >= n:
            raise MXNetValueError("NDArrayIter: the iterator is at its end; call reset()")
        if self.last_batch_handle == "roll_over" and -bs < c < 0:
            cache = self._cache if self._cache is not None else np.zeros((0,), np.int64)
            return np.concatenate([cache, self._order[:c + bs]])
        if self.last_batch_handle == "pad" and c + bs > n:
            pad = c + bs - n
            return np.concatenate([self._order[c:], self._order[np.arange(pad) % n]])
        return self._order[c:min(c + bs, n)]

    def getdata(self):
        """The data NDArrays of the batch at the cursor."""
        return gather([a for _, a in self.data], self._rows())

    def getlabel(self):
        """The label NDArrays of the batch at the cursor."""
        return gather([a for _, a in self.label], self._rows()) if self.label else []

    def getpad(self):
        """Padding samples of the batch at the cursor: the wrapped count for 'pad'; for the first
        batch of a 'roll_over' epoch, the number of samples carried over (MXNet 1.x's value)."""
        bs, n, c = self.batch_size, self.num_data, self.cursor
        if self.last_batch_handle == "pad" and c + bs > n:
            return c + bs - n
        if self.last_batch_handle == "roll_over" and -bs < c < 0:
            return -c
        return 0

    def next(self):
        """The next DataBatch; raises StopIteration at the end of the epoch (a last partial batch
        ends the epoch for 'discard' and 'roll_over'; 'roll_over' keeps it for the next one)."""
        if not self.iter_next():
            raise StopIteration
        rows = self._rows()
        if len(rows) != self.batch_size:
            self._cache = rows
            raise StopIteration
        pad = self.getpad()
        if self.last_batch_handle == "roll_over" and self.cursor < 0:
            self._cache = None
        arrays = gather(self.data_list, rows)
        nd_data = len(self.data)
        return DataBatch(data=arrays[:nd_data], label=arrays[nd_data:], pad=pad, index=None,
                         provide_data=self.provide_data, provide_label=self.provide_label)
