"""mx.metric against hand-computed values."""
import math

import numpy as np
import pytest

import mixnet as mx

nd = mx.nd


def test_accuracy():
    m = mx.metric.Accuracy()
    preds = [nd.array([[0.3, 0.7], [0.6, 0.4], [0.2, 0.8]])]
    labels = [nd.array([1, 1, 1])]
    m.update(labels, preds)
    assert m.get() == ("accuracy", pytest.approx(2.0 / 3))
    m.update([nd.array([0, 1])], [nd.array([0, 0])])  # same shape: compared directly
    assert m.get()[1] == pytest.approx(3.0 / 5)
    m.reset_local()
    assert math.isnan(m.get()[1])
    assert m.get_global()[1] == pytest.approx(3.0 / 5)
    m.reset()
    assert math.isnan(m.get_global()[1])
    with pytest.raises(ValueError):
        m.update([nd.array([1])], [nd.array([[0.1, 0.9]]), nd.array([[0.1, 0.9]])])


def test_top_k_accuracy():
    m = mx.metric.create("top_k_accuracy", top_k=2)
    assert m.name == "top_k_accuracy_2"
    preds = [nd.array([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1], [0.3, 0.25, 0.45], [0.2, 0.1, 0.7]])]
    labels = [nd.array([1, 1, 0, 1])]
    m.update(labels, preds)
    # top-2 classes per row: {1,2}, {0,1}, {2,0}, {2,0}: labels 1, 1, 0 are in, the last is not
    assert m.get()[1] == pytest.approx(3.0 / 4)
    m1 = mx.metric.TopKAccuracy(top_k=1)
    m1.update(labels, preds)
    assert m1.get() == ("top_k_accuracy_1", pytest.approx(1.0 / 4))  # argmax 1, 0, 2, 2
    m3 = mx.metric.TopKAccuracy(top_k=5)  # more than the classes: every sample counts
    m3.update(labels, preds)
    assert m3.get()[1] == pytest.approx(1.0)


def test_f1_macro_and_micro():
    preds = [nd.array([[0.3, 0.7], [0.6, 0.4], [0.2, 0.8], [0.9, 0.1]])]  # predicted 1, 0, 1, 0
    labels = [nd.array([1, 1, 0, 0])]  # tp 1, fp 1, fn 1 -> p = r = 0.5, f1 = 0.5
    m = mx.metric.F1()
    m.update(labels, preds)
    assert m.get() == ("f1", pytest.approx(0.5))
    m.update([nd.array([1, 1])], [nd.array([[0.1, 0.9], [0.2, 0.8]])])  # f1 = 1
    assert m.get()[1] == pytest.approx(0.75)
    micro = mx.metric.F1(average="micro")
    micro.update(labels, preds)
    micro.update([nd.array([1, 1])], [nd.array([[0.1, 0.9], [0.2, 0.8]])])
    # totals: tp 3, fp 1, fn 1 -> p = r = 0.75
    assert micro.get()[1] == pytest.approx(0.75)
    micro.update([nd.array([1, 0])], [nd.array([[0.9, 0.1], [0.9, 0.1]])])  # tp 3, fp 1, fn 2
    assert micro.get()[1] == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_regression_metrics():
    label = nd.array([2.5, 0.0, 2.0, 8.0])
    pred = nd.array([[3.0], [-0.5], [2.0], [7.0]])
    mae, mse, rmse = mx.metric.MAE(), mx.metric.MSE(), mx.metric.RMSE()
    for m in (mae, mse, rmse):
        m.update([label], [pred])
    assert mae.get() == ("mae", pytest.approx(0.5))
    assert mse.get() == ("mse", pytest.approx(0.375))
    assert rmse.get() == ("rmse", pytest.approx(math.sqrt(0.375)))
    mae.update([nd.array([1.0, 1.0])], [nd.array([0.0, 0.0])])  # batch mae 1: averaged over batches
    assert mae.get()[1] == pytest.approx(0.75)


def test_cross_entropy():
    m = mx.metric.create("ce")
    m.update([nd.array([0, 1, 2])], [nd.array([[0.5, 0.3, 0.2], [0.1, 0.8, 0.1], [0.25, 0.25, 0.5]])])
    want = -(math.log(0.5) + math.log(0.8) + math.log(0.5)) / 3
    assert m.get() == ("cross-entropy", pytest.approx(want, rel=1e-6))


def test_loss():
    m = mx.metric.Loss()
    m.update(None, [nd.array([1.0, 2.0, 3.0]), nd.array([[4.0]])])
    assert m.get() == ("loss", pytest.approx(2.5))


def test_composite_and_create():
    m = mx.metric.create(["acc", "mse"])
    assert isinstance(m, mx.metric.CompositeEvalMetric)
    m.update([nd.array([0, 1])], [nd.array([[0.9, 0.1], [0.8, 0.2]])])
    names, values = m.get()
    assert names == ["accuracy", "mse"]
    assert values[0] == pytest.approx(0.5)
    # mse over label (2,1) vs pred (2,2) broadcast: ((0-.9)^2+(0-.1)^2+(1-.8)^2+(1-.2)^2)/4
    assert values[1] == pytest.approx((0.81 + 0.01 + 0.04 + 0.64) / 4)
    assert m.get_metric(0).name == "accuracy"
    assert m.get_name_value()[0] == ("accuracy", pytest.approx(0.5))
    acc = mx.metric.Accuracy()
    assert mx.metric.create(acc) is acc
    assert isinstance(mx.metric.create("acc"), mx.metric.Accuracy)
    with pytest.raises(ValueError, match="unknown metric 'nope'"):
        mx.metric.create("nope")


def test_custom_metric():
    def abs_sum(label, pred):
        return float(np.abs(label - pred).sum())
    m = mx.metric.create(abs_sum)
    m.update([nd.array([1.0, 2.0])], [nd.array([0.0, 0.0])])
    assert m.get() == ("abs_sum", pytest.approx(3.0))
    m2 = mx.metric.np(lambda l, p: (float((l == p).sum()), l.size), name="eq")
    m2.update([nd.array([1.0, 2.0])], [nd.array([1.0, 0.0])])
    assert m2.get() == ("eq", pytest.approx(0.5))


def test_update_dict():
    m = mx.metric.Accuracy(output_names=["out"], label_names=["lab"])
    m.update_dict({"lab": nd.array([1, 0]), "x": nd.array([5, 5])},
                  {"out": nd.array([[0.1, 0.9], [0.2, 0.8]]), "y": nd.array([0])})
    assert m.get()[1] == pytest.approx(0.5)
