"""Shared helpers of the tests: the repository's root here, window and graph drivers in
helpers.window and helpers.topology (those two import Qt)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]   # the repository: README.md, docs/, resources/
