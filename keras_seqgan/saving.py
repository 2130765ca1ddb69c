"""Atomic file writes, and loading that says which file is bad and why."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
import zipfile
from collections.abc import Iterator

import keras

_CONFIG_MEMBER = "config.json"
_WEIGHTS_MEMBERS = ("model.weights.h5", "model.weights.npz")


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
    # mkstemp creates the file owner-only (0600); give it what `open()` would (0666 & ~umask).
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)
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


def write_csv(path: str | os.PathLike, rows, columns=None) -> None:
    """Writes dict rows to a CSV file atomically, one line per row.

    Args:
        path: str or path-like. The file.
        rows: iterable of dicts, column name -> value. A missing or `None` value is an
            empty cell.
        columns: list of str or `None`. The header, in order. Defaults to `None`: every
            key of `rows` in the order it first appears.
    """
    rows = list(rows)
    if columns is None:
        columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(path, buffer.getvalue())


def load_model(path: str | os.PathLike, **kwargs) -> keras.Model:
    """Loads a `.keras` file like `keras.models.load_model`, with errors that name it.

    Keras reports a truncated or non-zip `.keras` file as "File not found", and a zip
    archive that is not a Keras model as a bare `KeyError`. This checks the file first
    (it exists, is a zip archive whose members pass their CRC check, and holds
    `config.json` and the weights) and turns any error raised while loading into a
    `ValueError` that names the file; the original error is chained as its cause.
    Loading keeps Keras's `safe_mode=True` default: no pickled or marshalled code runs.

    Args:
        path: str or path-like. A `.keras` file, e.g. written by
            `keras_seqgan.saving.save_model`.
        **kwargs: Passed to `keras.models.load_model` (`custom_objects`, `compile`, ...).

    Returns:
        The loaded `keras.Model`.

    Raises:
        FileNotFoundError: if `path` does not exist.
        ValueError: if `path` is a folder, not a `.keras` file, damaged, not a Keras
            archive, or Keras fails to rebuild the model from it.

    Example:

    ```python
    import keras_seqgan as ks
    from keras_seqgan.saving import load_model, save_model

    generator = ks.models.Generator(vocabulary_size=10, sequence_length=5)
    save_model(generator, "generator.keras")
    generator = load_model("generator.keras")
    ```
    """
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"`path` must be a str or path-like. Received: path={path!r} "
            f"(of type {type(path).__name__})"
        )
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"Cannot load {path!r}: no such file.")
    if os.path.isdir(path):
        raise ValueError(f"Cannot load {path!r}: it is a folder, not a `.keras` file.")
    if not path.endswith(".keras"):
        raise ValueError(
            f"Cannot load {path!r}: expected a Keras 3 `.keras` file (the name must end "
            "with '.keras')."
        )
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"Cannot load {path!r}: it is not a zip archive, so not a valid `.keras` file "
            f"({os.path.getsize(path)} bytes). It may be truncated (an interrupted save or "
            "copy) or another format."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = set(archive.namelist())
            corrupt = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as error:
        raise ValueError(f"Cannot load {path!r}: the zip archive is damaged: {error}") from error
    missing = [name for name in (_CONFIG_MEMBER,) if name not in members]
    if not members.intersection(_WEIGHTS_MEMBERS):
        missing.append(" or ".join(_WEIGHTS_MEMBERS))
    if missing:
        raise ValueError(
            f"Cannot load {path!r}: it is a zip archive but not a Keras model file; it "
            f"lacks {', '.join(missing)} (it holds {sorted(members)[:10]})."
        )
    if corrupt is not None:
        raise ValueError(
            f"Cannot load {path!r}: the archive member {corrupt!r} is corrupt (its CRC "
            "check failed)."
        )
    try:
        return keras.models.load_model(path, **kwargs)
    except Exception as error:
        raise ValueError(
            f"Cannot load {path!r}: Keras failed to rebuild the model from it: "
            f"{type(error).__name__}: {error}"
        ) from error
