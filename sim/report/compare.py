"""Two runs side by side: the first divergence, and the differences in metrics, ratings, outcomes."""

from __future__ import annotations

from typing import Any

from scenarios.errors import cut_short
from scenarios.model import Scenario

from ..clock import Calendar, format_offset
from ..events import Event
from ..metrics import Metrics
from ..narrative import actor_names, describe
from ..vocabulary_view import METRIC_LABELS, format_metric
from .render import _h, _md_table, _table, md_item, md_line, md_safe, page


def _comparable(e: Event) -> tuple:
    if e.kind == "started":  # the scenario texts are compared on their own ("same_scenario")
        return (e.t, e.kind, e.source, {k: v for k, v in e.data.items() if k != "scenario_sha256"})
    return (e.t, e.kind, e.source, e.data)


def first_divergence(a: list[Event], b: list[Event]) -> dict[str, Any] | None:
    """The first index where the two event streams differ, or None when they are identical."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if _comparable(x) != _comparable(y):
            return {"index": i, "a": x, "b": y}
    if len(a) != len(b):
        i = min(len(a), len(b))
        return {"index": i, "a": a[i] if i < len(a) else None, "b": b[i] if i < len(b) else None}
    return None


def _event_line(e: Event | None, cal: Calendar, actors: dict[str, str]) -> str:
    if e is None:
        return "(no more events: this run ends here)"
    return f"seq {e.seq}, {cal.format(e.t)} {format_offset(e.t)}: {describe(e, actors)}"


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """``value``'s leaves by dotted path (``inject.params.stance``), lists kept whole."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key in value:
            out.update(_flat(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


#: At most this many differing fields are named on each side of a divergence.
MAX_DIFFERENCES = 4


def differences(a: Event | None, b: Event | None) -> list[tuple[str, str, str]]:
    """The fields in which events ``a`` and ``b`` differ, as (field, A's value, B's value), in
    the order of A's fields then B's: what tells two runs apart where their lines read alike
    (one delegation's "oppose" against "support" in the same inject, say)."""
    if a is None or b is None:
        return []
    fa = {"time": format_offset(a.t), "kind": a.kind, "source": a.source, **_flat(a.data)}
    fb = {"time": format_offset(b.t), "kind": b.kind, "source": b.source, **_flat(b.data)}
    missing = "(none)"
    keys = list(fa) + [k for k in fb if k not in fa]
    return [
        (key, _shown(fa.get(key, missing)), _shown(fb.get(key, missing)))
        for key in keys
        if fa.get(key, missing) != fb.get(key, missing)
    ]


def _shown(value: Any) -> str:
    return cut_short(", ".join(map(str, value)) if isinstance(value, list) else value, 60)


def _with_differences(line: str, diffs: list[tuple[str, str, str]], side: int) -> str:
    if not diffs:
        return line
    shown = "; ".join(f"{d[0]}: {d[side]}" for d in diffs[:MAX_DIFFERENCES])
    more = len(diffs) - MAX_DIFFERENCES
    return f"{line} ({shown}{f'; {more} more' if more > 0 else ''})"


def compare(
    run_a: tuple[Scenario, list[Event], dict, str],
    run_b: tuple[Scenario, list[Event], dict, str],
) -> dict[str, Any]:
    """Compare two runs, each given as (scenario, events, header, name)."""
    (sa, ea, ha, na), (sb, eb, hb, nb) = run_a, run_b
    cal = Calendar(sa.start)
    ma, mb = Metrics(sa), Metrics(sb)
    ma.catch_up(ea)
    mb.catch_up(eb)
    va, vb = ma.result(), mb.result()
    div = first_divergence(ea, eb)
    divergence = None
    if div is not None and div["a"] is not None and div["b"] is not None \
            and div["a"].kind == div["b"].kind == "started":  # fmt: skip
        # Runs with other seeds or settings differ in their first event by construction; what
        # matters is where what happened first differs.
        later = first_divergence(ea[div["index"] + 1 :], eb[div["index"] + 1 :])
        if later is not None:
            later["index"] += div["index"] + 1
            div = later
    if div is not None:
        t = min(e.t for e in (div["a"], div["b"]) if e is not None)
        divergence = {
            "seq": div["index"],
            "t": t,
            "calendar": cal.format(t),
            "offset": format_offset(t),
            "a": _event_line(div["a"], cal, actor_names(sa)),
            "b": _event_line(div["b"], Calendar(sb.start), actor_names(sb)),
        }
        diffs = differences(div["a"], div["b"])
        if divergence["a"] == divergence["b"] or diffs[:1] and diffs[0][0] not in ("time", "kind"):
            # The lines read alike: say in which fields the events differ, on each side.
            divergence["a"] = _with_differences(divergence["a"], diffs, 1)
            divergence["b"] = _with_differences(divergence["b"], diffs, 2)
        divergence["differences"] = diffs
    metrics = []
    for key, label in METRIC_LABELS.items():
        x, y = va.get(key), vb.get(key)
        metrics.append({"metric": label, "a": format_metric(key, x), "b": format_metric(key, y),
                        "differs": x != y})  # fmt: skip
    ratings = []
    for oid in sorted(set(va["objectives"]) | set(vb["objectives"])):
        x, y = va["objectives"].get(oid, "-"), vb["objectives"].get(oid, "-")
        ratings.append({"objective": oid, "a": x, "b": y, "differs": x != y})

    def outcome(values: dict, events: list[Event]) -> list[str]:
        adopted = [f"{e.data['measure']} at {format_offset(e.t)}" for e in events
                   if e.kind == "adopted"]  # fmt: skip
        blocked = [f"{b['measure']} by {' '.join(b['by'])}" for b in values["blocked"]]
        return [
            "adopted: " + (", ".join(adopted) or "nothing"),
            "blocked: " + ("; ".join(blocked) or "nothing"),
            f"events: {len(events)}",
        ]

    def who(h: dict, scenario: Scenario) -> str:
        return f"{scenario.id} seed {h.get('seed', scenario.seed)}"

    return {
        "names": (na, nb),
        "setup": (who(ha, sa), who(hb, sb)),
        "same_scenario": (ha.get("scenario_text") == hb.get("scenario_text"))
        if ha.get("scenario_text") is not None
        else sa == sb,
        "identical": div is None,
        "divergence": divergence,
        "metrics": metrics,
        "ratings": ratings,
        "outcomes": (outcome(va, ea), outcome(vb, eb)),
    }


def markdown(c: dict[str, Any]) -> str:
    na, nb = c["names"]
    out = ["# " + md_line(f"Comparison of two runs: {na} and {nb}"), ""]
    out += _md_table(["", "A", "B"], [["Run", na, nb], ["Scenario and seed", *c["setup"]]])
    if not c["same_scenario"]:
        out += ["The two runs use different scenario texts.", ""]
    out += ["## First divergence", ""]
    d = c["divergence"]
    if d is None:
        out += ["The two runs are identical event for event.", ""]
    else:
        out += [f"The runs first differ at event seq {d['seq']}, {d['calendar']} {d['offset']}:", "",
                md_item(f"A: {d['a']}"), md_item(f"B: {d['b']}"), ""]  # fmt: skip
    out += ["## Metrics", ""]
    out += _md_table(["Metric", "A", "B", ""],
                     [[m["metric"], m["a"], m["b"], "differs" if m["differs"] else ""]
                      for m in c["metrics"]])  # fmt: skip
    out += ["## Objective ratings", ""]
    out += _md_table(["Objective", "A", "B", ""],
                     [[r["objective"], r["a"], r["b"], "differs" if r["differs"] else ""]
                      for r in c["ratings"]])  # fmt: skip
    out += ["## Outcomes", ""]
    out += _md_table(["A", "B"], [list(p) for p in zip(*c["outcomes"], strict=True)])
    return md_safe("\n".join(out).rstrip() + "\n")


def html(c: dict[str, Any]) -> str:
    na, nb = c["names"]
    h = _h  # printable, then escaped
    b = [f"<h1>Comparison of two runs<br>{h(na)} and {h(nb)}</h1>"]
    b.append(_table(["", "A", "B"], [["Run", na, nb], ["Scenario and seed", *c["setup"]]]))
    if not c["same_scenario"]:
        b.append("<p>The two runs use different scenario texts.</p>")
    b.append("<h2>First divergence</h2>")
    d = c["divergence"]
    if d is None:
        b.append("<p>The two runs are identical event for event.</p>")
    else:
        b.append(f"<p>The runs first differ at event seq {d['seq']}, {h(d['calendar'])} "
                 f"{h(d['offset'])}:</p><ul><li>A: {h(d['a'])}</li><li>B: {h(d['b'])}</li></ul>")  # fmt: skip
    b.append("<h2>Metrics</h2>")
    b.append(_table(["Metric", "A", "B", ""], [[m["metric"], m["a"], m["b"],
                    "differs" if m["differs"] else ""] for m in c["metrics"]]))  # fmt: skip
    b.append("<h2>Objective ratings</h2>")
    b.append(_table(["Objective", "A", "B", ""], [[r["objective"], r["a"], r["b"],
                    "differs" if r["differs"] else ""] for r in c["ratings"]]))  # fmt: skip
    b.append("<h2>Outcomes</h2>")
    b.append(_table(["A", "B"], [list(p) for p in zip(*c["outcomes"], strict=True)]))
    return page(f"Comparison: {na} / {nb}", "\n".join(b))
