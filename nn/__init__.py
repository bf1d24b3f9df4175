"""Neural networks on top of ``autograd``: modules, losses, optimizers, data.

``MLP(2, [16, 16, 1], seed=0)`` is micrograd's model; ``mse_loss``, ``hinge_loss``,
``binary_cross_entropy`` and ``cross_entropy`` are means over samples; ``SGD`` and
``Adam`` follow PyTorch's update rules; ``datasets.make_moons`` makes toy data.
``model.to_torch()``, ``MLP.from_torch(module)``, ``model.torch_state_dict()`` and
``model.to_onnx(path)`` carry a model to PyTorch and back, and out to ONNX (the
``torch`` and ``onnx`` extras; ``nn`` itself needs nothing but Python).
"""

from nn import datasets
from nn.layers import ACTIVATIONS, MLP, Layer, LayerRecord, Neuron
from nn.losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from nn.module import Module
from nn.optim import SGD, Adam, Optimizer

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "SGD",
    "Adam",
    "Layer",
    "LayerRecord",
    "Module",
    "Neuron",
    "Optimizer",
    "binary_cross_entropy",
    "cross_entropy",
    "datasets",
    "hinge_loss",
    "mse_loss",
]
