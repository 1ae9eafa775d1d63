"""citytwin.Scenario: a scenario held as YAML plus edits, addressed by key paths."""
from __future__ import annotations

import copy
import difflib
import os
import warnings
from typing import Any, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import yaml

from . import _core


class ScenarioWarning(UserWarning):
    """Something a scenario asks that a run silently does not do (a population no gateway serves, an
    alert on a type no population has, ...); the text is "file:line:col: key.path: warning: message"."""


PathLike = Union[str, "os.PathLike[str]"]


def split_path(path: str) -> List[str]:
    """'devices[0].radio.sf' -> ['devices', '0', 'radio', 'sf']; 'gateways[+]' -> ['gateways', '+'];
    'gateways[0:2].backup' -> ['gateways', '0:2', 'backup']."""
    dotted = path.replace("[", ".").replace("]", "")
    segments = dotted.split(".")
    if not path or any(s == "" for s in segments):
        raise KeyError(f"malformed key path {path!r}: expected e.g. devices.0.interval or gateways[+]")
    return segments


def value_text(value: Any) -> str:
    """A value as the YAML text of a key.path=value override."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return repr(value)
    return yaml.safe_dump(value, default_flow_style=True, width=1 << 30, sort_keys=False).strip()


def override_texts(overrides: Optional[Mapping[str, Any]]) -> List[str]:
    """{"key.path": value} -> ["key.path=value", ...], in order."""
    return [f"{key}={value_text(value)}" for key, value in (overrides or {}).items()]


def _describe(node: Any) -> str:
    return "a list" if isinstance(node, list) else "a map" if isinstance(node, dict) else repr(node)


def _step(node: Any, segment: str, so_far: str) -> Any:
    """The child `segment` of `node`; KeyError naming the path (and a close key) when absent."""
    where = so_far or "the document"
    if isinstance(node, list):
        if not segment.isdigit():
            raise KeyError(f"{where} is a list: expected an index, got {segment!r}")
        if int(segment) >= len(node):
            raise KeyError(f"{so_far}[{segment}]: index out of range ({so_far} has {len(node)} entries)")
        return node[int(segment)]
    if isinstance(node, dict):
        if segment not in node:
            hint = difflib.get_close_matches(segment, [str(k) for k in node], n=1)
            raise KeyError(f"{_join(so_far, segment)}: no such key" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        return node[segment]
    raise KeyError(f"{where} is {_describe(node)}, not a map or list")


def _join(path: str, segment: str) -> str:
    return f"{path}[{segment}]" if segment.isdigit() or segment == "+" else (f"{path}.{segment}" if path else segment)


def apply_edit(data: Any, path: str, value: Any) -> Any:
    """Sets `path` in `data` (a YAML tree) to a copy of `value`, like the C++ override: the last key may
    be new in a map, '+' appends to a list, a slice 'a:b' sets each entry a..b-1. Returns the new root."""
    segments = split_path(path)
    if data is None:
        data = {}
    node, so_far = data, ""
    for i, segment in enumerate(segments):
        last = i + 1 == len(segments)
        if ":" in segment and isinstance(node, list):  # a slice "a:b": the rest applies to each entry
            lo, _, hi = segment.partition(":")
            if not (lo.isdigit() or lo == "") or not (hi.isdigit() or hi == ""):
                raise KeyError(f"{so_far}[{segment}]: malformed slice: expected a:b, e.g. gateways[0:6]")
            begin, end = int(lo or 0), int(hi) if hi else len(node)
            if not begin < end <= len(node):
                raise KeyError(f"{so_far}[{segment}]: slice {segment} selects no entry or is out of range "
                               f"({so_far} has {len(node)} entries)")
            for k in range(begin, end):
                apply_edit(node, ".".join([str(k)] + segments[i + 1:]), value)
            return data
            node.append(copy.deepcopy(value) if last else {})
            if last:
                return data
            node, so_far = node[-1], _join(so_far, segment)
            continue
        if last:
            if isinstance(node, list):
                _step(node, segment, so_far)  # range check
                node[int(segment)] = copy.deepcopy(value)
            elif isinstance(node, dict):
                node[segment] = copy.deepcopy(value)
            else:
                raise KeyError(f"{so_far or 'the document'} is {_describe(node)}, not a map or list")
            return data
        child = _step(node, segment, so_far) if not (isinstance(node, dict) and segments[i + 1] == "+"
                                                     and node.get(segment) is None) else None
        if child is None and isinstance(node, dict):  # an empty section that is appended to
            node[segment] = child = []
        node, so_far = child, _join(so_far, segment)
    return data


class Scenario:
    """A scenario: YAML read from a file, text or a dict, plus edits made by key path.

        sc = citytwin.Scenario.from_file("scenarios/quickstart.yaml")
        sc["devices.0.interval"] = "2 min"             # any key, values with units as text
        sc.append("gateways", {"name": "gw9", "position": ["1 km", "1 km"]})   # or sc["gateways[+]"] = {...}
        sc.validate(); r = sc.run(seed=3)

    A scenario read from a file is run from that file with the edits as key.path=value overrides, so
    errors keep pointing at the file's lines (file:line:col) and the trace's /meta records both.
    """

    def __init__(self, text: Optional[str], *, source: str = "<text>", path: Optional[str] = None,
                 edits: Sequence[Tuple[str, Any]] = ()) -> None:
        """Use from_file, from_yaml or from_dict. text: the YAML, or None to read the file at path when
        a value is first needed (a missing file is then reported by validate/run as a ScenarioError)."""
        self._text = text
        self._source = source
        self._path = path
        self._loaded: Any = None
        self._edits: List[Tuple[str, Any]] = []
        for key, value in edits:
            self[key] = value

    @property
    def _data(self) -> Any:
        if self._loaded is None:
            if self._text is None:
                with open(self._path, encoding="utf-8") as f:  # type: ignore[arg-type]
                    self._text = f.read()
            self._loaded = yaml.safe_load(self._text) if self._text.strip() else {}
            if not isinstance(self._loaded, dict):
                raise ValueError(f"{self._source}: a scenario is a YAML map, not {_describe(self._loaded)}")
        return self._loaded

    @_data.setter
    def _data(self, value: Any) -> None:
        self._loaded = value

    # --- construction -----------------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: PathLike) -> "Scenario":
        """A scenario file (read when a value is first needed; errors name it with line and column)."""
        path = os.fspath(path)
        return cls(None, source=path, path=path)

    @classmethod
    def from_yaml(cls, text: str, source: str = "<text>") -> "Scenario":
        """A scenario from YAML text."""
        return cls(text, source=source)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Scenario":
        """A scenario from nested dicts and lists, as yaml.safe_load would give."""
        return cls(yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True), source="<dict>")

    @classmethod
    def load(cls, scenario: "ScenarioLike") -> "Scenario":
        """A Scenario from anything run() accepts: a Scenario (returned as is), a path, YAML text
        (a str with a newline) or a dict."""
        if isinstance(scenario, Scenario):
            return scenario
        if isinstance(scenario, Mapping):
            return cls.from_dict(scenario)
        if isinstance(scenario, os.PathLike) or (isinstance(scenario, str) and "\n" not in scenario):
            return cls.from_file(scenario)
        if isinstance(scenario, str):
            return cls.from_yaml(scenario)
        raise TypeError(f"a scenario is a path, YAML text, a dict or a Scenario, not {type(scenario).__name__}")

    # --- keys ---------------------------------------------------------------------------------------
    def __getitem__(self, path: str) -> Any:
        """The value at a key path ("devices.0.interval", "devices[0].radio"), as written (units as text)."""
        node, so_far = self._data, ""
        for segment in split_path(path):
            node = _step(node, segment, so_far)
            so_far = _join(so_far, segment)
        return copy.deepcopy(node)

    def __setitem__(self, path: str, value: Any) -> None:
        """Sets the value at a key path; "[+]" appends to a list (sc["gateways[+]"] = {...})."""
        self._data = apply_edit(self._data, path, value)
        self._edits.append((path, copy.deepcopy(value)))

    def quantity(self, path: str, unit: Optional[str] = None) -> float:
        """The value at path as a number: in the base unit of its dimension (s, m, Hz, bit/s, byte, mA,
        mAh, V, dBm, dB, flop; a fraction for %), or in `unit` ("min", "km", "MHz", ...) when given.
        sc.quantity("devices.0.interval", "min") -> 5.0 for "5 min"."""
        value, base, dimension = _core.parse_quantity(str(self[path]))
        if unit is None:
            return float(value)
        factor, unit_base, unit_dimension = _core.parse_quantity(f"1 {unit}")
        if unit_dimension != dimension:
            raise ValueError(f"{path}: {self[path]!r} is {dimension}, not convertible to {unit!r} ({unit_dimension})")
        return float(value) / float(factor)

    def __contains__(self, path: str) -> bool:
        try:
            self[path]
        except KeyError:
            return False
        return True

    def get(self, path: str, default: Any = None) -> Any:
        """The value at a key path, or default when there is none."""
        return self[path] if path in self else default

    def append(self, path: str, value: Any) -> None:
        """Appends value to the list at path (created when the section is empty): sc.append("gateways", {...})."""
        self[f"{path}[+]"] = value

    def copy(self) -> "Scenario":
        """An independent copy (edits included)."""
        return Scenario(self._text, source=self._source, path=self._path, edits=self._edits)

    # --- views ----------------------------------------------------------------------------------------
    @property
    def source(self) -> str:
        """The file path, "<text>" or "<dict>"."""
        return self._source

    @property
    def overrides(self) -> List[str]:
        """The edits as key.path=value overrides, in order."""
        return [f"{k}={value_text(v)}" for k, v in self._edits]

    def to_dict(self) -> Any:
        """The scenario with its edits, as nested dicts and lists."""
        return copy.deepcopy(self._data)

    def to_yaml(self) -> str:
        """The scenario with its edits as YAML text (comments of the original are not kept)."""
        return yaml.safe_dump(self._data, sort_keys=False, allow_unicode=True)

    def source_args(self, overrides: Optional[Mapping[str, Any]] = None) -> Tuple[str, bool, List[str]]:
        """(text_or_path, is_text, overrides) for the compiled core."""
        extra = self.overrides + override_texts(overrides)
        if self._path is not None:
            return self._path, False, extra
        return self._text or "", True, extra

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._data == other._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data or {})

    def __repr__(self) -> str:
        edits = f", {len(self._edits)} edits" if self._edits else ""
        return f"<citytwin.Scenario {self._source}{edits}>"

    # --- actions --------------------------------------------------------------------------------------
    def validate(self, overrides: Optional[Mapping[str, Any]] = None) -> None:
        """Raises ScenarioError listing every problem (file:line:col: key.path: message); warns (a
        ScenarioWarning) for each thing a run would silently not do."""
        for text in _core.validate(*self.source_args(overrides)):
            warnings.warn(text, ScenarioWarning, stacklevel=2)

    def run(self, **kwargs: Any) -> "Any":
        """Runs this scenario: citytwin.run(self, **kwargs)."""
        from ._runner import run

        return run(self, **kwargs)


ScenarioLike = Union[Scenario, str, "os.PathLike[str]", Mapping[str, Any]]
