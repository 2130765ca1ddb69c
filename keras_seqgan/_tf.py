"""TensorFlow where it is installed: on the JAX backend the package runs without it.

Nothing here imports TensorFlow at module level. `loaded()` answers without importing it
(an object can only be a TensorFlow tensor or dataset if TensorFlow is imported already),
`installed()` looks it up without importing it, and `require(what)` imports it or raises
an `ImportError` that says what needs it and what to install.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys

INSTALL_HINT = 'pip install "keras-seqgan[tensorflow]" (CPU) or "keras-seqgan[gpu]" (Linux, CUDA)'


def loaded():
    """The `tensorflow` module if this process has imported it, else `None`."""
    return sys.modules.get("tensorflow")


@functools.cache
def installed() -> bool:
    """Whether TensorFlow can be imported (looked up, not imported)."""
    try:
        return importlib.util.find_spec("tensorflow") is not None
    except (ImportError, ValueError):
        return False


def require(what: str):
    """Imports and returns `tensorflow`, or raises an `ImportError` naming `what` needs it."""
    if not installed():
        raise ImportError(
            f"{what} needs TensorFlow, which is not installed. Install it with "
            f"{INSTALL_HINT}; on the JAX backend, the rest of keras-seqgan works without it."
        )
    return importlib.import_module("tensorflow")
