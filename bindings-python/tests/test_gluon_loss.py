"""mx.gluon.loss (MXNet 1.x): every loss against values computed by hand / by small NumPy
references written here, with weight, sample_weight and batch_axis; reprs; gradients; errors."""
import math

import numpy as np
import pytest

import mixnet as mx
from mixnet import autograd, gluon, nd
from mixnet.gluon.loss import L2Loss  # the module path MXNet 1.x scripts import from

L = gluon.loss
PRED = np.array([[0.3, -1.2, 2.0], [1.5, 0.1, -0.4]], np.float32)
SIGNED = np.array([[1, -1, 1], [-1, 1, -1]], np.float32)


def _close(got, want, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(got.asnumpy() if hasattr(got, "asnumpy") else got, want, rtol=rtol, atol=atol)


def _softplus(x):
    return np.log1p(np.exp(x))


def test_l2_and_l1_by_hand_with_weight_and_sample_weight():
    pred, label = nd.array([[1.0, 2.0], [3.0, 5.0]]), nd.array([[0.0, 2.0], [1.0, 1.0]])
    # L2: 1/2 * mean((label - pred)^2) per row: row0 (1 + 0) / 2 / 2 = 0.25; row1 (4 + 16) / 2 / 2 = 5
    _close(L2Loss()(pred, label), [0.25, 5.0])
    # weight=3 scales; sample_weight (2, 1) scales each row: [0.25 * 3 * 2, 5 * 3 * 0.5]
    _close(L2Loss(weight=3.0)(pred, label, nd.array([[2.0], [0.5]])), [1.5, 7.5])
    # L1: mean |label - pred| per row: (1 + 0) / 2, (2 + 4) / 2
    _close(L.L1Loss()(pred, label), [0.5, 3.0])
    _close(L.L1Loss(weight=2.0)(pred, label, nd.array([[1.0], [0.0]])), [1.0, 0.0])
    # an elementwise sample_weight (2, 2) weights each element before the mean
    _close(L.L1Loss()(pred, label, nd.array([[4.0, 9.0], [1.0, 0.0]])), [2.0, 1.0])
    # the label is reshaped to the prediction's shape (same size)
    _close(L.L1Loss()(pred, nd.array([0.0, 2.0, 1.0, 1.0])), [0.5, 3.0])


def test_batch_axis_keeps_that_axis():
    pred = nd.array([[1.0, 2.0, 3.0], [3.0, 5.0, 7.0]])
    label = nd.zeros((2, 3))
    # batch_axis=1: one value per column, the mean over the rows: |.| means (1+3)/2, (2+5)/2, (3+7)/2
    _close(L.L1Loss(batch_axis=1)(pred, label), [2.0, 3.5, 5.0])
    _close(L2Loss(batch_axis=1)(pred, label), [(1 + 9) / 4, (4 + 25) / 4, (9 + 49) / 4])


def test_softmax_cross_entropy_sparse_dense_from_logits_and_axis():
    logp = PRED - np.log(np.exp(PRED).sum(1, keepdims=True))
    cls = np.array([2, 0], np.float32)
    _close(L.SoftmaxCrossEntropyLoss()(nd.array(PRED), nd.array(cls)), -logp[[0, 1], [2, 0]])
    assert L.SoftmaxCELoss is L.SoftmaxCrossEntropyLoss
    # sample_weight per row and weight
    sw = np.array([[2.0], [0.5]], np.float32)
    _close(L.SoftmaxCELoss(weight=0.1)(nd.array(PRED), nd.array(cls), nd.array(sw)),
           -logp[[0, 1], [2, 0]] * sw[:, 0] * 0.1)
    # dense labels (distributions): -sum(label * log softmax)
    dist = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]], np.float32)
    _close(L.SoftmaxCELoss(sparse_label=False)(nd.array(PRED), nd.array(dist)), -(dist * logp).sum(1))
    # from_logits: pred is used as the log-probabilities as it is
    _close(L.SoftmaxCELoss(from_logits=True)(nd.array(PRED), nd.array(cls)), -PRED[[0, 1], [2, 0]])
    # classes on axis 1 of (N, C, T): the loss is averaged over T
    x = np.random.RandomState(0).randn(2, 3, 4).astype(np.float32)
    lab = np.array([[0, 1, 2, 1], [2, 2, 0, 1]], np.float32)
    lp = x - np.log(np.exp(x).sum(1, keepdims=True))
    want = -np.take_along_axis(lp, lab.astype(int)[:, None, :], 1)[:, 0, :].mean(1)
    _close(L.SoftmaxCELoss(axis=1)(nd.array(x), nd.array(lab)), want, rtol=1e-5)


def test_sigmoid_bce_logits_probabilities_and_pos_weight():
    y = np.array([[1, 0, 1], [0, 1, 0]], np.float32)
    p = 1 / (1 + np.exp(-PRED))
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    _close(L.SigmoidBinaryCrossEntropyLoss()(nd.array(PRED), nd.array(y)), bce.mean(1), rtol=1e-5)
    _close(L.SigmoidBCELoss(from_sigmoid=True)(nd.array(p), nd.array(y)), bce.mean(1), rtol=1e-4)
    # pos_weight (1, 3) multiplies the positive term
    pw = np.array([[2.0, 1.0, 0.5]], np.float32)
    want = -(pw * y * np.log(p) + (1 - y) * np.log(1 - p)).mean(1)
    _close(L.SigmoidBCELoss()(nd.array(PRED), nd.array(y), None, nd.array(pw)), want, rtol=1e-5)
    _close(L.SigmoidBCELoss(from_sigmoid=True)(nd.array(p), nd.array(y), None, nd.array(pw)), want, rtol=1e-4)
    # large logits stay finite (the stable form)
    big = L.SigmoidBCELoss()(nd.array([[100.0, -100.0]]), nd.array([[0.0, 1.0]])).asnumpy()
    _close(big, [100.0], rtol=1e-5)


def test_kl_div_hinge_squared_hinge_logistic():
    dist = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], np.float32)
    logq = PRED - np.log(np.exp(PRED).sum(1, keepdims=True))
    kl = (dist * (np.log(dist + 1e-12) - logq)).sum(1)  # MXNet 1.9.1 sums KL over each sample
    _close(L.KLDivLoss()(nd.array(logq), nd.array(dist)), kl, rtol=1e-5)
    _close(L.KLDivLoss(from_logits=False)(nd.array(PRED), nd.array(dist)), kl, rtol=1e-5)
    # hinge: relu(1 - pred * label) = row0 [0.7, 0, 0], row1 [2.5, 0.9, 0.6]
    _close(L.HingeLoss()(nd.array(PRED), nd.array(SIGNED)), [0.7 / 3, 4.0 / 3], rtol=1e-5)
    _close(L.HingeLoss(margin=2)(nd.array(PRED), nd.array(SIGNED)), [(1.7 + 0.8 + 0) / 3, (3.5 + 1.9 + 1.6) / 3],
           rtol=1e-5)
    _close(L.SquaredHingeLoss()(nd.array(PRED), nd.array(SIGNED)), [0.49 / 3, (6.25 + 0.81 + 0.36) / 3], rtol=1e-5)
    logistic = np.log1p(np.exp(-PRED * SIGNED)).mean(1)
    _close(L.LogisticLoss()(nd.array(PRED), nd.array(SIGNED)), logistic, rtol=1e-5)
    _close(L.LogisticLoss(label_format="binary")(nd.array(PRED), nd.array((SIGNED + 1) / 2)), logistic, rtol=1e-5)


def test_huber_by_hand():
    pred, label = nd.array([[0.0, 0.5, 3.0]]), nd.array([[0.0, 0.0, 0.0]])
    # rho=1: 0, 0.5 * 0.25, 3 - 0.5
    _close(L.HuberLoss()(pred, label), [(0 + 0.125 + 2.5) / 3])
    # rho=2: 0.25 * e^2 below 2: 0, 0.0625, 3 - 1
    _close(L.HuberLoss(rho=2)(pred, label, nd.array([[2.0]])), [2 * (0.0625 + 2) / 3])


def test_poisson_nll_logits_rates_and_stirling():
    pred = np.array([[0.5, -1.0], [2.0, 0.1]], np.float32)
    target = np.array([[1.0, 0.0], [3.0, 2.0]], np.float32)
    # MXNet 1.9.1 returns the mean over every element, shape (1,)
    want = (np.exp(pred) - target * pred).mean(1)
    _close(L.PoissonNLLLoss()(nd.array(pred), nd.array(target)), [want.mean()], rtol=1e-5)
    rates = np.exp(pred)
    want_rates = (rates - target * np.log(rates + 1e-8)).mean()
    _close(L.PoissonNLLLoss(from_logits=False)(nd.array(rates), nd.array(target)), [want_rates], rtol=1e-5)
    # compute_full adds t log t - t + 0.5 log(2 pi t) where t > 1 (targets 3 and 2)
    st = lambda t: t * math.log(t) - t + 0.5 * math.log(2 * math.pi * t)  # noqa: E731
    full = np.exp(pred) - target * pred + np.array([[0, 0], [st(3.0), st(2.0)]])
    _close(L.PoissonNLLLoss(compute_full=True)(nd.array(pred), nd.array(target)), [full.mean()], rtol=1e-5)
    _close(L.PoissonNLLLoss(weight=2.0)(nd.array(pred), nd.array(target), nd.array([[1.0], [0.0]])),
           [(2 * want[0] + 0.0) / 2], rtol=1e-5)


def test_triplet_and_cosine_embedding_by_hand():
    pred = nd.array([[0.0, 0.0], [1.0, 1.0]])
    pos = nd.array([[1.0, 0.0], [1.0, 2.0]])
    neg = nd.array([[0.0, 2.0], [1.0, 1.5]])
    # |pos - pred|^2 - |neg - pred|^2 + 1: row0 1 - 4 + 1 = -2 -> 0; row1 1 - 0.25 + 1 = 1.75
    _close(L.TripletLoss()(pred, pos, neg), [0.0, 1.75])
    _close(L.TripletLoss(margin=5, weight=2.0)(pred, pos, neg, nd.array([1.0, 0.5])), [2 * 2.0, 2 * 0.5 * 5.75])
    a = nd.array([[1.0, 0.0], [1.0, 1.0], [3.0, 4.0]])
    b = nd.array([[0.0, 1.0], [1.0, 1.0], [4.0, 3.0]])
    # cosines 0, 1, 24/25: label 1 -> 1 - cos; label -1 -> max(cos - margin, 0); one (batch, 1)
    # column, as MXNet 1.9.1 returns it
    out = L.CosineEmbeddingLoss()(a, b, nd.array([1, -1, -1]))
    assert out.shape == (3, 1)
    _close(out, [[1.0], [1.0], [0.96]], rtol=1e-5)
    _close(L.CosineEmbeddingLoss(margin=0.5)(a, b, nd.array([1, 1, -1])), [[1.0], [0.0], [0.46]], rtol=1e-5)
    _close(L.CosineEmbeddingLoss(weight=2.0)(a, b, nd.array([1, 1, 1]), nd.array([[1.0], [1.0], [0.5]])),
           [[2.0], [0.0], [2 * 0.5 * 0.04]], rtol=1e-4, atol=1e-6)


def test_sdml_against_numpy():
    rs = np.random.RandomState(3)
    x1, x2 = rs.randn(4, 3).astype(np.float32), rs.randn(4, 3).astype(np.float32)
    s = 0.3
    d = ((x1[:, None, :] - x2[None, :, :]) ** 2).sum(2)
    logp = -d - np.log(np.exp(-d).sum(1, keepdims=True))
    lab = np.full((4, 4), s / 3, np.float32)
    np.fill_diagonal(lab, 1 - s)
    want = (lab * (np.log(lab + 1e-12) - logp)).sum(1)
    _close(L.SDMLLoss()(nd.array(x1), nd.array(x2)), want, rtol=1e-4)
    with pytest.raises(mx.base.MXNetError, match="SDMLLoss"):
        L.SDMLLoss()(nd.array(x1), nd.array(x2[:, :2]))


def test_values_apache_mxnet_1_9_1_computed():
    # Outputs Apache MXNet 1.9.1 (PyPI) gave for these inputs, rounded to 5 decimals.
    p = nd.array([[-1.0, -2, -0.5, -3], [-0.2, -1, -2, -1]])
    q = nd.array([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]])
    _close(L.KLDivLoss()(p, q), [0.57015, -0.33629], rtol=1e-4)
    _close(L.KLDivLoss()(p, q, nd.array([[1.0], [2.0]])), [0.57015, -0.67259], rtol=1e-4)
    _close(L.KLDivLoss(from_logits=False)(p, q), [0.71816, 0.18833], rtol=1e-4)
    x1, x2 = nd.array([[1.0, 2, 0], [0, 1, 1]]), nd.array([[2.0, 1, 0], [0, -1, -1]])
    _close(L.CosineEmbeddingLoss()(x1, x2, nd.array([1, -1])), [[0.2], [0.0]], rtol=1e-4, atol=1e-6)
    _close(L.CosineEmbeddingLoss(margin=0.5)(x1, x2, nd.array([-1, -1])), [[0.3], [0.0]], rtol=1e-4, atol=1e-6)
    _close(L.PoissonNLLLoss()(nd.array([[1.0, 2], [0.5, 1]]), nd.array([[1.0, 0], [2, 1]])), [2.86858], rtol=1e-4)
    _close(L.TripletLoss()(nd.array([[1.0, 2], [3, 4]]), nd.array([[1.0, 2.5], [3, 3]]), nd.array([[0.0, 2], [3, 5]])),
           [0.25, 1.0], rtol=1e-5)
    _close(L.SigmoidBCELoss(from_sigmoid=True)(nd.array([[0.3, 0.9]]), nd.array([[1.0, 0]])), [1.75328], rtol=1e-4)
    _close(L.SigmoidBCELoss()(nd.array([[0.3, -0.9]]), nd.array([[1.0, 0]]), None, nd.array([2.0])), [0.72493],
           rtol=1e-4)
    _close(L.L2Loss(weight=3.0)(nd.array([[1.0, 2], [3, 4]]), nd.array([[0.0, 0], [1, 1]]), nd.array([[1.0], [0.5]])),
           [3.75, 4.875], rtol=1e-5)
    _close(L.HuberLoss(rho=0.5)(nd.array([[0.2, 3]]), nd.array([[0.0, 0]])), [1.395], rtol=1e-5)


def test_reprs_follow_mxnet():
    assert repr(L2Loss()) == "L2Loss(batch_axis=0, w=1.0)"
    assert repr(L.SoftmaxCrossEntropyLoss()) == "SoftmaxCrossEntropyLoss(batch_axis=0, w=None)"
    assert repr(L.HingeLoss(weight=0.5, batch_axis=1)) == "HingeLoss(batch_axis=1, w=0.5)"
    assert L.SigmoidBCELoss is L.SigmoidBinaryCrossEntropyLoss


def test_gradients_of_losses():
    x = nd.array(PRED)
    x.attach_grad()
    cls = nd.array([2, 0])
    with autograd.record():
        loss = L.SoftmaxCELoss()(x, cls)
    loss.backward()
    sm = np.exp(PRED) / np.exp(PRED).sum(1, keepdims=True)
    onehot = np.eye(3, dtype=np.float32)[[2, 0]]
    _close(x.grad, sm - onehot, rtol=1e-5)
    # L2: d/dpred sum_rows(mean((l - p)^2) / 2) = (p - l) / C
    y = nd.array(SIGNED)
    with autograd.record():
        loss = L2Loss()(x, y)
    loss.backward()
    _close(x.grad, (PRED - SIGNED) / 3, rtol=1e-5)
    # Huber against central differences (float64 in NumPy on the same formula would be circular;
    # the engine's own loss values are differenced instead)
    with autograd.record():
        loss = L.HuberLoss(rho=0.5)(x, y)
    loss.backward()
    num = np.zeros_like(PRED)
    eps = 1e-2
    for i in range(2):
        for j in range(3):
            hi, lo = PRED.copy(), PRED.copy()
            hi[i, j] += eps
            lo[i, j] -= eps
            num[i, j] = (L.HuberLoss(rho=0.5)(nd.array(hi), y).asnumpy().sum() -
                         L.HuberLoss(rho=0.5)(nd.array(lo), y).asnumpy().sum()) / (2 * eps)
    _close(x.grad, num, rtol=1e-2, atol=1e-3)


def test_bad_arguments_raise_mxnet_errors_naming_the_loss():
    with pytest.raises(mx.base.MXNetError, match="LogisticLoss.*label_format"):
        L.LogisticLoss(label_format="multi")
    with pytest.raises(mx.base.MXNetError, match="HuberLoss.*rho"):
        L.HuberLoss(rho=0)
    with pytest.raises(mx.base.MXNetError, match="L1Loss.*weight"):
        L.L1Loss(weight="heavy")
    with pytest.raises(mx.base.MXNetError, match="L2Loss.*label of shape \\(5,\\)"):
        L2Loss()(nd.ones((2, 3)), nd.ones((5,)))
    with pytest.raises(mx.base.MXNetError, match="SDMLLoss.*smoothing_parameter"):
        L.SDMLLoss(smoothing_parameter=1.0)
