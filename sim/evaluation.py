"""The evaluator's entries (HSEEP Exercise Evaluation Guides) and the facilitator's notes,
recorded as inputs.

Four kinds of entry, each an ``input`` event with ``control: observation`` (recorded by
``Exercise.remark``, as an evaluator seat of ``cdtx host`` records its observations):

- **observation**: what the evaluator saw, time-stamped by the event, tagged to an objective
  and (optionally) a delegation; the text may run over several lines;
- **rating**: the evaluator's P/S/M/U for an objective (the automatic rating of
  ``sim.metrics`` is only a suggestion to it);
- **hotwash**: after the exercise, a strength or an area for improvement from a participant;
- **note**: the facilitator's note (the console's ``m``), several lines, tagged like an
  observation to an objective and/or a delegation. Older recordings hold untagged notes as
  ``control: note`` inputs (``Exercise.note``, still what a facilitator seat of ``cdtx host``
  sends); they are notes here too, and can be edited the same way.

The kind follows from the fields: ``entry: note`` makes a note (the one kind that says so: the
others predate it), ``about`` (strength or improvement) a hot wash entry, ``rating`` a rating
(its text says why), none of them an observation. An edit is a new entry that
``replaces`` an earlier one (named by its event's ``seq``): the
recording keeps what was first written as well, and replay re-applies both, so the recording
stays the single source of truth. :func:`current` folds the entries into their latest versions,
which the console and the after-action report show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scenarios.vocabulary import EU27

from .errors import InjectError
from .events import Event

ENTRIES = ("observation", "rating", "hotwash", "note")
RATINGS = ("P", "S", "M", "U")
RATING_WORDS = {
    "P": "performed without challenges",
    "S": "performed with some challenges",
    "M": "performed with major challenges",
    "U": "unable to be performed",
}
ABOUT = ("strength", "improvement")
#: The fields an evaluation entry may carry; ``entry`` is recorded for notes only (the other
#: kinds follow from their fields).
FIELDS = ("entry", "text", "objective", "state", "rating", "about", "who", "replaces")
CONTROL = "observation"
#: The control of a note recorded by ``Exercise.note`` (untagged, one text).
NOTE_CONTROL = "note"


def kind_of(data: Mapping[str, Any]) -> str:
    """observation, rating, hotwash or note, from a recorded entry's fields."""
    if data.get("entry") == "note" or data.get("control") == NOTE_CONTROL:
        return "note"
    if data.get("about"):
        return "hotwash"
    return "rating" if data.get("rating") else "observation"


@dataclass(frozen=True)
class Entry:
    """One evaluation entry as it stands (after any edits); ``seq`` is its latest event's."""

    seq: int
    first_seq: int  # the entry's first version: edits keep pointing at the same entry
    t: float  # when it was first written (an edit does not move an observation in time)
    entry: str
    text: str
    objective: str = ""
    state: str = ""
    rating: str = ""
    about: str = ""
    who: str = ""
    edited: bool = False


def _error(field: str, message: str) -> Exception:
    return InjectError(field, message)


def check_observation(scenario, objective: Any, rating: Any) -> None:
    """An evaluator seat's observation (``cdtx host``): an objective of the scenario and a
    rating, as the host checks it and replay re-checks a recorded one. It is a rating entry,
    checked by :func:`check` (one set of rules for both); ``InjectError`` naming the field
    otherwise."""
    check(scenario, {"entry": "rating", "objective": objective, "rating": rating})


def check(scenario, entry: dict[str, Any], events: list[Event] | None = None) -> dict[str, Any]:
    """The entry's fields, cleaned; ``InjectError`` naming the field if one is wrong."""
    kind = entry.get("entry")
    if kind not in ENTRIES:
        raise _error("entry", f"an evaluation entry is one of {', '.join(ENTRIES)}")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise _error(unknown[0], f"not a field of an evaluation entry ({', '.join(FIELDS)})")
    clean = {k: v for k, v in entry.items() if v not in (None, "")}
    text = str(clean.get("text", "")).strip()
    objectives = [o.id for o in scenario.objectives]
    objective = str(clean.get("objective", ""))
    if objective and objective not in objectives:
        known = ", ".join(objectives) or "none in this scenario"
        raise _error("objective", f"unknown objective {objective!r} (one of {known})")
    state = str(clean.get("state", "")).upper()
    if state and state not in EU27:
        raise _error("state", f"unknown member state code {state!r}")
    if kind == "observation" and not text:
        raise _error("text", "an observation needs some text")
    if kind == "note" and not text:
        raise _error("text", "a note needs some text")
    if kind == "note":
        for key in ("rating", "about"):
            if clean.get(key):
                raise _error(key, f"a note has no {key} (it is tagged to an objective, a state)")
    if kind == "rating":
        if not objective:
            raise _error("objective", "a rating is for an objective")
        if clean.get("rating") not in RATINGS:
            raise _error("rating", f"rating is one of {', '.join(RATINGS)}")
    if kind == "hotwash":
        if not text:
            raise _error("text", "a hot wash entry needs some text")
        if clean.get("about") not in ABOUT:
            raise _error("about", "a hot wash entry is a strength or an improvement")
    out: dict[str, Any] = {"entry": kind}
    if text:
        out["text"] = text
    for key, value in (("objective", objective), ("state", state)):
        if value:
            out[key] = value
    for key in ("rating", "about", "who"):
        if clean.get(key):
            out[key] = str(clean[key]).strip()
    if "replaces" in clean:
        replaces = int(clean["replaces"])
        if events is not None:
            earlier = next((e for e in events if e.seq == replaces), None)
            if earlier is None or not is_entry(earlier):
                raise _error("replaces", f"event {replaces} is not an evaluation entry")
            if kind_of(earlier.data) != kind:
                raise _error("replaces", f"event {replaces} is not a {kind}")
        out["replaces"] = replaces
    return out


def record(ex, entry: dict[str, Any]) -> Event:
    """Record ``entry`` on the Exercise ``ex`` as an input at its current time (allowed after
    the end too: the hot wash comes after the exercise); replay re-applies it as a remark."""
    fields = check(ex.scenario, entry, ex.events)
    if fields["entry"] != "note":  # the other kinds follow from their fields
        del fields["entry"]
    return ex.remark(CONTROL, fields.pop("text", ""), **fields)


def is_entry(event: Event) -> bool:
    """Whether ``event`` is an evaluation entry (an observation, rating, hot wash or note)."""
    return event.kind == "input" and event.data.get("control") in (CONTROL, NOTE_CONTROL)


def current(events: Iterable[Event]) -> list[Entry]:
    """The entries as they stand, in the order first written (edits applied in place)."""
    return list(_fold(events)[0].values())


def entry_of(events: Iterable[Event], seq: int) -> Entry | None:
    """The entry, as it stands, of which the event ``seq`` is a version (the first or an
    edit); None if that event is no evaluation entry or note."""
    entries, first_of = _fold(events)
    first = first_of.get(seq)
    return entries.get(first) if first is not None else None


def _fold(events: Iterable[Event]) -> tuple[dict[int, Entry], dict[int, int]]:
    """(the entries by their first seq, every version's seq -> its entry's first seq)."""
    entries: dict[int, Entry] = {}
    first_of: dict[int, int] = {}  # any version's seq -> the entry's first seq
    for e in events:
        if not is_entry(e):
            continue
        d = e.data
        replaces = d.get("replaces")
        first = first_of.get(replaces, e.seq) if replaces is not None else e.seq
        first_of[e.seq] = first
        earlier = entries.get(first)
        entries[first] = Entry(
            seq=e.seq,
            first_seq=first,
            t=earlier.t if earlier is not None else e.t,
            entry=kind_of(d),
            text=d.get("text", ""),
            objective=d.get("objective", ""),
            state=d.get("state", ""),
            rating=d.get("rating", ""),
            about=d.get("about", ""),
            who=d.get("who", ""),
            edited=earlier is not None,
        )
    return entries, first_of


def notes(events: Iterable[Event]) -> list[Entry]:
    """The facilitator's notes as they stand (edits applied), in the order first written."""
    return [entry for entry in current(events) if entry.entry == "note"]


def ratings(entries: Iterable[Entry]) -> dict[str, Entry]:
    """The evaluator's latest rating per objective."""
    out: dict[str, Entry] = {}
    for entry in entries:
        latest = out.get(entry.objective)
        if entry.entry == "rating" and (latest is None or latest.seq < entry.seq):
            out[entry.objective] = entry
    return out


def describe(data: Mapping[str, Any]) -> str:
    """One line for the timeline and the narrative."""
    kind = kind_of(data)
    edit = " (edit)" if data.get("replaces") is not None else ""
    tags = " ".join(x for x in (data.get("objective", ""), data.get("state", "")) if x)
    tags = f" [{tags}]" if tags else ""
    text = " ".join(str(data.get("text", "")).split())
    if kind == "rating":
        rating = data.get("rating", "?")
        why = f": {text}" if text else ""
        seat = f" {data['seat']}" if data.get("seat") else ""  # an evaluator seat of cdtx host
        return f"Evaluator{seat} rates {data.get('objective')} {rating}{edit}{why}"
    if kind == "hotwash":
        about = "strength" if data.get("about") == "strength" else "area for improvement"
        who = data.get("who") or data.get("state") or "a participant"
        return f"Hot wash{edit}, {about} from {who}: {text}"
    if kind == "note":
        return f"Facilitator note{edit}{tags}: {text}"
    return f"Evaluator observation{edit}{tags}: {text}"
