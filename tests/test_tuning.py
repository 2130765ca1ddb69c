"""`keras_seqgan.tuning` with KerasTuner's three tuners (`keras-seqgan tune`: test_cli_tune.py).

Every search is tiny (vocabulary 20, length 6, 2 rollouts, 1-2 epochs of 1 step); the
library's searches run their steps eagerly (`compile_kwargs={"run_eagerly": True}`),
which is faster than tracing a graph for a few steps; the command line's tests run the
default graph mode.
"""

import copy
import warnings

import keras
import keras_tuner as kt
import numpy as np
import pytest

import keras_seqgan as ks
from keras_seqgan import tuning
from keras_seqgan.saving import load_model, save_model

pytestmark = pytest.mark.backend_independent(
    "KerasTuner's search machinery; the SeqGAN step it trains is tested on every backend"
)

V, T = 20, 6
TUNED = (
    "temperature_schedule",
    "temperature_start",
    "temperature_end",
    "temperature_decay",
    "d_train_interval",
    "d_steps",
)


@pytest.fixture(scope="module")
def oracle():
    return ks.data.OracleLSTM(vocabulary_size=V, sequence_length=T, seed=1)


@pytest.fixture(scope="module")
def real(oracle):
    return oracle.sample(256, seed=2)


def hypermodel_arguments(**changes):
    arguments = dict(
        vocabulary_size=V,
        sequence_length=T,
        embedding_dim=8,
        hidden_dim=8,
        discriminator_embedding_dim=8,
        filter_sizes=(2, 3),
        num_filters=(8, 8),
        num_rollouts=2,
        seed=3,
        compile_kwargs={"run_eagerly": True},
    )
    arguments.update(changes)
    return arguments


class CountingHyperModel(tuning.SeqGANHyperModel):
    """Counts `fit` calls; raises KeyboardInterrupt (a killed search) at call `interrupt_at`."""

    def __init__(self, interrupt_at=None, **kwargs):
        super().__init__(**hypermodel_arguments(**kwargs))
        self.fits = 0
        self.interrupt_at = interrupt_at

    def fit(self, hp, model, *args, **kwargs):
        self.fits += 1
        if self.fits == self.interrupt_at:
            raise KeyboardInterrupt
        return super().fit(hp, model, *args, **kwargs)


class Recorder(keras.callbacks.Callback):
    """Records (epoch, temperature, step) per epoch; copies (one per trial) share the list."""

    def __init__(self, records):
        super().__init__()
        self.records = records

    def __deepcopy__(self, memo):
        return Recorder(self.records)

    def on_epoch_end(self, epoch, logs=None):
        step = int(keras.ops.convert_to_numpy(self.model.step_counter))
        self.records.append((epoch, float(logs["temperature"]), step))


def search(tuner, real, oracle, epochs=1, callbacks=()):
    tuner.search(
        lambda: ks.data.sequence_dataset(real, batch_size=32, seed=5, repeat=True),
        epochs=epochs,
        steps_per_epoch=1,
        verbose=0,
        callbacks=[tuning.oracle_nll_callback(oracle, num_samples=100, seed=6), *callbacks],
    )
    return tuner


def random_search(directory, hypermodel, max_trials=2):
    return kt.RandomSearch(
        hypermodel,
        objective=tuning.DEFAULT_OBJECTIVE,
        max_trials=max_trials,
        seed=4,
        directory=str(directory),
        project_name="random",
        overwrite=False,
    )


def values_and_scores(tuner):
    trials = tuner.oracle.trials
    return {
        trial_id: (dict(trial.hyperparameters.values), trial.score, trial.status)
        for trial_id, trial in sorted(trials.items())
    }


@pytest.fixture(scope="module")
def interrupted_search(tmp_path_factory, oracle, real):
    """A 2-trial RandomSearch killed during its second trial, then resumed to the end."""
    directory = tmp_path_factory.mktemp("interrupted")
    killed = CountingHyperModel(interrupt_at=2)
    with pytest.raises(KeyboardInterrupt):
        search(random_search(directory, killed), real, oracle)
    resumed = CountingHyperModel()
    tuner = random_search(directory, resumed)
    before = tuning.trials_table(tuner)
    search(tuner, real, oracle)
    return tuner, directory, killed.fits, resumed.fits, before


# ------------------------------------------------------------------- searches
def test_random_search_tries_different_values_and_records_the_objective(interrupted_search):
    tuner, _, _, _, _ = interrupted_search
    trials = tuner.oracle.trials
    assert sorted(trials) == ["0", "1"]
    assert all(trial.status == "COMPLETED" for trial in trials.values())
    values = [
        [trial.hyperparameters.values.get(name) for name in TUNED] for trial in trials.values()
    ]
    assert values[0] != values[1]
    for trial in trials.values():
        score = trial.score
        assert np.isfinite(score) and 0 < score < 2 * np.log(V) + 5
        # The score is the best epoch's nll_sum = nll_oracle + nll_gen.
        metrics = {m: trial.metrics.get_last_value(m) for m in ("nll_oracle", "nll_gen")}
        assert score == pytest.approx(metrics["nll_oracle"] + metrics["nll_gen"], rel=1e-5)
    rows = tuning.trials_table(tuner)
    assert [row["trial"] for row in rows] == sorted(trials, key=lambda i: trials[i].score)
    assert rows[0]["nll_sum"] <= rows[1]["nll_sum"]
    assert set(TUNED) <= set(rows[0])
    text = tuning.format_trials_table(rows)
    assert text.splitlines()[0].split() == list(key for key in rows[0] if key != "status")
    assert len(text.splitlines()) == 3


def test_an_interrupted_search_resumes_without_redoing_finished_trials(
    interrupted_search, oracle, real
):
    tuner, directory, killed_fits, resumed_fits, before = interrupted_search
    assert killed_fits == 2  # trial 0 finished, trial 1 was killed in its fit
    assert [row["status"] for row in before] == ["COMPLETED", "RUNNING"]
    assert before[1]["nll_sum"] is None
    assert resumed_fits == 1  # only the interrupted trial ran again
    # A finished search reloads and runs nothing more.
    again = CountingHyperModel()
    reloaded = search(random_search(directory, again), real, oracle)
    assert again.fits == 0
    assert values_and_scores(reloaded) == values_and_scores(tuner)


@pytest.mark.slow  # ~15s; the default suite stays under 10 minutes on 2 cores
def test_a_seeded_search_is_reproducible(interrupted_search, tmp_path, oracle, real):
    tuner, *_ = interrupted_search
    fresh = search(random_search(tmp_path, CountingHyperModel()), real, oracle)
    # Same trial values and the same objective values, killed and resumed or not.
    assert values_and_scores(fresh) == values_and_scores(tuner)


def test_the_best_model_reloads_generates_trains_and_saves(interrupted_search, tmp_path, oracle):
    tuner, *_ = interrupted_search
    best_trial = tuner.oracle.get_best_trials(1)[0]
    best = tuner.get_best_models(1)[0]
    assert isinstance(best, ks.SeqGAN) and best.compiled
    # It holds the weights of the trial's best epoch: they score the trial's score.
    scorer = tuning.oracle_nll_callback(oracle, num_samples=100, seed=6)
    assert scorer.evaluate(best)["nll_sum"] == pytest.approx(best_trial.score, rel=1e-5)
    assert best.d_steps == best_trial.hyperparameters.values["d_steps"]
    assert int(keras.ops.convert_to_numpy(best.step_counter)) > 0
    tokens = best.generate(4, seed=1)
    assert tokens.shape == (4, T) and tokens.dtype == np.int32
    path = tmp_path / "best.keras"
    save_model(best, path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.generate(4, seed=1), tokens)
    for saved, original in zip(loaded.weights, best.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(saved), np.asarray(original))
    logs = best.train_on_batch(oracle.sample(32, seed=9), return_dict=True)
    assert np.isfinite(logs["g_loss"]) and np.isfinite(logs["d_loss"])


@pytest.mark.slow  # ~22s; the default suite stays under 10 minutes on 2 cores
def test_bayesian_optimization(tmp_path, oracle, real):
    pytest.importorskip("scipy")
    pytest.importorskip("sklearn")
    tuner = kt.BayesianOptimization(
        CountingHyperModel(),
        objective=kt.Objective("nll_oracle", "min"),  # another objective the callback logs
        max_trials=2,
        num_initial_points=1,
        seed=7,
        directory=str(tmp_path),
        project_name="bayesian",
    )
    search(tuner, real, oracle)
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 2 and all(trial.status == "COMPLETED" for trial in trials)
    assert trials[0].hyperparameters.values != trials[1].hyperparameters.values
    for trial in trials:
        assert trial.score == pytest.approx(trial.metrics.get_last_value("nll_oracle"))
    rows = tuning.trials_table(tuner)
    assert "nll_oracle" in rows[0] and "nll_gen" in rows[0]
    best = tuner.get_best_models(1)[0]
    assert best.generate(2, seed=1).shape == (2, T)


@pytest.mark.slow  # ~26s; the default suite stays under 10 minutes on 2 cores
def test_hyperband_continues_a_trial_and_its_annealing(tmp_path, oracle, real):
    hypermodel = CountingHyperModel(annealing_epochs=2)
    tuner = kt.Hyperband(
        hypermodel,
        objective=tuning.DEFAULT_OBJECTIVE,
        max_epochs=2,
        factor=2,
        seed=8,
        directory=str(tmp_path),
        project_name="hyperband",
    )
    # Two 1-epoch trials, then the better one continues to epoch 2: the first bracket.
    tuner.oracle.max_trials = 3
    records = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search(tuner, real, oracle, epochs=2, callbacks=[Recorder(records)])
    # The continued trial (initial_epoch=1) reads a repeat=True stream at its place: no
    # warning that its data order cannot be repositioned.
    assert not [w for w in caught if "uninterrupted one" in str(w.message)]
    trials = tuner.oracle.trials
    assert len(trials) == 3 and all(trial.status == "COMPLETED" for trial in trials.values())
    first, second, continued = (trials[i] for i in sorted(trials))
    assert first.hyperparameters.values != second.hyperparameters.values
    values = continued.hyperparameters.values
    assert values["tuner/initial_epoch"] == 1 and values["tuner/epochs"] == 2
    assert values["tuner/trial_id"] in (first.trial_id, second.trial_id)
    # One record per epoch: epoch 0 of each new trial, then epoch 1 of the continued one.
    assert [epoch for epoch, _, _ in records] == [0, 0, 1]
    _, temperature, step = records[-1]
    expected = hypermodel.temperature_annealing(continued.hyperparameters).temperature_at(1)
    assert temperature == pytest.approx(expected)
    assert step == 2  # the continued model kept its step counter: 1 + 1 steps
    rows = tuning.trials_table(tuner)
    assert {row["epochs"] for row in rows} == {1, 2}
    assert [row["continues"] for row in rows].count(None) == 2
    assert tuner.get_best_models(1)[0].generate(2, seed=1).shape == (2, T)


# ------------------------------------------------------------ search space
def test_your_hyperparameters_fix_narrow_and_extend_the_space(tmp_path):
    def build_generator(hp):
        return ks.models.Generator(
            vocabulary_size=V, sequence_length=T, hidden_dim=hp.Choice("hidden_dim", [4, 8])
        )

    hp = kt.HyperParameters()
    hp.Fixed("d_steps", 2)
    hp.Fixed("temperature_decay", 0.9)  # unconditioned, though the default is conditional
    hp.Float("temperature_start", 1.5, 1.6)
    hp.Choice("temperature_schedule", ["exponential", "cosine"])
    tuner = kt.RandomSearch(
        tuning.SeqGANHyperModel(**hypermodel_arguments(build_generator=build_generator)),
        objective=tuning.DEFAULT_OBJECTIVE,
        hyperparameters=hp,
        max_trials=20,
        seed=9,
        directory=str(tmp_path),
        project_name="space",
    )
    names = {entry.name for entry in tuner.oracle.hyperparameters.space}
    assert {"hidden_dim", "d_train_interval", "temperature_end"} <= names
    trials = [tuner.oracle.create_trial(f"tuner{i}") for i in range(8)]
    values = [trial.hyperparameters.values for trial in trials]
    assert all(v["d_steps"] == 2 for v in values)
    assert all(1.5 <= v["temperature_start"] <= 1.6 for v in values)
    assert {v["temperature_schedule"] for v in values} <= {"exponential", "cosine"}
    assert {v["hidden_dim"] for v in values} == {4, 8}
    assert len({v["d_train_interval"] for v in values}) > 1  # still tuned
    for trial in trials:
        annealing = tuner.hypermodel.temperature_annealing(trial.hyperparameters)
        assert annealing.schedule == trial.hyperparameters.values["temperature_schedule"]
        if annealing.schedule == "exponential":
            assert annealing.decay == 0.9
    model = tuner.hypermodel.build(trials[0].hyperparameters)
    assert model.d_steps == 2
    assert model.generator.hidden_dim == trials[0].hyperparameters.values["hidden_dim"]


def test_tune_new_entries_false_keeps_the_seed_defaults(tmp_path):
    hypermodel = tuning.SeqGANHyperModel(**hypermodel_arguments(tune_learning_rates=True))
    hp = kt.HyperParameters()
    hp.Int("d_train_interval", 1, 3)
    tuner = kt.RandomSearch(
        hypermodel,
        objective=tuning.DEFAULT_OBJECTIVE,
        hyperparameters=hp,
        tune_new_entries=False,
        max_trials=5,
        seed=1,
        directory=str(tmp_path),
        project_name="narrow",
    )
    assert [entry.name for entry in tuner.oracle.hyperparameters.space] == ["d_train_interval"]
    trial_values = tuner.oracle.create_trial("a").hyperparameters.copy()
    values = hypermodel.hyperparameter_values(trial_values)
    for name, default in tuning.SEED_DEFAULTS.items():
        if name != "d_train_interval":
            assert values[name] == default, name
    assert values["generator_learning_rate"] == hypermodel.generator_learning_rate
    fixed = hypermodel.default_hyperparameters()
    assert hypermodel.hyperparameter_values(fixed) == dict(
        tuning.SEED_DEFAULTS,
        max_inverse_temperature=None,
        generator_learning_rate=1e-3,
        discriminator_learning_rate=1e-4,
    )
    annealing = hypermodel.temperature_annealing(fixed)
    assert (annealing.schedule, annealing.start, annealing.end, annealing.decay) == (
        "exponential",
        2.0,
        0.5,
        0.95,
    )


def test_default_search_space_and_relgan_schedules():
    hypermodel = tuning.SeqGANHyperModel(**hypermodel_arguments(tune_learning_rates=True))
    hp = kt.HyperParameters()
    hypermodel.declare_hyperparameters(hp)
    space = {entry.name: entry for entry in hp.space}
    assert list(space["temperature_schedule"].values) == ["exponential", "linear", "cosine"]
    assert (space["temperature_start"].min_value, space["temperature_start"].max_value) == (1, 3)
    assert (space["temperature_end"].min_value, space["temperature_end"].max_value) == (0.3, 1)
    assert space["temperature_decay"].conditions  # only with the exponential schedule
    assert (space["d_steps"].min_value, space["d_steps"].max_value) == (1, 3)
    assert space["generator_learning_rate"].sampling == "log"
    assert "max_inverse_temperature" not in space
    # A RelGAN schedule in your space brings its maximum inverse temperature.
    relgan = kt.HyperParameters()
    relgan.Choice("temperature_schedule", ["exp", "sigmoid"])
    values = hypermodel.hyperparameter_values(relgan)
    assert values["temperature_schedule"] == "exp"
    assert values["max_inverse_temperature"] == 100.0
    annealing = hypermodel.temperature_annealing(relgan)
    assert annealing.max_inverse_temperature == 100.0
    # An exponential schedule never rises: an end above the start is lowered to it.
    rising = kt.HyperParameters()
    rising.Fixed("temperature_start", 1.0)
    rising.Fixed("temperature_end", 1.5)
    assert hypermodel.temperature_annealing(rising).end == 1.0
    assert tuning.DEFAULT_OBJECTIVE.name == "nll_sum"
    assert tuning.DEFAULT_OBJECTIVE.direction == "min"


def test_pretrained_weights_start_every_trial(real):
    keras.utils.set_random_seed(0)
    generator = ks.models.Generator(vocabulary_size=V, sequence_length=T, hidden_dim=8, seed=2)
    discriminator = ks.models.Discriminator(
        vocabulary_size=V, sequence_length=T, filter_sizes=(2,), num_filters=(4,)
    )
    hypermodel = tuning.SeqGANHyperModel(
        generator_weights=generator, discriminator_weights=discriminator, num_rollouts=2
    )
    assert (hypermodel.vocabulary_size, hypermodel.sequence_length) == (V, T)
    gan = hypermodel.build(kt.HyperParameters())
    assert gan.generator is not generator and gan.generator.hidden_dim == 8
    for network, source in ((gan.generator, generator), (gan.discriminator, discriminator)):
        for built, original in zip(network.get_weights(), source.get_weights(), strict=True):
            np.testing.assert_array_equal(built, original)
    # The rollout copy starts from the pre-trained generator too.
    for rollout, original in zip(gan.rollout.get_weights(), generator.get_weights(), strict=True):
        np.testing.assert_array_equal(rollout, original)
    # Arrays work with a builder; shapes that do not fit stop the search.
    arrays = tuning.SeqGANHyperModel(
        **hypermodel_arguments(generator_weights=generator.get_weights())
    )
    with pytest.raises(kt.errors.FatalValueError, match="generator_weights"):
        arrays.build(kt.HyperParameters())


def test_fit_adds_the_trials_annealing_and_passes_the_rest(real):
    hypermodel = tuning.SeqGANHyperModel(**hypermodel_arguments())
    hp = kt.HyperParameters()
    hp.Fixed("temperature_schedule", "linear")
    hp.Fixed("temperature_start", 1.5)
    hp.Fixed("temperature_end", 0.5)
    gan = hypermodel.build(hp)
    records = []
    history = hypermodel.fit(
        hp,
        gan,
        ks.data.sequence_dataset(real, batch_size=32, seed=5, repeat=True),
        epochs=3,
        initial_epoch=1,  # as Hyperband passes it
        steps_per_epoch=1,
        verbose=0,
        callbacks=[Recorder(records)],
    )
    # Linear over 3 epochs from 1.5 to 0.5: epochs 1 and 2 (counted from 0).
    assert [(epoch, temperature) for epoch, temperature, _ in records] == [(1, 1.0), (2, 0.5)]
    assert history.history["temperature"] == [1.0, 0.5]
    with pytest.raises(kt.errors.FatalValueError, match="TemperatureAnnealing"):
        hypermodel.fit(hp, gan, real, callbacks=[ks.callbacks.TemperatureAnnealing()])
    with pytest.raises(kt.errors.FatalTypeError, match="SeqGAN"):
        hypermodel.fit(hp, gan.generator, real)
    # The callbacks a search gets can be deep-copied, as KerasTuner does for every trial.
    scorer = tuning.oracle_nll_callback(ks.data.OracleLSTM(V, T, seed=1), num_samples=10)
    clone = copy.deepcopy([scorer, hypermodel.temperature_annealing(hp)])
    assert clone[0].oracle is scorer.oracle and (clone[0].every, clone[0].temperature) == (1, 1.0)


@pytest.mark.parametrize(
    "changes, error, name",
    [
        (dict(vocabulary_size=None), ValueError, "vocabulary_size"),
        (dict(vocabulary_size=1), ValueError, "vocabulary_size"),
        (dict(sequence_length="6"), TypeError, "sequence_length"),
        (dict(embedding_dim=0), ValueError, "embedding_dim"),
        (dict(hidden_dim=2.5), TypeError, "hidden_dim"),
        (dict(discriminator_embedding_dim=0), ValueError, "discriminator_embedding_dim"),
        (dict(filter_sizes=(2, 3), num_filters=(8,)), ValueError, "num_filters"),
        (dict(filter_sizes=(2, 9), num_filters=(8, 8)), ValueError, "filter_sizes"),
        (dict(filter_sizes=3, num_filters=8), TypeError, "filter_sizes"),
        (dict(build_generator="generator"), TypeError, "build_generator"),
        (dict(build_discriminator=1), TypeError, "build_discriminator"),
        (dict(generator_weights="weights.h5"), TypeError, "generator_weights"),
        (dict(discriminator_weights=3), TypeError, "discriminator_weights"),
        (dict(objective="wgan"), ValueError, "objective"),
        (dict(num_rollouts=0), ValueError, "num_rollouts"),
        (dict(seed=-1), ValueError, "seed"),
        (dict(seed=2**63), ValueError, "seed"),
        (dict(seed=1.5), TypeError, "seed"),
        (dict(generator_learning_rate=0), ValueError, "generator_learning_rate"),
        (dict(discriminator_learning_rate="1e-4"), TypeError, "discriminator_learning_rate"),
        (dict(tune_learning_rates=1), TypeError, "tune_learning_rates"),
        (dict(gradient_clip=float("inf")), ValueError, "gradient_clip"),
        (dict(annealing_epochs=0), ValueError, "annealing_epochs"),
        (dict(compile_kwargs=[("jit_compile", True)]), TypeError, "compile_kwargs"),
        (dict(compile_kwargs={"d_steps": 2}), ValueError, "compile_kwargs"),
        (dict(compile_kwargs={"optimizer": "adam"}), ValueError, "compile_kwargs"),
        (dict(name=3), TypeError, "name"),
        (dict(tunable="yes"), TypeError, "tunable"),
    ],
)
def test_bad_arguments(changes, error, name):
    with pytest.raises(error, match=name):
        tuning.SeqGANHyperModel(**hypermodel_arguments(**changes))


def test_bad_weight_sources():
    generator = ks.models.Generator(vocabulary_size=V, sequence_length=T, hidden_dim=8)
    with pytest.raises(ValueError, match="vocabulary_size"):
        tuning.SeqGANHyperModel(vocabulary_size=V + 1, generator_weights=generator)
    with pytest.raises(ValueError, match="hidden_dim"):
        tuning.SeqGANHyperModel(hidden_dim=16, generator_weights=generator)
    with pytest.raises(TypeError, match="generator_weights"):
        tuning.SeqGANHyperModel(generator_weights=keras.Sequential([keras.layers.Dense(1)]))
    with pytest.raises(kt.errors.FatalTypeError, match="build_generator"):
        tuning.SeqGANHyperModel(
            **hypermodel_arguments(build_generator=lambda hp: keras.Sequential())
        ).build(kt.HyperParameters())
    bad_schedule = kt.HyperParameters()
    bad_schedule.Fixed("temperature_schedule", "staircase")
    with pytest.raises(kt.errors.FatalValueError, match="temperature_schedule"):
        tuning.SeqGANHyperModel(**hypermodel_arguments()).hyperparameter_values(bad_schedule)


def test_the_largest_seed_builds():
    """The generator's seed is derived from the hypermodel's: it stays valid at the top."""
    hypermodel = tuning.SeqGANHyperModel(**hypermodel_arguments(seed=2**63 - 1))
    gan = hypermodel.build(kt.HyperParameters())
    assert gan.generator.seed == 0
