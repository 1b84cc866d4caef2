"""The model's figures on the calibration cases, as docs/calibration.md shows them (issue 24).

    python bench/calibration.py            # print every case's table (50 seeds a case)
    python bench/calibration.py --write    # and write them into docs/calibration.md
    python bench/calibration.py --check    # exit 1 when docs/calibration.md shows other figures

Each built-in calibration case (``calib-*``) runs over the 50 seeds of tests/test_calibration.py
(SolarWinds, Exchange and APT28 2024 also over two years). A function per case turns the
finished runs (a list of :class:`~sim.Exercise`) into a table: each check of the case, its band
(declared once in :data:`BANDS`, which tests/test_calibration.py asserts; the Bundestag case's
are tests/test_library.py's), what the model does now, and whether that is in the band. docs/calibration.md holds each table between
``<!-- figures: NAME -->`` and ``<!-- /figures -->``. tests/test_calibration.py computes the
tables from the runs it already makes for its bands (no second set of runs) and fails when the
doc shows other figures, so a model change that moves one fails until this script is rerun with
``--write``. About 2 s on one core.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from record import blocks, figures_main

import scenarios
from sim import Exercise
from sim.events import Event

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "calibration.md"
DAY = 24.0
SEEDS = range(50)
#: The horizon of the runs over two years (the three cases that stopped at a declaration).
TWO_YEARS = 730 * DAY


@dataclass(frozen=True)
class Row:
    """One check of a case: what is counted, its band, the model's figure, in band or not
    (None: no band, the figure is shown for what it says)."""

    check: str
    band: str
    now: str
    ok: bool | None = None


@dataclass(frozen=True)
class Share:
    """A band on how many of the runs do something: at least / at most this share of them."""

    at_least: float | None = None
    at_most: float | None = None

    def holds(self, count: int, runs: int) -> bool:
        return (self.at_least is None or count >= self.at_least * runs) and (
            self.at_most is None or count <= self.at_most * runs
        )

    def __str__(self) -> str:
        if self.at_least == 1:
            return "every run"
        if self.at_most == 0:
            return "none"
        return f">= {self.at_least:.0%}" if self.at_least is not None else f"<= {self.at_most:.0%}"


@dataclass(frozen=True)
class Median:
    """A band on a median in days: within ``within`` (a fraction) of the record's ``record``
    days, or at least ``at_least`` days."""

    record: float | None = None
    within: float = 0.0
    at_least: float | None = None

    def holds(self, median: float) -> bool:
        if self.at_least is not None:
            return median >= self.at_least
        assert self.record is not None
        return self.record * (1 - self.within) <= median <= self.record * (1 + self.within)

    def __str__(self) -> str:
        if self.at_least is not None:
            return f"median >= {self.at_least:g} d"
        assert self.record is not None
        low, high = self.record * (1 - self.within), self.record * (1 + self.within)
        return f"median {low:g}-{high:g} d ({self.record:g} d ± {self.within:.0%})"


#: The bands of the checks, declared once: tests/test_calibration.py asserts them on its runs
#: and the band column of docs/calibration.md says them.
BANDS: dict[str, Share | Median] = {
    "viasat: declaration the day of a coordinated attribution": Share(at_least=0.8),
    "viasat: adoption": Median(75, within=0.05),
    "ghostwriter: Germany's attribution -> declaration": Median(18, within=0.5),
    "ghostwriter: a veto at the PSC": Share(at_most=0.1),
    "ghostwriter: the drafters weaken the wording": Share(at_least=0.5),
    "first listings: adopted by T+440 d": Share(at_least=0.9),
    "wannacry: conclusions adopted": Share(at_least=0.9),
    "wannacry: after W-02 and by T+373 d": Share(at_least=0.9),
    "wannacry: the conclusions name no one": Share(at_least=0.5),
    "wannacry: first public attribution": Median(at_least=168),
    "declaration day: an EU text before the attribution": Share(at_most=0.1),
    "declaration day: the declaration on the day": Share(at_least=0.8),
    "declaration day: a listing": Share(at_most=0.1),
}  # fmt: skip


def band(name: str, count_or_median: float, runs: int | None = None) -> bool:
    """Whether ``count_or_median`` (a count of ``runs`` runs, or a median) is in band ``name``."""
    declared = BANDS[name]
    if isinstance(declared, Share):
        assert runs is not None, name
        return declared.holds(int(count_or_median), runs)
    return declared.holds(count_or_median)


# -- what a run says ---------------------------------------------------------------------------


def runs(
    scenario_id: str, seeds: Iterable[int] = SEEDS, horizon: float | None = None
) -> list[Exercise]:
    """The finished runs of built-in ``scenario_id`` over ``seeds`` (at ``horizon`` hours if
    given)."""
    scenario = scenarios.load(scenario_id)
    if horizon is not None:
        scenario = scenario.model_copy(update={"horizon": horizon})
    return [Exercise(scenario, seed=seed).run() for seed in seeds]


def adopted(ex: Exercise, measure: str) -> list[Event]:
    return [e for e in ex.events if e.kind == "adopted" and e.data["measure"] == measure]


def attributions(ex: Exercise) -> list[Event]:
    return [e for e in ex.events if e.kind in ("attributed", "partner_attributed")]


def scripted(ex: Exercise, inject_id: str) -> Event:
    """The event of a scripted inject being applied."""
    return next(e for e in ex.events
                if e.kind == "inject_applied" and e.data["inject"] == inject_id)  # fmt: skip


def calendar_day(ex: Exercise, t: float) -> date:
    """The calendar date (in the scenario's time zone) of simulated time ``t``."""
    return (ex.scenario.start + timedelta(hours=t)).date()


def proposed_by_inject(ex: Exercise, measure: str) -> Event | None:
    """The adoption of the scripted proposal of ``measure`` (the text the record's EU agreed)."""
    ids = {e.data["proposal"] for e in ex.events if e.kind == "proposal"
           and e.data["origin"] == "inject" and e.data["measure"] == measure}  # fmt: skip
    return next((e for e in adopted(ex, measure) if e.data["proposal"] in ids), None)


# -- how figures are shown ---------------------------------------------------------------------


def of(n: int, ran: list) -> str:
    return f"{n} of {len(ran)}"


def spread(values: list[float]) -> str:
    """Median and 10th-90th percentile of ``values`` (days)."""
    finite = sorted(v for v in values if v != float("inf"))
    if not finite:
        return "never"
    median = statistics.median(values)
    shown = "never" if median == float("inf") else f"{median:.1f} d"
    if len(finite) < 2:
        return shown
    q = statistics.quantiles(finite, n=10, method="inclusive")
    return f"{shown} (10th-90th percentile {q[0]:.1f}-{q[-1]:.1f} d)"


def share(ok: int, ran: list, at_least: float | None = None, at_most: float | None = None) -> bool:
    return (at_least is None or ok >= at_least * len(ran)) and (
        at_most is None or ok <= at_most * len(ran)
    )


def wordings(texts: Iterable[Event | None]) -> str:
    """How the texts name the perpetrator: ``state 3, territory 40, none 7`` (no text: -)."""
    counts = Counter(t.data["naming"] if t is not None else "no text" for t in texts)
    order = ("state", "territory", "none", "no text")
    return ", ".join(f"{k} {counts[k]}" for k in order if counts[k])


# -- the cases ---------------------------------------------------------------------------------


def _first(events: list[Event], kind: str, **match) -> Event | None:
    return next((e for e in events if e.kind == kind
                 and all(e.data.get(k) == v for k, v in match.items())), None)  # fmt: skip


def bundestag(ran: list[Exercise]) -> list[Row]:
    """Germany's request of 28 May 2020 to the listing of 22 October (147 d), stage by stage."""
    stages = []
    for ex in ran:
        request = _first(ex.events, "proposal", measure="listing", origin="inject")
        assert request is not None, "calib-bundestag scripts the request"
        pid = request.data["proposal"]
        found = {
            "request": request,
            "hwpci": _first(ex.events, "prepared", body="hwpci", proposal=pid),
            "relex": _first(ex.events, "relex", proposal=pid, phase="ended"),
            "coreper": _first(ex.events, "coreper", proposal=pid),
            "adopted": _first(ex.events, "adopted", proposal=pid, measure="listing"),
        }
        stages.append({k: (e.t if e is not None else None) for k, e in found.items()})
    listed = [s for s in stages if s["adopted"] is not None]
    hwpci = [(s["hwpci"] - s["request"]) / DAY for s in stages if s["hwpci"] is not None]
    total = [(s["adopted"] - s["request"]) / DAY if s["adopted"] is not None else float("inf")
             for s in stages]  # fmt: skip
    rows = [
        Row("listing adopted", ">= 90% (60 seeds in tests/test_library.py)",
            of(len(listed), ran), share(len(listed), ran, at_least=0.9)),
        Row("request -> HWPCI discussion (record 106 d)", "median 79.5-132.5 d (106 d ± 25%)",
            spread(hwpci), 79.5 <= statistics.median(hwpci) <= 132.5),
    ]  # fmt: skip
    for label, start, end in (
        ("HWPCI -> RELEX agreement (record 24 d)", "hwpci", "relex"),
        ("RELEX -> COREPER (record 14 d)", "relex", "coreper"),
        ("COREPER -> adoption (record 3 d)", "coreper", "adopted"),
    ):
        rows.append(Row(label, "-", spread([(s[end] - s[start]) / DAY for s in listed])))
    median = statistics.median(total)
    rows.append(Row("**request -> listing** (record 147 d)", "median 110.25-183.75 d (147 d ± 25%)",
                    f"{spread(total)}, {median / 147 - 1:+.0%} on the record",
                    0.75 * 147 <= median <= 1.25 * 147))  # fmt: skip
    return rows


SAME_DAY = "viasat: declaration the day of a coordinated attribution"


def viasat(ran: list[Exercise]) -> list[Row]:
    """The declaration of 10 May 2022 (T+75 d), the day of the coordinated attributions."""
    same_day = names = nothing_after = partners = 0
    times = []
    for ex in ran:
        (declaration,) = adopted(ex, "hr_declaration")
        day = int(declaration.t // DAY)
        times.append(declaration.t / DAY)
        found = attributions(ex)
        same_day += any(int(e.t // DAY) == day for e in found if e.data["how"] == "coordinated")
        names += declaration.data["naming"] in ("territory", "state")
        nothing_after += not any(int(e.t // DAY) == day and e.t > declaration.t for e in found)
        joined = {e.data["partner"] for e in found if e.kind == "partner_attributed"}
        partners += joined == {"UK", "US"}
    median = statistics.median(times)
    return [
        Row("the declaration on the day of a coordinated attribution", str(BANDS[SAME_DAY]),
            of(same_day, ran), band(SAME_DAY, same_day, len(ran))),
        Row("it names the actor (territory or state)", "every run", of(names, ran),
            names == len(ran)),
        Row("no attribution after it on its day", "every run", of(nothing_after, ran),
            nothing_after == len(ran)),
        Row("the UK and the US join", "seed 0", of(partners, ran)),
        Row("adoption (record T+75 d)", str(BANDS["viasat: adoption"]), "T+" + spread(times),
            band("viasat: adoption", median)),
    ]  # fmt: skip


def wannacry_notpetya(ran: list[Exercise]) -> list[Row]:
    """Council conclusions of 16 April 2018 (T+339 d), naming no one."""
    texts = [found[0] for ex in ran if (found := adopted(ex, "council_conclusions"))]
    in_time = sum(scripted(ex, "W-02").t < found[0].t <= 339 * 1.1 * DAY
                  for ex in ran if (found := adopted(ex, "council_conclusions")))  # fmt: skip
    unnamed = sum(e.data["naming"] == "none" for e in texts)
    firsts = [min((e.t for e in attributions(ex)), default=float("inf")) / DAY for ex in ran]
    before = sum(f * DAY < scripted(ex, "W-01").t for f, ex in zip(firsts, ran, strict=True))
    start = ran[0].scenario.start
    when = statistics.median_low(e.t for e in texts) if texts else None
    on = "" if when is None else f"; the median run's on {start + timedelta(hours=when):%A %d %B %Y}"
    return [
        Row("conclusions adopted", str(BANDS["wannacry: conclusions adopted"]), of(len(texts), ran),
            band("wannacry: conclusions adopted", len(texts), len(ran))),
        Row("after the NotPetya attribution (W-02) and by T+373 d (339 d + 10%)",
            str(BANDS["wannacry: after W-02 and by T+373 d"]), of(in_time, ran),
            band("wannacry: after W-02 and by T+373 d", in_time, len(ran))),
        Row("adoption (record T+339 d)", "-", "T+" + spread([e.t / DAY for e in texts]) + on),
        Row("the conclusions name no one", str(BANDS["wannacry: the conclusions name no one"]),
            of(unnamed, ran), band("wannacry: the conclusions name no one", unnamed, len(ran))),
        Row("first public attribution (record T+221 d)",
            str(BANDS["wannacry: first public attribution"]), "T+" + spread(firsts),
            band("wannacry: first public attribution", statistics.median(firsts))),
        Row("a capital or partner attributes before the partners' statement (W-01)", "-",
            of(before, ran)),
    ]  # fmt: skip


def first_listings(ran: list[Exercise]) -> list[Row]:
    """The first listings, 30 July 2020 (T+440 d)."""
    found = [adopted(ex, "listing") for ex in ran]
    by_july = sum(any(e.t <= 440 * DAY for e in f) for f in found)
    vetoed = sum(any(e.kind == "decision" and e.data["measure"] == "listing" and e.data["blockers"]
                     for e in ex.events) for ex in ran)  # fmt: skip
    return [
        Row("listing adopted by T+440 d", str(BANDS["first listings: adopted by T+440 d"]),
            of(by_july, ran), band("first listings: adopted by T+440 d", by_july, len(ran))),
        Row("adoption", "-", "T+" + spread([f[0].t / DAY for f in found if f])),
        Row("a veto on the listing (record: none)", "-", of(vetoed, ran)),
    ]  # fmt: skip


#: The cases that stopped at a declaration issued the day of a scripted attribution: scenario ->
#: (the attribution inject, the wording of the record when the model finds it, its minimum share);
#: tests/test_calibration.py asserts the same.
DECLARATION_DAY = {
    # "which, the United States assesses, has been conducted by the Russian Federation"
    "calib-solarwinds": ("S-02", None, 0.0),
    # "malicious cyber activities undertaken from its territory" (the UK and US named the MSS;
    # the draft names the state, the table weakens it)
    "calib-exchange-apt31": ("X-03", "territory", 0.7),
    # "the Russia-controlled Advanced Persistent Threat Actor 28 (APT28)": the text agreed in
    # advance carries this wording, so it is not the model's to find
    "calib-apt28-2024": ("A-02", None, 0.0),
}


EARLY = "declaration day: an EU text before the attribution"
ON_THE_DAY = "declaration day: the declaration on the day"
LISTED = "declaration day: a listing"


def declaration_day(scenario_id: str) -> Callable[[list[Exercise]], list[Row]]:
    """The table of a case that stopped at a declaration on the day of an attribution."""
    inject, naming, least = DECLARATION_DAY[scenario_id]

    def table(ran: list[Exercise]) -> list[Row]:
        early = on_the_day = 0
        texts = []
        for ex in ran:
            day = calendar_day(ex, scripted(ex, inject).t)
            early += any(calendar_day(ex, e.t) < day for e in ex.events if e.kind == "adopted"
                         and e.data["measure"] in ("hr_declaration", "council_conclusions"))  # fmt: skip
            text = proposed_by_inject(ex, "hr_declaration")
            texts.append(text)
            on_the_day += text is not None and calendar_day(ex, text.t) == day
        listed = sum(bool(adopted(ex, "listing")) for ex in ran)
        asked = sum(any(e.kind == "proposal" and e.data["measure"] == "listing" for e in ex.events)
                    for ex in ran)  # fmt: skip
        rows = [
            Row(f"an EU text before the day of the attribution ({inject})", str(BANDS[EARLY]),
                of(early, ran), band(EARLY, early, len(ran))),
            Row("the declaration agreed in advance comes out on that day", str(BANDS[ON_THE_DAY]),
                of(on_the_day, ran), band(ON_THE_DAY, on_the_day, len(ran))),
        ]  # fmt: skip
        if naming is not None:
            said = sum(t is not None and t.data["naming"] == naming for t in texts)
            rows.append(Row(f'its wording "{naming}"', f">= {least:.0%}", of(said, ran),
                            share(said, ran, at_least=least)))  # fmt: skip
        else:
            rows.append(Row("its wording (the scripted draft names the state)", "-",
                            wordings(texts)))  # fmt: skip
        rows.append(Row("a listing within the horizon", str(BANDS[LISTED]),
                        f"{of(listed, ran)} (asked for in {asked})",
                        band(LISTED, listed, len(ran))))  # fmt: skip
        return rows

    return table


LAG = "ghostwriter: Germany's attribution -> declaration"
VETO = "ghostwriter: a veto at the PSC"
DRAFTED = "ghostwriter: the drafters weaken the wording"


def ghostwriter(ran: list[Exercise]) -> list[Row]:
    """Germany's attribution of 6 September 2021 to the HR declaration 18 days later."""
    lags, before, texts = [], 0, []
    for ex in ran:
        german = scripted(ex, "G-1")
        found = adopted(ex, "hr_declaration")
        lags.append((found[0].t - german.t) / DAY if found else float("inf"))
        before += any(e.t < german.t for e in found)
        texts.append(found[0] if found else None)
    vetoed = sum(any(e.kind == "decision" and e.data["blockers"] for e in ex.events) for ex in ran)
    drafted = sum(any(e.kind == "redrafted" and e.data.get("body") == "hwpci" for e in ex.events)
                  for ex in ran)  # fmt: skip
    one_sitting = sum(any(e.kind == "prepared" and e.data["rounds"] == 1 for e in ex.events)
                      for ex in ran)  # fmt: skip
    median = statistics.median(lags)
    return [
        Row("Germany's attribution -> the declaration (record 18 d)", str(BANDS[LAG]),
            spread(lags), band(LAG, median)),
        Row("a declaration before Germany's attribution", "none", of(before, ran), before == 0),
        Row("a veto at the PSC", str(BANDS[VETO]), of(vetoed, ran), band(VETO, vetoed, len(ran))),
        Row("the drafters weaken the wording at HWPCI", str(BANDS[DRAFTED]), of(drafted, ran),
            band(DRAFTED, drafted, len(ran))),
        Row("one HWPCI sitting", "-", of(one_sitting, ran)),
        Row("the declaration's wording", "-", wordings(texts)),
    ]  # fmt: skip


def over_two_years(ran: dict[str, list[Exercise]]) -> list[Row]:
    """SolarWinds, Exchange and APT28 2024 over two years: a listing, and how visible the
    campaign had become in the runs with and without one (the will to list answers harm)."""
    rows = []
    for sid, exs in ran.items():
        listed = [ex for ex in exs if adopted(ex, "listing")]
        visible = sum(ex.world.visibility() >= 0.75 for ex in listed)
        quiet = [ex for ex in exs if not adopted(ex, "listing")]
        stayed = sum(ex.world.visibility() < 0.75 for ex in quiet)
        rows.append(Row(f"`{sid}`: a listing within two years", "-",
                        f"{of(len(listed), exs)}; the campaign visible (>= 0.75) by the end in "
                        f"{visible} of them; below 0.75 in {stayed} of the {len(quiet)} runs "
                        "without one"))  # fmt: skip
    return rows


#: The tables of docs/calibration.md: name -> (the scenarios it runs, over how long (None: the
#: scenario's horizon), the function of the runs).
CASES: dict[str, tuple[tuple[str, ...], float | None, Callable]] = {
    "calib-bundestag": (("calib-bundestag",), None, bundestag),
    "calib-viasat": (("calib-viasat",), None, viasat),
    "calib-wannacry-notpetya": (("calib-wannacry-notpetya",), None, wannacry_notpetya),
    "calib-first-listings": (("calib-first-listings",), None, first_listings),
    "calib-solarwinds": (("calib-solarwinds",), None, declaration_day("calib-solarwinds")),
    "calib-exchange-apt31": (("calib-exchange-apt31",), None,
                             declaration_day("calib-exchange-apt31")),
    "calib-ghostwriter": (("calib-ghostwriter",), None, ghostwriter),
    "calib-apt28-2024": (("calib-apt28-2024",), None, declaration_day("calib-apt28-2024")),
    "two-years": (tuple(DECLARATION_DAY), TWO_YEARS, over_two_years),
}  # fmt: skip


def rows(name: str, ran: dict[str, list[Exercise]]) -> list[Row]:
    """The rows of table ``name`` from ``ran``: scenario -> its finished runs."""
    ids, _, table = CASES[name]
    return table(ran) if len(ids) > 1 else table(ran[ids[0]])


def markdown(table: list[Row]) -> str:
    """A table as docs/calibration.md shows it."""
    shown = {True: "yes", False: "**no**", None: "-"}
    lines = ["| check | band | model now | in band |", "|---|---|---|---|"]
    lines += [f"| {r.check} | {r.band} | {r.now} | {shown[r.ok]} |" for r in table]
    return "\n".join(lines) + "\n"


def compute(name: str) -> str:
    """Table ``name`` from fresh runs."""
    ids, horizon, _ = CASES[name]
    return markdown(rows(name, {sid: runs(sid, horizon=horizon) for sid in ids}))


# -- the doc -----------------------------------------------------------------------------------


def shown(text: str) -> dict[str, str]:
    """The tables docs/calibration.md's ``text`` shows, by name (its marked blocks)."""
    return blocks(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    return figures_main(ap, argv, lambda args: ({}, {name: compute(name) for name in CASES}),
                        doc=DOC)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
