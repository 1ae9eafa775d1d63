"""Key paths ("devices[0].radio.sf", "gateways[+]", "gateways[0:6].backup"): the grammar of the engine's
overrides (sim/scenario/override_path.hpp), so that a path Python takes is one the engine reads the same
way, and a malformed one is refused where it is written, with the path meant."""
from __future__ import annotations

from typing import List, Optional, Tuple

_ENDLESS = float("inf")


def _meant(path: str) -> str:
    """The path a malformed one most likely meant: empty keys dropped, a '.' after a ']' that text follows,
    "[]" as "[+]" (as the engine's meant_path)."""
    tokens: List[str] = []
    key = ""
    i = 0
    while i < len(path):
        c = path[i]
        if c in ".]":
            if key:
                tokens.append(key)
            key = ""
        elif c == "[":
            if key:
                tokens.append(key)
            key = ""
            close = path.find("]", i)
            inside = path[i + 1:] if close < 0 else path[i + 1:close]
            tokens.append(f"[{inside or '+'}]")
            if close < 0:
                break
            i = close
        else:
            key += c
        i += 1
    if key:
        tokens.append(key)
    meant = ""
    for token in tokens:
        meant += token if token.startswith("[") or not meant else "." + token
    return meant


def _segments(path: str) -> Optional[List[str]]:
    """The keys of a path (as the engine's split_override_path), or None when a key is empty or text
    follows a ']'."""
    for i, c in enumerate(path[:-1]):
        if c == "]" and path[i + 1] not in ".[":
            return None
    segments = path.replace("[", ".").replace("]", "").split(".")
    return None if any(s == "" for s in segments) else segments


def key_path_problem(path: str) -> str:
    """Why path is no key path the engine reads, naming it, with the path meant where it can be told
    ("key path 'run..seed' has an empty key (did you mean 'run.seed'?)"); "" when it is one."""
    if not path:
        return "the key path is empty"
    named = f"key path {path!r}"
    if "=" in path:
        return named + " has a '=' (an override's key ends at its first '=': key.path=value)"
    if _segments(path) is not None:
        return ""
    after = any(c == "]" and path[i + 1] not in ".[" for i, c in enumerate(path[:-1]))
    why = " has text after a ']'" if after else " has an empty key"
    meant = _meant(path)
    if meant and _segments(meant) is not None:
        why += f" (did you mean {meant!r}?)"
    return named + why


def split_path(path: str) -> List[str]:
    """'devices[0].radio.sf' -> ['devices', '0', 'radio', 'sf']; 'gateways[+]' -> ['gateways', '+'];
    'gateways[0:2].backup' -> ['gateways', '0:2', 'backup']. KeyError (key_path_problem) for a path the
    engine would refuse."""
    segments = _segments(path) if path and "=" not in path else None
    if segments is None:
        raise KeyError(key_path_problem(path))
    return segments


def _span(segment: str) -> Optional[Tuple[float, float]]:
    """The entries [begin, end) a segment selects: an index n, a slice a:b (an end left out is open), or
    None for a key or '+'."""
    if segment.isdigit():
        return int(segment), int(segment) + 1
    lo, colon, hi = segment.partition(":")
    if not colon or not (lo.isdigit() or lo == "") or not (hi.isdigit() or hi == ""):
        return None
    return int(lo or 0), int(hi) if hi else _ENDLESS


def replaced_by(key: str, axis: str) -> bool:
    """Whether an override of `axis` applied after one of `key` replaces everything the latter wrote: the
    same key or one above it, each of its indices and slices taking in the key's ("gateways[0:2].x" takes in
    "gateways[1].x"; not "gateways[1:4].x"). An axis that appends ("gateways[+]") replaces nothing. As the
    campaign file's check (sim/scenario/override_path.hpp, replaced_by)."""
    k, a = _segments(key), _segments(axis)
    if k is None or a is None or len(a) > len(k):
        return False
    for ak, kk in zip(a, k):
        if "+" in (ak, kk):
            return False
        a_span, k_span = _span(ak), _span(kk)
        if a_span is not None and k_span is not None:
            if k_span[0] < a_span[0] or k_span[1] > a_span[1]:
                return False
        elif ak != kk:
            return False
    return True
