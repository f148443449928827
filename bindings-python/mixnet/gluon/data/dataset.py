"""Datasets of ``mx.gluon.data`` (Apache MXNet 1.x): ``Dataset`` (with ``transform``,
``transform_first``, ``filter``, ``shard``, ``take``, ``sample``), ``SimpleDataset`` and
``ArrayDataset``. As in MXNet, a sample that is a tuple is spread into a transform's arguments:
``ds.transform(lambda x, y: (f(x), y))``."""
import numpy as np

from ... import ndarray as nd
from ...base import MXNetValueError


class Dataset(object):
    """Abstract dataset: ``__getitem__(idx)`` returns sample ``idx``, ``__len__`` the count."""

    def __getitem__(self, idx):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def filter(self, fn):
        """A dataset of the samples for which ``fn(sample)`` is true (evaluated now, once)."""
        from .sampler import FilterSampler
        return _SampledDataset(self, FilterSampler(fn, self))

    def shard(self, num_shards, index):
        """Part ``index`` of ``num_shards`` contiguous parts; the first ``len % num_shards``
        parts get one sample more. Raises MXNetValueError for a bad num_shards or index."""
        if num_shards <= 0:
            raise MXNetValueError("Dataset.shard: num_shards must be positive, got %d" % num_shards)
        if not 0 <= index < num_shards:
            raise MXNetValueError("Dataset.shard: index %d is out of range [0, %d)" % (index, num_shards))
        size, rest = divmod(len(self), num_shards)
        start = size * index + min(index, rest)
        end = start + size + (1 if index < rest else 0)
        from .sampler import SequentialSampler
        return _SampledDataset(self, SequentialSampler(end - start, start))

    def take(self, count):
        """The first ``count`` samples (all of them when count is None or too large)."""
        if count is None or count > len(self):
            count = len(self)
        from .sampler import SequentialSampler
        return _SampledDataset(self, SequentialSampler(count))

    def sample(self, sampler):
        """The samples at the indices ``sampler`` yields (fixed now), in that order."""
        from .sampler import Sampler
        if not isinstance(sampler, Sampler):
            raise MXNetValueError("Dataset.sample: expected a Sampler, got %s" % type(sampler).__name__)
        return _SampledDataset(self, sampler)

    def transform(self, fn, lazy=True):
        """A dataset of ``fn(*sample)`` (``fn(sample)`` for non-tuple samples). ``lazy`` applies
        fn on access; ``lazy=False`` applies it now to every sample and keeps the results."""
        trans = _LazyTransformDataset(self, fn)
        if lazy:
            return trans
        return SimpleDataset([trans[i] for i in range(len(trans))])

    def transform_first(self, fn, lazy=True):
        """Like transform, but fn sees only the first element of each (tuple) sample; the rest
        pass through unchanged (the usual ``transform_first(image_transform)``)."""
        return self.transform(_TransformFirstClosure(fn), lazy)


class SimpleDataset(Dataset):
    """A dataset over any indexable sequence (a list, a NumPy array, ...)."""

    def __init__(self, data):
        self._data = data

    def __len__(self):
        return len(self._data)

    def __getitem__(self, idx):
        return self._data[idx]


class ArrayDataset(Dataset):
    """Zips arrays of equal length: sample i is ``(a[i], b[i], ...)``, or ``a[i]`` alone with one
    array. Arrays are NDArrays, NumPy arrays or lists; a 1-D NDArray is kept as NumPy (as MXNet),
    so its samples are NumPy scalars. Raises MXNetValueError with no arrays or unequal lengths."""

    def __init__(self, *args):
        if not args:
            raise MXNetValueError("ArrayDataset: needs at least one array")
        self._length = len(args[0])
        self._data = []
        for i, data in enumerate(args):
            if len(data) != self._length:
                raise MXNetValueError("ArrayDataset: all arrays must have the same length; array 0 has %d while "
                                      "array %d has %d" % (self._length, i, len(data)))
            if isinstance(data, nd.NDArray) and data.ndim == 1:
                data = data.asnumpy()
            self._data.append(data)

    def __getitem__(self, idx):
        if len(self._data) == 1:
            return self._data[0][idx]
        return tuple(data[idx] for data in self._data)

    def __len__(self):
        return self._length


def _call(fn, item):
    """fn applied to a sample: tuples are spread into the arguments."""
    if isinstance(item, tuple):
        return fn(*item)
    return fn(item)


class _LazyTransformDataset(Dataset):
    """``transform(fn)`` applied on access."""

    def __init__(self, data, fn):
        self._data = data
        self._fn = fn

    def __len__(self):
        return len(self._data)

    def __getitem__(self, idx):
        return _call(self._fn, self._data[idx])


class _TransformFirstClosure(object):
    """fn on the first element of a sample only (a named class, not a lambda, so it can be
    recognised by the DataLoader's batch path and pickled)."""

    def __init__(self, fn):
        self._fn = fn

    def __call__(self, x, *args):
        if args:
            return (self._fn(x),) + args
        return self._fn(x)


class _SampledDataset(Dataset):
    """The samples of a dataset at a fixed list of indices (filter, shard, take, sample)."""

    def __init__(self, dataset, sampler):
        self._dataset = dataset
        self._indices = np.asarray(list(iter(sampler)), dtype=np.int64)
        n = len(dataset)
        if self._indices.size and (self._indices.min() < 0 or self._indices.max() >= n):
            raise MXNetValueError("Dataset: sampler index out of range [0, %d)" % n)

    def __len__(self):
        return len(self._indices)

    def __getitem__(self, idx):
        return self._dataset[int(self._indices[idx])]
