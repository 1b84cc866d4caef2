"""The JSON Schema of the scenario format, for editors and other tools."""

from __future__ import annotations

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
