"""Samplers of ``mx.gluon.data`` (Apache MXNet 1.x): the order of sample indices in an epoch and
how it is cut into batches. ``RandomSampler`` draws from NumPy's global RNG (``np.random``), as
MXNet 1.x does, so ``np.random.seed`` makes a shuffled DataLoader reproducible;
``mx.random.seed`` does not affect it."""
import numpy as np

from ...base import MXNetValueError

_LAST_BATCH = ("keep", "discard", "rollover")


class Sampler(object):
    """Base class: iterating yields the sample indices of one epoch; ``len`` is their count."""

    def __iter__(self):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """start, start+1, ..., start+length-1."""

    def __init__(self, length, start=0):
        if length < 0:
            raise MXNetValueError("SequentialSampler: length must be non-negative, got %d" % length)
        self._length = int(length)
        self._start = int(start)

    def __iter__(self):
        return iter(range(self._start, self._start + self._length))

    def __len__(self):
        return self._length


class RandomSampler(Sampler):
    """A new random permutation of 0..length-1 every epoch, from NumPy's global RNG."""

    def __init__(self, length):
        if length < 0:
            raise MXNetValueError("RandomSampler: length must be non-negative, got %d" % length)
        self._length = int(length)

    def __iter__(self):
        indices = np.arange(self._length)
        np.random.shuffle(indices)
        return iter(indices.tolist())

    def __len__(self):
        return self._length


class FilterSampler(Sampler):
    """The indices of the samples of ``dataset`` for which ``fn(sample)`` is true (found now)."""

    def __init__(self, fn, dataset):
        self._indices = [i for i in range(len(dataset)) if fn(dataset[i])]

    def __iter__(self):
        return iter(self._indices)

    def __len__(self):
        return len(self._indices)


class IntervalSampler(Sampler):
    """0, k, 2k, ..., then (with rollover) 1, k+1, ..., so every index appears once per epoch;
    without rollover only the first pass. Raises MXNetValueError unless interval < length."""

    def __init__(self, length, interval, rollover=True):
        if interval >= length:
            raise MXNetValueError("IntervalSampler: interval %d must be smaller than length %d" % (interval, length))
        self._length, self._interval, self._rollover = int(length), int(interval), rollover

    def __iter__(self):
        starts = range(self._interval) if self._rollover else range(1)
        for s in starts:
            for i in range(s, self._length, self._interval):
                yield i

    def __len__(self):
        if self._rollover:
            return self._length
        return len(range(0, self._length, self._interval))


class BatchSampler(Sampler):
    """Cuts a sampler's epoch into lists of ``batch_size`` indices. ``last_batch``: 'keep' yields a
    short last batch, 'discard' drops it, 'rollover' puts its indices at the front of the next
    epoch. Raises MXNetValueError for a bad batch_size or last_batch."""

    def __init__(self, sampler, batch_size, last_batch="keep"):
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise MXNetValueError("BatchSampler: batch_size must be a positive integer, got %r" % (batch_size,))
        if last_batch not in _LAST_BATCH:
            raise MXNetValueError("BatchSampler: last_batch must be one of 'keep', 'discard', or 'rollover', "
                                  "but got %r" % (last_batch,))
        self._sampler = sampler
        self._batch_size = int(batch_size)
        self._last_batch = last_batch
        self._prev = []

    def __iter__(self):
        batch, self._prev = self._prev, []
        for i in self._sampler:
            batch.append(i)
            if len(batch) == self._batch_size:
                yield batch
                batch = []
        if batch:
            if self._last_batch == "keep":
                yield batch
            elif self._last_batch == "rollover":
                self._prev = batch

    def __len__(self):
        n, bs = len(self._sampler), self._batch_size
        if self._last_batch == "keep":
            return (n + bs - 1) // bs
        if self._last_batch == "discard":
            return n // bs
        return (len(self._prev) + n) // bs
