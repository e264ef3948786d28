"""The panels that draw Snapshots and emit requests; each runs alone with made-up data
(python -m nnviz.gui.views.surface, .curves, .topology)."""
