"""Per-backend gradient plumbing: the only modules that import a backend framework."""

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "tensorflow":
    from keras_seqgan.backend.tensorflow import (
        compile_function,
        has_accelerator,
        map_sequential,
        scan,
        uniform,
        value_and_gradients,
    )
else:  # pragma: no cover - other backends come later (see docs).
    raise ImportError(
        f"keras_seqgan supports the TensorFlow backend for now; KERAS_BACKEND is {_BACKEND!r}. "
        "Set KERAS_BACKEND=tensorflow."
    )

__all__ = [
    "compile_function",
    "has_accelerator",
    "map_sequential",
    "scan",
    "uniform",
    "value_and_gradients",
]
