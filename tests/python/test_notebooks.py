"""Every notebook in notebooks/ runs top to bottom without error (executed, not just opened), and the
outputs stored in it come from the current code: notebooks/render.py stamps the citytwin version and the
trace schema into the metadata when it executes them."""
import os
from pathlib import Path

import nbformat
import pytest

import citytwin
from nbclient import NotebookClient

NOTEBOOKS = Path(os.environ.get("CITYTWIN_SOURCE_DIR", Path(__file__).resolve().parents[2])) / "notebooks"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_executes(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    os.environ["CITYTWIN_SCENARIOS"] = str(NOTEBOOKS.parent / "scenarios")
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {}) for o in outputs), \
        "the notebook should draw its plots"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_stored_outputs_come_from_this_version(path):
    from citytwin import _core

    nb = nbformat.read(path, as_version=4)
    if not any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"):
        return  # stored without outputs: nothing that could be stale
    stamped = nb.metadata.get("citytwin")
    current = {"version": citytwin.__version__, "schema_version": int(_core.schema_version)}
    assert stamped == current, (f"{path.name}: its stored outputs were made by {stamped}, this is {current}: "
                                f"run notebooks/render.py {path.name}")


def test_there_are_notebooks():
    assert list(NOTEBOOKS.glob("*.ipynb"))
