import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from keras_seqgan.models import Generator

V, T = 10, 5


def make_generator(**kwargs):
    config = dict(vocabulary_size=V, sequence_length=T, embedding_dim=4, hidden_dim=4, seed=1)
    config.update(kwargs)
    return Generator(**config)


def test_shapes_and_dtypes():
    generator = make_generator()
    tokens = generator.generate(7, seed=3)
    assert tokens.shape == (7, T) and tokens.dtype == np.int32
    assert tokens.min() >= 0 and tokens.max() < V
    assert tuple(generator(tokens).shape) == (7, T, V)
    assert tuple(generator.log_prob(tokens).shape) == (7, T)
    soft, hard = generator.sample_relaxed(3, temperature=0.5, seed=1)
    assert tuple(soft.shape) == (3, T, V) and tuple(hard.shape) == (3, T)
    np.testing.assert_allclose(ops.sum(soft, axis=-1), np.ones((3, T)), rtol=1e-5)


def test_generate_is_seeded():
    generator = make_generator()
    first = generator.generate(20, seed=3, batch_size=6)
    generator.generate(5)  # other draws in between do not matter
    np.testing.assert_array_equal(first, generator.generate(20, seed=3, batch_size=6))
    assert not np.array_equal(first, generator.generate(20, seed=4, batch_size=6))


@pytest.mark.tensorflow_only("wraps the sampler in tf.function(jit_compile=True)")
def test_sample_compiles_under_xla():
    generator = make_generator()
    seed = keras.random.SeedGenerator(5)
    sample = tf.function(lambda: generator.sample(4, temperature=0.7, seed=seed), jit_compile=True)
    tokens = np.asarray(sample())
    assert tokens.shape == (4, T) and tokens.min() >= 0 and tokens.max() < V
    assert not np.array_equal(tokens, np.asarray(sample()))  # the seed stream advances


def test_sample_follows_the_model_distribution():
    # With a zero-recurrence model every position has the same softmax(bias) law.
    generator = make_generator(sequence_length=1)
    for weight in generator.trainable_weights:
        weight.assign(np.zeros(weight.shape, dtype="float32"))
    bias = np.linspace(-2.0, 2.0, V).astype("float32")
    generator.output_projection.bias.assign(bias)
    tokens = generator.generate(40_000, seed=0, batch_size=40_000)[:, 0]
    expected = np.exp(bias) / np.exp(bias).sum()
    observed = np.bincount(tokens, minlength=V) / tokens.size
    assert 0.5 * np.abs(observed - expected).sum() < 0.015


def test_low_temperature_is_greedy():
    generator = make_generator()
    tokens = generator.generate(8, temperature=1e-4, seed=1)
    logits = np.asarray(generator(tokens))
    # Greedy up to near-ties: at temperature 1e-4 a token whose logit is 1e-3 below the
    # best is e^-10 times as likely, so every chosen logit is within 1e-3 of the maximum
    # (a small random generator's logits can tie more closely than that).
    chosen = np.take_along_axis(logits, tokens[..., None], axis=-1)[..., 0]
    assert np.all(chosen >= logits.max(-1) - 1e-3)
    assert np.mean(tokens == logits.argmax(-1)) > 0.5


def test_log_prob_matches_teacher_forced_logits():
    generator = make_generator()
    tokens = generator.generate(6, seed=2)
    logits = np.asarray(generator(tokens), dtype="float64")
    log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = np.take_along_axis(log_softmax, tokens[..., None], -1)[..., 0]
    np.testing.assert_allclose(generator.log_prob(tokens), expected, rtol=1e-4, atol=1e-5)


def test_the_step_interface_reproduces_the_teacher_forced_logits():
    """`initial_state`, `advance` and `project` (the interface the rollouts use), token by
    token, give what the whole-sequence pass gives; `step` is the two together."""
    generator = make_generator()
    tokens = np.asarray(generator.generate(6, seed=2))
    expected = np.asarray(generator(tokens))
    state = generator.initial_state(len(tokens))
    previous = np.full((len(tokens),), generator.start_token, "int32")
    for t in range(T):
        logits, stepped = generator.step(previous, state)
        state = generator.advance(previous, state)
        np.testing.assert_allclose(np.asarray(generator.project(state[0])), expected[:, t],
                                   rtol=1e-5, atol=1e-6)  # fmt: skip
        np.testing.assert_allclose(np.asarray(logits), expected[:, t], rtol=1e-5, atol=1e-6)
        for a, b in zip(stepped, state, strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        previous = tokens[:, t]


def test_mle_fit_is_plain_keras_and_seeded():
    data = np.tile(np.arange(T, dtype="int32"), (32, 1))  # the same sequence everywhere

    def train():
        keras.utils.set_random_seed(7)
        generator = make_generator()
        generator.compile(optimizer=keras.optimizers.Adam(0.05))
        history = generator.fit(data, data, batch_size=8, epochs=3, verbose=0, shuffle=False)
        return generator, history.history["loss"]

    generator, losses = train()
    assert losses[-1] < losses[0]
    again, _ = train()
    for a, b in zip(generator.weights, again.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_mle_step_is_compiled_with_xla_by_default_and_trains_as_graph_mode():
    """`Generator.compile()` asks for XLA (on TensorFlow's CPU too, where Keras's "auto"
    would not: faster, docs/speed.md); the XLA step trains as the graph-mode one."""
    data = np.tile(np.arange(T, dtype="int32"), (32, 1))

    def train(**compile_kw):
        keras.utils.set_random_seed(7)  # the same initial weights
        generator = make_generator()
        generator.compile(optimizer=keras.optimizers.SGD(0.5), **compile_kw)
        history = generator.fit(data, data, batch_size=8, epochs=2, verbose=0, shuffle=False)
        return generator, history.history["loss"]

    default, default_losses = train()
    graph, graph_losses = train(jit_compile=False)
    assert default.jit_compile is True and graph.jit_compile is False
    np.testing.assert_allclose(default_losses, graph_losses, rtol=1e-5)
    for a, b in zip(default.weights, graph.weights, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6)
    eager = make_generator()
    eager.compile(run_eagerly=True)  # Keras's rule: no XLA when run eagerly, and no warning
    assert eager.jit_compile is False


@pytest.mark.tensorflow_only("on JAX every step is XLA; this is TensorFlow's CPU choice")
def test_mle_step_of_a_bfloat16_generator_is_left_to_keras():
    generator = make_generator(dtype="mixed_bfloat16")  # no faster under XLA on a CPU
    generator.compile()
    assert generator.jit_compile is bool(tf.config.list_physical_devices("GPU"))


def test_generate_samples_with_xla_by_default_as_the_graph_does():
    """`generate`'s `"auto"` is XLA for a float32 generator (faster, docs/speed.md); its
    tokens are the graph's but where float rounding crosses a sampling boundary."""
    generator = make_generator(vocabulary_size=50)
    default = generator.generate(400, seed=3)
    np.testing.assert_array_equal(default, generator.generate(400, seed=3, jit_compile=True))
    if keras.backend.backend() == "tensorflow":  # (JAX compiles with XLA either way)
        assert set(generator._generate_cache) == {(400, True)}  # "auto" ran XLA's program
    graph = generator.generate(400, seed=3, jit_compile=False)
    assert np.mean(default == graph) > 0.99
    with pytest.raises(ValueError, match=r"`jit_compile` must be 'auto', True or False"):
        generator.generate(4, jit_compile="yes")


@pytest.mark.tensorflow_only("tf.distribute strategies are TensorFlow's")
def test_mle_step_leaves_xla_to_keras_under_a_strategy():
    with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
        generator = make_generator()
        generator.compile()
    assert generator.jit_compile is False  # Keras's "auto" under tf.distribute


def test_config_round_trip_and_keras_file(tmp_path):
    generator = make_generator(start_token=3, sampler_block_size=4)
    clone = Generator.from_config(generator.get_config())
    assert clone.get_config() == generator.get_config()
    tokens = generator.generate(5, seed=9)
    path = str(tmp_path / "generator.keras")
    generator.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, Generator) and loaded.start_token == 3
    np.testing.assert_allclose(loaded(tokens), generator(tokens), rtol=1e-6)
    np.testing.assert_array_equal(loaded.generate(5, seed=9), tokens)


def test_initializer_applies_to_every_weight_and_round_trips(tmp_path):
    initializer = keras.initializers.RandomNormal(stddev=0.1, seed=4)
    generator = make_generator(vocabulary_size=200, embedding_dim=16, hidden_dim=16,
                               initializer=initializer)  # fmt: skip
    for weight in generator.weights:
        values = weight.numpy()
        # Every weight, biases included, is drawn from N(0, 0.1): no zeros, no forget bias 1.
        assert 0.07 < values.std() < 0.13, weight.path
        assert abs(values.mean()) < 0.05, weight.path
    cell = generator.lstm_cell
    # Same shape, same seed: each weight must still get its own draw.
    assert not np.allclose(cell.kernel.numpy(), cell.recurrent_kernel.numpy())
    path = str(tmp_path / "generator.keras")
    generator.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.get_config()["initializer"] == generator.get_config()["initializer"]
    for a, b in zip(loaded.get_weights(), generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert make_generator().get_config()["initializer"] is None


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"vocabulary_size": 1}, ValueError, "vocabulary_size"),
        ({"vocabulary_size": 10.0}, TypeError, "vocabulary_size"),
        ({"sequence_length": 0}, ValueError, "sequence_length"),
        ({"hidden_dim": -1}, ValueError, "hidden_dim"),
        ({"start_token": 10}, ValueError, "start_token"),
        ({"start_token": "a"}, TypeError, "start_token"),
        ({"initializer": "no_such_initializer"}, ValueError, "initializer"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_generator(**kwargs)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"num_samples": 0}, ValueError, "num_samples"),
        ({"num_samples": 2, "temperature": 0.0}, ValueError, "temperature"),
        ({"num_samples": 2, "temperature": float("nan")}, ValueError, "temperature"),
        ({"num_samples": 2, "temperature": "hot"}, TypeError, "temperature"),
        ({"num_samples": 2, "batch_size": 0}, ValueError, "batch_size"),
    ],
)
def test_bad_generate_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_generator().generate(**kwargs)


def test_saved_pretraining_generator_reloads_compiled_without_warning(tmp_path):
    import warnings

    import keras_seqgan as ks

    generator = Generator(vocabulary_size=11, sequence_length=4, seed=1)
    generator.compile(optimizer=keras.optimizers.Adam(1e-2))
    tokens = np.random.default_rng(0).integers(0, 11, (32, 4))
    generator.fit(tokens, tokens, epochs=1, verbose=0)
    ks.saving.save_model(generator, tmp_path / "g.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras warns when it skips a custom compile()
        loaded = ks.saving.load_model(tmp_path / "g.keras")
    assert int(loaded.optimizer.iterations.numpy()) == 1
    for mine, theirs in zip(loaded.optimizer.variables, generator.optimizer.variables, strict=True):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    assert loaded.evaluate(tokens, tokens, verbose=0) == generator.evaluate(
        tokens, tokens, verbose=0
    )
