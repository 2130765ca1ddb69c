"""The package without TensorFlow: JAX alone, its pipelines as `keras.utils.PyDataset`s.

CI runs this file (with a few others) on JAX in an environment where TensorFlow is not
installed (`.ci/run`). In the full environment the same tests run with
`keras_seqgan._tf.installed` patched to `False`, so the pipelines take their
TensorFlow-free form there too; only what needs TensorFlow to be really absent is
skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from _models import tiny_gan, tiny_models

import keras_seqgan as ks
from keras_seqgan import _tf

V, T = 12, 5
ABSENT = not _tf.installed()


@pytest.fixture(autouse=True)
def without_tensorflow(monkeypatch):
    """The pipelines take their form without TensorFlow (already so where it is absent)."""
    monkeypatch.setattr(_tf, "installed", lambda: False)


def real_tokens(count=40, seed=0):
    return np.random.default_rng(seed).integers(0, V, size=(count, T), dtype="int32")


def epoch_rows(dataset):
    """The batches of one iteration (one epoch), as Keras's adapter reads them."""
    rows = [dataset[index] for index in range(dataset.num_batches)]
    dataset.on_epoch_end()
    return rows


def test_the_pipelines_are_py_datasets_of_the_same_batches():
    tokens = real_tokens(10)
    conditions = {"speaker": np.arange(10) % 3}
    mle = ks.data.mle_dataset(tokens, batch_size=4, shuffle=False)
    assert isinstance(mle, keras.utils.PyDataset) and len(mle) == 3  # the last batch has 2
    x, y = mle[0]
    np.testing.assert_array_equal(x, tokens[:4])
    np.testing.assert_array_equal(y, tokens[:4])
    assert mle[2][0].shape == (2, T)
    dropped = ks.data.sequence_dataset(tokens, batch_size=4, drop_remainder=True, seed=1)
    assert len(dropped) == 2 and dropped.data_position is not None
    conditional = ks.data.mle_dataset(tokens, batch_size=5, shuffle=False, conditions=conditions)
    x, y = conditional[1]
    assert sorted(x) == ["speaker", "tokens"]
    np.testing.assert_array_equal(x["speaker"], conditions["speaker"][5:])
    np.testing.assert_array_equal(y, tokens[5:])
    fake = real_tokens(6, seed=1)
    judged = ks.data.discriminator_dataset(tokens, fake, batch_size=16, shuffle=False)
    (x, labels) = judged[0]
    np.testing.assert_array_equal(x, np.concatenate([tokens, fake]))
    np.testing.assert_array_equal(labels[:, 0], [1.0] * 10 + [0.0] * 6)


def test_each_epochs_order_is_a_function_of_the_seed_and_the_epoch():
    tokens = np.arange(24, dtype="int32").reshape(12, 2) % V
    first, second = (ks.data.sequence_dataset(tokens, batch_size=4, seed=7) for _ in range(2))
    orders = []
    for dataset in (first, second):
        dataset.data_position.set(3)
        orders.append(np.concatenate(epoch_rows(dataset)))
    np.testing.assert_array_equal(orders[0], orders[1])
    assert sorted(map(tuple, orders[0])) == sorted(map(tuple, tokens))  # each row once
    first.data_position.set(4)
    assert not np.array_equal(np.concatenate(epoch_rows(first)), orders[0])
    # Without a position, each iteration a fresh order; the same sequence for the same seed.
    fresh = [
        [np.concatenate(epoch_rows(d)) for _ in range(2)]
        for d in (ks.data.sequence_dataset(tokens, batch_size=4, seed=7) for _ in range(2))
    ]
    assert not np.array_equal(fresh[0][0], fresh[0][1])
    assert all(np.array_equal(a, b) for a, b in zip(fresh[0], fresh[1], strict=True))
    in_order = ks.data.sequence_dataset(tokens, batch_size=4, shuffle=False)
    np.testing.assert_array_equal(np.concatenate(epoch_rows(in_order)), tokens)


def test_an_endless_stream_starts_at_its_epochs_batch():
    tokens = real_tokens(10)
    stream = ks.data.sequence_dataset(tokens, batch_size=4, seed=3, repeat=True)
    assert stream.num_batches is None
    assert stream.repeats
    uninterrupted = np.concatenate([stream[index] for index in range(9)])  # 36 rows: 3.6 passes
    for start in (0, 10, 20):  # each whole pass holds every row once
        assert sorted(map(tuple, uninterrupted[start : start + 10])) == sorted(map(tuple, tokens))
    assert not np.array_equal(uninterrupted[:10], uninterrupted[10:20])
    resumed = ks.data.sequence_dataset(tokens, batch_size=4, seed=3, repeat=True)
    resumed.data_position.set(2, steps_per_epoch=3)  # epoch 2 of 3 batches: batch 6 on
    np.testing.assert_array_equal(
        np.concatenate([resumed[index] for index in range(3)]), uninterrupted[24:]
    )
    with pytest.raises(ValueError, match="steps_per_epoch"):
        gan = tiny_gan(*tiny_models(V, T))
        gan.fit(stream, epochs=1, verbose=0)


def test_mle_and_discriminator_pretraining_then_adversarial_fit_save_and_load(tmp_path):
    real = real_tokens(64)
    generator, discriminator = tiny_models(V, T)
    generator.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = generator.fit(ks.data.mle_dataset(real, batch_size=16, seed=1), epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]
    fake = generator.generate(64, seed=2)
    discriminator.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    discriminator.fit(
        ks.data.discriminator_dataset(real, fake, batch_size=16, seed=3), epochs=1, verbose=0
    )
    gan = tiny_gan(generator, discriminator)
    history = gan.fit(
        ks.data.sequence_dataset(real, batch_size=16, seed=4),
        epochs=2,
        verbose=0,
        callbacks=[ks.callbacks.TemperatureAnnealing(), keras.callbacks.TerminateOnNaN()],
    )
    assert np.isfinite(history.history["g_loss"]).all()
    assert history.history["temperature"] == pytest.approx([2.0, 1.9])
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.generate(8, seed=5), gan.generate(8, seed=5))


def _trained(epochs, initial_epoch=0, gan=None):
    if gan is None:
        gan = tiny_gan(*tiny_models(V, T))  # the default discriminator, with its dropout
    real = real_tokens(48)
    gan.fit(
        ks.data.sequence_dataset(real, batch_size=16, seed=11),
        epochs=epochs,
        initial_epoch=initial_epoch,
        verbose=0,
    )
    return gan


def test_a_resumed_fit_equals_an_uninterrupted_one(tmp_path):
    """Shuffled data, the default discriminator: epoch 1 after a save and a load is the
    uninterrupted run's epoch 1, weight for weight."""
    expected = [w.numpy() for w in _trained(2).weights]
    keras.backend.clear_session()
    path = tmp_path / "epoch1.keras"
    _trained(1).save(path)
    keras.backend.clear_session()
    resumed = _trained(2, initial_epoch=1, gan=keras.models.load_model(path))
    got = [w.numpy() for w in resumed.weights]
    assert len(got) == len(expected)
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_word_tokenizer_gives_the_same_ids_without_tensorflow(monkeypatch):
    texts = ["the cat sat on the mat", "a dog sat", "the bird flew over the mat twice"]
    tokenizer = ks.data.Tokenizer(sequence_length=6, max_tokens=8).adapt(texts)
    ids = tokenizer.encode(texts + ["an unseen word"])
    assert tokenizer._lookup_layer is None  # the dict, not the TensorFlow table
    if ABSENT:
        assert ids[-1].tolist()[:3] == [tokenizer.oov_id] * 3
        return
    monkeypatch.setattr(_tf, "installed", lambda: True)
    fresh = ks.data.Tokenizer.from_config(tokenizer.get_config())
    np.testing.assert_array_equal(fresh.encode(texts + ["an unseen word"]), ids)
    assert fresh._lookup_layer is not None


def test_what_needs_tensorflow_says_what_to_install():
    with pytest.raises(ImportError, match=r"keras-seqgan\[tensorflow\]"):
        _tf.require("SeqGAN.export")


def test_without_a_backend_the_import_says_what_to_install():
    """A plain `pip install keras-seqgan` has no backend: the import names the extras."""
    code = (
        "import sys\n"
        "sys.modules['tensorflow'] = None\n"  # as if not installed
        "sys.argv = ['python']\n"
        "import keras_seqgan\n"
    )
    env = dict(os.environ, KERAS_BACKEND="tensorflow")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode != 0
    assert "Keras's backend is not installed ('tensorflow' is missing)" in result.stderr
    assert 'pip install "keras-seqgan[tensorflow]"' in result.stderr


@pytest.mark.skipif(not ABSENT, reason="TensorFlow is installed here")
def test_tensorflow_is_really_absent_and_never_imported():
    with pytest.raises(ModuleNotFoundError):
        import tensorflow  # noqa: F401
    assert "tensorflow" not in sys.modules
    assert keras.backend.backend() == "jax"
