"""``cdtx schema``: the JSON Schema of the scenario format, for editor completion."""

from __future__ import annotations

from argparse import Namespace


def register(sub) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    p.set_defaults(func=cmd_schema)


def cmd_schema(args: Namespace) -> int:
    import json

    import scenarios

    print(json.dumps(scenarios.json_schema(), indent=2))
    return 0
