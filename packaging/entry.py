"""Entry point for the PyInstaller bundle (nnviz/__main__.py imports relatively)."""
import sys

from nnviz.app import main

sys.exit(main())
