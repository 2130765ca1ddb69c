"""Generator and discriminator networks."""

from keras_seqgan.models.discriminator import Discriminator, paper_filters
from keras_seqgan.models.dropout import CounterDropout
from keras_seqgan.models.generator import Generator
from keras_seqgan.models.prefix_discriminator import PrefixDiscriminator

__all__ = ["CounterDropout", "Discriminator", "Generator", "PrefixDiscriminator", "paper_filters"]
