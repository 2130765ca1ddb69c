"""Real-text corpora: plain-text and CSV files read into a `TextCorpus` (texts plus
optional per-row conditions such as a speaking character), split, and tokenized by a
`keras_seqgan.data.Tokenizer`."""

from __future__ import annotations

import codecs
import collections
import csv
import os
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from keras_seqgan._validation import check_float, check_int, check_optional_int, check_seed
from keras_seqgan.data.tokenizer import Tokenizer, by_frequency, check_text_conditions, check_texts


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
        self.texts = check_texts(texts, "texts")
        self.conditions = check_text_conditions(conditions, len(self.texts))

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
        kept = set(by_frequency(collections.Counter(values))[:n])
        return self._subset(index for index, value in enumerate(values) if value in kept)

    def known_to(self, tokenizer: Tokenizer) -> TextCorpus:
        """Keeps the texts whose condition values `tokenizer` knows.

        A tokenizer adapted on a training split may not know every speaker of a validation
        split; `tokenize` would refuse those rows. Texts keep their order.

        Args:
            tokenizer: `Tokenizer`. An adapted tokenizer whose `condition_names` are
                conditions of this corpus.

        Returns:
            A new `TextCorpus` (all of this one when the tokenizer has no conditions);
            `len(corpus) - len(kept)` texts were dropped.
        """
        if not isinstance(tokenizer, Tokenizer):
            raise TypeError(
                f"`tokenizer` must be a keras_seqgan.data.Tokenizer. Received "
                f"{type(tokenizer).__name__}."
            )
        keep = range(len(self))
        for name in tokenizer.condition_names:
            if name not in self.conditions:
                raise ValueError(
                    f"The tokenizer encodes condition {name!r}, which this corpus lacks; the "
                    f"corpus has conditions {list(self.conditions)}."
                )
            known = set(tokenizer.condition_values(name))
            keep = [i for i in keep if self.conditions[name][i] in known]
        return self._subset(keep)

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
                    "file's encoding (`encoding=` in Python, `--encoding` on the command line; "
                    "e.g. latin-1) or fix the file."
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
    condition_columns = check_texts(condition_columns, "condition_columns")
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
