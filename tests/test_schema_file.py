"""The committed schema file that editors point at must match what `cdtx schema` prints."""

import json
from pathlib import Path

import scenarios

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schema_is_current():
    committed = json.loads((ROOT / "docs" / "cdtx-scenario.schema.json").read_text())
    assert committed == scenarios.json_schema(), "run: cdtx schema > docs/cdtx-scenario.schema.json"
