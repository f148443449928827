"""`.params` files: round trips, and the files Apache MXNet 1.9.1 wrote."""
import json

import numpy as np
import pytest

import mixnet as mx


def test_save_load_dict_and_list(tmp_path):
    arrays = {"w": mx.nd.array(np.arange(6).reshape(2, 3)), "b": mx.nd.array([1, 2], dtype="int64"),
              "h": mx.nd.array([0.5, -1], dtype="float16")}
    f = tmp_path / "d.params"
    mx.nd.save(str(f), arrays)
    back = mx.nd.load(str(f))
    assert set(back) == {"w", "b", "h"}
    for k, v in arrays.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape
        np.testing.assert_array_equal(back[k].asnumpy(), v.asnumpy())
    mx.nd.save(str(f), [arrays["w"], arrays["b"]])
    lst = mx.nd.load(str(f))
    assert isinstance(lst, list) and len(lst) == 2
    np.testing.assert_array_equal(lst[1].asnumpy(), [1, 2])
    mx.nd.save(str(f), arrays["h"])
    assert len(mx.nd.load(str(f))) == 1
    buf = mx.nd.save_tobuffer(arrays)
    assert isinstance(buf, bytes) and set(mx.nd.load_frombuffer(buf)) == {"w", "b", "h"}


def _expected(rec):
    dt = np.dtype(rec["dtype"])
    data = [int(v) for v in rec["data"]] if dt == np.int64 else rec["data"]
    return np.array(data, dtype=dt).reshape(rec["shape"])


@pytest.mark.parametrize("fname,prefix", [("ndlist.params", "dict/"), ("ndlist-list.params", "list/"),
                                          ("ndlist-legacy.params", "legacy/"),
                                          ("ndlist-legacy-list.params", "legacy-list/")])
def test_mxnet_fixture_files_load_exactly_and_round_trip(fixtures, fname, prefix, tmp_path):
    want = {k[len(prefix):]: v for k, v in json.loads((fixtures / "ndlist.json").read_text()).items()
            if k.startswith(prefix)}
    got = mx.nd.load(str(fixtures / fname))
    if isinstance(got, list):
        got = {str(i): a for i, a in enumerate(got)}
    assert sorted(got) == sorted(want)
    for name, rec in want.items():
        exp = _expected(rec)
        a = got[name]
        assert a.dtype == exp.dtype and a.shape == exp.shape, name
        h = a.asnumpy()
        # bit-exact (float16 included); int64 exactly
        assert h.tobytes() == exp.tobytes(), name
    again = tmp_path / "again.params"
    mx.nd.save(str(again), got)
    re = mx.nd.load(str(again))
    for name in want:
        assert re[name].asnumpy().tobytes() == got[name].asnumpy().tobytes()
