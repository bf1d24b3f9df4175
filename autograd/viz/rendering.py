"""Rendering: finding a Graphviz command, running it, writing files by suffix.

The renderer is ``dot`` when it is on PATH (a system Graphviz), else
``graphviz-pure`` (``pip install graphviz-pure``, in the ``viz`` extra), found on PATH
or beside the running Python. The graphviz package is imported on first use, so that
``import autograd`` needs neither it nor a renderer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograd.value import Value

if TYPE_CHECKING:
    import graphviz

    from autograd.viz.network import NetworkDiagram

PNG_DPI = 144  # PNGs at twice the 72 dpi of an SVG point: sharp when shared


class RendererNotFound(RuntimeError):
    """No Graphviz command to render with; the message says how to install one."""

    def __init__(self, dot_path: Path | None = None) -> None:
        self.dot_path = dot_path
        beside = Path(sys.executable).parent
        lines = [
            "no Graphviz renderer found: looked for `dot` and `graphviz-pure` on PATH",
            f"and for `graphviz-pure` in {beside}. Install one of:",
            "  pip install graphviz-pure    (or: pip install 'scalar-autograd[viz]')",
            "  apt-get install graphviz     (Debian, Ubuntu)",
            "  brew install graphviz        (macOS)",
        ]
        if dot_path is not None:
            lines.append(
                f"The DOT source was written to {dot_path}; once a renderer is "
                f"installed: graphviz-pure -Tsvg {dot_path} -o "
                f"{dot_path.with_suffix('.svg')}"
            )
        super().__init__("\n".join(lines))


def find_renderer() -> str | None:
    """The Graphviz command to render with: ``dot``, else ``graphviz-pure``; or None.

    ``dot`` (a system Graphviz) and ``graphviz-pure`` are looked up on PATH, then
    ``graphviz-pure`` beside ``sys.executable``, where pip puts it in a virtual
    environment that is not activated.
    """
    for name in ("dot", "graphviz-pure"):
        found = shutil.which(name)
        if found:
            return found
    return shutil.which("graphviz-pure", path=str(Path(sys.executable).parent))


def run_renderer(source: str, args: Sequence[str]) -> bytes:
    """Run the renderer on DOT ``source`` with command-line ``args``; its stdout."""
    binary = find_renderer()
    if binary is None:
        raise RendererNotFound()
    done = subprocess.run(
        [binary, *args], input=source.encode("utf-8"), capture_output=True, check=False
    )
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{binary} {' '.join(args)} failed: {message}")
    return done.stdout


def render_bytes(source: str, fmt: str, dpi: int = PNG_DPI) -> bytes:
    """DOT ``source`` rendered in format ``fmt`` (PNGs at ``dpi``)."""
    args = [f"-T{fmt}"]
    if fmt == "png":
        args.append(f"-Gdpi={dpi}")
    return run_renderer(source, args)


def render(
    graph: graphviz.Digraph | Value | NetworkDiagram, path: str | os.PathLike[str]
) -> Path:
    """Write ``graph`` (a drawing, or the graph of a Value) to ``path`` by its suffix.

    A ``graphviz.Digraph`` (from ``draw_graph``) is rendered to ``.svg``, ``.png`` or
    the renderer's other formats; ``.dot`` and ``.gv`` hold its DOT source. Without a
    renderer the DOT source is written beside ``path`` and ``RendererNotFound`` says
    how to install one. A ``NetworkDiagram`` (from ``draw_network``) is written as
    ``.svg`` or ``.png`` and needs no renderer.
    """
    from autograd.viz.graph import draw_graph
    from autograd.viz.network import NetworkDiagram

    if isinstance(graph, Value):
        graph = draw_graph(graph)
    path = Path(path)
    if isinstance(graph, NetworkDiagram):
        return graph.save(path)
    if not isinstance(getattr(graph, "source", None), str):
        raise TypeError(
            "render: graph must be a Value, a draw_graph drawing or a draw_network "
            f"diagram, got {type(graph).__name__}"
        )
    fmt = path.suffix.lstrip(".").lower()
    if fmt in ("dot", "gv"):
        path.write_text(graph.source, encoding="utf-8")
        return path
    if not fmt:
        raise ValueError(f"render: {path} has no suffix to name a format (.svg, .png)")
    try:
        path.write_bytes(render_bytes(graph.source, fmt))
    except RendererNotFound:
        dot_path = path.with_suffix(".dot")
        dot_path.write_text(graph.source, encoding="utf-8")
        raise RendererNotFound(dot_path) from None
    return path


def import_graphviz() -> Any:
    """The graphviz package, or an error saying how to install it."""
    try:
        import graphviz
    except ImportError:
        raise ModuleNotFoundError(
            "autograd.viz needs the graphviz package: pip install "
            "'scalar-autograd[viz]' (or: pip install graphviz graphviz-pure)"
        ) from None
    return graphviz


_GRAPH_CLASS: Any = None


def graph_class() -> Any:
    """A ``graphviz.Digraph`` whose ``pipe`` (and so Jupyter display) uses our renderer.

    Made on first use, so that graphviz is imported only when a graph is drawn.
    """
    global _GRAPH_CLASS
    if _GRAPH_CLASS is None:
        graphviz = import_graphviz()

        class Digraph(graphviz.Digraph):  # type: ignore[name-defined]
            """A ``graphviz.Digraph`` rendered by ``dot`` or ``graphviz-pure``."""

            def pipe(
                self,
                format: str | None = None,  # noqa: A002 - graphviz's own name
                renderer: str | None = None,
                formatter: str | None = None,
                neato_no_op: bool | int | None = None,
                quiet: bool = False,
                *,
                engine: str | None = None,
                encoding: str | None = None,
            ) -> bytes | str:
                """The graph rendered (``svg``, ``png``, ...) as bytes, or str."""
                parts = [format or self.format or "svg", renderer, formatter]
                fmt = ":".join(p for p in parts if p)
                args = [f"-K{engine or self.engine}", f"-T{fmt}"]
                if neato_no_op:
                    args.append(f"-n{int(neato_no_op)}")
                data = run_renderer(self.source, args)
                return data.decode(encoding) if encoding else data

        Digraph.__module__ = "autograd.viz"
        _GRAPH_CLASS = Digraph
    return _GRAPH_CLASS


def import_pillow(what: str) -> Any:
    """PIL's ``Image`` module, or an error saying ``what`` needs Pillow."""
    try:
        from PIL import Image
    except ImportError:
        raise ModuleNotFoundError(
            f"{what} needs Pillow: pip install 'scalar-autograd[viz]' "
            "(or: pip install pillow)"
        ) from None
    return Image
