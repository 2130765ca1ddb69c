import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from keras_seqgan.models.discriminator import Discriminator, paper_filters

VOCABULARY_SIZE = 10
SEQUENCE_LENGTH = 5
TINY = {
    "vocabulary_size": VOCABULARY_SIZE,
    "sequence_length": SEQUENCE_LENGTH,
    "embedding_dim": 4,
    "filter_sizes": (1, 2, 3),
    "num_filters": (4, 4, 4),
}


def tiny_discriminator(**overrides) -> Discriminator:
    return Discriminator(**{**TINY, **overrides})


def tokens(batch: int = 3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, VOCABULARY_SIZE, size=(batch, SEQUENCE_LENGTH)).astype("int32")


def test_int_and_one_hot_inputs_give_the_same_float32_logits():
    keras.utils.set_random_seed(1)
    discriminator = tiny_discriminator()
    ids = tokens()
    one_hot = ops.one_hot(ids, VOCABULARY_SIZE)

    int_logits = discriminator(ids)
    soft_logits = discriminator(one_hot)

    for logits in (int_logits, soft_logits):
        assert tuple(logits.shape) == (3, 1)
        assert keras.backend.standardize_dtype(logits.dtype) == "float32"
    np.testing.assert_array_equal(
        ops.convert_to_numpy(int_logits), ops.convert_to_numpy(soft_logits)
    )


@pytest.mark.tensorflow_only("takes the gradient with tf.GradientTape")
def test_gradient_flows_to_the_soft_input():
    keras.utils.set_random_seed(2)
    discriminator = tiny_discriminator()
    soft = tf.Variable(ops.softmax(keras.random.normal((3, SEQUENCE_LENGTH, VOCABULARY_SIZE))))
    with tf.GradientTape() as tape:
        logits = discriminator(soft)
        total = ops.sum(logits)
    gradient = tape.gradient(total, soft).numpy()
    assert gradient.shape == (3, SEQUENCE_LENGTH, VOCABULARY_SIZE)
    assert np.all(np.isfinite(gradient))
    assert np.any(gradient != 0.0)


def test_weights_exist_after_construction_and_symbolic_call_works():
    discriminator = tiny_discriminator()
    assert discriminator.built
    assert len(discriminator.weights) > 0
    symbolic = keras.Input((SEQUENCE_LENGTH,), dtype="int32")
    assert tuple(discriminator(symbolic).shape) == (None, 1)


def test_paper_defaults_build_with_1720_pooled_features():
    discriminator = Discriminator(vocabulary_size=50, sequence_length=20)
    assert discriminator.embedding_dim == 64
    assert discriminator.filter_sizes == (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20)
    assert discriminator.num_filters == (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)
    assert discriminator.num_features == 1720
    assert tuple(discriminator.output_dense.kernel.shape) == (1720, 1)
    assert tuple(discriminator.highway_gates[0].kernel.shape) == (1720, 1720)
    logits = discriminator(np.zeros((2, 20), dtype="int32"))
    assert tuple(logits.shape) == (2, 1)


def test_highway_layers_zero_and_several():
    assert tiny_discriminator(highway_layers=0)(tokens()).shape == (3, 1)
    deep = tiny_discriminator(highway_layers=2)
    assert len(deep.highway_gates) == 2
    assert deep(tokens()).shape == (3, 1)


def test_config_round_trip():
    discriminator = tiny_discriminator(highway_layers=2, dropout=0.5, name="critic")
    config = discriminator.get_config()
    for key in (*TINY, "highway_layers", "dropout", "name", "trainable", "dtype"):
        assert key in config
    restored = Discriminator.from_config(config)
    assert restored.get_config() == config
    assert [tuple(w.shape) for w in restored.weights] == [
        tuple(w.shape) for w in discriminator.weights
    ]


def test_keras_save_and_load_gives_the_same_outputs(tmp_path):
    keras.utils.set_random_seed(3)
    discriminator = tiny_discriminator()
    discriminator.compile(optimizer="adam")
    labels = np.ones((3, 1), dtype="float32")
    discriminator.fit(tokens(), labels, epochs=1, verbose=0)
    path = tmp_path / "discriminator.keras"
    discriminator.save(path)

    loaded = keras.models.load_model(path)

    assert isinstance(loaded, Discriminator)
    assert loaded.get_config() == discriminator.get_config()
    np.testing.assert_allclose(
        ops.convert_to_numpy(loaded(tokens(seed=5))),
        ops.convert_to_numpy(discriminator(tokens(seed=5))),
        rtol=1e-6,
        atol=1e-6,
    )
    # compile_from_config re-applied the default loss and logit-threshold metric.
    assert loaded.compiled
    original = discriminator.evaluate(tokens(), labels, verbose=0, return_dict=True)
    reloaded = loaded.evaluate(tokens(), labels, verbose=0, return_dict=True)
    assert set(reloaded) == {"loss", "accuracy"}
    np.testing.assert_allclose(reloaded["loss"], original["loss"], rtol=1e-5)


def test_fit_learns_a_separable_problem():
    keras.utils.set_random_seed(4)
    real = np.ones((32, SEQUENCE_LENGTH), dtype="int32")
    fake = np.full((32, SEQUENCE_LENGTH), 2, dtype="int32")
    x = np.concatenate([real, fake])
    y = np.concatenate([np.ones((32, 1)), np.zeros((32, 1))]).astype("float32")
    discriminator = tiny_discriminator()
    discriminator.compile(optimizer=keras.optimizers.Adam(0.05))

    history = discriminator.fit(x, y, batch_size=16, epochs=3, shuffle=True, verbose=0)

    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0
    logits = ops.convert_to_numpy(discriminator(x))
    assert np.all(logits[:32] > 0) and np.all(logits[32:] < 0)


def test_compile_passes_explicit_loss_and_metrics_through():
    discriminator = tiny_discriminator()
    loss = keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    discriminator.compile(optimizer="sgd", loss=loss, metrics=["mae"], jit_compile=False)
    assert discriminator.loss is loss
    assert isinstance(discriminator.optimizer, keras.optimizers.SGD)
    assert discriminator.jit_compile is False
    logs = discriminator.evaluate(tokens(), np.ones((3, 1)), verbose=0, return_dict=True)
    assert set(logs) == {"loss", "mae"}


def test_dropout_only_in_training():
    keras.utils.set_random_seed(5)
    discriminator = tiny_discriminator(dropout=0.5)
    ids = tokens(batch=8)
    inference = ops.convert_to_numpy(discriminator(ids, training=False))
    np.testing.assert_array_equal(inference, ops.convert_to_numpy(discriminator(ids)))
    training = ops.convert_to_numpy(discriminator(ids, training=True))
    assert not np.allclose(training, inference)


@pytest.mark.parametrize(
    "overrides, error, match",
    [
        ({"vocabulary_size": 1}, ValueError, r"vocabulary_size.*int >= 2.*vocabulary_size=1"),
        ({"vocabulary_size": 10.0}, TypeError, r"vocabulary_size.*Received: vocabulary_size=10.0"),
        ({"sequence_length": 0}, ValueError, r"sequence_length.*int >= 1.*sequence_length=0"),
        ({"sequence_length": True}, TypeError, r"sequence_length.*int >= 1.*=True"),
        ({"embedding_dim": -4}, ValueError, r"embedding_dim.*int >= 1.*embedding_dim=-4"),
        ({"embedding_dim": "4"}, TypeError, r"embedding_dim.*int >= 1.*embedding_dim='4'"),
        ({"filter_sizes": ()}, ValueError, r"filter_sizes.*non-empty.*filter_sizes=\(\)"),
        ({"filter_sizes": 3}, TypeError, r"filter_sizes.*list or tuple.*filter_sizes=3"),
        ({"filter_sizes": (1, 0, 3)}, ValueError, r"filter_sizes.*positive int.*bad entry 0"),
        ({"num_filters": (4, 2.5, 4)}, ValueError, r"num_filters.*positive int.*bad entry 2.5"),
        ({"num_filters": (4, 4)}, ValueError, r"same length.*num_filters=\[4, 4\] \(length 2\)"),
        (
            {"filter_sizes": (1, 2, 6), "num_filters": (4, 4, 4)},
            ValueError,
            r"at most `sequence_length`=5.*too wide: \[6\].*smaller widths.*\[1, 2\]",
        ),
        ({"highway_layers": -1}, ValueError, r"highway_layers.*int >= 0.*highway_layers=-1"),
        ({"dropout": 1.0}, ValueError, r"dropout.*\[0, 1\).*dropout=1.0"),
        ({"dropout": -0.1}, ValueError, r"dropout.*\[0, 1\).*dropout=-0.1"),
        ({"dropout": "0.2"}, TypeError, r"dropout.*float.*dropout='0.2'"),
    ],
)
def test_bad_arguments_raise(overrides, error, match):
    with pytest.raises(error, match=match):
        tiny_discriminator(**overrides)


def test_default_widths_fit_the_sequence():
    # The paper's set for 20 tokens or more; for shorter sequences the widths that fit.
    paper = Discriminator(vocabulary_size=50, sequence_length=20)
    assert paper.filter_sizes == (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20)
    assert paper.num_filters == (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)
    short = Discriminator(vocabulary_size=30, sequence_length=6)
    assert short.filter_sizes == (1, 2, 3, 4, 5, 6)
    assert short.num_filters == (100, 200, 200, 200, 200, 100)
    assert short(np.zeros((2, 6), dtype="int32")).shape == (2, 1)
    assert Discriminator(vocabulary_size=30, sequence_length=12).filter_sizes[-1] == 10
    assert Discriminator(vocabulary_size=30, sequence_length=1).filter_sizes == (1,)
    # The resolved widths are in the config, so a loaded model has the same layers.
    config = short.get_config()
    assert config["filter_sizes"] == [1, 2, 3, 4, 5, 6]
    assert Discriminator.from_config(config).num_filters == short.num_filters


def test_paper_widths_without_counts_take_the_paper_counts():
    discriminator = Discriminator(vocabulary_size=30, sequence_length=20, filter_sizes=(2, 15))
    assert discriminator.num_filters == (200, 160)
    assert paper_filters(16) == (
        (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15),
        (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160),
    )
    with pytest.raises(ValueError, match=r"num_filters.*needed.*filter_sizes=\[2, 11\].*\[11\]"):
        Discriminator(vocabulary_size=30, sequence_length=20, filter_sizes=(2, 11))
    with pytest.raises(ValueError, match=r"sequence_length.*int >= 1"):
        paper_filters(0)


def test_bad_inputs_raise():
    discriminator = tiny_discriminator()
    with pytest.raises(ValueError, match=r"Float inputs.*vocabulary_size=10.*integer dtype"):
        discriminator(np.ones((3, SEQUENCE_LENGTH), dtype="float32"))
    with pytest.raises(ValueError, match=r"Float inputs.*vocabulary_size=10"):
        discriminator(np.ones((3, SEQUENCE_LENGTH, 7), dtype="float32"))
    with pytest.raises(ValueError, match=r"Integer inputs.*\[batch, time\]"):
        discriminator(np.ones((3, SEQUENCE_LENGTH, VOCABULARY_SIZE), dtype="int32"))
    with pytest.raises(ValueError, match=r"at least as long as the widest filter \(3\)"):
        discriminator(np.ones((3, 2), dtype="int32"))
