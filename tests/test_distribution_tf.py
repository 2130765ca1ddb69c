"""Training under `tf.distribute`: MirroredStrategy and MultiWorkerMirroredStrategy.

Every run is a fresh process running `tests/_distribution_script.py`: the logical CPU
devices of `MirroredStrategy` must be configured before TensorFlow initializes its
devices, and the two workers of `MultiWorkerMirroredStrategy` are two processes that
talk over loopback (`TF_CONFIG`).

What can be equal to one device. The random stream is keyed by the replica, so the
replicas' fakes differ from each other and from what one device would draw for the same
global batch: with a regular generator, one device and two replicas train on different
fakes and no tolerance would make their weights agree. The exact comparison therefore
uses a degenerate generator (logit gap 1000: softmax is exactly one-hot in float32), whose
samples, relaxed samples and rollouts are one token whatever the random numbers. Then two
replicas and one device see the same real and fake rows. The discriminator keeps its
default dropout: its masks are drawn with `batch_rows=True`, so each row of the global
batch gets the mask it gets on one device (replica r draws rows r*n to (r+1)*n-1 of one
device's draw). The step's math (the
gradient of the global-batch mean, its clip and finiteness check, the optimizer update,
the metrics as global-batch means, in `fit` and in `evaluate`) must agree up to float32
summation order: per-replica means averaged by an all-reduce instead of one mean.
Tolerance: `atol=1e-6` on every weight and every logged value after 3 steps, `rtol=1e-5`
on the logs. The differences measured are below 1e-7; an aggregation error is far larger
(a bug in which both replicas used the first replica's rows moved `d_loss_real` by 3e-4
and the weights by 4e-2 here; `evaluate` summing its replicas instead of averaging fails
on `d_acc`, checked by breaking it).
The discriminator uses SGD, which is not scale-invariant, so a gradient summed over the
replicas instead of averaged would show; the gumbel run clips at 0.01 (active), so
clipping each replica's gradient instead of the global one would show.

A regular generator on two replicas is checked for what does hold: the replicas draw
different numbers (replica 0 draws what one device would from the same stream state),
every variable's per-replica copies stay identical (weights, both optimizers, counters,
the seed state), the generator learns, and the first step's `d_loss_real` (real data and
the initial discriminator only) equals one device's.

A poisoned row (a token that makes the discriminator's gradient NaN) on the second
replica's share of one global batch makes every replica skip that update, as one device
skips it: the finiteness check reads the all-reduced gradient.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        keras.backend.backend() != "tensorflow",
        reason="tf.distribute strategies need the TensorFlow backend "
        f"(KERAS_BACKEND is {keras.backend.backend()!r})",
    ),
]

TESTS = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(TESTS, "_distribution_script.py")
TIMEOUT_S = 180  # per process: a bound, never reached by a healthy run
ATOL, RTOL = 1e-6, 1e-5


def environment():
    root = os.path.dirname(TESTS)
    path = os.environ.get("PYTHONPATH")
    return dict(
        os.environ,
        KERAS_BACKEND="tensorflow",
        PYTHONPATH=root if not path else root + os.pathsep + path,
        TF_CPP_MIN_LOG_LEVEL="3",
        CUDA_VISIBLE_DEVICES="",
    )


def launch(log_path, *args):
    log = open(log_path, "wb")  # closed by `finish`
    process = subprocess.Popen(
        [sys.executable, SCRIPT, *map(str, args)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=environment(),
    )
    process.log = log
    return process


def finish(processes, timeout=TIMEOUT_S):
    """Waits (bounded) for every process; fails with the output of any that failed."""
    try:
        for process in processes:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()  # a worker left waiting for a dead peer
                process.wait(timeout=30)
            process.log.close()
    for process in processes:
        if process.returncode != 0:
            with open(process.log.name, "rb") as handle:
                tail = handle.read()[-3000:].decode(errors="replace")
            pytest.fail(f"{process.args} exited with {process.returncode}:\n{tail}")


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("localhost", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def assert_matches_one_device(result):
    assert result["num_replicas"] == 2
    assert result["local_copies_equal"]
    assert result["max_weight_difference"] <= ATOL, result["max_weight_difference"]
    single, distributed = result["single"], result["distributed"]
    assert sorted(single) == sorted(distributed)
    for key in single:
        np.testing.assert_allclose(distributed[key], single[key], rtol=RTOL, atol=ATOL, err_msg=key)
    assert len(single["d_loss"]) == 3
    assert single["d_skipped"] == single["g_skipped"] == [0.0, 0.0, 0.0]
    # `evaluate`: the discriminator's metrics as global-batch means, as on one device.
    single, distributed = result["single_evaluate"], result["distributed_evaluate"]
    assert sorted(single) == sorted(distributed) and {"d_loss", "d_acc"} <= set(single)
    for key in single:
        np.testing.assert_allclose(distributed[key], single[key], rtol=RTOL, atol=ATOL, err_msg=key)


@pytest.mark.parametrize("objective", ["reinforce", "gumbel"])
def test_mirrored_two_cpus_matches_one_device(tmp_path, objective):
    out = tmp_path / "result.json"
    finish([launch(tmp_path / "run.log", "mirrored", objective, out)])
    result = json.loads(out.read_text())
    assert_matches_one_device(result)

    regular = result["regular"]
    assert regular["local_copies_equal"]
    assert regular["replicas_sample_differently"]
    assert regular["replica_0_samples_as_one_device"]
    assert regular["generator_changed"]
    assert all(np.isfinite(v).all() for v in regular["logs"].values())
    np.testing.assert_allclose(
        regular["logs"]["d_loss_real"][0], result["single"]["d_loss_real"][0], atol=ATOL
    )

    # One real row of step 1 on the second replica makes its gradient NaN: the mean over
    # the replicas is NaN, so both skip the discriminator update, as one device would.
    poisoned = result["poisoned"]
    assert poisoned["local_copies_equal"] and poisoned["weights_finite"]
    assert poisoned["distributed"]["d_skipped"] == [0.0, 1.0, 1.0]
    assert poisoned["single"]["d_skipped"] == [0.0, 1.0, 1.0]
    assert poisoned["distributed"]["g_skipped"] == [0.0, 0.0, 0.0]
    assert poisoned["max_weight_difference"] <= ATOL, poisoned["max_weight_difference"]


def test_multi_worker_two_processes_match_one_device(tmp_path):
    ports = ",".join(map(str, free_ports(2)))
    outs = [tmp_path / f"worker{index}.json" for index in range(2)]
    finish(
        [
            launch(tmp_path / f"worker{index}.log", "worker", "reinforce", index, ports, out)
            for index, out in enumerate(outs)
        ]
    )
    chief, other = (json.loads(out.read_text()) for out in outs)
    assert_matches_one_device(chief)  # the chief also trained the one-device reference
    assert other["local_copies_equal"]
    assert other["distributed"] == chief["distributed"]  # the same logs on both workers
    assert other["distributed_evaluate"] == chief["distributed_evaluate"]
    assert other["weights"] == chief["weights"]  # and the same weights, bit for bit


def test_a_one_replica_mirrored_strategy_trains_as_one_device():
    """`MirroredStrategy()` over one device (a single GPU, or here the CPU) still
    synchronizes through `merge_call`; the step's guarded updates must not crash there,
    and its updates are one device's (atol 1e-6, as above)."""
    import contextlib

    import tensorflow as tf
    from _models import tiny_gan, tiny_models

    def train(scope):
        with scope:
            models = tiny_models(10, 5, discriminator_seed=3)  # the default dropout
            gan = tiny_gan(*models, generator_optimizer="adam", discriminator_optimizer="adam")
        real = np.random.default_rng(0).integers(0, 10, size=(16, 5)).astype("int32")
        gan.fit(real, batch_size=8, epochs=1, shuffle=False, verbose=0)
        return [np.asarray(w) for w in gan.weights]

    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    assert strategy.num_replicas_in_sync == 1
    for single, mirrored in zip(
        train(contextlib.nullcontext()), train(strategy.scope()), strict=True
    ):
        np.testing.assert_allclose(mirrored, single, rtol=0, atol=ATOL)
