"""sha256 of files and bytes (audit_helpers._common.hashing) against hashlib on the whole bytes."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from audit_helpers._common.hashing import _CHUNK, bytes_sha256, file_sha256

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2 test vector


@pytest.mark.parametrize(
    "size",
    [0, 1, 100, _CHUNK - 1, _CHUNK, _CHUNK + 1, 3 * _CHUNK + 12345],
    ids=["empty", "one", "small", "chunk-1", "chunk", "chunk+1", "several-chunks"],
)
def test_file_sha256_equals_hashlib(tmp_path, size):
    assert _CHUNK == 1 << 20  # the 1 MiB chunk the large cases straddle
    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes()
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    want = hashlib.sha256(data).hexdigest()
    assert file_sha256(path) == want
    assert file_sha256(str(path)) == want  # str paths too
    assert bytes_sha256(data) == want


def test_known_digests(tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert file_sha256(empty) == EMPTY_SHA256
    assert bytes_sha256(b"") == EMPTY_SHA256
    assert bytes_sha256(b"abc") == ABC_SHA256
    digest = bytes_sha256(b"model bytes")
    assert len(digest) == 64 and digest == digest.lower() and int(digest, 16) >= 0


def test_file_sha256_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        file_sha256(tmp_path / "absent.bin")
