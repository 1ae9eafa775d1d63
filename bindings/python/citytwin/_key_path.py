"""Key paths ("devices[0].radio.sf", "gateways[+]", "gateways[0:6].backup"): the engine's own grammar of
overrides (sim/scenario/override_path.hpp, through _core), so that a path Python takes is one the engine
reads the same way, and a malformed one is refused where it is written, with the path meant."""
from __future__ import annotations

from typing import List

from . import _core


def key_path_problem(path: str) -> str:
    """Why path is no key path the engine reads, naming it, with the path meant where it can be told
    ("key path 'run..seed' has an empty key (did you mean 'run.seed'?)"); "" when it is one."""
    return _core.key_path_problem(path)


def split_path(path: str) -> List[str]:
    """'devices[0].radio.sf' -> ['devices', '0', 'radio', 'sf']; 'gateways[+]' -> ['gateways', '+'];
    'gateways[0:2].backup' -> ['gateways', '0:2', 'backup']. KeyError (key_path_problem) for a path the
    engine would refuse."""
    problem = _core.key_path_problem(path)
    if problem:
        raise KeyError(problem)
    return _core.split_key_path(path)


def replaced_by(key: str, axis: str) -> bool:
    """Whether an override of `axis` applied after one of `key` replaces everything the latter wrote: the
    same key or one above it, each of its indices and slices taking in the key's ("gateways[0:2].x" takes in
    "gateways[1].x"; not "gateways[1:4].x"). An axis that appends ("gateways[+]") replaces nothing."""
    return _core.key_replaced_by(key, axis)
