"""The tables of docs/engine-api.md, generated from the declarations.

``python -m sim.api_docs`` rewrites the generated sections of docs/engine-api.md (between
``<!-- generated: NAME -->`` and ``<!-- end generated -->``); tests/test_declarations.py fails
when they are stale, as the schema-freshness test does for the JSON Schema.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from scenarios.measures import MEASURES_DECLARED
from scenarios.model import INJECT_TYPES_DECLARED, references
from scenarios.vocabulary import DECISION_RULES

from . import voting
from .event_kinds import EVENT_KINDS
from .stages.injects import ENGINE

DOC = Path(__file__).resolve().parent.parent / "docs" / "engine-api.md"
_SECTION = re.compile(r"(<!-- generated: (\S+) -->\n)(.*?)(<!-- end generated -->)", re.S)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def event_kinds_table() -> str:
    """Markdown table of the declared event kinds."""
    rows = ["| kind | stage | payload keys | meaning |", "|---|---|---|---|"]
    for name, kind in EVENT_KINDS.items():
        keys = ", ".join(f"`{f}`" for f in kind.fields)
        if kind.optional:
            keys += "; optional " + ", ".join(f"`{f}`" for f in kind.optional)
        rows.append(f"| `{name}` | {kind.stage} | {keys} | {_cell(kind.doc)} |")
    return "\n".join(rows) + "\n"


def inject_types_table() -> str:
    """Markdown table of the declared inject types (and whether each has its effect)."""
    rows = [
        "| type | params | references checked | addressed to | effect registered | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for declared in INJECT_TYPES_DECLARED:
        params = ", ".join(f"`{name}`" for name in declared.params.model_fields)
        refs = ", ".join(f"`{name}` ({kind})" for name, kind in references(declared.params))
        engine = "yes" if declared.name in ENGINE else "**missing**"
        rows.append(
            f"| `{declared.name}` | {params} | {refs or '-'} | {declared.recipients or '-'} "
            f"| {engine} | {_cell(declared.doc)} |"
        )
    return "\n".join(rows) + "\n"


def measures_table() -> str:
    """Markdown table of the declared measures."""
    rows = [
        "| measure | rung | category | evidence needed | cost | ties factor | adoption "
        "| adopted by | compromise | legal basis |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in MEASURES_DECLARED:
        adoption = m.adoption.replace("_", " ") + (" (legal acts)" if m.legal_acts else "")
        rows.append(
            f"| `{m.id}` | {m.rung} | {m.category} | {m.evidence_needed} | {m.cost} "
            f"| {m.ties_factor} | {adoption} | {m.adopting_body} | {m.compromise or '-'} "
            f"| {_cell(m.legal_basis)} |"
        )
    return "\n".join(rows) + "\n"


def decision_rules_list() -> str:
    """Markdown list of the decision rules, each with its function's first docstring line."""
    return "".join(
        f"- `{name}`: {(voting.RULES[name].__doc__ or '').strip().splitlines()[0]}\n"
        for name in DECISION_RULES
    )


TABLES = {
    "event-kinds": event_kinds_table,
    "inject-types": inject_types_table,
    "measures": measures_table,
    "decision-rules": decision_rules_list,
}


def refresh(text: str) -> str:
    """``text`` with every generated section rebuilt from the declarations."""

    def rebuild(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in TABLES:
            raise ValueError(f"unknown generated section {name!r} (known: {', '.join(TABLES)})")
        return match.group(1) + TABLES[name]() + match.group(4)

    return _SECTION.sub(rebuild, text)


if __name__ == "__main__":
    current = DOC.read_text(encoding="utf-8")
    fresh = refresh(current)
    if fresh != current:
        DOC.write_text(fresh, encoding="utf-8")
        print(f"rewrote the generated sections of {DOC}")
    else:
        print(f"{DOC} is up to date")
    sys.exit(0)
