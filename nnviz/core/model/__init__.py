"""The network itself: input features, activations, output units with their losses, the
forward pass and the compiled kernel that draws every neuron's picture."""
