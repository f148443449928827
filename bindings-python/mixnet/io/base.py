"""The data-iterator protocol of Apache MXNet 1.x's ``mx.io``: DataDesc, DataBatch, DataIter, and
ResizeIter (an iterator cut or stretched to a fixed number of batches)."""
from collections import namedtuple

import numpy as np

from ..base import MXNetValueError


class DataDesc(namedtuple("DataDesc", ["name", "shape"])):
    """The name, shape, dtype and layout of one input of a batch (MXNet's ``mx.io.DataDesc``).

    It is a ``(name, shape)`` namedtuple, so code that unpacks ``provide_data`` entries as pairs
    keeps working; ``dtype`` (default float32) and ``layout`` (default ``'NCHW'``) are attributes.
    """

    def __new__(cls, name, shape, dtype=np.float32, layout="NCHW"):
        desc = super(DataDesc, cls).__new__(cls, name, tuple(shape))
        desc.dtype = dtype
        desc.layout = layout
        return desc

    def __repr__(self):
        return "DataDesc[%s,%s,%s,%s]" % (self.name, self.shape, self.dtype, self.layout)

    @staticmethod
    def get_batch_axis(layout):
        """The axis of 'N' in a layout string (0 when layout is None; -1 when it has no 'N')."""
        if layout is None:
            return 0
        return layout.find("N")

    @staticmethod
    def get_list(shapes, types):
        """DataDescs from ``[(name, shape)]`` and an optional ``[(name, dtype)]``."""
        if types is None:
            return [DataDesc(name, shape) for name, shape in shapes]
        by_name = dict(types)
        return [DataDesc(name, shape, by_name[name]) for name, shape in shapes]


class DataBatch(object):
    """One batch from a data iterator (MXNet's ``mx.io.DataBatch``).

    ``data`` and ``label`` are lists of NDArrays; ``pad`` is how many samples at the end of the
    batch are padding (0 when none). Raises MXNetValueError when data or label is not a list/tuple.
    """

    def __init__(self, data, label=None, pad=None, index=None, bucket_key=None, provide_data=None,
                 provide_label=None):
        if data is not None and not isinstance(data, (list, tuple)):
            raise MXNetValueError("DataBatch: data must be a list of NDArrays, got %s" % type(data).__name__)
        if label is not None and not isinstance(label, (list, tuple)):
            raise MXNetValueError("DataBatch: label must be a list of NDArrays, got %s" % type(label).__name__)
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index
        self.bucket_key = bucket_key
        self.provide_data = provide_data
        self.provide_label = provide_label

    def __str__(self):
        data_shapes = [d.shape for d in self.data]
        label_shapes = [l.shape for l in self.label] if self.label else None
        return "%s: data shapes: %s label shapes: %s" % (type(self).__name__, data_shapes, label_shapes)


class DataIter(object):
    """Base class of data iterators (MXNet's ``mx.io.DataIter``).

    An iterator is its own Python iterator: ``for batch in it`` runs the rest of the current epoch
    and ``reset()`` starts the next one (without it, a second loop yields nothing, as in MXNet).
    Subclasses implement ``iter_next`` and ``getdata``/``getlabel``/``getpad`` (or ``next``).
    """

    def __init__(self, batch_size=0):
        self.batch_size = batch_size

    def __iter__(self):
        return self

    def reset(self):
        """Starts a new epoch."""

    def next(self):
        """The next DataBatch; raises StopIteration at the end of the epoch."""
        if self.iter_next():
            return DataBatch(data=self.getdata(), label=self.getlabel(), pad=self.getpad(),
                             index=self.getindex())
        raise StopIteration

    def __next__(self):
        return self.next()

    def iter_next(self):
        """Moves to the next batch; False at the end of the epoch."""
        return False

    def getdata(self):
        """The data NDArrays of the current batch."""
        return None

    def getlabel(self):
        """The label NDArrays of the current batch."""
        return None

    def getindex(self):
        """The sample indices of the current batch (None when the iterator does not track them)."""
        return None

    def getpad(self):
        """How many samples at the end of the current batch are padding."""
        return 0


class ResizeIter(DataIter):
    """Makes every epoch of ``data_iter`` exactly ``size`` batches (MXNet's ``mx.io.ResizeIter``):
    shorter epochs restart the inner iterator, longer ones stop early. ``reset_internal`` resets
    the inner iterator on ``reset()`` too; without it the next epoch continues where this one
    stopped. Raises MXNetValueError when the inner iterator yields no batch at all."""

    def __init__(self, data_iter, size, reset_internal=True):
        super(ResizeIter, self).__init__()
        self.data_iter = data_iter
        self.size = int(size)
        self.reset_internal = reset_internal
        self.cur = 0
        self.current_batch = None
        self.provide_data = data_iter.provide_data
        self.provide_label = data_iter.provide_label
        self.batch_size = data_iter.batch_size
        self.default_bucket_key = getattr(data_iter, "default_bucket_key", None)

    def reset(self):
        self.cur = 0
        if self.reset_internal:
            self.data_iter.reset()

    def iter_next(self):
        if self.cur == self.size:
            return False
        try:
            self.current_batch = self.data_iter.next()
        except StopIteration:
            self.data_iter.reset()
            try:
                self.current_batch = self.data_iter.next()
            except StopIteration:
                raise MXNetValueError("ResizeIter: the inner iterator yields no batch after reset()")
        self.cur += 1
        return True

    def next(self):
        if self.iter_next():
            return self.current_batch
        raise StopIteration

    def getdata(self):
        return self.current_batch.data

    def getlabel(self):
        return self.current_batch.label

    def getindex(self):
        return self.current_batch.index

    def getpad(self):
        return self.current_batch.pad
