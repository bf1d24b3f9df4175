"""Neural networks on top of ``autograd``: modules, losses, optimizers, data."""
