"""Tests for `keras_seqgan.data` text corpora (`load_text_corpus`, `load_csv_corpus`,
`TextCorpus`) and the word-level `Tokenizer`."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import keras
import numpy as np
import pytest

from keras_seqgan.data import TextCorpus, Tokenizer, load_csv_corpus, load_text_corpus

pytestmark = pytest.mark.backend_independent(
    "tokenizers and corpus readers in Python; nothing runs a Keras backend op"
)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

TEXTS = [
    "To be, or not to be: that is the question.",
    "Good night, sweet prince!",
    "The rest is silence.",
    "To be honest, it's o'er (all of it).",
]
CHARACTERS = ["HAMLET", "HORATIO", "HAMLET", "OSRIC"]


def adapted(**kwargs) -> Tokenizer:
    kwargs.setdefault("sequence_length", 16)
    return Tokenizer(**kwargs).adapt(TEXTS, {"character": CHARACTERS})


# Tokenizer: vocabulary


def test_reserved_ids_and_deterministic_vocabulary_order():
    tokenizer = adapted()
    vocabulary = tokenizer.vocabulary
    assert (tokenizer.pad_id, tokenizer.eos_id, tokenizer.oov_id) == (0, 1, 2)
    assert vocabulary[:3] == ["<pad>", "<eos>", "<unk>"]
    # ",", ".", "be" and "to" occur 3 times, "is" and "the" twice: ties in alphabetical order.
    assert vocabulary[3:10] == [",", ".", "be", "to", "is", "the", "!"]
    assert tokenizer.vocabulary_size == len(vocabulary) == len(set(vocabulary))
    # The same texts in another order give the same vocabulary.
    shuffled = Tokenizer(sequence_length=16).adapt(TEXTS[::-1])
    assert shuffled.vocabulary == vocabulary
    assert tokenizer.condition_names == ("character",)
    assert tokenizer.condition_values("character") == ["HAMLET", "HORATIO", "OSRIC"]
    assert tokenizer.condition_sizes == {"character": 3}


def test_max_tokens_caps_the_vocabulary_reserved_tokens_included():
    tokenizer = adapted(max_tokens=7)
    assert tokenizer.vocabulary == ["<pad>", "<eos>", "<unk>", ",", ".", "be", "to"]
    tokens = tokenizer.encode("to be, sweet prince")
    np.testing.assert_array_equal(tokens[:7], [6, 5, 3, 2, 2, 1, 0])


def test_split_keeps_contractions_and_separates_punctuation():
    tokenizer = Tokenizer()
    assert tokenizer.split("'Tis o'er, Kings' crowns--gone!") == [
        "'tis", "o'er", ",", "kings", "'", "crowns", "-", "-", "gone", "!",
    ]  # fmt: skip
    assert Tokenizer(lowercase=False).split("O Romeo") == ["O", "Romeo"]


# Tokenizer: encode / decode


def test_round_trip_gives_normalised_text_back():
    texts = [
        "Hello, world! It's o'er; the kings' crowns (all three) are \"gone\"--'tis a serving-man.",
        "What?  A   [bracket]   and {brace}: 50% done...",
    ]
    tokenizer = Tokenizer(sequence_length=40).adapt(texts)
    tokens = tokenizer.encode(texts)
    assert tokens.dtype == np.int32 and tokens.shape == (2, 40)
    assert not (tokens == tokenizer.oov_id).any()
    assert tokenizer.decode(tokens) == [
        "hello, world! it's o'er; the kings' crowns (all three) are \"gone\"--'tis a serving-man.",
        "what? a [bracket] and {brace}: 50% done...",
    ]


def test_encode_layout_eos_pad_and_oov():
    tokenizer = adapted(sequence_length=6)
    tokens = tokenizer.encode(["good night", "", "good morrow"])
    good, night = tokenizer.vocabulary.index("good"), tokenizer.vocabulary.index("night")
    np.testing.assert_array_equal(
        tokens,
        [[good, night, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0], [good, 2, 1, 0, 0, 0]],
    )
    assert tokenizer.decode(tokens) == ["good night", "", "good <unk>"]


def test_truncation_keeps_eos():
    tokenizer = adapted(sequence_length=4)
    tokens = tokenizer.encode(TEXTS)
    assert tokens.shape == (4, 4)
    np.testing.assert_array_equal(tokens[:, -1], tokenizer.eos_id)
    assert tokenizer.decode(tokens)[0] == "to be,"


def test_decode_single_sequence_tensor_and_stops_at_first_eos():
    tokenizer = adapted(sequence_length=6)
    row = tokenizer.encode("good night")
    assert row.shape == (6,) and tokenizer.decode(row) == "good night"
    assert tokenizer.decode(keras.ops.convert_to_tensor(row[None])) == ["good night"]
    # A leading start token (pad) is skipped; what follows the first <eos> is dropped.
    good = tokenizer.vocabulary.index("good")
    assert tokenizer.decode([[0, good, 1, good, 1, 0]]) == ["good"]


@pytest.mark.parametrize(
    "tokens, error, match",
    [
        ([[0, 1, 999]], ValueError, r"vocabulary_size=\d+.*999"),
        (np.zeros((2, 3), "float32"), TypeError, "integer"),
        ("good", TypeError, "`tokens`"),
    ],
)
def test_decode_rejects_bad_tokens(tokens, error, match):
    with pytest.raises(error, match=match):
        adapted().decode(tokens)


def test_unadapted_tokenizer_refuses_to_encode():
    with pytest.raises(RuntimeError, match="adapt"):
        Tokenizer().encode(["text"])


# Tokenizer: conditions


def test_condition_round_trip():
    tokenizer = adapted()
    ids = tokenizer.encode_conditions({"character": ["OSRIC", "HAMLET"]})
    assert ids["character"].dtype == np.int32
    np.testing.assert_array_equal(ids["character"], [2, 0])
    assert tokenizer.decode_conditions(ids) == {"character": ["OSRIC", "HAMLET"]}
    single = tokenizer.encode_conditions({"character": "HORATIO"})["character"]
    assert single.shape == () and int(single) == 1
    assert tokenizer.decode_conditions({"character": 1}) == {"character": "HORATIO"}


def test_unknown_condition_value_and_name_errors():
    tokenizer = adapted()
    with pytest.raises(
        ValueError,
        match=r"Unknown value 'HAMLETT' for condition 'character'; known values include "
        r"'HAMLET', 'HORATIO', 'OSRIC'",
    ):
        tokenizer.encode_conditions({"character": ["HAMLET", "HAMLETT"]})
    with pytest.raises(ValueError, match=r"Unknown condition 'play'.*\['character'\]"):
        tokenizer.encode_conditions({"play": ["Hamlet"]})
    with pytest.raises(ValueError, match=r"\[0, 3\).*Received id 3"):
        tokenizer.decode_conditions({"character": [3]})


# Tokenizer: arguments and serialization


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"sequence_length": 1}, ValueError, r"`sequence_length` must be an int >= 2.*=1"),
        ({"sequence_length": 2.0}, TypeError, "sequence_length"),
        ({"max_tokens": 3}, ValueError, r"`max_tokens`.*>= 4.*=3"),
        ({"lowercase": "yes"}, TypeError, r"`lowercase`.*'yes'"),
        ({"vocabulary": "word"}, TypeError, "`vocabulary`"),
        ({"vocabulary": ["a", "a"]}, ValueError, r"repeat.*'a'"),
        ({"vocabulary": ["a", "<eos>"]}, ValueError, "reserved"),
        ({"vocabulary": ["a b"]}, ValueError, "whitespace"),
        ({"vocabulary": ["a", "b"], "max_tokens": 4}, ValueError, r"5 tokens.*max_tokens=4"),
        ({"condition_vocabularies": {"c": []}}, ValueError, r"condition_vocabularies\['c'\]"),
        ({"condition_vocabularies": ["c"]}, TypeError, "condition_vocabularies"),
    ],
)
def test_tokenizer_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        Tokenizer(**kwargs)


def test_adapt_rejects_bad_texts_and_conditions():
    with pytest.raises(TypeError, match="`texts`"):
        Tokenizer().adapt("one text")
    with pytest.raises(ValueError, match="no words"):
        Tokenizer().adapt(["", "   "])
    with pytest.raises(ValueError, match=r"conditions\['character'\].*one value per text \(4\)"):
        Tokenizer().adapt(TEXTS, {"character": ["HAMLET"]})


def test_vocabulary_argument_with_or_without_reserved_tokens():
    words = ["be", "to"]
    for vocabulary in (words, ["<pad>", "<eos>", "<unk>", *words]):
        tokenizer = Tokenizer(sequence_length=4, vocabulary=vocabulary)
        assert tokenizer.vocabulary == ["<pad>", "<eos>", "<unk>", "be", "to"]
        np.testing.assert_array_equal(tokenizer.encode("to be"), [4, 3, 1, 0])


def test_get_config_round_trip():
    tokenizer = adapted(max_tokens=10, lowercase=False)
    config = tokenizer.get_config()
    assert json.loads(json.dumps(config)) == config  # Plain JSON types only.
    restored = Tokenizer.from_config(config)
    assert restored.get_config() == config
    assert restored.vocabulary == tokenizer.vocabulary
    assert restored.condition_values("character") == tokenizer.condition_values("character")
    np.testing.assert_array_equal(restored.encode(TEXTS), tokenizer.encode(TEXTS))
    assert (
        Tokenizer.from_config(Tokenizer(8).get_config()).get_config() == Tokenizer(8).get_config()
    )


def test_keras_serialization_round_trip():
    tokenizer = adapted()
    serialized = json.loads(json.dumps(keras.saving.serialize_keras_object(tokenizer)))
    assert serialized["registered_name"] == "keras_seqgan>Tokenizer"
    restored = keras.saving.deserialize_keras_object(serialized)
    assert isinstance(restored, Tokenizer)
    assert restored.get_config() == tokenizer.get_config()
    assert restored.decode(restored.encode(TEXTS[:2])) == tokenizer.decode(
        tokenizer.encode(TEXTS[:2])
    )


def test_tokenizer_deep_copies_after_use():
    tokenizer = adapted()
    tokens = tokenizer.encode(TEXTS)  # Builds the lookup layer.
    copied = copy.deepcopy(tokenizer)
    np.testing.assert_array_equal(copied.encode(TEXTS), tokens)
    assert "vocabulary_size=" in repr(copied) and "'character': 3" in repr(copied)


# TextCorpus


def test_split_is_seeded_disjoint_and_ordered():
    corpus = TextCorpus([f"line {i}" for i in range(50)], {"n": [str(i) for i in range(50)]})
    train, validation = corpus.split(0.2, seed=3)
    assert (len(train), len(validation)) == (40, 10)
    assert set(train.texts).isdisjoint(validation.texts)
    assert sorted(train.texts + validation.texts) == sorted(corpus.texts)
    assert train.texts == sorted(train.texts, key=corpus.texts.index)  # Corpus order kept.
    assert validation.conditions["n"] == [text.split()[1] for text in validation.texts]
    again, _ = corpus.split(0.2, seed=3)
    other, _ = corpus.split(0.2, seed=4)
    assert again.texts == train.texts and other.texts != train.texts
    with pytest.raises(ValueError, match=r"validation_fraction.*1\.0"):
        corpus.split(1.0)
    with pytest.raises(ValueError, match="at least 2 texts"):
        TextCorpus(["one"]).split(0.5)


def test_most_frequent_keeps_commonest_values_ties_by_value():
    corpus = TextCorpus([f"t{i}" for i in range(7)], {"who": ["B", "A", "C", "B", "A", "C", "D"]})
    kept = corpus.most_frequent("who", 2)  # A, B and C tie at 2: A and B win.
    assert kept.texts == ["t0", "t1", "t3", "t4"]
    assert kept.conditions["who"] == ["B", "A", "B", "A"]
    assert len(corpus.most_frequent("who", 10)) == 7
    with pytest.raises(ValueError, match=r"Unknown condition 'what'.*\['who'\]"):
        corpus.most_frequent("what", 2)


def test_tokenize_returns_token_and_condition_arrays():
    corpus = TextCorpus(TEXTS, {"character": CHARACTERS, "act": ["1"] * 4})
    tokenizer = adapted()
    tokens, condition_ids = corpus.tokenize(tokenizer)
    np.testing.assert_array_equal(tokens, tokenizer.encode(TEXTS))
    assert list(condition_ids) == ["character"]  # Only the tokenizer's conditions.
    np.testing.assert_array_equal(condition_ids["character"], [0, 1, 0, 2])
    with pytest.raises(ValueError, match=r"conditions \['character'\] that this corpus lacks"):
        TextCorpus(TEXTS).tokenize(tokenizer)


def test_known_to_drops_condition_values_the_tokenizer_never_saw():
    corpus = TextCorpus(["a", "b", "c", "d"], {"character": ["HAMLET", "LEAR", "OSRIC", "IAGO"]})
    kept = corpus.known_to(adapted())  # adapted on HAMLET, HORATIO and OSRIC
    assert kept.texts == ["a", "c"]
    assert kept.conditions == {"character": ["HAMLET", "OSRIC"]}
    plain = Tokenizer(sequence_length=8).adapt(TEXTS)
    assert corpus.known_to(plain).texts == corpus.texts  # no conditions: all kept
    with pytest.raises(ValueError, match=r"condition 'character', which this corpus lacks"):
        TextCorpus(["a"]).known_to(adapted())
    with pytest.raises(TypeError, match="tokenizer"):
        corpus.known_to("tokenizer")


# Files


def test_load_text_corpus_skips_blank_lines(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_bytes(b"\xef\xbb\xbffirst line\r\n\n   \nsecond line  \nthird")
    assert load_text_corpus(path).texts == ["first line", "second line", "third"]
    assert load_text_corpus(str(path), max_lines=2).texts == ["first line", "second line"]


def test_load_text_corpus_errors(tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        load_text_corpus(missing)
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n\n")
    with pytest.raises(ValueError, match=r"blank\.txt.*no text"):
        load_text_corpus(blank)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("ok\nstill ok\ncaf\u00e9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin\.txt.*utf-8.*line 3"):
        load_text_corpus(latin)
    assert load_text_corpus(latin, encoding="latin-1").texts[2] == "caf\u00e9"
    with pytest.raises(ValueError, match="ASCII-compatible"):
        load_text_corpus(latin, encoding="utf-16")
    with pytest.raises(ValueError, match="max_lines"):
        load_text_corpus(latin, max_lines=0)


def test_load_csv_corpus(tmp_path):
    path = tmp_path / "dialogue.csv"
    path.write_text(
        'play,character,text\nHamlet,HAMLET,"To be, or not to be"\nHamlet,OSRIC,\n'
        "\nHamlet,HORATIO,Good night\n",
        encoding="utf-8",
    )
    corpus = load_csv_corpus(path, condition_columns=["character", "play"])
    assert corpus.texts == ["To be, or not to be", "Good night"]  # The empty text is skipped.
    assert corpus.conditions == {"character": ["HAMLET", "HORATIO"], "play": ["Hamlet"] * 2}
    assert load_csv_corpus(path, condition_columns="character", max_rows=1).conditions == {
        "character": ["HAMLET"]
    }


def test_load_csv_corpus_errors(tmp_path):
    path = tmp_path / "dialogue.csv"
    path.write_text("character,line\nHAMLET,To be\n")
    with pytest.raises(
        ValueError,
        match=r"dialogue\.csv.*no columns 'text', 'speaker'.*\['character', 'line'\]",
    ):
        load_csv_corpus(path, condition_columns=["speaker"])
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text\nfine\ncaf\u00e9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin\.csv.*line 3"):
        load_csv_corpus(latin)
    empty = tmp_path / "empty.csv"
    empty.write_text("text,who\n,A\n")
    with pytest.raises(ValueError, match=r"empty\.csv.*no text"):
        load_csv_corpus(empty)
    with pytest.raises(FileNotFoundError, match="nothing.csv"):
        load_csv_corpus(tmp_path / "nothing.csv")


def test_shakespeare_dialogue_30_characters():
    path = SHARED_DATA / "shakespeare_dialogue.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data folder holds the Shakespeare corpus)")
    corpus = load_csv_corpus(path, condition_columns=["character"])
    corpus = corpus.most_frequent("character", 30)
    tokenizer = Tokenizer(sequence_length=20, max_tokens=5000)
    tokenizer.adapt(corpus.texts, corpus.conditions)
    tokens, condition_ids = corpus.tokenize(tokenizer)
    assert tokenizer.vocabulary_size == 5000
    assert tokenizer.condition_sizes == {"character": 30}
    assert tokenizer.condition_values("character")[:3] == ["GLOUCESTER", "FALSTAFF", "HAMLET"]
    assert tokens.shape == (len(corpus), 20) and len(corpus) > 20_000
    assert condition_ids["character"].shape == (len(corpus),)
    assert (tokens == tokenizer.eos_id).sum(axis=1).min() == 1  # Every row ends.
    assert (tokens == tokenizer.oov_id).mean() < 0.05
