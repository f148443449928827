"""Row gathering shared by the iterators: a batch of rows of an NDArray is a view when the rows
are one ascending contiguous run (no copy, as MXNet's slices), else one ``take`` op queued on the
engine (never a per-row Python loop)."""
import numpy as np

from .. import ndarray as nd


def is_run(index):
    """Whether an int array is start, start+1, ..., start+k-1."""
    return len(index) > 0 and int(index[-1]) - int(index[0]) == len(index) - 1 and \
        (len(index) == 1 or bool(np.all(np.diff(index) == 1)))


def index_array(index):
    """The indices as an int32 NDArray (the index input of ``take``)."""
    return nd.array(np.asarray(index, dtype=np.int32), dtype="int32")


def gather(arrays, index):
    """Rows ``index`` (a NumPy int array) of every NDArray in ``arrays``, in that order."""
    if is_run(index):
        start, stop = int(index[0]), int(index[-1]) + 1
        return [a[start:stop] for a in arrays]
    idx = index_array(index)
    return [nd.take(a, idx) for a in arrays]
