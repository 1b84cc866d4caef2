"""Bodies that meet: regular sittings from the Brussels calendar, extraordinary ones on request.

A stage that needs a body waits on ``body.sitting(item)``; the event fires when the body next
sits, with the meeting's number. Regular sittings with nothing of ours on the agenda are not
emitted: the model only records meetings that dealt with the crisis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ProcessGenerator

if TYPE_CHECKING:
    from simpy import Event

    from ..engine import Engine


class Body:
    def __init__(self, ex: Engine, name: str):
        self.ex = ex
        self.name = name
        self.agenda: list[tuple[str, Event]] = []
        self.scheduled: float | None = None  # sim time of the next sitting we will hold
        self.last_sat: float | None = None  # sim time of the last sitting held

    def sitting(self, item: str) -> Event:
        """An event that fires at the next sitting that takes ``item``."""
        event = self.ex.env.event()
        self.agenda.append((item, event))
        self._schedule(extraordinary=self.ex.timing.extraordinary_meetings)
        return event

    def withdraw(self, event: Event) -> None:
        """Take an item off the agenda (it was dealt with elsewhere)."""
        self.agenda = [(item, e) for item, e in self.agenda if e is not event]

    def request(self, extraordinary: bool, by: str = "") -> None:
        """Someone asks for a meeting: it will be held even with an empty agenda."""
        self.ex.emit("meeting_requested", body=self.name, extraordinary=extraordinary, by=by)
        self._schedule(extraordinary=extraordinary, force=True)

    def _schedule(self, extraordinary: bool, force: bool = False) -> None:
        now = self.ex.env.now
        # A sitting held right now is over: business arriving now goes to a later one.
        after = now + 1 / 60 if self.last_sat == now else now
        at = self.ex.calendar.next_sitting(self.name, after)
        special = False
        if extraordinary:
            # Extraordinary sittings are called at short notice, but still in working hours.
            soon = self.ex.calendar.next_working_hour(
                now + self.ex.timing.psc_extraordinary, crisis=self.ex.timing.mode == "crisis"
            )
            if soon < at:
                at, special = soon, True
        if self.scheduled is not None and self.scheduled <= at:
            return
        self.scheduled = at
        self.ex.env.process(self._sit(at, special, force))

    def _sit(self, at: float, extraordinary: bool, force: bool) -> ProcessGenerator[None]:
        yield self.ex.until(at)
        if self.scheduled != at:
            return  # superseded by an earlier sitting
        self.scheduled = None
        agenda, self.agenda = self.agenda, []
        if not agenda and not force:
            return
        self.last_sat = at
        self.ex.emit(
            "meeting",
            body=self.name,
            extraordinary=extraordinary,
            agenda=[item for item, _ in agenda] or ["situation briefing"],
        )
        for _, event in agenda:
            event.succeed(at)
