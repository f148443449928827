"""mx.io (Apache MXNet 1.x): data iterators and the batch protocol.

``DataDesc``, ``DataBatch``, ``DataIter``, ``NDArrayIter`` (in-memory arrays), ``MNISTIter`` (IDX
files), ``CSVIter`` (CSV files), ``ResizeIter``, and mixnet's validated IDX reader (``read_idx``,
``parse_idx``, ``load_idx_ndarray``). Not here: RecordIO iterators (ImageRecordIter) and
PrefetchingIter.
"""
from .base import DataBatch, DataDesc, DataIter, ResizeIter
from .ndarray_iter import NDArrayIter
from .mnist_iter import MNISTIter
from .csv_iter import CSVIter
from .idx import load_idx_ndarray, parse_idx, read_idx

__all__ = ["DataBatch", "DataDesc", "DataIter", "ResizeIter", "NDArrayIter", "MNISTIter", "CSVIter",
           "read_idx", "parse_idx", "load_idx_ndarray"]
