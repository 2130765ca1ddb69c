"""A subword `SubwordTokenizer` (byte-level BPE, WordPiece or Unigram) built on Hugging Face
`tokenizers`: the same interface as the word-level `Tokenizer`, its trained state saved in
a generator's config."""

from __future__ import annotations

import collections
import json
from collections.abc import Iterable, Mapping, Sequence

import keras
import numpy as np

from keras_seqgan._validation import check_choice, check_int
from keras_seqgan.data.tokenizer import (
    OOV_TOKEN,
    RESERVED_TOKENS,
    Tokenizer,
    by_frequency,
    check_text_conditions,
    check_texts,
)

KINDS = ("bpe", "wordpiece", "unigram")
# Byte-level BPE starts from all 256 bytes, so its vocabulary cannot be smaller.
_BYTE_LEVEL_MINIMUM = len(RESERVED_TOKENS) + 256 + 1
# Unigram scores are rounded before the pieces are ordered: the trainer's parallel sums
# differ between runs in the last bits, and the same texts must give the same ids.
_SCORE_DECIMALS = 8
_UNIGRAM_PENALTY_STEP = 1e-4  # tokenizers/src/models/unigram/trainer.rs, `finalize`
# WordPiece maps a word longer than this to one `<unk>`; a line of a language written
# without spaces is one word.
_MAX_WORD_CHARACTERS = 10_000
_INSTALL_HINT = 'pip install "keras-seqgan[subword]"'


def import_tokenizers():
    """The `tokenizers` module, or an ImportError that says how to install it."""
    try:
        import tokenizers
    except ImportError as error:
        raise ImportError(
            "keras_seqgan.data.SubwordTokenizer needs the Hugging Face `tokenizers` library, "
            f"an optional dependency of keras-seqgan. Install it with: {_INSTALL_HINT} "
            "(or pip install tokenizers)."
        ) from error
    return tokenizers


def _byte_alphabet() -> dict[int, str]:
    """Byte -> the character byte-level BPE writes it as (GPT-2's `bytes_to_unicode`).

    Printable Latin-1 bytes stand for themselves; the other 68 take the characters from
    U+0100 on, in byte order.
    """
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    others = [byte for byte in range(256) if byte not in printable]
    alphabet = {byte: chr(byte) for byte in printable}
    alphabet.update({byte: chr(256 + index) for index, byte in enumerate(others)})
    return alphabet


def _untrained(kind: str, lowercase: bool):
    """An untrained `tokenizers.Tokenizer` of `kind`, with its normalizer and decoder."""
    tokenizers = import_tokenizers()
    from tokenizers import decoders, models, normalizers, pre_tokenizers

    steps = [
        normalizers.NFC(),
        normalizers.Replace(tokenizers.Regex(r"\s+"), " "),
        normalizers.Strip(),
    ]
    if lowercase:
        steps.append(normalizers.Lowercase())
    if kind == "bpe":
        # Byte-level (GPT-2): every text is bytes the vocabulary holds, so no `<unk>`.
        model = tokenizers.Tokenizer(models.BPE())
        model.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
        model.decoder = decoders.ByteLevel()
    elif kind == "wordpiece":
        # Words are split at spaces only: a text without spaces is one word, cut into
        # pieces; decoding puts one space between words and none inside one.
        model = tokenizers.Tokenizer(
            models.WordPiece(unk_token=OOV_TOKEN, max_input_chars_per_word=_MAX_WORD_CHARACTERS)
        )
        model.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        model.decoder = decoders.WordPiece(cleanup=False)
    else:
        # SentencePiece-style: spaces become "▁", part of the pieces; no spaces needed.
        model = tokenizers.Tokenizer(models.Unigram())
        model.pre_tokenizer = pre_tokenizers.Metaspace()
        model.decoder = decoders.Metaspace()
    model.normalizer = normalizers.Sequence(steps)
    return model


def _trainer(kind: str, max_tokens: int):
    from tokenizers import pre_tokenizers, trainers

    special = list(RESERVED_TOKENS)
    if kind == "bpe":
        return trainers.BpeTrainer(
            vocab_size=max_tokens,
            special_tokens=special,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
    if kind == "wordpiece":
        return trainers.WordPieceTrainer(
            vocab_size=max_tokens, special_tokens=special, show_progress=False
        )
    return trainers.UnigramTrainer(
        vocab_size=max_tokens,
        special_tokens=special,
        unk_token=OOV_TOKEN,
        show_progress=False,
    )


def _canonical(state: dict, kind: str) -> dict:
    """Orders the pieces so that the same texts give the same ids in every run.

    BPE's merges come in a fixed order. The WordPiece trainer lists its alphabet in hash
    order: the pieces are sorted. The Unigram trainer's scores differ between runs in their
    last bits, and it adds the characters its model dropped at scores `lowest + k * 1e-4`,
    `k` in hash order: those characters get those scores in character order, the scores
    are rounded, and the pieces are sorted by score, ties alphabetical.
    """
    model = state["model"]
    if kind == "wordpiece":
        pieces = [piece for piece in model["vocab"] if piece not in RESERVED_TOKENS]
        model["vocab"] = {piece: i for i, piece in enumerate([*RESERVED_TOKENS, *sorted(pieces)])}
    elif kind == "unigram":
        special = {piece: score for piece, score in model["vocab"] if piece in RESERVED_TOKENS}
        pieces = {piece: score for piece, score in model["vocab"] if piece not in RESERVED_TOKENS}
        lowest = min(pieces.values())
        characters = [piece for piece in pieces if len(piece) == 1]
        added = []
        for piece in characters:
            steps = (pieces[piece] - lowest) / _UNIGRAM_PENALTY_STEP
            if steps < len(characters) + 0.5 and abs(steps - round(steps)) < 1e-6:
                added.append(piece)
        scores = sorted((pieces[piece] for piece in added), reverse=True)
        pieces.update(zip(sorted(added), scores, strict=True))
        ordered = sorted(
            ((piece, round(score, _SCORE_DECIMALS)) for piece, score in pieces.items()),
            key=lambda entry: (-entry[1], entry[0]),
        )
        model["vocab"] = [[piece, special[piece]] for piece in RESERVED_TOKENS] + [
            list(entry) for entry in ordered
        ]
        model["unk_id"] = RESERVED_TOKENS.index(OOV_TOKEN)
    return state


@keras.saving.register_keras_serializable(package="keras_seqgan")
class SubwordTokenizer(Tokenizer):
    """Subword tokenizer (BPE, WordPiece or Unigram): texts to int32 token arrays and back.

    A drop-in for the word-level `Tokenizer` that cuts rare words into frequent pieces
    instead of mapping them to `<unk>`, and needs no spaces between words (Chinese,
    Japanese, Thai, ...). It is trained offline on the corpus by Hugging Face
    [`tokenizers`](https://github.com/huggingface/tokenizers), an optional dependency:
    `pip install "keras-seqgan[subword]"`. Nothing is downloaded.

    - `"bpe"`: byte-level byte-pair encoding (GPT-2's): it starts from the 256 bytes, so any
      text encodes without `<unk>` and `max_tokens` must be at least 260. A generated
      sequence that ends inside a multi-byte character decodes it as `"�"`.
    - `"wordpiece"`: BERT's WordPiece on the words between spaces (continuation pieces start
      with `##`). A word holding a character never seen in training becomes one `<unk>`.
    - `"unigram"`: SentencePiece's unigram model, with spaces kept as `"▁"` inside the pieces.
      A character never seen in training becomes `<unk>`.

    Texts are NFC-normalized, runs of whitespace become one space, and they are lowercased
    by default. Ids 0, 1 and 2 are `<pad>` (the generator's start token), `<eos>` and
    `<unk>`, as in `Tokenizer`; `encode` writes each text's pieces, one `<eos>` and `<pad>`
    up to `sequence_length`, and `decode` joins the pieces back into text: decoding encoded
    texts gives them back normalized, up to truncation and `<unk>`. Conditions work as in
    `Tokenizer`. `split` still splits a text into *words*, as `Tokenizer.split` does:
    BLEU and Self-BLEU decode generated ids to text and compare those words, so that subword
    and word-level models are scored alike.

    The trained tokenizer (its JSON, `tokenizers.Tokenizer.to_str()`) lives in `get_config()`,
    so a generator built with `tokenizer=` carries it inside its `.keras` file.

    Args:
        sequence_length: int >= 2. Tokens per encoded sequence, `<eos>` included: texts of
            more pieces keep their first `sequence_length - 1`. Subword pieces outnumber
            words, so allow for more than with `Tokenizer`. Defaults to `20`.
        kind: `"bpe"`, `"wordpiece"` or `"unigram"`. Defaults to `"bpe"`.
        max_tokens: int >= 4 (>= 260 for `"bpe"`). The vocabulary size asked of the
            trainer, the three reserved tokens included. A small corpus may give fewer;
            WordPiece and Unigram keep every character of the training texts, so a corpus
            with more distinct characters than that gives more (WordPiece) or fails
            (Unigram). Defaults to `5000`.
        lowercase: bool. Lowercase texts first. Defaults to `True`.
        tokenizer_json: str or `None`. A trained tokenizer's JSON (what `get_config` stores)
            instead of calling `adapt`. Defaults to `None`.
        condition_vocabularies: dict or `None`. A ready mapping from condition name to its
            list of values (value `i` gets id `i`). Defaults to `None`.

    Example:

    ```python
    tokenizer = keras_seqgan.data.SubwordTokenizer(sequence_length=12, kind="bpe", max_tokens=300)
    tokenizer.adapt(["To be, or not to be.", "Good night, sweet prince."] * 10)
    tokens = tokenizer.encode(["To be, sweet prince!"])  # int32 [1, 12]
    tokenizer.decode(tokens)  # ["to be, sweet prince!"]
    ```

    Reference:
        - [Sennrich et al., 2016](https://arxiv.org/abs/1508.07909) (BPE);
          [Kudo, 2018](https://arxiv.org/abs/1804.10959) (Unigram).
    """

    def __init__(
        self,
        sequence_length: int = 20,
        *,
        kind: str = "bpe",
        max_tokens: int = 5000,
        lowercase: bool = True,
        tokenizer_json: str | None = None,
        condition_vocabularies: Mapping[str, Sequence[str]] | None = None,
    ):
        self.kind = check_choice("kind", kind, KINDS)
        minimum = _BYTE_LEVEL_MINIMUM if kind == "bpe" else len(RESERVED_TOKENS) + 1
        check_int("max_tokens", max_tokens, minimum)
        super().__init__(
            sequence_length,
            max_tokens=max_tokens,
            lowercase=lowercase,
            condition_vocabularies=condition_vocabularies,
        )
        import_tokenizers()
        self._model = None
        if tokenizer_json is not None:
            self._set_model(self._load(tokenizer_json))

    def _load(self, tokenizer_json):
        tokenizers = import_tokenizers()
        if not isinstance(tokenizer_json, str):
            raise TypeError(
                "`tokenizer_json` must be None or a str (a trained tokenizer's JSON, as in "
                f"get_config()). Received {type(tokenizer_json).__name__}: {tokenizer_json!r:.80}"
            )
        try:
            model = tokenizers.Tokenizer.from_str(tokenizer_json)
        except Exception as error:  # tokenizers raises a bare Exception
            raise ValueError(
                f"`tokenizer_json` is not a tokenizers.Tokenizer JSON ({error}). Received: "
                f"{tokenizer_json!r:.80}"
            ) from None
        found = type(model.model).__name__.lower()
        if found != self.kind:
            raise ValueError(
                f"`tokenizer_json` holds a {found} model, but kind={self.kind!r}. Pass "
                f"kind={found!r} or a {self.kind} tokenizer's JSON."
            )
        return model

    def _set_model(self, model) -> None:
        pieces = [model.id_to_token(i) for i in range(model.get_vocab_size())]
        if tuple(pieces[: len(RESERVED_TOKENS)]) != RESERVED_TOKENS or None in pieces:
            raise ValueError(
                f"`tokenizer_json` must reserve ids 0, 1 and 2 for {list(RESERVED_TOKENS)} and "
                f"number its pieces without gaps. Received first pieces {pieces[:3]}."
            )
        # "<eos>" written in a text is text, not the end of the sequence.
        model.encode_special_tokens = True
        self._model = model
        self._set_words(pieces[len(RESERVED_TOKENS) :])

    def adapt(
        self, texts: Iterable[str], conditions: Mapping[str, Sequence[str]] | None = None
    ) -> SubwordTokenizer:
        """Trains the subword vocabulary, and one vocabulary per condition, on a corpus.

        Replaces any vocabulary the tokenizer had. The same texts give the same ids. Takes
        seconds: about 4 s for BPE and WordPiece, 20 s for Unigram, on 100,000 lines of Shakespeare.

        Args:
            texts: list of str. The training texts.
            conditions: dict or `None`. Condition name -> list of str values, one per text (as
                in `TextCorpus.conditions`). Defaults to `None` (no conditions).

        Returns:
            The tokenizer itself.
        """
        texts = check_texts(texts, "texts")
        if not texts:
            raise ValueError("`texts` must hold at least one text. Received an empty list.")
        conditions = check_text_conditions(conditions, len(texts))
        if not any(text.strip() for text in texts):
            raise ValueError(
                f"`texts` hold no words: all {len(texts)} texts are empty or whitespace."
            )
        model = _untrained(self.kind, self.lowercase)
        try:
            model.train_from_iterator(texts, _trainer(self.kind, self.max_tokens), len(texts))
        except Exception as error:  # tokenizers raises a bare Exception
            raise ValueError(
                f"Training the {self.kind} tokenizer failed: {error}. With max_tokens="
                f"{self.max_tokens}, the texts may hold more distinct characters than the "
                "vocabulary has room for: pass a larger max_tokens."
            ) from None
        state = _canonical(json.loads(model.to_str()), self.kind)
        self._set_model(self._load(json.dumps(state, ensure_ascii=False)))
        self._set_conditions(
            {name: by_frequency(collections.Counter(values)) for name, values in conditions.items()}
        )
        return self

    @property
    def vocabulary(self) -> list[str]:
        """All pieces in id order: `<pad>`, `<eos>`, `<unk>`, then the pieces as the library
        writes them (byte-level BPE shows a space as `Ġ`, Unigram as `▁`, WordPiece marks a
        continuation with `##`)."""
        return list(self._vocabulary)

    def split(self, text: str) -> list[str]:
        """Splits one text into words and punctuation marks, as `Tokenizer.split` does.

        These are the words BLEU compares, not the pieces `encode` writes.

        Args:
            text: str.

        Returns:
            list of str.
        """
        return super().split(text)

    def encode(self, texts: str | Iterable[str]) -> np.ndarray:
        """Texts -> int32 token ids `[N, sequence_length]`.

        Each row holds the text's pieces, then one `<eos>`, then `<pad>`. Texts of more than
        `sequence_length - 1` pieces keep their first `sequence_length - 1`.

        Args:
            texts: list of str, or one str.

        Returns:
            int32 NumPy array `[N, sequence_length]`; `[sequence_length]` for a single str.
        """
        self._check_adapted("encode")
        single = isinstance(texts, str)
        texts = check_texts([texts] if single else texts, "texts")
        limit = self.sequence_length - 1
        tokens = np.zeros((len(texts), self.sequence_length), dtype=np.int32)
        encodings = self._model.encode_batch_fast(texts, add_special_tokens=False)
        for row, encoding in enumerate(encodings):
            ids = encoding.ids[:limit]
            tokens[row, : len(ids)] = ids
            tokens[row, len(ids)] = self.eos_id
        return tokens[0] if single else tokens

    def decode(self, tokens) -> list[str] | str:
        """Token ids -> texts.

        Drops everything from the first `<eos>` on and every `<pad>`, and joins the pieces
        into text (`<unk>` stays as `"<unk>"`).

        Args:
            tokens: int array-like (NumPy array, list, tensor) `[N, T]`, or one sequence `[T]`.

        Returns:
            list of N str for `[N, T]`; one str for a single sequence `[T]`.
        """
        self._check_adapted("decode")
        array, keep, single = self._kept_tokens(tokens)
        rows = [row[mask].tolist() for row, mask in zip(array, keep, strict=True)]
        texts = [text.strip() for text in self._model.decode_batch(rows, skip_special_tokens=False)]
        return texts[0] if single else texts

    def _decoding_table(self) -> dict | None:
        """`decode` as data a served graph applies (the text of `SeqGAN.export`).

        Byte-level BPE: `{"join": "bytes", "pieces": the bytes of each id}` (the graph
        joins them, decodes UTF-8 with `"�"` for invalid bytes, as Rust's
        `from_utf8_lossy`, and strips). WordPiece and Metaspace decoders turn each piece
        into text by itself, one way in first place and one way after another piece:
        `{"join": "pieces", "first": ..., "rest": ...}`, asked of the decoder itself, so
        they hold whatever its version does. `None` for any other decoder (a
        `tokenizer_json` of another make) or a subclass with its own `decode`.
        """
        if self._model is None or type(self).decode is not SubwordTokenizer.decode:
            return None
        from tokenizers import decoders

        decoder = self._model.decoder
        pieces = self.vocabulary
        if isinstance(decoder, decoders.ByteLevel):
            to_byte = {char: byte for byte, char in _byte_alphabet().items()}
            # As the decoder: a piece with a character outside the alphabet (an added
            # token) keeps its own UTF-8 bytes.
            return {
                "join": "bytes",
                "pieces": [
                    bytes(to_byte[char] for char in piece)
                    if all(char in to_byte for char in piece)
                    else piece.encode("utf-8")
                    for piece in pieces
                ],
            }
        if isinstance(decoder, (decoders.WordPiece, decoders.Metaspace)):
            lead = decoder.decode([pieces[0]])
            rest = [decoder.decode([pieces[0], piece]) for piece in pieces]
            if not all(text.startswith(lead) for text in rest):
                return None
            return {
                "join": "pieces",
                "first": [decoder.decode([piece]) for piece in pieces],
                "rest": [text[len(lead) :] for text in rest],
            }
        return None

    def get_config(self) -> dict:
        return {
            "sequence_length": self.sequence_length,
            "kind": self.kind,
            "max_tokens": self.max_tokens,
            "lowercase": self.lowercase,
            "tokenizer_json": None if self._model is None else self._model.to_str(),
            "condition_vocabularies": (
                {name: list(values) for name, values in self._condition_vocabularies.items()}
                or None
            ),
        }

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_model"] = None if self._model is None else self._model.to_str()
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if state["_model"] is not None:
            self._set_model(self._load(state["_model"]))

    def __repr__(self) -> str:
        conditions = f", condition_sizes={self.condition_sizes}" if self.condition_names else ""
        adapted = "" if self._model is not None else ", not adapted"
        return (
            f"SubwordTokenizer(sequence_length={self.sequence_length}, kind={self.kind!r}, "
            f"vocabulary_size={self.vocabulary_size}, max_tokens={self.max_tokens}, "
            f"lowercase={self.lowercase}{conditions}{adapted})"
        )
