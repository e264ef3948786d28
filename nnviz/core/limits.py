"""One set of limits for every way a value comes in: files, hand edits, drawn points, settings.

A value one path accepts and another refuses makes a session that cannot be exported, or
a file that loads and then fails later; so every reader, the Trainer's edits and its data
checks take their bounds from here, and "diverged" means a weight past MAX_PARAM too.
This module imports nothing, so any module of the core may use it.
"""

from __future__ import annotations

# -- the network ---------------------------------------------------------------------------
MAX_LAYERS = 10          # hidden layers
MAX_NEURONS = 32         # neurons per hidden layer
MAX_FEATURES = 7         # input features (all of config.FEATURES)
MAX_OUTPUTS = 10         # output neurons (softmax over at most MAX_CLASSES classes)
MAX_PARAM = 1e6          # |weight| and |bias|: larger is refused, and a trained one is "diverged"

# -- the data ------------------------------------------------------------------------------
MAX_CLASSES = 10         # classes a data set may have (labels 0..9)
MAX_POINTS = 100_000     # points in a data set, training and test together
MAX_COORD = 1e6          # |x|, |y| of a point and |label| (a regression target)

# -- the run -------------------------------------------------------------------------------
MAX_HISTORY = 10_000     # loss-history entries (metrics.History thins beyond this)
# Epoch, step and update counters. 2**53 keeps them exact as float64, which the learning-rate
# decay, Adam's bias correction and the curves' epoch axis compute with, and far from the
# int64 overflow of the kernel; at a million updates a second it lasts 285 years.
MAX_COUNT = 2**53
MAX_SEED = 2**32 - 1     # seeds are numpy SeedSequence words
MAX_STOP_EPOCH = 10**9

# -- files ---------------------------------------------------------------------------------
MAX_FILE_BYTES = 50 * 2**20    # a session or weights file; larger ones are refused unread
MAX_CSV_BYTES = 64 * 2**20     # a point file: 100,000 rows of many columns
MAX_CSV_LINE = 65_536          # characters in one line of a point file
MAX_CSV_LINES = 1_000_000      # lines of any kind (blank, comment) in a point file
# An .npz may unpack to this much in all: the largest session (100,000 points, a full
# history, the largest network) is about 5 MB, so this leaves room without letting a small
# compressed file expand into gigabytes.
MAX_UNPACKED_BYTES = 32 * 2**20
MAX_META_BYTES = 2**20         # the JSON text stored in an .npz (a few kB in practice)
MAX_JSON_BYTES = 4 * 2**20     # a weights .json: the largest network writes about 300 kB
# Elements of JSON text, counted before parsing: every "[" and "{" (containers) and every
# "," (items). The largest network has about 400 rows and 10,000 numbers.
MAX_JSON_CONTAINERS = 100_000
MAX_JSON_ITEMS = 1_000_000
MAX_LESSON_BYTES = 256 * 2**10  # a lesson file: the longest built-in one is a few kB of text
MAX_QUOTE = 40                 # characters of a file's value quoted in a message
