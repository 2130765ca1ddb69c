"""The suite runs once per backend (`KERAS_BACKEND=tensorflow` and `=jax`, see `.ci/run`).

`@pytest.mark.tensorflow_only(reason)` marks a test of TensorFlow's own machinery
(`tf.function` retracing, `tf.GradientTape`, eager inspection inside a step): on another
backend it is skipped with its reason. `@pytest.mark.backend_independent(reason)` marks a
test whose subject does not differ by backend (KerasTuner's search machinery, whose
training step is the one the step tests check on every backend): CI's JAX run skips it
too, to keep the whole CI run in its time budget.
"""

from __future__ import annotations

import keras
import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "tensorflow_only(reason): skipped on other backends, with the reason"
    )
    config.addinivalue_line(
        "markers",
        "backend_independent(reason): run with TensorFlow only; nothing in it differs by backend",
    )


def pytest_collection_modifyitems(config, items):
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return
    for item in items:
        marker = item.get_closest_marker("tensorflow_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(reason=f"TensorFlow only ({backend} run): {reason}"))
            continue
        marker = item.get_closest_marker("backend_independent")
        if marker is not None:
            reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            item.add_marker(
                pytest.mark.skip(reason=f"backend-independent, run with TensorFlow: {reason}")
            )
