"""The data files a scenario names, made absolute (Result.scenario, citytwin.describe of a trace).

The engine reads a relative data file name relative to the scenario file, and relative to the working
directory for a scenario given as text (sim/scenario/scenario_reader.cpp, data_file_path). A trace keeps the
scenario as text, so its relative names are made absolute against the original file's folder before the
text is described or run again. The keys below are every scenario key that names a data file
(docs/SCENARIO.md): keys that are file names wherever they appear, and keys that are file names only under a
given parent key."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Sequence, Tuple

import yaml

_FILE_KEYS = frozenset({"csv", "elevation_csv", "power_outages_csv", "failures_csv", "districts_geojson"})
_FILE_KEYS_UNDER = {"districts_geojson": frozenset({"file"}),
                    "sumo": frozenset({"network", "edge_data", "loops", "loop_detectors"})}


def is_file_key(path: Sequence[str]) -> bool:
    """Whether the scenario key at path (segments, list indices as digits) names a data file."""
    if not path:
        return False
    key, parent = path[-1], (path[-2] if len(path) > 1 else "")
    return key in _FILE_KEYS or key in _FILE_KEYS_UNDER.get(parent, frozenset())


def absolute_file(name: str, folder: str) -> str:
    """name resolved against folder ('~' and absolute names as they are)."""
    if os.path.isabs(name) or name.startswith("~"):
        return name
    return os.path.normpath(os.path.join(folder, name))


def absolute_files_in_text(text: str, folder: str) -> str:
    """The scenario text with each relative data file name replaced, in place, by its absolute path against
    folder (a double-quoted YAML string): the rest of the text, its comments and line numbers, is kept."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return text  # the engine reports what is wrong with it
    spans: Dict[int, Tuple[int, int, str]] = {}

    def walk(node: Any, path: List[str]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    walk(value, path + [str(key.value)])
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, path + [str(i)])
        elif (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str" and is_file_key(path)
              and node.value and not os.path.isabs(node.value) and not node.value.startswith("~")):
            spans[node.start_mark.index] = (node.start_mark.index, node.end_mark.index,
                                            json.dumps(absolute_file(node.value, folder), ensure_ascii=False))

    if root is not None:
        walk(root, [])
    for start, end, replacement in sorted(spans.values(), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def absolute_files_in_value(value: Any, path: List[str], folder: str) -> Any:
    """An override's value (at key path) with its relative data file names made absolute against folder."""
    if isinstance(value, dict):
        return {k: absolute_files_in_value(v, path + [str(k)], folder) for k, v in value.items()}
    if isinstance(value, list):
        return [absolute_files_in_value(v, path + [str(i)], folder) for i, v in enumerate(value)]
    if isinstance(value, str) and value and is_file_key(path):
        return absolute_file(value, folder)
    return value
