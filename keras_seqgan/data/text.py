"""Real-text corpora (plain text and CSV files) and a word-level `Tokenizer`.

`load_text_corpus` and `load_csv_corpus` read files into a `TextCorpus` (texts plus optional
per-row conditions such as a speaking character); a `Tokenizer` adapted on it turns texts into
the fixed-length int32 token arrays that the generator and the `tf.data` pipelines take, and
token arrays back into text.
"""

from __future__ import annotations

import codecs
import collections
import csv
import itertools
import os
import re
from collections.abc import Iterable, Mapping, Sequence

import keras
import numpy as np

from keras_seqgan._validation import check_float, check_int, check_optional_int, check_seed
from keras_seqgan.data.datasets import validate_tokens

PAD_TOKEN = "<pad>"
EOS_TOKEN = "<eos>"
OOV_TOKEN = "<unk>"
RESERVED_TOKENS = (PAD_TOKEN, EOS_TOKEN, OOV_TOKEN)

# A word (letters, digits, underscores) with inner apostrophes ("o'er", "father's") and an
# optional leading one ("'tis"), or any single other non-space character (punctuation).
_WORD_PATTERN = re.compile(r"'?\w+(?:'\w+)*|[^\w\s]")
# Detokenization: no space before these, no space after those (a hyphen joins both sides).
_ATTACH_LEFT = frozenset([",", ".", "!", "?", ";", ":", ")", "]", "}", "'", "%", "…", "-"])
_ATTACH_RIGHT = frozenset(["(", "[", "{", "-"])
_KNOWN_VALUES_SHOWN = 5


def _check_path(path, caller: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{caller}: `path` must be a str or path-like. Received: path={path!r} "
            f"(of type {type(path).__name__})"
        )
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{caller}: no such file: '{path}'")
    return path


def _check_encoding(encoding) -> str:
    if not isinstance(encoding, str):
        raise TypeError(f"`encoding` must be a str. Received: encoding={encoding!r}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(
            f"`encoding` names no known codec. Received: encoding={encoding!r}"
        ) from None
    # Files are split into lines as bytes (to report the line of a bad byte), so the encoding
    # must write "\n" as the single byte 0x0A, as UTF-8, Latin-1 and the cp125x code pages do.
    if "\n".encode(encoding) != b"\n":
        raise ValueError(
            "`encoding` must be ASCII-compatible (UTF-8, Latin-1, cp1252, ...); UTF-16 and "
            f"UTF-32 files are not supported. Received: encoding={encoding!r}"
        )
    return encoding


def _check_texts(texts, name: str) -> list[str]:
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Iterable):
        raise TypeError(
            f"`{name}` must be a list of str (one text per sequence). Received "
            f"{type(texts).__name__}: {texts!r:.80}"
        )
    texts = list(texts)
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"`{name}` must hold str only. Received {type(text).__name__} at index {index}: "
                f"{text!r:.80}"
            )
    return texts


def _check_conditions(conditions, num_rows: int | None, name: str = "conditions"):
    """`None` or a mapping name -> list of str values, all of the same length (`num_rows`)."""
    if conditions is None:
        return {}
    if not isinstance(conditions, Mapping):
        raise TypeError(
            f"`{name}` must be None or a dict mapping a condition name to a list of str values. "
            f"Received {type(conditions).__name__}: {conditions!r:.80}"
        )
    checked = {}
    for key, values in conditions.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"`{name}` keys must be non-empty str. Received key {key!r}")
        values = _check_texts(values, f"{name}[{key!r}]")
        if num_rows is not None and len(values) != num_rows:
            raise ValueError(
                f"`{name}[{key!r}]` must hold one value per text ({num_rows}). "
                f"Received {len(values)} values."
            )
        checked[key] = values
    return checked


def _by_frequency(counts: Mapping[str, int]) -> list[str]:
    """Keys by descending count, ties by value: the same input always gives the same order."""
    return [key for key, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _describe_values(values: Sequence[str]) -> str:
    shown = ", ".join(repr(value) for value in values[:_KNOWN_VALUES_SHOWN])
    more = ", ..." if len(values) > _KNOWN_VALUES_SHOWN else ""
    return f"{shown}{more} ({len(values)} values in all)"


def _detokenize(words: Sequence[str]) -> str:
    """Joins words with spaces, re-attaching punctuation (see `Tokenizer.decode`)."""
    pieces: list[str] = []
    attach_next = True  # No space before the first word.
    quote_open = False
    for word in words:
        if word == '"':  # Alternately an opening and a closing quote.
            attach_left, attach_right = quote_open, not quote_open
            quote_open = not quote_open
        else:
            attach_left, attach_right = word in _ATTACH_LEFT, word in _ATTACH_RIGHT
        if not (attach_left or attach_next):
            pieces.append(" ")
        pieces.append(word)
        attach_next = attach_right
    return "".join(pieces)


@keras.saving.register_keras_serializable(package="keras_seqgan")
class Tokenizer:
    """Word-level tokenizer: texts to fixed-length int32 token arrays and back.

    Splits a text into words and single punctuation marks (`"Hark, 'tis o'er!"` gives
    `hark , 'tis o'er !`), lowercased by default. Ids 0, 1 and 2 are reserved: `<pad>` (also the
    generator's start token), `<eos>` and `<unk>` (out-of-vocabulary); the words follow by
    descending frequency in the texts given to `adapt`, ties in alphabetical order, so the same
    texts always give the same ids. `encode` writes each text's words, one `<eos>` and `<pad>` up
    to `sequence_length`. The tokenizer also maps the values of per-text conditions (say, the
    speaking character) to ids `0 .. condition_sizes[name] - 1`, most frequent first.

    The whole vocabulary lives in `get_config()` as plain JSON types, so a model that keeps the
    tokenizer in its own config (`keras.saving.serialize_keras_object(tokenizer)`) carries the
    vocabulary inside its `.keras` file.

    Args:
        sequence_length: int >= 2. Tokens per encoded sequence, `<eos>` included: texts longer
            than `sequence_length - 1` words are cut to that many words. Defaults to `20`.
        max_tokens: int >= 4 or `None`. Largest `vocabulary_size`, the three reserved tokens
            included: `adapt` keeps the `max_tokens - 3` most frequent words. Defaults to `None`
            (every word).
        lowercase: bool. Lowercase texts before splitting them. Defaults to `True`.
        vocabulary: list of str or `None`. A ready vocabulary instead of calling `adapt`: either
            `tokenizer.vocabulary` of another tokenizer (starting with `<pad>`, `<eos>`,
            `<unk>`) or just the words, ids following the list's order. Defaults to `None`.
        condition_vocabularies: dict or `None`. A ready mapping from condition name to its list
            of values (value `i` gets id `i`). Defaults to `None`.

    Example:

    ```python
    tokenizer = keras_seqgan.data.Tokenizer(sequence_length=8, max_tokens=100)
    tokenizer.adapt(
        ["To be, or not to be.", "Good night, sweet prince."],
        conditions={"character": ["HAMLET", "HORATIO"]},
    )
    tokens = tokenizer.encode(["To be, sweet prince!"])  # int32 [1, 8]
    tokenizer.decode(tokens)  # ["to be, sweet prince <unk>"]
    tokenizer.encode_conditions({"character": ["HORATIO"]})  # {"character": array([1])}
    ```
    """

    pad_id = 0
    eos_id = 1
    oov_id = 2

    def __init__(
        self,
        sequence_length: int = 20,
        *,
        max_tokens: int | None = None,
        lowercase: bool = True,
        vocabulary: Sequence[str] | None = None,
        condition_vocabularies: Mapping[str, Sequence[str]] | None = None,
    ):
        self.sequence_length = check_int("sequence_length", sequence_length, 2)
        self.max_tokens = check_optional_int("max_tokens", max_tokens, len(RESERVED_TOKENS) + 1)
        if not isinstance(lowercase, bool):
            raise TypeError(f"`lowercase` must be a bool. Received: lowercase={lowercase!r}")
        self.lowercase = lowercase
        self._words: list[str] | None = None
        self._set_words(None if vocabulary is None else self._check_vocabulary(vocabulary))
        self._set_conditions(self._check_condition_vocabularies(condition_vocabularies))

    # Construction and adapting.

    def _check_vocabulary(self, vocabulary) -> list[str]:
        words = _check_texts(vocabulary, "vocabulary")
        if tuple(words[: len(RESERVED_TOKENS)]) == RESERVED_TOKENS:
            words = words[len(RESERVED_TOKENS) :]
        if not words:
            raise ValueError(
                "`vocabulary` must hold at least one word besides the reserved tokens "
                f"{list(RESERVED_TOKENS)}. Received: vocabulary={vocabulary!r}"
            )
        seen = set()
        for word in words:
            if word in RESERVED_TOKENS:
                raise ValueError(
                    f"`vocabulary` may hold the reserved tokens {list(RESERVED_TOKENS)} only as "
                    f"its first three entries, in that order. Received {word!r} among the words."
                )
            if not word or word != word.strip() or any(char.isspace() for char in word):
                raise ValueError(
                    "`vocabulary` words must be non-empty and free of whitespace. "
                    f"Received {word!r}."
                )
            if word in seen:
                raise ValueError(f"`vocabulary` must not repeat a word. Received {word!r} twice.")
            seen.add(word)
        size = len(words) + len(RESERVED_TOKENS)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(
                f"`vocabulary` holds {size} tokens (reserved tokens included), more than "
                f"max_tokens={self.max_tokens}. Pass a shorter vocabulary or a larger max_tokens."
            )
        return words

    @staticmethod
    def _check_condition_vocabularies(condition_vocabularies) -> dict[str, list[str]]:
        checked = _check_conditions(condition_vocabularies, None, "condition_vocabularies")
        for name, values in checked.items():
            if not values:
                raise ValueError(
                    f"`condition_vocabularies[{name!r}]` must hold at least one value. Received []."
                )
            if len(set(values)) != len(values):
                repeated = next(
                    value for value, count in collections.Counter(values).items() if count > 1
                )
                raise ValueError(
                    f"`condition_vocabularies[{name!r}]` must not repeat a value. Received "
                    f"{repeated!r} more than once."
                )
        return checked

    def _set_words(self, words: list[str] | None) -> None:
        self._words = words
        self._vocabulary = list(RESERVED_TOKENS) + (words or [])
        self._vocabulary_array = np.asarray(self._vocabulary, dtype=object)
        self._lookup_layer = None  # Built on first `encode`.

    def _set_conditions(self, vocabularies: dict[str, list[str]]) -> None:
        self._condition_vocabularies = {name: list(values) for name, values in vocabularies.items()}
        self._condition_indices = {
            name: {value: index for index, value in enumerate(values)}
            for name, values in self._condition_vocabularies.items()
        }

    def adapt(
        self, texts: Iterable[str], conditions: Mapping[str, Sequence[str]] | None = None
    ) -> Tokenizer:
        """Builds the word vocabulary, and one vocabulary per condition, from a corpus.

        Replaces any vocabulary the tokenizer had. Words are counted after lowercasing (if
        `lowercase`) and splitting; the `max_tokens - 3` most frequent are kept, by descending
        frequency, ties alphabetical. Condition values are ordered the same way.

        Args:
            texts: list of str. The training texts.
            conditions: dict or `None`. Condition name -> list of str values, one per text (as
                in `TextCorpus.conditions`). Defaults to `None` (no conditions).

        Returns:
            The tokenizer itself.

        Example:

        ```python
        corpus = keras_seqgan.data.load_csv_corpus("lines.csv", condition_columns=["character"])
        tokenizer = keras_seqgan.data.Tokenizer(max_tokens=5000)
        tokenizer.adapt(corpus.texts, corpus.conditions)
        ```
        """
        texts = _check_texts(texts, "texts")
        if not texts:
            raise ValueError("`texts` must hold at least one text. Received an empty list.")
        conditions = _check_conditions(conditions, len(texts))
        # Counting is plain Python: `StringLookup.adapt` orders tied words arbitrarily, and
        # `collections.Counter` over the split texts is as fast (about 0.3 s for 100k lines).
        counts: collections.Counter = collections.Counter()
        for text in texts:
            counts.update(self.split(text))
        if not counts:
            raise ValueError(
                f"`texts` hold no words: all {len(texts)} texts are empty or whitespace."
            )
        words = _by_frequency(counts)
        if self.max_tokens is not None:
            words = words[: self.max_tokens - len(RESERVED_TOKENS)]
        self._set_words(words)
        self._set_conditions(
            {
                name: _by_frequency(collections.Counter(values))
                for name, values in conditions.items()
            }
        )
        return self

    # Vocabulary.

    @property
    def vocabulary(self) -> list[str]:
        """All tokens in id order: `<pad>`, `<eos>`, `<unk>`, then the words."""
        return list(self._vocabulary)

    @property
    def vocabulary_size(self) -> int:
        """Number of token ids, reserved tokens included (the generator's `vocabulary_size`)."""
        return len(self._vocabulary)

    @property
    def condition_names(self) -> tuple[str, ...]:
        """The condition names, in the order they were given."""
        return tuple(self._condition_vocabularies)

    @property
    def condition_sizes(self) -> dict[str, int]:
        """Condition name -> number of its values (ids run from 0 to that number minus 1)."""
        return {name: len(values) for name, values in self._condition_vocabularies.items()}

    def condition_values(self, name: str) -> list[str]:
        """The values of condition `name` in id order (most frequent first)."""
        self._check_condition_name(name, "name")
        return list(self._condition_vocabularies[name])

    def _check_condition_name(self, name, argument: str) -> None:
        if name not in self._condition_vocabularies:
            known = (
                f"its conditions are {list(self.condition_names)}"
                if self._condition_vocabularies
                else "it has no conditions (pass `conditions=` to `adapt`)"
            )
            raise ValueError(f"Unknown condition {name!r} (in `{argument}`); {known}.")

    def _check_adapted(self, method: str) -> None:
        if self._words is None:
            raise RuntimeError(
                f"Tokenizer.{method}: the tokenizer has no vocabulary yet. Call "
                "`tokenizer.adapt(texts)` first or pass `vocabulary=` to the constructor."
            )

    # Texts.

    def split(self, text: str) -> list[str]:
        """Splits one text into words and punctuation marks (lowercased if `lowercase`).

        Args:
            text: str.

        Returns:
            list of str: the tokens `encode` looks up, before truncation.
        """
        if not isinstance(text, str):
            raise TypeError(f"`text` must be a str. Received {type(text).__name__}: {text!r:.80}")
        return _WORD_PATTERN.findall(text.lower() if self.lowercase else text)

    def _lookup(self, words: list[str]) -> np.ndarray:
        """Word strings -> ids with `keras.layers.StringLookup` (a TensorFlow hash table)."""
        if self._lookup_layer is None:
            # StringLookup puts its single OOV index at 0 and the vocabulary after it. Given
            # ["<pad>", "<eos>", words...] it returns 0 for OOV, 1 for <pad>, 2 for <eos> and
            # word ids unchanged from 3 on, so one small table restores pad=0, eos=1, oov=2.
            self._lookup_layer = keras.layers.StringLookup(
                vocabulary=[PAD_TOKEN, EOS_TOKEN] + self._words,
                mask_token=None,
                num_oov_indices=1,
                oov_token=OOV_TOKEN,
            )
            self._lookup_remap = np.arange(self.vocabulary_size, dtype=np.int32)
            self._lookup_remap[:3] = [self.oov_id, self.pad_id, self.eos_id]
        raw = keras.ops.convert_to_numpy(self._lookup_layer(np.asarray(words, dtype=object)))
        return self._lookup_remap[raw]

    def encode(self, texts: str | Iterable[str]) -> np.ndarray:
        """Texts -> int32 token ids `[N, sequence_length]`.

        Each row holds the text's words (unknown ones as `oov_id`), then one `<eos>`, then
        `<pad>`. Texts of more than `sequence_length - 1` words keep their first
        `sequence_length - 1`, so every row has its `<eos>`.

        Args:
            texts: list of str, or one str.

        Returns:
            int32 NumPy array `[N, sequence_length]`; `[sequence_length]` for a single str.
        """
        self._check_adapted("encode")
        single = isinstance(texts, str)
        texts = _check_texts([texts] if single else texts, "texts")
        limit = self.sequence_length - 1
        rows = [self.split(text)[:limit] for text in texts]
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        tokens = np.zeros((len(rows), self.sequence_length), dtype=np.int32)
        words = list(itertools.chain.from_iterable(rows))
        if words:
            starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
            tokens[np.repeat(np.arange(len(rows)), lengths), np.arange(len(words)) - starts] = (
                self._lookup(words)
            )
        tokens[np.arange(len(rows)), lengths] = self.eos_id
        return tokens[0] if single else tokens

    def decode(self, tokens) -> list[str] | str:
        """Token ids -> texts.

        Drops everything from the first `<eos>` on and every `<pad>` (so a leading start
        token is harmless), joins the words with spaces and re-attaches punctuation: no space
        before `, . ! ? ; : ) ] } ' %`, none after `( [ {`, none around `-`, and double quotes
        hug the text they enclose. For in-vocabulary text, `decode(encode(texts))` gives the
        texts back lowercased (if `lowercase`) with that spacing.

        Args:
            tokens: int array-like (NumPy array, list, tensor) `[N, T]`, or one sequence `[T]`.

        Returns:
            list of N str for `[N, T]`; one str for a single sequence `[T]`.
        """
        self._check_adapted("decode")
        array = tokens
        if keras.ops.is_tensor(tokens) or hasattr(tokens, "numpy"):
            array = keras.ops.convert_to_numpy(tokens)
        elif not isinstance(tokens, np.ndarray) and not isinstance(tokens, (str, bytes)):
            try:
                array = np.asarray(tokens)
            except (ValueError, TypeError):
                array = tokens  # validate_tokens reports it.
        single = getattr(array, "ndim", None) == 1
        array = validate_tokens(
            array[None] if single else array, vocabulary_size=self.vocabulary_size
        )
        ended = array == self.eos_id
        first_eos = np.where(ended.any(axis=1), ended.argmax(axis=1), array.shape[1])
        keep = (np.arange(array.shape[1]) < first_eos[:, None]) & (array != self.pad_id)
        words = self._vocabulary_array[array]
        texts = [_detokenize(row[mask]) for row, mask in zip(words, keep, strict=True)]
        return texts[0] if single else texts

    # Conditions.

    def encode_conditions(
        self, conditions: Mapping[str, str | Sequence[str]]
    ) -> dict[str, np.ndarray]:
        """Condition values -> int32 ids.

        Args:
            conditions: dict. Condition name -> one str value or a list of them. A subset of
                `condition_names` is fine; lists must all have the same length.

        Returns:
            dict name -> int32 NumPy array: shape `[N]` for a list, shape `[]` for one str.

        Raises:
            ValueError: for a condition name or value the tokenizer was not adapted on.
        """
        if not isinstance(conditions, Mapping):
            raise TypeError(
                "`conditions` must be a dict mapping a condition name to a str or a list of str. "
                f"Received {type(conditions).__name__}: {conditions!r:.80}"
            )
        encoded = {}
        lengths = {}
        for name, values in conditions.items():
            self._check_condition_name(name, "conditions")
            single = isinstance(values, str)
            values = _check_texts([values] if single else values, f"conditions[{name!r}]")
            if not single:
                lengths[name] = len(values)
            index = self._condition_indices[name]
            try:
                ids = np.fromiter((index[value] for value in values), np.int32, len(values))
            except KeyError as error:
                raise ValueError(
                    f"Unknown value {error.args[0]!r} for condition {name!r}; known values "
                    f"include {_describe_values(self._condition_vocabularies[name])}."
                ) from None
            encoded[name] = ids[0] if single else ids
        if len(set(lengths.values())) > 1:
            raise ValueError(
                f"`conditions` lists must all have the same length. Received lengths {lengths}."
            )
        return encoded

    def decode_conditions(self, ids: Mapping[str, object]) -> dict[str, list[str] | str]:
        """Condition ids -> values.

        Args:
            ids: dict. Condition name -> int array-like `[N]`, or one int.

        Returns:
            dict name -> list of N str, or one str for a single id.
        """
        if not isinstance(ids, Mapping):
            raise TypeError(
                "`ids` must be a dict mapping a condition name to condition ids. "
                f"Received {type(ids).__name__}: {ids!r:.80}"
            )
        decoded = {}
        for name, values in ids.items():
            self._check_condition_name(name, "ids")
            array = np.asarray(keras.ops.convert_to_numpy(values))
            size = len(self._condition_vocabularies[name])
            if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
                raise TypeError(
                    f"`ids[{name!r}]` must hold integer ids. Received dtype {array.dtype}."
                )
            if array.ndim > 1:
                raise ValueError(
                    f"`ids[{name!r}]` must have rank 0 or 1. Received shape {array.shape}."
                )
            if array.size and (array.min() < 0 or array.max() >= size):
                bad = int(array.min() if array.min() < 0 else array.max())
                raise ValueError(
                    f"`ids[{name!r}]` must lie in [0, {size}) (condition {name!r} has {size} "
                    f"values). Received id {bad}."
                )
            values = self._condition_vocabularies[name]
            decoded[name] = (
                values[int(array)] if array.ndim == 0 else [values[i] for i in array.tolist()]
            )
        return decoded

    # Serialization.

    def get_config(self) -> dict:
        return {
            "sequence_length": self.sequence_length,
            "max_tokens": self.max_tokens,
            "lowercase": self.lowercase,
            "vocabulary": None if self._words is None else self.vocabulary,
            "condition_vocabularies": (
                {name: list(values) for name, values in self._condition_vocabularies.items()}
                or None
            ),
        }

    @classmethod
    def from_config(cls, config: dict) -> Tokenizer:
        return cls(**config)

    def __getstate__(self) -> dict:
        # The StringLookup layer (a TensorFlow table) neither pickles nor deep-copies; it is
        # rebuilt on the next `encode`.
        state = self.__dict__.copy()
        state["_lookup_layer"] = None
        return state

    def __repr__(self) -> str:
        conditions = f", condition_sizes={self.condition_sizes}" if self.condition_names else ""
        adapted = "" if self._words is not None else ", not adapted"
        return (
            f"Tokenizer(sequence_length={self.sequence_length}, "
            f"vocabulary_size={self.vocabulary_size}, max_tokens={self.max_tokens}, "
            f"lowercase={self.lowercase}{conditions}{adapted})"
        )


class TextCorpus:
    """A list of texts with optional per-text conditions (say, the speaking character).

    What `load_text_corpus` and `load_csv_corpus` return. Holds `texts` (list of str) and
    `conditions` (dict name -> list of str, one value per text); `split` it into training and
    validation parts, keep its commonest condition values with `most_frequent`, and turn it
    into arrays with `tokenize`.

    Args:
        texts: list of str.
        conditions: dict or `None`. Condition name -> list of str values, one per text.
            Defaults to `None` (no conditions).

    Example:

    ```python
    corpus = keras_seqgan.data.TextCorpus(
        ["Who's there?", "Nay, answer me."], {"character": ["BERNARDO", "FRANCISCO"]}
    )
    train, validation = corpus.split(0.5, seed=0)
    ```
    """

    def __init__(self, texts: Iterable[str], conditions: Mapping[str, Sequence[str]] | None = None):
        self.texts = _check_texts(texts, "texts")
        self.conditions = _check_conditions(conditions, len(self.texts))

    def __len__(self) -> int:
        return len(self.texts)

    def __repr__(self) -> str:
        conditions = ", ".join(
            f"{name!r}: {len(set(values))} values" for name, values in self.conditions.items()
        )
        return f"TextCorpus({len(self)} texts, conditions={{{conditions}}})"

    @property
    def condition_names(self) -> tuple[str, ...]:
        return tuple(self.conditions)

    def _subset(self, indices: Iterable[int]) -> TextCorpus:
        indices = list(indices)
        return TextCorpus(
            [self.texts[i] for i in indices],
            {name: [values[i] for i in indices] for name, values in self.conditions.items()},
        )

    def split(
        self, validation_fraction: float = 0.1, *, seed: int | None = None
    ) -> tuple[TextCorpus, TextCorpus]:
        """Splits the texts at random into a training and a validation corpus.

        Each part keeps the corpus's order. Both parts get at least one text.

        Args:
            validation_fraction: float in (0, 1). Share of texts (rounded) for validation.
                Defaults to `0.1`.
            seed: int or `None`. The same seed gives the same split; `None` draws a fresh one.
                Pass a seed when runs must agree (say, resuming training). Defaults to `None`.

        Returns:
            `(train, validation)`, two `TextCorpus` with no text in common (by position).
        """
        validation_fraction = check_float(
            "validation_fraction", validation_fraction, low=0.0, high=1.0,
            low_inclusive=False, high_inclusive=False,
        )  # fmt: skip
        seed = check_seed(seed)
        if len(self) < 2:
            raise ValueError(
                "TextCorpus.split needs at least 2 texts (one per part). "
                f"This corpus holds {len(self)}."
            )
        num_validation = min(max(round(len(self) * float(validation_fraction)), 1), len(self) - 1)
        order = np.random.default_rng(seed).permutation(len(self))
        validation = np.sort(order[:num_validation])
        train = np.sort(order[num_validation:])
        return self._subset(train.tolist()), self._subset(validation.tolist())

    def most_frequent(self, condition: str, n: int) -> TextCorpus:
        """Keeps the texts whose `condition` value is among its `n` most frequent values.

        Ties in frequency are broken by value (alphabetical), so the choice is deterministic.
        Texts keep their order.

        Args:
            condition: str. A condition name, e.g. `"character"`.
            n: int >= 1. How many values to keep (all of them if there are fewer).

        Returns:
            A new `TextCorpus`.

        Example:

        ```python
        corpus = keras_seqgan.data.load_csv_corpus(
            "shakespeare_dialogue.csv", condition_columns=["character"]
        )
        corpus = corpus.most_frequent("character", 30)  # The 30 most talkative characters.
        ```
        """
        if condition not in self.conditions:
            raise ValueError(
                f"Unknown condition {condition!r} (in `condition`); this corpus has conditions "
                f"{list(self.conditions)}."
            )
        n = check_int("n", n, 1)
        values = self.conditions[condition]
        kept = set(_by_frequency(collections.Counter(values))[:n])
        return self._subset(index for index, value in enumerate(values) if value in kept)

    def tokenize(self, tokenizer: Tokenizer) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Encodes the texts and the tokenizer's conditions with an adapted `Tokenizer`.

        Args:
            tokenizer: `Tokenizer`. Its `condition_names` must all be conditions of this
                corpus (other corpus conditions are ignored).

        Returns:
            `(tokens, condition_ids)`: int32 `[N, sequence_length]` and a dict name -> int32
            `[N]` for each of `tokenizer.condition_names` (empty without conditions).
        """
        if not isinstance(tokenizer, Tokenizer):
            raise TypeError(
                f"`tokenizer` must be a keras_seqgan.data.Tokenizer. Received "
                f"{type(tokenizer).__name__}."
            )
        missing = [name for name in tokenizer.condition_names if name not in self.conditions]
        if missing:
            raise ValueError(
                f"The tokenizer encodes conditions {missing} that this corpus lacks; the corpus "
                f"has conditions {list(self.conditions)}."
            )
        tokens = tokenizer.encode(self.texts)
        condition_ids = tokenizer.encode_conditions(
            {name: self.conditions[name] for name in tokenizer.condition_names}
        )
        return tokens, condition_ids


# Files.


def _decoded_lines(path: str, encoding: str):
    """Yields `(line_number, line)` (line endings kept); a bad byte raises ValueError."""
    with open(path, "rb") as file:
        for number, raw in enumerate(file, start=1):
            try:
                line = raw.decode(encoding)
            except UnicodeDecodeError as error:
                raise ValueError(
                    f"'{path}' is not valid {encoding}: line {number}, column {error.start + 1} "
                    f"holds byte {raw[error.start : error.start + 1]!r} ({error.reason}). Pass the "
                    "file's `encoding=` (e.g. encoding='latin-1') or fix the file."
                ) from None
            if number == 1 and line.startswith("\ufeff"):  # A byte-order mark.
                line = line[1:]
            yield number, line


def load_text_corpus(
    path: str | os.PathLike,
    *,
    encoding: str = "utf-8",
    max_lines: int | None = None,
) -> TextCorpus:
    """Reads a text file with one sequence per line into a `TextCorpus`.

    Lines are stripped of surrounding whitespace; blank lines are skipped.

    Args:
        path: str or path-like. The file.
        encoding: str. The file's encoding (ASCII-compatible). Defaults to `"utf-8"`.
        max_lines: int >= 1 or `None`. Read only the first `max_lines` non-blank lines.
            Defaults to `None` (all).

    Returns:
        A `TextCorpus` without conditions.

    Raises:
        FileNotFoundError: if there is no file at `path`.
        ValueError: if the file does not decode (naming the line) or holds no text.

    Example:

    ```python
    corpus = keras_seqgan.data.load_text_corpus("coco_captions_train.txt")
    ```
    """
    path = _check_path(path, "load_text_corpus")
    encoding = _check_encoding(encoding)
    max_lines = check_optional_int("max_lines", max_lines, 1)
    texts = []
    lines = _decoded_lines(path, encoding)
    try:
        for _, line in lines:
            line = line.strip()
            if line:
                texts.append(line)
                if max_lines is not None and len(texts) >= max_lines:
                    break
    finally:
        lines.close()
    if not texts:
        raise ValueError(
            f"load_text_corpus: '{path}' holds no text: it is empty or all blank lines."
        )
    return TextCorpus(texts)


def load_csv_corpus(
    path: str | os.PathLike,
    *,
    text_column: str = "text",
    condition_columns: str | Sequence[str] = (),
    encoding: str = "utf-8",
    max_rows: int | None = None,
) -> TextCorpus:
    """Reads a CSV file (header row first) into a `TextCorpus` with conditions.

    Values are stripped of surrounding whitespace; rows with an empty text are skipped.

    Args:
        path: str or path-like. The file.
        text_column: str. The column holding the texts. Defaults to `"text"`.
        condition_columns: str or list of str. Columns kept as conditions, under their column
            names. Defaults to `()` (none).
        encoding: str. The file's encoding (ASCII-compatible). Defaults to `"utf-8"`.
        max_rows: int >= 1 or `None`. Read only the first `max_rows` rows with text. Defaults
            to `None` (all).

    Returns:
        A `TextCorpus` with one condition per entry of `condition_columns`.

    Raises:
        FileNotFoundError: if there is no file at `path`.
        ValueError: for a missing column, a file that does not decode or parse (naming the
            line), or a file without text.

    Example:

    ```python
    corpus = keras_seqgan.data.load_csv_corpus(
        "shakespeare_dialogue.csv", condition_columns=["character"]
    )
    ```
    """
    caller = "load_csv_corpus"
    path = _check_path(path, caller)
    if not isinstance(text_column, str) or not text_column:
        raise TypeError(
            f"`text_column` must be a non-empty str. Received: text_column={text_column!r}"
        )
    if isinstance(condition_columns, str):
        condition_columns = [condition_columns]
    condition_columns = _check_texts(condition_columns, "condition_columns")
    if len(set(condition_columns)) != len(condition_columns):
        raise ValueError(
            f"`condition_columns` must not repeat a column. Received: {condition_columns!r}"
        )
    encoding = _check_encoding(encoding)
    max_rows = check_optional_int("max_rows", max_rows, 1)

    lines = _decoded_lines(path, encoding)
    reader = csv.reader(line for _, line in lines)
    try:
        try:
            header = next(reader, None)
            if header is None:
                raise ValueError(f"{caller}: '{path}' is empty: it has no header row.")
            header = [name.strip() for name in header]
            wanted = [text_column, *condition_columns]
            missing = [name for name in wanted if name not in header]
            if missing:
                raise ValueError(
                    f"{caller}: '{path}' has no column{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(map(repr, missing))}; its columns are {header}. Pass "
                    "`text_column=` / `condition_columns=` naming columns of the file."
                )
            text_index = header.index(text_column)
            condition_indices = [header.index(name) for name in condition_columns]
            needed = max([text_index, *condition_indices]) + 1
            texts: list[str] = []
            conditions: dict[str, list[str]] = {name: [] for name in condition_columns}
            for row in reader:
                if not row:  # A blank line.
                    continue
                if len(row) < needed:
                    raise ValueError(
                        f"{caller}: '{path}' line {reader.line_num} has {len(row)} fields; the "
                        f"columns {wanted} need at least {needed} (the header has {len(header)})."
                    )
                text = row[text_index].strip()
                if not text:
                    continue
                texts.append(text)
                for name, index in zip(condition_columns, condition_indices, strict=True):
                    conditions[name].append(row[index].strip())
                if max_rows is not None and len(texts) >= max_rows:
                    break
        except csv.Error as error:
            raise ValueError(
                f"{caller}: '{path}' is not valid CSV at line {reader.line_num}: {error}"
            ) from None
    finally:
        lines.close()
    if not texts:
        raise ValueError(
            f"{caller}: '{path}' holds no text: column {text_column!r} is empty in every row."
        )
    return TextCorpus(texts, conditions)
