"""Recompiling models whose `compile()` sets defaults, when a `.keras` file loads."""

from __future__ import annotations

import keras


def recompile_from_config(model, config: dict) -> None:
    """What Keras's `compile_from_config` does, for a model with its own `compile()`.

    Keras skips recompiling (with a warning) when `compile()` is overridden. Ours only fill
    in default losses and metrics, and `get_compile_config()` records the resolved ones, so
    loading recompiles exactly, optimizer state included.
    """
    config = keras.saving.deserialize_keras_object(config)
    model.compile(**config)
    if model.built:
        model.optimizer.build(model.trainable_variables)
