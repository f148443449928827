"""``mx.io.CSVIter``: batches of rows of CSV files, with Apache MXNet 1.x's batching rules.

Every row of ``data_csv`` is one sample reshaped to ``data_shape``; every row of ``label_csv`` one
label of ``label_shape`` (all labels are 0 without a label file). A batch is (batch_size,) +
data_shape and (batch_size,) + label_shape, float32. The last partial batch is completed from the
start of the data with ``pad`` set to the number of samples added; with ``round_batch`` (default)
those samples count as read, so the next epoch starts after them (as MXNet's BatchLoader), and
without it every epoch starts at row 0 (MXNet leaves stale rows in the padding; here they repeat
the first rows).
"""
import numpy as np

from .. import ndarray as nd
from ..base import MXNetIOError, MXNetValueError
from ._gather import gather
from .base import DataBatch, DataDesc, DataIter


def _shape(shape, what):
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = tuple(int(d) for d in shape)
    if not shape or any(d <= 0 for d in shape):
        raise MXNetValueError("CSVIter: %s must be a non-empty tuple of positive ints, got %r" % (what, shape))
    return shape


def _read_csv(path, shape, what):
    """The rows of a CSV file as a float32 (rows,) + shape array; MXNetIOError names the file."""
    size = int(np.prod(shape))
    try:
        with open(str(path), "r") as f:
            lines = [ln for ln in f.read().splitlines() if ln.strip()]
    except OSError as e:
        raise MXNetIOError("CSVIter: cannot read %s '%s': %s" % (what, path, e.strerror or e))
    if not lines:
        raise MXNetIOError("CSVIter: %s '%s' has no rows" % (what, path))
    out = np.empty((len(lines), size), dtype=np.float32)
    for r, line in enumerate(lines):
        fields = line.split(",")
        if len(fields) != size:
            raise MXNetIOError("CSVIter: %s '%s' row %d has %d values, but the shape %s needs %d" %
                               (what, path, r + 1, len(fields), shape, size))
        try:
            out[r] = [float(v) for v in fields]
        except ValueError as e:
            raise MXNetIOError("CSVIter: %s '%s' row %d: %s" % (what, path, r + 1, e))
    return out.reshape((len(lines),) + shape)


class CSVIter(DataIter):
    """Iterates over CSV files in batches (MXNet's ``mx.io.CSVIter``; see the module docstring).

    Arguments as MXNet 1.x: data_csv, data_shape, label_csv=None ('NULL' also means none),
    label_shape=(1,), batch_size, round_batch=True; other MXNet iterator arguments
    (prefetch_buffer, ctx, dtype, ...) are accepted and ignored. Raises MXNetIOError for
    unreadable files or rows of the wrong length, MXNetValueError for bad shapes or when the label
    file has fewer rows than the data file.
    """

    def __init__(self, data_csv, data_shape, label_csv=None, label_shape=(1,), batch_size=1, round_batch=True,
                 data_name="data", label_name="softmax_label", **kwargs):
        super(CSVIter, self).__init__(int(batch_size))
        if self.batch_size < 1:
            raise MXNetValueError("CSVIter: batch_size must be positive, got %r" % (batch_size,))
        data_shape, label_shape = _shape(data_shape, "data_shape"), _shape(label_shape, "label_shape")
        data = _read_csv(data_csv, data_shape, "data_csv")
        n = data.shape[0]
        if label_csv is None or label_csv == "NULL":
            label = np.zeros((n,) + label_shape, dtype=np.float32)
        else:
            label = _read_csv(label_csv, label_shape, "label_csv")
            if label.shape[0] < n:
                raise MXNetValueError("CSVIter: label_csv '%s' has %d rows, fewer than the %d of data_csv '%s'" %
                                      (label_csv, label.shape[0], n, data_csv))
            label = label[:n]
        self._arrays = [nd.array(data), nd.array(label)]
        self.num_data = n
        self.round_batch = bool(round_batch)
        self.data_name, self.label_name = data_name, label_name
        self._pos = 0  # next row to read
        self._overflow = 0  # samples of the next epoch already used to complete the last batch
        self._batch = None

    @property
    def provide_data(self):
        return [DataDesc(self.data_name, (self.batch_size,) + self._arrays[0].shape[1:])]

    @property
    def provide_label(self):
        return [DataDesc(self.label_name, (self.batch_size,) + self._arrays[1].shape[1:])]

    def reset(self):
        """Starts a new epoch: at row 0, or with round_batch after the rows that completed the
        previous epoch's last batch."""
        if not self.round_batch or self._overflow == 0:
            self._pos = 0
        self._overflow = 0

    def iter_next(self):
        """Reads the next batch; False at the end of the epoch."""
        if self._overflow or self._pos >= self.num_data:
            self._batch = None
            return False
        bs, n = self.batch_size, self.num_data
        rows = np.arange(self._pos, min(self._pos + bs, n))
        pad = bs - len(rows)
        self._pos += len(rows)
        if pad:
            extra = np.arange(pad) % n
            rows = np.concatenate([rows, extra])
            if self.round_batch:
                self._overflow = pad
                self._pos = pad % n  # the wrapped rows count as read: the next epoch starts after them
        self._batch = (gather(self._arrays, rows), pad)
        return True

    def next(self):
        if not self.iter_next():
            raise StopIteration
        (data, label), pad = self._batch
        return DataBatch(data=[data], label=[label], pad=pad, index=None, provide_data=self.provide_data,
                         provide_label=self.provide_label)

    def getdata(self):
        return [self._batch[0][0]]

    def getlabel(self):
        return [self._batch[0][1]]

    def getpad(self):
        return self._batch[1] if self._batch is not None else 0
