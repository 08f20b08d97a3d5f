"""Output files stored by content hash: the platform's one file store (srs_common.files)."""

from srs_common.files import CHUNK, FileStore, FileTooLarge

__all__ = ["CHUNK", "FileStore", "FileTooLarge"]
