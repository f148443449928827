"""Image transforms of ``mx.gluon.data.vision.transforms`` (Apache MXNet 1.x), as Gluon blocks
built from engine ops (so they run on engine threads): ``Compose``, ``Cast``, ``ToTensor``,
``Normalize``, ``Resize`` (nearest and bilinear, through ``take``), ``RandomFlipLeftRight`` and
``RandomFlipTopBottom``. Each works on one image or on a batch with a leading axis; those whose
batch result equals the per-image results stacked carry ``_batchable = True``, which lets the
DataLoader transform a gathered batch in one go. Typical use::

    transformer = transforms.Compose([transforms.ToTensor(), transforms.Normalize(0.13, 0.31)])
    train = gluon.data.vision.FashionMNIST(train=True).transform_first(transformer)
"""
import numbers

import numpy as np

from .... import ndarray as nd
from ....base import MXNetNotImplementedError, MXNetValueError
from ...block import Block, HybridBlock
from ...nn import HybridSequential, Sequential


def _check_ndim(name, x, layout):
    if x.ndim not in (3, 4):
        raise MXNetValueError("%s: expected an image (%s) or a batch (N, %s), got shape %s" %
                              (name, layout, layout, x.shape))


class _Function(Block):
    """A plain callable as a block (so Compose accepts functions, as lambdas in MXNet scripts)."""

    def __init__(self, fn):
        super(_Function, self).__init__()
        self._fn = fn

    def forward(self, *args):
        return self._fn(*args)


class _HybridRun(HybridSequential):
    """Consecutive hybrid transforms of a Compose, grouped as MXNet groups them (which also gives
    later blocks MXNet's automatic names: the group takes a ``hybridsequential`` number)."""

    def _alias(self):
        return "hybridsequential"

    @property
    def _batchable(self):
        return all(getattr(b, "_batchable", False) for b in self._children.values())


class Compose(Sequential):
    """Applies transforms in order (a Sequential, as in MXNet); plain functions are accepted too.
    Runs of two or more HybridBlocks are grouped into one HybridSequential, as MXNet does."""

    def __init__(self, transforms):
        super(Compose, self).__init__()
        run = []
        for t in list(transforms) + [None]:
            if isinstance(t, HybridBlock):
                run.append(t)
                continue
            if len(run) == 1:
                self.add(run[0])
            elif len(run) > 1:
                group = _HybridRun()
                group.add(*run)
                self.add(group)
            run = []
            if t is not None:
                self.add(t if isinstance(t, Block) else _Function(t))

    @property
    def _batchable(self):
        return all(getattr(b, "_batchable", False) for b in self._children.values())


class Cast(HybridBlock):
    """Casts to ``dtype`` (default float32)."""
    _batchable = True

    def __init__(self, dtype="float32"):
        super(Cast, self).__init__()
        self._dtype = dtype

    def hybrid_forward(self, F, x):
        return x.astype(self._dtype)


class ToTensor(HybridBlock):
    """(H, W, C) or (N, H, W, C) images of any dtype (usually uint8 in [0, 255]) -> (C, H, W) or
    (N, C, H, W) float32 divided by 255. Raises MXNetValueError for other ranks."""
    _batchable = True

    def hybrid_forward(self, F, x):
        _check_ndim("ToTensor", x, "H, W, C")
        axes = (2, 0, 1) if x.ndim == 3 else (0, 3, 1, 2)
        return F.transpose(x.astype("float32") / 255.0, axes=axes)


class Normalize(HybridBlock):
    """``(x - mean[c]) / std[c]`` per channel of (C, H, W) images or (N, C, H, W) batches. mean and
    std are one number or one per channel. Raises MXNetValueError when their length does not match
    the channels or std has a zero."""
    _batchable = True

    def __init__(self, mean=0.0, std=1.0):
        super(Normalize, self).__init__()
        self._mean = [float(mean)] if isinstance(mean, numbers.Number) else [float(m) for m in mean]
        self._std = [float(std)] if isinstance(std, numbers.Number) else [float(s) for s in std]
        if not self._mean or not self._std:
            raise MXNetValueError("Normalize: mean and std need at least one value")
        if any(s == 0 for s in self._std):
            raise MXNetValueError("Normalize: std must be non-zero, got %s" % (self._std,))
        self._consts = {}

    def hybrid_forward(self, F, x):
        _check_ndim("Normalize", x, "C, H, W")
        channels = x.shape[-3]
        for what, v in (("mean", self._mean), ("std", self._std)):
            if len(v) not in (1, channels):
                raise MXNetValueError("Normalize: %s has %d values but the input has %d channels (shape %s)" %
                                      (what, len(v), channels, x.shape))
        if len(self._mean) == 1 and len(self._std) == 1:
            return (x - self._mean[0]) / self._std[0]
        key = (channels, x.ndim, x._dtype_name)
        if key not in self._consts:  # per-channel constants, made once per layout
            shape = (channels, 1, 1) if x.ndim == 3 else (1, channels, 1, 1)
            mean = np.broadcast_to(np.asarray(self._mean, np.float64), (channels,)).reshape(shape)
            std = np.broadcast_to(np.asarray(self._std, np.float64), (channels,)).reshape(shape)
            self._consts[key] = (nd.array(mean, dtype=x.dtype), nd.array(std, dtype=x.dtype))
        mean, std = self._consts[key]
        return (x - mean) / std


def _resize_size(size, keep_ratio, h, w):
    """(out_h, out_w) as MXNet's image.resize: size is (w, h), or one int (square, or with
    keep_ratio the shorter side, the other scaled with integer truncation)."""
    if isinstance(size, numbers.Integral):
        size = (int(size),)
    size = tuple(int(s) for s in size)
    if len(size) == 1:
        s = size[0]
        if not keep_ratio:
            return s, s
        if h > w:
            return h * s // w, s
        return s, w * s // h
    if len(size) != 2:
        raise MXNetValueError("Resize: size must be an int or (width, height), got %r" % (size,))
    return size[1], size[0]


def _coords(n_in, n_out, interpolation):
    """Source indices and weights of each output position (OpenCV's conventions)."""
    scale = float(n_in) / n_out
    dst = np.arange(n_out, dtype=np.float64)
    if interpolation == 0:  # nearest: floor(dst * scale)
        i0 = np.minimum(np.floor(dst * scale).astype(np.int64), n_in - 1)
        return i0, i0, np.zeros(n_out)
    src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)  # half-pixel centres, clamped at the edge
    i0 = np.floor(src).astype(np.int64)
    frac = src - i0
    last = i0 >= n_in - 1
    i0 = np.minimum(i0, n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    frac[last] = 0.0
    return i0, i1, frac


class Resize(HybridBlock):
    """Resizes (H, W, C) images or (N, H, W, C) batches to ``size`` ((width, height), or one int;
    see MXNet's Resize for ``keep_ratio``). ``interpolation`` 0 (nearest: ``floor(dst*scale)``) and
    1 (bilinear, the default; half-pixel centres as OpenCV's INTER_LINEAR) are implemented with
    ``take`` along H and W; integer images are rounded back to their dtype (OpenCV's fixed-point
    arithmetic can differ by 1). Other interpolations raise MXNetNotImplementedError."""
    _batchable = True

    def __init__(self, size, keep_ratio=False, interpolation=1):
        super(Resize, self).__init__()
        if interpolation not in (0, 1):
            raise MXNetNotImplementedError("Resize: interpolation %r is not available in mixnet (0 nearest and 1 "
                                           "bilinear are)" % (interpolation,))
        self._size, self._keep, self._interp = size, keep_ratio, interpolation

    def hybrid_forward(self, F, x):
        _check_ndim("Resize", x, "H, W, C")
        h_axis, w_axis = x.ndim - 3, x.ndim - 2
        h, w = x.shape[h_axis], x.shape[w_axis]
        out_h, out_w = _resize_size(self._size, self._keep, h, w)
        if out_h <= 0 or out_w <= 0:
            raise MXNetValueError("Resize: output size (%d, %d) must be positive" % (out_w, out_h))
        if (out_h, out_w) == (h, w):
            return x
        ys, xs = _coords(h, out_h, self._interp), _coords(w, out_w, self._interp)
        if self._interp == 0:
            rows = F.take(x, nd.array(ys[0], dtype="int32"), axis=h_axis)
            return F.take(rows, nd.array(xs[0], dtype="int32"), axis=w_axis)
        src = x if x._dtype_name in ("float32", "float64") else x.astype("float32")
        rows = self._lerp(F, src, ys, h_axis, x.ndim)
        out = self._lerp(F, rows, xs, w_axis, x.ndim)
        if src is x:
            return out
        info = np.iinfo(np.dtype(x.dtype)) if np.issubdtype(np.dtype(x.dtype), np.integer) else None
        if info is not None:  # round half up and saturate, as OpenCV does for integer images
            out = F.clip(F.floor(out + 0.5), a_min=float(info.min), a_max=float(info.max))
        return out.astype(x.dtype)

    @staticmethod
    def _lerp(F, x, coords, axis, ndim):
        i0, i1, frac = coords
        a = F.take(x, nd.array(i0, dtype="int32"), axis=axis)
        b = F.take(x, nd.array(i1, dtype="int32"), axis=axis)
        shape = [1] * ndim
        shape[axis] = len(frac)
        weight = nd.array(frac.reshape(shape), dtype=x.dtype)
        return a + (b - a) * weight


class _RandomFlip(HybridBlock):
    """Flips along one image axis with probability 1/2, drawn from mixnet's RNG (``mx.random.seed``
    makes it reproducible). A batch is flipped as a whole, so it is not batch-safe."""
    _axis_from_end = None

    def hybrid_forward(self, F, x):
        _check_ndim(type(self).__name__, x, "H, W, C")
        coin = F.random.uniform(shape=(1,)) < 0.5
        cond = F.broadcast_to(coin.reshape((1,) * x.ndim), shape=x.shape).astype(x.dtype)
        return F.where(cond, F.reverse(x, axis=(x.ndim - self._axis_from_end,)), x)


class RandomFlipLeftRight(_RandomFlip):
    """Flips an (H, W, C) image (or an (N, H, W, C) batch as a whole) left-right with probability 1/2."""
    _axis_from_end = 2


class RandomFlipTopBottom(_RandomFlip):
    """Flips an (H, W, C) image (or an (N, H, W, C) batch as a whole) top-bottom with probability 1/2."""
    _axis_from_end = 3
