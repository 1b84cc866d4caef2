"""Two runs side by side: the first divergence, and the differences in metrics, ratings, outcomes."""

from __future__ import annotations

from html import escape
from typing import Any

from scenarios.model import Scenario

from ..clock import Calendar, format_offset
from ..events import Event
from ..metrics import Metrics
from ..narrative import actor_names, describe
from ..vocabulary_view import METRIC_LABELS, format_metric
from .render import _md_table, _table, md_safe, page


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


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    """``{"inject": {"params": {"stance": "oppose"}}}`` -> ``{"inject.params.stance": "oppose"}``."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flat(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): data}


def _what_differs(x: Event | None, y: Event | None) -> tuple[str, str]:
    """Each side's values of the fields in which the two events differ (what the plain-language
    line may not say: two answers read alike, one opposes and one supports)."""
    if x is None or y is None:
        return "", ""
    fx, fy = (
        _flat({"t": x.t, "kind": x.kind, **x.data}),
        _flat({"t": y.t, "kind": y.kind, **y.data}),
    )
    keys = [k for k in {**fx, **fy} if fx.get(k) != fy.get(k) and k != "step"]
    if not keys:
        return "", ""

    def side(f: dict[str, Any]) -> str:
        shown = [f"{k.split('.')[-1]}: {f[k]}" for k in keys[:4] if k in f]
        return f" [{'; '.join(shown)}]" if shown else ""

    return side(fx), side(fy)


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
        # Both sides of the difference, also when the two lines read the same.
        extra_a, extra_b = _what_differs(div["a"], div["b"])
        divergence["a"] += extra_a
        divergence["b"] += extra_b
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
    out = [f"# Comparison of two runs: {na} and {nb}", ""]
    out += _md_table(["", "A", "B"], [["Run", na, nb], ["Scenario and seed", *c["setup"]]])
    if not c["same_scenario"]:
        out += ["The two runs use different scenario texts.", ""]
    out += ["## First divergence", ""]
    d = c["divergence"]
    if d is None:
        out += ["The two runs are identical event for event.", ""]
    else:
        out += [f"The runs first differ at event seq {d['seq']}, {d['calendar']} {d['offset']}:", "",
                f"- A: {d['a']}", f"- B: {d['b']}", ""]  # fmt: skip
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
    h = escape
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
