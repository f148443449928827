"""Autograd against central-difference numeric gradients, and the mx.autograd API."""
import numpy as np
import pytest

import mixnet as mx

RNG = np.random.default_rng(1)


def numeric_grad(f, x, eps=1e-3):
    """d sum(f(x)) / dx by central differences, in float64."""
    g = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        xp, xm = x.astype(np.float64), x.astype(np.float64)
        xp[i] += eps
        xm[i] -= eps
        g[i] = (f(xp).sum() - f(xm).sum()) / (2 * eps)
    return g


CASES = [
    ("tanh", lambda a: mx.nd.tanh(a), np.tanh),
    ("sigmoid", lambda a: mx.nd.sigmoid(a), lambda x: 1 / (1 + np.exp(-x))),
    ("mul+square", lambda a: a * a * 3 + a, lambda x: x * x * 3 + x),
    ("softmax", lambda a: mx.nd.softmax(a) * mx.nd.array([[1, 2, 3]], dtype=a.dtype),
     lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True) * np.array([[1, 2, 3]])),
    ("sum-axis", lambda a: mx.nd.sum(a * a, axis=1), lambda x: (x * x).sum(1)),
    ("log_softmax", lambda a: mx.nd.log_softmax(a) * mx.nd.array([[1, 0, 2]], dtype=a.dtype),
     lambda x: (x - np.log(np.exp(x).sum(-1, keepdims=True))) * np.array([[1, 0, 2]])),
]


@pytest.mark.parametrize("name,mxf,npf", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_numeric(name, mxf, npf):
    x = RNG.standard_normal((2, 3))
    a = mx.nd.array(x, dtype="float64")
    a.attach_grad()
    with mx.autograd.record():
        y = mxf(a)
    y.backward()
    np.testing.assert_allclose(a.grad.asnumpy(), numeric_grad(npf, x), rtol=1e-5, atol=1e-7)


def test_fully_connected_gradients():
    x, w, b = (RNG.standard_normal(s) for s in [(4, 5), (3, 5), (3,)])
    X, W, B = (mx.nd.array(v, dtype="float64") for v in (x, w, b))
    for v in (W, B):
        v.attach_grad()
    with mx.autograd.record():
        y = mx.nd.FullyConnected(X, W, B, num_hidden=3)
    y.backward()
    np.testing.assert_allclose(W.grad.asnumpy(), numeric_grad(lambda w_: x @ w_.T + b, w), rtol=1e-6)
    np.testing.assert_allclose(B.grad.asnumpy(), numeric_grad(lambda b_: x @ w.T + b_, b), rtol=1e-6)


def test_modes_scopes_and_grad_req_add():
    assert not mx.autograd.is_recording() and not mx.autograd.is_training()
    with mx.autograd.record():
        assert mx.autograd.is_recording() and mx.autograd.is_training()
        with mx.autograd.pause():
            assert not mx.autograd.is_recording() and not mx.autograd.is_training()
        with mx.autograd.predict_mode():
            assert not mx.autograd.is_training()
    with mx.autograd.train_mode():
        assert mx.autograd.is_training()
    assert not mx.autograd.is_recording() and not mx.autograd.is_training()

    a = mx.nd.array([1.0, 2.0])
    a.attach_grad(grad_req="add")
    for _ in range(2):
        with mx.autograd.record():
            y = a * a
        y.backward()
    np.testing.assert_allclose(a.grad.asnumpy(), [4.0, 8.0])  # 2 * 2x accumulated


def test_autograd_grad_backward_head_grads_and_detach():
    a = mx.nd.array([1.0, 2.0, 3.0])
    a.attach_grad()
    with mx.autograd.record():
        y = a * a
        z = y.detach() * a  # detached: only the explicit a contributes
    (g,) = mx.autograd.grad([y], [a], retain_graph=True)
    np.testing.assert_allclose(g.asnumpy(), [2, 4, 6])
    mx.autograd.backward([y], [mx.nd.array([1.0, 0.0, 2.0])])
    np.testing.assert_allclose(a.grad.asnumpy(), [2, 0, 12])
    z.backward()
    np.testing.assert_allclose(a.grad.asnumpy(), [1, 4, 9])


def test_mark_variables_and_no_grad_outside_record():
    a = mx.nd.array([3.0])
    g = mx.nd.zeros(1)
    mx.autograd.mark_variables([a], [g])
    with mx.autograd.record():
        y = mx.nd.exp(a)
    y.backward()
    np.testing.assert_allclose(g.asnumpy(), np.exp([3.0]), rtol=1e-6)
    assert mx.nd.ones(1).grad is None
