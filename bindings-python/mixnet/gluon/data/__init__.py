"""mx.gluon.data (Apache MXNet 1.x): datasets, samplers, batchify functions, the DataLoader and
``vision`` (MNIST / FashionMNIST and image transforms).

DataLoader workers are threads (the engine is in-process); shuffling draws from NumPy's global
RNG, as in MXNet (``np.random.seed`` reproduces an order). RecordFileDataset and
ImageFolderDataset are not here.
"""
from .dataset import ArrayDataset, Dataset, SimpleDataset
from .sampler import BatchSampler, FilterSampler, IntervalSampler, RandomSampler, Sampler, SequentialSampler
from . import batchify
from .batchify import default_batchify_fn, default_mp_batchify_fn
from .dataloader import DataLoader
from . import vision

__all__ = ["Dataset", "SimpleDataset", "ArrayDataset", "Sampler", "SequentialSampler", "RandomSampler",
           "BatchSampler", "FilterSampler", "IntervalSampler", "DataLoader", "default_batchify_fn",
           "default_mp_batchify_fn", "batchify", "vision"]
