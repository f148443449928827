"""mx.gluon.nn's full layer set (MXNet 1.x): output shapes and parameter counts computed by hand,
values against small NumPy references written here (convolution, transposed convolution and
pooling by loops, norms, activations), MXNet 1.9.1's names and reprs, gradients against central
differences, and errors that name the layer."""
import itertools
import math

import numpy as np
import pytest

import mixnet as mx
from mixnet import autograd, nd
from mixnet.gluon import nn

RS = np.random.RandomState(7)


def _count(block):
    return sum(int(np.prod(p.shape)) for p in block.collect_params().values())


def _run(layer, shape, init=None):
    layer.initialize(init)
    return layer(nd.ones(shape))


# ---- NumPy references ---------------------------------------------------------------------------
def conv_ref(x, w, b, stride, pad, dilate, groups):
    """N-d cross-correlation by loops over output positions: x (N, C, *s), w (F, C/g, *k)."""
    n, c = x.shape[:2]
    f, cg = w.shape[:2]
    k = w.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad])
    out_sz = [(xp.shape[2 + i] - dilate[i] * (k[i] - 1) - 1) // stride[i] + 1 for i in range(len(k))]
    out = np.zeros((n, f) + tuple(out_sz), np.float64)
    fg = f // groups
    for o in range(f):
        g = o // fg
        for pos in itertools.product(*[range(s) for s in out_sz]):
            idx = tuple(slice(pos[i] * stride[i], pos[i] * stride[i] + dilate[i] * (k[i] - 1) + 1, dilate[i])
                        for i in range(len(k)))
            patch = xp[(slice(None), slice(g * cg, (g + 1) * cg)) + idx]
            out[(slice(None), o) + pos] = (patch * w[o]).reshape(n, -1).sum(1) + (b[o] if b is not None else 0)
    return out


def deconv_ref(x, w, b, stride, pad, adj, groups):
    """N-d transposed convolution by scattering: every input position adds w * x at
    position * stride + kernel offset, then the padding is cropped. w is (C, F/g, *k)."""
    n, c = x.shape[:2]
    fg = w.shape[1]
    k = w.shape[2:]
    full = [(x.shape[2 + i] - 1) * stride[i] + k[i] + adj[i] for i in range(len(k))]
    out = np.zeros((n, fg * groups) + tuple(full), np.float64)
    cg = c // groups
    for ci in range(c):
        g = ci // cg
        for pos in itertools.product(*[range(s) for s in x.shape[2:]]):
            idx = tuple(slice(pos[i] * stride[i], pos[i] * stride[i] + k[i]) for i in range(len(k)))
            xv = x[(slice(None), ci) + pos].reshape((n, 1) + (1,) * len(k))
            out[(slice(None), slice(g * fg, (g + 1) * fg)) + idx] += xv * w[ci][None]
    crop = tuple(slice(pad[i], full[i] - pad[i]) for i in range(len(k)))
    out = out[(slice(None), slice(None)) + crop]
    if b is not None:
        out += b.reshape((1, -1) + (1,) * len(k))
    return out


def pool_ref(x, kernel, stride, pad, kind, count_include_pad=True, ceil=False):
    """Max / average pooling by loops; padded cells are -inf for max and 0 for average."""
    nd_ = len(kernel)
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad], constant_values=fill)
    ones = np.pad(np.ones(x.shape[2:]), [(p, p) for p in pad])
    rnd = math.ceil if ceil else math.floor
    out_sz = [int(rnd((x.shape[2 + i] + 2 * pad[i] - kernel[i]) / stride[i])) + 1 for i in range(nd_)]
    out = np.zeros(x.shape[:2] + tuple(out_sz))
    for pos in itertools.product(*[range(s) for s in out_sz]):
        idx = tuple(slice(pos[i] * stride[i], pos[i] * stride[i] + kernel[i]) for i in range(nd_))
        win = xp[(slice(None), slice(None)) + idx].reshape(x.shape[0], x.shape[1], -1)
        if kind == "max":
            out[(slice(None), slice(None)) + pos] = win.max(2)
        else:
            count = np.prod(kernel) if count_include_pad else ones[idx].sum()
            out[(slice(None), slice(None)) + pos] = win.sum(2) / count
    return out


def _set(layer, **values):
    for name, v in values.items():
        getattr(layer, name).set_data(nd.array(v))


# ---- shapes and parameter counts ----------------------------------------------------------------
@pytest.mark.parametrize("make, in_shape, out_shape, count", [
    (lambda: nn.Dense(7, in_units=12), (2, 3, 4), (2, 7), 7 * 12 + 7),
    (lambda: nn.Dense(7, flatten=False, use_bias=False), (2, 3, 4), (2, 3, 7), 7 * 4),
    (lambda: nn.Embedding(10, 4), (2, 3), (2, 3, 4), 40),
    (lambda: nn.Conv1D(4, 3, strides=2, padding=1), (2, 3, 9), (2, 4, 5), 4 * 3 * 3 + 4),
    (lambda: nn.Conv2D(6, (3, 2), groups=2), (1, 4, 7, 6), (1, 6, 5, 5), 6 * 2 * 3 * 2 + 6),
    (lambda: nn.Conv2D(2, 3, dilation=2), (1, 1, 7, 7), (1, 2, 3, 3), 2 * 9 + 2),
    (lambda: nn.Conv3D(2, 3, padding=1), (1, 3, 4, 5, 6), (1, 2, 4, 5, 6), 2 * 3 * 27 + 2),
    (lambda: nn.Conv1DTranspose(3, 4, strides=2, padding=1, output_padding=1), (2, 5, 6), (2, 3, 13), 5 * 3 * 4 + 3),
    (lambda: nn.Conv2DTranspose(4, 3, strides=2), (1, 2, 5, 5), (1, 4, 11, 11), 2 * 4 * 9 + 4),
    (lambda: nn.Conv3DTranspose(2, 2, strides=2, use_bias=False), (1, 3, 2, 3, 4), (1, 2, 4, 6, 8), 3 * 2 * 8),
    (lambda: nn.MaxPool1D(3, 2), (2, 3, 9), (2, 3, 4), 0),
    (lambda: nn.MaxPool1D(2, ceil_mode=True), (2, 3, 9), (2, 3, 5), 0),
    (lambda: nn.MaxPool2D(), (1, 2, 7, 6), (1, 2, 3, 3), 0),
    (lambda: nn.MaxPool3D(), (1, 2, 4, 4, 5), (1, 2, 2, 2, 2), 0),
    (lambda: nn.AvgPool1D(3, 1, 1), (2, 3, 9), (2, 3, 9), 0),
    (lambda: nn.AvgPool2D((3, 2)), (1, 2, 7, 6), (1, 2, 2, 3), 0),
    (lambda: nn.AvgPool3D(2, 1), (1, 2, 3, 3, 3), (1, 2, 2, 2, 2), 0),
    (lambda: nn.GlobalMaxPool1D(), (2, 3, 9), (2, 3, 1), 0),
    (lambda: nn.GlobalAvgPool2D(), (2, 3, 5, 4), (2, 3, 1, 1), 0),
    (lambda: nn.GlobalMaxPool3D(), (2, 3, 2, 5, 4), (2, 3, 1, 1, 1), 0),
    (lambda: nn.GlobalAvgPool3D(), (2, 3, 2, 5, 4), (2, 3, 1, 1, 1), 0),
    (lambda: nn.BatchNorm(), (2, 5, 3), (2, 5, 3), 4 * 5),
    (lambda: nn.LayerNorm(), (2, 5, 3), (2, 5, 3), 2 * 3),
    (lambda: nn.InstanceNorm(), (2, 5, 3), (2, 5, 3), 2 * 5),
    (lambda: nn.GroupNorm(2), (2, 4, 3), (2, 4, 3), 2 * 2),
    (lambda: nn.PReLU(in_channels=3), (2, 3, 4), (2, 3, 4), 3),
    (lambda: nn.ReflectionPad2D(2), (1, 2, 5, 6), (1, 2, 9, 10), 0),
    (lambda: nn.Flatten(), (2, 3, 4, 5), (2, 60), 0),
])
def test_output_shape_and_parameter_count(make, in_shape, out_shape, count):
    layer = make()
    assert _run(layer, in_shape).shape == out_shape
    assert _count(layer) == count


# ---- values against NumPy -----------------------------------------------------------------------
@pytest.mark.parametrize("cls, dims, kwargs", [
    (nn.Conv1D, 1, dict(strides=2, padding=1, dilation=2)),
    (nn.Conv2D, 2, dict(strides=(2, 1), padding=(1, 0), groups=2)),
    (nn.Conv3D, 3, dict(padding=1)),
])
def test_convolution_matches_loops(cls, dims, kwargs):
    c_in, c_out, k = 4, 2, 3
    x = RS.randn(2, c_in, *([6] * dims)).astype(np.float32)
    groups = kwargs.get("groups", 1)
    w = RS.randn(c_out, c_in // groups, *([k] * dims)).astype(np.float32)
    b = RS.randn(c_out).astype(np.float32)
    layer = cls(c_out, k, in_channels=c_in, **kwargs)
    layer.initialize()
    _set(layer, weight=w, bias=b)
    t = lambda v, d: (v,) * dims if isinstance(v, int) else v  # noqa: E731
    want = conv_ref(x, w, b, t(kwargs.get("strides", 1), 1), t(kwargs.get("padding", 0), 0),
                    t(kwargs.get("dilation", 1), 1), groups)
    np.testing.assert_allclose(layer(nd.array(x)).asnumpy(), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("c_in, c_out", [(1, 20), (20, 50), (16, 32)])
def test_conv_relu_runs_fused_and_matches_numpy(c_in, c_out, monkeypatch):
    # The relu of a convolution layer runs inside the convolution (_conv_act); values and all
    # gradients must still be relu(conv) and its gradient, computed here by loops.
    x = RS.randn(3, c_in, 7, 7).astype(np.float32)
    w = (RS.randn(c_out, c_in, 3, 3) / np.sqrt(9 * c_in)).astype(np.float32)
    b = RS.randn(c_out).astype(np.float32) * 0.1
    head = RS.randn(3, c_out, 5, 5).astype(np.float32)
    layer = nn.Conv2D(c_out, 3, in_channels=c_in, activation="relu")
    layer.initialize()
    _set(layer, weight=w, bias=b)
    called = []
    fused = nd._internal._conv_act
    monkeypatch.setattr(nd._internal, "_conv_act", lambda *a, **k: called.append(k["act_type"]) or fused(*a, **k))
    xa = nd.array(x)
    xa.attach_grad()
    with autograd.record():
        y = layer(xa)
    y.backward(nd.array(head))
    assert called == ["relu"]
    z = conv_ref(x, w, b, (1, 1), (0, 0), (1, 1), 1)
    np.testing.assert_allclose(y.asnumpy(), np.maximum(z, 0), rtol=1e-4, atol=1e-4)
    assert 0 < (z <= 0).sum() < z.size  # the mask matters
    dz = head * (z > 0)
    np.testing.assert_allclose(layer.bias.grad().asnumpy(), dz.sum(axis=(0, 2, 3)), rtol=1e-4, atol=1e-4)
    dw = np.einsum("nfhw,nchw->fc", dz[:, :, :, :], x[:, :, :5, :5])  # tap (0, 0) of the weight
    np.testing.assert_allclose(layer.weight.grad().asnumpy()[:, :, 0, 0], dw, rtol=1e-3, atol=1e-3)
    dx = np.zeros_like(x)
    for i in range(3):
        for j in range(3):
            dx[:, :, i:i + 5, j:j + 5] += np.einsum("nfhw,fc->nchw", dz, w[:, :, i, j])
    np.testing.assert_allclose(xa.grad.asnumpy(), dx, rtol=1e-3, atol=1e-3)


def test_conv_with_a_replaced_activation_is_not_fused(monkeypatch):
    layer = nn.Conv2D(2, 3, in_channels=1, activation="relu")
    layer.initialize()
    layer.act = nn.Activation("tanh")
    monkeypatch.setattr(nd._internal, "_conv_act", lambda *a, **k: pytest.fail("fused a replaced activation"))
    x = RS.randn(1, 1, 5, 5).astype(np.float32)
    conv = nd.Convolution(nd.array(x), layer.weight.data(), layer.bias.data(), kernel=(3, 3), num_filter=2)
    np.testing.assert_allclose(layer(nd.array(x)).asnumpy(), np.tanh(conv.asnumpy()), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls, dims, kwargs", [
    (nn.Conv1DTranspose, 1, dict(strides=2, padding=1, output_padding=1)),
    (nn.Conv2DTranspose, 2, dict(strides=(2, 1), padding=(1, 0), groups=2)),
    (nn.Conv3DTranspose, 3, dict(strides=2)),
])
def test_transposed_convolution_matches_scatter_loops(cls, dims, kwargs):
    c_in, c_out, k = 4, 2, 3
    x = RS.randn(2, c_in, *([3] * dims)).astype(np.float32)
    groups = kwargs.get("groups", 1)
    w = RS.randn(c_in, c_out // groups, *([k] * dims)).astype(np.float32)
    b = RS.randn(c_out).astype(np.float32)
    layer = cls(c_out, k, in_channels=c_in, **kwargs)
    layer.initialize()
    assert layer.weight.shape == w.shape  # (in_channels, channels / groups, *kernel)
    _set(layer, weight=w, bias=b)
    t = lambda v: (v,) * dims if isinstance(v, int) else v  # noqa: E731
    want = deconv_ref(x, w, b, t(kwargs.get("strides", 1)), t(kwargs.get("padding", 0)),
                      t(kwargs.get("output_padding", 0)), groups)
    np.testing.assert_allclose(layer(nd.array(x)).asnumpy(), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("layer, kernel, stride, pad, kind, cip, ceil", [
    (nn.MaxPool1D(3, 2, 1), (3,), (2,), (1,), "max", True, False),
    (nn.MaxPool2D((2, 3), (2, 1), ceil_mode=True), (2, 3), (2, 1), (0, 0), "max", True, True),
    (nn.MaxPool3D(2, 1, 0), (2, 2, 2), (1, 1, 1), (0, 0, 0), "max", True, False),
    (nn.AvgPool1D(3, 1, 1), (3,), (1,), (1,), "avg", True, False),
    (nn.AvgPool2D(3, 2, 1, count_include_pad=False), (3, 3), (2, 2), (1, 1), "avg", False, False),
    (nn.AvgPool3D(2, 2), (2, 2, 2), (2, 2, 2), (0, 0, 0), "avg", True, False),
])
def test_pooling_matches_loops(layer, kernel, stride, pad, kind, cip, ceil):
    x = RS.randn(2, 3, *([5] * len(kernel))).astype(np.float32)
    want = pool_ref(x, kernel, stride, pad, kind, cip, ceil)
    np.testing.assert_allclose(layer(nd.array(x)).asnumpy(), want, rtol=1e-5, atol=1e-6)


def test_global_pooling_matches_numpy():
    x = RS.randn(2, 3, 4, 5).astype(np.float32)
    np.testing.assert_allclose(nn.GlobalAvgPool2D()(nd.array(x)).asnumpy(), x.mean((2, 3), keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(nn.GlobalMaxPool2D()(nd.array(x)).asnumpy(), x.max((2, 3), keepdims=True))
    x1 = x.reshape(2, 3, 20)
    np.testing.assert_allclose(nn.GlobalAvgPool1D()(nd.array(x1)).asnumpy(), x1.mean(2, keepdims=True), rtol=1e-5)


def test_norm_layers_match_numpy():
    x = RS.randn(3, 4, 5).astype(np.float32) * 2 + 1
    g4, b4 = RS.rand(4).astype(np.float32) + 0.5, RS.randn(4).astype(np.float32)
    g5, b5 = RS.rand(5).astype(np.float32) + 0.5, RS.randn(5).astype(np.float32)
    # LayerNorm over the last axis
    ln = nn.LayerNorm(epsilon=1e-3)
    ln.initialize()
    ln(nd.array(x))
    _set(ln, gamma=g5, beta=b5)
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    np.testing.assert_allclose(ln(nd.array(x)).asnumpy(), (x - mu) / np.sqrt(var + 1e-3) * g5 + b5, rtol=1e-4,
                               atol=1e-4)
    # LayerNorm over axis 1
    ln1 = nn.LayerNorm(axis=1, in_channels=4)
    ln1.initialize()
    _set(ln1, gamma=g4, beta=b4)
    mu, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    want = (x - mu) / np.sqrt(var + 1e-5) * g4[None, :, None] + b4[None, :, None]
    np.testing.assert_allclose(ln1(nd.array(x)).asnumpy(), want, rtol=1e-4, atol=1e-4)
    # InstanceNorm: per (sample, channel) over the remaining axes; channels on axis 1 or 2
    inn = nn.InstanceNorm(scale=True, in_channels=4)
    inn.initialize()
    _set(inn, gamma=g4, beta=b4)
    mu, var = x.mean(2, keepdims=True), x.var(2, keepdims=True)
    want = (x - mu) / np.sqrt(var + 1e-5) * g4[None, :, None] + b4[None, :, None]
    np.testing.assert_allclose(inn(nd.array(x)).asnumpy(), want, rtol=1e-4, atol=1e-4)
    inn2 = nn.InstanceNorm(axis=2, in_channels=5)
    inn2.initialize()
    _set(inn2, beta=b5)
    mu, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    np.testing.assert_allclose(inn2(nd.array(x)).asnumpy(), (x - mu) / np.sqrt(var + 1e-5) + b5, rtol=1e-4,
                               atol=1e-4)
    # GroupNorm: 2 groups of 2 channels, one gamma / beta per group
    gn = nn.GroupNorm(2)
    gn.initialize()
    g2, b2 = np.array([1.5, 0.5], np.float32), np.array([0.25, -1.0], np.float32)
    _set(gn, gamma=g2, beta=b2)
    xg = x.reshape(3, 2, 10)
    mu, var = xg.mean(2, keepdims=True), xg.var(2, keepdims=True)
    want = ((xg - mu) / np.sqrt(var + 1e-5) * g2[None, :, None] + b2[None, :, None]).reshape(x.shape)
    np.testing.assert_allclose(gn(nd.array(x)).asnumpy(), want, rtol=1e-4, atol=1e-4)


def test_batchnorm_on_the_last_axis_and_center_scale_flags():
    x = RS.randn(6, 3).astype(np.float32) * 3 + 2
    bn = nn.BatchNorm(axis=-1, momentum=0.0, center=False, scale=False)
    bn.initialize()
    with autograd.record():
        y = bn(nd.array(x))
    np.testing.assert_allclose(y.asnumpy(), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-4, atol=1e-4)
    # momentum 0: the running statistics are the batch's
    np.testing.assert_allclose(bn.running_mean.data().asnumpy(), x.mean(0), rtol=1e-5)
    assert bn.gamma.grad_req == "null" and bn.beta.grad_req == "null"
    assert bn.running_var.grad_req == "null"


def test_activations_match_numpy():
    x = np.linspace(-3, 3, 13).astype(np.float32).reshape(1, 13)
    v = nd.array(x)
    sig = 1 / (1 + np.exp(-x))
    cases = {"relu": np.maximum(x, 0), "sigmoid": sig, "tanh": np.tanh(x), "softrelu": np.log1p(np.exp(x)),
             "softsign": x / (1 + np.abs(x)), "log_sigmoid": np.log(sig),
             "mish": x * np.tanh(np.log1p(np.exp(x)))}
    for name, want in cases.items():
        np.testing.assert_allclose(nn.Activation(name)(v).asnumpy(), want, rtol=1e-5, atol=1e-6, err_msg=name)
    np.testing.assert_allclose(nn.LeakyReLU(0.1)(v).asnumpy(), np.where(x > 0, x, 0.1 * x), rtol=1e-6)
    np.testing.assert_allclose(nn.ELU(0.5)(v).asnumpy(), np.where(x > 0, x, 0.5 * (np.exp(x) - 1)), rtol=1e-5,
                               atol=1e-6)
    alpha, lam = 1.6732632423543772, 1.0507009873554805
    np.testing.assert_allclose(nn.SELU()(v).asnumpy(), lam * np.where(x > 0, x, alpha * (np.exp(x) - 1)),
                               rtol=1e-5, atol=1e-6)
    erf = np.vectorize(math.erf)
    np.testing.assert_allclose(nn.GELU()(v).asnumpy(), 0.5 * x * (1 + erf(x / math.sqrt(2))), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(nn.Swish(2.0)(v).asnumpy(), x / (1 + np.exp(-2 * x)), rtol=1e-5, atol=1e-6)
    # PReLU: one learned slope per channel (axis 1); default init 0.25
    p = nn.PReLU(in_channels=2)
    p.initialize()
    x2 = RS.randn(3, 2, 4).astype(np.float32)
    np.testing.assert_allclose(p(nd.array(x2)).asnumpy(), np.where(x2 > 0, x2, 0.25 * x2), rtol=1e-6)
    _set(p, alpha=np.array([0.5, -2.0], np.float32))
    slope = np.array([0.5, -2.0])[None, :, None]
    np.testing.assert_allclose(p(nd.array(x2)).asnumpy(), np.where(x2 > 0, x2, slope * x2), rtol=1e-5)


def test_embedding_dropout_reflection_pad_and_lambdas():
    emb = nn.Embedding(5, 3)
    emb.initialize()
    w = emb.weight.data().asnumpy()
    idx = np.array([[4, 0], [2, 2]], np.float32)
    np.testing.assert_array_equal(emb(nd.array(idx)).asnumpy(), w[idx.astype(int)])
    # variational dropout: one mask per row, shared along axis 1
    drop = nn.Dropout(0.5, axes=(1,))
    with autograd.record():
        y = drop(nd.ones((200, 30))).asnumpy()
    assert set(np.unique(y).tolist()) == {0.0, 2.0}
    assert (y == y[:, :1]).all()
    assert 0.3 < (y[:, 0] == 0).mean() < 0.7
    x = RS.randn(1, 2, 4, 5).astype(np.float32)
    want = np.pad(x, ((0, 0), (0, 0), (2, 1), (1, 3)), mode="reflect")
    np.testing.assert_array_equal(nn.ReflectionPad2D((0, 0, 0, 0, 2, 1, 1, 3))(nd.array(x)).asnumpy(), want)
    np.testing.assert_allclose(nn.Lambda("tanh")(nd.array(x)).asnumpy(), np.tanh(x), rtol=1e-6)
    np.testing.assert_allclose(nn.Lambda(lambda a, b: a * b)(nd.array(x), nd.array(x)).asnumpy(), x * x, rtol=1e-6)
    np.testing.assert_allclose(nn.HybridLambda("relu")(nd.array(x)).asnumpy(), np.maximum(x, 0))
    hl = nn.HybridLambda(lambda F, a: F.LeakyReLU(a, slope=0.2))
    np.testing.assert_allclose(hl(nd.array(x)).asnumpy(), np.where(x > 0, x, 0.2 * x), rtol=1e-6)


# ---- names and reprs ----------------------------------------------------------------------------
def test_parameter_names_follow_mxnet_1_9_1():
    net = nn.HybridSequential(prefix="net_")
    with net.name_scope():
        net.add(nn.Conv1D(2, 3), nn.Conv2DTranspose(2, 3), nn.MaxPool1D(), nn.AvgPool3D(), nn.GlobalMaxPool2D(),
                nn.BatchNorm(), nn.LayerNorm(), nn.InstanceNorm(), nn.GroupNorm(), nn.Embedding(3, 2),
                nn.PReLU(), nn.LeakyReLU(0.1), nn.ELU(), nn.SELU(), nn.GELU(), nn.Swish(),
                nn.ReflectionPad2D(), nn.Dense(2, activation="relu"), nn.Activation("tanh"))
    assert [b.name for b in net] == [
        "net_conv0", "net_conv1", "net_pool0", "net_pool1", "net_pool2", "net_batchnorm0", "net_layernorm0",
        "net_instancenorm0", "net_groupnorm0", "net_embedding0", "net_prelu0", "net_leakyrelu0", "net_elu0",
        "net_selu0", "net_gelu0", "net_swish0", "net_reflectionpad2d0", "net_dense0", "net_tanh0"]
    assert list(net.collect_params().keys()) == [
        "net_conv0_weight", "net_conv0_bias", "net_conv1_weight", "net_conv1_bias", "net_batchnorm0_gamma",
        "net_batchnorm0_beta", "net_batchnorm0_running_mean", "net_batchnorm0_running_var", "net_layernorm0_gamma",
        "net_layernorm0_beta", "net_instancenorm0_gamma", "net_instancenorm0_beta", "net_groupnorm0_gamma",
        "net_groupnorm0_beta", "net_embedding0_weight", "net_prelu0_alpha", "net_dense0_weight", "net_dense0_bias"]
    # the activation of a Dense / Conv is a child block, as in MXNet
    assert net[17].act.name == "net_dense0_relu"
    conv = nn.Conv2D(3, 3, activation="relu", prefix="c_")
    assert conv.act.prefix == "c_relu_"


def test_reprs_follow_mxnet_1_9_1():
    assert repr(nn.Dense(10, activation="relu")) == "Dense(None -> 10, Activation(relu))"
    assert repr(nn.Dense(10, in_units=4)) == "Dense(4 -> 10, linear)"
    assert repr(nn.Conv2D(16, 3, padding=1, in_channels=3)) == \
        "Conv2D(3 -> 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert repr(nn.Conv1D(8, 5, dilation=2, groups=2, use_bias=False, activation="tanh")) == \
        "Conv1D(None -> 8, kernel_size=(5,), stride=(1,), dilation=(2,), groups=2, bias=False, Activation(tanh))"
    assert repr(nn.Conv2DTranspose(4, 3, strides=2, in_channels=6)) == \
        "Conv2DTranspose(4 -> 6, kernel_size=(3, 3), stride=(2, 2))"
    assert repr(nn.MaxPool2D()) == \
        "MaxPool2D(size=(2, 2), stride=(2, 2), padding=(0, 0), ceil_mode=False, global_pool=False, " \
        "pool_type=max, layout=NCHW)"
    assert repr(nn.GlobalAvgPool1D()) == \
        "GlobalAvgPool1D(size=(1,), stride=(1,), padding=(0,), ceil_mode=True, global_pool=True, " \
        "pool_type=avg, layout=NCW)"
    assert repr(nn.BatchNorm()) == \
        "BatchNorm(axis=1, eps=1e-05, momentum=0.9, fix_gamma=False, use_global_stats=False, in_channels=None)"
    assert repr(nn.LayerNorm()) == "LayerNorm(eps=1e-05, axis=-1, center=True, scale=True, in_channels=0)"
    assert repr(nn.InstanceNorm(in_channels=3)) == \
        "InstanceNorm(eps=1e-05, axis=1, center=True, scale=False, in_channels=3)"
    assert repr(nn.GroupNorm(4)) == "GroupNorm(eps=1e-05, num_groups=4, center=True, scale=True)"
    assert repr(nn.Embedding(10, 4)) == "Embedding(10 -> 4, float32)"
    assert repr(nn.Dropout(0.3)) == "Dropout(p = 0.3, axes=())"
    assert repr(nn.LeakyReLU(0.1)) == "LeakyReLU(0.1)"
    assert repr(nn.Activation("relu")) == "Activation(relu)"
    assert repr(nn.Flatten()) == "Flatten"
    assert repr(nn.Lambda("tanh")) == "Lambda(tanh)"


# ---- gradients against central differences ------------------------------------------------------
def _numeric_grad(f, arr, entries, eps=1e-2):
    out = []
    for idx in entries:
        hi, lo = arr.copy(), arr.copy()
        hi[idx] += eps
        lo[idx] -= eps
        out.append((f(hi) - f(lo)) / (2 * eps))
    return np.array(out)


@pytest.mark.parametrize("make, in_shape, pname", [
    (lambda: nn.Conv2D(3, 3, padding=1, in_channels=2), (2, 2, 4, 4), "weight"),
    (lambda: nn.Conv1DTranspose(2, 3, strides=2, in_channels=3), (2, 3, 4), "weight"),
    (lambda: nn.PReLU(in_channels=2), (2, 2, 5), "alpha"),
    (lambda: nn.LayerNorm(in_channels=5), (3, 5), "gamma"),
    (lambda: nn.GroupNorm(2), (2, 4, 3), "beta"),
])
def test_parameter_gradients_match_central_differences(make, in_shape, pname):
    layer = make()
    layer.initialize(mx.init.Normal(0.5))
    x = nd.array(RS.randn(*in_shape).astype(np.float32))
    r = RS.randn(*layer(x).shape).astype(np.float32)  # loss = sum(y * r): a generic linear read-out
    param = getattr(layer, pname)
    with autograd.record():
        loss = (layer(x) * nd.array(r)).sum()
    loss.backward()
    grad = param.grad().asnumpy()
    base = param.data().asnumpy().copy()

    def f(value):
        param.set_data(nd.array(value))
        return float((layer(x).asnumpy() * r).sum())

    entries = [tuple(RS.randint(0, d) for d in base.shape) for _ in range(4)]
    num = _numeric_grad(f, base, entries)
    np.testing.assert_allclose([grad[e] for e in entries], num, rtol=2e-2, atol=2e-2)


def test_input_gradient_of_maxpool_and_layer_norm():
    x = RS.randn(1, 1, 4, 4).astype(np.float32)
    v = nd.array(x)
    v.attach_grad()
    with autograd.record():
        y = nn.MaxPool2D()(v).sum()
    y.backward()
    # one 1 at the argmax of each 2x2 window
    want = np.zeros_like(x)
    for i in range(2):
        for j in range(2):
            w = x[0, 0, 2 * i:2 * i + 2, 2 * j:2 * j + 2]
            a, b = np.unravel_index(w.argmax(), w.shape)
            want[0, 0, 2 * i + a, 2 * j + b] = 1
    np.testing.assert_array_equal(v.grad.asnumpy(), want)


# ---- errors that name the layer and the argument ------------------------------------------------
def test_bad_input_and_arguments_raise_mxnet_errors():
    E = mx.base.MXNetError
    with pytest.raises(E, match="Conv2D.*layout"):
        nn.Conv2D(4, 3, layout="NCW")
    with pytest.raises(E, match="Conv2D.*layout 'NHWC' is not supported"):
        nn.Conv2D(4, 3, layout="NHWC")
    with pytest.raises(E, match="MaxPool1D.*layout"):
        nn.MaxPool1D(layout="NCHW")
    with pytest.raises(E, match="Conv3D.*kernel_size"):
        nn.Conv3D(4, (3, 3))
    with pytest.raises(E, match="Conv2D.*groups"):
        nn.Conv2D(3, 3, groups=2)
    dense = nn.Dense(3, in_units=4)
    dense.initialize()
    with pytest.raises(E, match="Dense 'dense\\d+'.*has 5 features.*in_units is 4"):
        dense(nd.ones((2, 5)))
    conv = nn.Conv2D(2, 3, in_channels=3)
    conv.initialize()
    with pytest.raises(E, match="Conv2D 'conv\\d+'.*4 channels but in_channels is 3"):
        conv(nd.ones((1, 4, 5, 5)))
    with pytest.raises(E, match="Conv2D 'conv\\d+'.*expects 4-D input"):
        conv(nd.ones((1, 3, 5)))
    with pytest.raises(E, match="MaxPool2D 'pool\\d+'.*expects 4-D input"):
        nn.MaxPool2D()(nd.ones((1, 3, 5)))
    bn = nn.BatchNorm(in_channels=3)
    bn.initialize()
    with pytest.raises(E, match="BatchNorm 'batchnorm\\d+'.*in_channels is 3"):
        bn(nd.ones((2, 4, 2)))
    gn = nn.GroupNorm(3)
    gn.initialize()
    with pytest.raises(E, match="GroupNorm 'groupnorm\\d+'.*not divisible by num_groups 3"):
        gn(nd.ones((2, 4, 2)))
    with pytest.raises(E, match="Dropout.*rate"):
        nn.Dropout(1.5)
    with pytest.raises(E, match="Activation.*'swoosh'"):
        nn.Activation("swoosh")
    with pytest.raises(E, match="LeakyReLU.*alpha"):
        nn.LeakyReLU(-0.1)
    with pytest.raises(E, match="Lambda.*'no_such_op'"):
        nn.Lambda("no_such_op")
    with pytest.raises(E, match="Embedding.*output_dim"):
        nn.Embedding(3, 0)


def test_save_and_load_parameters_of_new_layers(tmp_path):
    def make():
        net = nn.HybridSequential()
        net.add(nn.Conv1D(3, 2), nn.LayerNorm(), nn.PReLU(), nn.Conv1DTranspose(2, 2), nn.GroupNorm(2), nn.Flatten(),
                nn.Dense(4))
        return net

    net = make()
    net.initialize(mx.init.Xavier())
    x = nd.array(RS.randn(2, 4, 6).astype(np.float32))
    want = net(x).asnumpy()
    path = str(tmp_path / "n.params")
    net.save_parameters(path)
    assert list(nd.load(path).keys()) == ["0.weight", "0.bias", "1.gamma", "1.beta", "2.alpha", "3.weight",
                                          "3.bias", "4.gamma", "4.beta", "6.weight", "6.bias"]
    other = make()
    other.load_parameters(path)
    np.testing.assert_allclose(other(x).asnumpy(), want, rtol=1e-6)
