"""keras-seqgan: adversarial training of discrete-sequence generators for Keras 3.

`import keras_seqgan` imports Keras and every public module, so the package's classes are
registered with Keras and `keras.models.load_model` can rebuild them from a `.keras` file.

The `keras-seqgan` command is the one exception: in its process (the console script, or
`python -m keras_seqgan.cli`) the package loads when a command runs, or on the first use
of one of its attributes (`ks.SeqGAN`, `ks.data`, ...; PEP 562), so `--help` and argument
errors come back without importing Keras or TensorFlow. Loading is the same then, only later.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from keras_seqgan.version import __version__

if TYPE_CHECKING:  # what `_load` imports, for type checkers and the API docs (griffe)
    from keras_seqgan import (
        callbacks,
        data,
        evaluation,
        losses,
        models,
        objectives,
        pipeline,
        saving,
        tuning,
    )
    from keras_seqgan.seqgan import SeqGAN

_MODULES = (
    "callbacks",
    "data",
    "evaluation",
    "losses",
    "models",
    "objectives",
    "pipeline",
    "saving",
    "tuning",
)
# The console script's name; on Windows its launcher is `keras-seqgan.exe`.
_COMMAND = "keras-seqgan"
_loading = False

__all__ = [
    "SeqGAN",
    "__version__",
    "callbacks",
    "data",
    "evaluation",
    "losses",
    "models",
    "objectives",
    "pipeline",
    "saving",
    "tuning",
]


def _load() -> None:
    """Imports the public modules (which registers their classes with Keras) and `SeqGAN`."""
    import importlib

    global _loading
    if "SeqGAN" in globals() or _loading:
        return
    _loading = True  # a module that runs `from keras_seqgan import objectives` lands here
    try:
        _import_keras()
        for name in _MODULES:
            importlib.import_module(f"{__name__}.{name}")
        globals()["SeqGAN"] = importlib.import_module(f"{__name__}.seqgan").SeqGAN
    finally:
        _loading = False


_BACKEND_MODULES = ("tensorflow", "jax", "jaxlib", "torch")


class _MissingBackend(ImportError):
    """Keras's backend is not installed (the `keras-seqgan` command prints it plainly)."""


def _import_keras() -> None:
    """Imports Keras; without its backend, says how to install one with the package."""
    try:
        import keras  # noqa: F401
    except ModuleNotFoundError as error:
        missing = (error.name or "").split(".")[0]
        if missing not in _BACKEND_MODULES:
            raise
        raise _MissingBackend(
            f"Keras's backend is not installed ({missing!r} is missing). keras-seqgan "
            "installs none by itself; install one with it: "
            'pip install "keras-seqgan[tensorflow]" (CPU), "keras-seqgan[gpu]" (TensorFlow '
            'with CUDA, Linux), "keras-seqgan[jax]" or "keras-seqgan[jax-cuda]" (then set '
            "KERAS_BACKEND=jax)."
        ) from error


def __getattr__(name: str):
    if name in __all__ and not _loading:
        _load()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _started_as_the_command(argv: list[str], orig_argv: list[str]) -> bool:
    """Whether this process is the `keras-seqgan` command.

    `argv` is `sys.argv`: its first item is the console script's path, or `"-m"` while
    Python locates the module of `python -m` (whose name `orig_argv`, the interpreter's
    own arguments, holds).
    """
    import ntpath
    import re

    program = argv[0] if argv else ""
    if program == "-m":
        for index, item in enumerate(orig_argv):
            if item == "-m" or (item.startswith("-m") and len(item) > 2):
                module = item[2:] or (orig_argv[index + 1] if index + 1 < len(orig_argv) else "")
                return module in (f"{__name__}.cli", f"{__name__}.cli.__main__")
        return False
    name = ntpath.basename(program)  # after the last slash or backslash, on every system
    return re.sub(r"(-script\.pyw?|\.exe)$", "", name, flags=re.IGNORECASE) == _COMMAND


if not _started_as_the_command(sys.argv, getattr(sys, "orig_argv", [])):
    _load()
