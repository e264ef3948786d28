"""The loss-landscape panel: view.py (controls, words), plots.py (plane and slice), demo.py
(a made-up Landscape for the stand-alone run: python -m nnviz.gui.views.landscape)."""
