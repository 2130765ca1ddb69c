"""Mixed precision (`mixed_bfloat16`): the networks compute in bfloat16, keep float32
variables, and every figure that needs precision (log-probabilities, losses, rewards, the
sampler's probabilities, gradient norms) is float32. The same on both backends."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from _models import tiny_gan, tiny_models

import keras_seqgan as ks
from keras_seqgan.saving import load_model, save_model

V, T, B = 12, 6, 16


@pytest.fixture
def mixed_bfloat16():
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16")
    yield
    keras.config.set_dtype_policy(previous)


def real_tokens(n=4 * B):
    return np.random.default_rng(0).integers(0, V, size=(n, T)).astype("int32")


def test_mixed_bfloat16_pretrains_and_trains_both_objectives(mixed_bfloat16):
    generator, discriminator = tiny_models(V, T)  # the default dropout
    assert generator.compute_dtype == "bfloat16" and discriminator.compute_dtype == "bfloat16"
    assert {v.dtype for v in generator.weights + discriminator.weights} == {"float32"}
    generator.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = generator.fit(ks.data.mle_dataset(real_tokens(), batch_size=B, seed=1), verbose=0)
    assert np.isfinite(history.history["loss"][-1])
    tokens = real_tokens(B)
    log_probs = generator.log_prob(tokens)
    assert keras.backend.standardize_dtype(log_probs.dtype) == "float32"
    for objective in ("reinforce", "gumbel"):
        gan = tiny_gan(generator, discriminator, objective=objective)
        data = ks.data.sequence_dataset(real_tokens(), batch_size=B, seed=2, repeat=True)
        logs = gan.fit(data, epochs=1, steps_per_epoch=3, verbose=0).history
        for key in ("g_loss", "d_loss", "reward_mean", "d_acc"):
            assert np.isfinite(logs[key][-1]), (objective, key, logs[key])
        assert logs["g_skipped"][-1] == 0 and logs["d_skipped"][-1] == 0, (objective, logs)
        assert {v.dtype for v in gan.weights} <= {"float32", "int64", "uint32", "int32"}
    samples = generator.generate(8, seed=3)
    assert samples.dtype == np.int32 and samples.shape == (8, T)
    assert samples.min() >= 0 and samples.max() < V


def test_bfloat16_log_probs_stay_close_to_float32(mixed_bfloat16):
    """The same weights in both precisions: bfloat16 compute (float32 from the logits on)
    moves each token's log-probability by little: measured 4e-5 mean and 1.4e-4 max
    (TensorFlow), 2e-5 and 1e-4 (JAX); a log-softmax taken in bfloat16 instead is off by
    6e-3 mean, 0.017 max (measured on the same logits)."""
    mixed, _ = tiny_models(V, T, embedding_dim=16, hidden_dim=32)
    keras.config.set_dtype_policy("float32")
    exact, _ = tiny_models(V, T, embedding_dim=16, hidden_dim=32)
    exact.set_weights(mixed.get_weights())
    tokens = real_tokens()
    difference = np.abs(np.asarray(mixed.log_prob(tokens)) - np.asarray(exact.log_prob(tokens)))
    assert difference.mean() < 1e-3, difference.mean()
    assert difference.max() < 5e-3, difference.max()


def test_a_mixed_precision_model_saves_and_loads_with_its_policy(mixed_bfloat16, tmp_path):
    gan = tiny_gan(*tiny_models(V, T))
    gan.fit(real_tokens(), batch_size=B, epochs=1, verbose=0)
    path = tmp_path / "mixed.keras"
    save_model(gan, path)
    keras.config.set_dtype_policy("float32")  # a fresh session with the default policy
    loaded = load_model(path)
    assert loaded.generator.dtype_policy.name == "mixed_bfloat16"
    assert loaded.discriminator.dtype_policy.name == "mixed_bfloat16"
    np.testing.assert_array_equal(loaded.generate(8, seed=4), gan.generate(8, seed=4))
    logs = loaded.fit(real_tokens(), batch_size=B, epochs=1, verbose=0).history
    assert np.isfinite(logs["g_loss"][-1])
