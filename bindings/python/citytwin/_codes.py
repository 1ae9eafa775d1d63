"""The names of the trace's coded columns (output/SCHEMA.md), from the compiled core."""
from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from . import _core

#: /messages/fail_reason: value -> name (0 "none": delivered).
FAIL_REASONS: Mapping[int, str] = MappingProxyType(dict(enumerate(_core.fail_reasons())))
#: /messages/radio and /kpi/by_type/radio: value -> name (-1 "mixed" only in /kpi/by_type).
RADIOS: Mapping[int, str] = MappingProxyType({-1: "mixed", 0: "lorawan", 1: "nbiot", 2: "wifi"})
