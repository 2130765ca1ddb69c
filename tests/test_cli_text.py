"""`keras-seqgan train`, `generate` and `evaluate` end to end on a tiny CSV corpus."""

import contextlib
import csv
import json
import zipfile

import numpy as np
import pytest

from keras_seqgan import cli

pytestmark = pytest.mark.backend_independent(
    "the command line orchestrates the library; the step, saving and data it runs "
    "are tested on both backends"
)

TINY = [
    "--sequence-length", "8", "--max-tokens", "40", "--embedding-dim", "8", "--hidden-dim", "8",
    "--condition-embedding-dim", "4", "--mle-epochs", "2", "--d-rounds", "1", "--d-epochs", "1",
    "--adversarial-epochs", "1", "--adversarial-steps", "2", "--num-rollouts", "2",
    "--batch-size", "16", "--num-eval", "20", "--seed", "3", "--quiet",
]  # fmt: skip


ALICE_SCENE_1 = ["--condition", "character=ALICE", "--condition", "scene=scene 1"]
WORDS = {"ALICE": ["tea", "cake", "queen", "rabbit", "hat"],
         "BOB": ["ship", "sea", "storm", "sail", "rope"]}  # fmt: skip


def write_corpus(path, rows=160):
    """Two speakers with disjoint vocabularies, in three scenes."""
    rng = np.random.default_rng(0)
    words = WORDS
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["scene", "character", "text"])
        for index in range(rows):
            speaker = "ALICE" if index % 2 else "BOB"
            line = " ".join(rng.choice(words[speaker], size=rng.integers(3, 7)))
            writer.writerow([f"scene {index % 3}", speaker, line.capitalize() + "."])
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("train")
    data = write_corpus(folder / "corpus.csv")
    output = folder / "out"
    argv = ["train", "--data", str(data), "--condition", "character", "--condition", "scene",
            "--mismatched-conditions", "0.5", "--output", str(output), *TINY]  # fmt: skip
    # Enough MLE to learn who speaks which words (2 epochs do not: see below); ~2 s more.
    argv[argv.index("--mle-epochs") + 1] = "15"
    code = cli.main(argv)
    assert code == 0
    return data, output


def test_train_writes_every_output(trained):
    _, output = trained
    for name in ("seqgan.keras", "generator_mle.keras", "log.csv", "samples.txt", "results.json"):
        assert (output / name).stat().st_size > 0, name
    record = json.loads((output / "results.json").read_text())
    assert record["conditions"] == {"character": 2, "scene": 3}
    config = json.loads(zipfile.ZipFile(output / "seqgan.keras").read("config.json"))
    assert config["compile_config"]["mismatched_conditions"] == 0.5
    for stage in ("untrained", "mle", "adversarial"):
        scores = record["scores"][stage]
        assert set(scores) >= {"nll_validation", "bleu_2", "bleu_4", "self_bleu_2"}
        assert all(np.isfinite(v) for v in scores.values())
    # MLE on this easy corpus must lower the held-out NLL.
    assert (
        record["scores"]["mle"]["nll_validation"] < record["scores"]["untrained"]["nll_validation"]
    )
    samples = (output / "samples.txt").read_text().splitlines()
    assert samples and all(line.startswith("[character=") for line in samples)


def own_word_fraction(lines, speaker):
    """The fraction of the corpus words in `lines` that are `speaker`'s."""
    words = [word.strip(".,!?").lower() for line in lines for word in line.split()]
    known = [word for word in words if word in WORDS["ALICE"] + WORDS["BOB"]]
    assert len(known) >= 40, lines  # 20 lines of 3-6 words, next to no punctuation alone
    return sum(word in WORDS[speaker] for word in known) / len(known)


def test_generate_follows_the_condition(trained, capsys):
    # Content, not type: ALICE and BOB never share a word in the corpus, so each one's
    # generated lines must hold (almost) only their own words. This model scores 0.98 or
    # more for both; one that has not learned the condition fails clearly (after the
    # default 2 MLE epochs: 0.51 for ALICE, 0.54 for BOB, about the same for either).
    _, output = trained
    model = str(output / "seqgan.keras")
    capsys.readouterr()
    for speaker in ("ALICE", "BOB"):
        condition = ["--condition", f"character={speaker}", "--condition", "scene=scene 1"]
        assert cli.main(["generate", model, "-n", "20", "--seed", "1", *condition]) == 0
        lines = capsys.readouterr().out.strip().splitlines()
        assert len(lines) == 20 and all(isinstance(line, str) for line in lines)
        assert "<pad>" not in " ".join(lines) and "<eos>" not in " ".join(lines)
        assert own_word_fraction(lines, speaker) >= 0.9, (speaker, lines)
    # Same seed, same lines.
    assert cli.main(["generate", model, "-n", "4", "--seed", "1", *ALICE_SCENE_1]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert cli.main(["generate", model, "-n", "4", "--seed", "1", *ALICE_SCENE_1]) == 0
    assert capsys.readouterr().out.strip().splitlines() == lines


def test_evaluate_reports_every_figure(trained, tmp_path, capsys):
    data, output = trained
    result = tmp_path / "scores.json"
    code = cli.main(
        ["evaluate", str(output / "seqgan.keras"), "--data", str(data), "--num-samples", "30",
         "--classifier-epochs", "2", "--output", str(result)]
    )  # fmt: skip
    assert code == 0
    record = json.loads(result.read_text())
    scores = record["scores"]
    for key in ("nll", "bleu_2", "self_bleu_2", "ms_jaccard_2", "condition_accuracy_character",
                "condition_accuracy_character_real", "condition_chance_scene"):  # fmt: skip
        assert key in scores and np.isfinite(scores[key]), key
    assert scores["temperature"] == 1.0
    # What BLEU depends on besides the model is stated in the file and on the screen.
    assert record["settings"]["num_references"] == 160
    assert record["settings"]["num_generated"] == 30
    assert record["settings"]["casing"] == "lowercased"
    out = capsys.readouterr().out
    assert "condition_accuracy_character" in out and "ms_jaccard_2" in out
    assert "30 generated lines against 160 reference lines; lowercased" in out
    assert "sampled at temperature 1" in out


def test_evaluate_sweeps_temperatures_and_compares_models(trained, tmp_path, capsys):
    data, output = trained
    folder = tmp_path / "sweep"
    code = cli.main(
        ["evaluate", str(output / "seqgan.keras"), "--compare", str(output / "generator_mle.keras"),
         "--data", str(data), "--temperatures", "1.2,0.8", "--num-samples", "12",
         "--classifier-epochs", "1", "--output", str(folder)]
    )  # fmt: skip
    assert code == 0
    record = json.loads((folder / "evaluate.json").read_text())
    assert record["temperatures"] == [0.8, 1.2] and "scores" not in record
    rows = record["rows"]
    assert [(row["model"], row["temperature"]) for row in rows] == [
        ("seqgan", 0.8), ("seqgan", 1.2), ("generator_mle", 0.8), ("generator_mle", 1.2)
    ]  # fmt: skip
    for row in rows:
        for key in ("bleu_2", "bleu_4", "self_bleu_2", "ms_jaccard_2", "ms_jaccard_4",
                    "condition_accuracy_character", "nll"):  # fmt: skip
            assert np.isfinite(row[key]), (row, key)
    # The compared model is placed against the first model's curve; the first is not.
    assert all("bleu_2_margin" in row for row in rows[2:])
    assert not any("bleu_2_margin" in row for row in rows[:2])
    assert set(record["models"]) == {"seqgan", "generator_mle"}
    with open(folder / "evaluate.csv", newline="", encoding="utf-8") as file:
        table = list(csv.DictReader(file))
    assert len(table) == 4
    assert {row["num_references"] for row in table} == {"160"}
    assert {row["casing"] for row in table} == {"lowercased"}
    assert all(row["temperature"] and row["tokenization"] for row in table)
    assert (folder / "quality_diversity.png").read_bytes()[:4] == b"\x89PNG"
    out = capsys.readouterr().out
    for line in ("[seqgan T=0.8]", "[seqgan T=1.2]", "[generator_mle T=0.8]", "bleu_2_margin"):
        assert line in out, line


def test_evaluate_with_lm_scores_adds_their_columns(trained, tmp_path, capsys):
    data, output = trained
    folder = tmp_path / "lm"
    code = cli.main(
        ["evaluate", str(output / "generator_mle.keras"), "--data", str(data),
         "--temperatures", "0.8,1.2", "--num-samples", "12", "--classifier-epochs", "1",
         "--lm-score", "--lm-epochs", "2", "--lm-hidden-dim", "8", "--output", str(folder)]
    )  # fmt: skip
    assert code == 0
    record = json.loads((folder / "evaluate.json").read_text())
    for row in record["rows"]:
        for key in ("lm_score", "reverse_lm_score", "frechet", "lm_score_real",
                    "reverse_lm_score_real", "frechet_real"):  # fmt: skip
            assert np.isfinite(row[key]) and row[key] >= 0, (row, key)
    # The language model's settings are recorded beside the scores.
    settings = record["models"]["generator_mle"]["language_model"]
    assert settings["epochs"] == 2 and settings["hidden_dim"] == 8 and settings["seed"] == 66
    assert settings["num_held_out_rows"] == 16 and settings["reference_rows"] == 12
    assert "not comparable" in settings["frechet_features"]
    assert (folder / "quality_diversity.png").read_bytes()[:4] == b"\x89PNG"
    out = capsys.readouterr().out
    assert "[language model] epoch 2/2" in out and "reverse_lm_score" in out


def test_evaluate_output_to_a_csv_file_is_the_table_alone(trained, tmp_path):
    data, output = trained
    code = cli.main(
        ["evaluate", str(output / "generator_mle.keras"), "--data", str(data),
         "--temperatures", "0.9,1", "--num-samples", "10", "--classifier-epochs", "1",
         "--output", str(tmp_path / "rows.csv")]
    )  # fmt: skip
    assert code == 0
    with open(tmp_path / "rows.csv", newline="", encoding="utf-8") as file:
        assert [row["temperature"] for row in csv.DictReader(file)] == ["0.9", "1.0"]


@pytest.mark.parametrize("bad", ["0,-1", "", "0.8,abc", "nan"])
def test_evaluate_refuses_bad_temperatures(trained, capsys, bad):
    data, output = trained
    with pytest.raises(SystemExit):
        cli.main(["evaluate", str(output / "seqgan.keras"), "--data", str(data),
                  "--temperatures", bad])  # fmt: skip
    err = capsys.readouterr().err
    assert "--temperatures" in err and "numbers > 0" in err


def test_evaluate_takes_one_temperature_or_a_sweep(trained, capsys):
    data, output = trained
    with pytest.raises(SystemExit):
        cli.main(["evaluate", str(output / "seqgan.keras"), "--data", str(data),
                  "--temperature", "0.9", "--temperatures", "0.8,1.0"])  # fmt: skip
    assert "not allowed with" in capsys.readouterr().err


def test_bad_input_is_reported_without_traceback(trained, tmp_path, capsys):
    data, output = trained
    model = str(output / "seqgan.keras")
    assert cli.main(["generate", model, "--condition", "character=HAMLET",
                     "--condition", "scene=scene 1"]) == 2  # fmt: skip
    assert "HAMLET" in capsys.readouterr().err
    assert cli.main(["generate", model, "--condition", "character=ALICE"]) == 2
    assert "scene" in capsys.readouterr().err
    code = cli.main(["train", "--data", str(data), "--condition", "speaker",
                     "--output", str(tmp_path / "x"), *TINY])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "speaker" in err and "corpus.csv" in err
    text = tmp_path / "lines.txt"
    text.write_bytes(b"good line\n\xff\xfe bad line\n")
    assert cli.main(["train", "--data", str(text), "--output", str(tmp_path / "y"), *TINY]) == 2
    err = capsys.readouterr().err
    assert "lines.txt" in err and "line 2" in err
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", str(data), "--keep-top", "character=0"])
    capsys.readouterr()
    for bad in (["--mismatched-conditions", "0.5"],  # without --condition
                ["--condition", "character", "--mismatched-conditions", "1"]):  # fmt: skip
        with pytest.raises(SystemExit):
            cli.main(["train", "--data", str(data), *bad])
        assert "--mismatched-conditions" in capsys.readouterr().err


@pytest.mark.slow  # ~15s; the default suite stays under 10 minutes on 2 cores
def test_train_on_a_plain_text_file(tmp_path, capsys):
    rng = np.random.default_rng(1)
    words = ["a", "dog", "on", "the", "bed", "cat", "sits", "red", "zebra-crossing"]
    lines = [" ".join(rng.choice(words, size=rng.integers(3, 8))) for _ in range(120)]
    data = tmp_path / "captions.txt"
    data.write_text("\n".join(lines), encoding="utf-8")
    output = tmp_path / "out"
    argv = ["train", "--data", str(data), "--output", str(output), *TINY]
    argv[argv.index("--adversarial-steps") + 1] = "1"
    assert cli.main(argv) == 0
    samples = (output / "samples.txt").read_text().splitlines()
    assert len(samples) == 10 and not any("<eos>" in line for line in samples)
    record = json.loads((output / "results.json").read_text())
    assert record["conditions"] == {} and record["scores"]["adversarial"]["bleu_2"] >= 0
    capsys.readouterr()
    assert cli.main(["generate", str(output / "seqgan.keras"), "-n", "3", "--seed", "2"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 3
    # Conditions for an unconditional model are refused, naming the problem.
    code = cli.main(["generate", str(output / "seqgan.keras"), "--condition", "character=X"])
    assert code == 2 and "unconditional" in capsys.readouterr().err


class Crash(Exception):
    pass


@contextlib.contextmanager
def monkeypatch_context():
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield monkeypatch


def crash_at(monkeypatch, owner, method, when):
    """Makes `owner.method` raise `Crash` (after running) on the call `when` says."""
    original = getattr(owner, method)
    calls = []

    def patched(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        calls.append(args)
        if when(len(calls), *args):
            raise Crash(f"{owner.__name__}.{method} call {len(calls)}")
        return result

    monkeypatch.setattr(owner, method, patched)


@pytest.mark.slow  # ~44s; the default suite stays under 10 minutes on 2 cores
def test_train_killed_in_each_stage_then_run_again_ends_as_an_uninterrupted_run(tmp_path, capsys):
    """`keras-seqgan train` stopped in MLE pre-training, between discriminator rounds and
    in the middle of an adversarial epoch, each time run again with the same arguments,
    ends with the same models, log and scores as a run that was never stopped."""
    import keras

    from keras_seqgan.callbacks import BatchTimer
    from keras_seqgan.cli import train as train_command

    data = write_corpus(tmp_path / "corpus.csv", rows=96)
    tiny = list(TINY)
    for flag, value in (("--mle-epochs", "2"), ("--d-rounds", "2"), ("--adversarial-epochs", "3")):
        tiny[tiny.index(flag) + 1] = value

    def train(output):
        argv = ["train", "--data", str(data), "--condition", "character", "--output",
                str(tmp_path / output), *tiny]  # fmt: skip
        return cli.main(argv)

    assert train("straight") == 0
    with monkeypatch_context() as monkeypatch:  # 1. after MLE epoch 0's backup
        crash_at(
            monkeypatch,
            keras.callbacks.BackupAndRestore,
            "on_epoch_end",
            lambda n, epoch, *_: epoch == 0,
        )
        with pytest.raises(Crash):
            train("stopped")
    with monkeypatch_context() as monkeypatch:  # 2. after discriminator round 1 of 2
        crash_at(monkeypatch, train_command._Progress, "update", lambda n, *_: n == 2)
        with pytest.raises(Crash):
            train("stopped")
    with monkeypatch_context() as monkeypatch:  # 3. in adversarial epoch 1, after batch 0
        crash_at(monkeypatch, BatchTimer, "on_train_batch_end", lambda n, batch, *_: n == 3)
        with pytest.raises(Crash):
            train("stopped")
    capsys.readouterr()
    assert train("stopped") == 0
    out = capsys.readouterr().out
    assert "Resuming the unfinished run" in out and "2 discriminator round(s) done" in out

    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    assert not (stopped / train_command.RESUME_DIR).exists()
    for name in ("seqgan.keras", "generator_mle.keras"):
        first = keras.models.load_model(straight / name)
        second = keras.models.load_model(stopped / name)
        for a, b in zip(first.weights, second.weights, strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=f"{name} {a.path}")
    scores = [json.loads((folder / "results.json").read_text())["scores"]
              for folder in (straight, stopped)]  # fmt: skip
    assert scores[0] == scores[1]
    logs = [(folder / "log.csv").read_text().splitlines() for folder in (straight, stopped)]
    assert len(logs[1]) == 4 and [row.split(",")[0] for row in logs[1]][1:] == ["0", "1", "2"]


def test_a_resumed_train_run_reads_its_tokenizer_back_instead_of_adapting_one(tmp_path):
    import keras

    from keras_seqgan.cli import train as train_command

    data = write_corpus(tmp_path / "corpus.csv", rows=96)
    config = train_command.TrainConfig(data=str(data), output=str(tmp_path), seed=4)
    small = train_command.TrainConfig(data=str(data), output=str(tmp_path), max_tokens=8)
    saved = keras.saving.serialize_keras_object(train_command._train_data(small)[2])
    adapted = train_command._train_data(config)[2]
    reread = train_command._train_data(config, saved)[2]
    assert reread.get_config() == keras.saving.deserialize_keras_object(saved).get_config()
    assert reread.vocabulary_size < adapted.vocabulary_size  # the saved one, not adapted anew


def test_train_refuses_to_resume_with_other_arguments(tmp_path, capsys):
    from keras_seqgan.cli import train as train_command

    data = write_corpus(tmp_path / "corpus.csv", rows=96)
    output = tmp_path / "out"
    (output / train_command.RESUME_DIR).mkdir(parents=True)
    config = train_command.TrainConfig(data=str(data), output=str(output), seed=4)
    record = {"settings": train_command._settings(config), "state": {"stage": "mle", "d_rounds": 0,
              "results": {}}}  # fmt: skip
    (output / train_command.RESUME_DIR / "state.json").write_text(json.dumps(record))
    argv = ["train", "--data", str(data), "--output", str(output), *TINY]
    assert cli.main(argv) == 2  # TINY has --seed 3 and other sizes
    err = capsys.readouterr().err
    assert "holds an unfinished run with other arguments" in err and "seed" in err


@pytest.mark.slow  # ~15s; the default suite stays under 10 minutes on 2 cores
def test_train_with_a_bpe_tokenizer_then_generate(tmp_path, capsys):
    pytest.importorskip("tokenizers", reason='needs the subword extra: pip install ".[subword]"')
    data = write_corpus(tmp_path / "corpus.csv", rows=96)
    output = tmp_path / "out"
    argv = ["train", "--data", str(data), "--output", str(output), "--tokenizer", "bpe", *TINY]
    argv[argv.index("--max-tokens") + 1] = "300"  # byte-level BPE starts from 256 bytes
    argv[argv.index("--mle-epochs") + 1] = "8"  # so that MLE unlearns the unused `<unk>` id
    argv[argv.index("--adversarial-steps") + 1] = "1"
    assert cli.main(argv) == 0
    record = json.loads((output / "results.json").read_text())
    assert record["config"]["tokenizer"] == "bpe" and record["vocabulary_size"] <= 300
    assert all(np.isfinite(v) for v in record["scores"]["adversarial"].values())
    config = zipfile.ZipFile(output / "seqgan.keras").read("config.json").decode()
    assert "SubwordTokenizer" in config
    capsys.readouterr()
    assert cli.main(["generate", str(output / "seqgan.keras"), "-n", "20", "--seed", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 20 and lines == [line.strip() for line in lines]
    text = " ".join(lines)
    assert not any(token in text for token in ("<unk>", "<eos>", "<pad>", "Ġ"))
    # The corpus's words come back whole: BPE merged them into pieces and decoding rejoins them.
    assert sum(word in text for word in WORDS["ALICE"] + WORDS["BOB"]) >= 5, lines
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", str(data), "--tokenizer", "bpe", "--max-tokens", "100"])
    assert "--max-tokens >= 260" in capsys.readouterr().err
