"""python -m nnviz.gui.views.topology: the graph alone, with a made-up Snapshot."""

import sys

from nnviz.gui.views.topology.view import main

sys.exit(main())
