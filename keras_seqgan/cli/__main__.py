"""`python -m keras_seqgan.cli`: the `keras-seqgan` command."""

import sys

from keras_seqgan.cli import main

sys.exit(main())
