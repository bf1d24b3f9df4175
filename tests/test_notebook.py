"""The tour notebook, notebooks/tour.ipynb: stored without outputs; every cell runs."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from capabilities import missing

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "tour.ipynb"


def _code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def test_committed_notebook_has_no_outputs():
    """Every code cell of the committed notebook has no outputs and no count."""
    cells = _code_cells(json.loads(NOTEBOOK.read_text(encoding="utf-8")))
    assert cells
    for cell in cells:
        assert cell["outputs"] == [], cell["source"]
        assert cell["execution_count"] is None, cell["source"]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook run top to bottom in a python3 kernel, quick sizes, in a tmp dir."""
    modules = {}
    for name in ("nbclient", "nbformat", "ipykernel"):
        try:
            modules[name] = importlib.import_module(name)
        except ImportError as error:
            missing(
                "notebook",
                f"the notebook extra is not installed ({error}): "
                'pip install -e ".[notebook]"',
            )
    nbclient, nbformat = modules["nbclient"], modules["nbformat"]
    folder = tmp_path_factory.mktemp("notebook")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},  # the kernel's working folder
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CI", "true")  # the kernel inherits it: the tour's quick sizes
        client.execute()  # raises CellExecutionError naming the failing cell
    return folder, _code_cells(notebook)


def _mime_types(cell: dict) -> set[str]:
    return {kind for output in cell["outputs"] for kind in output.get("data", {})}


def test_notebook_runs_every_cell_without_error(executed):
    """Every code cell ran and none has an error output."""
    _, cells = executed
    assert all(cell["execution_count"] is not None for cell in cells)
    kinds = {output["output_type"] for cell in cells for output in cell["outputs"]}
    assert "error" not in kinds


def test_notebook_shows_the_graph_inline_as_svg(executed):
    """The cell ending in viz.draw_graph(o) displays the graph as an SVG."""
    _, cells = executed
    (graph_cell,) = [c for c in cells if "".join(c["source"]).endswith("draw_graph(o)")]
    assert "image/svg+xml" in _mime_types(graph_cell)


def test_notebook_shows_the_animation_and_the_plots(executed):
    """A GIF (the backward pass) and PNGs (the plots) are displayed inline."""
    _, cells = executed
    shown = set().union(*(_mime_types(cell) for cell in cells))
    assert {"image/gif", "image/png"} <= shown


def test_notebook_writes_its_pictures_beside_it(executed):
    """The run leaves the animation and the moons plot in out/tour_notebook."""
    folder, _ = executed
    written = folder / "out" / "tour_notebook"
    for name in ("neuron_backward.gif", "neuron_backward.html", "cost.png"):
        assert (written / name).stat().st_size > 0, name
    assert (written / "moons_decision_boundary.png").stat().st_size > 0
