"""Exact resume across processes, and crash safety under a real SIGKILL.

Every run is a fresh Python process running `tests/_resume_script.py`, which trains the
same tiny SeqGAN, with the default discriminator (dropout on), on a shuffled
`sequence_dataset(..., seed=11)` and writes every weight (model and both optimizers) and
every random stream's state to an `.npz`. A resumed `fit` passes `initial_epoch`, as a
user continuing epoch 2 of 4 would, and sees epoch 2's order; the killed run backs up
every 3 batches, so it resumes in the middle of an epoch.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_resume_script.py")
TIMEOUT_S = 240  # per process: a bound, never reached by a healthy run


def launch(log_dir, name, *args):
    """Starts the helper script in a fresh process; its output goes to `log_dir/name.log`."""
    log = open(os.path.join(log_dir, f"{name}.log"), "wb")  # closed by `finish`
    # One thread per op: the runs share the cores (the results do not depend on it).
    env = dict(
        os.environ,
        TF_CPP_MIN_LOG_LEVEL="3",
        CUDA_VISIBLE_DEVICES="",
        TF_NUM_INTRAOP_THREADS="1",
        TF_NUM_INTEROP_THREADS="1",
        OMP_NUM_THREADS="1",
    )
    process = subprocess.Popen(
        [sys.executable, SCRIPT, *map(str, args)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    process.log = log
    return process


def finish(process, timeout=TIMEOUT_S):
    """Waits (bounded) for a process; fails with its output unless it exited with 0."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)
    finally:
        process.log.close()
    if process.returncode != 0:
        with open(process.log.name, "rb") as handle:
            tail = handle.read()[-3000:].decode(errors="replace")
        pytest.fail(f"{process.args} exited with {process.returncode}:\n{tail}")


def wait_for_line(marker, process, line, timeout=TIMEOUT_S):
    """Polls the marker file until `line` appears in it (bounded by `timeout`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(marker):
            with open(marker, encoding="utf-8") as handle:
                if line in handle.read().split("\n"):
                    return
        if process.poll() is not None:
            pytest.fail(f"the run ended (code {process.returncode}) before {line!r}")
        time.sleep(0.02)
    process.kill()
    pytest.fail(f"{line!r} did not appear within {timeout} s")


def load(path):
    with np.load(path) as arrays:
        return {key: arrays[key] for key in arrays.files}


def max_abs_difference(first, second):
    assert sorted(first) == sorted(second)
    return max(
        float(np.max(np.abs(first[k].astype("float64") - second[k].astype("float64"))))
        for k in first
        if first[k].size
    )


def assert_bitwise_equal(first, second):
    assert sorted(first) == sorted(second)
    for key in first:
        np.testing.assert_array_equal(first[key], second[key], err_msg=key)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Runs every process once, two or three at a time, and returns their files."""
    folder = tmp_path_factory.mktemp("resume")
    paths = {
        name: str(folder / name)
        for name in (
            "two_epochs.keras",
            "samples_saved.npz",
            "samples_loaded.npz",
            "resumed.npz",
            "uninterrupted.npz",
            "killed_then_rerun.npz",
            "marker.txt",
            "backup",
        )
    }
    crash_command = [
        "fit",
        "--epochs=4",
        f"--weights={paths['killed_then_rerun.npz']}",
        f"--backup={paths['backup']}",
        "--save-freq=3",  # after batches 3, 6, 9, 12...: epoch 2's first is the 9th
        f"--marker={paths['marker.txt']}",
        "--batch-sleep=0.15",  # a batch lasts >= 0.15 s: the kill lands inside epoch 2
    ]
    first = launch(
        folder,
        "train",
        "train",
        "--epochs=2",
        f"--save-keras={paths['two_epochs.keras']}",
        f"--samples={paths['samples_saved.npz']}",
    )
    uninterrupted = launch(
        folder, "uninterrupted", "fit", "--epochs=4", f"--weights={paths['uninterrupted.npz']}"
    )
    crashing = launch(folder, "crashing", *crash_command)
    try:
        # After epoch 2's second batch: the backup on disk is the one taken after its first.
        wait_for_line(paths["marker.txt"], crashing, "batch 2 1")
        os.kill(crashing.pid, signal.SIGKILL)
        crashing.wait(timeout=60)
    finally:
        crashing.log.close()
        if crashing.poll() is None:
            crashing.kill()
    killed = {
        "returncode": crashing.returncode,
        "weights_written": os.path.exists(paths["killed_then_rerun.npz"]),
        "backup_files": sorted(os.listdir(paths["backup"])),
    }
    with open(os.path.join(paths["backup"], "training_metadata.json"), encoding="utf-8") as f:
        killed["backup_position"] = json.load(f)
    finish(first)
    resumed = launch(
        folder,
        "resume",
        "resume",
        "--epochs=4",
        "--initial-epoch=2",
        f"--load-keras={paths['two_epochs.keras']}",
        f"--weights={paths['resumed.npz']}",
        f"--samples={paths['samples_loaded.npz']}",
    )
    rerun = launch(folder, "rerun", *crash_command)  # the very same command
    for process in (uninterrupted, resumed, rerun):
        finish(process)
    return paths, killed


def test_resume_from_keras_file_in_a_fresh_process_is_bitwise_exact(runs):
    paths, _ = runs
    uninterrupted = load(paths["uninterrupted.npz"])
    resumed = load(paths["resumed.npz"])
    # 2 epochs, save `.keras`, load in a new process, 2 more == 4 uninterrupted epochs.
    assert max_abs_difference(uninterrupted, resumed) == 0.0
    assert_bitwise_equal(uninterrupted, resumed)
    assert int(resumed["model/001/seq_gan/step_counter"]) == 16  # 4 epochs x 4 steps
    # The random stream moved on during training (it is part of what must be restored).
    assert not np.array_equal(resumed["seed_state/seqgan"], [5, 0])
    # `generate(seed=...)` gives the same tokens in the saving and the loading process.
    np.testing.assert_array_equal(
        load(paths["samples_saved.npz"])["tokens"], load(paths["samples_loaded.npz"])["tokens"]
    )


def test_sigkill_mid_run_then_the_same_command_matches_an_uninterrupted_run(runs):
    paths, killed = runs
    assert killed["returncode"] == -signal.SIGKILL  # really killed, not finished
    assert not killed["weights_written"]
    assert killed["backup_files"]
    # The backup on disk at the kill was taken in the middle of epoch 2, after batch 0.
    assert killed["backup_position"] == {"epoch": 2, "batch": 0}
    with open(paths["marker.txt"], encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    begun = [line.split()[1] for line in lines if line.startswith("begin")]
    # First process: epochs 0, 1, 2 (killed in 2). The rerun restarts at epoch 2...
    assert begun == ["0", "1", "2", "2", "3"]
    # ...and skips the batch trained before the backup: batches 1-3 of epoch 2 train.
    rerun_epoch_2 = lines[lines.index("begin 2", lines.index("begin 2") + 1) :]
    assert rerun_epoch_2[1:5] == [f"batch 2 {b}" for b in range(4)]  # Keras counts all 4
    assert_bitwise_equal(load(paths["uninterrupted.npz"]), load(paths["killed_then_rerun.npz"]))
    assert int(load(paths["killed_then_rerun.npz"])["model/001/seq_gan/step_counter"]) == 16
    assert not os.path.exists(paths["backup"])  # removed after the completed run
    with open(os.path.join(os.path.dirname(paths["marker.txt"]), "rerun.log"), "rb") as log:
        assert b"will not equal an uninterrupted one" not in log.read()


def by_position(arrays):
    """`arrays` keyed by group and position only (`model/003`), without variable paths."""
    return {"/".join(key.split("/")[:2]): value for key, value in arrays.items()}


class Crash(Exception):
    pass


def fit_data(script, repeat):
    """The script's shuffled data: 4 batches an epoch, or an endless stream read 3 at a time
    (so epochs and passes over the data do not line up)."""
    import keras_seqgan as ks

    dataset = ks.data.sequence_dataset(
        script.real_tokens(), batch_size=script.B, seed=11, repeat=repeat
    )
    return {"x": dataset, "steps_per_epoch": 3 if repeat else None}


def crash_then_rerun(tmp_path, crash_epoch, crash_batch, save_freq, rerun_spe=1, repeat=False):
    """Fits 3 epochs with `BackupAndRestore(save_freq)`, raises after the given batch,
    then fits again in a new model as the same command would. Returns the rerun's model."""
    import keras

    script = _script()

    class CrashAt(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if self._epoch == crash_epoch and batch == crash_batch:
                raise Crash()

    def fit(gan, *callbacks):
        backup = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"), save_freq=save_freq)
        gan.fit(**fit_data(script, repeat), epochs=3, verbose=0, callbacks=[backup, *callbacks])

    with pytest.raises(Crash):
        fit(script.make_gan(), CrashAt())
    rerun = script.make_gan()
    if rerun_spe != 1:
        rerun.compile(
            generator_optimizer=keras.optimizers.Adam(1e-2),
            discriminator_optimizer=keras.optimizers.Adam(1e-2),
            steps_per_execution=rerun_spe,
        )
    fit(rerun)
    return rerun


def _script():
    sys.path.insert(0, os.path.dirname(SCRIPT))
    try:
        import _resume_script as script
    finally:
        sys.path.pop(0)
    return script


def test_a_resume_from_the_middle_of_an_epoch_continues_after_the_trained_batches(tmp_path):
    """Keras's BackupAndRestore(save_freq=N) restarts the epoch of a mid-epoch backup at its
    first batch; the SeqGAN reads the batches trained before the backup without training
    them, so the run ends equal to an uninterrupted one (in this process too). The data is
    an endless `repeat=True` stream, 3 batches an epoch: the rerun finds its place in it."""
    import warnings

    import keras

    script = _script()
    uninterrupted = script.make_gan()
    uninterrupted.fit(**fit_data(script, repeat=True), epochs=3, verbose=0)
    expected = script.state_arrays(uninterrupted)
    del uninterrupted
    keras.backend.clear_session()
    # save_freq=2: backups after epoch 0's batch 1 and epoch 1's batch 0 (the 4th batch);
    # the crash is after epoch 1's batch 1, so the rerun resumes 1 batch into epoch 1.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rerun = crash_then_rerun(tmp_path, crash_epoch=1, crash_batch=1, save_freq=2, repeat=True)
    assert not [w for w in caught if "uninterrupted one" in str(w.message)]
    assert int(rerun.step_counter) == 3 * 3  # no batch trained twice
    # In one process the layers' names differ (adam_1 vs adam_3): compare by position.
    assert_bitwise_equal(by_position(expected), by_position(script.state_arrays(rerun)))


@pytest.mark.backend_independent("the decision to skip or warn is made on the host, per fit")
def test_a_mid_epoch_resume_that_cannot_skip_says_it_restarts_the_epoch(tmp_path):
    """2 batches trained before the backup cannot be skipped 3 at a time
    (steps_per_execution=3 in the rerun): the epoch restarts, and the fit warns."""
    with pytest.warns(UserWarning, match="not a multiple of steps_per_execution=3"):
        rerun = crash_then_rerun(tmp_path, 1, 2, save_freq=2, rerun_spe=3)
    assert int(rerun.step_counter) == 4 * 3 + 2  # 2 steps of epoch 1 were trained twice
