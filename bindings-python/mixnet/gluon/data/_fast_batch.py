"""The DataLoader's batch path for array-backed datasets.

When a dataset is (possibly through ``take``/``shard``/``filter`` and ``transform_first`` of
batch-safe transforms) an ``ArrayDataset`` or an MNIST-style dataset, and the default batchify is
used, a batch is built with ONE ``take`` per NDArray field (NumPy fields by NumPy indexing) and the
transforms run once on the whole batch, instead of indexing every sample and stacking. The result
is the same as the per-sample path (the tests check it); a transform is batch-safe when it gives
on a batch (leading axis) what it gives per sample stacked; the vision transforms that are say so
with ``_batchable = True`` (RandomFlipLeftRight is not: it draws one coin per call).
"""
import numpy as np

from ... import ndarray as nd
from ...ndarray._dtype import NAME_TO_CODE
from .dataset import ArrayDataset, _LazyTransformDataset, _SampledDataset, _TransformFirstClosure


def batchable(fn):
    """Whether fn is marked safe to apply to whole batches."""
    return bool(getattr(fn, "_batchable", False))


class FastBatcher(object):
    """Builds batches of an array-backed dataset by gathering (see the module docstring)."""

    def __init__(self, fields, index_maps, steps):
        self._fields = fields  # NDArray or NumPy array per field
        self._index_maps = index_maps  # outermost first
        self._steps = steps  # innermost first: (first_only, fn)

    @staticmethod
    def detect(dataset):
        """A FastBatcher for dataset, or None when it is not array-backed with batch-safe transforms."""
        steps, index_maps, cur = [], [], dataset
        while True:
            if isinstance(cur, _LazyTransformDataset):
                fn = cur._fn
                if isinstance(fn, _TransformFirstClosure) and batchable(fn._fn):
                    steps.append((True, fn._fn))
                elif batchable(fn):
                    steps.append((False, fn))
                else:
                    return None
                cur = cur._data
            elif isinstance(cur, _SampledDataset):
                index_maps.append(cur._indices)
                cur = cur._dataset
            elif isinstance(cur, ArrayDataset):
                raw = cur._data
                break
            elif callable(getattr(cur, "_array_fields", None)):
                raw = cur._array_fields()
                if raw is None:
                    return None
                break
            else:
                return None
        fields = []
        for f in raw:
            if isinstance(f, nd.NDArray):
                fields.append(f)
                continue
            arr = np.asarray(f)
            if arr.ndim == 0 or arr.dtype.name not in NAME_TO_CODE:
                return None
            fields.append(arr)
        if len(fields) > 1 and any(not first for first, _ in steps):
            return None  # a whole-sample transform of a tuple: its batch form is unknown
        return FastBatcher(fields, index_maps, steps[::-1])

    def __call__(self, indices):
        idx = np.asarray(indices, dtype=np.int64)
        for m in self._index_maps:
            idx = m[idx]
        nd_idx = None
        out = []
        for f in self._fields:
            if isinstance(f, nd.NDArray):
                if nd_idx is None:
                    nd_idx = nd.array(idx.astype(np.int32), dtype="int32")
                out.append(nd.take(f, nd_idx))
            else:
                part = f[idx]
                out.append(nd.array(part, dtype=part.dtype))
        if len(out) == 1:
            batch = out[0]
            for _, fn in self._steps:
                batch = fn(batch)
            return batch
        for _, fn in self._steps:  # only transform_first steps reach here
            out[0] = fn(out[0])
        return out
