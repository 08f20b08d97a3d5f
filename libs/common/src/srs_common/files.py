"""Files stored by content hash under one directory (an object store in production): the
clearance service's output files and the access service's ingested files use this one store."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from fastapi import UploadFile

from srs_common.errors import AppError

CHUNK = 1024 * 1024


class FileTooLarge(AppError):
    status = 422
    title = "File too large"


class FileStore:
    """Content-addressed files: ``<root>/<first two hex>/<sha256>``; identical uploads share one."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    async def read(self, upload: UploadFile, max_bytes: int) -> tuple[str, int, bytes]:
        """Read the upload; returns its hash, size and bytes. Refuses more than ``max_bytes``."""
        digest = hashlib.sha256()
        chunks: list[bytes] = []
        size = 0
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FileTooLarge(
                    f"{upload.filename} is larger than the limit of "
                    f"{max_bytes // (1024 * 1024)} MB a file",
                    limit_bytes=max_bytes,
                )
            digest.update(chunk)
            chunks.append(chunk)
        return digest.hexdigest(), size, b"".join(chunks)

    def get(self, sha: str) -> bytes:
        """The stored content of ``sha``."""
        return self.path_of(sha).read_bytes()

    def put(self, sha: str, data: bytes) -> None:
        """Store ``data`` under its hash (once: identical uploads share one file)."""
        target = self.path_of(sha)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
