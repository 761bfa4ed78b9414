"""Reader for the IDX format used by MNIST and Fashion-MNIST.

Layout: two zero bytes, a type code, the number of dimensions, one big-endian
uint32 per dimension, then the data, big-endian, in C order.
"""

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from ._fetch import DatasetFormatError

__all__ = ["read_idx"]

_GZIP_MAGIC = b"\x1f\x8b"

#: IDX type code -> big-endian NumPy dtype.
IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _read_bytes(path):
    with open(path, "rb") as f:
        compressed = f.read(2) == _GZIP_MAGIC
    if not compressed:
        return Path(path).read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as e:
        raise DatasetFormatError(f"{path}: corrupt or truncated gzip data ({e})") from e


def read_idx(path):
    """Read an IDX file (gzipped or not) into a native-endian NumPy array.

    Compression is detected from the gzip magic bytes, not the file name. The
    header is checked against the payload, so a truncated or corrupt file raises
    DatasetFormatError naming the file and the problem instead of returning
    garbage.
    """
    path = Path(path)
    buf = _read_bytes(path)
    if len(buf) < 4:
        raise DatasetFormatError(f"{path}: too short for an IDX header ({len(buf)} bytes)")
    if buf[0] != 0 or buf[1] != 0:
        raise DatasetFormatError(
            f"{path}: bad IDX magic number {buf[:4].hex()} (must start with 0000)"
        )
    code, ndim = buf[2], buf[3]
    if code not in IDX_DTYPES:
        raise DatasetFormatError(f"{path}: unknown IDX data type code 0x{code:02x}")
    header = 4 + 4 * ndim
    if len(buf) < header:
        raise DatasetFormatError(
            f"{path}: truncated header: {ndim} dimensions need {header} bytes, file has {len(buf)}"
        )
    shape = tuple(int(d) for d in np.frombuffer(buf, ">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize  # Python int: no overflow
    found = len(buf) - header
    if found < expected:
        raise DatasetFormatError(
            f"{path}: truncated: dimensions {shape} need {expected} bytes of data, found {found}"
        )
    if found > expected:
        raise DatasetFormatError(
            f"{path}: {found - expected} unexpected bytes after the data of shape {shape}"
        )
    data = np.frombuffer(buf, dtype, count=expected // dtype.itemsize, offset=header)
    # astype copies: the result is writable and in native byte order.
    return data.astype(dtype.newbyteorder("="), copy=True).reshape(shape)
