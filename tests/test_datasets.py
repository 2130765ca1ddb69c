"""Tests for `keras_seqgan.data` token validation and `tf.data` pipelines."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from keras_seqgan.data import (
    discriminator_dataset,
    mle_dataset,
    sequence_dataset,
    validate_tokens,
)

TOKENS = np.arange(50, dtype="int64").reshape(10, 5) % 10  # 10 sequences of length 5.


def epoch(dataset: tf.data.Dataset) -> list:
    return [tf.nest.map_structure(lambda tensor: tensor.numpy(), batch) for batch in dataset]


def rows(batches: list) -> np.ndarray:
    return np.concatenate([batch[0] if isinstance(batch, tuple) else batch for batch in batches])


# validate_tokens


@pytest.mark.parametrize(
    "tokens",
    [TOKENS, TOKENS.tolist(), tf.constant(TOKENS), TOKENS.astype("uint8"), tf.Variable(TOKENS)],
)
def test_validate_tokens_accepts_array_likes(tokens):
    validated = validate_tokens(tokens, vocabulary_size=10, sequence_length=5)
    assert validated.dtype == np.int32 and validated.shape == (10, 5)
    np.testing.assert_array_equal(validated, TOKENS)


@pytest.mark.parametrize(
    "tokens, kwargs, error, match",
    [
        (TOKENS.astype("float32"), {}, TypeError, r"`tokens`.*integer.*float32"),
        (np.ones((2, 3), "float64"), {}, TypeError, "float64"),  # Integral values still refused.
        (np.ones((2, 3), bool), {}, TypeError, "bool"),
        (np.array([["a", "b"]]), {}, TypeError, "integer"),
        ("abc", {}, TypeError, "`tokens`"),
        (np.zeros(5, "int32"), {}, ValueError, r"rank 2.*\(5,\).*rank 1"),
        (np.zeros((2, 3, 4), "int32"), {}, ValueError, r"rank 2.*\(2, 3, 4\)"),
        (TOKENS, {"sequence_length": 6}, ValueError, r"sequence length 6.*\(10, 5\)"),
        (TOKENS, {"vocabulary_size": 9}, ValueError, r"vocabulary_size=9.*maximum id of 9"),
        (TOKENS - 3, {}, ValueError, r"non-negative.*minimum id of -3"),
        (np.full((1, 2), 2**31, "int64"), {}, ValueError, r"int32.*2147483648"),
        (np.zeros((0, 5), "int32"), {}, ValueError, r"empty.*\(0, 5\)"),
        ([], {}, ValueError, "empty"),
        ([[1, 2], [3]], {}, ValueError, "rectangular"),
    ],
)
def test_validate_tokens_rejects_bad_tokens(tokens, kwargs, error, match):
    with pytest.raises(error, match=match):
        validate_tokens(tokens, **kwargs)


def test_validate_tokens_names_the_argument():
    with pytest.raises(TypeError, match="`samples`"):
        validate_tokens(np.zeros((2, 2), "float32"), name="samples")


# mle_dataset


def test_mle_dataset_yields_identical_pairs():
    batches = epoch(mle_dataset(TOKENS, batch_size=4, shuffle=False))
    assert [batch[0].shape for batch in batches] == [(4, 5), (4, 5), (2, 5)]
    for x, y in batches:
        assert x.dtype == np.int32 and y.dtype == np.int32
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(rows(batches), TOKENS)


def test_mle_dataset_drop_remainder():
    batches = epoch(mle_dataset(TOKENS, batch_size=4, drop_remainder=True, seed=0))
    assert [batch[0].shape for batch in batches] == [(4, 5), (4, 5)]


def test_mle_dataset_vocabulary_check():
    with pytest.raises(ValueError, match="vocabulary_size=5"):
        mle_dataset(TOKENS, vocabulary_size=5)


# sequence_dataset


def test_sequence_dataset_batches():
    dataset = sequence_dataset(TOKENS, batch_size=3, seed=1)
    batches = epoch(dataset)
    assert [batch.shape for batch in batches] == [(3, 5)] * 3  # drop_remainder=True by default.
    assert all(batch.dtype == np.int32 for batch in batches)
    assert dataset.element_spec.shape.as_list() == [3, 5]
    everything = rows(epoch(sequence_dataset(TOKENS, batch_size=3, drop_remainder=False, seed=1)))
    assert sorted(map(tuple, everything)) == sorted(map(tuple, TOKENS))


@pytest.mark.parametrize(
    "dataset",
    [
        mle_dataset(TOKENS, batch_size=3, seed=1),
        mle_dataset(TOKENS, batch_size=3, shuffle=False),
        sequence_dataset(TOKENS, batch_size=3, seed=1, repeat=True),
        discriminator_dataset(TOKENS, TOKENS, batch_size=4, seed=1),
        mle_dataset(TOKENS, batch_size=3, seed=1, conditions={"speaker": np.arange(10) % 3}),
    ],
    ids=["mle", "mle-unshuffled", "repeated", "discriminator", "conditions"],
)
def test_pipelines_run_without_tf_data_autotuning(dataset):
    """Deleting an iterator of an autotuned pipeline (Keras does after every epoch) can
    wait for the autotuning thread's sleep to end, up to a minute: none is started."""
    assert dataset.options().autotune.enabled is False


@pytest.mark.parametrize("make", [sequence_dataset, mle_dataset])
def test_shuffle_order_is_determined_by_seed(make):
    tokens = np.arange(200, dtype="int32").reshape(100, 2)
    first = make(tokens, batch_size=10, seed=5)
    second = make(tokens, batch_size=10, seed=5)
    first_epochs = [rows(epoch(first)) for _ in range(2)]
    second_epochs = [rows(epoch(second)) for _ in range(2)]
    for mine, theirs in zip(first_epochs, second_epochs, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    # Reshuffled each epoch, and shuffled at all.
    assert not np.array_equal(first_epochs[0], first_epochs[1])
    assert not np.array_equal(first_epochs[0], tokens)
    other = rows(epoch(make(tokens, batch_size=10, seed=6)))
    assert not np.array_equal(other, first_epochs[0])


@pytest.mark.parametrize("make", [sequence_dataset, mle_dataset, discriminator_dataset])
def test_an_epochs_order_is_a_function_of_the_seed_and_the_epoch(make):
    """`data_position.set(k)` serves epoch k's order to a dataset built in any process,
    whatever it iterated before; each epoch is a permutation of the rows."""
    tokens = np.arange(200, dtype="int32").reshape(100, 2)
    args = (tokens, tokens[:7]) if make is discriminator_dataset else (tokens,)

    def order_of(epoch_index, warm_up=0):
        dataset = make(*args, batch_size=10, seed=5)
        for _ in range(warm_up):
            epoch(dataset)
        dataset.data_position.set(epoch_index)
        return rows(epoch(dataset))

    third = order_of(2)
    np.testing.assert_array_equal(third, order_of(2, warm_up=3))
    assert not np.array_equal(third, order_of(1))
    assert sorted(map(tuple, third)) == sorted(map(tuple, np.concatenate(args)))
    # Set, the order stays until moved; -1 lets the dataset draw a fresh one each epoch.
    dataset = make(*args, batch_size=10, seed=5)
    dataset.data_position.set(2)
    np.testing.assert_array_equal(rows(epoch(dataset)), rows(epoch(dataset)))
    dataset.data_position.set(-1)
    assert not np.array_equal(rows(epoch(dataset)), rows(epoch(dataset)))
    assert int(dataset.cardinality()) == (11 if make is discriminator_dataset else 10)


def test_shuffling_keeps_tokens_and_their_conditions_together():
    tokens = np.arange(100, dtype="int32").reshape(50, 2)
    speaker = np.arange(50, dtype="int32") % 7
    dataset = sequence_dataset(
        tokens, batch_size=5, seed=3, conditions={"speaker": speaker}, drop_remainder=False
    )
    for batch in epoch(dataset):
        np.testing.assert_array_equal(batch["speaker"], (batch["tokens"][:, 0] // 2) % 7)
    labelled = epoch(discriminator_dataset(tokens[:20], tokens[20:30], batch_size=4, seed=1))
    for batch_tokens, labels in labelled:
        np.testing.assert_array_equal(labels[:, 0], (batch_tokens[:, 0] < 40).astype("float32"))


def test_unshuffled_datasets_have_one_order_and_no_position():
    dataset = sequence_dataset(TOKENS, batch_size=3, shuffle=False)
    assert dataset.data_position is None
    np.testing.assert_array_equal(rows(epoch(dataset)), TOKENS[:9])


def take_rows(dataset, batches):
    iterator = iter(dataset)
    return rows(
        [tf.nest.map_structure(lambda t: t.numpy(), next(iterator)) for _ in range(batches)]
    )


@pytest.mark.parametrize("make", [sequence_dataset, mle_dataset])
@pytest.mark.parametrize("shuffle", [True, False])
def test_a_repeated_dataset_is_the_epochs_one_after_another_from_its_position(make, shuffle):
    """`repeat=True`: pass p in epoch p's order, batches across passes all full; an
    iteration begun at epoch e with S steps an epoch starts at batch e * S."""
    tokens = np.arange(20, dtype="int32").reshape(10, 2)
    options = {"seed": 3} if shuffle else {"shuffle": False}
    stream = make(tokens, batch_size=4, repeat=True, **options)
    assert stream.data_position is not None and stream.repeats
    first_12 = take_rows(stream, 3 * 10 // 4 + 1)  # 32 rows: passes 0, 1, 2 and 2 more
    once = make(tokens, batch_size=10, **options)
    passes = []
    for index in range(4):
        if shuffle:
            once.data_position.set(index)
        passes.append(rows(epoch(once)))
    np.testing.assert_array_equal(first_12, np.concatenate(passes)[: len(first_12)])
    stream.data_position.set(3, steps_per_epoch=2)  # batch 6 on: rows 24..
    np.testing.assert_array_equal(take_rows(stream, 2), np.concatenate(passes)[24:32])
    stream.data_position.set(-1)  # not positioned: from the start
    np.testing.assert_array_equal(take_rows(stream, 1), first_12[:4])


def test_a_repeated_dataset_keeps_tokens_and_their_conditions_together():
    tokens = np.arange(14, dtype="int32").reshape(7, 2)
    dataset = sequence_dataset(
        tokens, batch_size=3, seed=1, conditions={"speaker": np.arange(7) % 3}, repeat=True
    )
    iterator = iter(dataset)
    for _ in range(5):
        batch = next(iterator)
        np.testing.assert_array_equal(batch["speaker"], (batch["tokens"][:, 0] // 2) % 3)


def test_fit_on_a_repeated_dataset_needs_steps_per_epoch():
    import keras

    import keras_seqgan as ks

    generator = ks.models.Generator(vocabulary_size=10, sequence_length=5, embedding_dim=4,
                                    hidden_dim=4, seed=1)  # fmt: skip
    generator.compile(optimizer="adam")
    with pytest.raises(ValueError, match="steps_per_epoch"):
        generator.fit(mle_dataset(TOKENS, batch_size=2, seed=1, repeat=True), verbose=0)
    gan = ks.SeqGAN(
        generator,
        ks.models.Discriminator(
            vocabulary_size=10, sequence_length=5, filter_sizes=(2,), num_filters=(4,)
        ),
    )
    gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam())
    with pytest.raises(ValueError, match="steps_per_epoch"):
        gan.fit(sequence_dataset(TOKENS, batch_size=2, seed=1, repeat=True), verbose=0)
    with pytest.raises(TypeError, match="repeat"):
        sequence_dataset(TOKENS, batch_size=2, repeat="yes")


def test_generator_fit_trains_each_epoch_on_its_order():
    """MLE pre-training resumed at epoch 1 in a new model trains on epoch 1's order."""
    import keras

    import keras_seqgan as ks

    tokens = np.random.default_rng(0).integers(0, 10, size=(24, 5)).astype("int32")

    def generator():
        keras.utils.set_random_seed(0)
        model = ks.models.Generator(vocabulary_size=10, sequence_length=5, embedding_dim=4,
                                    hidden_dim=4, seed=1)  # fmt: skip
        model.compile(optimizer=keras.optimizers.SGD(0.5))
        return model

    straight, resumed = generator(), generator()
    straight.fit(mle_dataset(tokens, batch_size=8, seed=2), epochs=2, verbose=0)
    resumed.fit(mle_dataset(tokens, batch_size=8, seed=2), epochs=1, verbose=0)
    weights = [np.array(w) for w in resumed.weights]
    again = generator()  # a new model, as in a new process; plain SGD carries no state
    again.fit(mle_dataset(tokens, batch_size=8, seed=2), epochs=0, verbose=0)
    for variable, value in zip(again.weights, weights, strict=True):
        variable.assign(value)
    again.fit(mle_dataset(tokens, batch_size=8, seed=2), epochs=2, initial_epoch=1, verbose=0)
    for a, b in zip(straight.weights, again.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)


def test_sequence_dataset_too_small_for_a_batch():
    with pytest.raises(ValueError, match=r"sequence_dataset.*batch_size=64.*10 examples"):
        sequence_dataset(TOKENS, batch_size=64)


# discriminator_dataset


def test_discriminator_dataset_labels():
    real = np.ones((6, 5), "int32")
    fake = np.zeros((4, 5), "int32")
    batches = epoch(discriminator_dataset(real, fake, batch_size=4, seed=3))
    assert [batch[0].shape for batch in batches] == [(4, 5), (4, 5), (2, 5)]
    tokens = np.concatenate([batch[0] for batch in batches])
    labels = np.concatenate([batch[1] for batch in batches])
    assert tokens.dtype == np.int32 and labels.dtype == np.float32 and labels.shape == (10, 1)
    # Each label matches its sequence: real rows are ones, fake rows zeros.
    np.testing.assert_array_equal(labels[:, 0], tokens[:, 0].astype("float32"))
    assert labels.sum() == 6
    assert not np.array_equal(labels[:, 0], np.r_[np.ones(6), np.zeros(4)])  # Mixed.


def test_discriminator_dataset_order_is_determined_by_seed():
    real = np.arange(40, dtype="int32").reshape(20, 2) % 10
    fake = (np.arange(40, dtype="int32").reshape(20, 2) + 3) % 10
    first = epoch(discriminator_dataset(real, fake, batch_size=8, seed=2))
    second = epoch(discriminator_dataset(real, fake, batch_size=8, seed=2))
    for (x1, y1), (x2, y2) in zip(first, second, strict=True):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)


def test_discriminator_dataset_unshuffled_puts_real_first():
    real, fake = np.ones((3, 2), "int32"), np.zeros((2, 2), "int32")
    ((_, labels),) = epoch(discriminator_dataset(real, fake, batch_size=5, shuffle=False))
    np.testing.assert_array_equal(labels[:, 0], [1, 1, 1, 0, 0])


def test_discriminator_dataset_length_mismatch():
    with pytest.raises(ValueError, match=r"same sequence length.*\(3, 2\).*\(3, 4\)"):
        discriminator_dataset(np.ones((3, 2), "int32"), np.ones((3, 4), "int32"))


def test_discriminator_dataset_names_the_bad_argument():
    with pytest.raises(TypeError, match="`fake`"):
        discriminator_dataset(np.ones((3, 2), "int32"), np.ones((3, 2), "float32"))
    with pytest.raises(ValueError, match="`real`.*vocabulary_size=2"):
        discriminator_dataset(np.full((3, 2), 2), np.ones((3, 2), "int32"), vocabulary_size=2)


# Shared argument checks


@pytest.mark.parametrize(
    "batch_size, error",
    [
        (0, ValueError),
        (-3, ValueError),
        (2.0, TypeError),
        (True, TypeError),
        ("8", TypeError),
        (None, TypeError),
    ],
)
@pytest.mark.parametrize(
    "make",
    [
        lambda batch_size: mle_dataset(TOKENS, batch_size),
        lambda batch_size: sequence_dataset(TOKENS, batch_size),
        lambda batch_size: discriminator_dataset(TOKENS, TOKENS, batch_size),
    ],
)
def test_bad_batch_size(make, batch_size, error):
    with pytest.raises(error, match=r"`batch_size` must be an int >= 1"):
        make(batch_size)


def test_bad_seed():
    with pytest.raises(TypeError, match="`seed`"):
        mle_dataset(TOKENS, seed=1.5)
    with pytest.raises(ValueError, match=r"`seed` must be None or an int in \[0, 2\*\*63\)"):
        mle_dataset(TOKENS, seed=-1)


def test_validate_tokens_checks_its_size_arguments_and_refuses_ragged():
    import tensorflow as tf

    from keras_seqgan.data import validate_tokens

    tokens = np.zeros((2, 3), dtype="int32")
    for error, kwargs in (
        (ValueError, {"vocabulary_size": 0}),
        (TypeError, {"vocabulary_size": "10"}),
        (TypeError, {"sequence_length": 2.5}),
    ):
        with pytest.raises(error, match=next(iter(kwargs))):
            validate_tokens(tokens, **kwargs)
    with pytest.raises(TypeError, match="tokens"):
        validate_tokens(tf.ragged.constant([[1, 2], [3]]))
