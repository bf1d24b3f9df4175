"""Pictures of the graph, of the backward pass step by step, and of a network's layers.

- ``draw_graph`` gives a ``graphviz.Digraph`` of the graph (shown inline in Jupyter);
  ``render`` writes it as SVG, PNG or DOT.
- ``animate_backward`` writes the backward pass, a frame per step, as a GIF, a
  self-contained HTML page or a folder of SVGs; ``print_backward`` prints it as a
  table in the terminal.
- ``draw_network`` draws a model as the network diagram (neurons in columns, an edge
  per weight); ``animate_network_backward`` shows backprop on it, layer by layer.

Graph pictures are rendered by a Graphviz command: ``dot`` when it is on PATH, else
``graphviz-pure`` (``pip install graphviz-pure``, in the ``viz`` extra). The network
diagram is laid out here and written as SVG, or drawn with Pillow for PNG and GIF.
The graphviz package and Pillow are imported inside the functions that need them:
``import autograd`` needs neither.

The package's modules: ``graph`` (the drawing of a graph), ``frames`` (the backward
pass as frames), ``page`` (the HTML page and the GIF), ``table`` (the terminal
view), ``rendering`` (renderers and files), ``network`` and ``diagram`` (the layer
view), ``canvas`` (SVG and Pillow drawing), ``text`` (labels, numbers, widths).
"""

from autograd.backward import Step, backward_steps
from autograd.viz.frames import MAX_ANIMATION_NODES, animate_backward
from autograd.viz.graph import MAX_NODES, draw_graph
from autograd.viz.network import (
    SATURATED,
    NetworkDiagram,
    animate_network_backward,
    draw_network,
    network_frames,
)
from autograd.viz.rendering import RendererNotFound, find_renderer, render
from autograd.viz.table import print_backward

__all__ = [
    "MAX_ANIMATION_NODES",
    "MAX_NODES",
    "SATURATED",
    "NetworkDiagram",
    "RendererNotFound",
    "Step",
    "animate_backward",
    "animate_network_backward",
    "backward_steps",
    "draw_graph",
    "draw_network",
    "find_renderer",
    "network_frames",
    "print_backward",
    "render",
]
