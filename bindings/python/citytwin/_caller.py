"""The user's line: a warning about a scenario points at the call that ran or validated it (the first frame
outside this package), not at the package's own code, wherever in the package and in whichever thread
(run_async's) it is raised."""
from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Type

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


@dataclass(frozen=True)
class Caller:
    """A line of the user's code: what warnings.warn would name with the right stacklevel."""

    filename: str
    lineno: int
    module_globals: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def caller() -> Caller:
    """The innermost frame of the calling thread that is not this package's code."""
    frame = sys._getframe(1)
    outermost = frame
    while frame is not None:
        if not os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
            return Caller(frame.f_code.co_filename, frame.f_lineno, frame.f_globals)
        outermost = frame
        frame = frame.f_back
    return Caller(outermost.f_code.co_filename, outermost.f_lineno, outermost.f_globals)


def warn_at(where: Caller, texts: Iterable[str], category: Type[Warning]) -> None:
    """Each text as a warning of category at the user's line `where` (the filters and the once-per-line
    registry apply as they do to warnings.warn there)."""
    g = where.module_globals
    registry = g.setdefault("__warningregistry__", {}) if g else None
    # Code without a file (python -c, exec of a string: "<string>") has no source line to show, and its
    # globals' loader cannot give one: Python 3.11's warn_explicit asked BuiltinImporter for __main__'s
    # source and raised ImportError instead of warning. Its globals are then not passed.
    source_globals = None if where.filename.startswith("<") else (g or None)
    for text in texts:
        warnings.warn_explicit(text, category, where.filename, where.lineno, module=g.get("__name__"),
                               registry=registry, module_globals=source_globals)
