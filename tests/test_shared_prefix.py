"""Shared-prefix scoring of rollouts: the same rewards as scoring every completion whole."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_seqgan as ks
from keras_seqgan.models import Discriminator, Generator
from keras_seqgan.objectives import rollout_completions, rollout_rewards

V, T, R = 30, 8, 3


def models(conditions=None, **discriminator_kwargs):
    generator = Generator(V, T, embedding_dim=8, hidden_dim=8, seed=1, conditions=conditions)
    # The default widths (the paper's that fit: 1-8) and dropout; few filters, for speed.
    discriminator_kwargs.setdefault("num_filters", (4,) * T)
    discriminator = Discriminator(V, T, seed=2, conditions=conditions, **discriminator_kwargs)
    return generator, discriminator


def rewards(generator, discriminator, tokens, share_prefix, **kwargs):
    kwargs = dict(num_rollouts=R, temperature=0.9, seed=5, share_prefix=share_prefix, **kwargs)
    return np.asarray(rollout_rewards(generator, discriminator, tokens, **kwargs))


@pytest.mark.parametrize("prefix_length", [0, 1, 2, 5, T - 1, T])
def test_completion_logits_equal_scoring_every_completion(prefix_length):
    generator, discriminator = models()
    tokens = generator.generate(4, seed=3)
    completions = rollout_completions(
        generator, tokens, num_rollouts=R, temperature=1.0, seed=4
    )  # every prefix's group; take the one of `prefix_length` (or any rows for 0 and T)
    group = 4 * R
    start = (min(max(prefix_length, 1), T - 1) - 1) * group
    rows = np.array(completions[start : start + group])
    rows[:, :prefix_length] = np.repeat(np.asarray(tokens)[:, :prefix_length], R, axis=0)
    whole = np.asarray(discriminator(rows, training=False))
    shared = np.asarray(
        discriminator.completion_logits(tokens, rows, prefix_length=prefix_length, num_rollouts=R)
    )
    np.testing.assert_allclose(shared, whole, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"score_rows": 7}, {"chunk_size": 2}, {"chunk_size": 3, "score_rows": 4}],
    ids=["whole", "score_rows", "chunked", "both"],
)
def test_rewards_equal_the_unshared_ones(kwargs):
    generator, discriminator = models()
    tokens = generator.generate(5, seed=3)
    np.testing.assert_allclose(
        rewards(generator, discriminator, tokens, True, **kwargs),
        rewards(generator, discriminator, tokens, False, **kwargs),
        rtol=1e-5,
        atol=1e-6,
    )


def test_rewards_equal_the_unshared_ones_small_discriminator_and_conditions():
    generator, discriminator = models(
        conditions={"speaker": 3}, filter_sizes=(2, 3), num_filters=(6, 6)
    )
    tokens = generator.generate(4, seed=3, conditions={"speaker": [0, 1, 2, 1]})
    conditions = {"speaker": np.array([0, 1, 2, 1], "int32")}
    np.testing.assert_allclose(
        rewards(generator, discriminator, tokens, True, conditions=conditions),
        rewards(generator, discriminator, tokens, False, conditions=conditions),
        rtol=1e-5,
        atol=1e-6,
    )


@pytest.mark.tensorflow_only("an unknown batch size exists only in a TensorFlow graph")
def test_rewards_in_a_graph_with_an_unknown_batch_size():
    generator, discriminator = models()
    tokens = generator.generate(5, seed=3)

    @tf.function(input_signature=[tf.TensorSpec([None, T], tf.int32)])
    def shared(tokens):
        kwargs = dict(num_rollouts=R, temperature=0.9, seed=5, score_rows=7)
        return rollout_rewards(generator, discriminator, tokens, **kwargs)

    np.testing.assert_allclose(
        np.asarray(shared(tokens)),
        rewards(generator, discriminator, tokens, False, score_rows=7),
        rtol=1e-5,
        atol=1e-6,
    )


def test_a_discriminator_without_completion_logits_is_called_on_every_completion():
    generator, _ = models()
    calls = []

    class Plain(keras.Model):
        def __init__(self):
            super().__init__()
            self.embedding = keras.layers.Embedding(V, 4)
            self.dense = keras.layers.Dense(1)

        def call(self, tokens, training=False):
            calls.append(tokens.shape[0])
            return self.dense(keras.ops.mean(self.embedding(tokens), axis=1))

    discriminator = Plain()
    tokens = generator.generate(2, seed=3)
    shared = rewards(generator, discriminator, tokens, True)
    # The full sequences, then every completion whole; never one prefix's group alone.
    assert calls[-1] == (T - 1) * 2 * R and 2 * R not in calls
    np.testing.assert_array_equal(shared, rewards(generator, discriminator, tokens, False))


def test_seqgan_compile_option_trains_alike_and_is_saved(tmp_path):
    real = np.random.default_rng(0).integers(0, V, (8, T)).astype("int32")
    losses = {}
    for shared in (True, False):
        keras.utils.set_random_seed(0)
        generator, discriminator = models()
        gan = ks.SeqGAN(generator, discriminator, num_rollouts=2, seed=3)
        gan.compile(rollout_shared_prefix=shared)
        history = gan.fit(real, batch_size=4, epochs=1, shuffle=False, verbose=0)
        losses[shared] = history.history["g_loss"][-1]
    assert losses[True] == pytest.approx(losses[False], rel=1e-4, abs=1e-5)
    assert gan.get_compile_config()["rollout_shared_prefix"] is False
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    assert keras.models.load_model(path).rollout_shared_prefix is False
    with pytest.raises(TypeError, match=r"rollout_shared_prefix.*bool.*='yes'"):
        gan.compile(rollout_shared_prefix="yes")
