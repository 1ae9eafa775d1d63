"""citytwin.Scenario: a scenario held as YAML plus edits, addressed by key paths."""
from __future__ import annotations

import copy
import difflib
import json
import math
import numbers
import os
import re
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import yaml

from . import _core
from ._caller import caller, warn_at
from ._key_path import key_path_problem, split_path


class ScenarioWarning(UserWarning):
    """Something a scenario asks that a run silently does not do (a population no gateway serves, an
    alert on a type no population has, ...); the text is "file:line:col: key.path: warning: message"."""


PathLike = Union[str, "os.PathLike[str]"]


# --- YAML as the engine reads it -------------------------------------------------------------------
# The engine reads scenarios with yaml-cpp (YAML 1.2, core schema): `on`, `yes`, `0o17` and `2024-01-02`
# are text or numbers there, not what PyYAML's YAML 1.1 makes of them. Python reads scenario text with
# the 1.2 resolvers below, and writes YAML that both readers take the same way.
_YAML11_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                "tag:yaml.org,2002:timestamp"}
_YAML12_RESOLVERS = [  # (tag, regular expression, first characters), in the order they are tried
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+.0123456789"),
]


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's booleans, integers and floats, and no
    timestamps: it reads a scalar as the engine does."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML11_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
for _tag, _pattern, _first in _YAML12_RESOLVERS:
    _Yaml12Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    return int(text, 16 if text.startswith("0x") else 8 if text.startswith("0o") else 10)  # "017" is 17


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    return math.nan if text == ".nan" else float(text)


_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper that also quotes text YAML 1.2 would read as something else ("1e3",
    "0o17"), so that both YAML 1.1 and 1.2 readers get back the same values."""


_Dumper.yaml_implicit_resolvers = {first: list(resolvers)
                                   for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()}
for _tag, _pattern, _first in _YAML12_RESOLVERS:
    _Dumper.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def load_yaml12(text: str) -> Any:
    """YAML text read as the engine reads it (YAML 1.2 core schema): `on`/`off`/`yes`/`no` stay text,
    `0x1F` and `0o17` are integers, `017` is 17, dates stay text."""
    return yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 (a SafeLoader)


def dump_yaml(data: Any) -> str:
    """Block YAML text of plain data that YAML 1.1 and 1.2 readers (PyYAML, the engine) read the same."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def plain_value(value: Any, key: str = "value") -> Any:
    """value as plain Python that YAML can hold: numpy scalars and arrays (and other int, float and
    str subclasses) become int, float, bool, str and lists; tuples lists; os.PathLike its path text.
    Raises TypeError naming `key` (extended into the value: key.name, key[2]) for anything else."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            name = plain_value(k, f"{key} (a key)")
            if isinstance(name, (dict, list)) or name is None:
                raise TypeError(f"{key}: a map's key must be text or a number, not {_describe(name)}")
            out[name] = plain_value(v, _join(key, str(name)))
        return out
    if isinstance(value, (list, tuple)):
        return [plain_value(v, _join(key, str(i))) for i, v in enumerate(value)]
    if isinstance(value, os.PathLike):
        return plain_value(os.fspath(value), key)
    if hasattr(value, "dtype") and hasattr(value, "tolist"):  # a numpy scalar or array, without importing numpy
        return plain_value(value.tolist(), key)
    raise TypeError(f"{key}: cannot write a {type(value).__name__} as a YAML value (expected text, a number, "
                    "true/false, None, or a list or map of these)")


def edit_value(value: Any, key: str = "value") -> Any:
    """A value set at `key` (an edit, an override, a grid value) as plain Python (plain_value). Text that
    is a YAML flow list or map ("[1 km, 500 m]", "{sf: 12}") is that list or map, as the command
    line's --set key=value reads it; other text is text ("Town: A", "on")."""
    value = plain_value(value, key)
    if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
        try:
            parsed = load_yaml12(value)
        except yaml.YAMLError as e:
            raise ValueError(f"{key}: {value!r} starts like a YAML list or map but is not one: "
                             f"{str(e).splitlines()[0]}") from None
        if not isinstance(parsed, (list, dict)):
            raise ValueError(f"{key}: {value!r} starts like a YAML list or map but is not one")
        value = parsed
    return value


# Text that reads back as itself unquoted, in a flow collection too: conservative (anything else is quoted).
_PLAIN_TEXT = re.compile(r"[\w./+%-][\w ./+%:-]*")
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff]")


def _text_scalar(text: str, in_flow: bool) -> str:
    """text as a YAML scalar that yaml-cpp and PyYAML read back as the same text: plain when it
    safely can be ("5 min", "gw-1"), else a double-quoted, JSON-escaped string on one line."""
    plain = (_PLAIN_TEXT.fullmatch(text) is not None and text == text.rstrip()
             and not (in_flow and ":" in text))
    if plain:
        try:
            plain = yaml.safe_load(text) == text and load_yaml12(text) == text
        except yaml.YAMLError:
            plain = False
    if plain:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _flow_text(value: Any, in_flow: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return _text_scalar(value, in_flow)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        return repr(value) if math.isfinite(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, list):
        return "[" + ", ".join(_flow_text(v, True) for v in value) + "]"
    return "{" + ", ".join(f"{_flow_text(k, True)}: {_flow_text(v, True)}" for k, v in value.items()) + "}"


def value_text(value: Any, key: str = "value") -> str:
    """A value (as edit_value takes it) as the YAML text of a key.path=value override: one line, read
    back by the engine (and by load_yaml12) as the same value; text is quoted where it has to be
    ("Town: A" -> "\"Town: A\"", "on" -> "\"on\""). Raises TypeError naming key for a value YAML
    cannot hold."""
    return _flow_text(edit_value(value, key), False)


def check_key_paths(keys: Any, name: str) -> None:
    """Refuses (ValueError) a key path the engine would not read, named as message_namer names the entry
    (name: "overrides", "grid"): `overrides["run..seed"]: key path 'run..seed' has an empty key (did you mean
    'run.seed'?)`. (A '=' in a key would even be read as another key and value.)"""
    for key in keys:
        problem = key_path_problem(key) if isinstance(key, str) else f"expected a key path, got {key!r}"
        if problem:
            raise ValueError(f"{name}[{_key_text(key)}]: {problem}")


def override_texts(overrides: Optional[Mapping[str, Any]]) -> List[str]:
    """{"key.path": value} -> ["key.path=value", ...], in order; ValueError for a malformed key path."""
    check_key_paths(overrides or {}, "overrides")
    return [f"{key}={value_text(value, key)}" for key, value in (overrides or {}).items()]


# Keys whose value names a file the engine reads (the "file path" keys of docs/SCENARIO.md): the last
# key of a dotted key path, or it and its parent. The engine opens a relative name against the folder of
# the scenario file, or for a scenario given as text against that of its source name (Scenario.data_folder:
# the current directory for "<text>").
_FILE_KEYS = frozenset({"csv", "elevation_csv", "power_outages_csv", "failures_csv", "districts_geojson"})
_FILE_KEYS_UNDER = {"districts_geojson": frozenset({"file"}),
                    "sumo": frozenset({"network", "edge_data", "loops", "loop_detectors"})}


def _names_relative_file(path: str, value: Any) -> bool:
    """Whether value, set at the dotted key path, is a relative file name the engine opens."""
    if not isinstance(value, str) or not value or os.path.isabs(value) or value.startswith("~"):
        return False
    segments = path.split(".")
    key, parent = segments[-1], (segments[-2] if len(segments) > 1 else "")
    return key in _FILE_KEYS or key in _FILE_KEYS_UNDER.get(parent, frozenset())


def absolute_files(value: Any, path: str, base: str) -> Any:
    """value (set at the dotted key path `path`) with each relative file it names (a districts GeoJSON, a
    driver's CSV, a placement CSV, ...) joined to the folder `base`; other values as they are."""
    if isinstance(value, dict):
        return {k: absolute_files(v, f"{path}.{k}" if path else str(k), base) for k, v in value.items()}
    if isinstance(value, list):
        return [absolute_files(v, f"{path}.{i}", base) for i, v in enumerate(value)]
    return os.path.join(base, value) if _names_relative_file(path, value) else value


def _relative_files(data: Any, path: str = "") -> Iterator[Tuple[str, str]]:
    """(dotted key path, name) of each relative file named in a scenario tree."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _relative_files(v, f"{path}.{k}" if path else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _relative_files(v, f"{path}.{i}")
    elif _names_relative_file(path, data):
        yield path, data


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
        if segment == "+" and isinstance(node, list):
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


def _plain_number(value: Any) -> Optional[float]:
    """A value written as a bare number (0.1, or "0.1" quoted: the engine reads both), as a float;
    None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and any(re.match(pattern, value) for tag, pattern, _ in _YAML12_RESOLVERS
                                      if tag != "tag:yaml.org,2002:bool"):
        return float(load_yaml12(value))
    return None


def unplaced(text: str) -> str:
    """Messages about a dict scenario without line and column ("<dict>:16:13: devices[0]..." ->
    "<dict>: devices[0]..."): they are of YAML generated from the dict, which the user never saw; the key
    path says where."""
    return re.sub(r"^<dict>:\d+:\d+(?=: )", "<dict>", text, flags=re.MULTILINE)


def _key_text(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


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
            self._loaded = load_yaml12(self._text) if self._text.strip() else {}
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
        """A scenario from YAML text. source: the name its errors and warnings give (source:line:col) and
        the trace's /meta@scenario_source; its relative data files are found in its folder (data_folder:
        the current directory for "<text>" or a bare file name), as they would be for that file."""
        return cls(text, source=source)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Scenario":
        """A scenario from nested dicts and lists, as yaml.safe_load would give (numpy values are taken
        as the plain numbers and lists they hold)."""
        return cls(dump_yaml(plain_value(dict(data), "the scenario")), source="<dict>")

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
        """Sets the value at a key path; "[+]" appends to a list (sc["gateways[+]"] = {...}).
        numpy values are kept as the plain numbers and lists they hold; text that is a YAML flow list
        or map ("[1 km, 500 m]") as that list or map, as --set reads it; other text as text. A value
        YAML cannot hold raises TypeError and is not kept."""
        value = edit_value(value, path)
        self._data = apply_edit(self._data, path, value)
        self._edits.append((path, value))

    def quantity(self, path: str, unit: Optional[str] = None) -> float:
        """The value at path as a number: in the base unit of its dimension (s, m, Hz, bit/s, byte, mA,
        mAh, V, dBm, dB, flop; a fraction for %), or in `unit` ("min", "km", "MHz", ...) when given.
        sc.quantity("devices.0.interval", "min") -> 5.0 for "5 min". A plain number (a fraction such as
        jitter: 0.1) is returned as it is, or converted to "%" when unit is "%"."""
        written = self[path]
        number = _plain_number(written)
        if number is not None:
            if unit is None:
                return number
            factor, _, unit_dimension = _core.parse_quantity(f"1 {unit}")
            if unit_dimension != _core.parse_quantity("1 %")[2]:
                raise ValueError(f"{path}: {written!r} is a plain number, not convertible to {unit!r} "
                                 f"({unit_dimension})")
            return number / float(factor)
        value, base, dimension = _core.parse_quantity(str(written))
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

    def __copy__(self) -> "Scenario":
        # A shallow copy would share the edits and the tree: copy.copy gives what .copy() gives.
        return self.copy()

    def __deepcopy__(self, memo: Any) -> "Scenario":
        return self.copy()

    # --- views ----------------------------------------------------------------------------------------
    @property
    def source(self) -> str:
        """The file path, "<text>", "<dict>" or the source name given to from_yaml."""
        return self._source

    @property
    def data_folder(self) -> str:
        """The absolute folder the engine finds this scenario's relative data files in (a districts GeoJSON, a
        driver's CSV): the scenario file's, or the source name's for a text (the current directory for
        "<text>", "<dict>" or a bare file name)."""
        return os.path.abspath(os.path.dirname(self._source))

    @property
    def overrides(self) -> List[str]:
        """The edits as key.path=value overrides, in order."""
        return [f"{k}={value_text(v, k)}" for k, v in self._edits]

    def to_dict(self) -> Any:
        """The scenario with its edits, as nested dicts and lists."""
        return copy.deepcopy(self._data)

    def to_yaml(self) -> str:
        """The scenario with its edits as YAML text (comments of the original are not kept)."""
        return dump_yaml(self._data)

    def source_args(self, overrides: Optional[Mapping[str, Any]] = None) -> Tuple[str, bool, List[str]]:
        """(text_or_path, is_text, overrides) for the compiled core."""
        extra = self.overrides + override_texts(overrides)
        if self._path is not None:
            return self._path, False, extra
        return self._text or "", True, extra

    def copied_source_args(self, overrides: Optional[Mapping[str, Any]] = None) -> Tuple[str, bool, List[str]]:
        """source_args for running this scenario from a copy of its text in another folder (a campaign's
        scenario.yaml, a comparison's temporary file): a scenario given as text finds its relative data
        files in its data_folder, as run() does, so each one it names becomes an extra override with the
        absolute path. A scenario read from a file keeps resolving them against that file."""
        text_or_path, is_text, extra = self.source_args(overrides)
        if is_text:
            data = self.to_dict()
            for key, value in (overrides or {}).items():
                data = apply_edit(data, key, edit_value(value, key))
            base = self.data_folder
            extra += [f"{key}={value_text(os.path.join(base, name), key)}" for key, name in _relative_files(data)]
        return text_or_path, is_text, extra

    def message_namer(self, overrides: Optional[Mapping[str, Any]] = None, *, copied_to: Optional[str] = None,
                      labels: Optional[Mapping[str, str]] = None) -> Callable[[str], str]:
        """A function that rewrites the engine's messages about this scenario (run with `overrides`) as the
        user wrote it. The engine names an override's place "--set key.path=value", as the command line's
        --set: an edit of this Scenario becomes `sc["key.path"] = value`, an entry of overrides
        `overrides["key.path"] = value`, and labels maps other override texts ("key.path=value") to
        their names (a sweep's grid values). A dict scenario's messages lose their line and column (of YAML
        generated from the dict: the key path says where). copied_to: where copied_source_args's text was
        written and run from (a sweep's scenario.yaml, a comparison's temporary file): that path is named as
        the scenario's source wherever it appears, and an override copied_source_args made of a relative
        data file's absolute name is named as the edit that set it, or else as the source."""
        check_key_paths(overrides or {}, "overrides")
        named: Dict[str, str] = dict(labels or {})
        by_key: Dict[str, str] = {}

        def add(key: str, value: Any, label: str) -> None:
            named.setdefault(f"{key}={value_text(value, key)}", label)
            by_key[".".join(split_path(key))] = label

        for key, value in self._edits:
            add(key, value, f"sc[{_key_text(key)}] = {value!r}")
        for key, value in (overrides or {}).items():
            add(key, edit_value(value, key), f"overrides[{_key_text(key)}] = {plain_value(value, key)!r}")
        for text in self.copied_source_args(overrides)[2] if copied_to else ():
            key = text.partition("=")[0]
            named.setdefault(text, by_key.get(".".join(split_path(key)), self._source))
        prefixes = sorted(((f"--set {text}: ", f"{label}: ") for text, label in named.items()),
                          key=lambda pair: -len(pair[0]))  # "--set a=1: " before a shorter one it starts with

        def name_line(line: str) -> str:
            if copied_to:
                line = line.replace(copied_to, self._source)
            for prefix, label in prefixes if line.startswith("--set ") else ():
                if line.startswith(prefix):
                    line = label + line[len(prefix):]
                    break
            return unplaced(line) if self._source == "<dict>" else line

        return lambda text: "\n".join(name_line(line) for line in text.split("\n"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._data == other._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data or {})

    def __repr__(self) -> str:
        edits = f", {len(self._edits)} edits" if self._edits else ""
        return f"<citytwin.Scenario {self._source}{edits}>"

    # --- actions --------------------------------------------------------------------------------------
    def validate(self, overrides: Optional[Mapping[str, Any]] = None) -> None:
        """Raises ScenarioError listing every problem (file:line:col: key.path: message; an edit made here
        as `sc["key.path"] = value: ...`, one of overrides as `overrides["key.path"] = value: ...`); warns (a
        ScenarioWarning, at the line that called it) for each thing a run would silently not do."""
        where = caller()
        named = self.message_namer(overrides)
        try:
            texts = _core.validate(*self.source_args(overrides), source_name=self._source)
        except _core.ScenarioError as e:
            raise _core.ScenarioError(named(str(e))) from None
        warn_at(where, [named(text) for text in texts], ScenarioWarning)

    def run(self, **kwargs: Any) -> "Any":
        """Runs this scenario: citytwin.run(self, **kwargs)."""
        from ._runner import run

        return run(self, **kwargs)


ScenarioLike = Union[Scenario, str, "os.PathLike[str]", Mapping[str, Any]]
