"""Every notebook in notebooks/ runs top to bottom without error (executed, not just opened)."""
import os
from pathlib import Path

import nbformat
import pytest
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


def test_there_are_notebooks():
    assert list(NOTEBOOKS.glob("*.ipynb"))
