"""NumPy interop: asnumpy copies once, DLPack shares memory in both directions."""
import numpy as np
import pytest

import mixnet as mx


def test_asnumpy_is_a_copy_and_array_protocol():
    a = mx.nd.array([1, 2, 3])
    h = a.asnumpy()
    h[0] = 100
    assert a.asnumpy()[0] == 1
    np.testing.assert_array_equal(np.asarray(a), [1, 2, 3])
    assert np.asarray(a, dtype=np.float64).dtype == np.float64


def test_numpy_from_dlpack_shares_mixnet_memory():
    a = mx.nd.array(np.arange(6).reshape(2, 3))
    b = a * 2  # pending op: export must wait for it
    view = np.from_dlpack(b)
    np.testing.assert_array_equal(view, np.arange(6).reshape(2, 3) * 2)
    b[:] = 7  # write through mixnet, see it in numpy
    b.wait_to_read()
    assert (view == 7).all()
    view[0, 0] = -1  # write through numpy, see it in mixnet
    assert b.asnumpy()[0, 0] == -1
    assert b.__dlpack_device__() == (1, 0)


def test_mixnet_from_dlpack_shares_numpy_memory():
    host = np.arange(8, dtype=np.float32)
    a = mx.nd.from_dlpack(host)
    assert a.shape == (8,) and a.dtype == np.float32
    host[3] = 42
    assert a.asnumpy()[3] == 42
    a[:] = 1  # engine writes land in numpy's buffer
    a.wait_to_read()
    assert (host == 1).all()
    c = mx.nd.from_numpy(np.ones((2, 2), np.int64))
    assert c.dtype == np.int64 and c.asnumpy().sum() == 4


@pytest.mark.parametrize("dtype", ["float16", "float64", "int64", "int32", "uint8", "int8"])
def test_dlpack_dtypes_both_ways(dtype):
    x = (np.arange(6) % 5).astype(dtype).reshape(3, 2)
    a = mx.nd.from_dlpack(x)
    assert a.dtype == np.dtype(dtype)
    back = np.from_dlpack(a)
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back, x)


def test_dlpack_bool_both_ways():
    b = np.from_dlpack(mx.nd.array([1, 0, 1], dtype="bool"))
    assert b.dtype == np.bool_ and b.tolist() == [True, False, True]
    a = mx.nd.from_dlpack(np.array([True, False]))
    assert a.dtype == np.bool_ and a.asnumpy().tolist() == [True, False]


def test_from_dlpack_keeps_the_producer_alive():
    a = mx.nd.from_dlpack(np.full(1000, 3.0, np.float32))  # numpy array only referenced by the capsule
    import gc
    gc.collect()
    assert a.asnumpy().sum() == 3000.0


def test_numpy_buffer_released_from_an_engine_thread_does_not_deadlock():
    # The last reference to NumPy's memory goes when the async op finishes on a worker thread,
    # which then runs NumPy's deleter (it takes the GIL): waits must have released it.
    for _ in range(5):
        a = mx.nd.from_dlpack(np.ones(1 << 20, np.float32))
        b = mx.nd.exp(a) * 2
        del a
        b.wait_to_read()
        assert float(b[0].asscalar()) == pytest.approx(2 * np.e, rel=1e-6)
    mx.nd.waitall()


def test_buffer_protocol_shares_memory():
    a = mx.nd.array(np.arange(6).reshape(2, 3), dtype="int64") * 2  # pending op: export waits
    m = memoryview(a)
    assert m.format == "q" and m.shape == (2, 3) and m.strides == (24, 8) and not m.readonly
    view = np.asarray(a)  # NumPy takes the buffer: no copy
    np.testing.assert_array_equal(view, np.arange(6).reshape(2, 3) * 2)
    view[1, 2] = -7
    assert a.asnumpy()[1, 2] == -7
    row = np.asarray(a[1])  # a view's buffer starts at its first element
    np.testing.assert_array_equal(row, [6, 8, -7])
    assert memoryview(mx.nd.array(5.0).reshape(())).shape == ()
    assert memoryview(mx.nd.zeros((0, 3))).nbytes == 0
    with pytest.raises(BufferError):
        memoryview(mx.nd.array([1.0], dtype="bfloat16"))
    assert np.asarray(mx.nd.array([1.5], dtype="bfloat16")).astype(np.float32)[0] == 1.5  # falls back to a copy


def test_array_protocol_copy_flags():
    a = mx.nd.array([1.0, 2.0])
    shared = np.asarray(a, copy=False)
    shared[0] = 9
    assert a.asnumpy()[0] == 9
    copied = np.array(a, copy=True)
    copied[1] = 0
    assert a.asnumpy()[1] == 2


def test_python_threads_share_the_engine():
    import threading
    errors = []

    def run(k):
        try:
            a = mx.nd.ones((64,)) * k
            for i in range(300):
                a = a + 1
                if i % 100 == 0:  # NumPy-owned memory released while other threads run ops
                    (mx.nd.from_dlpack(np.ones(1 << 14, np.float32)) * 2).wait_to_read()
            assert a.asnumpy()[0] == k + 300
        except Exception as e:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
