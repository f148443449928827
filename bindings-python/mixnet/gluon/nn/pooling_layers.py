"""Gluon pooling layers (MXNet 1.x gluon/nn/conv_layers.py): MaxPool1D/2D/3D, AvgPool1D/2D/3D and
their global forms, all one Pooling op call over channel-first input (an N-d base, _Pooling)."""
from ..block import HybridBlock
from ._util import call_op, check_layout, shape_text, to_tuple


class _Pooling(HybridBlock):
    """The shared body of the pooling layers over dims spatial dimensions. strides=None means
    pool_size; ceil_mode rounds the output size up (pooling_convention 'full'). Bad arguments raise
    MXNetValueError (channel-last layouts MXNetNotImplementedError); input of the wrong rank raises
    MXNetError naming the layer."""

    def __init__(self, pool_size, strides, padding, ceil_mode, global_pool, pool_type, layout,
                 count_include_pad=None, dims=2, **kwargs):
        super(_Pooling, self).__init__(**kwargs)
        layer = type(self).__name__
        self._dims = dims
        kernel = to_tuple(layer, "pool_size", pool_size, dims, 1)
        self._kwargs = {"kernel": kernel,
                        "stride": kernel if strides is None else to_tuple(layer, "strides", strides, dims, 1),
                        "pad": to_tuple(layer, "padding", padding, dims, 0), "global_pool": global_pool,
                        "pool_type": pool_type, "layout": check_layout(layer, layout, dims),
                        "pooling_convention": "full" if ceil_mode else "valid"}
        if count_include_pad is not None:
            self._kwargs["count_include_pad"] = count_include_pad

    def _alias(self):
        return "pool"

    def hybrid_forward(self, F, x):
        """The layer's output for x (see the class docstring)."""
        return call_op(self, F.Pooling, lambda: None if len(x.shape) == self._dims + 2 else
                       "expects %d-D input (%s), got shape %s" % (self._dims + 2, self._kwargs["layout"],
                                                                 shape_text(x.shape)),
                       x, **self._kwargs)

    def __repr__(self):
        k = self._kwargs
        return "%s(size=%s, stride=%s, padding=%s, ceil_mode=%s, global_pool=%s, pool_type=%s, layout=%s)" % (
            type(self).__name__, k["kernel"], k["stride"], k["pad"], k["pooling_convention"] == "full",
            k["global_pool"], k["pool_type"], k["layout"])


class MaxPool1D(_Pooling):
    """Max pooling over (N, C, W) input."""

    def __init__(self, pool_size=2, strides=None, padding=0, layout="NCW", ceil_mode=False, **kwargs):
        super(MaxPool1D, self).__init__(pool_size, strides, padding, ceil_mode, False, "max", layout, dims=1,
                                        **kwargs)


class MaxPool2D(_Pooling):
    """Max pooling over (N, C, H, W) input."""

    def __init__(self, pool_size=(2, 2), strides=None, padding=0, layout="NCHW", ceil_mode=False, **kwargs):
        super(MaxPool2D, self).__init__(pool_size, strides, padding, ceil_mode, False, "max", layout, dims=2,
                                        **kwargs)


class MaxPool3D(_Pooling):
    """Max pooling over (N, C, D, H, W) input."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding=0, layout="NCDHW", ceil_mode=False, **kwargs):
        super(MaxPool3D, self).__init__(pool_size, strides, padding, ceil_mode, False, "max", layout, dims=3,
                                        **kwargs)


class AvgPool1D(_Pooling):
    """Average pooling over (N, C, W) input; count_include_pad: padded zeros count in the mean."""

    def __init__(self, pool_size=2, strides=None, padding=0, layout="NCW", ceil_mode=False, count_include_pad=True,
                 **kwargs):
        super(AvgPool1D, self).__init__(pool_size, strides, padding, ceil_mode, False, "avg", layout,
                                        count_include_pad, dims=1, **kwargs)


class AvgPool2D(_Pooling):
    """Average pooling over (N, C, H, W) input; count_include_pad: padded zeros count in the mean."""

    def __init__(self, pool_size=(2, 2), strides=None, padding=0, layout="NCHW", ceil_mode=False,
                 count_include_pad=True, **kwargs):
        super(AvgPool2D, self).__init__(pool_size, strides, padding, ceil_mode, False, "avg", layout,
                                        count_include_pad, dims=2, **kwargs)


class AvgPool3D(_Pooling):
    """Average pooling over (N, C, D, H, W) input; count_include_pad: padded zeros count in the mean."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding=0, layout="NCDHW", ceil_mode=False,
                 count_include_pad=True, **kwargs):
        super(AvgPool3D, self).__init__(pool_size, strides, padding, ceil_mode, False, "avg", layout,
                                        count_include_pad, dims=3, **kwargs)


# Global pooling: MXNet builds them with a unit window, ceil_mode True and global_pool True.
class GlobalMaxPool1D(_Pooling):
    """Max over the whole width: (N, C, W) -> (N, C, 1)."""

    def __init__(self, layout="NCW", **kwargs):
        super(GlobalMaxPool1D, self).__init__(1, None, 0, True, True, "max", layout, dims=1, **kwargs)


class GlobalMaxPool2D(_Pooling):
    """Max over the whole plane: (N, C, H, W) -> (N, C, 1, 1)."""

    def __init__(self, layout="NCHW", **kwargs):
        super(GlobalMaxPool2D, self).__init__(1, None, 0, True, True, "max", layout, dims=2, **kwargs)


class GlobalMaxPool3D(_Pooling):
    """Max over the whole volume: (N, C, D, H, W) -> (N, C, 1, 1, 1)."""

    def __init__(self, layout="NCDHW", **kwargs):
        super(GlobalMaxPool3D, self).__init__(1, None, 0, True, True, "max", layout, dims=3, **kwargs)


class GlobalAvgPool1D(_Pooling):
    """Mean over the whole width: (N, C, W) -> (N, C, 1)."""

    def __init__(self, layout="NCW", **kwargs):
        super(GlobalAvgPool1D, self).__init__(1, None, 0, True, True, "avg", layout, dims=1, **kwargs)


class GlobalAvgPool2D(_Pooling):
    """Mean over the whole plane: (N, C, H, W) -> (N, C, 1, 1)."""

    def __init__(self, layout="NCHW", **kwargs):
        super(GlobalAvgPool2D, self).__init__(1, None, 0, True, True, "avg", layout, dims=2, **kwargs)


class GlobalAvgPool3D(_Pooling):
    """Mean over the whole volume: (N, C, D, H, W) -> (N, C, 1, 1, 1)."""

    def __init__(self, layout="NCDHW", **kwargs):
        super(GlobalAvgPool3D, self).__init__(1, None, 0, True, True, "avg", layout, dims=3, **kwargs)


__all__ = ["MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D", "GlobalMaxPool1D",
           "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D"]
