"""Exact resume across processes, and crash safety under a real SIGKILL.

Every run is a fresh Python process running `tests/_resume_script.py`, which trains the
same tiny SeqGAN, with the default discriminator (dropout on), on a shuffled
`sequence_dataset(..., seed=11)` and writes every weight (model and both optimizers) and
every random stream's state to an `.npz`. A resumed `fit` passes `initial_epoch`, as a
user continuing epoch 2 of 4 would, and sees epoch 2's order.
"""

from __future__ import annotations

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


def wait_for_epoch(marker, process, epoch, timeout=TIMEOUT_S):
    """Polls the marker file until `begin <epoch>` appears (bounded by `timeout`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(marker):
            with open(marker, encoding="utf-8") as handle:
                if f"begin {epoch}" in handle.read().split("\n"):
                    return
        if process.poll() is not None:
            pytest.fail(f"the run ended (code {process.returncode}) before epoch {epoch} began")
        time.sleep(0.02)
    process.kill()
    pytest.fail(f"epoch {epoch} did not begin within {timeout} s")


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
        f"--marker={paths['marker.txt']}",
        "--batch-sleep=0.15",  # an epoch lasts >= 0.6 s: the kill lands inside epoch 2
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
        wait_for_epoch(paths["marker.txt"], crashing, epoch=2)
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
    assert killed["backup_files"]  # the epoch-end backup was on disk at the kill
    with open(paths["marker.txt"], encoding="utf-8") as handle:
        begun = handle.read().split()[1::2]
    # First process: epochs 0, 1, 2 (killed in 2). The rerun restarts at epoch 2.
    assert begun == ["0", "1", "2", "2", "3"]
    assert_bitwise_equal(load(paths["uninterrupted.npz"]), load(paths["killed_then_rerun.npz"]))
    assert not os.path.exists(paths["backup"])  # removed after the completed run
    # The backup was taken at an epoch's end: the rerun does not warn of a mid-epoch one.
    with open(os.path.join(os.path.dirname(paths["marker.txt"]), "rerun.log"), "rb") as log:
        assert b"from a state saved in its middle" not in log.read()


class Crash(Exception):
    pass


def test_a_resume_from_the_middle_of_an_epoch_says_it_restarts_the_epoch(tmp_path):
    """Keras's BackupAndRestore(save_freq=N) restores the weights saved mid-epoch but
    restarts that epoch at its first batch; the batches before the backup are trained
    twice. A SeqGAN knows the epoch was in progress and warns; at epoch ends it does not."""
    import keras

    import keras_seqgan as ks

    sys.path.insert(0, os.path.dirname(SCRIPT))
    try:
        import _resume_script as script
    finally:
        sys.path.pop(0)

    class CrashAt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.params and self._epoch == 1 and batch == 2:
                raise Crash()

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch = epoch

    def data():
        return ks.data.sequence_dataset(script.real_tokens(), batch_size=script.B, seed=11)

    backup = str(tmp_path / "backup")
    gan = script.make_gan()
    with pytest.raises(Crash):
        gan.fit(
            data(),
            epochs=3,
            verbose=0,
            callbacks=[keras.callbacks.BackupAndRestore(backup, save_freq=2), CrashAt()],
        )
    rerun = script.make_gan()
    with pytest.warns(UserWarning, match="resumes epoch 1 from a state saved in its middle"):
        rerun.fit(
            data(),
            epochs=3,
            verbose=0,
            callbacks=[keras.callbacks.BackupAndRestore(backup, save_freq=2)],
        )
    assert int(rerun.step_counter) == 4 * 3 + 2  # 2 steps of epoch 1 were trained twice
