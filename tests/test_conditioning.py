"""Named categorical conditions: Generator, Discriminator, rollouts, SeqGAN, datasets."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from _models import tiny_gan

import keras_seqgan as ks
from keras_seqgan.data.datasets import validate_conditions
from keras_seqgan.models import Discriminator, Generator
from keras_seqgan.objectives.reinforce import (
    completion_conditions,
    rollout_completions,
    rollout_rewards,
)

V, T, B, R = 12, 6, 8, 2
# Not in alphabetical order: the order of the dict must survive configs and saving.
CONDITIONS = {"speaker": 3, "mood": 2}


def toy_data(n, seed=0):
    """Speaker k speaks only tokens in [4k, 4k + 4); the mood carries no signal."""
    rng = np.random.default_rng(seed)
    speaker = rng.integers(0, 3, size=n)
    tokens = 4 * speaker[:, None] + rng.integers(0, 4, size=(n, T))
    conditions = {"speaker": speaker.astype("int32"), "mood": rng.integers(0, 2, n, "int32")}
    return tokens.astype("int32"), conditions


def in_range(tokens, speaker):
    """The fraction of tokens inside their speaker's range."""
    return float(np.mean(tokens // 4 == np.asarray(speaker).reshape(-1, 1)))


def make_generator(**kwargs):
    config = dict(
        vocabulary_size=V,
        sequence_length=T,
        embedding_dim=8,
        hidden_dim=8,
        seed=1,
        conditions=CONDITIONS,
        condition_embedding_dim=4,
    )
    config.update(kwargs)
    return Generator(**config)


def make_discriminator(cls=Discriminator, **kwargs):
    config = dict(
        vocabulary_size=V,
        sequence_length=T,
        embedding_dim=8,
        filter_sizes=(1, 2, 3),
        num_filters=(8, 8, 8),
        dropout=0.0,
        conditions=CONDITIONS,
        condition_embedding_dim=4,
    )
    config.update(kwargs)
    return cls(**config)


@pytest.fixture(scope="module")
def trained_generator():
    """A conditional generator fitted by MLE (plain `fit`) on the toy data."""
    keras.utils.set_random_seed(0)
    tokens, conditions = toy_data(384, seed=1)
    generator = make_generator()
    generator.compile(optimizer=keras.optimizers.Adam(3e-2))
    dataset = ks.data.mle_dataset(tokens, batch_size=64, seed=2, conditions=conditions)
    generator.fit(dataset, epochs=8, verbose=0)
    return generator


class SpyDiscriminator(Discriminator):
    """Records the inputs of every (eager) call."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        object.__setattr__(self, "seen", [])

    def call(self, inputs, training=False):
        self.seen.append({key: np.asarray(value) for key, value in inputs.items()})
        return super().call(inputs, training=training)

    def completion_logits(self, tokens, completions, *, conditions=None, **kwargs):
        seen = {"tokens": np.asarray(completions), "prefixes": np.asarray(tokens)}
        self.seen.append(seen | {key: np.asarray(value) for key, value in conditions.items()})
        return super().completion_logits(tokens, completions, conditions=conditions, **kwargs)


def make_gan(objective="reinforce", discriminator=None, **compile_kwargs):
    keras.utils.set_random_seed(0)
    generator = make_generator()
    discriminator = discriminator or make_discriminator()
    return tiny_gan(generator, discriminator, objective=objective, num_rollouts=R, **compile_kwargs)


# ----------------------------------------------------------------- generator
def test_generate_follows_the_requested_conditions(trained_generator):
    # Content, not type: speaker k's training lines use only the tokens [4k, 4k + 4), so
    # each speaker's generated tokens must (almost) all lie in its range. This model puts
    # all of them there (1.0). One that ignores its condition fails clearly: trained the
    # same way with speaker 0 on every line, it scores 0.13 / 0.43 / 0.22 for speakers
    # 0 / 1 / 2 and 0.28 on mixed speakers; generating with the speakers moved scores 0.0.
    for speaker in range(3):
        mood = np.arange(60) % 2
        tokens = trained_generator.generate(
            60, conditions={"speaker": speaker, "mood": mood}, seed=3, batch_size=32
        )
        assert tokens.shape == (60, T)
        assert in_range(tokens, np.full(60, speaker)) >= 0.9, speaker
    # Per-sample conditions, and the same seed gives the same tokens.
    speakers = np.arange(30) % 3
    conditions = {"speaker": speakers, "mood": 0}
    first = trained_generator.generate(30, conditions=conditions, seed=4)
    np.testing.assert_array_equal(
        first, trained_generator.generate(30, conditions=conditions, seed=4)
    )
    assert in_range(first, speakers) >= 0.9
    # The same seed with every row's speaker moved on: each row's words move with it.
    moved = (speakers + 1) % 3
    tokens = trained_generator.generate(30, conditions={"speaker": moved, "mood": 0}, seed=4)
    assert in_range(tokens, moved) >= 0.9 and in_range(tokens, speakers) <= 0.1


def test_log_prob_and_compiled_log_prob_use_the_conditions(trained_generator):
    tokens, conditions = toy_data(B, seed=7)
    right = trained_generator.log_prob(tokens, conditions=conditions)
    compiled = trained_generator.compiled_log_prob(tokens, conditions=conditions)
    np.testing.assert_allclose(np.asarray(right), np.asarray(compiled), rtol=1e-5, atol=1e-5)
    wrong = dict(conditions, speaker=(conditions["speaker"] + 1) % 3)
    assert np.mean(trained_generator.log_prob(tokens, conditions=wrong)) < np.mean(right) - 1.0


def test_conditional_generator_lstm_input_and_config():
    generator = make_generator()
    assert generator.lstm_cell.kernel.shape[0] == 8 + 2 * 4
    config = generator.get_config()
    assert list(config["conditions"]) == ["speaker", "mood"]
    assert config["condition_embedding_dim"] == 4
    clone = Generator.from_config(config)
    assert list(clone.conditions) == ["speaker", "mood"]
    # Configs written before conditions existed still load, unconditional.
    old = Generator(vocabulary_size=V, sequence_length=T).get_config()
    del old["conditions"], old["condition_embedding_dim"]
    assert Generator.from_config(old).conditions is None


# ------------------------------------------------------------- discriminator
def test_discriminator_output_depends_on_the_condition():
    keras.utils.set_random_seed(0)
    discriminator = make_discriminator()
    tokens, conditions = toy_data(B, seed=3)
    logits = discriminator({"tokens": tokens, **conditions})
    other = dict(conditions, speaker=(conditions["speaker"] + 1) % 3)
    assert logits.shape == (B, 1)
    assert not np.allclose(logits, discriminator({"tokens": tokens, **other}))
    one_hot = keras.ops.one_hot(tokens, V)
    np.testing.assert_array_equal(logits, discriminator({"tokens": one_hot, **conditions}))
    config = discriminator.get_config()
    assert list(Discriminator.from_config(config).conditions) == ["speaker", "mood"]


@pytest.fixture(scope="module")
def swap_trained_discriminator():
    """A conditional discriminator fitted to call the toy rows real under their own
    speaker and fake under another one."""
    keras.utils.set_random_seed(0)
    tokens, conditions = toy_data(256, seed=4)
    shift = np.random.default_rng(5).integers(1, 3, size=256)  # any wrong speaker
    swapped = dict(conditions, speaker=(conditions["speaker"] + shift) % 3)
    dataset = ks.data.discriminator_dataset(
        tokens,
        tokens,
        batch_size=64,
        seed=5,
        real_conditions=conditions,
        fake_conditions=swapped,
    )
    discriminator = make_discriminator()
    discriminator.compile(optimizer=keras.optimizers.Adam(1e-2))
    discriminator.fit(dataset, epochs=6, verbose=0)
    return discriminator


def test_discriminator_learns_to_reject_swapped_conditions(swap_trained_discriminator):
    discriminator = swap_trained_discriminator
    test_tokens, test_conditions = toy_data(64, seed=6)
    test_swapped = dict(test_conditions, speaker=(test_conditions["speaker"] + 2) % 3)
    right = discriminator({"tokens": test_tokens, **test_conditions})
    wrong = discriminator({"tokens": test_tokens, **test_swapped})
    assert np.mean(np.asarray(right) > 0) > 0.85
    assert np.mean(np.asarray(wrong) < 0) > 0.85


# ------------------------------------------------------------------ rollouts
def test_rollouts_keep_prefixes_and_follow_each_rows_conditions(trained_generator):
    speakers = np.array([0, 1, 2, 0, 1, 2, 2, 0], "int32")
    conditions = {"speaker": speakers, "mood": np.arange(B, dtype="int32") % 2}
    tokens = trained_generator.generate(B, conditions=conditions, seed=8)
    completions = np.asarray(
        rollout_completions(
            trained_generator,
            tokens,
            num_rollouts=4,
            temperature=1.0,
            seed=9,
            conditions=conditions,
        )
    )
    assert completions.shape == ((T - 1) * B * 4, T)
    rows = completions.reshape(T - 1, B, 4, T)
    for t in range(1, T):
        np.testing.assert_array_equal(rows[t - 1, :, :, :t], np.repeat(tokens[:, None, :t], 4, 1))
    row_conditions = completion_conditions(conditions, num_rollouts=4, sequence_length=T)
    np.testing.assert_array_equal(
        np.asarray(row_conditions["speaker"]).reshape(T - 1, B, 4),
        np.broadcast_to(speakers[None, :, None], (T - 1, B, 4)),
    )
    # The sampled suffixes come from each row's own speaker range.
    sampled = np.concatenate([rows[t - 1, :, :, t:].reshape(B, -1) for t in range(1, T)], 1)
    assert in_range(sampled, speakers) > 0.8
    # The same rows under other conditions complete differently.
    other = dict(conditions, speaker=(speakers + 1) % 3)
    moved = np.asarray(
        rollout_completions(
            trained_generator, tokens, num_rollouts=4, temperature=1.0, seed=9, conditions=other
        )
    ).reshape(T - 1, B, 4, T)
    moved_sampled = np.concatenate([moved[t - 1, :, :, t:].reshape(B, -1) for t in range(1, T)], 1)
    assert in_range(moved_sampled, other["speaker"]) > 0.5


def test_rollout_rewards_with_conditions_have_the_right_shape():
    keras.utils.set_random_seed(0)
    generator, discriminator = make_generator(), make_discriminator()
    tokens, conditions = toy_data(B, seed=10)
    kwargs = dict(num_rollouts=R, temperature=1.0, seed=11, conditions=conditions)
    rewards = rollout_rewards(generator, discriminator, tokens, **kwargs)
    assert rewards.shape == (B, T)
    assert np.all((np.asarray(rewards) > 0) & (np.asarray(rewards) < 1))
    # Chunks of rows keep each row's conditions: the same rewards as the whole batch.
    chunked = rollout_rewards(generator, discriminator, tokens, chunk_size=3, **kwargs)
    np.testing.assert_allclose(np.asarray(chunked), np.asarray(rewards), rtol=1e-6, atol=1e-7)


def test_rollout_rewards_score_each_row_under_its_own_conditions(
    trained_generator, swap_trained_discriminator
):
    # Content, not shape: real rows under their own speaker earn rewards near 1 at every
    # position (all > 0.5 here, the lowest 0.83); under another speaker the full row is
    # fake (every last reward < 0.01 here), while short prefixes still earn high rewards
    # because their rollouts complete them in that speaker's words. A discriminator that
    # ignores the condition gives both the same rewards; completions scored under other
    # rows' conditions pull the right rewards down.
    tokens, conditions = toy_data(B, seed=15)
    moved = dict(conditions, speaker=(conditions["speaker"] + 1) % 3)
    kwargs = dict(num_rollouts=4, temperature=1.0, seed=16)
    right, wrong = (
        np.asarray(
            rollout_rewards(
                trained_generator, swap_trained_discriminator, tokens, conditions=c, **kwargs
            )
        )
        for c in (conditions, moved)
    )
    assert right.shape == wrong.shape == (B, T)
    assert np.mean(right > 0.5) >= 0.9 and np.all(right[:, -1] > 0.5)
    assert np.all(wrong[:, -1] < 0.5) and np.all(wrong[:, -1] < wrong[:, 0])


# -------------------------------------------------------------------- SeqGAN
@pytest.mark.tensorflow_only(
    "inspects tensors eagerly inside the step; on JAX, run_eagerly still traces the "
    "gradients and branches"
)
def test_a_step_shows_the_discriminator_fakes_made_for_the_batchs_conditions():
    spy = make_discriminator(SpyDiscriminator)
    gan = make_gan(discriminator=spy, run_eagerly=True)
    tokens, conditions = toy_data(B, seed=12)
    spy.seen.clear()
    logs = gan.train_on_batch({"tokens": tokens, **conditions}, return_dict=True)
    assert all(np.isfinite(value) for value in logs.values())
    # Real, fake, the full samples, then (rewards) each prefix length's completions.
    assert [len(seen["tokens"]) for seen in spy.seen] == [B, B, B] + [B * R] * (T - 1)
    np.testing.assert_array_equal(spy.seen[0]["tokens"], tokens)
    for seen in spy.seen[:3]:
        for name in CONDITIONS:
            np.testing.assert_array_equal(seen[name], conditions[name])
    assert not np.array_equal(spy.seen[1]["tokens"], tokens)
    for seen in spy.seen[3:]:
        np.testing.assert_array_equal(seen["prefixes"], spy.seen[2]["tokens"])
        for name in CONDITIONS:
            np.testing.assert_array_equal(seen[name], np.repeat(conditions[name], R))


@pytest.mark.tensorflow_only("inspects tensors eagerly inside the step, as the test above")
def test_a_step_without_shared_prefixes_scores_all_completions_in_one_call():
    spy = make_discriminator(SpyDiscriminator)
    gan = make_gan(discriminator=spy, run_eagerly=True, rollout_shared_prefix=False)
    tokens, conditions = toy_data(B, seed=12)
    spy.seen.clear()
    gan.train_on_batch({"tokens": tokens, **conditions})
    assert [len(seen["tokens"]) for seen in spy.seen] == [B, B, B, (T - 1) * B * R]
    for name in CONDITIONS:
        np.testing.assert_array_equal(
            spy.seen[3][name], np.tile(np.repeat(conditions[name], R), T - 1)
        )


@pytest.mark.parametrize("objective", ["reinforce", "gumbel"])
def test_fit_on_conditional_batches_saves_and_reloads(objective, tmp_path):
    gan = make_gan(objective)
    tokens, conditions = toy_data(4 * B, seed=13)
    history = gan.fit(
        ks.data.sequence_dataset(tokens, batch_size=B, seed=1, conditions=conditions),
        epochs=1,
        verbose=0,
    )
    for key in ("d_loss", "g_loss", "reward_mean", "d_acc"):
        assert np.isfinite(history.history[key][-1]), key
    assert gan.d_skipped.numpy() == 0 and gan.g_skipped.numpy() == 0
    request = {"speaker": np.arange(5) % 3, "mood": 1}
    expected = gan.generate(5, conditions=request, seed=2)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert list(loaded.conditions) == ["speaker", "mood"]
    assert list(loaded.discriminator.conditions) == ["speaker", "mood"]
    np.testing.assert_array_equal(loaded.generate(5, conditions=request, seed=2), expected)
    path = str(tmp_path / "generator.keras")
    gan.generator.save(path)
    generator = keras.models.load_model(path)
    np.testing.assert_array_equal(generator.generate(5, conditions=request, seed=2), expected)


def test_mismatched_conditions_teach_the_discriminator_to_check_the_speaker(tmp_path):
    # Real rows under their neighbour's conditions as a third set of negatives. Without
    # them the discriminator calls real rows real under any speaker (here it judged 6% of
    # wrong-speaker rows fake); with them it rejects them.
    tokens, conditions = toy_data(16 * B, seed=13)
    test_tokens, test_conditions = toy_data(64, seed=6)
    wrong = dict(test_conditions, speaker=(test_conditions["speaker"] + 1) % 3)
    rejected = {}
    for weight in (0.0, 0.5):
        gan = make_gan(mismatched_conditions=weight, d_steps=2)
        gan.fit(
            ks.data.sequence_dataset(tokens, batch_size=B, seed=1, conditions=conditions),
            epochs=3,
            verbose=0,
        )
        logits = gan.discriminator({"tokens": test_tokens, **wrong})
        rejected[weight] = float(np.mean(np.asarray(logits) < 0))
    assert rejected[0.5] > 0.85 and rejected[0.0] < 0.5, rejected
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    assert keras.models.load_model(path).mismatched_conditions == 0.5


@pytest.mark.parametrize(
    "value, error", [(1.0, ValueError), (-0.1, ValueError), ("0.5", TypeError)]
)
def test_bad_mismatched_conditions_are_rejected(value, error):
    with pytest.raises(error, match="mismatched_conditions"):
        make_gan(mismatched_conditions=value)
    unconditional = ks.SeqGAN(
        Generator(vocabulary_size=V, sequence_length=T),
        Discriminator(vocabulary_size=V, sequence_length=T, filter_sizes=(2,), num_filters=(4,)),
    )
    with pytest.raises(ValueError, match="needs a conditional model"):
        unconditional.compile(mismatched_conditions=0.5)


# ----------------------------------------------------------------- bad input
def test_empty_conditions_mean_unconditional():
    # An unconditional corpus tokenizes to {} conditions; that must just work.
    generator = Generator(vocabulary_size=V, sequence_length=T, conditions={})
    assert generator.conditions is None and generator.get_config()["conditions"] is None
    assert validate_conditions({}, 4) is None


@pytest.mark.parametrize(
    "conditions, error",
    [
        ([("speaker", 3)], TypeError),
        ({"tokens": 3}, ValueError),
        ({"": 3}, ValueError),
        ({"two words": 3}, ValueError),
        ({"speaker": 0}, ValueError),
        ({"speaker": 2.0}, ValueError),
        ({"speaker": True}, ValueError),
    ],
)
def test_bad_conditions_specs_are_rejected(conditions, error):
    with pytest.raises(error, match="conditions"):
        Generator(vocabulary_size=V, sequence_length=T, conditions=conditions)
    with pytest.raises(error, match="conditions"):
        Discriminator(
            vocabulary_size=V,
            sequence_length=T,
            filter_sizes=(2,),
            num_filters=(2,),
            conditions=conditions,
        )


def test_wrong_condition_names_and_ids_are_rejected():
    generator, discriminator = make_generator(), make_discriminator()
    tokens, conditions = toy_data(B)
    for model in (generator, discriminator):
        with pytest.raises(ValueError, match="conditions"):
            model(tokens)
        with pytest.raises(ValueError, match="missing: \\['mood'\\]"):
            model({"tokens": tokens, "speaker": conditions["speaker"]})
        with pytest.raises(ValueError, match="unexpected: \\['scene'\\]"):
            model({"tokens": tokens, **conditions, "scene": conditions["mood"]})
    with pytest.raises(ValueError, match="conditions"):
        generator.generate(3)
    with pytest.raises(ValueError, match="missing"):
        generator.generate(3, conditions={"speaker": 0})
    with pytest.raises(ValueError, match=r"'speaker'.*found 3.*\[0, 3\)"):
        generator.generate(3, conditions={"speaker": 3, "mood": 0})
    with pytest.raises(ValueError, match=r"'mood'.*found -1.*\[0, 2\)"):
        generator.generate(3, conditions={"speaker": 0, "mood": [0, -1, 1]})
    with pytest.raises(ValueError, match=r"'mood'.*shape \(3,\).*or one int"):
        generator.generate(3, conditions={"speaker": 0, "mood": [0, 1]})
    with pytest.raises(ValueError, match="conditions"):
        generator.sample(2, conditions=None)
    unconditional = Generator(vocabulary_size=V, sequence_length=T)
    with pytest.raises(ValueError, match="unconditional"):
        unconditional.generate(2, conditions={"speaker": 0})


def test_mismatched_generator_and_discriminator_conditions_are_rejected():
    generator = make_generator()
    for conditions in (None, {"speaker": 3}, {"speaker": 3, "mood": 4}):
        with pytest.raises(ValueError, match="generator.conditions=.*discriminator.conditions="):
            ks.SeqGAN(generator, make_discriminator(conditions=conditions))


def test_bad_condition_ids_in_fit_batches_are_rejected():
    gan = make_gan()
    tokens, conditions = toy_data(4 * B, seed=14)
    with pytest.raises(ValueError, match="dicts"):
        gan.fit(tokens, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"condition 'speaker'.*found 3.*\[0, 3\)"):
        gan.fit(
            {"tokens": tokens, **dict(conditions, speaker=conditions["speaker"] + 1)}, batch_size=B
        )
    with pytest.raises(ValueError, match=r"shape \(32,\)"):
        gan.fit({"tokens": tokens, **dict(conditions, mood=conditions["mood"][:4])}, batch_size=B)
    with pytest.raises(ValueError, match="missing"):
        gan.fit(
            ks.data.sequence_dataset(
                tokens, batch_size=B, conditions={"speaker": conditions["speaker"]}
            )
        )
    # A bad id in a later batch stops fit with a clear error.
    bad = dict(conditions, mood=conditions["mood"].copy())
    bad["mood"][-1] = 2
    dataset = ks.data.sequence_dataset(tokens, batch_size=B, shuffle=False, conditions=bad)
    with pytest.raises(ValueError, match=r"condition id >= 2 for 'mood'.*after the first"):
        gan.fit(dataset, epochs=1, verbose=0)


def test_datasets_check_the_condition_arrays():
    tokens, conditions = toy_data(B)
    x, y = next(
        iter(ks.data.mle_dataset(tokens, batch_size=B, shuffle=False, conditions=conditions))
    )
    assert sorted(x) == ["mood", "speaker", "tokens"]
    np.testing.assert_array_equal(x["tokens"], y)
    np.testing.assert_array_equal(x["speaker"], conditions["speaker"])
    batch = next(iter(ks.data.sequence_dataset(tokens, batch_size=B, conditions=conditions)))
    assert batch["tokens"].dtype == tf.int32 and batch["mood"].shape == (B,)
    x, labels = next(
        iter(
            ks.data.discriminator_dataset(
                tokens,
                tokens[:4],
                batch_size=12,
                shuffle=False,
                real_conditions=conditions,
                fake_conditions={k: v[:4] for k, v in conditions.items()},
            )
        )
    )
    assert x["speaker"].shape == (12,) and labels.shape == (12, 1)
    short = dict(conditions, speaker=conditions["speaker"][:3])
    for make in (ks.data.mle_dataset, ks.data.sequence_dataset):
        with pytest.raises(ValueError, match=r"conditions\['speaker'\].*shape \(8,\).*\(3,\)"):
            make(tokens, batch_size=B, conditions=short)
    with pytest.raises(ValueError, match=r"fake_conditions\['speaker'\].*shape \(4,\)"):
        ks.data.discriminator_dataset(
            tokens, tokens[:4], real_conditions=conditions, fake_conditions=conditions
        )
    with pytest.raises(ValueError, match="both be None"):
        ks.data.discriminator_dataset(tokens, tokens, real_conditions=conditions)
    with pytest.raises(TypeError, match="integer"):
        validate_conditions({"speaker": np.zeros(B)}, B)
    with pytest.raises(ValueError, match="non-negative"):
        validate_conditions({"speaker": -np.ones(B, "int32")}, B)
    with pytest.raises(ValueError, match="'tokens'"):
        validate_conditions({"tokens": np.ones(B, "int32")}, B)


def test_generated_samples_callback_passes_the_conditions(trained_generator, tmp_path):
    callback = ks.callbacks.GeneratedSamples(
        num_samples=4, seed=1, conditions={"speaker": 2, "mood": [0, 1, 0, 1]}
    )
    callback.set_model(trained_generator)
    callback.on_train_begin()
    callback.on_epoch_end(0)
    tokens = np.array([[int(token) for token in line.split()] for line in callback.samples])
    assert tokens.shape == (4, T) and in_range(tokens, np.full(4, 2)) > 0.7
    missing = ks.callbacks.GeneratedSamples(num_samples=2, seed=1)
    missing.set_model(trained_generator)
    with pytest.raises(ValueError, match="conditions"):
        missing.on_train_begin()
