"""What makes training visible beyond the live views: the guided presets, and the lessons,
the explained step, the loss landscape and the timeline as they arrive."""
