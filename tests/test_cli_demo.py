import contextlib
import csv
import inspect
import io
import os
import sys

import pytest

import keras_seqgan as ks
from keras_seqgan import cli
from keras_seqgan.cli import demo
from keras_seqgan.saving import load_model

pytestmark = pytest.mark.backend_independent(
    "the command line orchestrates the library; the step, saving and data it runs "
    "are tested on both backends"
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """One tiny demo run (annealing on, the default), shared by the tests below."""
    pytest.importorskip("matplotlib")
    output = tmp_path_factory.mktemp("demo")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = cli.main(["demo", "--preset", "tiny", "--output", str(output), "--quiet"])
    assert code == 0
    return output, printed.getvalue()


def read_history(output):
    with open(output / "history.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def read_table(output):
    """The stage table: results.txt's lines up to the first blank one."""
    table = (output / "results.txt").read_text().split("\n\n")[0]
    return {line[:26].strip(): line[26:].split() for line in table.splitlines()[1:]}


def tiny_config(**changes):
    return demo.DemoConfig(**demo.PRESETS["tiny"], preset="tiny", **changes)


def test_demo_tiny_runs_end_to_end(demo_run):
    output, printed = demo_run
    for name in ("seqgan.keras", "log.csv", "results.txt", "history.csv", "curves.png",
                 "frontier.png"):  # fmt: skip
        assert (output / name).is_file(), name
    assert not [n for n in os.listdir(output) if n.startswith(".")]  # no temporary files left
    assert "after MLE" in printed and "after adversarial" in printed
    rows = read_table(output)
    assert list(rows) == [
        "untrained",
        "after MLE",
        "after D pre-training",
        "after adversarial",
        "oracle (its entropy)",
    ]
    untrained, after_mle = float(rows["untrained"][0]), float(rows["after MLE"][0])
    assert after_mle < untrained  # MLE pre-training moved the generator toward the oracle
    assert rows["after D pre-training"][:2] == ["-", "-"]
    assert 0.0 <= float(rows["after D pre-training"][2]) <= 1.0
    assert 0.0 <= float(rows["after adversarial"][2]) <= 1.0
    header = (output / "log.csv").read_text().splitlines()[0]
    for key in ("d_loss", "g_loss", "reward_mean", "temperature"):
        assert key in header
    wrote = [line for line in printed.splitlines() if "Wrote" in line]
    assert len(wrote) == 1 and "curves.png" in wrote[0] and "history.csv" in wrote[0]
    assert "frontier.png" in wrote[0]
    assert str(output) in wrote[0]


@pytest.mark.parametrize("name", ["curves.png", "frontier.png"])
def test_demo_writes_a_readable_png(demo_run, name):
    output, _ = demo_run
    with open(output / name, "rb") as handle:
        assert handle.read(8) == PNG_MAGIC
    import matplotlib.image

    image = matplotlib.image.imread(output / name)
    assert image.shape[0] >= 400 and image.shape[1] >= 600
    assert image.std() > 0.05


def test_demo_compares_with_the_mle_models_temperature_frontier(demo_run):
    """The MLE model at each of FRONTIER_TEMPERATURES, scored as the table's rows are
    (its T=1 point is the "after MLE" row), and the adversarial model's margin to it."""
    output, printed = demo_run
    text = (output / "results.txt").read_text()
    lines = text.split("\n\n")[1].splitlines()
    assert lines[0].startswith("The MLE model sampled at other temperatures")
    frontier = [
        {"temperature": float(t), "nll_oracle": float(q), "nll_gen": float(d)}
        for t, q, d in (line.split() for line in lines[2:-1])
    ]
    assert [p["temperature"] for p in frontier] == list(demo.FRONTIER_TEMPERATURES)
    table = read_table(output)
    at_one = frontier[demo.FRONTIER_TEMPERATURES.index(1.0)]
    assert [at_one["nll_oracle"], at_one["nll_gen"]] == [float(v) for v in table["after MLE"][:2]]
    colder, hotter = frontier[0], frontier[-1]
    assert colder["nll_oracle"] < hotter["nll_oracle"]  # sharper samples: higher quality...
    assert colder["nll_gen"] > hotter["nll_gen"]  # ...and less diversity
    point = {"nll_oracle": float(table["after adversarial"][0]),
             "nll_gen": float(table["after adversarial"][1])}  # fmt: skip
    margin = ks.evaluation.frontier_margin(frontier, point)
    verdict = lines[-1]
    assert verdict.startswith("after adversarial: ") and verdict in printed
    if margin is None:
        assert "outside the MLE model's frontier" in verdict
    else:  # from the table's 3 decimals, times the frontier's slope (~10 at tiny sizes)
        stated = float(verdict.split(": ")[1].split()[0])
        assert stated == pytest.approx(abs(margin), abs=0.02)
        assert ("below" in verdict) == (margin > 0)


def test_demo_history_covers_both_stages_and_anneals(demo_run):
    output, _ = demo_run
    rows = read_history(output)
    tiny = demo.PRESETS["tiny"]
    mle = [row for row in rows if row["stage"] == "mle"]
    adversarial = [row for row in rows if row["stage"] == "adversarial"]
    assert len(rows) == len(mle) + len(adversarial)
    assert [int(row["epoch"]) for row in rows] == list(range(len(rows)))
    assert len(mle) == tiny["mle_epochs"] + 1  # epoch 0 is the untrained generator
    assert len(adversarial) == tiny["adversarial_epochs"]
    for row in rows:
        assert float(row["nll_oracle"]) > 0 and float(row["nll_gen"]) > 0, row
    assert float(mle[-1]["nll_oracle"]) < float(mle[0]["nll_oracle"])
    assert all(row["temperature"] == "" for row in mle)  # MLE does not sample
    temperatures = [float(row["temperature"]) for row in adversarial]
    assert temperatures[0] == pytest.approx(demo.TEMPERATURE_START)
    assert all(b < a for a, b in zip(temperatures, temperatures[1:], strict=False))
    for key in ("d_loss", "d_acc", "g_loss"):
        assert all(row[key] != "" for row in adversarial), key
    assert all(row["loss"] != "" for row in mle[1:])
    # The table's rows are the last epoch of each stage, from the same evaluation.
    table = read_table(output)
    for stage, row in (("after MLE", mle[-1]), ("after adversarial", adversarial[-1])):
        assert float(table[stage][0]) == pytest.approx(float(row["nll_oracle"]), abs=1e-3)
        assert float(table[stage][1]) == pytest.approx(float(row["nll_gen"]), abs=1e-3)


def test_demo_nll_is_measured_at_temperature_one(demo_run):
    output, _ = demo_run
    gan = load_model(str(output / "seqgan.keras"))
    training_temperature = float(gan.temperature.numpy())
    assert training_temperature != pytest.approx(1.0)  # the annealed value stays in the model
    recorded = read_history(output)[-1]
    config = tiny_config()
    oracle, _, held_out = demo.oracle_data(config)
    demo_scorer = demo.nll_scorer(oracle, held_out, config)

    def scored(temperature):
        scorer = ks.callbacks.OracleNLL(
            oracle,
            num_samples=config.num_eval,
            temperature=temperature,
            held_out=held_out,
            seed=demo_scorer.seed,
        )
        return scorer.evaluate(gan.generator)

    at_one, at_training = scored(1.0), scored(training_temperature)
    for key in ("nll_oracle", "nll_gen"):
        assert float(recorded[key]) == pytest.approx(at_one[key], abs=1e-4), key
        assert abs(float(recorded[key]) - at_training[key]) > 1e-2, key


@pytest.mark.slow  # a second whole demo run; CI runs it with -m slow
def test_demo_without_matplotlib_or_annealing(tmp_path, monkeypatch, capsys):
    for name in [name for name in sys.modules if name.split(".")[0] == "matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    output = tmp_path / "demo"
    argv = ["demo", "--preset", "tiny", "--output", str(output), "--quiet", "--no-annealing"]
    argv += ["--mle-epochs", "1", "--adversarial-epochs", "2", "--adversarial-steps", "1"]
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert printed.count(demo.NO_MATPLOTLIB) == 1
    assert "keras-seqgan[plot]" in demo.NO_MATPLOTLIB
    assert not (output / "curves.png").exists() and not (output / "frontier.png").exists()
    assert "curves.png" not in [line for line in printed.splitlines() if "Wrote" in line][0]
    assert "The MLE model sampled at other temperatures" in (output / "results.txt").read_text()
    rows = read_history(output)
    assert [row["stage"] for row in rows] == ["mle", "mle", "adversarial", "adversarial"]
    assert [float(row["temperature"]) for row in rows[2:]] == [1.0, 1.0]


def test_demo_annealing_defaults_are_the_callbacks():
    parameters = inspect.signature(ks.callbacks.TemperatureAnnealing).parameters
    assert parameters["start"].default == demo.TEMPERATURE_START
    assert parameters["end"].default == demo.TEMPERATURE_END
    assert parameters["decay"].default == demo.TEMPERATURE_DECAY
    config = tiny_config()
    assert (config.temperature_start, config.temperature_end, config.temperature_decay) == (
        demo.TEMPERATURE_START,
        demo.TEMPERATURE_END,
        demo.TEMPERATURE_DECAY,
    )
    assert config.annealing


def test_demo_dtype_policy_reaches_the_networks_and_nothing_else():
    import keras

    assert cli.build_parser().parse_args(["demo"]).dtype_policy is None
    args = cli.build_parser().parse_args(["demo", "--dtype-policy", "mixed_bfloat16"])
    assert args.dtype_policy == "mixed_bfloat16"
    generator, discriminator = demo.demo_models(tiny_config(dtype_policy=args.dtype_policy))
    assert generator.dtype_policy.name == discriminator.dtype_policy.name == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == "float32"  # the global policy is left alone
    default, _ = demo.demo_models(tiny_config())
    assert default.dtype_policy.name == "float32"
    argv = ["demo", "--discriminator-dtype-policy", "mixed_bfloat16"]
    args = cli.build_parser().parse_args(argv)
    config = tiny_config(discriminator_dtype_policy=args.discriminator_dtype_policy)
    generator, discriminator = demo.demo_models(config)
    assert (generator.dtype_policy.name, discriminator.dtype_policy.name) == (
        "float32",
        "mixed_bfloat16",
    )


def test_demo_help_documents_every_option_with_its_default(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", "--help"])
    assert exit_info.value.code == 0
    printed = " ".join(capsys.readouterr().out.split())
    for option in ("--preset", "--no-annealing", "--temperature-start", "--temperature-decay"):
        assert option in printed
    assert f"(default: {demo.TEMPERATURE_START})" in printed
    assert "(default: the preset's; small: 20, tiny: 8)" in printed  # --sequence-length
    subcommands = cli.build_parser()._subparsers._group_actions[0]
    for action in subcommands.choices["demo"]._actions:
        if action.dest != "help":
            assert "default" in (action.help or ""), action.option_strings


def test_demo_d_rounds_reaches_the_discriminator_pretraining(monkeypatch):
    configs = []
    monkeypatch.setattr(demo, "run_demo", lambda config: configs.append(config) or {})
    cli.main(["demo", "--quiet"])
    cli.main(["demo", "--quiet", "--preset", "tiny", "--d-rounds", "7"])
    assert [config.d_rounds for config in configs] == [demo.PRESETS["small"]["d_rounds"], 7]


@pytest.mark.parametrize(
    "argv",
    [
        ["--num-rollouts", "0"],
        ["--d-rounds", "0"],
        ["--temperature-decay", "1.5"],
        ["--temperature-start", "0"],
        ["--temperature-start", "0.5", "--temperature-end", "2"],
    ],
)
def test_demo_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", *argv])
    assert exit_info.value.code == 2
    assert argv[0] in capsys.readouterr().err
