import nnviz  # noqa: F401  (pins BLAS to one thread before anything imports numpy)
