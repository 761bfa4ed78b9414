import gzip
import struct

import numpy as np
import pytest

from gradwise.datasets import DatasetFormatError, read_idx


def idx_bytes(array, code=None):
    """Encode an array as IDX by hand (independent of the reader under test)."""
    codes = {"u1": 0x08, "i1": 0x09, "i2": 0x0B, "i4": 0x0C, "f4": 0x0D, "f8": 0x0E}
    a = np.asarray(array)
    key = a.dtype.kind + str(a.dtype.itemsize)
    header = struct.pack(">BBBB", 0, 0, code or codes[key], a.ndim)
    header += struct.pack(f">{a.ndim}I", *a.shape)
    return header + a.astype(a.dtype.newbyteorder(">")).tobytes()


@pytest.fixture
def images():
    return np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4) * 7


def test_reads_plain_uint8(tmp_path, images):
    path = tmp_path / "x.idx"
    path.write_bytes(idx_bytes(images))
    out = read_idx(path)
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, images)
    out[0, 0, 0] = 99  # writable, not a view of a bytes object
    assert out[0, 0, 0] == 99


def test_compression_is_detected_from_content_not_name(tmp_path, images):
    gz = tmp_path / "plain-name.idx"
    gz.write_bytes(gzip.compress(idx_bytes(images)))
    plain = tmp_path / "looks-gzipped.gz"
    plain.write_bytes(idx_bytes(images))
    np.testing.assert_array_equal(read_idx(gz), images)
    np.testing.assert_array_equal(read_idx(plain), images)


@pytest.mark.parametrize("dtype", ["i1", "i2", "i4", "f4", "f8"])
def test_big_endian_types_become_native(tmp_path, dtype):
    values = (np.arange(-6, 6).reshape(3, 4) * 1000.25).astype(dtype)
    path = tmp_path / "v.idx"
    path.write_bytes(idx_bytes(values))
    out = read_idx(path)
    assert out.dtype.isnative and out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, values)


def test_one_dimensional_labels(tmp_path):
    labels = np.array([5, 0, 4, 1, 9], dtype=np.uint8)
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(idx_bytes(labels))
    np.testing.assert_array_equal(read_idx(path), labels)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda b: b[:-5], "truncated"),
        (lambda b: b + b"\0\0\0", "unexpected bytes"),
        (lambda b: b"\x01" + b[1:], "magic"),
        (lambda b: b[:2] + b"\x0a" + b[3:], "type code 0x0a"),
        (lambda b: b[:9], "truncated header"),
        (lambda b: b[:3], "too short"),
    ],
    ids=["payload-cut", "extra-bytes", "bad-magic", "bad-type", "header-cut", "tiny"],
)
def test_corrupt_files_raise_naming_file_and_problem(tmp_path, images, mutate, message):
    path = tmp_path / "broken-idx3-ubyte"
    path.write_bytes(mutate(idx_bytes(images)))
    with pytest.raises(DatasetFormatError) as info:
        read_idx(path)
    assert message in str(info.value)
    assert "broken-idx3-ubyte" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_truncated_gzip_stream(tmp_path, images):
    data = gzip.compress(idx_bytes(np.repeat(images, 50, axis=0)))
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetFormatError, match="cut.gz.*gzip"):
        read_idx(path)


def test_gzip_of_a_truncated_idx_is_reported_as_truncated(tmp_path, images):
    path = tmp_path / "short.gz"
    path.write_bytes(gzip.compress(idx_bytes(images)[:-1]))
    with pytest.raises(DatasetFormatError, match="need 24 bytes of data, found 23"):
        read_idx(path)
