"""Gluon convolution layers (MXNet 1.x gluon/nn/conv_layers.py): Conv1D/2D/3D, their transposes
and ReflectionPad2D, all over an N-d base (_Conv) calling the Convolution / Deconvolution op. Only
channel-first layouts (NCW, NCHW, NCDHW) are computed by the engine. The pooling layers, which
MXNet keeps in the same module, are in pooling_layers.py and re-exported here."""
from ...base import MXNetValueError
from ..block import HybridBlock
from ._util import call_op, check_count, check_layout, shape_text, to_tuple
from .activations import Activation
from .basic_layers import _make_activation
from .pooling_layers import (AvgPool1D, AvgPool2D, AvgPool3D, GlobalAvgPool1D,  # noqa: F401 (MXNet's path)
                             GlobalAvgPool2D, GlobalAvgPool3D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D,
                             MaxPool1D, MaxPool2D, MaxPool3D)


class _Conv(HybridBlock):
    """The shared body of every convolution layer (dims spatial dimensions). weight is
    (channels, in_channels / groups, *kernel) for a convolution and (in_channels,
    channels / groups, *kernel) for a transposed one (op_name 'Deconvolution'); in_channels=0
    is inferred on the first forward. Bad arguments raise MXNetValueError, a channel-last layout
    MXNetNotImplementedError; a forward with the wrong rank or channel count raises MXNetError
    naming the layer."""

    def __init__(self, channels, kernel_size, strides, padding, dilation, groups, layout, in_channels=0,
                 activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros",
                 op_name="Convolution", adj=None, dims=2, **kwargs):
        super(_Conv, self).__init__(**kwargs)
        layer = type(self).__name__
        self._dims = dims
        self._op_name = op_name
        self._transposed = op_name == "Deconvolution"
        self._channels = check_count(layer, "channels", channels)
        kernel = to_tuple(layer, "kernel_size", kernel_size, dims, 1)
        groups = check_count(layer, "groups", groups)
        in_channels = check_count(layer, "in_channels", in_channels, 0)
        if channels % groups or in_channels % groups:
            raise MXNetValueError("%s: channels (%d) and in_channels (%d) must be divisible by groups (%d)"
                                  % (layer, channels, in_channels, groups))
        self._in_channels = in_channels
        self._kwargs = {"kernel": kernel, "stride": to_tuple(layer, "strides", strides, dims, 1),
                        "dilate": to_tuple(layer, "dilation", dilation, dims, 1),
                        "pad": to_tuple(layer, "padding", padding, dims, 0), "num_filter": channels,
                        "num_group": groups, "no_bias": not use_bias, "layout": check_layout(layer, layout, dims)}
        if adj is not None:
            self._kwargs["adj"] = to_tuple(layer, "output_padding", adj, dims, 0)
        with self.name_scope():
            self.weight = self.params.get("weight", shape=self._weight_shape(in_channels), init=weight_initializer,
                                          allow_deferred_init=True)
            if use_bias:
                self.bias = self.params.get("bias", shape=(channels,), init=bias_initializer,
                                            allow_deferred_init=True)
            else:
                self.bias = None
        self.act = _make_activation(self, activation)

    def _alias(self):
        return "conv"

    def _weight_shape(self, in_channels):
        g = self._kwargs["num_group"]
        if self._transposed:
            return (in_channels, self._channels // g) + self._kwargs["kernel"]
        return (self._channels, in_channels // g) + self._kwargs["kernel"]

    def _in_channels_now(self):
        s = self.weight.shape
        return s[0] if self._transposed else s[1] * self._kwargs["num_group"]

    def _rank_problem(self, x):
        if len(x.shape) != self._dims + 2:
            return "expects %d-D input (%s), got shape %s" % (self._dims + 2, self._kwargs["layout"],
                                                             shape_text(x.shape))
        return None

    def infer_shape(self, x, *args):
        """Fills the parameters' unknown (0) dims from the first input's shape."""
        bad = self._rank_problem(x)
        if bad is None and x.shape[1] % self._kwargs["num_group"]:
            bad = "input channels %d are not divisible by groups %d" % (x.shape[1], self._kwargs["num_group"])
        if bad is not None:
            raise MXNetValueError("%s '%s': %s" % (type(self).__name__, self.name, bad))
        self.weight.shape = self._weight_shape(x.shape[1])

    def _diagnose(self, x):
        bad = self._rank_problem(x)
        if bad is not None:
            return bad
        want = self._in_channels_now()
        if x.shape[1] != want:
            return "input of shape %s has %d channels but in_channels is %d" % (shape_text(x.shape), x.shape[1], want)
        return None

    def hybrid_forward(self, F, x, weight, bias=None):
        """The layer's output for x (see the class docstring). A convolution followed by relu runs
        as one op (_conv_act: the activation is applied as the convolution writes its output and
        its gradient is folded into the convolution's backward), with the same result."""
        diagnose = lambda: self._diagnose(x)  # noqa: E731
        if self._fuse_relu():
            kwargs = {k: v for k, v in self._kwargs.items() if k != "layout"}
            return call_op(self, F._internal._conv_act, diagnose, x, weight, bias, act_type="relu", **kwargs)
        op = F.Deconvolution if self._transposed else F.Convolution
        y = call_op(self, op, diagnose, x, weight, bias, **self._kwargs)
        return y if self.act is None else self.act(y)

    def _fuse_relu(self):
        # Only the layer's own relu block (one that was replaced may do anything).
        act = self.act
        return not self._transposed and type(act) is Activation and act._act_type == "relu"

    def __repr__(self):
        k = self._kwargs
        n = len(k["kernel"])
        s = "%s(%s -> %s, kernel_size=%s, stride=%s" % (
            type(self).__name__, self.weight.shape[1] if self.weight.shape[1] else None, self.weight.shape[0],
            k["kernel"], k["stride"])
        if k["pad"] != (0,) * n:
            s += ", padding=%s" % (k["pad"],)
        if k["dilate"] != (1,) * n:
            s += ", dilation=%s" % (k["dilate"],)
        if "adj" in k and k["adj"] != (0,) * n:
            s += ", output_padding=%s" % (k["adj"],)
        if k["num_group"] != 1:
            s += ", groups=%s" % k["num_group"]
        if self.bias is None:
            s += ", bias=False"
        if self.act is not None:
            s += ", %s" % self.act
        return s + ")"


class Conv1D(_Conv):
    """1-D convolution over (N, C, W) input."""

    def __init__(self, channels, kernel_size, strides=1, padding=0, dilation=1, groups=1, layout="NCW",
                 activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros", in_channels=0,
                 **kwargs):
        super(Conv1D, self).__init__(channels, kernel_size, strides, padding, dilation, groups, layout, in_channels,
                                     activation, use_bias, weight_initializer, bias_initializer, dims=1, **kwargs)


class Conv2D(_Conv):
    """2-D convolution over (N, C, H, W) input."""

    def __init__(self, channels, kernel_size, strides=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1,
                 layout="NCHW", activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros",
                 in_channels=0, **kwargs):
        super(Conv2D, self).__init__(channels, kernel_size, strides, padding, dilation, groups, layout, in_channels,
                                     activation, use_bias, weight_initializer, bias_initializer, dims=2, **kwargs)


class Conv3D(_Conv):
    """3-D convolution over (N, C, D, H, W) input."""

    def __init__(self, channels, kernel_size, strides=(1, 1, 1), padding=(0, 0, 0), dilation=(1, 1, 1), groups=1,
                 layout="NCDHW", activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros",
                 in_channels=0, **kwargs):
        super(Conv3D, self).__init__(channels, kernel_size, strides, padding, dilation, groups, layout, in_channels,
                                     activation, use_bias, weight_initializer, bias_initializer, dims=3, **kwargs)


class Conv1DTranspose(_Conv):
    """1-D transposed convolution: out width (w - 1) * stride - 2 * pad + dilation * (k - 1) + 1
    + output_padding."""

    def __init__(self, channels, kernel_size, strides=1, padding=0, output_padding=0, dilation=1, groups=1,
                 layout="NCW", activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros",
                 in_channels=0, **kwargs):
        super(Conv1DTranspose, self).__init__(channels, kernel_size, strides, padding, dilation, groups, layout,
                                              in_channels, activation, use_bias, weight_initializer,
                                              bias_initializer, op_name="Deconvolution", adj=output_padding,
                                              dims=1, **kwargs)
        self.outpad = self._kwargs["adj"]


class Conv2DTranspose(_Conv):
    """2-D transposed convolution (fractionally strided; the gradient of Conv2D with respect to
    its input)."""

    def __init__(self, channels, kernel_size, strides=(1, 1), padding=(0, 0), output_padding=(0, 0),
                 dilation=(1, 1), groups=1, layout="NCHW", activation=None, use_bias=True, weight_initializer=None,
                 bias_initializer="zeros", in_channels=0, **kwargs):
        super(Conv2DTranspose, self).__init__(channels, kernel_size, strides, padding, dilation, groups, layout,
                                              in_channels, activation, use_bias, weight_initializer,
                                              bias_initializer, op_name="Deconvolution", adj=output_padding,
                                              dims=2, **kwargs)
        self.outpad = self._kwargs["adj"]


class Conv3DTranspose(_Conv):
    """3-D transposed convolution."""

    def __init__(self, channels, kernel_size, strides=(1, 1, 1), padding=(0, 0, 0), output_padding=(0, 0, 0),
                 dilation=(1, 1, 1), groups=1, layout="NCDHW", activation=None, use_bias=True,
                 weight_initializer=None, bias_initializer="zeros", in_channels=0, **kwargs):
        super(Conv3DTranspose, self).__init__(channels, kernel_size, strides, padding, dilation, groups, layout,
                                              in_channels, activation, use_bias, weight_initializer,
                                              bias_initializer, op_name="Deconvolution", adj=output_padding,
                                              dims=3, **kwargs)
        self.outpad = self._kwargs["adj"]


class ReflectionPad2D(HybridBlock):
    """Pads the two spatial axes of (N, C, H, W) input with their reflection. padding: one width
    for every side, or MXNet's 8-tuple (0, 0, 0, 0, top, bottom, left, right)."""

    def __init__(self, padding=0, **kwargs):
        super(ReflectionPad2D, self).__init__(**kwargs)
        if isinstance(padding, int) and not isinstance(padding, bool):
            padding = (0, 0, 0, 0, padding, padding, padding, padding)
        self._padding = to_tuple("ReflectionPad2D", "padding", padding, 8, 0)

    def hybrid_forward(self, F, x):
        """The layer's output for x (see the class docstring)."""
        return call_op(self, F.pad, lambda: None if len(x.shape) == 4 else
                       "expects 4-D input (NCHW), got shape %s" % shape_text(x.shape),
                       x, mode="reflect", pad_width=self._padding)

    def __repr__(self):
        return "ReflectionPad2D(padding=%s)" % (self._padding,)


__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
           "ReflectionPad2D", "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
           "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalAvgPool1D", "GlobalAvgPool2D",
           "GlobalAvgPool3D"]
