"""nnviz: watch a small neural network learn, and steer it while it learns."""

import os as _os

# Our matrices are tiny (at most 10,000 x 32): BLAS threads only add hand-offs, and with the
# other core busy (the trainer thread) a threaded 10000x8 @ 8x8 product took 7.6 ms instead
# of 0.03 ms. This must happen before numpy is first imported to take effect.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_name, "1")

__version__ = "0.1.0"
