"""The controls panel: data, features, network and training settings -> one Config."""
