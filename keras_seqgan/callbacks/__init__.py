"""Callbacks for SeqGAN training: temperature annealing, learning rates, timing, evaluation
and display."""

from keras_seqgan.callbacks.batch_timer import BatchTimer
from keras_seqgan.callbacks.generated_samples import GeneratedSamples
from keras_seqgan.callbacks.learning_rate_scheduler import LearningRateScheduler
from keras_seqgan.callbacks.oracle_nll import OracleNLL
from keras_seqgan.callbacks.stop_on_skipped_updates import StopOnSkippedUpdates
from keras_seqgan.callbacks.temperature_annealing import TemperatureAnnealing
from keras_seqgan.callbacks.training_display import TrainingDisplay

__all__ = [
    "BatchTimer",
    "GeneratedSamples",
    "LearningRateScheduler",
    "OracleNLL",
    "StopOnSkippedUpdates",
    "TemperatureAnnealing",
    "TrainingDisplay",
]
