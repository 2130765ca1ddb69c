"""Same seeds, same run, as users get it: no global seed, shuffled data, default dropout.

`keras.utils.set_random_seed` is never called here. Everything random in a run is seeded
through constructor arguments: `Generator(seed=..., initializer=...(seed=...))`,
`Discriminator(seed=...)` (initial weights and dropout), `SeqGAN(seed=...)` and
`sequence_dataset(..., seed=...)`. Between the two runs the process's global random
state moves on, so anything left to it would differ.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from _models import tiny_gan, tiny_models

import keras_seqgan as ks
from keras_seqgan.data import sequence_dataset
from keras_seqgan.models import Discriminator, Generator

V, T, B = 12, 5, 8


def seeded_gan(
    objective, vocabulary_size=V, sequence_length=T, discriminator_seed=3, **compile_kwargs
):
    """A small SeqGAN whose every random number comes from a constructor's seed (the
    default dropout, 0.25; no global seed)."""
    models = tiny_models(
        vocabulary_size,
        sequence_length,
        global_seed=None,
        discriminator_seed=discriminator_seed,
        embedding_dim=8,
        hidden_dim=16,
        discriminator_embedding_dim=8,
        filter_sizes=(2, 3),
        num_filters=8,
        initializer=keras.initializers.RandomNormal(stddev=0.1, seed=2),
    )
    return tiny_gan(*models, objective=objective, **compile_kwargs)


def train(objective, discriminator_seed=3):
    real = np.random.default_rng(0).integers(0, V, size=(4 * B, T)).astype("int32")
    gan = seeded_gan(objective, discriminator_seed=discriminator_seed)
    initial = [np.array(w) for w in gan.weights]
    data = sequence_dataset(real, batch_size=B, seed=11)  # shuffled, the default
    history = gan.fit(data, epochs=1, verbose=0)
    return initial, [np.array(w) for w in gan.weights], history.history


@pytest.mark.parametrize("objective", ["reinforce", "gumbel"])
def test_the_same_seeds_give_the_same_run_without_a_global_seed(objective):
    first, second = train(objective), train(objective)
    for a, b in zip(first[0], second[0], strict=True):
        np.testing.assert_array_equal(a, b)  # initial weights
    for a, b in zip(first[1], second[1], strict=True):
        np.testing.assert_array_equal(a, b)  # trained weights
    assert first[2] == second[2]
    # The discriminator's seed matters: another one starts elsewhere.
    other = [np.array(w) for w in seeded_gan(objective, discriminator_seed=4).weights]
    assert any(not np.array_equal(a, b) for a, b in zip(first[0], other, strict=True))


def test_discriminator_seed_fixes_initial_weights_and_dropout():
    tokens = np.random.default_rng(1).integers(0, V, size=(16, T))

    def make(seed):
        return Discriminator(
            vocabulary_size=V,
            sequence_length=T,
            filter_sizes=(2, 3),
            num_filters=(8, 8),
            seed=seed,
        )

    a, b, c = make(7), make(7), make(8)
    for x, y in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)
    assert all(
        not np.array_equal(x, y)
        for x, y in zip(a.get_weights(), c.get_weights(), strict=True)
        if x.any()
    )
    # The same dropout masks in training, a fresh mask each call; none outside training.
    first = np.asarray(a(tokens, training=True))
    np.testing.assert_array_equal(first, np.asarray(b(tokens, training=True)))
    assert not np.array_equal(first, np.asarray(a(tokens, training=True)))
    np.testing.assert_array_equal(np.asarray(a(tokens)), np.asarray(b(tokens)))
    # Different weights (kernels and embeddings) come from different seeds per weight.
    kernels = [w for w in a.get_weights() if w.ndim >= 2 and w.shape[0] == w.shape[-1]]
    assert not any(
        np.array_equal(k1, k2) for i, k1 in enumerate(kernels) for k2 in kernels[i + 1 :]
    )
    assert make(7).get_config()["seed"] == 7
    with pytest.raises(ValueError, match="seed"):
        make(-1)
    with pytest.raises(TypeError, match="seed"):
        make("7")


@keras.saving.register_keras_serializable("tests")
class Jitter(keras.layers.Layer):
    """A user's layer with a random stream of its own: Gaussian noise in training."""

    def __init__(self, stddev=0.1, **kwargs):
        super().__init__(**kwargs)
        self.stddev = stddev
        self.seed_generator = keras.random.SeedGenerator(None)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        noise = keras.random.normal(keras.ops.shape(inputs), seed=self.seed_generator)
        return inputs + self.stddev * noise

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev}


def gan_with_keras_dropout():
    """A SeqGAN whose discriminator holds Keras's own `Dropout` and a user's noise layer."""
    keras.utils.set_random_seed(0)  # seeds Keras's layers, as a user would
    tokens = keras.Input((T,), dtype="int32")
    x = keras.layers.Embedding(V, 8)(tokens)
    x = Jitter()(x)
    x = keras.layers.Dropout(0.3)(keras.layers.GlobalAveragePooling1D()(x))
    discriminator = keras.Model(tokens, keras.layers.Dense(1)(x))
    generator = Generator(vocabulary_size=V, sequence_length=T, embedding_dim=8, hidden_dim=8)
    gan = ks.SeqGAN(generator, discriminator, num_rollouts=2, seed=5)
    gan.compile(generator_optimizer="adam", discriminator_optimizer="adam")
    return gan


def test_every_random_stream_is_saved_keras_layers_and_users_too(tmp_path):
    """Keras saves no SeedGenerator state; a SeqGAN saves every one in it, so a loaded
    model continues as the original: 1 epoch, save, load, 1 more == 2 epochs."""
    real = np.random.default_rng(0).integers(0, V, size=(4 * B, T)).astype("int32")
    straight = gan_with_keras_dropout()
    straight.fit(sequence_dataset(real, batch_size=B, seed=11), epochs=2, verbose=0)

    first = gan_with_keras_dropout()
    first.fit(sequence_dataset(real, batch_size=B, seed=11), epochs=1, verbose=0)
    first.save(tmp_path / "gan.keras")
    streams = [np.array(v) for v in first._random_streams()]
    paths = [v.path for v in first._random_streams()]
    # SeqGAN 2, generator 2 (its own, its LSTM's), rollout copy 2, discriminator 2.
    assert len(paths) == 8, paths
    keras.utils.set_random_seed(123)  # the global state moves on: nothing may depend on it
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    for saved, restored in zip(streams, loaded._random_streams(), strict=True):
        np.testing.assert_array_equal(saved, np.array(restored))
    loaded.fit(sequence_dataset(real, batch_size=B, seed=11), epochs=2, initial_epoch=1, verbose=0)
    for a, b in zip(straight.variables, loaded.variables, strict=True):
        np.testing.assert_array_equal(np.array(a), np.array(b), err_msg=a.path)


def test_a_resumed_fit_warns_about_shuffled_data_it_cannot_reposition():
    import warnings

    import tensorflow as tf

    real = np.random.default_rng(0).integers(0, V, size=(2 * B, T)).astype("int32")
    gan = seeded_gan("gumbel")
    own = tf.data.Dataset.from_tensor_slices(real).shuffle(2 * B).batch(B)
    with pytest.warns(UserWarning, match="a tf.data pipeline other than"):
        gan.fit(own, epochs=2, initial_epoch=1, verbose=0)
    with pytest.warns(UserWarning, match="NumPy arrays shuffled by Keras"):
        gan.fit(real, batch_size=B, epochs=2, initial_epoch=1, verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gan.fit(sequence_dataset(real, batch_size=B, seed=1), epochs=2, initial_epoch=1, verbose=0)
        gan.fit(real, batch_size=B, shuffle=False, epochs=2, initial_epoch=1, verbose=0)
        gan.fit(own, epochs=1, verbose=0)  # not a resume
    assert not [w for w in caught if "resumes an earlier run" in str(w.message)]
