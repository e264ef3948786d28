"""Point sets: the Playground's generators, more of our own, and the train/test split."""
