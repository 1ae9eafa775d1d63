"""Executes notebooks in place so that their stored outputs come from the current code, and records in
each notebook's metadata the citytwin version and trace schema that produced them (the notebook test
refuses stored outputs stamped with another, or not stamped).

    PYTHONPATH=build/python /usr/bin/python3 notebooks/render.py [notebooks/NN-name.ipynb ...]

Without arguments, every notebook in notebooks/. Runs in a scratch working directory, with CITYTWIN_SCENARIOS
pointing at scenarios/.
"""
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import citytwin
from citytwin import _core

HERE = Path(__file__).resolve().parent


def stamp() -> dict:
    """What the notebook test compares: the package version and the trace schema version."""
    return {"version": citytwin.__version__, "schema_version": int(_core.schema_version)}


def render(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("CITYTWIN_SCENARIOS", str(HERE.parent / "scenarios"))
    # the kernel starts in a scratch directory: a relative PYTHONPATH (build/python) must still find citytwin
    os.environ["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve())
                                               for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)
    with tempfile.TemporaryDirectory() as scratch:  # files a notebook writes (traces, exports) go here
        NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": scratch}}).execute()
    nb.metadata["citytwin"] = stamp()
    nbformat.write(nb, path)
    print(f"{path.name}: executed, stamped {stamp()}")


if __name__ == "__main__":
    for p in (sys.argv[1:] or sorted(str(p) for p in HERE.glob("*.ipynb"))):
        render(Path(p))
