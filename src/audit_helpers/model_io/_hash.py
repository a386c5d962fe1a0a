"""The sha256 helpers of :mod:`audit_helpers._common.hashing`, offered on the model_io face
(supplied models are verified against the hash given in the parameters)."""

from __future__ import annotations

from .._common.hashing import bytes_sha256, file_sha256

__all__ = ["bytes_sha256", "file_sha256"]
