"""``mx.io.MNISTIter``: Apache MXNet 1.x's MNIST iterator over IDX files (raw or gzip).

As MXNet's C++ iterator: pixels become float32 ``value / 256`` (MXNet scales by 1/256, not
1/255) shaped (batch, 1, rows, cols), or (batch, rows*cols) with ``flat``; labels are float32
(batch,); only full batches are produced (a last partial batch is dropped); with ``shuffle`` the
order is drawn once at construction from ``seed`` and every epoch repeats it; ``num_parts`` /
``part_index`` read the contiguous part ``[n*k/num_parts, n*(k+1)/num_parts)``. The shuffled
order comes from NumPy's ``RandomState(seed)``, so it differs from MXNet's (C++ std::shuffle).
"""
import logging

import numpy as np

from .. import ndarray as nd
from ..base import MXNetIOError, MXNetValueError
from .idx import read_idx
from .ndarray_iter import NDArrayIter


def _part(count, num_parts, part_index):
    start = int(float(count) / num_parts * part_index)
    end = int(float(count) / num_parts * (part_index + 1))
    return start, end


class MNISTIter(NDArrayIter):
    """Iterates over the MNIST IDX files ``image`` and ``label`` (MXNet's ``mx.io.MNISTIter``).

    Arguments as MXNet 1.x: image, label, batch_size=128, shuffle=True, flat=False, seed=0,
    silent=False, num_parts=1, part_index=0; other MXNet iterator arguments (prefetch_buffer, ctx,
    dtype, data_shape, ...) are accepted and ignored, as MXNet's C++ iterators ignore unknown ones.
    Raises MXNetIOError for unreadable or malformed files (naming the file) and MXNetValueError
    for inconsistent files or arguments.
    """

    def __init__(self, image="./train-images-idx3-ubyte", label="./train-labels-idx1-ubyte", batch_size=128,
                 shuffle=True, flat=False, seed=0, silent=False, num_parts=1, part_index=0,
                 data_name="data", label_name="softmax_label", **kwargs):
        if not (num_parts >= 1 and 0 <= part_index < num_parts):
            raise MXNetValueError("MNISTIter: need num_parts >= 1 and 0 <= part_index < num_parts, got %r and %r" %
                                  (num_parts, part_index))
        images = read_idx(image)
        labels = read_idx(label)
        if images.ndim != 3 or images.dtype != np.uint8:
            raise MXNetIOError("MNISTIter: '%s' holds %s %s, expected uint8 images (N, rows, cols)" %
                               (image, images.dtype, images.shape))
        if labels.ndim != 1:
            raise MXNetIOError("MNISTIter: '%s' has shape %s, expected labels (N,)" % (label, labels.shape))
        if images.shape[0] != labels.shape[0]:
            raise MXNetValueError("MNISTIter: '%s' has %d images but '%s' has %d labels" %
                                  (image, images.shape[0], label, labels.shape[0]))
        start, end = _part(images.shape[0], num_parts, part_index)
        images, labels = images[start:end], labels[start:end]
        n, rows, cols = images.shape
        if n < batch_size:
            raise MXNetValueError("MNISTIter: batch_size %d is larger than the %d images of this part" % (batch_size, n))
        if shuffle:
            order = np.random.RandomState(seed).permutation(n)
            images, labels = images[order], labels[order]
        shape = (n, rows * cols) if flat else (n, 1, rows, cols)
        # scale on the engine: one cast and one multiply over the whole set
        data = nd.array(images.reshape(shape), dtype="uint8").astype("float32") * (1.0 / 256.0)
        super(MNISTIter, self).__init__(data, nd.array(labels, dtype="float32"), batch_size=batch_size,
                                        shuffle=False, last_batch_handle="discard", data_name=data_name,
                                        label_name=label_name)
        self.image, self.label_path, self.seed, self.flat = str(image), str(label), seed, flat
        if not silent:
            logging.info("MNISTIter: load %d images, shuffle=%d, shape=%s", n, int(bool(shuffle)),
                         (batch_size,) + shape[1:])
