"""The JSON Schema of the scenario format, for editors and other tools."""

from __future__ import annotations

import re
from typing import Any

from .model import Scenario

SCHEMA_ID = "https://cdtx.readthedocs.io/schema/scenario-v1.json"


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of scenario format version 1."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "cdtx scenario (format version 1)",
        **schema,
    }


#: The editor hint a scenario file written outside the repository carries: the schema next to it.
PORTABLE_SCHEMA_LINES = (
    "# yaml-language-server: $schema=./cdtx-scenario.schema.json\n"
    "# (`cdtx schema > cdtx-scenario.schema.json` writes that schema next to this file.)\n"
)

_SCHEMA_HINT = re.compile(r"^#\s*yaml-language-server:\s*\$schema=([^\r\n]*)(?:\r\n|\n|\r)?", re.M)


def portable_yaml(text: str) -> str:
    """Scenario YAML ``text`` as cdtx exports it: a ``yaml-language-server`` schema line pointing
    into the repository's docs/ (as the built-ins do; an installed cdtx has no such folder)
    replaced by one naming ``./cdtx-scenario.schema.json`` and saying how to write it; a text
    without a schema line gets those lines first; one naming another schema is kept. Every other
    byte is kept."""
    found = _SCHEMA_HINT.search(text)
    if found is None:
        return PORTABLE_SCHEMA_LINES + text
    if not found.group(1).strip().endswith("docs/cdtx-scenario.schema.json"):
        return text
    return text[: found.start()] + PORTABLE_SCHEMA_LINES + text[found.end() :]
