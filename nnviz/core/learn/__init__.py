"""What makes training visible beyond the live views: the guided presets (presets.py), one
step explained with its numbers (explain.py; the optimiser's rule taken apart in
update_rule.py; formula cards in formulas.py and update_cards.py), the loss landscape
(landscape.py: the plane and the slice along the gradient; landscape_kernel.py, its
compiled inner loop, prepared by landscape_build.py; directions.py; path.py, the bounded
path recorder; landscape_job.py, one refresh in time-boxed parts), and the lessons and the
timeline as they arrive."""
