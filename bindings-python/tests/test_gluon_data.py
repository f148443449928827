"""mx.gluon.data (datasets, samplers, batchify, DataLoader, vision datasets and transforms) and
mx.gluon.utils, against hand-computed indices and NumPy formulas."""
import gzip
import pathlib
import threading
import time
import warnings

import numpy as np
import pytest

import mixnet as mx
from mixnet import gluon, nd
from mixnet.base import MXNetError
from mixnet.gluon.data import (ArrayDataset, BatchSampler, DataLoader, RandomSampler, SequentialSampler,
                               SimpleDataset)
from mixnet.gluon.data.vision import transforms as T

FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")
HAVE_FASHION = (FASHION / "train-images-idx3-ubyte.gz").exists()


def _ids(batch):
    return batch.asnumpy().astype(int).tolist()


# ---- datasets -----------------------------------------------------------------------------------

def test_array_and_simple_datasets():
    x = nd.array(np.arange(12).reshape(6, 2))
    y = nd.array(np.arange(6) * 10)  # 1-D NDArray: kept as NumPy (samples are scalars), as MXNet
    ds = ArrayDataset(x, y, list("abcdef"))
    assert len(ds) == 6
    a, b, c = ds[4]
    assert isinstance(a, nd.NDArray) and a.asnumpy().tolist() == [8, 9]
    assert isinstance(b, np.float32) and b == 40 and c == "e"
    assert ArrayDataset(np.arange(3))[2] == 2
    with pytest.raises(ValueError, match="same length"):
        ArrayDataset(np.zeros(3), np.zeros(4))
    s = SimpleDataset([(1, 2), (3, 4)])
    assert len(s) == 2 and s[1] == (3, 4)


def test_transform_transform_first_filter_shard_take():
    ds = ArrayDataset(np.arange(10), np.arange(10) * 2)
    t = ds.transform(lambda a, b: (a + b, b))
    assert t[3] == (9, 6)
    tf = ds.transform_first(lambda a: -a)
    assert tf[3] == (-3, 6)
    eager = ds.transform_first(lambda a: a * 100, lazy=False)
    assert isinstance(eager, SimpleDataset) and eager[2] == (200, 4)
    assert SimpleDataset([1, 2, 3]).transform_first(lambda v: v + 1)[0] == 2
    even = ds.filter(lambda s: s[0] % 2 == 0)
    assert [even[i][0] for i in range(len(even))] == [0, 2, 4, 6, 8]
    shards = [ds.shard(3, i) for i in range(3)]
    assert [[sh[i][0] for i in range(len(sh))] for sh in shards] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert len(ds.take(4)) == 4 and ds.take(4)[3][0] == 3 and len(ds.take(None)) == 10 and len(ds.take(99)) == 10
    with pytest.raises(ValueError):
        ds.shard(3, 3)
    assert [ds.sample(gluon.data.IntervalSampler(10, 3))[i][0] for i in range(10)] == [0, 3, 6, 9, 1, 4, 7, 2, 5, 8]


# ---- samplers -----------------------------------------------------------------------------------

def test_samplers_and_batch_sampler_modes():
    assert list(SequentialSampler(4)) == [0, 1, 2, 3] and list(SequentialSampler(3, 5)) == [5, 6, 7]
    np.random.seed(0)
    a = list(RandomSampler(20))
    np.random.seed(0)
    b = list(RandomSampler(20))
    assert a == b and sorted(a) == list(range(20)) and a != list(range(20))
    keep = BatchSampler(SequentialSampler(10), 4, "keep")
    assert list(keep) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] and len(keep) == 3
    discard = BatchSampler(SequentialSampler(10), 4, "discard")
    assert list(discard) == [[0, 1, 2, 3], [4, 5, 6, 7]] and len(discard) == 2
    roll = BatchSampler(SequentialSampler(10), 4, "rollover")
    assert len(roll) == 2 and list(roll) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(roll) == 3 and list(roll) == [[8, 9, 0, 1], [2, 3, 4, 5], [6, 7, 8, 9]]
    assert list(roll) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    with pytest.raises(ValueError, match="last_batch"):
        BatchSampler(SequentialSampler(3), 2, "pad")
    assert list(gluon.data.IntervalSampler(7, 3, rollover=False)) == [0, 3, 6]


# ---- batchify -----------------------------------------------------------------------------------

def test_default_batchify_fn():
    f = gluon.data.default_batchify_fn
    rows = [nd.array([[i, i + 1]]) for i in range(3)]
    out = f(rows)
    assert out.shape == (3, 1, 2) and out.asnumpy()[:, 0, 0].tolist() == [0, 1, 2]
    pairs = f([(np.float32(1.5), np.int32(3)), (np.float32(2.5), np.int32(4))])
    assert isinstance(pairs, list) and pairs[0].dtype == np.float32 and pairs[1].dtype == np.int32
    assert pairs[1].asnumpy().tolist() == [3, 4]
    assert f([1, 2]).dtype == np.int64 and f([1.0, 2.0]).dtype == np.float64  # NumPy's dtypes, as MXNet
    assert f([np.zeros((2, 2), np.uint8)] * 3).shape == (3, 2, 2)
    padded, lengths = gluon.data.batchify.Pad(pad_val=-1, ret_length=True)([np.array([1, 2, 3]), np.array([4])])
    assert padded.asnumpy().tolist() == [[1, 2, 3], [4, -1, -1]] and lengths.asnumpy().tolist() == [3, 1]


# ---- DataLoader ---------------------------------------------------------------------------------

def _id_dataset(n):
    return ArrayDataset(nd.array(np.arange(n)[:, None] * np.ones((1, 3))), np.arange(n).astype(np.int32))


def _epoch(loader):
    out = []
    for x, y in loader:
        ids = _ids(y)
        np.testing.assert_array_equal(x.asnumpy(), np.array(ids)[:, None] * np.ones((1, 3)))
        out.append(ids)
    return out


def test_dataloader_sequential_and_last_batch_modes():
    ds = _id_dataset(10)
    assert _epoch(DataLoader(ds, batch_size=4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert _epoch(DataLoader(ds, batch_size=4, last_batch="discard")) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    roll = DataLoader(ds, batch_size=4, last_batch="rollover")
    assert len(roll) == 2 and _epoch(roll) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(roll) == 3 and _epoch(roll) == [[8, 9, 0, 1], [2, 3, 4, 5], [6, 7, 8, 9]]
    assert len(DataLoader(ds, batch_size=4)) == 3
    bs = BatchSampler(SequentialSampler(10), 5)
    assert _epoch(DataLoader(ds, batch_sampler=bs)) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    single = [_ids(b) for b in DataLoader(ArrayDataset(np.arange(5)), batch_size=2)]
    assert single == [[0, 1], [2, 3], [4]]


def test_dataloader_argument_errors():
    ds = _id_dataset(4)
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds)
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(ds, batch_size=2, shuffle=True, sampler=SequentialSampler(4))
    with pytest.raises(ValueError, match="batch_sampler"):
        DataLoader(ds, batch_size=2, batch_sampler=BatchSampler(SequentialSampler(4), 2))


def test_dataloader_shuffle_reproducible_from_numpy_seed():
    ds = _id_dataset(50)

    def two_epochs(seed):
        np.random.seed(seed)
        loader = DataLoader(ds, batch_size=8, shuffle=True)
        return [_epoch(loader), _epoch(loader)]

    a, b, c = two_epochs(1), two_epochs(1), two_epochs(2)
    assert a == b and a != c
    for epoch in a:
        flat = sum(epoch, [])
        assert sorted(flat) == list(range(50)) and flat != list(range(50))
    assert a[0] != a[1]  # a new order every epoch


def _slow_dataset(n):
    """A generic (per-sample) dataset whose items are built in Python."""
    return SimpleDataset([(np.full((2,), i, np.float32), i) for i in range(n)]).transform(
        lambda x, y: (nd.array(x) * 2, y))


@pytest.mark.parametrize("make", [_id_dataset, _slow_dataset])
def test_dataloader_workers_yield_the_same_batches(make):
    ds = make(37)
    for kw in (dict(), dict(shuffle=True), dict(last_batch="discard")):
        np.random.seed(5)
        base = [[b.asnumpy() for b in batch] for batch in DataLoader(ds, batch_size=5, **kw)]
        for workers, prefetch in ((1, None), (3, None), (2, 1), (4, 10)):
            np.random.seed(5)
            loader = DataLoader(ds, batch_size=5, num_workers=workers, prefetch=prefetch, **kw)
            got = [[b.asnumpy() for b in batch] for batch in loader]
            assert len(got) == len(base)
            for g, w in zip(got, base):
                for gi, wi in zip(g, w):
                    np.testing.assert_array_equal(gi, wi)


def test_dataloader_workers_run_on_other_threads_and_propagate_errors():
    seen = set()

    class Probe(gluon.data.Dataset):
        def __len__(self):
            return 8

        def __getitem__(self, i):
            seen.add(threading.get_ident())
            if i == 6:
                raise KeyError("sample 6 is broken")
            return np.float32(i)

    with pytest.raises(KeyError, match="sample 6"):
        list(DataLoader(Probe(), batch_size=2, num_workers=2))
    assert threading.get_ident() not in seen and seen


def test_dataloader_timeout():
    class Slow(gluon.data.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            time.sleep(1.0)
            return np.float32(i)

    with pytest.raises(TimeoutError, match="timeout"):
        list(DataLoader(Slow(), batch_size=1, num_workers=1, timeout=0.1))


def test_dataloader_gather_path_equals_per_sample_path():
    rs = np.random.RandomState(0)
    images = nd.array(rs.randint(0, 256, size=(23, 6, 5, 3)), dtype="uint8")
    labels = rs.randint(0, 10, size=23).astype(np.int32)
    tr = T.Compose([T.Resize((4, 3)), T.ToTensor(), T.Normalize((0.1, 0.2, 0.3), (0.5, 0.6, 0.7)),
                    T.Cast("float64")])
    ds = ArrayDataset(images, labels).shard(2, 0).transform_first(tr)
    fast = DataLoader(ds, batch_size=4)
    slow = DataLoader(ds, batch_size=4, batchify_fn=gluon.data.default_batchify_fn)
    assert fast._fast is not None and slow._fast is None
    n = 0
    for (fx, fy), (sx, sy) in zip(fast, slow):
        assert fx.dtype == np.float64 and fx.shape[1:] == (3, 3, 4) and fy.dtype == np.int32
        np.testing.assert_allclose(fx.asnumpy(), sx.asnumpy(), rtol=1e-6, atol=1e-6)
        np.testing.assert_array_equal(fy.asnumpy(), sy.asnumpy())
        n += 1
    assert n == 3
    # nested index maps (filter inside shard) and two transform steps, applied inner first
    nested = ArrayDataset(images, labels).filter(lambda smp: smp[1] % 3 != 0).shard(2, 1) \
        .transform_first(T.ToTensor()).transform_first(T.Normalize((0.1, 0.2, 0.3), (0.5, 0.6, 0.7)))
    keep = [i for i in range(23) if labels[i] % 3 != 0]
    keep = keep[(len(keep) + 1) // 2:]
    fast = DataLoader(nested, batch_size=3)
    assert fast._fast is not None
    got_x = np.concatenate([x.asnumpy() for x, _ in fast])
    got_y = np.concatenate([y.asnumpy() for _, y in fast])
    np.testing.assert_array_equal(got_y, labels[keep])
    want = (images.asnumpy()[keep].transpose(0, 3, 1, 2) / 255.0 - np.array([0.1, 0.2, 0.3])[:, None, None]) / \
        np.array([0.5, 0.6, 0.7])[:, None, None]
    np.testing.assert_allclose(got_x, want, rtol=1e-5, atol=1e-6)
    # a non-batch-safe transform falls back to the per-sample path
    assert DataLoader(ArrayDataset(images, labels).transform_first(T.RandomFlipLeftRight()), batch_size=4)._fast is None


# ---- transforms ---------------------------------------------------------------------------------

def test_totensor_normalize_cast_compose_against_numpy():
    rs = np.random.RandomState(1)
    img = rs.randint(0, 256, size=(5, 4, 3)).astype(np.uint8)
    t = T.ToTensor()(nd.array(img, dtype="uint8"))
    assert t.dtype == np.float32 and t.shape == (3, 5, 4)
    np.testing.assert_allclose(t.asnumpy(), img.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    batch = rs.randint(0, 256, size=(2, 5, 4, 3)).astype(np.uint8)
    np.testing.assert_allclose(T.ToTensor()(nd.array(batch, dtype="uint8")).asnumpy(),
                               batch.transpose(0, 3, 1, 2) / 255.0, rtol=1e-6)
    x = rs.rand(3, 4, 4).astype(np.float32)
    mean, std = np.array([0.1, 0.2, 0.3]), np.array([0.5, 1.5, 2.0])
    np.testing.assert_allclose(T.Normalize(tuple(mean), tuple(std))(nd.array(x)).asnumpy(),
                               (x - mean[:, None, None]) / std[:, None, None], rtol=1e-5)
    np.testing.assert_allclose(T.Normalize(0.5, 0.25)(nd.array(x)).asnumpy(), (x - 0.5) / 0.25, rtol=1e-5)
    xb = rs.rand(2, 3, 4, 4).astype(np.float32)
    np.testing.assert_allclose(T.Normalize(tuple(mean), tuple(std))(nd.array(xb)).asnumpy(),
                               (xb - mean[None, :, None, None]) / std[None, :, None, None], rtol=1e-5)
    with pytest.raises(ValueError, match="channels"):
        T.Normalize((0.1, 0.2), (1, 1))(nd.array(x))
    with pytest.raises(ValueError):
        T.ToTensor()(nd.zeros((4, 4)))
    assert T.Cast("int32")(nd.array([1.7, -2.2])).asnumpy().tolist() == [1, -2]
    both = T.Compose([T.ToTensor(), lambda v: v * 2])(nd.array(img, dtype="uint8"))
    np.testing.assert_allclose(both.asnumpy(), img.transpose(2, 0, 1) / 255.0 * 2, rtol=1e-6)
    assert isinstance(T.Compose([T.ToTensor()]), gluon.Block)


def _bilinear_ref(img, out_h, out_w):
    """Per-pixel bilinear resize with half-pixel centres, written as plain loops."""
    h, w = img.shape[:2]
    out = np.zeros((out_h, out_w) + img.shape[2:])
    for oy in range(out_h):
        sy = max((oy + 0.5) * h / out_h - 0.5, 0.0)
        y0 = min(int(np.floor(sy)), h - 1)
        y1, fy = min(y0 + 1, h - 1), (sy - y0 if y0 < h - 1 else 0.0)
        for ox in range(out_w):
            sx = max((ox + 0.5) * w / out_w - 0.5, 0.0)
            x0 = min(int(np.floor(sx)), w - 1)
            x1, fx = min(x0 + 1, w - 1), (sx - x0 if x0 < w - 1 else 0.0)
            top = img[y0, x0] * (1 - fx) + img[y0, x1] * fx
            bottom = img[y1, x0] * (1 - fx) + img[y1, x1] * fx
            out[oy, ox] = top * (1 - fy) + bottom * fy
    return out


def test_compose_groups_hybrid_runs_as_mxnet_does():
    # MXNet 1.x groups runs of two or more HybridBlocks into one HybridSequential, which takes a
    # hybridsequential number: a user's next HybridSequential is named one further on.
    before = int(gluon.nn.HybridSequential().prefix[len("hybridsequential"):-1])
    fn = lambda x: x  # noqa: E731 (a plain function breaks the run)
    c = T.Compose([T.ToTensor(), T.Normalize(0.5, 0.25), fn, T.Cast("float64")])
    after = int(gluon.nn.HybridSequential().prefix[len("hybridsequential"):-1])
    assert after == before + 2
    kids = list(c._children.values())
    assert len(kids) == 3
    assert isinstance(kids[0], gluon.nn.HybridSequential) and len(kids[0]) == 2
    assert isinstance(kids[2], T.Cast)
    img = nd.array(np.full((2, 2, 1), 255), dtype="uint8")
    out = c(img)
    assert out.dtype == np.float64 and out.shape == (1, 2, 2)
    np.testing.assert_allclose(out.asnumpy(), np.full((1, 2, 2), (1.0 - 0.5) / 0.25))


def test_resize_against_numpy():
    rs = np.random.RandomState(2)
    img = rs.rand(6, 8, 2).astype(np.float32)
    # size is (width, height), as MXNet
    got = T.Resize((5, 9))(nd.array(img)).asnumpy()
    assert got.shape == (9, 5, 2)
    np.testing.assert_allclose(got, _bilinear_ref(img, 9, 5), rtol=1e-5, atol=1e-6)
    # halving with half-pixel centres is the mean of each 2x2 block
    half = T.Resize((4, 3))(nd.array(img)).asnumpy()
    np.testing.assert_allclose(half, img.reshape(3, 2, 4, 2, 2).mean(axis=(1, 3)), rtol=1e-5)
    near = T.Resize((3, 4), interpolation=0)(nd.array(img)).asnumpy()
    np.testing.assert_array_equal(near, img[np.floor(np.arange(4) * 6 / 4).astype(int)][:, np.floor(
        np.arange(3) * 8 / 3).astype(int)])
    u8 = rs.randint(0, 256, size=(7, 5, 3)).astype(np.uint8)
    r8 = T.Resize(4)(nd.array(u8, dtype="uint8"))
    assert r8.dtype == np.uint8 and r8.shape == (4, 4, 3)
    np.testing.assert_array_equal(r8.asnumpy(), np.floor(_bilinear_ref(u8.astype(np.float64), 4, 4) + 0.5))
    assert T.Resize(10, keep_ratio=True)(nd.array(u8, dtype="uint8")).shape == (14, 10, 3)  # 7*10//5
    batch = rs.rand(2, 6, 8, 1).astype(np.float32)
    rb = T.Resize((5, 9))(nd.array(batch)).asnumpy()
    for k in range(2):
        np.testing.assert_allclose(rb[k], _bilinear_ref(batch[k], 9, 5), rtol=1e-5, atol=1e-6)
    with pytest.raises(NotImplementedError):
        T.Resize(4, interpolation=3)


def test_random_flip_left_right_is_a_coin_from_mx_random_seed():
    img = nd.array(np.arange(24).reshape(2, 4, 3), dtype="uint8")
    ref = img.asnumpy()

    def flips(seed):
        mx.random.seed(seed)
        t = T.RandomFlipLeftRight()
        out = []
        for _ in range(40):
            r = t(img).asnumpy()
            if np.array_equal(r, ref):
                out.append(0)
            else:
                np.testing.assert_array_equal(r, ref[:, ::-1])
                out.append(1)
        return out

    a = flips(3)
    assert 5 < sum(a) < 35 and flips(3) == a and flips(4) != a
    r = T.RandomFlipTopBottom()(img).asnumpy()
    assert np.array_equal(r, ref) or np.array_equal(r, ref[::-1])


# ---- vision datasets ----------------------------------------------------------------------------

def _fashion_np(name):
    raw = gzip.decompress((FASHION / name).read_bytes())
    offset = 16 if "images" in name else 8
    arr = np.frombuffer(raw, np.uint8, offset=offset)
    return arr.reshape(-1, 28, 28) if "images" in name else arr


@pytest.mark.skipif(not HAVE_FASHION, reason="dataset-fashion-mnist not installed")
def test_fashion_mnist_from_debian_files():
    train, test = gluon.data.vision.FashionMNIST(train=True), gluon.data.vision.FashionMNIST(train=False)
    assert len(train) == 60000 and len(test) == 10000
    img, label = train[123]
    ref_images, ref_labels = _fashion_np("train-images-idx3-ubyte.gz"), _fashion_np("train-labels-idx1-ubyte.gz")
    assert img.shape == (28, 28, 1) and img.dtype == np.uint8 and isinstance(label, np.int32)
    np.testing.assert_array_equal(img.asnumpy()[:, :, 0], ref_images[123])
    assert label == ref_labels[123]
    assert int(train._data.asnumpy().astype(np.int64).sum()) == int(ref_images.astype(np.int64).sum())
    assert np.bincount(train._label).tolist() == [6000] * 10  # Fashion-MNIST is balanced
    assert test._label.min() == 0 and test._label.max() == 9
    # the usual pipeline, through the gather path and with workers
    tr = T.Compose([T.ToTensor(), T.Normalize(0.286, 0.353)])
    loader = DataLoader(test.transform_first(tr), batch_size=1000, num_workers=2)
    total, n = 0.0, 0
    for x, y in loader:
        assert x.shape == (1000, 1, 28, 28) and y.dtype == np.int32
        total += float(x.asnumpy().astype(np.float64).sum())
        n += 1
    ref = ((_fashion_np("t10k-images-idx3-ubyte.gz") / 255.0 - 0.286) / 0.353).sum()
    assert n == 10 and abs(total - ref) < 1e-4 * abs(ref) + 1.0
    sq = gluon.data.vision.FashionMNIST(train=False, transform=lambda d, l: (d.astype("float32"), l + 1))
    assert sq[0][0].dtype == np.float32 and sq[0][1] == _fashion_np("t10k-labels-idx1-ubyte.gz")[0] + 1


def test_vision_datasets_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(MXNetError, match="dataset-fashion-mnist") as e:
        gluon.data.vision.FashionMNIST(root=str(tmp_path))
    assert isinstance(e.value, OSError) and str(tmp_path) in str(e.value)
    with pytest.raises(MXNetError, match="never downloads"):
        gluon.data.vision.MNIST(root=str(tmp_path / "mnist"))


def test_mnist_reads_raw_and_gzip_files_from_root(tmp_path):
    rs = np.random.RandomState(4)
    images = rs.randint(0, 256, size=(5, 28, 28)).astype(np.uint8)
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    head_i = bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in (5, 28, 28))
    head_l = bytes([0, 0, 8, 1]) + (5).to_bytes(4, "big")
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(head_i + images.tobytes())
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(head_l + labels.tobytes()))
    ds = gluon.data.vision.MNIST(root=str(tmp_path), train=False)
    assert len(ds) == 5 and ds[2][1] == 4
    np.testing.assert_array_equal(ds[2][0].asnumpy()[:, :, 0], images[2])
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(head_l + labels.tobytes()[:3]))
    with pytest.raises(MXNetError, match="truncated"):
        gluon.data.vision.MNIST(root=str(tmp_path), train=False)


# ---- gluon.utils --------------------------------------------------------------------------------

def test_split_data_and_split_and_load():
    x = np.arange(30).reshape(10, 3).astype(np.float32)
    parts = gluon.utils.split_data(nd.array(x), 3, even_split=False)
    assert [p.shape[0] for p in parts] == [3, 3, 4]  # MXNet: the last slice takes the remainder
    np.testing.assert_array_equal(np.concatenate([p.asnumpy() for p in parts]), x)
    with pytest.raises(ValueError, match="evenly"):
        gluon.utils.split_data(nd.array(x), 3)
    cols = gluon.utils.split_data(nd.array(x), 3, batch_axis=1)
    np.testing.assert_array_equal(cols[1].asnumpy(), x[:, 1:2])
    assert len(gluon.utils.split_data(nd.array(x[:2]), 4, even_split=False)) == 2
    ctxs = [mx.cpu(0), mx.cpu(0)]
    loaded = gluon.utils.split_and_load(x, ctxs)
    assert [l.shape for l in loaded] == [(5, 3), (5, 3)] and all(l.context == mx.cpu(0) for l in loaded)
    np.testing.assert_array_equal(loaded[1].asnumpy(), x[5:])
    assert gluon.utils.split_and_load(x, [mx.cpu()])[0].shape == (10, 3)


def test_clip_global_norm_against_numpy():
    rs = np.random.RandomState(3)
    host = [rs.randn(4, 5).astype(np.float32), rs.randn(7).astype(np.float32)]
    norm = np.sqrt(sum((h.astype(np.float64) ** 2).sum() for h in host))
    arrays = [nd.array(h) for h in host]
    total = gluon.utils.clip_global_norm(arrays, 1.0)
    assert abs(float(total) - norm) < 1e-4 * norm
    for a, h in zip(arrays, host):
        np.testing.assert_allclose(a.asnumpy(), h * (1.0 / (norm + 1e-8)), rtol=1e-5)
    new_norm = np.sqrt(sum((a.asnumpy().astype(np.float64) ** 2).sum() for a in arrays))
    assert abs(new_norm - 1.0) < 1e-5
    arrays = [nd.array(h) for h in host]
    out = gluon.utils.clip_global_norm(arrays, 100.0, check_isfinite=False)  # below max: unchanged
    assert isinstance(out, nd.NDArray) and abs(out.asscalar() - norm) < 1e-4 * norm
    for a, h in zip(arrays, host):
        np.testing.assert_allclose(a.asnumpy(), h, rtol=1e-6)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        gluon.utils.clip_global_norm([nd.array([np.inf, 1.0])], 1.0)
    assert any("nan or inf" in str(x.message) for x in w)
