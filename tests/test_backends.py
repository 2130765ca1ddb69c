"""The backend seam: the same `.keras` file and the same random numbers on TensorFlow and JAX.

Each run is a fresh process of `tests/_resume_script.py` with its own `KERAS_BACKEND`
(a process picks its backend once, at import). Marked slow: four processes, each
importing both frameworks and compiling a step.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_resume_script.py")
TIMEOUT_S = 300  # per process: a bound, never reached by a healthy run

needs_jax = pytest.mark.skipif(
    importlib.util.find_spec("jax") is None,
    reason="JAX is not installed (pip install -e '.[jax]')",
)


def run_script(backend, tmp_path, name, *args):
    env = dict(
        os.environ,
        KERAS_BACKEND=backend,
        TF_CPP_MIN_LOG_LEVEL="3",
        CUDA_VISIBLE_DEVICES="",
        JAX_PLATFORMS="cpu",
    )
    result = subprocess.run(
        [sys.executable, SCRIPT, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT_S,
    )
    (tmp_path / f"{name}.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, f"{name} on {backend} failed:\n{result.stderr[-3000:]}"


def load(path):
    with np.load(path) as arrays:
        return {key: arrays[key] for key in arrays.files}


@needs_jax
@pytest.mark.slow
@pytest.mark.parametrize("saved_on, loaded_on", [("tensorflow", "jax"), ("jax", "tensorflow")])
def test_a_keras_file_saved_on_one_backend_loads_and_trains_on_the_other(
    tmp_path, saved_on, loaded_on
):
    """Every weight, both optimizers' state and the random stream arrive unchanged.

    Then the loaded model samples the same tokens from the same seed as the saving
    process did (the counter-based uniforms are the same bits on both backends, and the
    tiny generator's probabilities agree to float rounding), and trains on.
    """
    model = tmp_path / "model.keras"
    run_script(
        saved_on, tmp_path, "save", "train", "--epochs", 1, "--save-keras", model,
        "--weights", tmp_path / "saved.npz", "--samples", tmp_path / "saved_samples.npz",
    )  # fmt: skip
    run_script(
        loaded_on, tmp_path, "load", "resume", "--epochs", 1, "--load-keras", model,
        "--loaded-weights", tmp_path / "loaded.npz", "--samples",
        tmp_path / "loaded_samples.npz", "--weights", tmp_path / "trained.npz",
    )  # fmt: skip
    saved, loaded = load(tmp_path / "saved.npz"), load(tmp_path / "loaded.npz")
    assert sorted(saved) == sorted(loaded)
    for key in saved:
        # Integer state (counters, the seed stream) is int64 on TensorFlow and int32 or
        # uint32 on JAX: the values must be equal.
        np.testing.assert_array_equal(
            saved[key].astype(loaded[key].dtype), loaded[key], err_msg=key
        )
    assert any(key.startswith("g_opt/") for key in saved)
    np.testing.assert_array_equal(
        load(tmp_path / "saved_samples.npz")["tokens"],
        load(tmp_path / "loaded_samples.npz")["tokens"],
    )
    trained = load(tmp_path / "trained.npz")
    assert all(np.all(np.isfinite(value)) for value in trained.values())
    weights = [key for key in saved if key.startswith("model/") and "kernel" in key]
    assert any(not np.array_equal(saved[key], trained[key]) for key in weights)
    assert int(trained["seed_state/seqgan"][1]) > int(saved["seed_state/seqgan"][1])


@needs_jax
@pytest.mark.parametrize("seed", [0, 7, 2**32 + 5])
def test_uniform_numbers_are_the_same_bits_on_both_backends(seed):
    """Both backend modules import in any process: their draws from one seed are equal."""
    from keras_seqgan.backend import jax as jax_backend
    from keras_seqgan.backend import tensorflow as tf_backend

    shape = (3, 1000)
    tf_values = np.asarray(tf_backend.uniform(shape, seed))
    jax_values = np.asarray(jax_backend.uniform(shape, seed))
    np.testing.assert_array_equal(tf_values, jax_values)
    assert 0.0 <= tf_values.min() and tf_values.max() < 1.0
    assert abs(float(tf_values.mean()) - 0.5) < 0.02
