"""`keras_seqgan.pipeline`: the stages the commands and the benchmarks share."""

from __future__ import annotations

import csv
import os

import keras
import numpy as np
import pytest

import keras_seqgan as ks
from keras_seqgan import pipeline
from keras_seqgan.saving import write_csv

V, T = 12, 6


def models(conditions=None):
    keras.utils.set_random_seed(3)
    generator = ks.models.Generator(
        vocabulary_size=V, sequence_length=T, embedding_dim=8, hidden_dim=8, seed=1,
        conditions=conditions,
    )  # fmt: skip
    discriminator = ks.models.Discriminator(
        vocabulary_size=V, sequence_length=T, filter_sizes=(2, 3), num_filters=(4, 4),
        conditions=conditions,
    )  # fmt: skip
    discriminator.build((None, T))
    return generator, discriminator


def real_rows(count=32):
    return np.random.default_rng(0).integers(1, V, size=(count, T)).astype("int32")


def test_copy_model_gives_the_same_outputs_and_shares_no_variables():
    generator, discriminator = models()
    tokens = real_rows(4)
    for model in (generator, discriminator):
        copy = pipeline.copy_model(model)
        assert type(copy) is type(model)
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(copy(tokens)), keras.ops.convert_to_numpy(model(tokens))
        )
        copy.trainable_variables[0].assign(copy.trainable_variables[0] + 1.0)
        assert not np.array_equal(
            keras.ops.convert_to_numpy(copy.trainable_variables[0]),
            keras.ops.convert_to_numpy(model.trainable_variables[0]),
        )
    # Other weights (here the generator's early-stopped ones) instead of the model's own.
    zeros = [np.zeros_like(w) for w in generator.get_weights()]
    copy = pipeline.copy_model(generator, weights=zeros)
    assert all(not np.any(w) for w in copy.get_weights())


def pretrained(rounds, split=None):
    generator, discriminator = models()
    discriminator.compile(optimizer=keras.optimizers.Adam(1e-2))
    done = []
    common = dict(epochs=1, batch_size=16, seed=5, fake_seed=40, after_round=done.append)
    if split is None:
        pipeline.pretrain_discriminator(
            discriminator, generator, real_rows(), rounds=rounds, **common
        )
    else:  # stopped after `split` rounds, then resumed from there
        pipeline.pretrain_discriminator(
            discriminator, generator, real_rows(), rounds=split, **common
        )
        pipeline.pretrain_discriminator(
            discriminator, generator, real_rows(), rounds=rounds, first_round=split, **common
        )
    return discriminator.get_weights(), done


def test_pretraining_is_seeded_and_resumes_round_by_round():
    weights, done = pretrained(3)
    assert done == [1, 2, 3]
    again, _ = pretrained(3)
    resumed, done = pretrained(3, split=1)
    assert done == [1, 2, 3]
    one_round, _ = pretrained(1)
    for a, b, c in zip(weights, again, resumed, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    assert any(not np.array_equal(a, b) for a, b in zip(weights, one_round, strict=True))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(rounds=-1), ValueError, "rounds"),
        (dict(epochs=0), ValueError, "epochs"),
        (dict(seed="1"), TypeError, "seed"),
        (dict(first_round=-2), ValueError, "first_round"),
    ],
)
def test_pretraining_refuses_bad_arguments_before_training(kwargs, error, match):
    generator, discriminator = models()
    discriminator.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = discriminator.get_weights()
    arguments = {**dict(rounds=1, epochs=1, batch_size=16, seed=0), **kwargs}
    with pytest.raises(error, match=match):
        pipeline.pretrain_discriminator(discriminator, generator, real_rows(), **arguments)
    for a, b in zip(before, discriminator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_accuracy_is_the_compiled_metric():
    generator, discriminator = models()
    discriminator.compile(optimizer=keras.optimizers.Adam(1e-2))
    real, fake = real_rows(40), generator.generate(24, seed=2)
    accuracy = pipeline.discriminator_accuracy(discriminator, real, fake, batch_size=7)
    results = discriminator.evaluate(
        ks.data.discriminator_dataset(real, fake, batch_size=64, shuffle=False),
        verbose=0,
        return_dict=True,
    )
    assert accuracy == pytest.approx(results["accuracy"], abs=1e-6)


def test_accuracy_with_conditions_reads_each_rows_own():
    generator, discriminator = models(conditions={"speaker": 3})
    real = real_rows(10)
    own = {"speaker": np.arange(10, dtype="int32") % 3}
    logits = keras.ops.convert_to_numpy(discriminator({"tokens": real, **own}))
    expected = float(np.mean(logits.reshape(-1) > 0))
    accuracy = pipeline.discriminator_accuracy(
        discriminator, real, real[:0], real_conditions=own,
        fake_conditions={"speaker": own["speaker"][:0]}, batch_size=4,
    )  # fmt: skip
    assert accuracy == pytest.approx(expected)


def test_write_csv_orders_columns_and_leaves_nothing_else(tmp_path):
    path = tmp_path / "rows.csv"
    write_csv(path, [{"a": 1, "b": None}, {"c": 2.5, "a": 3}])
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["a", "b", "c"], ["1", "", ""], ["3", "", "2.5"]]
    write_csv(path, [{"a": 1, "b": 2}], columns=["b", "a"])
    assert path.read_text(encoding="utf-8") == "b,a\n2,1\n"
    assert os.listdir(tmp_path) == ["rows.csv"]  # no temporary file left beside it


def test_mismatched_conditions_in_pretraining_teach_the_speaker():
    # Speaker k speaks only tokens [4k, 4k + 4): with real rows under other rows'
    # speakers among the negatives, the discriminator learns to reject a wrong speaker.
    rng = np.random.default_rng(0)
    speaker = rng.integers(0, 3, size=256).astype("int32")
    real = (4 * speaker[:, None] + rng.integers(0, 4, size=(256, T))).astype("int32")
    generator, discriminator = models(conditions={"speaker": 3})
    discriminator.compile(optimizer=keras.optimizers.Adam(1e-2))
    pipeline.pretrain_discriminator(
        discriminator, generator, real, rounds=4, epochs=2, batch_size=32, seed=0,
        conditions={"speaker": speaker}, mismatched_conditions=0.5,
    )  # fmt: skip
    wrong = {"speaker": (speaker + 1) % 3}
    logits = keras.ops.convert_to_numpy(discriminator({"tokens": real, **wrong}))
    assert np.mean(logits < 0) > 0.8  # without them (mismatched_conditions=0): 0.33
    with pytest.raises(ValueError, match="needs `conditions`"):
        pipeline.pretrain_discriminator(
            discriminator, generator, real, rounds=1, epochs=1, batch_size=32, seed=0,
            mismatched_conditions=0.5,
        )  # fmt: skip


def test_accuracy_of_a_per_prefix_discriminator_is_each_rows_share_of_right_logits():
    discriminator = ks.models.PrefixDiscriminator(vocabulary_size=12, sequence_length=5, seed=3)
    real, fake = real_rows(6)[:, :5], real_rows(4)[::-1, :5]
    real_logits = keras.ops.convert_to_numpy(discriminator(real))
    fake_logits = keras.ops.convert_to_numpy(discriminator(fake))
    assert real_logits.shape == (6, 5)
    expected = (
        np.sum(np.mean(real_logits > 0, axis=1)) + np.sum(np.mean(fake_logits <= 0, axis=1))
    ) / 10
    accuracy = pipeline.discriminator_accuracy(discriminator, real, fake, batch_size=4)
    assert 0.0 <= accuracy <= 1.0 and accuracy == pytest.approx(expected)
