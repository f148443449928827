"""Image datasets of ``mx.gluon.data.vision`` (Apache MXNet 1.x): MNIST and FashionMNIST from
local IDX files. Nothing is ever downloaded: a missing file is an MXNetIOError that says where
it was looked for and how to get it (for Fashion-MNIST, Debian's ``dataset-fashion-mnist``)."""
import os

import numpy as np

from .... import ndarray as nd
from ....base import MXNetIOError
from ....io.idx import read_idx
from ..dataset import Dataset


def _mxnet_home():
    return os.environ.get("MXNET_HOME", os.path.join("~", ".mxnet"))


class MNIST(Dataset):
    """MNIST handwritten digits (MXNet's ``mx.gluon.data.vision.MNIST``).

    Each sample is ``(image, label)``: image a uint8 NDArray (28, 28, 1) (HWC), label a NumPy
    int32, or ``transform(image, label)`` when a transform is given. ``root`` holds
    ``train-images-idx3-ubyte[.gz]`` / ``train-labels-idx1-ubyte[.gz]`` (``t10k-*`` for
    ``train=False``); default ``$MXNET_HOME/datasets/mnist`` (``~/.mxnet/datasets/mnist``).
    Raises MXNetIOError when a file is missing, unreadable or malformed.
    """

    _kind = "MNIST"
    _hint = "put the MNIST IDX files (train-images-idx3-ubyte.gz, ...) there or pass root= (mixnet never downloads)"

    def __init__(self, root=None, train=True, transform=None):
        if root is None:
            root = os.path.join(_mxnet_home(), "datasets", "mnist")
        self._root = os.path.expanduser(root)
        self._train = train
        self._transform = transform
        prefix = "train" if train else "t10k"
        images_path = self._find("%s-images-idx3-ubyte" % prefix)
        labels_path = self._find("%s-labels-idx1-ubyte" % prefix)
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.ndim != 3 or images.dtype != np.uint8:
            raise MXNetIOError("%s: '%s' holds %s %s, expected uint8 images (N, rows, cols)" %
                               (self._kind, images_path, images.dtype, images.shape))
        if labels.ndim != 1:
            raise MXNetIOError("%s: '%s' has shape %s, expected labels (N,)" % (self._kind, labels_path, labels.shape))
        if images.shape[0] != labels.shape[0]:
            raise MXNetIOError("%s: '%s' has %d images but '%s' has %d labels" %
                               (self._kind, images_path, images.shape[0], labels_path, labels.shape[0]))
        self._data = nd.array(images.reshape(images.shape + (1,)), dtype="uint8")
        self._label = labels.astype(np.int32)

    def _find(self, name):
        for candidate in (name + ".gz", name):
            path = os.path.join(self._root, candidate)
            if os.path.exists(path):
                return path
        raise MXNetIOError("%s: %s.gz (or %s) not found in %s: %s" % (self._kind, name, name, self._root, self._hint))

    def __getitem__(self, idx):
        if self._transform is not None:
            return self._transform(self._data[idx], self._label[idx])
        return self._data[idx], self._label[idx]

    def __len__(self):
        return len(self._label)

    def _array_fields(self):
        """The (images, labels) arrays for the DataLoader's gather path (None with a transform)."""
        return None if self._transform is not None else [self._data, self._label]


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando's clothing images in MNIST's format; MXNet's
    ``mx.gluon.data.vision.FashionMNIST``). Same samples as MNIST; the default root is Debian's
    ``/usr/share/datasets/fashion-mnist`` (package ``dataset-fashion-mnist``)."""

    _kind = "FashionMNIST"
    _hint = ("install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass root= to a "
             "directory with the IDX files (mixnet never downloads)")

    def __init__(self, root="/usr/share/datasets/fashion-mnist", train=True, transform=None):
        super(FashionMNIST, self).__init__(root=root, train=train, transform=transform)
