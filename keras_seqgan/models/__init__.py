"""Generator and discriminator networks."""

from keras_seqgan.models.discriminator import Discriminator, paper_filters
from keras_seqgan.models.dropout import CounterDropout
from keras_seqgan.models.generator import Generator

__all__ = ["CounterDropout", "Discriminator", "Generator", "paper_filters"]
