"""ScratchGAN's dense rewards: `PrefixDiscriminator` and the `DenseReward` objective."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from _models import tiny_dense_models
from keras import ops

import keras_seqgan as ks
from keras_seqgan.data import sequence_dataset
from keras_seqgan.models import PrefixDiscriminator
from keras_seqgan.objectives import DenseReward, dense_advantages, discounted_returns

V, T, B = 10, 6, 8


def tokens(rows=B, seed=0):
    return np.random.default_rng(seed).integers(0, V, size=(rows, T)).astype("int32")


def numpy_returns(rewards, discount):
    """`R_t = sum_{s >= t} discount ** (s - t) * r_s`, as ScratchGAN's double loop."""
    returns = np.zeros_like(rewards, dtype="float64")
    for t in range(rewards.shape[1]):
        for s in range(t, rewards.shape[1]):
            returns[:, t] += discount ** (s - t) * rewards[:, s]
    return returns


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def dense_gan(objective=None, *, seed=3, jit_compile="auto", **compile_kwargs):
    generator, discriminator = tiny_dense_models(V, T)
    gan = ks.SeqGAN(generator, discriminator, objective=objective or DenseReward(), seed=seed)
    gan.compile(
        keras.optimizers.Adam(1e-2),
        keras.optimizers.Adam(1e-2),
        jit_compile=jit_compile,
        **compile_kwargs,
    )
    return gan


def liking_discriminator(liked):
    """A fixed per-position discriminator: logit 2 at every position holding `liked`,
    -2 elsewhere (it reads the token at each position, nothing before)."""
    inputs = keras.Input((T,), dtype="int32")
    scores = keras.layers.Embedding(V, 1, trainable=False, name="scores")(inputs)
    model = keras.Model(inputs, keras.layers.Reshape((T,))(scores))
    table = np.full((V, 1), -2.0, "float32")
    table[liked] = 2.0
    model.get_layer("scores").set_weights([table])
    return model


# ------------------------------------------------------- the discriminator
def test_prefix_discriminator_scores_every_prefix_of_ids_and_of_one_hot():
    discriminator = PrefixDiscriminator(vocabulary_size=V, sequence_length=T, hidden_dim=8, seed=1)
    x = tokens()
    logits = ops.convert_to_numpy(discriminator(x))
    assert logits.shape == (B, T) and logits.dtype == np.float32
    one_hot = ops.convert_to_numpy(discriminator(ops.one_hot(x, V)))
    np.testing.assert_allclose(one_hot, logits, rtol=1e-5, atol=1e-6)
    # A prefix's logit reads nothing after it.
    changed = x.copy()
    changed[:, 3:] = (changed[:, 3:] + 1) % V
    np.testing.assert_array_equal(
        ops.convert_to_numpy(discriminator(changed))[:, :3], logits[:, :3]
    )
    assert tuple(discriminator(keras.Input((T,), dtype="int32")).shape) == (None, T)
    # The documented defaults: ScratchGAN's regularization.
    assert (discriminator.layer_norm, discriminator.dropout, discriminator.l2) == (True, 0.1, 1e-6)
    assert len(discriminator.losses) == 5  # L2 on the embedding, kernels and the bias


def test_a_conditional_prefix_discriminator_judges_prefix_and_condition_pairs():
    discriminator = PrefixDiscriminator(
        vocabulary_size=V, sequence_length=T, hidden_dim=8, conditions={"speaker": 3}, seed=1
    )
    x = tokens()
    first = discriminator({"tokens": x, "speaker": np.zeros(B, "int32")})
    second = discriminator({"tokens": x, "speaker": np.full(B, 2, "int32")})
    assert tuple(first.shape) == (B, T)
    assert not np.allclose(ops.convert_to_numpy(first), ops.convert_to_numpy(second))
    with pytest.raises(ValueError, match="speaker"):
        discriminator(x)


def test_prefix_discriminator_config_and_keras_file_round_trip(tmp_path):
    discriminator = PrefixDiscriminator(
        vocabulary_size=V, sequence_length=T, hidden_dim=8, layer_norm=False, dropout=0.2,
        l2=0.0, conditions={"speaker": 3}, seed=4, name="critic",
    )  # fmt: skip
    config = discriminator.get_config()
    assert PrefixDiscriminator.from_config(config).get_config() == config
    inputs = {"tokens": tokens(), "speaker": np.arange(B, dtype="int32") % 3}
    discriminator.compile(optimizer="adam")
    discriminator.fit(inputs, np.ones((B, T), "float32"), epochs=1, verbose=0)
    discriminator.save(tmp_path / "prefix.keras")
    loaded = keras.models.load_model(tmp_path / "prefix.keras")
    assert isinstance(loaded, PrefixDiscriminator) and loaded.get_config() == config
    np.testing.assert_array_equal(
        ops.convert_to_numpy(loaded(inputs)), ops.convert_to_numpy(discriminator(inputs))
    )
    assert loaded.compiled


def test_one_label_per_sequence_labels_every_position_in_pretraining():
    """`pipeline.pretrain_discriminator` gives labels `[B, 1]`: each labels its row's
    positions, so the loss is the one of labels `[B, T]`."""
    generator, discriminator = tiny_dense_models(V, T)
    discriminator.compile(optimizer="adam")
    x, labels = tokens(), (np.arange(B) % 2).astype("float32")[:, None]
    per_row = discriminator.evaluate(x, labels, verbose=0, return_dict=True)
    per_position = discriminator.evaluate(
        x, np.repeat(labels, T, axis=1), verbose=0, return_dict=True
    )
    assert per_row == per_position
    before = [np.asarray(w) for w in discriminator.weights]
    ks.pipeline.pretrain_discriminator(
        discriminator, generator, tokens(32), rounds=1, epochs=1, batch_size=B, seed=0
    )
    assert not np.array_equal(before[0], np.asarray(discriminator.weights[0]))


# ------------------------------------------------------------ the objective
@pytest.mark.backend_independent("configs and argument checks")
def test_dense_reward_names_configs_and_defaults():
    assert ks.objectives.get("dense") == DenseReward()
    objective = DenseReward()
    assert (objective.discount, objective.baseline_decay) == (0.23, 0.08)
    assert (objective.reward, objective.reduction, objective.loss) == (
        "bounded",
        "mean",
        "standard",
    )
    other = DenseReward(discount=0.5, baseline_decay=1.0, reward="log", reduction="sum",
                        loss="hinge")  # fmt: skip
    config = keras.saving.serialize_keras_object(other)
    assert ks.objectives.get(config) == other and other != objective
    assert DenseReward.from_config(other.get_config()) == other


@pytest.mark.backend_independent("argument checks")
@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: DenseReward(discount=1.5), "discount"),
        (lambda: DenseReward(discount=-0.1), "discount"),
        (lambda: DenseReward(baseline_decay=2.0), "baseline_decay"),
        (lambda: DenseReward(reward="probability"), "reward"),
        (lambda: DenseReward(reduction="max"), "reduction"),
        (lambda: DenseReward(loss="relativistic"), "per-position"),
        (lambda: DenseReward(loss="wasserstein"), "loss"),
        (lambda: PrefixDiscriminator(vocabulary_size=1, sequence_length=T), "vocabulary_size"),
        (lambda: PrefixDiscriminator(vocabulary_size=V, sequence_length=0), "sequence_length"),
        (lambda: PrefixDiscriminator(V, T, hidden_dim=0), "hidden_dim"),
        (lambda: PrefixDiscriminator(V, T, dropout=1.0), "dropout"),
        (lambda: PrefixDiscriminator(V, T, l2=-1.0), "l2"),
        (lambda: PrefixDiscriminator(V, T, conditions={"tokens": 2}), "conditions"),
    ],
)
def test_bad_arguments_name_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("discount", [0.0, 0.23, 1.0])
def test_the_discounted_returns_are_the_forward_sums(discount):
    rewards = np.random.default_rng(1).uniform(-1, 1, size=(B, T)).astype("float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(discounted_returns(rewards, discount)),
        numpy_returns(rewards, discount),
        rtol=1e-5,
        atol=1e-6,
    )


@pytest.mark.parametrize("reward", ["bounded", "log"])
def test_advantages_are_the_returns_less_the_updated_moving_average(reward):
    """A hand computation of one generator update's weights, from fixed logits."""
    logits = np.random.default_rng(2).normal(0, 2, size=(B, T)).astype("float32")
    objective = DenseReward(discount=0.3, baseline_decay=0.25, reward=reward)

    def fixed(inputs, training=False):
        return ops.convert_to_tensor(logits)

    advantages, baseline, reward_mean = dense_advantages(objective, fixed, tokens(), 0.4)
    rewards = 2 * sigmoid(logits) - 1 if reward == "bounded" else np.log(sigmoid(logits))
    returns = numpy_returns(rewards.astype("float64"), 0.3)
    expected_baseline = 0.25 * 0.4 + 0.75 * returns.mean()
    np.testing.assert_allclose(float(baseline), expected_baseline, rtol=1e-5)
    np.testing.assert_allclose(
        ops.convert_to_numpy(advantages), returns - expected_baseline, rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(float(reward_mean), sigmoid(logits).mean(), rtol=1e-5)
    # The loss: minus the mean (or the sum) of log-probabilities times the advantages.
    log_probs = np.random.default_rng(3).normal(-2, 0.5, size=(B, T)).astype("float32")
    loss = float(objective.policy_loss(log_probs, ops.convert_to_numpy(advantages)))
    np.testing.assert_allclose(loss, -(log_probs * (returns - expected_baseline)).mean(), rtol=1e-4)


# ------------------------------------------------------------------ the step
def test_a_step_updates_the_baseline_with_its_batch_and_trains_d_per_position():
    gan = dense_gan(DenseReward(discount=0.5, baseline_decay=0.3), d_steps=0)
    real = tokens()
    # The generator's sample is the step's first draw when the discriminator rests.
    stream = keras.random.SeedGenerator(0)
    stream.state.assign(ops.convert_to_numpy(gan.seed_generator.state))
    sampled = gan.generator.sample(B, temperature=1.0, seed=stream)
    logits = ops.convert_to_numpy(gan.discriminator(sampled, training=False))
    expected = 0.7 * numpy_returns(2 * sigmoid(logits) - 1, 0.5).mean()
    logs = gan.train_on_batch(real, return_dict=True)
    np.testing.assert_allclose(float(gan.reward_baseline), expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(logs["reward_mean"], sigmoid(logits).mean(), rtol=1e-5)

    # The discriminator's loss is the per-position cross-entropy, real 1 and fake 0.
    values = gan.evaluate(real, batch_size=B, verbose=0, return_dict=True)
    real_logits = ops.convert_to_numpy(gan.discriminator(real))
    np.testing.assert_allclose(
        values["d_loss_real"], np.log1p(np.exp(-real_logits)).mean(), rtol=1e-5
    )


def test_a_skipped_update_leaves_the_baseline_alone():
    gan = dense_gan()
    gan.discriminator.output_dense.bias.assign(np.full((1,), np.nan, "float32"))
    logs = gan.train_on_batch(tokens(), return_dict=True)
    assert logs["g_skipped"] == 1 and logs["d_skipped"] == 1
    assert float(gan.reward_baseline) == 0.0


def test_the_generator_learns_the_token_a_per_position_discriminator_likes():
    liked = 3
    generator, _ = tiny_dense_models(V, T)
    gan = ks.SeqGAN(generator, liking_discriminator(liked), objective="dense", seed=3)
    gan.compile(keras.optimizers.Adam(0.05), keras.optimizers.Adam(1e-2), d_steps=0)
    before = np.mean(generator.generate(512, seed=7) == liked)
    gan.fit(np.zeros((10 * 16, T), "int32"), batch_size=16, epochs=1, verbose=0, shuffle=False)
    after = np.mean(generator.generate(512, seed=7) == liked)
    assert before < 0.2 and after > before + 0.3, (before, after)


def test_a_conditional_dense_gan_trains_on_its_conditions():
    generator, discriminator = tiny_dense_models(V, T, conditions={"speaker": 3})
    gan = ks.SeqGAN(generator, discriminator, objective="dense", seed=3)
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2), mismatched_conditions=0.5)
    batch = {"tokens": tokens(), "speaker": np.arange(B, dtype="int32") % 3}
    logs = gan.train_on_batch(batch, return_dict=True)
    assert logs["g_skipped"] == logs["d_skipped"] == 0
    assert np.isfinite(logs["g_loss"]) and float(gan.reward_baseline) != 0.0


def test_a_discriminator_of_the_wrong_shape_is_refused_before_training():
    generator, prefix = tiny_dense_models(V, T)
    whole = ks.models.Discriminator(V, T, filter_sizes=(2,), num_filters=(4,))
    with pytest.raises(ValueError, match=r"logit for every prefix.*\(None, 1\)"):
        ks.SeqGAN(generator, whole, objective="dense")
    with pytest.raises(ValueError, match="objective='dense'"):
        ks.SeqGAN(generator, prefix, objective="reinforce")


def test_a_resumed_run_from_a_keras_file_equals_an_uninterrupted_one(tmp_path):
    """Default dropout, shuffled data: 1 epoch, save, load, 1 more == 2 epochs; the
    baseline comes back with the model."""
    real = tokens(4 * B, seed=5)
    straight = dense_gan()
    expected = straight.fit(sequence_dataset(real, batch_size=B, seed=11), epochs=2, verbose=0)

    first = dense_gan()
    first.fit(sequence_dataset(real, batch_size=B, seed=11), epochs=1, verbose=0)
    first.save(tmp_path / "gan.keras")
    assert float(first.reward_baseline) != 0.0
    keras.utils.set_random_seed(123)  # nothing may depend on the global state
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert loaded.objective == DenseReward()
    assert float(loaded.reward_baseline) == float(first.reward_baseline)
    history = loaded.fit(
        sequence_dataset(real, batch_size=B, seed=11), epochs=2, initial_epoch=1, verbose=0
    )
    # The resumed epoch's losses and rewards are the uninterrupted run's second epoch's.
    assert history.history == {key: values[1:] for key, values in expected.history.items()}
    for a, b in zip(straight.variables, loaded.variables, strict=True):
        if a.name == "seed_generator_state" and np.asarray(a)[1] == np.asarray(b)[1] == 0:
            continue  # the LSTM cells' unseeded, never-used dropout streams
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)
    optimizers = zip(straight.optimizer.variables, loaded.optimizer.variables, strict=True)
    for a, b in optimizers:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)


def test_the_step_compiles_with_xla():
    """`jit_compile=True` (XLA on both backends); on TensorFlow it trains as the graph
    does, to rounding."""
    real = tokens(3 * B, seed=6)
    runs = []
    modes = [True, False] if keras.backend.backend() == "tensorflow" else [True]
    for jit_compile in modes:
        gan = dense_gan(jit_compile=jit_compile)
        history = gan.fit(real, batch_size=B, epochs=1, verbose=0, shuffle=False).history
        assert gan.jit_compile == jit_compile
        runs.append((history, [np.asarray(v) for v in gan.trainable_variables]))
    history, weights = runs[0]
    assert history["g_skipped"][-1] == 0 and np.isfinite(history["g_loss"][-1])
    for other_history, other_weights in runs[1:]:
        for key, values in history.items():
            np.testing.assert_allclose(other_history[key], values, rtol=1e-4, atol=1e-5)
        for a, b in zip(weights, other_weights, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
