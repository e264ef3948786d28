"""What makes training visible beyond the live views: the guided presets (presets.py), one
step explained with its numbers (explain.py; the optimiser's rule taken apart in
update_rule.py; formula cards in formulas.py and update_cards.py), and the lessons, the
loss landscape and the timeline as they arrive."""
