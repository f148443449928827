"""mx.optimizer and mx.lr_scheduler against NumPy references of MXNet 1.x's update formulas."""
import math

import numpy as np
import pytest

import mixnet as mx

RS = np.random.RandomState(7)
W0 = RS.uniform(-1, 1, (3, 4))
GRADS = [RS.uniform(-3, 3, (3, 4)) for _ in range(4)]


def clip(g, c):
    return g if c is None else np.clip(g, -c, c)


def run(opt, steps=4, w0=W0, dtype="float32"):
    """Runs opt through get_updater on index 0; returns the weight after each step."""
    w = mx.nd.array(w0, dtype=dtype)
    upd = mx.optimizer.get_updater(opt)
    out = []
    for g in GRADS[:steps]:
        upd(0, mx.nd.array(g, dtype=dtype), w)
        out.append(w.asnumpy().astype(np.float64))
    return out


def check(got, want, rtol=1e-5, atol=1e-6):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


HYPER = [dict(), dict(wd=0.1, rescale_grad=0.5, clip_gradient=0.7)]


@pytest.mark.parametrize("kw", HYPER)
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd(kw, momentum):
    opt = mx.optimizer.create("sgd", learning_rate=0.1, momentum=momentum, **kw)
    wd, rg, c = kw.get("wd", 0.0), kw.get("rescale_grad", 1.0), kw.get("clip_gradient")
    w, mom, want = W0.copy(), np.zeros_like(W0), []
    for g in GRADS:
        mom = momentum * mom - 0.1 * (clip(rg * g, c) + wd * w)
        w = w + mom
        want.append(w.copy())
    check(run(opt), want)
    assert opt.num_update == 4


@pytest.mark.parametrize("kw", HYPER)
def test_nag(kw):
    opt = mx.optimizer.NAG(learning_rate=0.05, momentum=0.8, **kw)
    wd, rg, c = kw.get("wd", 0.0), kw.get("rescale_grad", 1.0), kw.get("clip_gradient")
    w, mom, want = W0.copy(), np.zeros_like(W0), []
    for g in GRADS:
        gg = clip(rg * g, c) + wd * w
        mom = 0.8 * mom - 0.05 * gg
        w = w + 0.8 * mom - 0.05 * gg
        want.append(w.copy())
    check(run(opt), want)


def adam_ref(lr, wd, rg, c, b1=0.9, b2=0.999, eps=1e-8, decoupled=False, correct_bias=True):
    w, m, v, want = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), []
    for t, g in enumerate(GRADS, start=1):
        gg = clip(rg * g, c) if decoupled else clip(rg * g + wd * w, c)
        m = b1 * m + (1 - b1) * gg
        v = b2 * v + (1 - b2) * gg * gg
        corr = math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        if decoupled:
            w = w - lr * ((corr if correct_bias else 1.0) * m / (np.sqrt(v) + eps) + wd * w)
        else:
            w = w - lr * corr * m / (np.sqrt(v) + eps)
        want.append(w.copy())
    return want


@pytest.mark.parametrize("kw", HYPER)
def test_adam(kw):
    opt = mx.optimizer.create("adam", learning_rate=0.01, **kw)
    check(run(opt), adam_ref(0.01, kw.get("wd", 0.0), kw.get("rescale_grad", 1.0), kw.get("clip_gradient")))


def test_adam_default_lr():
    assert mx.optimizer.Adam().learning_rate == 0.001
    assert mx.optimizer.SGD().learning_rate == 0.01


@pytest.mark.parametrize("kw", HYPER)
@pytest.mark.parametrize("correct_bias", [True, False])
def test_adamw(kw, correct_bias):
    opt = mx.optimizer.create("adamw", learning_rate=0.01, correct_bias=correct_bias, **kw)
    want = adam_ref(0.01, kw.get("wd", 0.0), kw.get("rescale_grad", 1.0), kw.get("clip_gradient"),
                    decoupled=True, correct_bias=correct_bias)
    check(run(opt), want)


@pytest.mark.parametrize("kw", HYPER)
@pytest.mark.parametrize("centered", [False, True])
def test_rmsprop(kw, centered):
    opt = mx.optimizer.create("rmsprop", learning_rate=0.01, centered=centered, gamma1=0.9, gamma2=0.8, **kw)
    wd, rg, c = kw.get("wd", 0.0), kw.get("rescale_grad", 1.0), kw.get("clip_gradient")
    w, n, gm, delta, want = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), np.zeros_like(W0), []
    for g in GRADS:
        r = clip(rg * g + wd * w, c)
        n = 0.1 * r * r + 0.9 * n
        if centered:
            gm = 0.1 * r + 0.9 * gm
            delta = 0.8 * delta - 0.01 * r / np.sqrt(n - gm * gm + 1e-8)
            w = w + delta
        else:
            w = w - 0.01 * r / np.sqrt(n + 1e-8)
        want.append(w.copy())
    check(run(opt), want, rtol=1e-4)


def test_rmsprop_clip_weights():
    opt = mx.optimizer.RMSProp(learning_rate=1.0, clip_weights=0.3)
    for w in run(opt):
        assert np.abs(w).max() <= 0.3 + 1e-7


@pytest.mark.parametrize("kw", HYPER)
def test_adagrad(kw):
    opt = mx.optimizer.create("adagrad", learning_rate=0.1, eps=1e-7, **kw)
    wd, rg, c = kw.get("wd", 0.0), kw.get("rescale_grad", 1.0), kw.get("clip_gradient")
    w, h, want = W0.copy(), np.zeros_like(W0), []
    for g in GRADS:
        gg = clip(rg * g, c)
        h = h + gg * gg
        w = w - 0.1 * (gg / np.sqrt(h + 1e-7) + wd * w)
        want.append(w.copy())
    check(run(opt), want)


@pytest.mark.parametrize("kw", HYPER)
def test_signum(kw):
    opt = mx.optimizer.create("signum", learning_rate=0.01, momentum=0.9, wd_lh=0.05, **kw)
    wd, rg, c = kw.get("wd", 0.0), kw.get("rescale_grad", 1.0), kw.get("clip_gradient")
    w, mom, want = W0.copy(), np.zeros_like(W0), []
    for g in GRADS:
        mom = 0.9 * mom - 0.1 * (wd * w + clip(rg * g, c))
        w = (1 - 0.01 * 0.05) * w + 0.01 * np.sign(mom)
        want.append(w.copy())
    check(run(opt), want)


def test_signsgd():
    opt = mx.optimizer.Signum(learning_rate=0.01, momentum=0.0, wd=0.1)
    w, want = W0.copy(), []
    for g in GRADS:
        w = (1 - 0.01 * 0.1) * w - 0.01 * np.sign(g)
        want.append(w.copy())
    check(run(opt), want)


def test_scheduler_drives_lr():
    sched = mx.lr_scheduler.FactorScheduler(step=2, factor=0.5)
    with pytest.warns(UserWarning, match="overwritten by ``learning_rate``"):  # as MXNet 1.x warns
        opt = mx.optimizer.SGD(learning_rate=0.2, lr_scheduler=sched)
    assert sched.base_lr == 0.2
    w, want = W0.copy(), []
    for t, g in enumerate(GRADS, start=1):
        w = w - 0.2 * 0.5 ** ((t - 1) // 2) * g
        want.append(w.copy())
    check(run(opt), want)
    with pytest.raises(UserWarning):
        opt.set_learning_rate(0.1)


def test_lr_wd_mult_by_index_and_name():
    opt = mx.optimizer.SGD(learning_rate=1.0, wd=0.5, param_idx2name={0: "fc_weight", 1: "fc_bias"})
    assert opt._get_wd(1) == 0.0  # MXNet: names not ending in _weight/_gamma get no wd
    assert opt._get_wd(0) == 0.5
    opt.set_lr_mult({"fc_weight": 0.1, 1: 3.0})
    opt.set_wd_mult({0: 2.0})
    assert opt._get_lr(0) == pytest.approx(0.1)
    assert opt._get_lr(1) == pytest.approx(3.0)
    assert opt._get_wd(0) == pytest.approx(1.0)
    assert opt._get_lr(5) == pytest.approx(1.0)
    opt.learning_rate = 0.5
    assert opt._get_lr(0) == pytest.approx(0.05)


def test_param_dict_mults_win():
    class P(object):
        lr_mult, wd_mult = 0.5, 0.0
    opt = mx.optimizer.SGD(learning_rate=1.0, wd=0.3, param_dict={0: P()})
    opt.set_lr_mult({0: 10.0})
    assert opt._get_lr(0) == 0.5 and opt._get_wd(0) == 0.0


def test_update_counts_per_index():
    opt = mx.optimizer.Adam(begin_num_update=10)
    w, g = mx.nd.ones((2,)), mx.nd.ones((2,))
    st0, st1 = opt.create_state(0, w), opt.create_state(1, w)
    opt.update(0, w, g, st0)
    opt.update(0, w, g, st0)
    opt.update(1, w, g, st1)
    assert opt._index_update_count == {0: 12, 1: 11}
    assert opt.num_update == 12


def test_multi_precision_sgd():
    opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.9, multi_precision=True)
    got = run(opt, dtype="float16")
    # the float32 master copy starts from the float16 weight and sees float16 gradients
    w, mom, want = W0.astype(np.float16).astype(np.float64), np.zeros_like(W0), []
    for g in GRADS:
        mom = 0.9 * mom - 0.1 * g.astype(np.float16).astype(np.float64)
        w = w + mom
        want.append(w.copy())
    check(got, want, rtol=2e-3, atol=2e-3)
    state = mx.optimizer.SGD(momentum=0.9, multi_precision=True).create_state_multi_precision(
        0, mx.nd.zeros((2,), dtype="float16"))
    assert state[1].dtype == np.float32 and state[0].dtype == np.float32


def test_multi_precision_generic_adam():
    opt = mx.optimizer.Adam(learning_rate=0.01, multi_precision=True)
    got = run(opt, dtype="float16")
    want = adam_ref(0.01, 0.0, 1.0, None)
    check(got, want, rtol=5e-3, atol=5e-3)


def test_create_and_errors():
    assert isinstance(mx.optimizer.create("SGD"), mx.optimizer.SGD)
    opt = mx.optimizer.NAG()
    assert mx.optimizer.create(opt) is opt
    with pytest.raises(ValueError, match="cannot find optimizer 'nope'"):
        mx.optimizer.create("nope")
    with pytest.raises(ValueError, match="momentum"):
        mx.optimizer.SGD(momentum=1.5)
    with pytest.raises(TypeError):
        mx.optimizer.SGD(not_an_option=1)
    assert mx.optimizer.Optimizer.create_optimizer("adagrad").float_stable_eps == 1e-7


def test_updater_lists():
    opt = mx.optimizer.SGD(learning_rate=1.0)
    upd = mx.optimizer.get_updater(opt)
    a, b = mx.nd.array([1.0]), mx.nd.array([2.0])
    upd([0, 1], [mx.nd.array([0.5]), mx.nd.array([1.0])], [a, b])
    assert a.asscalar() == pytest.approx(0.5) and b.asscalar() == pytest.approx(1.0)
    assert set(upd.states) == {0, 1}


def test_updater_states_roundtrip():
    """Saving mid-run and resuming in a fresh updater continues exactly as the uninterrupted run."""
    ref = run(mx.optimizer.Adam(learning_rate=0.01, wd=0.1))
    opt = mx.optimizer.Adam(learning_rate=0.01, wd=0.1)
    upd = mx.optimizer.get_updater(opt)
    w = mx.nd.array(W0)
    for g in GRADS[:2]:
        upd(0, mx.nd.array(g), w)
    blob = upd.get_states(dump_optimizer=True)
    resumed = mx.optimizer.get_updater(mx.optimizer.SGD())
    resumed.set_states(blob)
    assert isinstance(resumed.optimizer, mx.optimizer.Adam) and resumed.optimizer.num_update == 2
    assert resumed.states_synced == {0: False}
    for g in GRADS[2:]:
        resumed(0, mx.nd.array(g), w)
    np.testing.assert_allclose(w.asnumpy(), ref[-1], rtol=1e-6, atol=1e-7)


# ---- lr_scheduler -------------------------------------------------------------------------------

def seq(sched, n):
    return [sched(i) for i in range(n)]


def test_factor_scheduler():
    s = mx.lr_scheduler.FactorScheduler(step=3, factor=0.5, base_lr=1.0, stop_factor_lr=0.2)
    assert seq(s, 12) == pytest.approx([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2])


def test_factor_scheduler_warmup():
    s = mx.lr_scheduler.FactorScheduler(step=2, factor=0.1, base_lr=1.0, warmup_steps=4, warmup_begin_lr=0.2)
    # MXNet counts steps from update 0, warm-up included: at 4 two steps have passed
    assert seq(s, 8) == pytest.approx([0.2, 0.4, 0.6, 0.8, 0.1, 0.01, 0.01, 0.001])
    c = mx.lr_scheduler.LRScheduler(base_lr=1.0, warmup_steps=2, warmup_begin_lr=0.3, warmup_mode="constant")
    assert seq(c, 4) == pytest.approx([0.3, 0.3, 1.0, 1.0])


def test_multifactor_scheduler():
    s = mx.lr_scheduler.MultiFactorScheduler(step=[2, 5], factor=0.1, base_lr=1.0)
    assert seq(s, 8) == pytest.approx([1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01])
    with pytest.raises(ValueError):
        mx.lr_scheduler.MultiFactorScheduler(step=[5, 2])


def test_poly_scheduler():
    s = mx.lr_scheduler.PolyScheduler(max_update=4, base_lr=1.0, pwr=2, final_lr=0.1)
    want = [0.1 + 0.9 * (1 - t / 4.0) ** 2 for t in range(5)] + [0.1, 0.1]
    assert seq(s, 7) == pytest.approx(want)


def test_cosine_scheduler_warmup():
    s = mx.lr_scheduler.CosineScheduler(max_update=6, base_lr=1.0, final_lr=0.0, warmup_steps=2)
    want = [0.0, 0.5] + [(1 + math.cos(math.pi * t / 4.0)) / 2 for t in range(5)] + [0.0]
    assert seq(s, 8) == pytest.approx(want, abs=1e-12)
    with pytest.raises(ValueError):
        mx.lr_scheduler.CosineScheduler(max_update=2, warmup_steps=2)
