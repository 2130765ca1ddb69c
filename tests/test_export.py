"""`SeqGAN.export`: a SavedModel that serves seeded generation (issue 27, item 2).

The endpoint takes the number of samples, the temperature, a seed (and condition ids) and
returns the tokens `gan.generate` gives for the same seed. It loads with
`tf.saved_model.load` in a fresh process where `keras_seqgan` cannot be imported.
"""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from _models import tiny_gan, tiny_models

import keras_seqgan as ks

V, T = 20, 6
CONDITIONS = {"speaker": 3, "mood": 2}

# In a fresh process: `keras_seqgan` (installed editable in the venv) made unimportable,
# the working folder not the repository; TensorFlow alone loads and runs the SavedModel.
LOAD_WITHOUT_THE_PACKAGE = textwrap.dedent(
    """
    import json, sys
    sys.modules["keras_seqgan"] = None  # any `import keras_seqgan` now raises ImportError
    import tensorflow as tf

    path, calls = sys.argv[1], json.loads(sys.argv[2])
    served = tf.saved_model.load(path)
    outputs = []
    for call in calls:
        inputs = {
            "num_samples": tf.constant(call["num_samples"], tf.int32),
            "temperature": tf.constant(call["temperature"], tf.float32),
            "seed": tf.constant(call["seed"], tf.int64),
        }
        for name, ids in call.get("conditions", {}).items():
            inputs[name] = tf.constant(ids, tf.int32)
        tokens = served.signatures["serving_default"](**inputs)["tokens"]
        outputs.append([str(tokens.dtype.name), tokens.numpy().tolist()])
    loaded = sorted(name for name in sys.modules if name.startswith("keras_seqgan"))
    print(json.dumps({"outputs": outputs, "loaded": loaded}))
    """
)


def serve_in_fresh_process(path, calls, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", LOAD_WITHOUT_THE_PACKAGE, str(path), json.dumps(calls)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded"] == ["keras_seqgan"]  # only the blocked entry, never imported
    return report["outputs"]


@pytest.mark.tensorflow_only("the SavedModel's endpoint is a TensorFlow graph")
def test_exported_model_generates_as_generate_in_a_process_without_the_package(tmp_path):
    gan = tiny_gan(*tiny_models(V, T, num_filters=2, dropout=0.0))
    gan.fit(np.random.default_rng(0).integers(0, V, (8, T)), batch_size=4, epochs=1, verbose=0)
    path = tmp_path / "served"
    gan.export(path, verbose=False)
    calls = [
        {"num_samples": 5, "temperature": 1.0, "seed": 3},
        {"num_samples": 7, "temperature": 0.5, "seed": 2**32 - 1},
        {"num_samples": 1, "temperature": 2.0, "seed": 0},
        # More than one batch of 1,024: the stream advances by one draw a batch.
        {"num_samples": 1100, "temperature": 1.0, "seed": 9},
    ]
    outputs = serve_in_fresh_process(path, calls, tmp_path)
    for call, (dtype, tokens) in zip(calls, outputs, strict=True):
        expected = gan.generate(
            call["num_samples"], temperature=call["temperature"], seed=call["seed"]
        )
        assert dtype == "int32"
        np.testing.assert_array_equal(np.array(tokens), expected)
    # A seed that `generate` would fold with NumPy's SeedSequence is refused, not served.
    import tensorflow as tf

    served = tf.saved_model.load(str(path))
    with pytest.raises(tf.errors.InvalidArgumentError, match="2\\*\\*32"):
        served.serve(tf.constant(2), tf.constant(1.0), tf.constant(2**32, tf.int64))


@pytest.mark.tensorflow_only("the SavedModel's endpoint is a TensorFlow graph")
def test_exported_conditional_model_takes_condition_ids(tmp_path):
    generator, discriminator = tiny_models(V, T, num_filters=2, dropout=0.0, conditions=CONDITIONS)
    discriminator = ks.models.Discriminator(
        vocabulary_size=V, sequence_length=T, filter_sizes=(1, 2), num_filters=(2, 2),
        embedding_dim=4, dropout=0.0, conditions=CONDITIONS,
    )  # fmt: skip
    gan = tiny_gan(generator, discriminator)
    path = tmp_path / "served"
    gan.export(path, verbose=False)
    speaker = [0, 1, 2, 2, 1]
    mood = [1, 0, 1, 0, 1]
    call = {
        "num_samples": 5,
        "temperature": 1.0,
        "seed": 4,
        "conditions": {"speaker": speaker, "mood": mood},
    }
    ((dtype, tokens),) = serve_in_fresh_process(path, [call], tmp_path)
    expected = gan.generate(5, seed=4, conditions={"speaker": speaker, "mood": mood})
    assert dtype == "int32"
    np.testing.assert_array_equal(np.array(tokens), expected)


@pytest.mark.tensorflow_only("the SavedModel's endpoints are TensorFlow graphs")
def test_the_generators_own_export_serves_generation_and_log_prob(tmp_path):
    import tensorflow as tf

    generator, _ = tiny_models(V, T, conditions={"speaker": 3})
    path = tmp_path / "generator"
    generator.export(path, verbose=False)
    served = tf.saved_model.load(str(path))
    speaker = np.array([0, 2, 1, 1], "int32")
    tokens = served.serve(tf.constant(4), tf.constant(0.8), tf.constant(5, tf.int64), speaker)
    expected = generator.generate(4, temperature=0.8, seed=5, conditions={"speaker": speaker})
    np.testing.assert_array_equal(tokens["tokens"].numpy(), expected)
    scored = served.log_prob(tf.constant(expected, tf.int32), tf.constant(0.8), speaker)
    assert scored["log_probs"].dtype == tf.float32 and scored["log_probs"].shape == (4, T)
    np.testing.assert_allclose(
        scored["log_probs"].numpy(),
        np.asarray(generator.log_prob(expected, temperature=0.8, conditions={"speaker": speaker})),
        rtol=1e-5,
        atol=1e-6,
    )


def test_export_refuses_other_formats_and_signatures(tmp_path):
    gan = tiny_gan(*tiny_models(V, T, num_filters=2, dropout=0.0), compile=False)
    with pytest.raises(ValueError, match="format='onnx'"):
        gan.export(tmp_path / "x", format="onnx")
    with pytest.raises(ValueError, match="input_signature"):
        gan.export(tmp_path / "x", input_signature=[1])


@pytest.mark.parametrize("backend_name", ["jax"])
def test_export_on_jax_says_why_not(backend_name, tmp_path):
    import keras

    if keras.backend.backend() != backend_name:
        pytest.skip("the JAX backend's answer")
    gan = tiny_gan(*tiny_models(V, T, num_filters=2, dropout=0.0), compile=False)
    with pytest.raises(NotImplementedError, match="KERAS_BACKEND=tensorflow"):
        gan.export(tmp_path / "x")
