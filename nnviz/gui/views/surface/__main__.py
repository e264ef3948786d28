"""python -m nnviz.gui.views.surface [K]: the panel alone with a made-up Snapshot of K
classes (0 for regression), in drawing mode; it prints the requests it would send."""

from nnviz.gui.views.surface.view import main

main()
