"""`keras-seqgan train` killed with SIGKILL, run again with the same command, against a
run that was never stopped.

The same command runs three times into one folder: killed (`kill -9`) during MLE
pre-training, killed again during adversarial training, then to the end. Another folder
gets the uninterrupted run. Both final models (`seqgan.keras`, `generator_mle.keras`)
are compared variable by variable (max |difference|), and the figures in
`results.json` and the rows of `log.csv` for equality. Each kill lands a moment after
the stage's backup of an epoch appears, so inside a later epoch. Writes
`benchmarks/results/cli_resume_<backend>.json`.

    python benchmarks/cli_resume.py [--data ../shared/data/shakespeare_dialogue.csv]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data", "shakespeare_dialogue.csv")
SETTINGS = [
    "--condition", "character", "--keep-top", "character=10", "--max-lines", "6000",
    "--sequence-length", "12", "--max-tokens", "2000", "--embedding-dim", "16",
    "--hidden-dim", "16", "--mle-epochs", "4", "--d-rounds", "2", "--d-epochs", "1",
    "--adversarial-epochs", "4", "--adversarial-steps", "8", "--num-rollouts", "4",
    "--batch-size", "32", "--num-eval", "100", "--seed", "5", "--quiet",
]  # fmt: skip
TIMEOUT_S = 900


def command(data, output):
    cli = os.path.join(os.path.dirname(sys.executable), "keras-seqgan")
    return [cli, "train", "--data", data, "--output", output, *SETTINGS]


def run_to_end(argv, log):
    with open(log, "ab") as handle:
        result = subprocess.run(argv, stdout=handle, stderr=subprocess.STDOUT, timeout=TIMEOUT_S)
    if result.returncode != 0:
        with open(log, "rb") as handle:
            raise SystemExit(handle.read()[-3000:].decode(errors="replace"))


def run_and_kill(argv, log, metadata, epoch, delay_s):
    """Starts `argv`; SIGKILLs it `delay_s` after `metadata` records `epoch` or later."""
    with open(log, "ab") as handle:
        process = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + TIMEOUT_S
    seen = None
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with open(metadata, encoding="utf-8") as handle:
                seen = json.load(handle)
        except (OSError, ValueError):
            seen = None
        if seen is not None and seen["epoch"] >= epoch:
            break
        time.sleep(0.05)
    if process.poll() is not None:
        raise SystemExit(f"the run ended (code {process.returncode}) before the kill")
    time.sleep(delay_s)
    with open(metadata, encoding="utf-8") as handle:
        at_kill = json.load(handle)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    return {"returncode": process.returncode, "backup_at_kill": at_kill}


def compare(straight, stopped):
    import keras
    import numpy as np

    import keras_seqgan  # noqa: F401  (registers the classes the files hold)

    record = {}
    for name in ("seqgan.keras", "generator_mle.keras"):
        first = keras.models.load_model(os.path.join(straight, name))
        second = keras.models.load_model(os.path.join(stopped, name))
        # A SeqGAN file holds every variable, random streams included; a Generator file
        # its weights and its own stream, not the LSTM cell's (unused) one, which each
        # load draws anew: compare what the file holds.
        if name == "seqgan.keras":
            pairs = list(zip(first.variables, second.variables, strict=True))
        else:
            pairs = list(zip(first.weights, second.weights, strict=True))
            pairs.append((first.seed_generator.state, second.seed_generator.state))
        record[name] = {
            "variables": len(pairs),
            "max_abs_difference": max(
                float(np.max(np.abs(np.asarray(a, "float64") - np.asarray(b, "float64"))))
                for a, b in pairs
                if np.asarray(a).size
            ),
            "all_equal": all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in pairs),
        }
    scores = []
    logs = []
    for folder in (straight, stopped):
        with open(os.path.join(folder, "results.json"), encoding="utf-8") as handle:
            scores.append(json.load(handle)["scores"])
        with open(os.path.join(folder, "log.csv"), encoding="utf-8") as handle:
            logs.append(handle.read().splitlines())
    record["scores_equal"] = scores[0] == scores[1]
    record["scores"] = scores[1]
    record["log_rows"] = [len(rows) - 1 for rows in logs]
    # The logs hold timings (BatchTimer), which differ; compare the other columns.
    header = logs[0][0].split(",")
    keep = [i for i, name in enumerate(header) if "_ms" not in name and not name.endswith("_s")]
    record["log_columns_compared"] = [header[i] for i in keep]
    record["log_equal_without_timings"] = [
        [row.split(",")[i] for i in keep] for row in logs[0]
    ] == [[row.split(",")[i] for i in keep] for row in logs[1]]
    return record


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=DATA)
    parser.add_argument("--output", default=None, help="the JSON record (default: results/)")
    args = parser.parse_args(argv)
    if not os.path.exists(args.data):
        raise SystemExit(f"{args.data} not found: pass --data (a CSV with a character column)")
    sys.path.insert(0, HERE)
    import keras
    from _machine import command_line, machine_record, write_json

    folder = tempfile.mkdtemp(prefix="cli_resume_")
    straight, stopped = os.path.join(folder, "straight"), os.path.join(folder, "stopped")
    log = os.path.join(folder, "runs.log")
    started = time.perf_counter()
    run_to_end(command(args.data, straight), log)
    uninterrupted_s = time.perf_counter() - started
    resume = os.path.join(stopped, "resume")
    kills = [
        {
            "stage": "MLE pre-training",
            **run_and_kill(
                command(args.data, stopped),
                log,
                os.path.join(resume, "mle", "training_metadata.json"),
                epoch=2,
                delay_s=0.3,
            ),
        },
        {
            "stage": "adversarial training",
            **run_and_kill(
                command(args.data, stopped),
                log,
                os.path.join(resume, "adversarial", "training_metadata.json"),
                epoch=2,
                delay_s=0.3,
            ),
        },
    ]
    run_to_end(command(args.data, stopped), log)
    with open(log, encoding="utf-8", errors="replace") as handle:
        resumed_lines = [line.strip() for line in handle if line.startswith("Resuming")]
    record = {
        **machine_record(),
        "command": command_line(__file__, argv),
        "backend": keras.backend.backend(),
        "train_command": "keras-seqgan train --data DATA --output DIR " + " ".join(SETTINGS),
        "data": os.path.basename(args.data),
        "uninterrupted_seconds": round(uninterrupted_s, 1),
        "kills": kills,
        "resume_messages": resumed_lines,
        "resume_folder_removed": not os.path.exists(resume),
        **compare(straight, stopped),
    }
    print(json.dumps(record, indent=2))
    path = args.output or os.path.join(
        HERE, "results", f"cli_resume_{keras.backend.backend()}.json"
    )
    write_json(path, record)
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
