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


# The test files that take longest (measured with `--durations`), longest first. Under
# `pytest -n` (`--dist loadfile`, pyproject.toml) a file goes whole to the next free
# worker in collection order, so the long ones start first and short ones fill in after:
# otherwise a long file collected last (they sort late: test_resume, test_seqgan) runs
# alone at the end while the other worker idles.
LONGEST_FIRST = (
    "test_resume.py",
    "test_seqgan.py",
    "test_step_semantics.py",
    "test_cli_text.py",
    "test_reproducibility.py",
    "test_conditioning.py",
    "test_objectives.py",
    "test_callbacks.py",
    "test_cli_demo.py",
    "test_tuning.py",
    "test_datasets.py",
    "test_adversarial_math.py",
    "test_regularization.py",
)


def _file_rank(item):
    name = item.path.name
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(config, items):
    items[:] = sorted(items, key=_file_rank)  # stable: a file's tests keep their order
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
