"""The `keras-seqgan` command starts clean: `--help` without Keras or TensorFlow, no
TensorFlow start-up lines, one line per epoch when the output is not a terminal, help texts
with their real defaults, and a clear error for a model file of unknown classes."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import keras
import pytest

import keras_seqgan as ks
from keras_seqgan import cli
from keras_seqgan.cli import _arguments

pytestmark = pytest.mark.backend_independent(
    "the command line's start-up and argument parsing; the library it runs is tested on "
    "both backends"
)

COMMANDS = ("demo", "tune", "train", "generate", "evaluate")
HEAVY = {"keras", "tensorflow", "jax", "numpy"}


def run_command(arguments, env=None, **kwargs):
    """`python -m keras_seqgan.cli ARGUMENTS` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "keras_seqgan.cli", *arguments],
        capture_output=True, text=True, timeout=300, env=env, **kwargs,
    )  # fmt: skip


def imported_modules(stderr: str) -> set[str]:
    """Top-level names of the modules `-X importtime` lists."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            names.add(name.split(".")[0])
    return names


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_imports_neither_keras_nor_tensorflow(command):
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    result = run_command([command, "--help"] if command else ["--help"], env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage: keras-seqgan" in result.stdout
    modules = imported_modules(result.stderr)
    assert "keras_seqgan" in modules  # the measurement works
    assert not modules & HEAVY, sorted(modules & HEAVY)


def test_the_console_script_help_imports_neither_keras_nor_tensorflow():
    script = shutil.which("keras-seqgan", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the package is not installed with its console script")
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    result = subprocess.run(
        [script, "train", "--help"], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert not imported_modules(result.stderr) & HEAVY
    # An argument error is reported as fast: before any training code runs.
    result = subprocess.run(
        [script, "demo", "--num-rollouts", "0"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 2 and "--num-rollouts" in result.stderr
    assert not imported_modules(result.stderr) & HEAVY


@pytest.mark.parametrize(
    "argv, orig_argv, expected",
    [
        (
            ["/venv/bin/keras-seqgan", "--help"],
            ["/venv/bin/python", "/venv/bin/keras-seqgan"],
            True,
        ),
        ([r"C:\venv\Scripts\keras-seqgan.exe"], [], True),
        ([r"C:\venv\Scripts\keras-seqgan-script.py"], [], True),
        (["-m"], ["python", "-m", "keras_seqgan.cli", "--help"], True),
        (["-m"], ["python", "-X", "importtime", "-mkeras_seqgan.cli"], True),
        (["-m"], ["python", "-m", "pytest", "tests"], False),
        (["-c"], ["python", "-c", "import keras_seqgan"], False),
        (["train.py"], ["python", "train.py"], False),
        (["/venv/bin/keras-seqgan-extra"], [], False),
        ([], [], False),
    ],
)
def test_only_the_command_defers_loading_the_package(argv, orig_argv, expected):
    assert ks._started_as_the_command(argv, orig_argv) is expected


def test_import_loads_and_registers_everything():
    for name in ks.__all__:
        assert name in vars(ks), name
    assert keras.saving.get_registered_object("keras_seqgan>SeqGAN") is ks.SeqGAN
    assert keras.saving.get_registered_object("keras_seqgan>Generator") is ks.models.Generator
    assert set(ks.__all__) <= set(dir(ks))
    with pytest.raises(AttributeError, match="no attribute 'Seqgan'"):
        ks.Seqgan  # noqa: B018
    assert ks.__getattr__("SeqGAN") is ks.SeqGAN  # what a first use calls in the command


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_one_line_per_epoch_unless_the_output_is_a_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert _arguments.progress_verbosity(quiet=False) == 2
    assert _arguments.progress_verbosity(quiet=True) == 0
    monkeypatch.setattr(sys, "stdout", _Terminal())
    assert _arguments.progress_verbosity(quiet=False) == 1
    assert _arguments.progress_verbosity(quiet=True) == 0


@pytest.mark.parametrize("command", COMMANDS)
def test_help_says_what_each_option_does_and_its_real_default(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0
    printed = " ".join(capsys.readouterr().out.split())
    for misleading in ("(default: None)", "(default: [])", "(default: True)", "(default: False)"):
        assert misleading not in printed
    parser = cli.build_parser()._subparsers._group_actions[0].choices[command]
    for action in parser._actions:
        assert action.help, f"{command} {action.option_strings or action.dest} has no help"
    if command in ("demo", "train"):
        (annealing,) = [a for a in parser._actions if "--no-annealing" in a.option_strings]
        assert "default: annealing on" in annealing.help


@pytest.mark.parametrize("command", ["train", "generate", "evaluate"])
def test_the_formatter_shows_every_meaningful_default(command, capsys):
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    printed = " ".join(capsys.readouterr().out.split())
    parser = cli.build_parser()._subparsers._group_actions[0].choices[command]
    for action in parser._actions:
        if action.option_strings and action.nargs != 0 and action.default not in (None, []):
            shown = f"(default: {action.default})" in printed or "default" in action.help
            assert shown, f"{command} {action.option_strings}: its default is not shown"


def test_start_up_notices_are_dropped_and_everything_else_kept(capfd):
    with cli._without_lines(cli.START_UP_NOTICES):
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are ")
        os.write(2, b"written to STDERR\nI0000 port.cc:153] oneDNN custom operations are on. ")
        os.write(2, b"You may see...\nan error the user must see\n")
        print("a Python warning", file=sys.stderr)
    # (Under pytest, `sys.stderr` is not file descriptor 2, so the order may differ.)
    lines = capfd.readouterr().err.splitlines()
    assert sorted(lines) == ["a Python warning", "an error the user must see"]


def test_a_model_of_unknown_classes_is_reported_in_one_line(tmp_path, capsys):
    class Unregistered(keras.layers.Layer):  # a class Keras cannot find when loading
        def call(self, inputs):
            return inputs

    path = tmp_path / "foreign.keras"
    keras.Sequential([keras.Input((3,)), Unregistered()]).save(path)
    assert cli.main(["generate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err
    assert "'Unregistered'" in err and "expected a SeqGAN or a Generator" in err
    assert cli.main(["evaluate", str(path), "--data", str(path)]) == 2
    assert "'Unregistered'" in capsys.readouterr().err


def test_the_command_loads_the_package_late_registers_it_and_starts_clean(tmp_path):
    """In the command's process the package loads when the command runs, before the model
    file is read (so Keras knows the classes), and TensorFlow's start-up lines stay hidden
    unless the user set TF_CPP_MIN_LOG_LEVEL. One process: TensorFlow's import is slow."""
    texts = ["to be or not to be .", "the rest is silence ."] * 4
    tokenizer = ks.data.Tokenizer(6, max_tokens=20).adapt(texts)
    generator = ks.models.Generator(
        vocabulary_size=tokenizer.vocabulary_size,
        sequence_length=6,
        embedding_dim=4,
        hidden_dim=4,
        tokenizer=tokenizer,
        seed=1,
    )
    expected = generator.generate_text(3, seed=5)
    path = tmp_path / "generator.keras"
    ks.saving.save_model(generator, path)
    code = (
        "import sys\n"
        f"sys.argv = ['keras-seqgan', 'generate', {str(path)!r}, '-n', '3', '--seed', '5']\n"
        "import keras_seqgan as ks\n"  # as the console script does
        "assert 'keras' not in sys.modules and 'SeqGAN' not in vars(ks), sorted(vars(ks))\n"
        "assert set(ks.__all__) <= set(dir(ks)), dir(ks)\n"
        "from keras_seqgan.cli import main\n"
        "status = main()\n"
        "import keras\n"
        "assert keras.saving.get_registered_object('keras_seqgan>SeqGAN') is ks.SeqGAN\n"
        "assert all(name in vars(ks) for name in ks.__all__)\n"
        "sys.exit(status)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == expected
    for notice in (*cli.START_UP_NOTICES, "cpu_feature_guard"):
        assert notice not in result.stderr
