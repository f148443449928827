"""mx.io: the IDX reader, NDArrayIter, MNISTIter, CSVIter, DataDesc/DataBatch and ResizeIter,
checked against hand-computed index lists and NumPy reads of the files."""
import gzip
import pathlib

import numpy as np
import pytest

import mixnet as mx
from mixnet.base import MXNetError

FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")


def _idx_bytes(arr, code):
    """An IDX file written independently of the reader: magic, big-endian dims, big-endian data."""
    be = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    head = bytes([0, 0, code, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return head + np.ascontiguousarray(arr, dtype=be).tobytes()


def _write(path, data, gz=False):
    path.write_bytes(gzip.compress(data) if gz else data)
    return str(path)


# ---- IDX reader ---------------------------------------------------------------------------------

@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("code,dtype,want", [(0x08, np.uint8, np.uint8), (0x09, np.int8, np.int8),
                                             (0x0B, np.int16, np.int32), (0x0C, np.int32, np.int32),
                                             (0x0D, np.float32, np.float32), (0x0E, np.float64, np.float64)])
def test_read_idx_round_trips_every_type_raw_and_gzip(tmp_path, gz, code, dtype, want):
    rs = np.random.RandomState(code)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        arr = rs.randint(info.min, int(info.max) + 1, size=(3, 4, 5)).astype(dtype)
    else:
        arr = rs.randn(3, 4, 5).astype(dtype)
    f = _write(tmp_path / "a.idx", _idx_bytes(arr, code), gz)
    got = mx.io.read_idx(f)
    assert got.dtype == want and got.shape == (3, 4, 5)
    np.testing.assert_array_equal(got, arr.astype(want))
    nd_arr = mx.io.load_idx_ndarray(f)
    assert nd_arr.shape == (3, 4, 5) and nd_arr.dtype == want
    np.testing.assert_array_equal(nd_arr.asnumpy(), arr.astype(want))


def _corrupt_cases():
    good = _idx_bytes(np.arange(24, dtype=np.uint8).reshape(2, 3, 4), 0x08)
    return {
        "truncated payload": (good[:-1], "truncated"),
        "trailing bytes": (good + b"\x00\x00", "bytes after"),
        "bad magic": (b"\x12\x34" + good[2:], "not an IDX file"),
        "bad type code": (good[:2] + b"\x07" + good[3:], "unknown IDX type code 0x07"),
        "zero dims": (good[:3] + b"\x00" + good[4:], "dimensions"),
        "short header": (good[:10], "header"),
        "tiny": (b"\x00\x00", "truncated"),
        "zero dimension": (bytes([0, 0, 8, 1, 0, 0, 0, 0]), "zero dimension"),
        "huge dims": (bytes([0, 0, 0x0D, 2]) + (2 ** 31).to_bytes(4, "big") * 2 + b"\x00" * 8, "truncated"),
    }


@pytest.mark.parametrize("case", sorted(_corrupt_cases()))
@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_rejects_corrupt_files_with_the_file_name(tmp_path, case, gz):
    data, fragment = _corrupt_cases()[case]
    f = _write(tmp_path / ("bad-%s.idx" % case.replace(" ", "_")), data, gz)
    with pytest.raises(MXNetError) as e:
        mx.io.read_idx(f)
    assert isinstance(e.value, OSError)
    assert f in str(e.value) and fragment in str(e.value)


def test_read_idx_truncated_gzip_and_missing_file(tmp_path):
    good = gzip.compress(_idx_bytes(np.arange(600, dtype=np.uint8).reshape(6, 10, 10), 0x08))
    f = _write(tmp_path / "cut.idx.gz", good[:len(good) // 2])
    with pytest.raises(MXNetError, match="corrupt or truncated gzip") as e:
        mx.io.read_idx(f)
    assert f in str(e.value)
    missing = str(tmp_path / "nope.idx")
    with pytest.raises(MXNetError, match="cannot read") as e:
        mx.io.read_idx(missing)
    assert missing in str(e.value)


# ---- DataDesc / DataBatch -------------------------------------------------------------------------

def test_datadesc_and_databatch():
    d = mx.io.DataDesc("data", (4, 3), "float16", "NTC")
    name, shape = d
    assert (name, shape, d.dtype, d.layout) == ("data", (4, 3), "float16", "NTC")
    assert repr(d) == "DataDesc[data,(4, 3),float16,NTC]"
    assert mx.io.DataDesc.get_batch_axis("TNC") == 1 and mx.io.DataDesc.get_batch_axis(None) == 0
    descs = mx.io.DataDesc.get_list([("a", (1,)), ("b", (2,))], [("a", "int32"), ("b", "float32")])
    assert [(x.name, x.shape, x.dtype) for x in descs] == [("a", (1,), "int32"), ("b", (2,), "float32")]
    b = mx.io.DataBatch([mx.nd.zeros((2, 3))], [mx.nd.zeros((2,))], pad=1)
    assert str(b) == "DataBatch: data shapes: [(2, 3)] label shapes: [(2,)]"
    with pytest.raises(ValueError):
        mx.io.DataBatch(mx.nd.zeros((2, 3)))


# ---- NDArrayIter ---------------------------------------------------------------------------------

def _rows(batch):
    """Sample ids of a batch whose data rows are [id, 100 + id] and whose label is 1000 + id."""
    d = batch.data[0].asnumpy()
    assert np.array_equal(d[:, 1], d[:, 0] + 100)
    if batch.label:
        np.testing.assert_array_equal(batch.label[0].asnumpy(), d[:, 0] + 1000)
    return d[:, 0].astype(int).tolist()


def _data(n=10):
    ids = np.arange(n)
    return np.stack([ids, ids + 100], axis=1), ids + 1000


def _epoch(it):
    return [(_rows(b), b.pad) for b in it]


def test_ndarrayiter_pad_discard_roll_over_hand_computed():
    x, y = _data(10)
    it = mx.io.NDArrayIter(x, y, batch_size=4)  # 'pad' is the default
    assert _epoch(it) == [([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0), ([8, 9, 0, 1], 2)]
    assert _epoch(it) == []  # exhausted until reset, as in MXNet
    it.reset()
    assert _epoch(it) == [([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0), ([8, 9, 0, 1], 2)]

    it = mx.io.NDArrayIter(x, y, batch_size=4, last_batch_handle="discard")
    assert _epoch(it) == [([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0)]

    it = mx.io.NDArrayIter(x, y, batch_size=4, last_batch_handle="roll_over")
    assert _epoch(it) == [([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0)]
    it.reset()  # 8 and 9 open the next epoch; MXNet reports them as pad of that batch
    assert _epoch(it) == [([8, 9, 0, 1], 2), ([2, 3, 4, 5], 0), ([6, 7, 8, 9], 0)]
    it.reset()
    assert _epoch(it) == [([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0)]
    it.hard_reset()  # drops the carried 8, 9
    assert _epoch(it) == [([0, 1, 2, 3], 0), ([4, 5, 6, 7], 0)]


def test_ndarrayiter_pad_wraps_more_than_once_and_manual_protocol():
    x, y = _data(3)
    it = mx.io.NDArrayIter(x, y, batch_size=7)
    assert _epoch(it) == [([0, 1, 2, 0, 1, 2, 0], 4)]
    x, y = _data(5)
    it = mx.io.NDArrayIter(x, y, batch_size=2)
    seen = []
    while it.iter_next():
        seen.append((it.getdata()[0].asnumpy()[:, 0].astype(int).tolist(), it.getpad()))
    assert seen == [([0, 1], 0), ([2, 3], 0), ([4, 0], 1)]


def test_ndarrayiter_shuffle_follows_mxnet_numpy_algorithm():
    x, y = _data(11)
    np.random.seed(7)
    it = mx.io.NDArrayIter(x, y, batch_size=4, shuffle=True, last_batch_handle="discard")
    epochs = [sum((_rows(b) for b in it), [])]
    for _ in range(2):
        it.reset()
        epochs.append(sum((_rows(b) for b in it), []))
    # reference: MXNet shuffles idx in place with np.random at construction and every reset, and
    # permutes the already shuffled data by it
    np.random.seed(7)
    idx, order, want = np.arange(11), np.arange(11), []
    for _ in range(3):
        np.random.shuffle(idx)
        order = order[idx]
        want.append(order[:8].tolist())
    assert epochs == want
    assert epochs[0] != epochs[1]
    np.random.seed(8)
    other = mx.io.NDArrayIter(x, y, batch_size=4, shuffle=True, last_batch_handle="discard")
    assert sum((_rows(b) for b in other), []) != epochs[0]


def test_ndarrayiter_names_dtypes_and_descs():
    a, b = np.zeros((6, 2)), np.ones((6, 3, 2), dtype=np.int32)
    it = mx.io.NDArrayIter({"zeta": a, "alpha": b}, {"lbl": np.arange(6)}, batch_size=4)
    assert [d.name for d in it.provide_data] == ["alpha", "zeta"]  # sorted by name, as MXNet
    assert [d.shape for d in it.provide_data] == [(4, 3, 2), (4, 2)]
    assert all(d.dtype == np.float32 for d in it.provide_data)  # NumPy inputs become float32
    assert [(d.name, d.shape) for d in it.provide_label] == [("lbl", (4,))]
    batch = next(it)
    np.testing.assert_array_equal(batch.data[0].asnumpy(), np.ones((4, 3, 2)))
    it = mx.io.NDArrayIter([a, a], batch_size=2, data_name="x")
    assert [d.name for d in it.provide_data] == ["_0_x", "_1_x"] and it.provide_label == []
    assert next(it).label == []
    it = mx.io.NDArrayIter(mx.nd.array(a, dtype="float64"), batch_size=3)
    assert next(it).data[0].dtype == np.float64 and it.provide_label == []


def test_ndarrayiter_rejects_bad_inputs():
    with pytest.raises(ValueError, match="same first dimension"):
        mx.io.NDArrayIter(np.zeros((4, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="last_batch_handle"):
        mx.io.NDArrayIter(np.zeros((4, 2)), last_batch_handle="keep")
    with pytest.raises(ValueError, match="batch_size"):
        mx.io.NDArrayIter(np.zeros((4, 2)), batch_size=0)
    with pytest.raises(TypeError):
        mx.io.NDArrayIter("not an array")


def test_resize_iter_repeats_and_cuts():
    x, y = _data(6)
    inner = mx.io.NDArrayIter(x, y, batch_size=2)
    it = mx.io.ResizeIter(inner, 5)
    assert [_rows(b) for b in it] == [[0, 1], [2, 3], [4, 5], [0, 1], [2, 3]]
    it.reset()
    assert [_rows(b) for b in it] == [[0, 1], [2, 3], [4, 5], [0, 1], [2, 3]]
    assert [_rows(b) for b in mx.io.ResizeIter(mx.io.NDArrayIter(x, y, batch_size=2), 2)] == [[0, 1], [2, 3]]


# ---- MNISTIter -----------------------------------------------------------------------------------

def _mnist_files(tmp_path, n=10, rows=4, cols=3, gz=False):
    rs = np.random.RandomState(0)
    images = rs.randint(0, 256, size=(n, rows, cols)).astype(np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    suffix = ".gz" if gz else ""
    fi = _write(tmp_path / ("img-idx3-ubyte" + suffix), _idx_bytes(images, 0x08), gz)
    fl = _write(tmp_path / ("lbl-idx1-ubyte" + suffix), _idx_bytes(labels, 0x08), gz)
    return fi, fl, images, labels


@pytest.mark.parametrize("gz", [False, True])
def test_mnistiter_values_shapes_and_dropped_last_batch(tmp_path, gz):
    fi, fl, images, labels = _mnist_files(tmp_path, gz=gz)
    it = mx.io.MNISTIter(image=fi, label=fl, batch_size=3, shuffle=False, silent=True)
    batches = list(it)
    assert len(batches) == 3  # 10 images: the partial 4th batch is dropped, as in MXNet
    for k, b in enumerate(batches):
        assert b.data[0].shape == (3, 1, 4, 3) and b.label[0].shape == (3,) and b.pad == 0
        np.testing.assert_allclose(b.data[0].asnumpy()[:, 0], images[3 * k:3 * k + 3] / 256.0, rtol=0, atol=1e-7)
        np.testing.assert_array_equal(b.label[0].asnumpy(), labels[3 * k:3 * k + 3].astype(np.float32))
    assert [(d.name, d.shape) for d in it.provide_data] == [("data", (3, 1, 4, 3))]
    assert [(d.name, d.shape) for d in it.provide_label] == [("softmax_label", (3,))]
    flat = mx.io.MNISTIter(image=fi, label=fl, batch_size=5, shuffle=False, flat=True, silent=True)
    b = next(flat)
    assert b.data[0].shape == (5, 12)
    np.testing.assert_allclose(b.data[0].asnumpy(), images[:5].reshape(5, 12) / 256.0, atol=1e-7)


def test_mnistiter_shuffle_seed_and_parts(tmp_path):
    fi, fl, images, labels = _mnist_files(tmp_path, n=40)

    def order(**kw):
        it = mx.io.MNISTIter(image=fi, label=fl, batch_size=5, silent=True, **kw)
        epochs = []
        for _ in range(2):
            data = np.concatenate([b.data[0].asnumpy() for b in it])
            it.reset()
            # recover each sample's index from its pixels
            flat = np.round(data.reshape(len(data), -1) * 256).astype(np.uint8)
            epochs.append([int(np.where((images.reshape(40, -1) == r).all(1))[0][0]) for r in flat])
        return epochs

    a = order(seed=3)
    assert a[0] == a[1]  # MXNet shuffles once at construction; every epoch repeats the order
    assert sorted(a[0]) == list(range(40)) and a[0] != list(range(40))
    assert order(seed=3)[0] == a[0] and order(seed=4)[0] != a[0]
    assert order(shuffle=False)[0] == list(range(40))
    it = mx.io.MNISTIter(image=fi, label=fl, batch_size=4, shuffle=False, num_parts=3, part_index=1, silent=True)
    got = np.concatenate([b.label[0].asnumpy() for b in it])  # part 1 of 3: rows [13, 26)
    np.testing.assert_array_equal(got, labels[13:25].astype(np.float32))


def test_mnistiter_bad_files(tmp_path):
    fi, fl, images, labels = _mnist_files(tmp_path)
    bad = _write(tmp_path / "bad-images", _idx_bytes(images, 0x08)[:-5])
    with pytest.raises(MXNetError, match="truncated") as e:
        mx.io.MNISTIter(image=bad, label=fl, batch_size=2, silent=True)
    assert bad in str(e.value)
    short = _write(tmp_path / "short-labels", _idx_bytes(labels[:7], 0x08))
    with pytest.raises(ValueError, match="7 labels"):
        mx.io.MNISTIter(image=fi, label=short, batch_size=2, silent=True)
    with pytest.raises(MXNetError, match="expected labels"):
        mx.io.MNISTIter(image=fi, label=fi, batch_size=2, silent=True)


def _fashion_np(name):
    """Independent read of a Debian Fashion-MNIST file: gzip + fixed IDX header offset."""
    raw = gzip.decompress((FASHION / name).read_bytes())
    offset = 16 if "images" in name else 8
    arr = np.frombuffer(raw, np.uint8, offset=offset)
    return arr.reshape(-1, 28, 28) if "images" in name else arr


@pytest.mark.skipif(not (FASHION / "train-images-idx3-ubyte.gz").exists(), reason="dataset-fashion-mnist not installed")
def test_mnistiter_on_debian_fashion_mnist():
    images, labels = _fashion_np("train-images-idx3-ubyte.gz"), _fashion_np("train-labels-idx1-ubyte.gz")
    it = mx.io.MNISTIter(image=str(FASHION / "train-images-idx3-ubyte.gz"),
                         label=str(FASHION / "train-labels-idx1-ubyte.gz"), batch_size=100, shuffle=True, seed=1,
                         silent=True)
    total, count, lab_hist = 0.0, 0, np.zeros(10, np.int64)
    for b in it:
        total += float(b.data[0].asnumpy().astype(np.float64).sum())
        lab = b.label[0].asnumpy()
        assert lab.min() >= 0 and lab.max() <= 9
        lab_hist += np.bincount(lab.astype(int), minlength=10)
        count += b.data[0].shape[0]
    assert count == 60000
    ref = images.astype(np.float64).sum() / 256.0  # k/256 is exact in float32: the sums agree exactly
    assert abs(total - ref) <= 1e-9 * ref
    np.testing.assert_array_equal(lab_hist, np.bincount(labels, minlength=10))
    test = mx.io.MNISTIter(image=str(FASHION / "t10k-images-idx3-ubyte.gz"),
                           label=str(FASHION / "t10k-labels-idx1-ubyte.gz"), batch_size=128, shuffle=False,
                           silent=True)
    batches = list(test)
    assert len(batches) == 10000 // 128
    np.testing.assert_allclose(batches[0].data[0].asnumpy()[:, 0],
                               _fashion_np("t10k-images-idx3-ubyte.gz")[:128] / 256.0, atol=1e-7)


# ---- CSVIter -------------------------------------------------------------------------------------

def _csv(tmp_path, name, rows):
    p = tmp_path / name
    p.write_text("\n".join(",".join(str(v) for v in r) for r in rows) + "\n")
    return str(p)


def _vals(batch):
    return batch.data[0].asnumpy().tolist(), batch.pad


def test_csviter_round_batch_as_mxnet_docs(tmp_path):
    f = _csv(tmp_path, "data.csv", [[1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]])
    it = mx.io.CSVIter(data_csv=f, data_shape=(3,), batch_size=3)
    assert [_vals(b) for b in it] == [([[1, 2, 3], [2, 3, 4], [3, 4, 5]], 0),
                                      ([[4, 5, 6], [1, 2, 3], [2, 3, 4]], 2)]
    it.reset()  # rows 0 and 1 were used to complete the last batch: the next epoch starts at row 2
    assert [_vals(b) for b in it] == [([[3, 4, 5], [4, 5, 6], [1, 2, 3]], 1)]
    it.reset()
    assert [_vals(b) for b in it] == [([[2, 3, 4], [3, 4, 5], [4, 5, 6]], 0)]
    it = mx.io.CSVIter(data_csv=f, data_shape=(3,), batch_size=3, round_batch=False)
    epoch = [_vals(b) for b in it]
    assert epoch[0] == ([[1, 2, 3], [2, 3, 4], [3, 4, 5]], 0) and epoch[1][0][0] == [4, 5, 6] and epoch[1][1] == 2
    it.reset()
    assert _vals(next(it)) == ([[1, 2, 3], [2, 3, 4], [3, 4, 5]], 0)
    b = mx.io.CSVIter(data_csv=f, data_shape=(3,), batch_size=2).next()
    assert b.label[0].shape == (2, 1) and b.label[0].asnumpy().tolist() == [[0], [0]]


def test_csviter_shapes_labels_and_errors(tmp_path):
    f = _csv(tmp_path, "d.csv", [[i, i + 0.5, -i, 2 * i] for i in range(5)])
    lf = _csv(tmp_path, "l.csv", [[i, 10 * i] for i in range(5)])
    it = mx.io.CSVIter(data_csv=f, data_shape=(2, 2), label_csv=lf, label_shape=(2,), batch_size=2,
                       round_batch=False)
    assert it.provide_data[0].shape == (2, 2, 2) and it.provide_label[0].shape == (2, 2)
    bs = list(it)
    assert len(bs) == 3 and bs[2].pad == 1
    np.testing.assert_array_equal(bs[1].data[0].asnumpy(), [[[2, 2.5], [-2, 4]], [[3, 3.5], [-3, 6]]])
    np.testing.assert_array_equal(bs[1].label[0].asnumpy(), [[2, 20], [3, 30]])
    bad = _csv(tmp_path, "bad.csv", [[1, 2, 3, 4], [1, 2, 3]])
    with pytest.raises(MXNetError, match="row 2 has 3 values") as e:
        mx.io.CSVIter(data_csv=bad, data_shape=(4,), batch_size=1)
    assert bad in str(e.value)
    with pytest.raises(MXNetError, match="cannot read"):
        mx.io.CSVIter(data_csv=str(tmp_path / "missing.csv"), data_shape=(4,), batch_size=1)
    short = _csv(tmp_path, "short.csv", [[1, 1]])
    with pytest.raises(ValueError, match="fewer"):
        mx.io.CSVIter(data_csv=f, data_shape=(4,), label_csv=short, label_shape=(2,), batch_size=1)
