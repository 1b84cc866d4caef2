"""The facilitator console: one screen for a live run and for a replay."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Input, Label
from textual.worker import get_current_worker

from scenarios.errors import CdtxError
from scenarios.safe_read import printable
from sim import evaluation
from sim.clock import SPEEDS, format_offset, parse_offset
from sim.narrative import actor_names, describe
from sim.picture import Picture

from ..widgets.board import StatesBoard
from ..widgets.status import ProcedureTracker, StatusHeader, UpcomingList
from ..widgets.timeline import Timeline, TimelineDetail
from .decision import DecisionScreen, answers_given
from .dialogs import ConfirmScreen, PromptScreen, SeatsScreen
from .evaluation import EntryForm, EvaluationScreen, edit_values, saver
from .expectations import ExpectationsScreen
from .inject import InjectScreen, form_values
from .session import speed_label

if TYPE_CHECKING:
    from ..app import CdtxApp

LIVE_ONLY = {
    "toggle_run", "step", "next", "faster", "slower", "inject", "fire", "skip",
    "toggle_player", "decide", "note", "edit_note", "edit_msel", "release",
}  # fmt: skip
REPLAY_ONLY = {"prev_event", "next_event", "prev_decision", "next_decision", "branch"}
FRAME = 0.05  # at most 20 updates a second from the clock worker
READ_ONLY = "replay is read-only: b branches a live run"
PANELS = ("board", "tracker", "upcoming", "timeline")  # what z zooms
#: Toasts for the seats' messages in one frame, at most (the rest are in the timeline).
MESSAGE_TOASTS = 3


def _is_message(event) -> bool:
    """A message or chat from a seat of cdtx host (an input the facilitator should see)."""
    return event.kind == "input" and event.data.get("control") in ("message", "chat")


#: Seconds between two layouts of the upcoming MSEL list while the clock runs.
LIST_INTERVAL = 0.5
WIDE = 110  # from this width the side panel and the timeline's times get roomier
SMALL_HEIGHT = 32  # below this height the board gets more room than the timeline
TALL_HEIGHT = 44  # from this height the board shows all 27 delegations at once
MSEL_TITLES = {  # the upcoming list's title: its keys, as much as fits
    "wide": "Upcoming MSEL (e fire, x skip, r edit)",
    "narrow": "MSEL · e fire · x skip · r edit",
    "replay": "Upcoming MSEL (read-only replay)",
}


class SessionChanged(Message):
    """The session moved on: the clock worker advanced it, or a person's input changed it.

    Posted at every change, from the worker thread too; a burst is coalesced into its newest
    message (``can_replace``), so the screen shows the latest state once instead of each
    state in between.
    """

    def __init__(self, version: int) -> None:
        super().__init__()
        self.version = version

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SessionChanged)


class ConsoleScreen(Screen):
    BINDINGS = [
        Binding("space", "toggle_run", "Play/pause", id="clock.toggle"),
        Binding("full_stop", "step", "Step one event", id="clock.step"),
        Binding("n", "next", "Next stop: meeting, decision, inject", id="clock.next"),
        Binding("plus,equals_sign", "faster", "Faster", id="clock.faster", show=False),
        Binding("minus", "slower", "Slower", id="clock.slower", show=False),
        Binding("g", "goto", "Go to a sim time", id="clock.goto"),
        Binding("i", "inject", "New inject", id="inject.new"),
        Binding("e", "fire", "Fire selected MSEL entry now", id="msel.fire", show=False),
        Binding("x", "skip", "Skip selected MSEL entry", id="msel.skip", show=False),
        Binding("r", "edit_msel", "Edit selected MSEL entry", id="msel.edit", show=False),
        Binding("l", "release", "Release the held MSEL entry", id="msel.release", show=False),
        Binding("p", "toggle_player", "Toggle played delegation", id="board.played", show=False),
        Binding("d", "decide", "Answer pending decision", id="decision.answer", show=False),
        Binding("m", "note", "Facilitator note", id="note.add"),
        Binding("M", "edit_note", "Edit a note (highlighted in the timeline, else the latest)",
                id="note.edit", show=False),
        # priority: handled as the key arrives, before the keys typed after it are passed on
        # (they then go to the filter box it focuses, not to the console's bindings).
        Binding("f", "filter", "Filter timeline", id="timeline.filter", priority=True),
        Binding("v", "evaluate", "Evaluation: observations, ratings, hot wash",
                id="evaluation.open"),
        Binding("E", "expectations", "Expectations per delegation (mark met / not met)",
                id="expectations.show"),
        Binding("J", "seats", "Seats: the join commands again (cdtx host)", id="seats.show"),
        Binding("z", "zoom", "Zoom the focused panel (tab: next panel)", id="panel.zoom"),
        Binding("left_square_bracket", "prev_event", "Previous event", id="replay.prev"),
        Binding("right_square_bracket", "next_event", "Next event", id="replay.next"),
        Binding("left_curly_bracket", "prev_decision", "Previous decision", id="replay.prev_decision"),
        Binding("right_curly_bracket", "next_decision", "Next decision", id="replay.next_decision"),
        Binding("b", "branch", "Branch a live run here", id="replay.branch"),
    ]  # fmt: skip

    #: The session's version shown; set from ``SessionChanged``, its watcher reads the session.
    # ``var``: reactive without a repaint of the whole screen; the watchers redraw their part.
    version: var[int] = var(-1, init=False)
    #: (event list, number of events shown): the picture, timeline, board and tracker follow it.
    shown: var[tuple[int, int]] = var((0, -1), init=False)
    #: The ids of the MSEL entries still to come, as the upcoming list shows them.
    upcoming_ids: var[tuple[str, ...]] = var((), init=False)
    #: (delegation, proposal, seq of its decision_request) the clock waits for; a new one
    #: opens the decision dialog (a redraft asks again: another request, another seq).
    #: The request the console would open a dialog for: (state, proposal, request's seq,
    #: whether that delegation answers at its own seat).
    awaiting: var[tuple[str, str, int, bool] | None] = var(None, init=False)

    def __init__(self, session):
        super().__init__()
        self.session = session
        session.on_change = self._post_changed
        self.live = not session.readonly
        self.picture = Picture(session.scenario, tuple(session.players))
        self._events: list | None = None  # the live event list ``picture`` folds
        self._asked: set[tuple[str, str, int]] = set()  # requests a dialog was opened for
        self._told: set[tuple[str, str, int]] = set()  # requests left to a delegation's seat
        self._decision_open = False
        self._decision_screen: DecisionScreen | None = None  # the open decision dialog
        self._warned = False
        self._change_posted = False
        self._show_on = None  # the screen whose next frame will show the changes
        self._upcoming: list = []
        self._upcoming_count = 0
        self._listed_at = 0.0  # when the upcoming list was last laid out (time.monotonic)
        self._list_due = False  # a later layout is scheduled

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.session.calendar, id="status")
        with Horizontal(id="top"):
            yield StatesBoard(id="board")
            with Vertical(id="side"):
                yield ProcedureTracker(id="tracker")
                yield Label(MSEL_TITLES["wide"], classes="section", id="msel-title")
                yield UpcomingList(id="upcoming")
        yield Timeline(self.session.calendar, actor_names(self.session.scenario), id="timeline")
        yield TimelineDetail(id="timeline-detail")
        yield Input(placeholder="filter: stages or kinds, e.g. psc council (empty: all)",
                    id="filter")  # fmt: skip
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self.version = self.session.version
        # Arrow and page keys scroll what a facilitator reads most: the timeline.
        self.query_one(Timeline).focus()
        if self.live:
            self.clock_worker()
            if self.session.players_note:
                self.notify(self.session.players_note, severity="warning", timeout=12)

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE
        # The tracker's status text needs room more than the board's last column does.
        self.query_one("#side").styles.width = (
            (66 if self.size.width >= 150 else 44) if wide else 34
        )
        self.set_class(self.size.height < SMALL_HEIGHT, "-small")
        self.set_class(self.size.height >= TALL_HEIGHT, "-tall")
        title = "wide" if wide else "narrow"
        self.query_one("#msel-title", Label).update(MSEL_TITLES[title if self.live else "replay"])

    def on_timeline_selected(self, message: Timeline.Selected) -> None:
        timeline = self.query_one(Timeline)
        self.query_one(TimelineDetail).show(message.event, message.text, timeline.style_of)

    def on_key(self, event) -> None:
        # A live-only key in a replay would do nothing at all: say why instead. (The bindings
        # stay hidden from the footer and help; the keymap's keys count.)
        if self.live:
            return
        for binding in self._app.bindings_map(self).key_to_bindings.get(event.key, ()):
            if binding.action in LIVE_ONLY:
                event.stop()
                self.notify(READ_ONLY)
                return

    def on_unmount(self) -> None:
        self.workers.cancel_all()
        if self.session.on_change == self._post_changed:
            self.session.on_change = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "filter" and isinstance(self.focused, Input):
            return False  # an f typed in the filter box is a letter of the filter
        if action in LIVE_ONLY:
            return self.live
        if action in REPLAY_ONLY:
            return not self.live
        return True

    # -- the clock worker ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="clock")
    def clock_worker(self) -> None:
        """Moves the clock on; each change reaches the screen as a coalescing message."""
        worker = get_current_worker()
        session = self.session
        while not worker.is_cancelled:
            if not session.advance(0.02):
                session.wake.wait(FRAME)
                session.wake.clear()

    def _post_changed(self, version: int) -> None:
        # One message in flight is enough: the screen reads the session as it is when it
        # gets there. (Two threads may both post; the queue then coalesces them.)
        if not self._change_posted:
            self._change_posted = True
            self.post_message(SessionChanged(version))

    def on_session_changed(self, message: SessionChanged) -> None:
        self._change_posted = False
        # Shown with the next frame drawn: changes until then join this one. (The frame is the
        # top screen's; if another screen came up since, ask its frame too: a dialog's closing
        # must not lose the show.)
        if self._show_on is not self.app.screen:
            self._show_on = self.app.screen
            self.call_after_refresh(self._show_changes)

    @property
    def _app(self) -> CdtxApp:
        """The console's app (the screen's ``app`` typed as the one it runs in)."""
        return cast("CdtxApp", self.app)

    def on_screen_resume(self) -> None:
        # Back from a dialog or the evaluator's screen: show the session as it is now (a show
        # asked of a screen that has gone since is not lost).
        self._show_on = None
        self.version = self.session.version

    def _show_changes(self) -> None:
        self._show_on = None
        self.version = self.session.version

    # -- showing: watchers -----------------------------------------------------------------

    def watch_version(self) -> None:
        """Read the session into the reactives below (each watcher redraws only its part)."""
        s = self.session
        events = s.events
        self.shown = (id(events), len(events) if self.live else s.cursor)
        speed = speed_label(s.speed) if self.live else "-"
        self.query_one(StatusHeader).line = (
            s.scenario.title, s.now(), speed, s.state(), tuple(self._facts(self.shown[1]))
        )  # fmt: skip
        if s.message:
            self.notify(s.message, severity="warning")
            s.message = ""
        if self.live and s.record_error and not self._warned:
            self._warned = True
            self.notify(s.record_error, severity="warning", timeout=8)
        if self.live and s.ex.pending:
            # A delegation without a seat of its own first: one answering at its seat (cdtx
            # host) must not hold back the dialog of another the facilitator answers for.
            request = next((r for r in s.ex.pending if r.state not in s.seated), s.ex.pending[0])
            # Which request: a redraft asks the same delegation on the same proposal again,
            # even between two frames. Found among the latest events.
            seq = next((e.seq for e in reversed(s.events) if e.kind == "decision_request"
                        and e.data.get("state") == request.state
                        and e.data.get("proposal") == request.proposal), -1)  # fmt: skip
            pending = {(r.state, r.proposal) for r in s.ex.pending}
            self._asked = {a for a in self._asked if a[:2] in pending}
            self._told = {a for a in self._told if a[:2] in pending}
            self.awaiting = (request.state, request.proposal, seq, request.state in s.seated)
        else:
            self._asked.clear()
            self._told.clear()
            self.awaiting = None
        if self.live:
            self._close_answered_dialog()

    def watch_shown(self, old: tuple[int, int], new: tuple[int, int]) -> None:
        """New events (or another list, or a replay's cursor moved): fold them into the
        picture, then the timeline, the board and the tracker show it."""
        s = self.session
        events, count = s.events, new[1]
        if self.live:
            picture = self.picture
            if count < picture.seen or events is not self._events:
                picture = self.picture = Picture(s.scenario, tuple(s.players))
                self._events = events
            said = 0
            for event in events[picture.seen : count]:
                # A seat's message (or chat) is a toast as well as a timeline line: one line
                # among hundreds was easy to miss (issue 23, item 5). A few per frame at most.
                if said < MESSAGE_TOASTS and _is_message(event):
                    said += 1
                    self.notify(printable(describe(event)), title="From a seat", timeout=10,
                                markup=False)  # what people write is text, never markup
                try:
                    picture.apply(event)
                except Exception as exc:  # never lose the console over one odd event
                    self.notify(f"cannot show event {event.seq} ({event.kind}): {exc!r}",
                                severity="error")  # fmt: skip
            picture.seen = count
        else:
            picture = self.picture = s.picture()
        self.query_one(Timeline).take(events, count)
        self.query_one(StatesBoard).show(picture)
        self.query_one(ProcedureTracker).show(picture)
        # What is still to come changes only with events (applied, skipped, scheduled).
        # The list lays out a window of the next entries (and says how many more there are).
        self._upcoming = s.upcoming(UpcomingList.WINDOW)
        self._upcoming_count = s.upcoming_count()
        self.upcoming_ids = (*(entry.id for entry in self._upcoming), str(self._upcoming_count))

    def watch_upcoming_ids(self) -> None:
        # While the clock runs through a long MSEL, entries fire several times a second and
        # each rebuild lays the list out again: at most every LIST_INTERVAL seconds, the last
        # change shown when it is due (a key pressed meanwhile waits for less).
        wait = LIST_INTERVAL - (time.monotonic() - self._listed_at)
        if wait > 0 and self.session.mode != "paused":
            if not self._list_due:
                self._list_due = True
                self.set_timer(wait, self._show_upcoming)
            return
        self._show_upcoming()

    def _show_upcoming(self) -> None:
        self._list_due = False
        self._listed_at = time.monotonic()
        self.query_one(UpcomingList).show(self._upcoming, self._upcoming_count)

    def watch_awaiting(self, awaiting: tuple[str, str, int, bool] | None) -> None:
        if awaiting is None:
            return
        request, seated = awaiting[:3], awaiting[3]
        if seated:
            # The delegation answers at its own seat (cdtx host): no dialog in the way; ``d``
            # still answers for it. Should its seat leave, the dialog opens then.
            if request not in self._told:
                self._told.add(request)
                self.notify(f"Awaiting {request[0]} at its seat (d answers for it)")
            return
        if request not in self._asked and not self._decision_open:
            self._asked.add(request)
            self.action_decide()

    def _close_answered_dialog(self) -> None:
        """The open decision dialog's request was answered elsewhere (at the delegation's
        seat): close it, so that its facts do not go stale and it never answers the next one."""
        screen = self._decision_screen
        if screen is None or not self._decision_open:
            return
        if any(r is screen.request for r in self.session.ex.pending):
            return
        self._decision_open, self._decision_screen = False, None
        self.notify(f"{screen.request.state} answered at its seat")
        # dismiss() pops the top screen: only the dialog itself, never a screen above it
        # (help, the quit question); under one, it closes itself when it is on top again.
        screen.answered_elsewhere()

    def sync(self) -> None:
        """The session's Exercise was changed directly (a test, a tool): show it as it is."""
        self.session.changed()

    def _facts(self, count: int) -> list[str]:
        """The header's facts about the run, most important first (a narrow header cuts the
        last): whether and where it is recorded, then events, then the seed."""
        s = self.session
        if not self.live:
            return [f"replay {s.cursor}/{len(s.events)} events"]
        if s.recorder is not None:
            where = f"recording to {s.record_path}" if s.record_path else "recording"
        elif s.record_error or s.record_off or s.record_path is None:
            where = "NOT recorded"
        else:  # recording starts with the clock: say now where it will go
            where = f"will record to {s.record_path}"
        return [where, f"{count} events", f"seed {s.ex.seed}"]

    def _waiting_for(self) -> str | None:
        """The played delegation the clock waits for, if any."""
        if self.live and self.session.ex.pending:
            return self.session.ex.pending[0].state
        return None

    # -- clock actions ---------------------------------------------------------------------

    def action_toggle_run(self) -> None:
        s = self.session
        if not self._clock_may_move():
            return
        if s.mode == "paused":
            self._follow_again()
        s.set_mode("paused" if s.mode != "paused" else "run")

    def action_step(self) -> None:
        if not self._clock_may_move():
            return
        self._follow_again()
        self.session.step()

    def _clock_may_move(self) -> bool:
        """False, saying why, when the clock cannot move: the exercise has ended, or a played
        delegation owes an answer."""
        if self.session.ex.finished:
            self.notify("The exercise has ended (branch from the recording to go on)")
            return False
        return not self._refuse_while_waiting()

    def _refuse_while_waiting(self) -> bool:
        """True (and says so) when a played delegation owes an answer: a clock mode set now
        would only start the clock on its own after the answer."""
        waiting = self._waiting_for()
        if waiting:
            self.notify(f"{waiting} must answer first (d)", severity="warning")
        return waiting is not None

    def action_next(self) -> None:
        if not self._clock_may_move():
            return
        self._follow_again()
        self.session.set_mode("until_kind")

    def _follow_again(self) -> None:
        """Moving the clock on is asking to see what comes: the timeline follows the newest
        event again, even if a line was highlighted."""
        self.query_one(Timeline).action_follow()

    def _change_speed(self, step: int) -> None:
        s = self.session
        index = s.speed_index + step
        if not 0 <= index < len(SPEEDS):
            edge = "fastest" if step > 0 else "slowest"
            self.notify(f"Already at the {edge} speed ({speed_label(s.speed)})")
            return
        s.set_speed(index)

    def action_faster(self) -> None:
        self._change_speed(+1)

    def action_slower(self) -> None:
        self._change_speed(-1)

    def action_goto(self) -> None:
        if self.live and self._refuse_while_waiting():
            return
        now = self.session.now()

        def check(text: str) -> str | None:
            try:
                t = parse_offset(text)
            except ValueError as exc:
                return str(exc)
            if self.live and t < now:
                return f"{format_offset(t)} is in the past; branch from a recording to go back"
            return None

        def done(text: str | None) -> None:
            if text is None:
                return
            t = parse_offset(text)
            if self.live:
                if self._refuse_while_waiting():
                    return
                self.session.set_mode("until_t", t)
            else:
                self.session.seek_time(t)

        self.app.push_screen(
            PromptScreen("Go to sim time (e.g. 3d, 36h, T+5d 03:00)", "3d", check), done
        )

    # -- people ----------------------------------------------------------------------------

    def _inject_choices(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(threat actors, incidents) the inject form offers."""
        scenario = self.session.scenario
        actors = tuple(a.id for a in scenario.threat_actors)
        incidents = tuple(self.picture.incidents) or tuple(i.id for i in scenario.incidents)
        return actors, incidents

    def _selected_msel(self) -> str | None:
        """The id of the MSEL entry selected in the upcoming list (says so when there is none)."""
        msel = self.query_one(UpcomingList).selected_id
        if msel is None:
            self.notify("Select an MSEL entry in the upcoming list")
        return msel

    def _incident_ids(self) -> set[str]:
        """Incident ids in use: open ones, the scenario's, and those scheduled by MSEL or inject."""
        ids = set(self.picture.incidents) | {i.id for i in self.session.scenario.incidents}
        ids |= {
            str(m.params.id) for m in self.session.scenario.msel
            if m.type == "incident" and getattr(m.params, "id", None)
        }  # fmt: skip
        for event in self.session.events:
            inject = event.data.get("inject") if event.kind == "input" else None
            if isinstance(inject, dict) and inject.get("type") == "incident":
                ids.add(str(inject.get("params", {}).get("id")))
        return ids

    def _when_applied(self, inject: dict) -> str:
        """'applied' or 'scheduled for T+...' (an inject with a time to come is not applied)."""
        at = inject.get("at")
        if at:
            try:
                t = parse_offset(str(at))
            except ValueError:
                return "applied"
            if t > self.session.now() + 1e-9:
                return f"scheduled for {format_offset(t)}"
        return "applied"

    def action_inject(self) -> None:
        actors, incidents = self._inject_choices()

        def done(inject) -> None:
            if inject:
                self.notify(f"{inject['type']} inject {self._when_applied(inject)}")

        screen = InjectScreen(self.session.submit, actors, incidents, taken=self._incident_ids(),
                              names=actor_names(self.session.scenario))  # fmt: skip
        self.app.push_screen(screen, done)

    def action_decide(self) -> None:
        s = self.session
        if not s.ex.pending:
            self.notify("No decision is awaited")
            return
        request = s.ex.pending[0]
        if len(s.ex.pending) > 1 and request.state in s.seated:
            # ``d`` answers first for a delegation that has no seat of its own.
            request = next((r for r in s.ex.pending if r.state not in s.seated), request)
        self._decision_open = True
        # What the played delegations already answered on this measure (the request's
        # ``others`` leaves them out), and who still has to.
        given = answers_given(s.events, request.measure, s.players)
        waiting = [r.state for r in s.ex.pending if r.proposal == request.proposal]

        def done(answer) -> None:
            if self._decision_screen is screen:
                self._decision_open, self._decision_screen = False, None
            if not answer:
                return
            if not any(r is request for r in s.ex.pending):  # answered at its seat meanwhile
                self.notify(f"{request.state} has answered already: yours was not entered",
                            severity="warning")  # fmt: skip
                return
            position, statement = answer
            try:
                s.answer(request.state, position, statement)
            except CdtxError as exc:
                self.notify(str(exc), severity="error")

        screen = DecisionScreen(request, self.picture, given, waiting)
        self._decision_screen = screen
        self.app.push_screen(screen, done)

    def action_note(self) -> None:
        """A new facilitator note: several lines, tagged to an objective and/or a delegation
        (the evaluator's form; recorded as an entry of the evaluation log)."""
        self._note_form({})

    def action_edit_note(self) -> None:
        """Edit a note: the one highlighted in the timeline, else the latest. The edit is a new
        entry that replaces it; the recording keeps the first version too."""
        events = self.session.events
        timeline = self.query_one(Timeline)
        entry = None
        if timeline.cursor is not None and timeline.highlighted is not None:
            entry = evaluation.entry_of(events, events[timeline.highlighted].seq)
            if entry is not None and entry.entry != "note":
                entry = None
        if entry is None:
            notes = evaluation.notes(events)
            if not notes:
                self.notify("No note to edit yet: m writes one")
                return
            entry = notes[-1]
        self._note_form(edit_values(entry), when=entry.t)

    def _note_form(self, values: dict, when: float | None = None) -> None:
        objectives = [(o.id, o.text) for o in self.session.scenario.objectives]

        def done(entry: dict | None) -> None:
            if entry:
                edited = f"Note of {format_offset(when)} edited" if when is not None else ""
                self.notify(edited or "Note recorded")

        form = EntryForm("note", objectives, saver(self.session), values)
        self.app.push_screen(form, done)

    def action_edit_msel(self) -> None:
        msel = self._selected_msel()
        if msel is None:
            return
        try:
            entry = self.session.entry(msel)
        except ValueError as exc:  # InjectError: the clock applied it meanwhile
            self.notify(getattr(exc, "message", str(exc)), severity="warning")
            return
        data = entry.model_dump(mode="json", by_alias=True)
        actors, incidents = self._inject_choices()

        def done(inject) -> None:
            if inject:
                self.notify(f"{msel} replaced by the edited entry")

        screen = InjectScreen(
            lambda inject: self.session.edit(msel, inject), actors, incidents,
            kind=entry.type, prefill=form_values(data), taken=self._incident_ids(),
            names=actor_names(self.session.scenario),
        )  # fmt: skip
        self.app.push_screen(screen, done)

    def _on_selected_msel(self, act, done: str) -> None:
        """``act(msel_id)`` on the selected MSEL entry, then say ``done`` (or why it failed)."""
        msel = self._selected_msel()
        if msel is None:
            return
        try:
            act(msel)
        except ValueError as exc:  # InjectError: e.g. the entry fired meanwhile
            self.notify(getattr(exc, "message", str(exc)), severity="error")
        else:
            self.notify(f"{msel} {done}")

    def action_fire(self) -> None:
        self._confirm_msel("Fire {} now?", self.session.fire, "fired now")

    def _confirm_msel(self, question: str, act, said: str) -> None:
        """Ask first, then ``act`` on the selected MSEL entry: firing or skipping changes the
        record for good, and one key must not do it by accident."""
        msel = self._selected_msel()
        if msel is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._on_selected_msel(act, said)

        self.app.push_screen(ConfirmScreen(question.format(msel)), done)

    def action_seats(self) -> None:
        """cdtx host's join commands, again: the console covered them when it opened."""
        lines = getattr(self.session, "join_lines", [])
        if not lines:
            self.notify("No seats: this console is not hosting (cdtx host)")
            return
        self.app.push_screen(SeatsScreen(lines))

    def action_expectations(self) -> None:
        """What the MSEL expected of each played delegation, and whether it was met."""
        self.app.push_screen(ExpectationsScreen(self.session))

    def action_evaluate(self) -> None:
        """The evaluator's screen (read-only in a replay)."""
        self.app.push_screen(EvaluationScreen(self.session))

    def action_zoom(self) -> None:
        """The focused panel gets the whole screen (every panel readable at 80x24); again:
        back to the console."""
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None and self.focused.id in PANELS:
            self.maximize(self.focused, container=False)

    def action_skip(self) -> None:
        self._confirm_msel("Skip {}? (recorded)", self.session.skip, "skipped")

    def action_release(self) -> None:
        """Release the MSEL entry the clock waits at (``hold: true``): it takes effect."""
        try:
            entry_id = self.session.release()
        except ValueError as exc:  # InjectError: nothing is held
            self.notify(getattr(exc, "message", str(exc)), severity="warning")
            return
        self.notify(f"{entry_id} released")

    def action_toggle_player(self) -> None:
        code = self.query_one(StatesBoard).selected_state
        if code is None:
            return
        if self.session.can_change_players():  # before the clock starts: nothing is recorded
            self._toggle_player(code)
            return
        to = "the model" if code in self.session.players else "the people at the table"

        def done(yes: bool | None) -> None:
            if yes:
                self._toggle_player(code)

        self.app.push_screen(ConfirmScreen(f"Hand {code} to {to}? (recorded)"), done)

    def _toggle_player(self, code: str) -> None:
        try:
            what = self.session.toggle_player(code)
        except ValueError as exc:  # InjectError: its message, without the field's name
            self.notify(getattr(exc, "message", str(exc)), severity="warning")
            return
        self.notify(f"{code} {what}")

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        # Focus now, not with ``focus()``'s later callback: the keys typed right after f are
        # queued behind it and go to whatever has the focus when the app takes them.
        self.set_focus(box)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "filter":
            return
        event.stop()
        unknown = self.query_one(Timeline).set_filter(event.value)  # the title says it is on
        if unknown:
            self.notify(f"unknown stage or kind: {', '.join(unknown)}", severity="warning")
        event.input.display = False
        self.query_one(Timeline).focus()

    def key_escape(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.display = False
            self.query_one(Timeline).focus()

    # -- replay ----------------------------------------------------------------------------

    def _move(self, cursor: int) -> None:
        self.session.move(cursor)

    def action_prev_event(self) -> None:
        self._move(self.session.cursor - 1)

    def action_next_event(self) -> None:
        self._move(self.session.cursor + 1)

    def action_prev_decision(self) -> None:
        self.session.next_decision(-1)

    def action_next_decision(self) -> None:
        self.session.next_decision(+1)

    def action_branch(self) -> None:
        from .session import LiveSession

        app = self._app
        path = app.default_record_path(self.session.scenario.id) if app.record_default else None
        try:
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            ex = self.session.branch(record_to=path)
        except (CdtxError, OSError) as exc:  # RecordingError, InjectError, a disk problem
            self.notify(f"cannot branch: {exc}", severity="error")
            return
        session = LiveSession(ex, record=None, speed_index=len(SPEEDS) - 3)
        session.recorder = getattr(ex, "recorder", None)
        if session.recorder is None:
            session.record_error = "this branch is not recorded"
        else:
            session.record_path = path  # the header and the goodbye say where it records
        app.push_screen(ConsoleScreen(session))
        where = f" (recording to {path})" if session.recorder is not None else ""
        self.notify(f"Branched at {format_offset(ex.now)}: a new live run{where}")
