"""mx.gluon (MXNet 1.x API): parameters, blocks, layers, losses, Trainer, and training end to end."""
import gzip
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import mixnet as mx
from mixnet import autograd, gluon, nd
from mixnet.gluon import nn
from ts_interop import needs_node, ts_round_trip

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")


def _count(net):
    return sum(int(np.prod(p.shape)) for p in net.collect_params().values())


def test_layer_output_shapes_and_parameter_counts():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(6, kernel_size=5, padding=1, activation="relu"), nn.BatchNorm(),
                nn.MaxPool2D(pool_size=2, strides=2), nn.AvgPool2D(pool_size=3, strides=1),
                nn.Flatten(), nn.Dense(32, activation="tanh"), nn.Dropout(0.5), nn.Dense(10))
    net.initialize(mx.init.Xavier())
    x = nd.ones((2, 3, 16, 16))
    shapes = []
    h = x
    for layer in net:
        h = layer(h)
        shapes.append(h.shape)
    # conv: 16+2-5+1 = 14; maxpool: 7; avgpool 3x3 stride 1: 5; flatten 6*25 = 150
    assert shapes == [(2, 6, 14, 14), (2, 6, 14, 14), (2, 6, 7, 7), (2, 6, 5, 5), (2, 150), (2, 32), (2, 32),
                      (2, 10)]
    assert _count(net) == (6 * 3 * 25 + 6) + 4 * 6 + (150 * 32 + 32) + (32 * 10 + 10)
    assert nn.GlobalAvgPool2D()(x).shape == (2, 3, 1, 1)
    assert nn.Activation("sigmoid")(nd.zeros((2, 2))).asnumpy().tolist() == [[0.5, 0.5], [0.5, 0.5]]


def test_prefixes_name_scope_and_collect_params_select():
    net = nn.Sequential(prefix="model_")
    with net.name_scope():
        net.add(nn.Dense(4, in_units=3), nn.Dense(2, in_units=4, use_bias=False))
    assert list(net.collect_params().keys()) == ["model_dense0_weight", "model_dense0_bias", "model_dense1_weight"]
    assert list(net.collect_params(".*weight").keys()) == ["model_dense0_weight", "model_dense1_weight"]
    assert net[0].prefix == "model_dense0_" and net[0].name == "model_dense0"



def test_automatic_names_follow_mxnet_1x_hints():
    # the names Apache MXNet 1.9.1 gives the same network (conv, pool and the activation type as hints)
    net = nn.HybridSequential(prefix="net_")
    with net.name_scope():
        net.add(nn.Conv2D(4, 3), nn.MaxPool2D(), nn.GlobalAvgPool2D(), nn.Activation("relu"), nn.BatchNorm(),
                nn.Dropout(0.1), nn.Flatten(), nn.Dense(3))
    assert [b.name for b in net] == ["net_conv0", "net_pool0", "net_pool1", "net_relu0", "net_batchnorm0",
                                     "net_dropout0", "net_flatten0", "net_dense0"]
    assert list(net.collect_params().keys())[:2] == ["net_conv0_weight", "net_conv0_bias"]

def test_custom_block_registers_children_and_parameters_in_assignment_order():
    class Net(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super(Net, self).__init__(**kwargs)
            with self.name_scope():
                self.scale = self.params.get("scale", shape=(1,), init=mx.init.Constant(2.0))
                self.body = nn.Dense(3, in_units=2)

        def hybrid_forward(self, F, x, scale):
            return F.broadcast_mul(self.body(x), scale)

    net = Net(prefix="net_")
    net.initialize()
    assert list(net.collect_params().keys()) == ["net_scale", "net_dense0_weight", "net_dense0_bias"]
    assert list(net._collect_params_with_prefix().keys()) == ["scale", "body.weight", "body.bias"]
    x = nd.array([[1.0, -1.0]])
    w = net.body.weight.data().asnumpy()
    np.testing.assert_allclose(net(x).asnumpy(), 2 * (x.asnumpy() @ w.T), rtol=1e-5)


def test_deferred_initialization_fills_shapes_on_first_forward():
    net = nn.HybridSequential()
    net.add(nn.Conv2D(4, kernel_size=3), nn.BatchNorm(), nn.Dense(5))
    net.initialize()
    with pytest.raises(gluon.DeferredInitializationError):
        net[2].weight.data()
    assert net[0].weight.shape == (4, 0, 3, 3)
    net(nd.ones((1, 2, 6, 6)))
    assert net[0].weight.shape == (4, 2, 3, 3)
    assert net[1].gamma.shape == (4,)
    assert net[2].weight.data().shape == (5, 64)
    np.testing.assert_array_equal(net[1].running_var.data().asnumpy(), np.ones(4))
    np.testing.assert_array_equal(net[2].bias.data().asnumpy(), np.zeros(5))


def test_shared_parameters_and_int_shape():
    first = nn.Dense(3, in_units=2, prefix="shared_")
    second = nn.Dense(3, in_units=2, params=first.params)
    first.initialize()
    assert second.weight is first.weight
    x = nd.ones((1, 2))
    np.testing.assert_allclose(second(x).asnumpy(), first(x).asnumpy())
    assert gluon.Parameter("p", shape=4).shape == (4,)
    with pytest.raises(ValueError, match="unknown shape"):
        gluon.Parameter("q", shape=(0, 3)).initialize()


def test_batchnorm_and_dropout_follow_train_and_predict_modes():
    rs = np.random.RandomState(4)
    x = rs.randn(8, 2, 3, 3).astype(np.float32) * 3 + 1
    bn = nn.BatchNorm(momentum=0.5)
    bn.initialize()
    with autograd.record():
        y = bn(nd.array(x))
    mean = x.mean(axis=(0, 2, 3))
    np.testing.assert_allclose(y.asnumpy().mean(axis=(0, 2, 3)), np.zeros(2), atol=1e-4)
    np.testing.assert_allclose(bn.running_mean.data().asnumpy(), 0.5 * mean, rtol=1e-4, atol=1e-5)
    # inference uses the running statistics: (x - rm) / sqrt(rv + eps)
    rm, rv = bn.running_mean.data().asnumpy(), bn.running_var.data().asnumpy()
    want = (x - rm[None, :, None, None]) / np.sqrt(rv[None, :, None, None] + 1e-5)
    np.testing.assert_allclose(bn(nd.array(x)).asnumpy(), want, rtol=1e-4, atol=1e-4)
    drop = nn.Dropout(0.5)
    ones = nd.ones((100, 100))
    assert drop(ones).asnumpy().tolist() == ones.asnumpy().tolist()
    with autograd.record():
        dropped = drop(ones).asnumpy()
    assert set(np.unique(dropped).tolist()) == {0.0, 2.0}
    assert 0.4 < (dropped == 0).mean() < 0.6


def test_dense_forward_matches_numpy():
    layer = nn.Dense(3, activation="relu")
    layer.initialize(mx.init.Normal(1.0))
    x = np.random.RandomState(0).randn(4, 2, 3).astype(np.float32)
    y = layer(nd.array(x)).asnumpy()
    w, b = layer.weight.data().asnumpy(), layer.bias.data().asnumpy()
    assert w.shape == (3, 6)
    np.testing.assert_allclose(y, np.maximum(x.reshape(4, 6) @ w.T + b, 0), rtol=1e-5, atol=1e-6)


def test_conv2d_forward_matches_numpy():
    rs = np.random.RandomState(1)
    layer = nn.Conv2D(2, kernel_size=(3, 2), strides=(2, 1), padding=(1, 0), in_channels=3)
    layer.initialize()
    w = rs.randn(2, 3, 3, 2).astype(np.float32)
    b = np.array([0.5, -1.0], np.float32)
    layer.weight.set_data(nd.array(w))
    layer.bias.set_data(nd.array(b))
    x = rs.randn(1, 3, 5, 4).astype(np.float32)
    y = layer(nd.array(x)).asnumpy()
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (0, 0)))
    oh, ow = (5 + 2 - 3) // 2 + 1, 4 - 2 + 1
    want = np.zeros((1, 2, oh, ow), np.float32)
    for o in range(2):
        for i in range(oh):
            for j in range(ow):
                want[0, o, i, j] = (xp[0, :, 2 * i:2 * i + 3, j:j + 2] * w[o]).sum() + b[o]
    np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-5)


def test_losses_match_numpy():
    pred = np.array([[0.3, -1.2, 2.0], [1.5, 0.1, -0.4]], np.float32)
    label = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], np.float32)
    p, l = nd.array(pred), nd.array(label)
    np.testing.assert_allclose(gluon.loss.L2Loss()(p, l).asnumpy(), (0.5 * (pred - label) ** 2).mean(1), rtol=1e-5)
    np.testing.assert_allclose(gluon.loss.L1Loss()(p, l).asnumpy(), np.abs(pred - label).mean(1), rtol=1e-5)
    sig = 1 / (1 + np.exp(-pred))
    bce = -(label * np.log(sig) + (1 - label) * np.log(1 - sig)).mean(1)
    np.testing.assert_allclose(gluon.loss.SigmoidBinaryCrossEntropyLoss()(p, l).asnumpy(), bce, rtol=1e-5)
    cls = np.array([2, 0], np.float32)
    logp = pred - np.log(np.exp(pred).sum(1, keepdims=True))
    np.testing.assert_allclose(gluon.loss.SoftmaxCrossEntropyLoss()(p, nd.array(cls)).asnumpy(),
                               -logp[[0, 1], [2, 0]], rtol=1e-5)


def test_trainer_step_is_sgd_with_gradient_over_batch_size():
    layer = nn.Dense(1, in_units=2, use_bias=False)
    layer.initialize(mx.init.Constant(1.0))
    trainer = gluon.Trainer(layer.collect_params(), "sgd", {"learning_rate": 0.5})
    x = nd.array([[1.0, 2.0], [3.0, 4.0]])
    with autograd.record():
        loss = layer(x).sum()
    loss.backward()
    np.testing.assert_allclose(layer.weight.grad().asnumpy(), [[4.0, 6.0]])
    trainer.step(2)
    # w - lr * grad / batch = 1 - 0.5 * [2, 3]
    np.testing.assert_allclose(layer.weight.data().asnumpy(), [[0.0, -0.5]], rtol=1e-6)
    layer.collect_params().zero_grad()
    assert layer.weight.grad().asnumpy().tolist() == [[0.0, 0.0]]


def test_save_and_load_parameters_round_trip(tmp_path):
    def make():
        net = nn.HybridSequential()
        with net.name_scope():
            net.add(nn.Dense(4, activation="relu"), nn.BatchNorm(), nn.Dense(2))
        return net

    net = make()
    net.initialize(mx.init.Xavier())
    x = nd.array(np.random.RandomState(2).randn(3, 5).astype(np.float32))
    want = net(x).asnumpy()
    path = str(tmp_path / "net.params")
    net.save_parameters(path)
    # structural names, in MXNet's .params format (the TS package's saveParameters writes the same)
    assert list(nd.load(path).keys()) == ["0.weight", "0.bias", "1.gamma", "1.beta", "1.running_mean",
                                          "1.running_var", "2.weight", "2.bias"]
    other = make()
    other.load_parameters(path)  # fills the deferred shapes from the file
    assert other[0].weight.shape == (4, 5)
    np.testing.assert_allclose(other(x).asnumpy(), want, rtol=1e-6)
    # full names through ParameterDict.save / load, and a missing parameter is an error
    full = str(tmp_path / "full.params")
    net.collect_params().save(full, strip_prefix=net.prefix)
    third = make()
    third.collect_params().load(full, restore_prefix=third.prefix)
    np.testing.assert_allclose(third(x).asnumpy(), want, rtol=1e-6)
    fourth = make()  # MXNet's load_parameters reads prefix-stripped full names (save_params files) too
    fourth.load_parameters(full)
    np.testing.assert_allclose(fourth(x).asnumpy(), want, rtol=1e-6)
    nd.save(path, {"0.weight": nd.ones((4, 5))})
    with pytest.raises(mx.MXNetError, match="missing"):
        make().load_parameters(path)



def test_loads_parameters_exported_by_mxnet_1_9_1(fixtures):
    # HybridSequential(Dense(64, relu), Dense(10)) exported by Apache MXNet 1.9.1 ('arg:' full names)
    net = nn.HybridSequential(prefix="hybridsequential0_")
    with net.name_scope():
        net.add(nn.Dense(64, activation="relu"), nn.Dense(10))
    net.load_parameters(str(fixtures / "mlp-0000.params"))
    assert net[0].weight.shape == (64, 20)
    x = np.load(str(fixtures / "mlp-input.npy"))
    np.testing.assert_allclose(net(nd.array(x)).asnumpy(), np.load(str(fixtures / "mlp-output.npy")),
                               rtol=1e-5, atol=1e-5)
    # the same file through ParameterDict.load
    other = nn.HybridSequential(prefix="hybridsequential0_")
    with other.name_scope():
        other.add(nn.Dense(64, activation="relu"), nn.Dense(10))
    other.collect_params().load(str(fixtures / "mlp-0000.params"))
    np.testing.assert_allclose(other(nd.array(x)).asnumpy(), np.load(str(fixtures / "mlp-output.npy")),
                               rtol=1e-5, atol=1e-5)

def _idx(name):
    with gzip.open(str(FASHION / name), "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


@pytest.mark.skipif(not FASHION.exists(), reason="Fashion-MNIST not installed")
def test_mlp_trains_on_fashion_mnist_subset():
    mx.random.seed(0)
    xtr = _idx("train-images-idx3-ubyte.gz")[:5000].reshape(5000, -1).astype(np.float32) / 255
    ytr = _idx("train-labels-idx1-ubyte.gz")[:5000].astype(np.float32)
    xte = _idx("t10k-images-idx3-ubyte.gz")[:1000].reshape(1000, -1).astype(np.float32) / 255
    yte = _idx("t10k-labels-idx1-ubyte.gz")[:1000]
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Dense(128, activation="relu"), nn.Dense(10))
    net.initialize(mx.init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    rs = np.random.RandomState(0)
    batch = 100
    for _ in range(4):
        order = rs.permutation(5000)
        for i in range(0, 5000, batch):
            idx = order[i:i + batch]
            data, label = nd.array(xtr[idx]), nd.array(ytr[idx])
            with autograd.record():
                loss = loss_fn(net(data), label)
            loss.backward()
            trainer.step(batch)
    accuracy = (net(nd.array(xte)).asnumpy().argmax(1) == yte).mean()
    print("fashion-mnist test accuracy", accuracy)
    assert accuracy > 0.75, accuracy


def test_mxnet_1x_lenet_script_runs_and_its_loss_decreases():
    result = subprocess.run([sys.executable, str(HERE / "mxnet_script_lenet.py")], capture_output=True, text=True,
                            timeout=300, env=dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "first loss" in result.stdout


@needs_node
def test_parameter_files_are_interchangeable_with_the_ts_package(tmp_path):
    def make():
        net = nn.HybridSequential()
        net.add(nn.Conv2D(4, kernel_size=3), nn.BatchNorm(), nn.Flatten(), nn.Dense(3))
        return net

    net = make()
    net.initialize(mx.init.Xavier())
    x = nd.array(np.random.RandomState(3).randn(2, 2, 5, 5).astype(np.float32))
    want = net(x).asnumpy()
    ts_make = ("(() => { const n = new gluon.nn.HybridSequential(); n.add(new gluon.nn.Conv2D(4, 3), "
               "new gluon.nn.BatchNorm(), new gluon.nn.Flatten(), new gluon.nn.Dense(3)); return n; })()")
    ts_y, ts_file = ts_round_trip(tmp_path, net, x, ts_make)
    # the TS net, loaded from the Python file, computes the same output ...
    np.testing.assert_allclose(ts_y, want, rtol=1e-5, atol=1e-6)
    # ... and the file it writes loads back into a Python net (deferred shapes filled from it)
    other = make()
    other.load_parameters(ts_file)
    np.testing.assert_allclose(other(x).asnumpy(), want, rtol=1e-5, atol=1e-6)


def test_parameter_dict_setattr_drives_trainer_and_grad_req():
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Dense(2, in_units=2), nn.Dense(1, in_units=2))
    net.initialize(mx.init.Constant(0.5))
    net[0].collect_params().setattr("lr_mult", 0.0)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 1.0})
    frozen = net[0].weight.data().asnumpy().copy()
    moving = net[1].weight.data().asnumpy().copy()
    with autograd.record():
        loss = net(nd.ones((1, 2))).sum()
    loss.backward()
    trainer.step(1)
    np.testing.assert_array_equal(net[0].weight.data().asnumpy(), frozen)
    # d loss / d w1 = hidden activations = 0.5 + 0.5 = 1 each -> w1 = 0.5 - 1
    np.testing.assert_allclose(net[1].weight.data().asnumpy(), moving - 1.0)
    net[1].collect_params().setattr("grad_req", "null")
    with pytest.raises(mx.MXNetError, match="grad_req='null'"):
        net[1].weight.grad()
    assert [len(p.list_data()) for p in net.collect_params().values()] == [1, 1, 1, 1]
