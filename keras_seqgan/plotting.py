"""Training-curve and quality-diversity plots (PNG files, drawn off-screen with
matplotlib's Agg canvas)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence

from keras_seqgan.saving import atomic_path

PLOT_EXTRA_HINT = "pip install 'keras-seqgan[plot]'"

DEFAULT_LABELS = {
    "nll_oracle": "NLL-oracle (quality)",
    "nll_gen": "NLL-gen (diversity)",
    "temperature": "training temperature",
    "d_acc": "D accuracy, training batches",
    "val_d_acc": "D accuracy, held-out rows",
}


def _value(row: Mapping[str, object], key: str) -> float:
    """`row[key]` as a float; `nan` when absent, empty, `None` or not a number."""
    value = row.get(key)
    if value is None or value == "":
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _figure(caller: str, figsize):
    """A matplotlib `Figure` on the off-screen Agg canvas; an `ImportError` naming the
    `plot` extra when matplotlib is missing."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            f"{caller} needs matplotlib, which is not installed: {PLOT_EXTRA_HINT} "
            f"(or pip install matplotlib). ({error})",
            name="matplotlib",
        ) from error
    figure = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path, title, dpi) -> str:
    """Titles `figure` and writes it to `path` as a PNG, atomically."""
    if title:
        figure.suptitle(title)
    path = os.fspath(path)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=dpi)
    return path


def _stage_spans(xs: list[float], stages: list[str]) -> list[tuple[str, float, float]]:
    """`(stage, start, end)` per run of equal consecutive stages.

    A stage's span starts at the last x of the stage before it: its first point is
    measured after one epoch that began from the previous stage's last state.
    """
    spans: list[tuple[str, float, float]] = []
    for x, stage in zip(xs, stages, strict=True):
        if spans and spans[-1][0] == stage:
            spans[-1] = (stage, spans[-1][1], x)
        else:
            start = spans[-1][2] if spans else x
            spans.append((stage, start, x))
    return spans


def _curve_columns(rows, x_key: str, keys: list[str]):
    """The rows' x coordinates (checked) and each key's values (NaN where missing)."""
    if not rows:
        raise ValueError("`history_rows` is empty: there is nothing to plot.")
    xs = [_value(row, x_key) for row in rows]
    bad = [index for index, x in enumerate(xs) if math.isnan(x)]
    if bad:
        raise ValueError(
            f"Every row needs a numeric `{x_key}` (the x coordinate). Received rows without "
            f"one at positions {bad[:10]}, e.g. {dict(rows[bad[0]])!r}"
        )
    return xs, {key: [_value(row, key) for row in rows] for key in keys}


def _draw_curves(axis, xs, columns, keys, first_color: int, names) -> None:
    for index, key in enumerate(keys):
        points = [(x, y) for x, y in zip(xs, columns[key], strict=True) if not math.isnan(y)]
        if points:
            axis.plot(
                *zip(*points, strict=True),
                marker="o",
                markersize=3,
                color=f"C{(first_color + index) % 10}",
                label=names.get(key, key),
            )


def _draw_references(axis, lines) -> None:
    styles = (":", "-.", (0, (1, 3)), (0, (5, 3)))
    for (label, value), style in zip((lines or {}).items(), styles, strict=False):
        value = float(value)
        text = f"{value:.3f}".rstrip("0")
        text += "0" if text.endswith(".") else ""
        axis.axhline(value, color="0.35", linestyle=style, linewidth=1.2, label=f"{label} ({text})")


def _draw_stages(axes, spans, names) -> None:
    """Every stage after the first shaded and its start marked; each stage named at the top."""
    top = axes[0]
    for index, (stage, start, end) in enumerate(spans):
        if index > 0:
            for axis in axes:
                axis.axvspan(start, end, color="tab:gray", alpha=0.12 if index % 2 else 0.06)
                axis.axvline(start, color="0.3", linestyle="--", linewidth=1)
        top.text(
            (start + end) / 2,
            0.98,
            names.get(stage, stage),
            transform=top.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize="small",
            color="0.2",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1.5},
        )


def plot_training_curves(
    history_rows: Sequence[Mapping[str, object]],
    path: str | os.PathLike,
    *,
    keys: Sequence[str] = ("nll_oracle", "nll_gen"),
    secondary_keys: Sequence[str] = ("temperature",),
    title: str | None = None,
    reference_lines: Mapping[str, float] | None = None,
    secondary_reference_lines: Mapping[str, float] | None = None,
    labels: Mapping[str, str] | None = None,
    x_key: str = "epoch",
    xlabel: str | None = None,
    stage_key: str | None = "stage",
    ylabel: str = "NLL (nats per token)",
    secondary_ylabel: str = "temperature",
    dpi: int = 120,
) -> str:
    """Plots per-epoch training curves across stages into a PNG file, written atomically.

    One row per epoch (e.g. the rows of the demo's `history.csv`, or
    `keras.callbacks.History.history` turned into rows). The top panel draws the `keys`
    against `x_key`, with a dotted horizontal line per `reference_lines` entry; a
    second, shorter panel below draws the `secondary_keys` (such as the sampling
    temperature) where they have values, and is left out when none has any. With
    `stage_key`, consecutive rows of the same stage form a span: every span after the
    first is shaded, its boundary marked by a dashed vertical line and its name written
    at the top. Missing, empty or non-numeric values are skipped (a stage that does not
    log a key simply has no points for it). matplotlib is imported here, not when the
    module is, and draws on its off-screen Agg canvas: no display is needed or used.

    Args:
        history_rows: sequence of mappings. One per epoch, in order, each holding
            `x_key` and some of `keys` / `secondary_keys` (values may be strings, as
            read back from a CSV file).
        path: str or path-like. The PNG file to write; its folder must exist. It is
            replaced in one step (`keras_seqgan.saving.atomic_path`).
        keys: sequence of str. The curves of the top panel. Defaults to
            `("nll_oracle", "nll_gen")`.
        secondary_keys: sequence of str. The curves of the bottom panel. Defaults to
            `("temperature",)`.
        title: str or `None`. The figure's title. Defaults to `None` (no title).
        reference_lines: mapping of label to float, or `None`. Horizontal lines on the
            top panel (e.g. `{"oracle entropy": 8.2}`), labelled with their value.
            Defaults to `None`.
        secondary_reference_lines: mapping of label to float, or `None`. The same on
            the bottom panel (e.g. `{"evaluation temperature": 1.0}`). Defaults to `None`.
        labels: mapping of key (or stage name) to its label, or `None`. Merged over
            `DEFAULT_LABELS`; unknown keys and stages are labelled with their name.
        x_key: str. The x coordinate of each row. Defaults to `"epoch"`.
        xlabel: str or `None`. Label of the x axis. Defaults to `None`: `x_key`.
        stage_key: str or `None`. The key naming each row's stage; `None` draws no
            stages. Defaults to `"stage"`.
        ylabel: str. Label of the top panel's y axis. Defaults to `"NLL (nats per token)"`.
        secondary_ylabel: str. Label of the bottom panel's y axis. Defaults to
            `"temperature"`.
        dpi: int. Resolution of the PNG. Defaults to `120`.

    Returns:
        `path` as a str.

    Raises:
        ImportError: if matplotlib is not installed (`pip install 'keras-seqgan[plot]'`).
        ValueError: if `history_rows` is empty, a row lacks a numeric `x_key`, or no
            row has a value for any of `keys`.

    Example:

    ```python
    from keras_seqgan.plotting import plot_training_curves

    rows = [
        {"stage": "mle", "epoch": 1, "nll_oracle": 9.1, "nll_gen": 8.0},
        {"stage": "mle", "epoch": 2, "nll_oracle": 8.9, "nll_gen": 7.8},
        {"stage": "adversarial", "epoch": 3, "nll_oracle": 8.7, "nll_gen": 7.9,
         "temperature": 2.0},
    ]
    plot_training_curves(rows, "curves.png", title="demo",
                         reference_lines={"oracle entropy": 7.5})
    ```
    """
    rows = list(history_rows)
    keys, secondary_keys = list(keys), list(secondary_keys)
    xs, columns = _curve_columns(rows, x_key, keys + secondary_keys)
    if not any(not math.isnan(v) for key in keys for v in columns[key]):
        raise ValueError(
            f"No row has a value for any of keys={keys}. Keys found in the first row: "
            f"{sorted(rows[0])}"
        )
    names = {**DEFAULT_LABELS, **(labels or {})}
    has_secondary = any(not math.isnan(v) for key in secondary_keys for v in columns[key])

    figure = _figure("plot_training_curves", (8, 6.5 if has_secondary else 5))
    if has_secondary:
        top, bottom = figure.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]}, squeeze=True
        )
        axes = (top, bottom)
    else:
        top, bottom = figure.subplots(1, 1), None
        axes = (top,)
    _draw_curves(top, xs, columns, keys, 0, names)
    _draw_references(top, reference_lines)
    top.set_ylabel(ylabel)
    top.grid(True, alpha=0.3)
    top.legend(loc="best", fontsize="small")
    if bottom is not None:
        _draw_curves(bottom, xs, columns, secondary_keys, len(keys), names)
        _draw_references(bottom, secondary_reference_lines)
        bottom.set_ylabel(secondary_ylabel)
        bottom.grid(True, alpha=0.3)
        if len(secondary_keys) > 1 or secondary_reference_lines:
            bottom.legend(loc="best", fontsize="small")
    axes[-1].set_xlabel(x_key if xlabel is None else xlabel)
    if stage_key is not None:
        stages = [str(row.get(stage_key, "")) for row in rows]
        _draw_stages(axes, _stage_spans(xs, stages), names)
    return _save(figure, path, title, dpi)


def plot_frontier(
    frontier: Sequence[Mapping[str, object]],
    points: Mapping[str, Mapping[str, object]],
    path: str | os.PathLike,
    *,
    title: str | None = None,
    frontier_label: str = "MLE model, sampling temperature",
    detail: bool = False,
    dpi: int = 120,
) -> str:
    """Plots a quality-diversity frontier and trained models' points into a PNG file.

    NLL-gen (diversity lost) on x, NLL-oracle (quality) on y, both lower-is-better: a
    point below the frontier's line beats every sampling temperature of the model the
    frontier was measured on (`keras_seqgan.evaluation.temperature_frontier`). Each
    frontier point is labelled with its temperature. Written atomically, off-screen.

    Args:
        frontier: sequence of mappings with `"nll_gen"`, `"nll_oracle"` and optionally
            `"temperature"` (what `temperature_frontier` returns).
        points: mapping of label to a mapping with `"nll_gen"` and `"nll_oracle"` (e.g.
            `{"after adversarial": {...}}`), drawn as labelled markers.
        path: str or path-like. The PNG file to write; its folder must exist.
        title: str or `None`. The figure's title. Defaults to `None`.
        frontier_label: str. The frontier's legend entry. Defaults to
            `"MLE model, sampling temperature"`.
        detail: bool. Adds a second panel zoomed on the points and the stretch of the
            frontier around them, where a margin of a tenth of a nat, lost in the
            whole frontier's scale, shows. Defaults to `False`.
        dpi: int. Resolution of the PNG. Defaults to `120`.

    Returns:
        `path` as a str.

    Raises:
        ImportError: if matplotlib is not installed.
        ValueError: if `frontier` has fewer than 2 points or a point lacks a value, or
            `detail` is asked for without points.
    """
    rows = sorted(
        ({**row, "x": _value(row, "nll_gen"), "y": _value(row, "nll_oracle")} for row in frontier),
        key=lambda row: row["x"],
    )
    if len(rows) < 2:
        raise ValueError(f"`frontier` must have at least 2 points. Received {len(rows)}.")
    marks = {label: (_value(p, "nll_gen"), _value(p, "nll_oracle")) for label, p in points.items()}
    missing = [str(r) for r in rows if math.isnan(r["x"]) or math.isnan(r["y"])]
    missing += [label for label, (x, y) in marks.items() if math.isnan(x) or math.isnan(y)]
    if missing:
        raise ValueError(
            f"Every point needs numeric `nll_gen` and `nll_oracle`. Lacking: {missing[:5]}"
        )
    if detail and not marks:
        raise ValueError("`detail=True` zooms on the points: pass at least one in `points`.")
    figure = _figure("plot_frontier", (13, 5.5) if detail else (8, 5.5))
    axes = figure.subplots(1, 2 if detail else 1, squeeze=False)[0]
    for axis in axes:
        _draw_frontier(axis, rows, marks, frontier_label)
    if detail:
        xlim, ylim = _detail_limits(rows, marks)
        axes[1].set_xlim(*xlim)
        axes[1].set_ylim(*ylim)
        axes[1].set_title("zoomed on the points", fontsize="medium")
    return _save(figure, path, title, dpi)


def _draw_frontier(axis, rows, marks, frontier_label) -> None:
    axis.plot([r["x"] for r in rows], [r["y"] for r in rows], "o--", color="C0",
              label=frontier_label)  # fmt: skip
    for row in rows:
        temperature = _value(row, "temperature")
        if not math.isnan(temperature):
            axis.annotate(f"T={temperature:g}", (row["x"], row["y"]), fontsize="small",
                          xytext=(4, 4), textcoords="offset points", color="C0",
                          annotation_clip=True)  # fmt: skip
    for index, (label, (x, y)) in enumerate(marks.items()):
        axis.plot(x, y, "s", markersize=8, color=f"C{index + 1}", label=label)
    axis.set_xlabel("NLL-gen (diversity: lower is better)")
    axis.set_ylabel("NLL-oracle (quality: lower is better)")
    axis.grid(True, alpha=0.3)
    axis.legend(loc="best", fontsize="small")


def _detail_limits(rows, marks) -> tuple[tuple[float, float], tuple[float, float]]:
    """The zoomed panel's `(xlim, ylim)`: every mark, and the frontier's points within
    the marks' NLL-gen range widened on each side by that range (at least 0.03 nats).

    `rows`: the frontier's points with `"x"` (NLL-gen) and `"y"` (NLL-oracle); `marks`:
    label -> `(x, y)`.
    """
    xs = [x for x, _ in marks.values()]
    pad = max(max(xs) - min(xs), 0.03)
    low, high = min(xs) - pad, max(xs) + pad
    ys = [y for _, y in marks.values()]
    ys += [row["y"] for row in rows if low <= row["x"] <= high]
    # The frontier where it crosses the window's edges, so that its line spans the panel
    # (read as `frontier_margin` reads it: a point at y = 0 lies the curve's y below it).
    from keras_seqgan.evaluation import frontier_margin

    edges = (frontier_margin(rows, {"x": x, "y": 0.0}, x="x", y="y") for x in (low, high))
    ys += [y for y in edges if y is not None]
    margin = max((max(ys) - min(ys)) * 0.1, 0.02)
    return (low, high), (min(ys) - margin, max(ys) + margin)


def _score_label(key: str) -> str:
    """An axis label for a BLEU-family key, saying which way is better."""
    for prefix, name, better in (
        ("self_bleu_", "Self-BLEU", "diversity: lower is better"),
        ("bleu_", "BLEU", "quality: higher is better"),
        ("ms_jaccard_", "MS-Jaccard", "higher is better"),
    ):
        if key.startswith(prefix):
            return f"{name}-{key[len(prefix) :]} ({better})"
    return DEFAULT_LABELS.get(key, key)


def plot_quality_diversity(
    curves: Mapping[str, Sequence[Mapping[str, object]]],
    path: str | os.PathLike,
    *,
    pairs: Sequence[tuple[str, str]] = (("self_bleu_2", "bleu_2"),),
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    dpi: int = 120,
) -> str:
    """Plots models' temperature sweeps as quality-diversity curves into a PNG file.

    One panel per `(x, y)` pair of `pairs`, side by side; in each, one line per model
    through its points in temperature order, every point labelled with its sampling
    temperature (`T=0.8`). With the default pair, Self-BLEU-2 (lower: more diverse) on x
    and BLEU-2 (higher: better quality) on y: a model is better than another where its
    curve lies above and to the left of the other's. Written atomically, off-screen.

    Args:
        curves: mapping of model name to its rows (what
            `keras_seqgan.evaluation.temperature_sweep` returns), each row with
            `"temperature"` and the keys of `pairs`. A model with one row is drawn as a
            point.
        path: str or path-like. The PNG file to write; its folder must exist.
        pairs: sequence of `(x_key, y_key)`. One panel each. Defaults to
            `(("self_bleu_2", "bleu_2"),)`.
        title: str or `None`. The figure's title (say there how many lines were
            generated and against how many references). Defaults to `None`.
        labels: mapping of key to axis label, or `None`. Defaults to `None`: BLEU-family
            keys are named with the direction that is better, others by their key.
        dpi: int. Resolution of the PNG. Defaults to `120`.

    Returns:
        `path` as a str.

    Raises:
        ImportError: if matplotlib is not installed.
        ValueError: if `curves` or `pairs` is empty, or a row lacks a numeric value for a
            key of `pairs`.

    Example:

    ```python
    from keras_seqgan.plotting import plot_quality_diversity

    mle = [{"temperature": 0.8, "self_bleu_2": 0.85, "bleu_2": 0.80},
           {"temperature": 1.0, "self_bleu_2": 0.75, "bleu_2": 0.72}]
    gan = [{"temperature": 0.8, "self_bleu_2": 0.88, "bleu_2": 0.81},
           {"temperature": 1.0, "self_bleu_2": 0.80, "bleu_2": 0.76}]
    plot_quality_diversity({"mle": mle, "gan": gan}, "quality_diversity.png")
    ```
    """
    pairs = [tuple(pair) for pair in pairs]
    if not curves:
        raise ValueError("`curves` is empty: there is nothing to plot.")
    if not pairs or any(len(pair) != 2 for pair in pairs):
        raise ValueError(
            f"`pairs` must be a non-empty sequence of (x_key, y_key). Received: {pairs!r}"
        )
    keys = [key for pair in pairs for key in pair]
    lacking = [
        f"{name} at T={_value(row, 'temperature'):g}: {key}"
        for name, rows in curves.items()
        for row in rows
        for key in keys
        if math.isnan(_value(row, key))
    ]
    if lacking or any(not rows for rows in curves.values()):
        empty = [name for name, rows in curves.items() if not rows]
        raise ValueError(
            f"Every model needs rows, each with a number for {sorted(set(keys))}. "
            f"Lacking: {(lacking + [f'{name}: no rows' for name in empty])[:5]}"
        )
    names = labels or {}
    figure = _figure("plot_quality_diversity", (5.5 * len(pairs), 4.8))
    axes = figure.subplots(1, len(pairs), squeeze=False)[0]
    for axis, (x_key, y_key) in zip(axes, pairs, strict=True):
        for index, (name, rows) in enumerate(curves.items()):
            color = f"C{index % 10}"
            rows = sorted(rows, key=lambda row: _value(row, "temperature"))
            xs = [_value(row, x_key) for row in rows]
            ys = [_value(row, y_key) for row in rows]
            axis.plot(xs, ys, "o-", color=color, label=name, markersize=4)
            for row, x, y in zip(rows, xs, ys, strict=True):
                temperature = _value(row, "temperature")
                if not math.isnan(temperature):
                    axis.annotate(f"T={temperature:g}", (x, y), fontsize="x-small", color=color,
                                  xytext=(3, 3), textcoords="offset points")  # fmt: skip
        axis.set_xlabel(names.get(x_key) or _score_label(x_key))
        axis.set_ylabel(names.get(y_key) or _score_label(y_key))
        axis.grid(True, alpha=0.3)
    axes[0].legend(loc="best", fontsize="small")
    return _save(figure, path, title, dpi)
