"""The network graph: links coloured and sized by weight, neuron pictures, hover and edit.

view.py is the widget (TopologyView); items.py draws links and neurons; card.py the hover
card and the inline editor; geometry.py the layout and the hit tests, with no Qt, which
is why this package imports none of them itself.
"""
