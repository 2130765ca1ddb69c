"""`TokenCrossEntropy`, the generator's default MLE loss: Keras's sparse cross-entropy,
computed faster; the same values and gradients, in every execution mode."""

import keras
import numpy as np
import pytest

import keras_seqgan as ks

V, T = 11, 5


def logits_and_tokens(seed=0, batch=4):
    rng = np.random.default_rng(seed)
    logits = (3.0 * rng.standard_normal((batch, T, V))).astype("float32")
    return logits, rng.integers(0, V, size=(batch, T)).astype("int32")


def keras_loss(**kwargs):
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True, **kwargs)


@pytest.mark.parametrize("jit_compile", ["auto", True, False])
def test_equals_keras_sparse_cross_entropy(jit_compile):
    logits, tokens = logits_and_tokens()
    weights = np.random.default_rng(1).uniform(size=(4, T)).astype("float32")
    ours = ks.losses.TokenCrossEntropy(jit_compile=jit_compile)
    for y_true in (tokens, tokens[..., None]):
        np.testing.assert_allclose(
            float(ours(y_true, logits)), float(keras_loss()(tokens, logits)), rtol=1e-6
        )
    np.testing.assert_allclose(
        float(ours(tokens, logits, sample_weight=weights)),
        float(keras_loss()(tokens, logits, sample_weight=weights)),
        rtol=1e-6,
    )
    per_token = ks.losses.TokenCrossEntropy(jit_compile=jit_compile, reduction=None)
    np.testing.assert_allclose(
        np.asarray(per_token(tokens, logits)),
        np.asarray(keras_loss(reduction=None)(tokens, logits)),
        rtol=1e-5,
        atol=1e-6,
    )


def test_mixed_bfloat16_logits_give_a_float32_loss():
    logits, tokens = logits_and_tokens()
    loss = ks.losses.TokenCrossEntropy()(tokens, keras.ops.cast(logits, "bfloat16"))
    assert keras.backend.standardize_dtype(loss.dtype) == "float32"
    rounded = np.asarray(keras.ops.cast(keras.ops.cast(logits, "bfloat16"), "float32"))
    np.testing.assert_allclose(float(loss), float(keras_loss()(tokens, rounded)), rtol=1e-6)


def train(loss, jit_compile, steps=8):
    keras.utils.set_random_seed(2)  # the generator's initial weights
    oracle = ks.data.OracleLSTM(vocabulary_size=V, sequence_length=T, hidden_dim=8, seed=3)
    generator = ks.models.Generator(
        vocabulary_size=V, sequence_length=T, embedding_dim=8, hidden_dim=8, seed=2
    )
    # SGD: Adam turns rounding-level differences of near-zero gradients into whole steps.
    generator.compile(optimizer=keras.optimizers.SGD(0.5), loss=loss, jit_compile=jit_compile)
    dataset = ks.data.mle_dataset(oracle.sample(64, seed=4), batch_size=16, shuffle=False)
    history = generator.fit(dataset, epochs=steps // 4, verbose=0)
    return history.history["loss"], [np.asarray(w) for w in generator.weights]


@pytest.mark.parametrize("jit_compile", [False, True], ids=["graph", "xla"])
def test_mle_training_follows_keras_loss(jit_compile):
    """The generator's default loss trains as Keras's loss does (to float rounding), in a
    graph-mode step and inside a whole-step XLA program (where it must not nest a
    second XLA program: that took 1.5 s a step)."""
    ours, our_weights = train(None, jit_compile)
    theirs, their_weights = train(keras_loss(), jit_compile)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    for a, b in zip(our_weights, their_weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_generator_compiles_with_it_by_default_and_reloads_it(tmp_path):
    generator = ks.models.Generator(vocabulary_size=V, sequence_length=T, hidden_dim=8, seed=2)
    generator.compile(optimizer="adam")
    assert isinstance(generator.loss, ks.losses.TokenCrossEntropy)
    path = str(tmp_path / "generator.keras")
    generator.save(path)
    reloaded = keras.models.load_model(path)
    assert isinstance(reloaded.loss, ks.losses.TokenCrossEntropy)
    loss = ks.losses.TokenCrossEntropy(jit_compile=False, reduction="sum")
    again = ks.losses.TokenCrossEntropy.from_config(loss.get_config())
    assert (again.jit_compile, again.reduction) == (False, "sum")


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_jit_compile_must_be_auto_or_a_bool(value):
    with pytest.raises(
        ValueError, match=r"`jit_compile` must be 'auto', True or False. Received: jit_compile="
    ):
        ks.losses.TokenCrossEntropy(jit_compile=value)


@pytest.mark.tensorflow_only("XLA programs nested in graphs are TensorFlow's machinery")
def test_compiled_alone_in_a_graph_step_and_inlined_in_an_xla_one():
    import tensorflow as tf

    loss = ks.losses.TokenCrossEntropy()
    specs = (tf.TensorSpec((2, T), "int32"), tf.TensorSpec((2, T, V), "float32"))

    def called_functions(jit_compile):
        traced = tf.function(lambda y, z: loss(y, z), jit_compile=jit_compile)
        graph = traced.get_concrete_function(*specs).graph
        return [op for op in graph.get_operations() if op.type.endswith("PartitionedCall")]

    calls = called_functions(jit_compile=False)
    assert [call.get_attr("_XlaMustCompile") for call in calls] == [True]
    assert called_functions(jit_compile=True) == []
