"""``mx.gluon.data.DataLoader`` (Apache MXNet 1.x): mini-batches of a Dataset, one epoch per
iteration.

Workers are threads, not processes: the engine runs in this process and NDArrays cannot cross a
process boundary cheaply, and the heavy work (gathers, transforms) already runs on engine threads
that release the GIL. ``num_workers > 0`` assembles the next ``prefetch`` batches on a thread pool
while the current one is consumed; batches are still yielded in sampler order, so the batches are
the same as with ``num_workers=0``.
"""
import collections
import concurrent.futures

from ... import ndarray as nd
from ...base import MXNetValueError
from . import sampler as _sampler
from ._fast_batch import FastBatcher
from .batchify import default_batchify_fn


def _wait(batch):
    """Waits until every NDArray of a batch is computed (re-raises a failed op's error)."""
    if isinstance(batch, nd.NDArray):
        batch.wait_to_read()
    elif isinstance(batch, (list, tuple)):
        for b in batch:
            _wait(b)


class DataLoader(object):
    """Loads a Dataset in mini-batches (MXNet's ``mx.gluon.data.DataLoader``).

    Parameters follow MXNet 1.x: ``batch_size``, ``shuffle`` (a new order each epoch from
    NumPy's global RNG, so ``np.random.seed`` makes it reproducible; ``mx.random.seed`` does not
    affect it, as in MXNet), ``sampler``, ``last_batch`` ('keep' default, 'discard', 'rollover'),
    ``batch_sampler``, ``batchify_fn`` (default: ``default_batchify_fn``), ``num_workers``
    (background threads, see the module docstring), ``prefetch`` (batches queued ahead, default
    ``2 * num_workers``), ``timeout`` (seconds to wait for a worker's batch). ``pin_memory``,
    ``pin_device_id``, ``thread_pool`` and ``try_nopython`` are accepted; they change nothing on
    CPU-only mixnet (workers are always threads).

    With the default batchify, an ArrayDataset / MNIST-style dataset (optionally through
    take/shard/filter and ``transform_first`` of batch-safe transforms) is batched with one
    ``take`` per array and the transforms run once per batch; other datasets are indexed per sample.

    Raises MXNetValueError for inconsistent arguments (batch_size missing, shuffle with sampler,
    batch_size/shuffle/sampler/last_batch with batch_sampler); iteration raises TimeoutError when
    a worker's batch takes longer than ``timeout`` and re-raises errors of the dataset or batchify.
    """

    def __init__(self, dataset, batch_size=None, shuffle=False, sampler=None, last_batch=None, batch_sampler=None,
                 batchify_fn=None, num_workers=0, pin_memory=False, pin_device_id=0, prefetch=None,
                 thread_pool=False, timeout=120, try_nopython=None):
        self._dataset = dataset
        self._pin_memory = pin_memory
        self._pin_device_id = pin_device_id
        self._thread_pool = thread_pool
        self._timeout = timeout
        if batch_sampler is None:
            if batch_size is None:
                raise MXNetValueError("DataLoader: batch_size must be specified unless batch_sampler is specified")
            if sampler is None:
                sampler = _sampler.RandomSampler(len(dataset)) if shuffle else _sampler.SequentialSampler(len(dataset))
            elif shuffle:
                raise MXNetValueError("DataLoader: shuffle must not be specified if sampler is specified")
            batch_sampler = _sampler.BatchSampler(sampler, batch_size, last_batch if last_batch else "keep")
        elif batch_size is not None or shuffle or sampler is not None or last_batch is not None:
            raise MXNetValueError("DataLoader: batch_size, shuffle, sampler and last_batch must not be specified if "
                                  "batch_sampler is specified.")
        self._batch_sampler = batch_sampler
        self._num_workers = num_workers if num_workers >= 0 else 0
        self._prefetch = max(0, int(prefetch) if prefetch is not None else 2 * self._num_workers)
        self._batchify_fn = default_batchify_fn if batchify_fn is None else batchify_fn
        self._fast = FastBatcher.detect(dataset) if batchify_fn is None else None
        self._pool = None

    def __len__(self):
        """Batches per epoch (of the next epoch, with 'rollover')."""
        return len(self._batch_sampler)

    def _batch(self, indices):
        if self._fast is not None:
            return self._fast(indices)
        return self._batchify_fn([self._dataset[i] for i in indices])

    def _worker_batch(self, indices):
        batch = self._batch(indices)
        _wait(batch)  # compute it here, so the consumer gets a ready batch (and errors surface here)
        return batch

    def __iter__(self):
        if self._num_workers == 0:
            return (self._batch(indices) for indices in self._batch_sampler)
        return self._threaded_iter()

    def _threaded_iter(self):
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(self._num_workers,
                                                               thread_name_prefix="mixnet-dataloader")
        batches = iter(self._batch_sampler)
        pending = collections.deque()

        def submit():
            indices = next(batches, None)
            if indices is not None:
                pending.append(self._pool.submit(self._worker_batch, indices))

        for _ in range(max(1, self._prefetch)):
            submit()
        try:
            while pending:
                future = pending.popleft()
                try:
                    batch = future.result(timeout=self._timeout)
                except concurrent.futures.TimeoutError:
                    raise TimeoutError("DataLoader: a worker took more than %s seconds to build a batch (raise "
                                       "timeout= if the dataset is slow)" % self._timeout)
                submit()
                yield batch
        finally:
            for f in pending:  # the consumer stopped early: drop queued work
                f.cancel()

    def __del__(self):
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=False)
