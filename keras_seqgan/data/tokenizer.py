"""A word-level `Tokenizer`: texts (and their conditions) to fixed-length int32 token
arrays, adapted on a corpus, saved in a generator's config, and back to text."""

from __future__ import annotations

import collections
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence

import keras
import numpy as np

from keras_seqgan import _tf
from keras_seqgan._validation import check_int, check_optional_int
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


def check_texts(texts, name: str) -> list[str]:
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


def check_text_conditions(conditions, num_rows: int | None, name: str = "conditions"):
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
        values = check_texts(values, f"{name}[{key!r}]")
        if num_rows is not None and len(values) != num_rows:
            raise ValueError(
                f"`{name}[{key!r}]` must hold one value per text ({num_rows}). "
                f"Received {len(values)} values."
            )
        checked[key] = values
    return checked


def by_frequency(counts: Mapping[str, int]) -> list[str]:
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
        words = check_texts(vocabulary, "vocabulary")
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
        checked = check_text_conditions(condition_vocabularies, None, "condition_vocabularies")
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
        self._lookup_dict = None  # Without TensorFlow, instead of the layer.

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
        texts = check_texts(texts, "texts")
        if not texts:
            raise ValueError("`texts` must hold at least one text. Received an empty list.")
        conditions = check_text_conditions(conditions, len(texts))
        # Counting is plain Python: `StringLookup.adapt` orders tied words arbitrarily, and
        # `collections.Counter` over the split texts is as fast (about 0.3 s for 100k lines).
        counts: collections.Counter = collections.Counter()
        for text in texts:
            counts.update(self.split(text))
        if not counts:
            raise ValueError(
                f"`texts` hold no words: all {len(texts)} texts are empty or whitespace."
            )
        words = by_frequency(counts)
        if self.max_tokens is not None:
            words = words[: self.max_tokens - len(RESERVED_TOKENS)]
        self._set_words(words)
        self._set_conditions(
            {name: by_frequency(collections.Counter(values)) for name, values in conditions.items()}
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
        """Word strings -> ids with `keras.layers.StringLookup` (a TensorFlow hash table), or
        a Python dict where TensorFlow is not installed (the same ids)."""
        if not _tf.installed():
            if self._lookup_dict is None:
                first = len(RESERVED_TOKENS)
                self._lookup_dict = {word: first + i for i, word in enumerate(self._words)}
            get, oov = self._lookup_dict.get, self.oov_id
            return np.fromiter((get(word, oov) for word in words), dtype=np.int32, count=len(words))
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
        texts = check_texts([texts] if single else texts, "texts")
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
        array, keep, single = self._kept_tokens(tokens)
        words = self._vocabulary_array[array]
        texts = [_detokenize(row[mask]) for row, mask in zip(words, keep, strict=True)]
        return texts[0] if single else texts

    def _kept_tokens(self, tokens) -> tuple[np.ndarray, np.ndarray, bool]:
        """Checked ids `[N, T]`, the mask of those before each row's first `<eos>` that are
        not `<pad>`, and whether `tokens` was one sequence."""
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
        return array, keep, single

    def _decoding_table(self) -> dict | None:
        """`decode` as data a served graph applies (the text of `SeqGAN.export`).

        `{"join": "words", "pieces": vocabulary, "attach_left", "attach_right", "quote":
        one bool per id}`: the spacing rule of `_detokenize`. `None` when there is no
        vocabulary, or for a subclass with its own `decode` (the table would not be it).
        """
        if self._words is None or type(self).decode is not Tokenizer.decode:
            return None
        return {
            "join": "words",
            "pieces": self.vocabulary,
            "attach_left": [word in _ATTACH_LEFT for word in self._vocabulary],
            "attach_right": [word in _ATTACH_RIGHT for word in self._vocabulary],
            "quote": [word == '"' for word in self._vocabulary],
        }

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
            values = check_texts([values] if single else values, f"conditions[{name!r}]")
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
