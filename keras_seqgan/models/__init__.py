"""Generator and discriminator networks."""

from keras_seqgan.models.discriminator import Discriminator
from keras_seqgan.models.generator import Generator

__all__ = ["Discriminator", "Generator"]
