"""`SeqGAN.export`: a SavedModel that serves seeded generation (issue 27, items 2 and 4).

The endpoint takes the number of samples, the temperature, a seed (and condition ids) and
returns the tokens `gan.generate` gives for the same seed and, for a model that carries
its tokenizer, the text `gan.generate_text` gives. It loads with `tf.saved_model.load` in
a fresh process where `keras_seqgan` cannot be imported.
"""

import importlib.util
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
# A word-level tokenizer for the conditional model: 17 words (quotes, parentheses, hyphen
# and punctuation, which `decode` spaces by its own rules) and the conditions' values.
WORDS = ['"', ",", ".", "!", "(", ")", "-", "'tis", "to", "be", "or", "not", "the", "rest"]
WORDS += ["is", "silence", "o'er"]
CONDITION_VALUES = {"speaker": ["HAMLET", "OPHELIA", "HORATIO"], "mood": ["calm", "wild"]}
TEXTS = [
    'To be, or not to be: "that is the question."',
    "Whether 'tis nobler (in the mind) to suffer -",
    "Héllo wörld, ça va? 日本語のテキスト。 The rest is silence!",
] * 3
SUBWORD_KINDS = {"bpe": 270, "wordpiece": 60, "unigram": 60}  # kind: max_tokens
HAS_TOKENIZERS = importlib.util.find_spec("tokenizers") is not None
needs_tokenizers = pytest.mark.skipif(
    not HAS_TOKENIZERS, reason='needs the subword extra: pip install ".[subword]"'
)

# In a fresh process: `keras_seqgan` (installed editable in the venv) made unimportable,
# the working folder not the repository; TensorFlow alone loads and runs the SavedModels.
LOAD_WITHOUT_THE_PACKAGE = textwrap.dedent(
    """
    import json, sys
    sys.modules["keras_seqgan"] = None  # any `import keras_seqgan` now raises ImportError
    import tensorflow as tf

    outputs = []
    for path, calls in json.loads(sys.argv[1]):
        served = tf.saved_model.load(path)
        for call in calls:
            inputs = {
                "num_samples": tf.constant(call["num_samples"], tf.int32),
                "temperature": tf.constant(call["temperature"], tf.float32),
                "seed": tf.constant(call["seed"], tf.int64),
            }
            for name, ids in call.get("conditions", {}).items():
                inputs[name] = tf.constant(ids, tf.int32)
            result = served.signatures["serving_default"](**inputs)
            output = {"tokens": result["tokens"].numpy().tolist()}
            output["dtypes"] = {key: value.dtype.name for key, value in result.items()}
            if "text" in result:
                output["text"] = [line.decode("utf-8") for line in result["text"].numpy()]
            outputs.append(output)
    loaded = sorted(name for name in sys.modules if name.startswith("keras_seqgan"))
    print(json.dumps({"outputs": outputs, "loaded": loaded}))
    """
)


def serve_in_fresh_process(jobs, tmp_path):
    """`jobs`: `[(SavedModel path, [call, ...]), ...]`, served in one process; returns each
    call's `{"tokens", "dtypes"[, "text"]}`, in order."""
    jobs = [[str(path), calls] for path, calls in jobs]
    result = subprocess.run(
        [sys.executable, "-c", LOAD_WITHOUT_THE_PACKAGE, json.dumps(jobs)],
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


def word_tokenizer():
    return ks.data.Tokenizer(T, vocabulary=WORDS, condition_vocabularies=CONDITION_VALUES)


def _alphabet():
    from keras_seqgan.data.subword_tokenizer import _byte_alphabet

    return _byte_alphabet()


class OwnDecodeTokenizer(ks.data.Tokenizer):
    """A tokenizer whose `decode` is not `Tokenizer.decode`: the SavedModel cannot know it."""

    def decode(self, tokens):
        return [text.upper() for text in super().decode(tokens)]


@pytest.fixture(scope="module")
def subword_tokenizers():
    if not HAS_TOKENIZERS:
        return {}
    return {
        kind: ks.data.SubwordTokenizer(T, kind=kind, max_tokens=size).adapt(TEXTS)
        for kind, size in SUBWORD_KINDS.items()
    }


@pytest.fixture(scope="module")
def served_text(tmp_path_factory, subword_tokenizers):
    """Models that carry a tokenizer, exported and served in one process without the
    package: the conditional word-level `SeqGAN` and a generator per subword kind.
    `{kind: (model, call, served output)}`."""
    folder = tmp_path_factory.mktemp("served_text")
    tokenizer = word_tokenizer()
    generator, _ = tiny_models(
        V, T, num_filters=2, dropout=0.0, conditions=CONDITIONS, tokenizer=tokenizer
    )
    discriminator = ks.models.Discriminator(
        vocabulary_size=V, sequence_length=T, filter_sizes=(1, 2), num_filters=(2, 2),
        embedding_dim=4, dropout=0.0, conditions=CONDITIONS,
    )  # fmt: skip
    models = {"words": tiny_gan(generator, discriminator)}
    ids = {"speaker": [0, 1, 2, 2, 1, 0, 0, 1], "mood": [1, 0, 1, 0, 1, 1, 0, 0]}
    calls = {"words": {"num_samples": 8, "temperature": 1.0, "seed": 4, "conditions": ids}}
    for kind, subword in subword_tokenizers.items():
        models[kind] = ks.models.Generator(
            vocabulary_size=subword.vocabulary_size, sequence_length=T, embedding_dim=4,
            hidden_dim=4, seed=1, tokenizer=subword,
        )  # fmt: skip
        calls[kind] = {"num_samples": 12, "temperature": 1.5, "seed": 7}
    for kind, model in models.items():
        model.export(folder / kind, verbose=False)
    outputs = serve_in_fresh_process([(folder / kind, [calls[kind]]) for kind in models], folder)
    return {
        kind: (model, calls[kind], output)
        for (kind, model), output in zip(models.items(), outputs, strict=True)
    }


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
    outputs = serve_in_fresh_process([(path, calls)], tmp_path)
    for call, output in zip(calls, outputs, strict=True):
        expected = gan.generate(
            call["num_samples"], temperature=call["temperature"], seed=call["seed"]
        )
        assert output["dtypes"] == {"tokens": "int32"}  # no tokenizer, no text
        np.testing.assert_array_equal(np.array(output["tokens"]), expected)
    # A seed that `generate` would fold with NumPy's SeedSequence is refused, not served.
    import tensorflow as tf

    served = tf.saved_model.load(str(path))
    with pytest.raises(tf.errors.InvalidArgumentError, match="2\\*\\*32"):
        served.serve(tf.constant(2), tf.constant(1.0), tf.constant(2**32, tf.int64))


@pytest.mark.tensorflow_only("the SavedModel's endpoint is a TensorFlow graph")
def test_exported_conditional_model_takes_condition_ids(served_text):
    gan, call, output = served_text["words"]
    ids = call["conditions"]
    expected = gan.generate(8, seed=4, conditions=ids)
    assert output["dtypes"] == {"tokens": "int32", "text": "string"}
    np.testing.assert_array_equal(np.array(output["tokens"]), expected)
    # The same lines as `generate_text` with the conditions' values for those ids.
    values = {name: [CONDITION_VALUES[name][i] for i in ids[name]] for name in ids}
    assert output["text"] == gan.generate_text(8, seed=4, conditions=values)
    assert output["text"] == gan.generator.tokenizer.decode(expected)


@needs_tokenizers
@pytest.mark.tensorflow_only("the SavedModel's endpoint is a TensorFlow graph")
@pytest.mark.parametrize("kind", list(SUBWORD_KINDS))
def test_exported_subword_model_serves_generate_texts_lines(kind, served_text):
    generator, call, output = served_text[kind]
    assert output["dtypes"] == {"tokens": "int32", "text": "string"}
    np.testing.assert_array_equal(
        np.array(output["tokens"]), generator.generate(12, temperature=1.5, seed=7)
    )
    assert output["text"] == generator.generate_text(12, temperature=1.5, seed=7)


def random_tokens(tokenizer, num_rows, seed):
    """Ids of the whole vocabulary, with more `<eos>`, `<pad>` and double quotes than
    chance gives (`decode`'s special cases)."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, tokenizer.vocabulary_size, (num_rows, T)).astype("int32")
    tokens[rng.random(tokens.shape) < 0.1] = tokenizer.eos_id
    tokens[rng.random(tokens.shape) < 0.1] = tokenizer.pad_id
    if '"' in tokenizer.vocabulary:
        tokens[rng.random(tokens.shape) < 0.15] = tokenizer.vocabulary.index('"')
    return tokens


@pytest.mark.tensorflow_only("the served text is TensorFlow string ops")
@pytest.mark.parametrize("kind", ["words", *SUBWORD_KINDS])
def test_served_decoding_equals_decode_on_random_tokens(kind, subword_tokenizers):
    import tensorflow as tf

    from keras_seqgan.backend.tensorflow import _text_decoder

    if kind == "words":
        tokenizer = ks.data.Tokenizer(T, lowercase=False).adapt(TEXTS)
    else:
        if not HAS_TOKENIZERS:
            pytest.skip('needs the subword extra: pip install ".[subword]"')
        tokenizer = subword_tokenizers[kind]
    tokens = random_tokens(tokenizer, 600, seed=len(kind))
    if kind == "bpe":
        # Byte pieces: Unicode whitespace at both ends (Python's `strip` removes it, not
        # only ASCII's), bytes that are not UTF-8 inside, one multi-byte character cut.
        byte_id = {byte: tokenizer.vocabulary.index(char) for byte, char in _alphabet().items()}
        for row, raw in enumerate(
            [b"\xe3\x80\x80a\xc2\x85", b"\x1c\xed\xa0\x80\xe2\x80", b"\x00\xff \xc2\xa0\t"]
        ):
            tokens[row, : len(raw)] = [byte_id[byte] for byte in raw]
            tokens[row, len(raw) :] = tokenizer.eos_id
    decode = tf.function(_text_decoder(tokenizer))
    served = [line.decode("utf-8") for line in decode(tf.constant(tokens)).numpy()]
    assert served == tokenizer.decode(tokens)


@pytest.mark.tensorflow_only("the served text is TensorFlow string ops")
def test_no_text_where_decode_is_not_the_tokenizers_own(subword_tokenizers):
    from keras_seqgan.backend.tensorflow import _text_decoder

    own = OwnDecodeTokenizer(T, vocabulary=WORDS, condition_vocabularies=CONDITION_VALUES)
    assert _text_decoder(own) is None
    assert _text_decoder(word_tokenizer()) is not None
    if HAS_TOKENIZERS:
        # A tokenizer JSON with a decoder of another make (here `Fuse`, no spaces).
        config = subword_tokenizers["wordpiece"].get_config()
        state = json.loads(config["tokenizer_json"])
        state["decoder"] = {"type": "Fuse"}
        config["tokenizer_json"] = json.dumps(state)
        assert _text_decoder(ks.data.SubwordTokenizer.from_config(config)) is None


@pytest.mark.tensorflow_only("the SavedModel's endpoints are TensorFlow graphs")
def test_the_generators_own_export_serves_generation_and_log_prob(tmp_path):
    import tensorflow as tf

    # Its tokenizer's `decode` is its own, which the SavedModel cannot run: no text.
    speakers = {"speaker": ["a", "b", "c"]}
    tokenizer = OwnDecodeTokenizer(T, vocabulary=WORDS, condition_vocabularies=speakers)
    generator, _ = tiny_models(V, T, conditions={"speaker": 3}, tokenizer=tokenizer)
    path = tmp_path / "generator"
    generator.export(path, verbose=False)
    served = tf.saved_model.load(str(path))
    speaker = np.array([0, 2, 1, 1], "int32")
    tokens = served.serve(tf.constant(4), tf.constant(0.8), tf.constant(5, tf.int64), speaker)
    expected = generator.generate(4, temperature=0.8, seed=5, conditions={"speaker": speaker})
    assert list(tokens) == ["tokens"]
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
