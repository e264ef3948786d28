"""Training: the optimisers, the numpy reference of one step, the compiled training kernel,
scores and history, and the Trainer that ties them to a network and its data."""
