"""`SubwordTokenizer`: BPE, WordPiece and Unigram pieces on English and on Chinese (no spaces
between words), its config and `.keras` round trips, its errors, and no `<unk>` on
Shakespeare."""

import copy
import json
import pickle
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_seqgan as ks

pytest.importorskip("tokenizers", reason='needs the subword extra: pip install ".[subword]"')

pytestmark = pytest.mark.backend_independent(
    "the tokenizer is NumPy and Rust; the generator it rides in is saved on both backends elsewhere"
)

KINDS = ("bpe", "wordpiece", "unigram")
SHAKESPEARE = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SHAKESPEARE_CSV = SHAKESPEARE / "shakespeare_dialogue.csv"

ENGLISH = [
    "To be, or not to be: that is the question.",
    "Whether 'tis nobler in the mind to suffer",
    "The slings and arrows of outrageous fortune,",
    "Or to take arms against a sea of troubles,",
    "And by opposing end them? To die: to sleep;",
    "No more; and by a sleep to say we end",
    "The heart-ache and the thousand natural shocks",
    "That flesh is heir to, 'tis a consummation",
    "Devoutly to be wish'd. To die, to sleep;",
    "To sleep: perchance to dream: ay, there's the rub;",
]
# Tang poems: no spaces between words.
CHINESE = [
    "床前明月光，疑是地上霜。",
    "举头望明月，低头思故乡。",
    "春眠不觉晓，处处闻啼鸟。",
    "夜来风雨声，花落知多少。",
    "白日依山尽，黄河入海流。",
    "欲穷千里目，更上一层楼。",
    "千山鸟飞绝，万径人踪灭。",
    "孤舟蓑笠翁，独钓寒江雪。",
]
CORPORA = {"english": ENGLISH, "chinese": CHINESE}


def normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def adapted(kind, texts=ENGLISH, sequence_length=64, **kwargs):
    kwargs.setdefault("max_tokens", 300)
    return ks.data.SubwordTokenizer(sequence_length, kind=kind, **kwargs).adapt(texts)


@pytest.mark.parametrize("corpus", sorted(CORPORA))
@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_gives_the_text_back(kind, corpus):
    texts = CORPORA[corpus]
    tokenizer = adapted(kind, texts)
    assert tokenizer.vocabulary[:3] == ["<pad>", "<eos>", "<unk>"]
    assert tokenizer.vocabulary_size == len(tokenizer.vocabulary) <= 300 or kind == "wordpiece"
    # Extra spaces and case are normalized away.
    noisy = [f"  {text.upper()}   " if i % 2 else text for i, text in enumerate(texts)]
    tokens = tokenizer.encode(noisy)
    assert tokens.dtype == np.int32 and tokens.shape == (len(texts), 64)
    assert not (tokens == tokenizer.oov_id).any()
    lengths = (tokens != tokenizer.pad_id).sum(axis=1)
    assert (tokens[np.arange(len(texts)), lengths - 1] == tokenizer.eos_id).all()
    assert tokenizer.decode(tokens) == [normalized(text) for text in texts]
    # One text in, one row and one str out.
    assert tokenizer.decode(tokenizer.encode(texts[0])) == normalized(texts[0])


@pytest.mark.parametrize("kind", ["bpe", "unigram"])
def test_the_same_texts_give_the_same_ids(kind):
    # WordPiece is left out: the library breaks ties between equally scored merges in hash
    # order, which on a corpus this small changes the pieces from run to run.
    first, second = adapted(kind), adapted(kind)
    assert first.get_config() == second.get_config()


def test_chinese_decodes_without_spaces_and_truncation_keeps_eos():
    tokenizer = adapted("unigram", CHINESE, sequence_length=5)
    tokens = tokenizer.encode(CHINESE)
    assert (tokens[:, -1] == tokenizer.eos_id).all()
    for text, line in zip(CHINESE, tokenizer.decode(tokens), strict=True):
        assert " " not in line and text.startswith(line) and 0 < len(line) < len(text)


def test_unseen_characters():
    """BPE is byte-level and never needs `<unk>`; WordPiece and Unigram map a character they
    never saw to `<unk>` (a whole word for WordPiece)."""
    text = "To be, or not to be, quoth Zoë 中"
    bpe, wordpiece = adapted("bpe"), adapted("wordpiece")
    assert bpe.decode(bpe.encode(text)) == normalized(text)
    assert wordpiece.decode(wordpiece.encode(text)) == "to be, or not to be, quoth <unk> <unk>"
    unigram = adapted("unigram")
    assert unigram.oov_id in unigram.encode(text)
    assert unigram.decode(unigram.encode(text)).startswith("to be, or not to be,")


def test_reserved_tokens_written_in_a_text_are_text():
    tokenizer = adapted("bpe")
    tokens = tokenizer.encode("to be <eos> or <pad> not")
    assert list(tokens).count(tokenizer.eos_id) == 1
    assert tokenizer.decode(tokens) == "to be <eos> or <pad> not"


def test_decode_stops_at_eos_skips_padding_and_takes_tensors():
    tokenizer = adapted("bpe", sequence_length=12)
    be = tokenizer.encode("to be")
    row = np.concatenate([[tokenizer.pad_id], be[: list(be).index(tokenizer.eos_id) + 1]])
    row = np.concatenate([row, tokenizer.encode("the question")])[:12]
    assert tokenizer.decode(keras.ops.convert_to_tensor(row[None])) == ["to be"]
    assert tokenizer.decode([[tokenizer.oov_id]]) == ["<unk>"]


def test_bleu_compares_words_not_pieces():
    from keras_seqgan.cli._text import words

    tokenizer = adapted("bpe")
    word_level = ks.data.Tokenizer().split("Hark, 'tis o'er! WELL-met")
    assert tokenizer.split("Hark, 'tis o'er! WELL-met") == word_level
    # Generated ids become text, then words, as the references are split.
    assert words(tokenizer, tokenizer.encode(ENGLISH)) == [
        tokenizer.split(text) for text in ENGLISH
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_config_round_trip_gives_identical_ids(kind):
    speakers = ["HAMLET", "OPHELIA"] * (len(ENGLISH) // 2)
    tokenizer = ks.data.SubwordTokenizer(32, kind=kind, max_tokens=300, lowercase=False)
    tokenizer.adapt(ENGLISH, {"character": speakers})
    config = json.loads(json.dumps(tokenizer.get_config()))  # plain JSON types
    restored = ks.data.SubwordTokenizer.from_config(config)
    assert restored.get_config() == tokenizer.get_config()
    assert (restored.encode(ENGLISH + CHINESE) == tokenizer.encode(ENGLISH + CHINESE)).all()
    assert restored.condition_values("character") == ["HAMLET", "OPHELIA"]
    assert tokenizer.decode(tokenizer.encode(ENGLISH[0])) == ENGLISH[0]  # case kept
    for copied in (pickle.loads(pickle.dumps(tokenizer)), copy.deepcopy(tokenizer)):
        assert (copied.encode(ENGLISH) == tokenizer.encode(ENGLISH)).all()
    serialized = keras.saving.serialize_keras_object(tokenizer)
    assert (keras.saving.deserialize_keras_object(serialized).encode(ENGLISH) == restored.encode(
        ENGLISH
    )).all()  # fmt: skip
    assert "not adapted" in repr(ks.data.SubwordTokenizer(kind=kind))


def tiny_generator(tokenizer):
    return ks.models.Generator(
        vocabulary_size=tokenizer.vocabulary_size,
        sequence_length=tokenizer.sequence_length,
        embedding_dim=4,
        hidden_dim=4,
        conditions=tokenizer.condition_sizes or None,
        tokenizer=tokenizer,
        seed=1,
    )


@pytest.mark.parametrize("kind", KINDS)
def test_generator_with_a_subword_tokenizer_survives_the_keras_file(kind, tmp_path):
    tokenizer = adapted(kind, ENGLISH + CHINESE, sequence_length=8)
    generator = tiny_generator(tokenizer)
    lines = generator.generate_text(5, seed=3)
    assert lines == tokenizer.decode(generator.generate(5, seed=3))
    path = str(tmp_path / "generator.keras")
    generator.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.tokenizer, ks.data.SubwordTokenizer)
    assert loaded.tokenizer.get_config() == tokenizer.get_config()
    assert loaded.generate_text(5, seed=3) == lines


FRESH_PROCESS = """
import json, sys
import keras
import keras_seqgan as ks

generator = keras.saving.load_model(sys.argv[1])
tokenizer = generator.tokenizer
print(json.dumps({
    "kind": tokenizer.kind,
    "lines": generator.generate_text(5, seed=3),
    "decoded": tokenizer.decode(tokenizer.encode(json.loads(sys.argv[2]))),
}))
"""


def test_keras_file_loads_in_a_fresh_process(tmp_path):
    tokenizer = adapted("bpe", ENGLISH + CHINESE, sequence_length=8)
    generator = tiny_generator(tokenizer)
    path = tmp_path / "generator.keras"
    generator.save(str(path))
    texts = [ENGLISH[0], CHINESE[0]]
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FRESH_PROCESS), str(path), json.dumps(texts)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["kind"] == "bpe"
    assert loaded["lines"] == generator.generate_text(5, seed=3)
    assert loaded["decoded"] == tokenizer.decode(tokenizer.encode(texts))


def test_missing_library_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "tokenizers", None)  # `import tokenizers` fails
    with pytest.raises(ImportError, match=re.escape('pip install "keras-seqgan[subword]"')):
        ks.data.SubwordTokenizer(kind="bpe")


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="kind"):
        ks.data.SubwordTokenizer(kind="word")
    with pytest.raises(ValueError, match="max_tokens"):
        ks.data.SubwordTokenizer(kind="bpe", max_tokens=100)  # below the 256 bytes
    with pytest.raises(TypeError, match="max_tokens"):
        ks.data.SubwordTokenizer(kind="unigram", max_tokens="300")
    with pytest.raises(ValueError, match="sequence_length"):
        ks.data.SubwordTokenizer(1)
    with pytest.raises(TypeError, match="lowercase"):
        ks.data.SubwordTokenizer(lowercase="yes")
    with pytest.raises(TypeError, match="tokenizer_json"):
        ks.data.SubwordTokenizer(tokenizer_json=42)
    with pytest.raises(ValueError, match="tokenizer_json"):
        ks.data.SubwordTokenizer(tokenizer_json="{not json")
    wordpiece = adapted("wordpiece").get_config()["tokenizer_json"]
    with pytest.raises(ValueError, match="kind='wordpiece'"):
        ks.data.SubwordTokenizer(kind="bpe", tokenizer_json=wordpiece)
    tokenizer = ks.data.SubwordTokenizer(kind="unigram", max_tokens=300)
    with pytest.raises(RuntimeError, match="adapt"):
        tokenizer.encode(["to be"])
    with pytest.raises(ValueError, match="texts"):
        tokenizer.adapt([])
    with pytest.raises(ValueError, match="no words"):
        tokenizer.adapt(["", "   "])
    with pytest.raises(TypeError, match="texts"):
        tokenizer.adapt("to be or not to be")
    with pytest.raises(ValueError, match="conditions"):
        tokenizer.adapt(ENGLISH, {"character": ["HAMLET"]})
    # More distinct characters than Unigram's vocabulary has room for.
    many = ["".join(chr(0x4E00 + i + j) for j in range(3)) for i in range(0, 600, 3)]
    with pytest.raises(ValueError, match="max_tokens"):
        ks.data.SubwordTokenizer(kind="unigram", max_tokens=50).adapt(many)
    bpe = adapted("bpe")
    with pytest.raises(ValueError, match="vocabulary_size|must lie"):
        bpe.decode([[bpe.vocabulary_size]])


@pytest.mark.skipif(
    not SHAKESPEARE_CSV.exists(),
    reason=f"needs {SHAKESPEARE_CSV} (see shared/data/README.md)",
)
def test_bpe_on_shakespeare_has_no_unknown_pieces():
    corpus = ks.data.load_csv_corpus(SHAKESPEARE_CSV, max_rows=30_000)
    # The comedies come first in the file: train on them, encode lines of other plays.
    train, held_out = corpus.texts[:25_000], corpus.texts[25_000:]
    tokenizer = ks.data.SubwordTokenizer(48, kind="bpe", max_tokens=2000).adapt(train)
    assert tokenizer.vocabulary_size == 2000
    tokens = tokenizer.encode(held_out)
    assert not (tokens == tokenizer.oov_id).any()
    lines = tokenizer.decode(tokens)
    assert not any("<unk>" in line for line in lines)
    assert lines == [normalized(text) for text in held_out]
    # Fewer pieces per line than characters, more than words.
    pieces = (tokens != tokenizer.pad_id).sum(axis=1) - 1
    words = [len(tokenizer.split(text)) for text in held_out]
    assert np.mean(words) < np.mean(pieces) < np.mean([len(text) for text in held_out]) / 2
