"""Gluon convolution and pooling layers (MXNet 1.x): Conv2D, MaxPool2D, AvgPool2D, GlobalAvgPool2D."""
from ...base import MXNetValueError
from ..block import HybridBlock


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


class Conv2D(HybridBlock):
    """2-D convolution over NCHW data; in_channels=0 is inferred on the first forward."""

    def __init__(self, channels, kernel_size, strides=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1,
                 layout="NCHW", activation=None, use_bias=True, weight_initializer=None,
                 bias_initializer="zeros", in_channels=0, **kwargs):
        super(Conv2D, self).__init__(**kwargs)
        if layout != "NCHW":
            raise MXNetValueError("Conv2D: only layout='NCHW' is supported, got %r" % (layout,))
        self._channels = channels
        self._in_channels = in_channels
        self._groups = groups
        kernel = _pair(kernel_size)
        self._kwargs = {"kernel": kernel, "stride": _pair(strides), "dilate": _pair(dilation),
                        "pad": _pair(padding), "num_filter": channels, "num_group": groups,
                        "no_bias": not use_bias, "layout": layout}
        self.act = activation
        with self.name_scope():
            self.weight = self.params.get("weight", shape=(channels, in_channels // groups) + kernel,
                                          init=weight_initializer, allow_deferred_init=True)
            if use_bias:
                self.bias = self.params.get("bias", shape=(channels,), init=bias_initializer,
                                            allow_deferred_init=True)
            else:
                self.bias = None

    def _alias(self):
        return "conv"

    def infer_shape(self, x, *args):
        self.weight.shape = (self._channels, x.shape[1] // self._groups) + self._kwargs["kernel"]

    def hybrid_forward(self, F, x, weight, bias=None):
        y = F.Convolution(x, weight, bias, **self._kwargs)
        return y if self.act is None else F.Activation(y, act_type=self.act)

    def __repr__(self):
        return "Conv2D(%s -> %s, kernel_size=%s, stride=%s)" % (
            self.weight.shape[1] or None, self._channels, self._kwargs["kernel"], self._kwargs["stride"])


class _Pool2D(HybridBlock):
    def __init__(self, pool_size, strides, padding, ceil_mode, global_pool, pool_type, layout="NCHW",
                 count_include_pad=None, **kwargs):
        super(_Pool2D, self).__init__(**kwargs)
        if layout != "NCHW":
            raise MXNetValueError("%s: only layout='NCHW' is supported, got %r" % (type(self).__name__, layout))
        if strides is None:
            strides = pool_size
        self._kwargs = {"kernel": _pair(pool_size), "stride": _pair(strides), "pad": _pair(padding),
                        "global_pool": global_pool, "pool_type": pool_type,
                        "pooling_convention": "full" if ceil_mode else "valid"}
        if count_include_pad is not None:
            self._kwargs["count_include_pad"] = count_include_pad

    def _alias(self):
        return "pool"

    def hybrid_forward(self, F, x):
        return F.Pooling(x, **self._kwargs)

    def __repr__(self):
        return "%s(size=%s, stride=%s, padding=%s, ceil_mode=%s, global_pool=%s, pool_type=%s)" % (
            type(self).__name__, self._kwargs["kernel"], self._kwargs["stride"], self._kwargs["pad"],
            self._kwargs["pooling_convention"] == "full", self._kwargs["global_pool"], self._kwargs["pool_type"])


class MaxPool2D(_Pool2D):
    def __init__(self, pool_size=(2, 2), strides=None, padding=0, layout="NCHW", ceil_mode=False, **kwargs):
        super(MaxPool2D, self).__init__(pool_size, strides, padding, ceil_mode, False, "max", layout, **kwargs)


class AvgPool2D(_Pool2D):
    def __init__(self, pool_size=(2, 2), strides=None, padding=0, layout="NCHW", ceil_mode=False,
                 count_include_pad=True, **kwargs):
        super(AvgPool2D, self).__init__(pool_size, strides, padding, ceil_mode, False, "avg", layout,
                                        count_include_pad, **kwargs)


class GlobalAvgPool2D(_Pool2D):
    def __init__(self, layout="NCHW", **kwargs):
        super(GlobalAvgPool2D, self).__init__((1, 1), None, 0, True, True, "avg", layout, **kwargs)


class GlobalMaxPool2D(_Pool2D):
    def __init__(self, layout="NCHW", **kwargs):
        super(GlobalMaxPool2D, self).__init__((1, 1), None, 0, True, True, "max", layout, **kwargs)
