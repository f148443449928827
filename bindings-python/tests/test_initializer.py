"""mx.init: bounds and statistics of the random initializers, constants and MXNet's name dispatch."""
import json
import math

import numpy as np
import pytest

import mixnet as mx


def filled(init, name, shape, dtype="float32"):
    arr = mx.nd.full(shape, 123.0, dtype=dtype)
    init(name, arr)
    return arr.asnumpy().astype(np.float64)


def test_alias_module():
    assert mx.init is mx.initializer


def test_uniform_bounds_and_moments():
    mx.random.seed(1)
    a = filled(mx.init.Uniform(0.5), "fc_weight", (200, 100))
    assert a.min() >= -0.5 and a.max() < 0.5
    assert abs(a.mean()) < 0.01
    assert a.std() == pytest.approx(1.0 / math.sqrt(3) * 0.5, rel=0.02)
    assert filled(mx.init.Uniform(), "w_weight", (1000,)).max() <= 0.07


def test_normal_moments():
    mx.random.seed(2)
    a = filled(mx.init.Normal(0.2), "fc_weight", (200, 100))
    assert abs(a.mean()) < 0.01
    assert a.std() == pytest.approx(0.2, rel=0.02)


@pytest.mark.parametrize("factor_type,fan", [("avg", (64 * 9 + 32 * 9) / 2.0), ("in", 32 * 9), ("out", 64 * 9)])
def test_xavier_uniform(factor_type, fan):
    mx.random.seed(3)
    a = filled(mx.init.Xavier(factor_type=factor_type, magnitude=3), "conv_weight", (64, 32, 3, 3))
    scale = math.sqrt(3.0 / fan)
    assert a.min() >= -scale and a.max() <= scale
    assert a.max() > 0.95 * scale and a.min() < -0.95 * scale
    assert a.std() == pytest.approx(scale / math.sqrt(3), rel=0.03)


def test_xavier_gaussian_and_msra():
    mx.random.seed(4)
    a = filled(mx.init.Xavier(rnd_type="gaussian", factor_type="in", magnitude=2), "fc_weight", (300, 200))
    assert a.std() == pytest.approx(math.sqrt(2.0 / 200), rel=0.02)
    b = filled(mx.init.MSRAPrelu(factor_type="in", slope=0.0), "fc_weight", (300, 200))
    assert b.std() == pytest.approx(math.sqrt(2.0 / 200), rel=0.02)
    c = filled(mx.init.MSRAPrelu(factor_type="out", slope=1.0), "fc_weight", (300, 200))
    assert c.std() == pytest.approx(math.sqrt(1.0 / 300), rel=0.02)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        filled(mx.init.Xavier(), "fc_weight", (10,))
    with pytest.raises(ValueError):
        mx.init.Xavier(rnd_type="cauchy")


def test_seed_reproducible():
    mx.random.seed(9)
    a = filled(mx.init.Xavier(), "fc_weight", (5, 6))
    mx.random.seed(9)
    b = filled(mx.init.Xavier(), "fc_weight", (5, 6))
    np.testing.assert_array_equal(a, b)


def test_constants():
    np.testing.assert_array_equal(filled(mx.init.Zero(), "x_weight", (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(filled(mx.init.One(), "x_weight", (2, 3)), np.ones((2, 3)))
    np.testing.assert_array_equal(filled(mx.init.Constant(2.5), "x_weight", (2, 3)), np.full((2, 3), 2.5))
    np.testing.assert_array_equal(filled(mx.init.Constant([1.0, 2.0, 3.0]), "x_weight", (2, 3)),
                                  np.array([[1, 2, 3], [1, 2, 3]]))


@pytest.mark.parametrize("name,value", [
    ("dense0_bias", 0.0), ("bn_gamma", 1.0), ("bn_beta", 0.0), ("bn_moving_mean", 0.0), ("bn_moving_var", 1.0),
    ("bn_moving_inv_var", 0.0), ("q_min", 0.0), ("q_max", 0.0)])
def test_name_dispatch(name, value):
    np.testing.assert_array_equal(filled(mx.init.Uniform(5.0), name, (4,)), np.full((4,), value))


def test_name_dispatch_weight_and_unknown():
    a = filled(mx.init.Constant(7.0), "dense0_weight", (4,))
    np.testing.assert_array_equal(a, np.full((4,), 7.0))
    with pytest.raises(ValueError, match="unknown parameter name pattern for 'mystery'"):
        filled(mx.init.Uniform(), "mystery", (4,))


def test_own_init_attribute_wins():
    desc = mx.init.InitDesc("dense0_bias", attrs={"__init__": mx.init.Constant(3.0).dumps()})
    np.testing.assert_array_equal(filled(mx.init.Zero(), desc, (3,)), np.full((3,), 3.0))
    desc = mx.init.InitDesc("odd_name", attrs={"__init__": "ones"})
    np.testing.assert_array_equal(filled(mx.init.Zero(), desc, (3,)), np.ones((3,)))
    assert desc.global_init == mx.init.Zero()


def test_create_and_dumps():
    x = mx.init.create("xavier", magnitude=2.0)
    assert isinstance(x, mx.init.Xavier) and x.magnitude == 2.0
    assert isinstance(mx.init.create("zeros"), mx.init.Zero)
    assert isinstance(mx.init.create("One"), mx.init.One)
    u = mx.init.Uniform(0.3)
    assert mx.init.create(u) is u
    assert json.loads(u.dumps()) == ["uniform", {"scale": 0.3}]
    assert mx.init.create(mx.init.MSRAPrelu(slope=0.1).dumps()).slope == 0.1
    with pytest.raises(ValueError, match="unknown initializer 'bogus'"):
        mx.init.create("bogus")


def test_float16_target():
    mx.random.seed(5)
    a = mx.nd.zeros((50, 40), dtype="float16")
    mx.init.Uniform(0.5)("w_weight", a)
    assert a.dtype == np.float16
    v = a.asnumpy()
    assert np.abs(v).max() <= 0.5 and v.std() > 0.2
