"""IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed.

Layout: a 4-byte magic (0x00 0x00, a type code, the number of dimensions), the dimensions as
big-endian uint32, then the values big-endian in C order. Gzip is detected by its magic bytes,
not by the file name. Every header field is checked before it is trusted and the payload must
have exactly the size the dimensions promise, so a truncated or corrupt file is an
``MXNetIOError`` naming the file and the problem, never a NumPy reshape error.
"""
import gzip
import zlib

import numpy as np

from ..base import MXNetIOError

# type code -> (description, big-endian NumPy dtype of the payload)
_TYPES = {
    0x08: ("unsigned byte", np.dtype("u1")),
    0x09: ("signed byte", np.dtype("i1")),
    0x0B: ("short (int16)", np.dtype(">i2")),
    0x0C: ("int (int32)", np.dtype(">i4")),
    0x0D: ("float (float32)", np.dtype(">f4")),
    0x0E: ("double (float64)", np.dtype(">f8")),
}
_MAX_NDIM = 8


def _fail(path, what):
    raise MXNetIOError("read_idx: '%s' %s" % (path, what))


def parse_idx(buf, path="<buffer>"):
    """Parses the (decompressed) bytes of an IDX file into a NumPy array in native byte order.

    int16 files (type 0x0B) widen to int32 (mixnet has no int16); other types keep their dtype
    (uint8, int8, int32, float32, float64). ``path`` only names the source in errors.
    Raises MXNetIOError when the magic, type code, number of dimensions or payload size is wrong.
    """
    buf = memoryview(buf).cast("B")
    n = len(buf)
    if n < 4:
        _fail(path, "is truncated: %d bytes, less than the 4-byte IDX magic" % n)
    if buf[0] != 0 or buf[1] != 0:
        _fail(path, "is not an IDX file: the magic starts 0x%02X%02X, expected 0x0000" % (buf[0], buf[1]))
    code, ndim = buf[2], buf[3]
    if code not in _TYPES:
        _fail(path, "has unknown IDX type code 0x%02X (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)" % code)
    if not 1 <= ndim <= _MAX_NDIM:
        _fail(path, "has %d dimensions in its magic, expected 1..%d" % (ndim, _MAX_NDIM))
    header = 4 + 4 * ndim
    if n < header:
        _fail(path, "is truncated: a header of %d dimensions needs %d bytes, the file has %d" % (ndim, header, n))
    dims = [int.from_bytes(bytes(buf[4 + 4 * i:8 + 4 * i]), "big") for i in range(ndim)]
    if any(d == 0 for d in dims):
        _fail(path, "has a zero dimension in %s" % (tuple(dims),))
    name, dtype = _TYPES[code]
    count = int(np.prod(dims, dtype=object))
    expected = count * dtype.itemsize
    payload = n - header
    if payload < expected:
        _fail(path, "is truncated: dims %s of %s need %d bytes of data, the file has %d" %
              (tuple(dims), name, expected, payload))
    if payload > expected:
        _fail(path, "has %d bytes after the %d bytes its dims %s describe" % (payload - expected, expected, tuple(dims)))
    values = np.frombuffer(buf, dtype=dtype, count=count, offset=header).reshape(dims)
    if code == 0x0B:
        return values.astype(np.int32)
    # native byte order; uint8/int8 need no swap, and astype(copy) detaches from `buf`
    return values.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path):
    """Reads an IDX file (raw or gzip) as a NumPy array (see parse_idx for dtypes).

    Raises MXNetIOError when the file cannot be read, its gzip stream is corrupt or truncated,
    or its IDX contents are malformed; the message names the file.
    """
    path = str(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise MXNetIOError("read_idx: cannot read '%s': %s" % (path, e.strerror or e))
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise MXNetIOError("read_idx: '%s' is a corrupt or truncated gzip file: %s" % (path, e))
    return parse_idx(raw, path)


def load_idx_ndarray(path):
    """An IDX file as an NDArray of its dims and dtype (see read_idx; raises MXNetIOError)."""
    from ..ndarray import array
    values = read_idx(path)
    return array(values, dtype=values.dtype)
