"""The scenario format: typed model, YAML loader with located errors, JSON Schema, built-ins."""

from .errors import CdtxError, UserError
from .load import (
    DEFAULT_ID,
    Problem,
    ScenarioError,
    UnknownScenario,
    builtin_ids,
    builtin_path,
    load,
    load_path,
    load_text,
)
from .model import Incident, Scenario, ThreatActor
from .schema import json_schema

__all__ = [
    "CdtxError",
    "UserError",
    "DEFAULT_ID",
    "Incident",
    "Problem",
    "Scenario",
    "ScenarioError",
    "ThreatActor",
    "UnknownScenario",
    "builtin_ids",
    "builtin_path",
    "json_schema",
    "load",
    "load_path",
    "load_text",
]
