"""The demos and the ``scalar-autograd`` command (the engine is autograd, nets nn)."""

from autograd import __version__

__all__ = ["__version__"]
