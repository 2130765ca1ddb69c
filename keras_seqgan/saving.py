"""Atomic file writes: a kill never leaves a truncated file where a good one was."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[str]:
    """Yields a temporary path beside `path`; on success it replaces `path` in one step.

    Write the file to the yielded path; when the block ends without an exception the
    file is flushed to disk and renamed over `path` (`os.replace` is atomic on POSIX and
    Windows). On an exception the temporary file is removed and `path` is untouched.

    Args:
        path: str or path-like. The final file. Its folder must exist.
        suffix: str. Ending for the temporary name (Keras wants `".keras"` on model
            files). Defaults to the ending of `path`.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"Cannot write {path!r}: its folder {folder!r} does not exist. Create it first."
        )
    suffix = suffix or os.path.splitext(path)[1]
    handle, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=f".tmp{suffix}", dir=folder
    )
    os.close(handle)
    try:
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def save_model(model, path: str | os.PathLike) -> None:
    """Saves a Keras model to a `.keras` file atomically."""
    path = os.fspath(path)
    if not path.endswith(".keras"):
        raise ValueError(f"`path` must end with '.keras'. Received: path={path!r}")
    with atomic_path(path, suffix=".keras") as temporary:
        model.save(temporary)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Writes a text file atomically."""
    with atomic_path(path) as temporary:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
