import os
import sys

import pytest

from keras_seqgan.plotting import plot_frontier, plot_training_curves

pytestmark = pytest.mark.backend_independent("matplotlib drawing from plain numbers")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def history_rows(temperature=True):
    rows = [{"stage": "mle", "epoch": 0, "nll_oracle": 6.0, "nll_gen": 3.9}]
    rows += [
        {"stage": "mle", "epoch": epoch, "nll_oracle": 6.0 - epoch / 2, "nll_gen": 3.9 - epoch / 4}
        for epoch in (1, 2, 3)
    ]
    rows += [
        {
            "stage": "adversarial",
            "epoch": epoch,
            "nll_oracle": 4.4 - epoch / 20,
            "nll_gen": 3.1,
            "temperature": 2.0 * 0.95 ** (epoch - 4) if temperature else "",
        }
        for epoch in (4, 5, 6)
    ]
    return rows


def read_png(path):
    matplotlib_image = pytest.importorskip("matplotlib.image")
    with open(path, "rb") as handle:
        assert handle.read(8) == PNG_MAGIC
    return matplotlib_image.imread(path)


def block_matplotlib(monkeypatch):
    for name in [name for name in sys.modules if name.split(".")[0] == "matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_plot_writes_a_png_with_two_panels_when_a_secondary_key_has_values(tmp_path):
    pytest.importorskip("matplotlib")
    both = plot_training_curves(
        history_rows(),
        tmp_path / "both.png",
        title="tiny",
        reference_lines={"oracle entropy": 2.2},
        secondary_reference_lines={"evaluation temperature": 1.0},
    )
    assert both == str(tmp_path / "both.png")
    one = plot_training_curves(history_rows(temperature=False), tmp_path / "one.png")
    image_both, image_one = read_png(both), read_png(one)
    assert image_both.shape[0] >= 400 and image_both.shape[1] >= 600
    assert image_both.shape[1] == image_one.shape[1]
    assert image_both.shape[0] > image_one.shape[0]  # the temperature panel adds height
    assert image_both.std() > 0.05  # something is drawn, not a blank canvas
    assert sorted(os.listdir(tmp_path)) == ["both.png", "one.png"]  # no temporary files


def test_plot_accepts_rows_read_back_from_csv(tmp_path):
    pytest.importorskip("matplotlib")
    rows = [{key: str(value) for key, value in row.items()} for row in history_rows()]
    rows[2]["nll_gen"] = "not a number"  # skipped, not an error
    read_png(plot_training_curves(rows, tmp_path / "curves.png", stage_key=None))


def test_plot_bad_input(tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(ValueError, match="empty"):
        plot_training_curves([], tmp_path / "curves.png")
    with pytest.raises(ValueError, match="numeric `epoch`"):
        plot_training_curves([{"stage": "mle", "nll_oracle": 1.0}], tmp_path / "curves.png")
    with pytest.raises(ValueError, match="No row has a value"):
        plot_training_curves([{"epoch": 1, "loss": 1.0}], tmp_path / "curves.png")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        plot_training_curves(history_rows(), tmp_path / "missing" / "curves.png")
    assert os.listdir(tmp_path) == []


def test_plot_without_matplotlib_names_the_extra(tmp_path, monkeypatch):
    block_matplotlib(monkeypatch)
    with pytest.raises(ImportError, match=r"keras-seqgan\[plot\]") as error_info:
        plot_training_curves(history_rows(), tmp_path / "curves.png")
    assert error_info.value.name == "matplotlib"
    assert os.listdir(tmp_path) == []


FRONTIER = [
    {"temperature": 0.8, "nll_oracle": 5.3, "nll_gen": 5.2},
    {"temperature": 1.0, "nll_oracle": 6.1, "nll_gen": 5.0},
    {"temperature": 0.9, "nll_oracle": 5.7, "nll_gen": 5.1},
]


def test_plot_frontier_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = plot_frontier(FRONTIER, {"after adversarial": {"nll_oracle": 5.6, "nll_gen": 5.05}},
                         tmp_path / "frontier.png", title="demo")  # fmt: skip
    assert path == str(tmp_path / "frontier.png")
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.listdir(tmp_path) == ["frontier.png"]


def test_plot_frontier_bad_input(tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(ValueError, match="at least 2"):
        plot_frontier(FRONTIER[:1], {}, tmp_path / "f.png")
    with pytest.raises(ValueError, match="after adversarial"):
        plot_frontier(FRONTIER, {"after adversarial": {"nll_oracle": 5.6}}, tmp_path / "f.png")
    assert os.listdir(tmp_path) == []


def test_plot_frontier_without_matplotlib_names_the_extra(tmp_path, monkeypatch):
    block_matplotlib(monkeypatch)
    with pytest.raises(ImportError, match=r"plot_frontier.*keras-seqgan\[plot\]"):
        plot_frontier(FRONTIER, {}, tmp_path / "frontier.png")


def test_plot_frontier_detail_zooms_on_the_points(tmp_path):
    pytest.importorskip("matplotlib")
    from keras_seqgan import plotting

    point = {"nll_oracle": 5.6, "nll_gen": 5.05}
    path = plot_frontier(FRONTIER, {"after adversarial": point}, tmp_path / "f.png", detail=True)
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    rows = [{"x": r["nll_gen"], "y": r["nll_oracle"]} for r in FRONTIER]
    rows.sort(key=lambda row: row["x"])
    (x_low, x_high), (y_low, y_high) = plotting._detail_limits(rows, {"a": (5.05, 5.6)})
    # One point: NLL-gen 5.05 +- 0.03; the frontier there (5.9 at 5.05, 6.02 at 5.02,
    # 5.78 at 5.08) and the point itself, with a margin of 0.1 of the span or 0.02.
    assert (x_low, x_high) == pytest.approx((5.02, 5.08))
    assert y_low == pytest.approx(5.6 - 0.042) and y_high == pytest.approx(6.02 + 0.042)
    with pytest.raises(ValueError, match="detail"):
        plot_frontier(FRONTIER, {}, tmp_path / "g.png", detail=True)
