"""Bad input raises the MXNetError subclass of the library's error kind, with the library's own
message, and the interpreter (and the engine) carry on."""
import numpy as np
import pytest

import mixnet as mx
from mixnet import base


def test_error_classes_mix_in_builtins():
    assert issubclass(base.MXNetValueError, ValueError) and issubclass(base.MXNetValueError, mx.MXNetError)
    assert issubclass(base.MXNetTypeError, TypeError)
    assert issubclass(base.MXNetIndexError, IndexError)
    assert issubclass(base.MXNetNotFoundError, KeyError)
    assert issubclass(base.MXNetNotImplementedError, NotImplementedError)
    assert issubclass(base.MXNetIOError, OSError)
    assert issubclass(mx.MXNetError, RuntimeError)


def test_shape_mismatch_is_value_error_with_the_library_message():
    with pytest.raises(base.MXNetValueError) as e:
        mx.nd.elemwise_add(mx.nd.ones((2, 3)), mx.nd.ones((3, 2)))
    assert "elemwise_add" in str(e.value) and "(2, 3)" in str(e.value)
    assert str(e.value) == mx.base._capi.MXGetLastError()


def test_bad_parameter_values_and_names():
    with pytest.raises(ValueError, match="act_type"):
        mx.nd.Activation(mx.nd.ones(2), act_type="nope")
    with pytest.raises(mx.MXNetError, match="bogus"):
        mx.nd.relu(mx.nd.ones(2), bogus=1)
    with pytest.raises(ValueError):
        mx.nd.reshape(mx.nd.ones((2, 2)), shape=(3, 3))


def test_wrong_input_types():
    with pytest.raises(TypeError, match="expected an NDArray, got NoneType"):
        mx.nd.broadcast_add(mx.nd.ones(2), None)
    with pytest.raises(TypeError):
        mx.nd.relu("x")
    with pytest.raises(TypeError):
        mx.nd.array([1, 2], dtype="complex64")


def test_index_errors():
    a = mx.nd.ones((2, 3))
    with pytest.raises(IndexError):
        a[2]
    with pytest.raises(IndexError):
        a[0, 5]
    with pytest.raises(IndexError):
        a[0, 0, 0]


def test_file_errors(tmp_path):
    with pytest.raises(mx.MXNetError, match="no such file"):  # the library's kind: not found
        mx.nd.load(str(tmp_path / "missing.params"))
    bad = tmp_path / "bad.params"
    bad.write_bytes(b"not a params file at all")
    with pytest.raises(mx.MXNetError):
        mx.nd.load(str(bad))
    with pytest.raises(mx.MXNetError):
        mx.nd.load_frombuffer(b"\x12\x01\x00\x00\x00\x00\x00\x00\xff\xff")
    with pytest.raises(TypeError):
        mx.nd.save(str(tmp_path / "x.params"), {"a": np.ones(2)})


def test_freed_array_is_an_error_not_a_crash():
    a = mx.nd.ones(2)
    a._free()
    with pytest.raises(ValueError, match="freed"):
        mx.nd.relu(a)
    with pytest.raises(ValueError):
        a.shape


def test_engine_lives_on_after_errors():
    for _ in range(3):
        with pytest.raises(mx.MXNetError):
            mx.nd.dot(mx.nd.ones((2, 3)), mx.nd.ones((2, 3)))
    b = mx.nd.dot(mx.nd.ones((2, 3)), mx.nd.ones((3, 2)))
    np.testing.assert_array_equal(b.asnumpy(), np.full((2, 2), 3, np.float32))
    mx.nd.waitall()


def test_registry_hash_mismatch_is_a_clear_import_error():
    from mixnet._generated import ops
    _, lib_hash = mx.base.registry()
    assert lib_hash == ops.REGISTRY_HASH  # what `import mixnet` checked
    with pytest.raises(ImportError, match="does not match the one mixnet/_generated/ops.py was generated from"):
        mx.base.check_registry("0" * 64)


def test_version():
    version, abi = mx.base.version()
    assert version >= 100 and abi >= 1
