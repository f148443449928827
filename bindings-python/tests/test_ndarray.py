import numpy as np
import pytest

import mixnet as mx

RNG = np.random.default_rng(0)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def test_creation_and_facts():
    a = mx.nd.array([[1, 2, 3], [4, 5, 6]])
    assert a.shape == (2, 3) and a.size == 6 and a.ndim == 2
    assert a.dtype == np.float32  # MXNet 1.x: float32 unless told
    assert a.context == mx.cpu(0) and str(a.context) == "cpu(0)"
    assert mx.nd.array(np.arange(3, dtype=np.float64)).dtype == np.float32
    assert mx.nd.array([1, 2], dtype="int64").dtype == np.int64
    np.testing.assert_array_equal(mx.nd.zeros((2, 2)).asnumpy(), np.zeros((2, 2), np.float32))
    np.testing.assert_array_equal(mx.nd.ones(3, dtype="int32").asnumpy(), np.ones(3, np.int32))
    np.testing.assert_array_equal(mx.nd.full((2,), 7.5).asnumpy(), [7.5, 7.5])
    np.testing.assert_array_equal(mx.nd.arange(2, 8, 2).asnumpy(), [2, 4, 6])
    assert mx.nd.empty((3, 0)).shape == (3, 0)
    assert a.T.shape == (3, 2)
    np.testing.assert_array_equal(a.T.asnumpy(), a.asnumpy().T)


def test_repr_like_mxnet():
    a = mx.nd.array([[1, 2], [3, 4]])
    assert repr(a) == "\n[[1. 2.]\n [3. 4.]]\n<NDArray 2x2 @cpu(0)>"


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**", "%"])
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 3), (1, 3)), ((4, 1, 3), (2, 1))])
def test_binary_ops_broadcast_like_numpy(op, shapes):
    x, y = np.abs(rand(*shapes[0])) + 0.5, np.abs(rand(*shapes[1])) + 0.5
    got = eval("a %s b" % op, {"a": mx.nd.array(x), "b": mx.nd.array(y)}).asnumpy()
    want = eval("a %s b" % op, {"a": x, "b": y})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_scalar_and_reflected_ops():
    x = rand(3, 4)
    a = mx.nd.array(x)
    np.testing.assert_allclose((a + 2).asnumpy(), x + 2, rtol=1e-6)
    np.testing.assert_allclose((2 - a).asnumpy(), 2 - x, rtol=1e-6)
    np.testing.assert_allclose((3 * a).asnumpy(), 3 * x, rtol=1e-6)
    np.testing.assert_allclose((1 / (a * a + 1)).asnumpy(), 1 / (x * x + 1), rtol=1e-6)
    np.testing.assert_allclose((2 ** a).asnumpy(), 2 ** x, rtol=1e-5)
    np.testing.assert_allclose((-a).asnumpy(), -x)
    np.testing.assert_allclose(abs(a).asnumpy(), np.abs(x))


def test_comparisons_give_0_1_of_the_input_dtype():
    x = np.array([[1, 5], [3, 2]], np.float32)
    a = mx.nd.array(x)
    for op in ["==", "!=", "<", "<=", ">", ">="]:
        got = eval("a %s 3" % op, {"a": a})
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got.asnumpy(), eval("x %s 3" % op, {"x": x}).astype(np.float32))
    np.testing.assert_array_equal((a > mx.nd.array([2, 2])).asnumpy(), (x > 2).astype(np.float32))


def test_in_place_operators_write_the_same_array():
    a = mx.nd.ones((2, 3))
    before = a
    a += 2
    a *= mx.nd.array([1, 2, 3])
    a -= 1
    a /= 2
    assert a is before
    np.testing.assert_allclose(a.asnumpy(), np.tile((np.array([3, 6, 9]) - 1) / 2, (2, 1)))


@pytest.mark.parametrize("dtype", ["float64", "float16", "int32", "int64", "uint8", "int8"])
def test_dtypes_round_trip_and_compute(dtype):
    x = (np.arange(12).reshape(3, 4) % 7).astype(dtype)
    a = mx.nd.array(x, dtype=dtype)
    assert a.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(a.asnumpy(), x)
    np.testing.assert_array_equal((a + a).asnumpy(), x + x)
    np.testing.assert_array_equal(mx.nd.sum(a, axis=1).asnumpy(), x.sum(axis=1).astype(dtype))


def test_bfloat16_via_ml_dtypes():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    a = mx.nd.array([1.5, -2.25, 3.0], dtype="bfloat16")
    assert a.dtype == np.dtype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(a.asnumpy().astype(np.float32), [1.5, -2.25, 3.0])
    np.testing.assert_array_equal(a.astype("float32").asnumpy(), [1.5, -2.25, 3.0])


def test_astype_and_bool():
    a = mx.nd.array([0.0, 1.7, -2.9])
    np.testing.assert_array_equal(a.astype("int32").asnumpy(), [0, 1, -2])  # Cast truncates
    b = a.astype(bool)
    assert b.dtype == np.bool_
    np.testing.assert_array_equal(b.asnumpy(), [False, True, True])
    assert a.astype("float32", copy=False) is a


def test_getitem_views_and_slices():
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    a = mx.nd.array(x)
    np.testing.assert_array_equal(a[1].asnumpy(), x[1])
    np.testing.assert_array_equal(a[-1].asnumpy(), x[-1])
    np.testing.assert_array_equal(a[1:3].asnumpy(), x[1:3])
    np.testing.assert_array_equal(a[:, 1:5:2].asnumpy(), x[:, 1:5:2])
    np.testing.assert_array_equal(a[::-1, 2].asnumpy(), x[::-1, 2])
    np.testing.assert_array_equal(a[1, 2:4].asnumpy(), x[1, 2:4])
    np.testing.assert_array_equal(a[..., 3].asnumpy(), x[..., 3])
    np.testing.assert_array_equal(a[[0, 2]].asnumpy(), x[[0, 2]])
    # ints and step-1 first-axis slices are views: writing through them changes the array
    v = a[1:3]
    v[:] = 0
    assert a.asnumpy()[1:3].sum() == 0


def test_setitem():
    x = np.zeros((3, 4), np.float32)
    a = mx.nd.array(x)
    a[0] = 1
    x[0] = 1
    a[1:3] = mx.nd.array([1, 2, 3, 4])  # broadcast
    x[1:3] = [1, 2, 3, 4]
    a[:, ::2] = 9  # strided: host round trip
    x[:, ::2] = 9
    a[2, 1] = -5
    x[2, 1] = -5
    np.testing.assert_array_equal(a.asnumpy(), x)
    a[:] = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(a.asnumpy(), np.arange(12).reshape(3, 4))


def test_reshape_is_a_view_with_mxnet_codes():
    a = mx.nd.array(np.arange(24).reshape(2, 3, 4))
    assert a.reshape(6, 4).shape == (6, 4)
    assert a.reshape((-1, 4)).shape == (6, 4)
    assert a.reshape(shape=(0, -1)).shape == (2, 12)
    assert a.reshape((-3, 4)).shape == (6, 4)
    r = a.reshape(24)
    r[:] = 1
    assert a.asnumpy().sum() == 24


def test_copy_copyto_context_scalars():
    a = mx.nd.array([1, 2, 3])
    b = a.copy()
    b += 1
    np.testing.assert_array_equal(a.asnumpy(), [1, 2, 3])
    c = mx.nd.zeros(3)
    assert a.copyto(c) is c
    np.testing.assert_array_equal(c.asnumpy(), [1, 2, 3])
    d = a.copyto(mx.cpu())
    assert d is not a and d.asnumpy().tolist() == [1, 2, 3]
    assert a.as_in_context(mx.cpu()) is a
    assert mx.nd.array([4.5]).asscalar() == np.float32(4.5)
    assert float(mx.nd.array([2])) == 2.0
    a.wait_to_read()
    mx.nd.waitall()


def test_generated_ops_signature_defaults_out_and_routing():
    x = rand(2, 3)
    a = mx.nd.array(x)
    np.testing.assert_allclose(mx.nd.sum(a).asnumpy(), [x.sum()], rtol=1e-5)
    np.testing.assert_allclose(mx.nd.sum(a, 1, keepdims=True).asnumpy(), x.sum(1, keepdims=True), rtol=1e-5)
    out = mx.nd.zeros((2, 3))
    assert mx.nd.relu(a, out=out) is out
    np.testing.assert_allclose(out.asnumpy(), np.maximum(x, 0))
    parts = mx.nd.split(mx.nd.array(np.arange(6).reshape(2, 3)), num_outputs=3, axis=1)  # alias of SliceChannel
    assert isinstance(parts, list) and len(parts) == 3 and parts[2].asnumpy().ravel().tolist() == [2, 5]
    c = mx.nd.concat(a, a, a, dim=0)  # variadic: num_args filled in
    assert c.shape == (6, 3)
    assert mx.nd.random.uniform(0, 1, shape=(5,)).shape == (5,)
    assert mx.nd.linalg.gemm2(a, a, transpose_b=True).shape == (2, 2)
    assert mx.nd._internal._plus_scalar(a, scalar=1.0).shape == (2, 3)
    assert "Parameters" in mx.nd.Convolution.__doc__ and "num_filter" in mx.nd.Convolution.__doc__
    y = mx.nd.FullyConnected(mx.nd.ones((2, 4)), mx.nd.ones((3, 4)), mx.nd.ones(3), num_hidden=3)
    np.testing.assert_array_equal(y.asnumpy(), np.full((2, 3), 5, np.float32))
    y = mx.nd.FullyConnected(mx.nd.ones((2, 4)), mx.nd.ones((3, 4)), num_hidden=3, no_bias=True)
    np.testing.assert_array_equal(y.asnumpy(), np.full((2, 3), 4, np.float32))


def test_random_seed_reproduces():
    mx.random.seed(42)
    a = mx.nd.random.normal(shape=(4,)).asnumpy()
    mx.random.seed(42)
    b = mx.random.normal(shape=(4,)).asnumpy()
    np.testing.assert_array_equal(a, b)


def test_fluent_methods_like_mxnet():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    a = mx.nd.array(x)
    np.testing.assert_allclose(a.sum(axis=1).asnumpy(), x.sum(1))
    np.testing.assert_allclose(a.exp().asnumpy(), np.exp(x), rtol=1e-6)
    np.testing.assert_array_equal(a.flip(axis=1).asnumpy(), x[:, ::-1])
    np.testing.assert_array_equal(a.expand_dims(0).shape, (1, 2, 3))
    np.testing.assert_array_equal(a.argmax(axis=1).asnumpy(), [2, 2])  # float32 indices, as MXNet
    assert a.argmax(axis=1).dtype == np.float32
    assert len(a.split(num_outputs=3, axis=1)) == 3
    np.testing.assert_array_equal(a.clip(1, 4).asnumpy(), np.clip(x, 1, 4))


def test_behaviour_observed_in_mxnet_1_9_1():
    # Values printed by Apache MXNet 1.9.1 for the same expressions.
    a = mx.nd.array([1, 2], dtype="int32")
    assert a.dtype is np.int32  # a NumPy scalar type, as MXNet gives it
    assert mx.nd.array([1.0]).dtype is np.float32
    # scalar ops send only float(scalar): integer arrays stay integer, the scalar is truncated
    for expr, want in [(a + 2.5, [3, 4]), (2.5 - a, [1, 0]), (a * 1.5, [1, 2]), (a / 2.0, [0, 1]),
                       (a > 1.5, [0, 1])]:
        assert expr.dtype is np.int32 and expr.asnumpy().tolist() == want
    assert (mx.nd.array([-3.0, 3.0]) % 2).asnumpy().tolist() == [1.0, 1.0]
    assert mx.nd.sum(mx.nd.ones((3, 4))).shape == (1,)
    assert mx.nd.ones((3, 4))[1, 2].shape == (1,)
    with pytest.raises(TypeError, match="not supported"):
        mx.nd.ones(2) == None  # noqa: E711
    with pytest.raises(ValueError):
        mx.nd.zeros(3).asscalar()
