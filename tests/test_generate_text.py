"""A generator that carries its tokenizer: text out, vocabulary inside the `.keras` file."""

import keras
import numpy as np
import pytest

import keras_seqgan as ks

TEXTS = ["to be or not to be .", "the rest is silence .", "o , that this too solid flesh !"] * 4
SPEAKERS = ["HAMLET", "HAMLET", "OPHELIA"] * 4


@pytest.fixture()
def tokenizer():
    return ks.data.Tokenizer(8, max_tokens=30).adapt(TEXTS, {"character": SPEAKERS})


def make_generator(tokenizer, **kwargs):
    config = dict(
        vocabulary_size=tokenizer.vocabulary_size,
        sequence_length=tokenizer.sequence_length,
        embedding_dim=4,
        hidden_dim=4,
        conditions=tokenizer.condition_sizes,
        tokenizer=tokenizer,
        seed=1,
    )
    config.update(kwargs)
    return ks.models.Generator(**config)


def test_generate_text_decodes_and_survives_keras_file(tokenizer, tmp_path):
    generator = make_generator(tokenizer)
    lines = generator.generate_text(6, conditions={"character": "OPHELIA"}, seed=3)
    assert len(lines) == 6 and all(isinstance(line, str) for line in lines)
    assert not any("<pad>" in line or "<eos>" in line for line in lines)
    # The text is the tokenizer's decoding of the same seeded tokens.
    ophelia = tokenizer.encode_conditions({"character": "OPHELIA"})["character"]
    tokens = generator.generate(6, conditions={"character": int(ophelia)}, seed=3)
    assert lines == tokenizer.decode(tokens)
    path = str(tmp_path / "generator.keras")
    generator.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.tokenizer.vocabulary == tokenizer.vocabulary
    assert loaded.tokenizer.condition_values("character") == ["HAMLET", "OPHELIA"]
    assert loaded.generate_text(6, conditions={"character": "OPHELIA"}, seed=3) == lines
    per_line = ["HAMLET", "OPHELIA", "HAMLET", "OPHELIA", "HAMLET", "OPHELIA"]
    assert len(loaded.generate_text(6, conditions={"character": per_line}, seed=3)) == 6


def test_generate_text_bad_input(tokenizer):
    generator = make_generator(tokenizer)
    with pytest.raises(ValueError, match="HAMLETT"):
        generator.generate_text(2, conditions={"character": "HAMLETT"})
    with pytest.raises(ValueError, match="character"):
        generator.generate_text(2)
    with pytest.raises(ValueError, match="3 values"):
        generator.generate_text(2, conditions={"character": ["HAMLET"] * 3})
    plain = ks.models.Generator(tokenizer.vocabulary_size, 8, embedding_dim=4, hidden_dim=4)
    with pytest.raises(ValueError, match="tokenizer"):
        plain.generate_text(2)


def test_tokenizer_must_fit_the_generator(tokenizer):
    with pytest.raises(ValueError, match="vocabulary_size"):
        make_generator(tokenizer, vocabulary_size=tokenizer.vocabulary_size + 1)
    with pytest.raises(ValueError, match="sequence_length"):
        make_generator(tokenizer, sequence_length=9)
    with pytest.raises(ValueError, match="condition sizes"):
        make_generator(tokenizer, conditions=None)
    with pytest.raises(TypeError, match="tokenizer"):
        make_generator(tokenizer, tokenizer=object())


def test_nll_gen_with_conditions(tokenizer):
    generator = make_generator(tokenizer)
    tokens = tokenizer.encode(TEXTS)
    ids = tokenizer.encode_conditions({"character": SPEAKERS})
    nll = ks.evaluation.nll_gen(generator, tokens, conditions=ids, batch_size=5)
    by_row = -np.mean(
        keras.ops.convert_to_numpy(
            generator.log_prob(tokens, conditions={"character": ids["character"]})
        )
    )
    assert nll == pytest.approx(float(by_row), rel=1e-5)
    with pytest.raises(ValueError, match="character"):
        ks.evaluation.nll_gen(generator, tokens, conditions={"character": ids["character"][:3]})
