import keras
import numpy as np
import pytest
import tensorflow as tf
from _models import tiny_gan, tiny_models

import keras_seqgan as ks
from keras_seqgan import backend
from keras_seqgan.models import Discriminator, Generator
from keras_seqgan.objectives import rollout_rewards
from keras_seqgan.objectives.reinforce import rollout_completions, rollout_uniforms
from keras_seqgan.sampling import sample_from_logits

V, T, B = 10, 5, 8


def make_models(seed=0, **generator_kwargs):
    # Filter widths up to 3; the default dropout (0.25).
    return tiny_models(V, T, global_seed=seed, filter_sizes=(1, 2, 3), **generator_kwargs)


def make_gan(objective="reinforce", seed=0, **compile_kwargs):
    return tiny_gan(*make_models(seed), objective=objective, num_rollouts=3, **compile_kwargs)


def real_tokens(n=B, seed=0):
    return np.random.default_rng(seed).integers(0, V, size=(n, T)).astype("int32")


def snapshot(model):
    return [np.array(w) for w in model.weights]


def changed(before, model):
    return any(
        not np.array_equal(a, np.asarray(b), equal_nan=True)
        for a, b in zip(before, model.weights, strict=True)
    )


@pytest.mark.parametrize("objective", ["reinforce", "gumbel"])
def test_d_train_interval_and_update_isolation(objective):
    gan = make_gan(objective, d_train_interval=2)
    batch = real_tokens()
    for step in range(4):
        d_before, g_before = snapshot(gan.discriminator), snapshot(gan.generator)
        gan.train_on_batch(batch)
        assert changed(d_before, gan.discriminator) == (step % 2 == 0), step
        assert changed(g_before, gan.generator), step
    assert int(gan.step_counter.numpy()) == 4


@pytest.mark.parametrize("objective", ["reinforce", "gumbel"])
def test_d_steps_zero_leaves_the_discriminator_to_its_own_fit(objective):
    gan = make_gan(objective, d_steps=0)
    d_before, g_before = snapshot(gan.discriminator), snapshot(gan.generator)
    logs = gan.train_on_batch(real_tokens(), return_dict=True)
    assert not changed(d_before, gan.discriminator)
    assert changed(g_before, gan.generator)
    assert logs["d_loss"] == 0.0 and np.isfinite(logs["g_loss"])


@pytest.mark.parametrize("objective", ["reinforce", "gumbel"])
def test_each_update_touches_only_its_network(objective):
    # With the generator's learning rate at 0, only the discriminator's update can act.
    gan = make_gan(
        objective,
        generator_optimizer=keras.optimizers.SGD(0.0),
        discriminator_optimizer=keras.optimizers.SGD(0.5),
    )
    g_before, d_before = snapshot(gan.generator), snapshot(gan.discriminator)
    gan.train_on_batch(real_tokens())
    assert not changed(g_before, gan.generator) and changed(d_before, gan.discriminator)

    gan = make_gan(
        objective,
        generator_optimizer=keras.optimizers.SGD(0.5),
        discriminator_optimizer=keras.optimizers.SGD(0.0),
    )
    g_before, d_before = snapshot(gan.generator), snapshot(gan.discriminator)
    gan.train_on_batch(real_tokens())
    assert changed(g_before, gan.generator) and not changed(d_before, gan.discriminator)


def test_non_finite_discriminator_skips_both_updates_then_recovers():
    gan = make_gan()
    batch = real_tokens()
    gan.train_on_batch(batch)
    bias = gan.discriminator.output_dense.bias
    healthy = np.array(bias)
    bias.assign(np.full(bias.shape, np.nan, "float32"))  # every logit, loss and reward is NaN
    before = snapshot(gan)  # every weight: both networks, rollout, optimizers' state
    optimizer_state = [
        np.array(v)
        for v in gan.generator_optimizer.variables + gan.discriminator_optimizer.variables
    ]
    logs = gan.train_on_batch(batch, return_dict=True)
    assert int(gan.d_skipped.numpy()) == 1 and int(gan.g_skipped.numpy()) == 1
    assert logs["d_skipped"] == 1 and logs["g_skipped"] == 1
    for a, b in zip(before, gan.weights, strict=True):
        if b.path.endswith(("step_counter", "g_skipped", "d_skipped")) or "seed" in b.path:
            continue
        assert np.array_equal(a, np.asarray(b), equal_nan=True), b.path
    for a, b in zip(
        optimizer_state,
        gan.generator_optimizer.variables + gan.discriminator_optimizer.variables,
        strict=True,
    ):
        np.testing.assert_array_equal(a, np.asarray(b), err_msg=b.path)

    bias.assign(healthy)
    g_before = snapshot(gan.generator)
    logs = gan.train_on_batch(batch, return_dict=True)
    assert np.isfinite(logs["g_loss"]) and np.isfinite(logs["d_loss"])
    assert changed(g_before, gan.generator)
    assert int(gan.d_skipped.numpy()) == 1 and int(gan.g_skipped.numpy()) == 1


def test_non_finite_generator_gradients_skip_only_the_generator():
    gan = make_gan()
    bias = np.array(gan.generator.output_projection.bias)
    poisoned = bias.copy()
    poisoned[0] = np.inf
    gan.generator.output_projection.bias.assign(poisoned)
    g_before, d_before = snapshot(gan.generator), snapshot(gan.discriminator)
    gan.train_on_batch(real_tokens())
    assert int(gan.g_skipped.numpy()) == 1 and int(gan.d_skipped.numpy()) == 0
    assert not changed(g_before, gan.generator)
    assert changed(d_before, gan.discriminator)
    gan.generator.output_projection.bias.assign(bias)
    logs = gan.train_on_batch(real_tokens(), return_dict=True)
    assert np.isfinite(logs["g_loss"]) and int(gan.g_skipped.numpy()) == 1


@pytest.mark.parametrize("objective", ["reinforce", "gumbel"])
def test_gradient_clip_bounds_the_applied_update(objective):
    clip = 0.01
    gan = make_gan(
        objective,
        gradient_clip=clip,
        generator_optimizer=keras.optimizers.SGD(1.0),
        discriminator_optimizer=keras.optimizers.SGD(1.0),
    )
    for _ in range(3):
        g_before = [np.array(w) for w in gan.generator.trainable_weights]
        d_before = [np.array(w) for w in gan.discriminator.trainable_weights]
        gan.train_on_batch(real_tokens())
        for before, model in ((g_before, gan.generator), (d_before, gan.discriminator)):
            norm = np.sqrt(
                sum(
                    np.sum((np.asarray(w) - b) ** 2)
                    for w, b in zip(model.trainable_weights, before, strict=True)
                )
            )
            assert 0 < norm <= clip * (1 + 1e-4), norm


def test_same_seed_same_run():
    results = []
    for _ in range(2):
        gan = make_gan()
        gan.fit(real_tokens(2 * B), batch_size=B, epochs=2, verbose=0, shuffle=False)
        results.append([np.asarray(w) for w in gan.weights])
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


def reference_rewards(rollout, discriminator, tokens, num_rollouts, temperature, uniforms):
    """A plain loop over prefixes, rows and rollouts, one token at a time.

    It reads the uniform numbers in the layout `rollout_rewards` documents: position by
    position; within a position, rows ordered by prefix length, then batch row, then
    rollout.
    """
    batch, length = tokens.shape
    rewards = np.zeros((batch, length))

    def score(seq):
        return float(keras.ops.sigmoid(discriminator(seq[None], training=False))[0, 0])

    for b in range(batch):
        rewards[b, -1] = score(tokens[b])
    group = batch * num_rollouts

    def offset(position):
        return group * (position - 1) * position // 2

    for prefix in range(1, length):
        for b in range(batch):
            scores = []
            for n in range(num_rollouts):
                sequence = tokens[b].copy()
                state = rollout.initial_state(1)
                previous = np.array([rollout.start_token], dtype="int32")
                for position in range(length):
                    logits, state = rollout.step(previous, state)
                    if position >= prefix:
                        index = offset(position) + ((prefix - 1) * batch + b) * num_rollouts + n
                        sequence[position] = int(
                            sample_from_logits(
                                logits / temperature,
                                uniforms[index : index + 1],
                                rollout.block_size,
                            )[0]
                        )
                    previous = sequence[position : position + 1]
                scores.append(score(sequence))
            rewards[b, prefix - 1] = np.mean(scores)
    return rewards


def assert_rewards_match_the_reference(generator, discriminator, num_rows=3):
    """`rollout_rewards` of `num_rows` generated rows equal `reference_rewards`."""
    tokens = generator.generate(num_rows, seed=4)
    num_rollouts, temperature, seed = 2, 0.9, 11
    batched = np.asarray(
        rollout_rewards(
            generator,
            discriminator,
            tokens,
            num_rollouts=num_rollouts,
            temperature=temperature,
            seed=seed,
        )
    )
    length = generator.sequence_length
    total = num_rows * num_rollouts * length * (length - 1) // 2
    uniforms = backend.uniform((total,), seed)
    expected = reference_rewards(
        generator, discriminator, np.asarray(tokens), num_rollouts, temperature, uniforms
    )
    np.testing.assert_allclose(batched, expected, rtol=1e-5, atol=1e-6)
    assert batched.shape == (num_rows, length)


def test_batched_rollout_rewards_match_a_slow_reference():
    assert_rewards_match_the_reference(*make_models(seed=3))


@pytest.mark.parametrize("chunk_size", [1, 3, 4, 7])
def test_chunked_rollout_rewards_equal_the_whole_batch_ones(chunk_size):
    generator, discriminator = make_models(seed=3)
    tokens = generator.generate(7, seed=4)
    kwargs = dict(num_rollouts=2, temperature=0.9, seed=11)
    whole = np.asarray(rollout_rewards(generator, discriminator, tokens, **kwargs))
    chunked = np.asarray(
        rollout_rewards(generator, discriminator, tokens, chunk_size=chunk_size, **kwargs)
    )
    np.testing.assert_allclose(chunked, whole, rtol=1e-6, atol=1e-7)

    if keras.backend.backend() != "tensorflow":
        return  # JAX traces with known shapes: no unknown batch size to check

    # In a graph with an unknown batch size (fit's last, partial batch), too.
    @tf.function(input_signature=[tf.TensorSpec([None, T], tf.int32)])
    def dynamic(tokens):
        return rollout_rewards(generator, discriminator, tokens, chunk_size=chunk_size, **kwargs)

    np.testing.assert_allclose(np.asarray(dynamic(tokens)), whole, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "sample_rows, score_rows, chunk_size", [(1, 1, None), (5, 7, None), (4, 3, 3), (None, 9, 2)]
)
def test_row_blocked_rollout_rewards_equal_the_unblocked_ones(sample_rows, score_rows, chunk_size):
    generator, discriminator = make_models(seed=3)
    tokens = generator.generate(7, seed=4)
    kwargs = dict(num_rollouts=2, temperature=0.9, seed=11)
    whole = np.asarray(rollout_rewards(generator, discriminator, tokens, **kwargs))
    blocks = dict(sample_rows=sample_rows, score_rows=score_rows, chunk_size=chunk_size)
    blocked = np.asarray(rollout_rewards(generator, discriminator, tokens, **blocks, **kwargs))
    np.testing.assert_allclose(blocked, whole, rtol=1e-6, atol=1e-7)

    # The same completions, token for token, and with an unknown number of rows.
    uniforms = rollout_uniforms(7, 2, T, 11)
    args = dict(num_rollouts=2, temperature=0.9, uniforms=uniforms)
    expected = np.asarray(rollout_completions(generator, tokens, **args))
    got = rollout_completions(generator, tokens, sample_rows=sample_rows, **args)
    np.testing.assert_array_equal(np.asarray(got), expected)

    if keras.backend.backend() != "tensorflow":
        return  # JAX traces with known shapes: no unknown number of rows to check

    @tf.function(input_signature=[tf.TensorSpec([None, T], tf.int32)])
    def dynamic(tokens):
        return rollout_rewards(generator, discriminator, tokens, **blocks, **kwargs)

    np.testing.assert_allclose(np.asarray(dynamic(tokens)), whole, rtol=1e-6, atol=1e-7)


# Slow (~36 s: four fits, one under XLA): the default suite is at its 10-minute budget;
# the row-block and chunk rewards tests above stay in it.
@pytest.mark.slow
def test_rollout_chunks_and_row_blocks_train_identically_and_are_checked():
    weights = []
    settings = [
        dict(rollout_sample_rows=None, rollout_score_rows=None),
        dict(rollout_chunk_size=3, rollout_sample_rows=5, rollout_score_rows=5),
        dict(rollout_chunk_size=3, rollout_sample_rows=5, rollout_jit_compile=True),
        dict(),  # the defaults: no chunks, "auto" row blocks
    ]
    for options in settings:  # the third also covers XLA rollouts inside a graph step
        gan = make_gan(**options)
        gan.fit(real_tokens(2 * B), batch_size=B, epochs=1, verbose=0, shuffle=False)
        weights.append([np.asarray(w) for w in gan.weights])
        config = gan.get_compile_config()
        assert config["rollout_jit_compile"] is options.get("rollout_jit_compile", False)
    for other in weights[1:]:
        for a, b in zip(weights[0], other, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    config = gan.get_compile_config()
    assert config["rollout_sample_rows"] == config["rollout_score_rows"] == "auto"
    assert config["rollout_chunk_size"] is None
    # "auto" on a CPU: ~4 MB blocks of logits, 1024 completions per discriminator call.
    assert gan._sample_rows == max(16, 2**20 // V) and gan._score_rows == 1024
    for name in ("rollout_chunk_size", "rollout_sample_rows", "rollout_score_rows"):
        for bad, error in [(0, ValueError), (2.5, TypeError)]:
            with pytest.raises(error, match=name):
                make_gan(**{name: bad})
    with pytest.raises(TypeError, match="rollout_chunk_size"):
        make_gan(rollout_chunk_size="4")
    for name in ("rollout_sample_rows", "rollout_score_rows"):
        with pytest.raises(ValueError, match=name):
            make_gan(**{name: "big"})


def test_rollout_copy_follows_generator():
    gan = make_gan()
    assert all(
        np.array_equal(np.asarray(r), np.asarray(g))
        for r, g in zip(
            gan.rollout.trainable_weights or gan.rollout.weights, gan.generator.weights, strict=True
        )
        if "float" in str(r.dtype)
    )
    old_rollout = [np.array(w) for w in gan.rollout.weights if "float" in str(w.dtype)]
    gan.train_on_batch(real_tokens())
    generator = [np.asarray(w) for w in gan.generator.weights if "float" in str(w.dtype)]
    rollout = [np.asarray(w) for w in gan.rollout.weights if "float" in str(w.dtype)]
    for old, new, target in zip(old_rollout, rollout, generator, strict=True):
        np.testing.assert_allclose(new, 0.8 * old + 0.2 * target, rtol=1e-5, atol=1e-6)
    assert any(not np.array_equal(o, n) for o, n in zip(old_rollout, rollout, strict=True))
    assert not gan.rollout.trainable_weights


def test_metrics_and_temperature_are_logged():
    gan = make_gan(d_train_interval=3)
    gan.temperature.assign(0.7)
    history = gan.fit(real_tokens(4 * B), batch_size=B, epochs=1, verbose=0)
    logs = {k: v[-1] for k, v in history.history.items()}
    for key in (
        "d_loss",
        "d_loss_real",
        "d_loss_fake",
        "d_acc",
        "g_loss",
        "reward_mean",
        "temperature",
        "g_skipped",
        "d_skipped",
    ):
        assert key in logs and np.isfinite(logs[key]), key
    assert logs["temperature"] == pytest.approx(0.7)
    assert 0.0 <= logs["d_acc"] <= 1.0 and 0.0 < logs["reward_mean"] < 1.0


def test_keras_file_round_trip_restores_compiled_model(tmp_path):
    gan = make_gan(d_train_interval=2, d_steps=2, g_steps=1, gradient_clip=3.0)
    gan.fit(real_tokens(2 * B), batch_size=B, epochs=1, verbose=0)
    gan.temperature.assign(0.6)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, ks.SeqGAN) and loaded.compiled
    assert loaded.d_train_interval == 2 and loaded.d_steps == 2 and loaded.gradient_clip == 3.0
    assert float(loaded.temperature.numpy()) == pytest.approx(0.6)
    assert int(loaded.step_counter.numpy()) == 2
    for a, b in zip(gan.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)
    assert int(loaded.generator_optimizer.iterations.numpy()) == 2
    for a, b in zip(
        gan.generator_optimizer.variables, loaded.generator_optimizer.variables, strict=True
    ):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(gan.generate(4, seed=1), loaded.generate(4, seed=1))
    np.testing.assert_array_equal(gan.seed_generator.state, loaded.seed_generator.state)
    # The loaded model continues exactly where the original is: same random streams too.
    # `shuffle=False`: Keras shuffles arrays from its global random state, which moves on
    # between the two fits, and the dropout masks go by row, so a shuffled batch would
    # train differently (measured 1.9e-5 on JAX with shuffle=True).
    for model in (gan, loaded):
        model.fit(real_tokens(B, seed=9), batch_size=B, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(gan.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)


def test_config_round_trip():
    gan = make_gan("gumbel")
    clone = ks.SeqGAN.from_config(gan.get_config())
    assert clone.get_config() == gan.get_config()
    assert clone.objective == "gumbel" and clone.objective == ks.objectives.Gumbel()
    reinforce = make_gan()  # num_rollouts=3 given to SeqGAN with the name "reinforce"
    assert reinforce.objective == ks.objectives.Reinforce(num_rollouts=3)
    clone = ks.SeqGAN.from_config(reinforce.get_config())
    assert clone.objective == reinforce.objective and clone.num_rollouts == 3


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"objective": "ppo"}, ValueError, "objective"),
        ({"num_rollouts": 0}, ValueError, "num_rollouts"),
        ({"rollout_update_rate": 1.5}, ValueError, "rollout_update_rate"),
        ({"temperature": 0.0}, ValueError, "temperature"),
        ({"temperature": -1.0}, ValueError, "temperature"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, match):
    generator, discriminator = make_models()
    with pytest.raises(error, match=match):
        ks.SeqGAN(generator, discriminator, **kwargs)


def test_mismatched_sizes_are_rejected():
    generator, _ = make_models()
    for size in (
        {"vocabulary_size": V + 1, "sequence_length": T},
        {"vocabulary_size": V, "sequence_length": T + 1},
    ):
        discriminator = Discriminator(embedding_dim=4, filter_sizes=(1,), num_filters=(2,), **size)
        with pytest.raises(ValueError, match="disagree"):
            ks.SeqGAN(generator, discriminator)
    with pytest.raises(TypeError, match="generator"):
        ks.SeqGAN("not a model", generator)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"d_train_interval": 0}, ValueError, "d_train_interval"),
        ({"d_steps": -1}, ValueError, "d_steps"),
        ({"d_steps": False}, TypeError, "d_steps"),
        ({"g_steps": 1.5}, TypeError, "g_steps"),
        ({"gradient_clip": 0.0}, ValueError, "gradient_clip"),
        ({"gradient_clip": float("inf")}, ValueError, "gradient_clip"),
        ({"generator_optimizer": "nonsense"}, ValueError, "generator_optimizer"),
    ],
)
def test_bad_compile_arguments(kwargs, error, match):
    generator, discriminator = make_models()
    gan = ks.SeqGAN(generator, discriminator)
    with pytest.raises(error, match=match):
        gan.compile(**kwargs)


@pytest.mark.parametrize(
    "data, error, match",
    [
        (np.full((4, T), V, dtype="int32"), ValueError, "range|vocabulary"),
        (np.full((4, T), -1, dtype="int32"), ValueError, "range|negative|vocabulary"),
        (np.zeros((4, T), dtype="float32"), TypeError, "integer"),
        (np.zeros((4, T, 1), dtype="int32"), ValueError, "rank"),
        (np.zeros((4, T + 1), dtype="int32"), ValueError, "length"),
        (
            tf.data.Dataset.from_tensor_slices(np.full((4, T), V, "int32")).batch(2),
            ValueError,
            "range",
        ),
        (
            tf.data.Dataset.from_tensor_slices(np.zeros((4, T), "float32")).batch(2),
            TypeError,
            "integer",
        ),
        (
            tf.data.Dataset.from_tensor_slices(np.zeros((4, T + 2), "int32")).batch(2),
            ValueError,
            "length",
        ),
        (
            tf.data.Dataset.from_tensor_slices(np.zeros((0, T), "int32")).batch(2),
            ValueError,
            "empty",
        ),
    ],
)
def test_bad_training_data_is_rejected_before_training(data, error, match):
    gan = make_gan()
    before = snapshot(gan)
    with pytest.raises(error, match=match):
        gan.fit(data, epochs=1, verbose=0)
    assert not changed(before, gan)


def test_fit_before_compile_is_a_clear_error():
    generator, discriminator = make_models()
    with pytest.raises(RuntimeError, match="compile"):
        ks.SeqGAN(generator, discriminator).fit(real_tokens(), verbose=0)


def test_fit_accepts_lists_and_rejects_dicts_and_bad_batch_sizes():
    gan = make_gan()
    history = gan.fit(real_tokens(B).tolist(), batch_size=B, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][-1])
    with pytest.raises(TypeError, match="dict"):
        gan.fit({"x": real_tokens()}, verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        gan.fit(real_tokens(), batch_size=-1, verbose=0)


@pytest.mark.parametrize("seed, error", [(2**63, ValueError), (-1, ValueError), ("1", TypeError)])
def test_seeds_out_of_range_are_rejected(seed, error):
    generator, discriminator = make_models()
    with pytest.raises(error, match="seed"):
        Generator(vocabulary_size=V, sequence_length=T, seed=seed)
    with pytest.raises(error, match="seed"):
        generator.generate(2, seed=seed)
    with pytest.raises(error, match="seed"):
        ks.SeqGAN(generator, discriminator, seed=seed)


@pytest.mark.parametrize("bad_value, match", [(-1, "negative token id"), (V, f"token id >= {V}")])
def test_a_bad_batch_after_the_first_stops_fit_with_a_clear_error(bad_value, match):
    gan = make_gan()
    good = real_tokens(4 * B)
    bad = good.copy()
    bad[-1, 0] = bad_value  # only the last batch is bad: the up-front check cannot see it
    dataset = tf.data.Dataset.from_tensor_slices(bad).batch(B)
    before = snapshot(gan.generator)
    with pytest.raises(ValueError, match=rf"`x` has a {match}.*after the first") as info:
        gan.fit(dataset, epochs=1, verbose=0)
    assert "Traceback" not in str(info.value) and len(str(info.value)) < 300
    assert changed(before, gan.generator)  # the good batches before it trained


def test_good_datasets_train_the_same_with_the_batch_checks():
    tokens = real_tokens(2 * B)
    arrays, datasets = make_gan(), make_gan()
    arrays.fit(tokens, batch_size=B, epochs=1, shuffle=False, verbose=0)
    datasets.fit(tf.data.Dataset.from_tensor_slices(tokens).batch(B), epochs=1, verbose=0)
    for a, b in zip(snapshot(arrays), snapshot(datasets), strict=True):
        np.testing.assert_array_equal(a, b)
