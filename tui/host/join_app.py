"""The seat's terminal view (``cdtx join``): what the seat sees, large and plain, and one
command line for what it may do. The view is the seat's :class:`~sim.seats.SeatView`."""

from __future__ import annotations

import shlex
import ssl
import time

import orjson
from rich.markup import escape
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, RichLog, Static

from scenarios.safe_read import printable
from sim.clock import format_offset
from sim.expectations import fold_received, msel_status
from sim.seat_rules import ACTIONS
from sim.seats import POSITIONS, SeatView, text_of

from . import RETRY_DELAY
from .client import InputRefused, JoinError, SeatClient

HELP = {
    "facilitator": "run | pause | speed H | note [objective=ID] [state=CC] TEXT | skip ID | release [ID] | "
    "fire ID | edit ID [at=DUR] [TEXT] | hotwash [strength|improvement] TEXT | "
    "mark ID STATE met|not [TEXT] | expect STATE | chat on|off | free SEAT | token SEAT | share SEAT | inject JSON | "
    "answer STATE POSITION [STATEMENT] | advice STATE|* on|off | play STATE | unplay STATE",
    "delegation": f"answer {'|'.join(POSITIONS)} [STATEMENT] | msg TEXT | ack [ID] | chat STATE TEXT",
    "evaluator": "obs OBJECTIVE P|S|M|U [TEXT] | mark ID STATE met|not [TEXT] | expect STATE",
    "observer": "(read-only)",
}


#: Seconds between two refolds of a facilitator's MSEL and expectations in the side panel.
REFOLD = 1.0


def parse_command(role: str, line: str) -> tuple[str, dict]:
    """A command typed in the view -> (action, fields) for :meth:`SeatClient.act`.

    Raises ``ValueError`` with a short usage when the line is not a command of this role.
    """
    action, fields = _parse(role, line)
    if action not in ACTIONS[role]:
        raise ValueError(f"not a command of the {role} seat: {HELP[role]}")
    return action, fields


def _parse(role: str, line: str) -> tuple[str, dict]:
    words = line.strip().split(maxsplit=1)
    if not words:
        raise ValueError("type a command: " + HELP[role])
    verb, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
    if verb in ("run", "pause"):
        return "clock", {"run": verb == "run"}
    if verb == "speed":
        return "clock", {"speed": float(rest)}
    if verb == "note":  # note [objective=OBJ-2] [state=DE] TEXT
        fields: dict[str, str] = {}
        text = rest.strip()
        while text.startswith(("objective=", "state=")):
            tag, _, text = text.partition(" ")
            key, _, value = tag.partition("=")
            fields[key] = value
            text = text.strip()
        return "note", {"text": text, **fields}
    if verb == "skip":
        return "skip", {"msel": rest.strip()}
    if verb == "free":
        if not rest.strip():
            raise ValueError("free SEAT (e.g. free DE)")
        return "free", {"seat": rest.strip()}
    if verb == "fire":
        return "fire", {"msel": rest.strip()}
    if verb == "edit":  # edit M-04 [at=36h] [new message]
        parts = rest.split(maxsplit=1)
        if not parts:
            raise ValueError("edit ID [at=DUR] [MESSAGE]")
        changes: dict[str, str] = {"msel": parts[0]}
        text = parts[1].strip() if len(parts) > 1 else ""
        if text.startswith("at="):
            tag, _, text = text.partition(" ")
            changes["at"] = tag.removeprefix("at=")
        if text.strip():
            changes["message"] = text.strip()
        return "edit", changes
    if verb == "hotwash":
        about, _, text = rest.strip().partition(" ")
        if about in ("strength", "improvement"):
            return "hotwash", {"about": about, "text": text.strip()}
        return "hotwash", {"text": rest.strip()}
    if verb == "mark":  # mark S-02 DE met|not [text]
        parts = rest.split(maxsplit=3)
        if len(parts) < 3 or parts[2].lower() not in ("met", "not"):
            raise ValueError("mark ID STATE met|not [TEXT]")
        return "mark", {"msel": parts[0], "state": parts[1].upper(),
                        "met": parts[2].lower() == "met", "text": " ".join(parts[3:])}  # fmt: skip
    if verb in ("ack", "acknowledge"):
        return "acknowledge", {"entry": rest.strip()}  # no id: the oldest unread (the view's)
    if verb == "chat":
        if role == "facilitator":
            if rest.strip() not in ("on", "off"):
                raise ValueError("chat on|off")
            return "allow_chat", {"allowed": rest.strip() == "on"}
        parts = rest.split(maxsplit=1)
        if len(parts) < 2:
            raise ValueError("chat STATE TEXT")
        return "chat", {"to": parts[0].upper(), "text": parts[1]}
    if verb in ("token", "new_token"):
        if not rest.strip():
            raise ValueError("token SEAT (a new token for it; the old one stops working)")
        return "new_token", {"seat": rest.strip()}
    if verb == "share":
        if not rest.strip():
            raise ValueError("share SEAT (a second person takes DE's seat with a token of their own)")
        return "share", {"seat": rest.strip()}
    if verb == "release":
        return "release", {"msel": rest.strip()} if rest.strip() else {}
    if verb == "inject":
        try:
            return "inject", {"inject": orjson.loads(rest)}
        except orjson.JSONDecodeError:
            raise ValueError('inject {"type": "note", "params": {"text": "..."}}') from None
    if verb in ("play", "unplay"):
        return "players", {"state": rest.strip().upper(), "played": verb == "play"}
    if verb == "advice":
        parts = rest.split()
        if len(parts) != 2 or parts[1] not in ("on", "off"):
            raise ValueError("advice STATE|* on|off")
        return "advice", {"state": parts[0].upper(), "allowed": parts[1] == "on"}
    if verb == "answer":
        parts = shlex.split(rest) if rest else []
        if role == "facilitator":
            if len(parts) < 2:
                raise ValueError("answer STATE POSITION [STATEMENT]")
            return "answer", {"state": parts[0].upper(), "position": parts[1],
                              "statement": " ".join(parts[2:])}  # fmt: skip
        if not parts:
            raise ValueError(f"answer {'|'.join(POSITIONS)} [STATEMENT]")
        return "answer", {"position": parts[0], "statement": " ".join(parts[1:])}
    if verb in ("msg", "message"):
        return "message", {"text": rest}
    if verb in ("obs", "observation"):
        parts = rest.split(maxsplit=2)
        if len(parts) < 2:
            raise ValueError("obs OBJECTIVE P|S|M|U [TEXT]")
        return "observation", {"objective": parts[0], "rating": parts[1].upper(),
                               "text": parts[2] if len(parts) > 2 else ""}  # fmt: skip
    raise ValueError(f"unknown command {verb!r}: " + HELP[role])


class JoinApp(App):
    """A seat's view of a hosted exercise."""

    TITLE = "cdtx join"
    CSS = """
    #status { height: 3; padding: 0 1; text-style: bold; background: $boost; }
    #main { height: 1fr; }
    #log { width: 2fr; }
    #side { width: 1fr; padding: 0 1; border-left: solid $primary; }
    #command { dock: bottom; }
    .projector #log { text-style: bold; }
    """
    BINDINGS = [Binding("ctrl+q", "quit", "Quit")]

    def __init__(self, url: str, token: str, *, ssl_context: ssl.SSLContext | None = None,
                 banner: list[str] | None = None, retry_delay: float = RETRY_DELAY) -> None:  # fmt: skip
        super().__init__()
        self.retry_delay = retry_delay
        self.client = SeatClient(url, token, ssl_context=ssl_context, listener=self._arrived)
        self.banner = banner or []
        self.error = ""
        self._msel_cache: tuple[int, float, list[str]] = (-1, 0.0, [])
        self._refold_due = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("connecting...", id="status")
        with Horizontal(id="main"):
            yield RichLog(id="log", wrap=True, markup=False)
            with Vertical(id="side"):
                yield Static("", id="summary")
        yield Input(placeholder="command", id="command")
        yield Footer()

    async def on_mount(self) -> None:
        log = self.query_one(RichLog)
        for line in self.banner:
            log.write(line)

        def trying(text: str) -> None:
            log.write(f"! {printable(text)}")

        self.client.on_notice = lambda text: self.notify(printable(text), severity="warning")
        try:
            welcome = await self.client.join(status=trying, delay=self.retry_delay)
        except JoinError as exc:
            self.error = str(exc)
            self.exit()
            return
        seat = welcome["seat"]
        # Texts from the host (the scenario's title, events) are shown escaped: no control
        # characters in the terminal, no markup taken from a scenario file.
        self.sub_title = printable(
            f"seat {seat['id']} ({seat['role']}): {welcome['scenario']['title']}"
        )
        command = self.query_one(Input)
        command.placeholder = HELP[seat["role"]]
        if seat["role"] == "observer":
            command.display = False
            self.add_class("projector")
        else:
            command.focus()  # a participant types at once: answer, msg
        self.run_worker(self._watch_close(), exclusive=False)
        self._refresh_view()

    async def _watch_close(self) -> None:
        """Rejoin by itself when the connection drops (the host restarted with --resume); not
        after the host stopped the exercise on purpose, which it says (no retrying for ever)."""
        log = self.query_one(RichLog)

        def status(text: str) -> None:
            log.write(f"! {printable(text)}")
            self.query_one("#status", Static).update(_escape(printable(text)))

        try:
            await self.client.stay(status=status, until_host_stops=True,
                                   delay=self.retry_delay)
        except JoinError as exc:
            status(str(exc))
            return
        if not self.client.closed_here:
            status("The host has stopped the exercise: this seat is closed (ctrl+q quits).")

    def _arrived(self, batch: list[dict]) -> None:
        log = self.query_one(RichLog)
        view = self.client.view  # the batch is folded in: its proposals name their measures
        measures = view.measures if view is not None else {}
        for event in batch[-2000:]:  # a long replay: the latest lines are what matters
            log.write(printable(f"{format_offset(event['t'])}  {text_of(event, measures)}"))
        self._refresh_view()

    def _refresh_view(self) -> None:
        view: SeatView | None = self.client.view
        if view is None:
            return
        state = "ENDED" if view.ended else ""
        mine = view.seat.role == "delegation"
        waiting = ", ".join(
            f"{'' if mine else r['state'] + ' on '}{r['proposal']} ({r['measure']})"
            for r in view.requests
        )
        if waiting:
            waiting = f"YOUR DECISION IS NEEDED: {waiting}" if mine else f"Awaiting: {waiting}"
        self.query_one("#status", Static).update(
            _escape(printable(f"{format_offset(view.t)}  {view.title}  {state}\n{waiting}"))
        )
        parts = ["[b]Procedure[/b]"]
        parts += [f"{pid} {row.get('measure')}: {row.get('status')}"
                  for pid, row in view.proposals.items()]  # fmt: skip
        if view.adopted:
            parts += ["", "[b]Adopted[/b]", *view.adopted]
        if view.assessment:
            a = view.assessment
            parts += ["", "[b]EU assessment[/b]", f"{a.get('actor')} ({a.get('sponsor')}), "
                      f"confidence {a.get('confidence') or 0:.0%}"]  # fmt: skip
        if view.confidence:
            parts += ["", "[b]Our attribution confidence[/b]"]
            parts += [f"{actor}: {c:.0%}" for actor, c in view.confidence.items()]
        if mine and view.chat_allowed:
            parts += ["", "[b]Chat between delegations is open: chat STATE TEXT[/b]"]
        if view.unread:
            parts += ["", f"[b]Unread injects ({len(view.unread)}): ack [ID][/b]",
                      ", ".join(view.unread[-8:])]  # fmt: skip
        if self.client.msel:  # a facilitator's MSEL and expectations: folded from every event
            parts += self._msel_parts(view)
        if view.messages:
            parts += ["", "[b]Messages[/b]"] + [
                f"{who}: {text}" for _, who, text in view.messages[-5:]
            ]
        self.query_one("#summary", Static).update("\n".join(_escape(printable(p)) for p in parts))

    def _msel_parts(self, view: SeatView) -> list[str]:
        """The MSEL still to come and the expectations' tally, refolded from all the seat's
        events at most every REFOLD seconds (a long exercise holds tens of thousands, and
        batches arrive many times a second); a later refresh picks up what came meanwhile."""
        now = time.monotonic()
        count, at, parts = self._msel_cache
        if count == view.count and parts:
            return parts
        if parts and now - at < REFOLD:
            if not self._refold_due:
                self._refold_due = True
                self.set_timer(REFOLD - (now - at), self._refold)
            return parts
        events = view.events
        rows = msel_status(self.client.msel, events)
        coming = [r for r in rows if r["status"] in ("planned", "held")]
        parts = ["", f"[b]MSEL ({len(coming)} to come of {len(rows)})[/b]"]
        parts += [f"{r['id']} {r['at']} {r['type']}: {r['status']}" for r in coming[:8]]
        folded = fold_received(self.client.msel, events)
        if folded:
            parts += ["", "[b]Expectations (expect STATE for details)[/b]"]
            parts += [_tally(state, items) for state, items in folded.items()]
        self._msel_cache = (view.count, now, parts)
        return parts

    def _refold(self) -> None:
        self._refold_due = False
        self._refresh_view()

    def _expectations(self, state: str) -> None:
        """``expect STATE``: that delegation's expectations, one line each, in the log."""
        log = self.query_one(RichLog)
        view = self.client.view
        folded = fold_received(self.client.msel, view.events if view is not None else [])
        if state not in folded:
            known = ", ".join(folded) or "none: the MSEL expects nothing of a played delegation"
            log.write(f"! expect STATE: one of {known}")
            return
        for x in folded[state]:
            mark = x.status if x.met is None else f"{x.status} ({x.marked_by}) {x.mark_text}"
            done = "; ".join(text for _, text in x.done[-2:])
            log.write(printable(f"{state} {x.entry}: {x.expected} | delivered {_when(x.delivered)}"
                                f", acknowledged {_when(x.acknowledged)} | {done or '-'} | "
                                f"{mark}"))  # fmt: skip

    async def on_input_submitted(self, message: Input.Submitted) -> None:
        line = message.value
        message.input.value = ""
        log = self.query_one(RichLog)
        try:
            seat = self.client.seat
            if seat is None:  # not welcomed yet: nothing to act as
                raise ValueError("not connected yet")
            if line.strip().lower().startswith("expect") and self.client.msel:
                self._expectations(line.strip()[len("expect"):].strip().upper())
                return
            action, fields = parse_command(seat.role, line)
            if action == "acknowledge" and not fields["entry"]:
                unread = self.client.view.unread if self.client.view is not None else []
                if not unread:
                    raise ValueError("nothing to acknowledge: every inject has been read")
                fields["entry"] = unread[0]
            await self.client.act(action, **fields)
        except (ValueError, InputRefused) as exc:
            log.write(f"! {exc}")


def _when(t: float | None) -> str:
    return "-" if t is None else format_offset(t)


def _tally(state: str, items: list) -> str:
    """``DE: 3 delivered, 2 acknowledged, 1 met, 1 not met, 4 to come``."""
    count = {status: sum(1 for x in items if x.status == status)
             for status in ("met", "not met", "acknowledged", "delivered", "planned")}  # fmt: skip
    delivered = sum(1 for x in items if x.delivered is not None)
    acknowledged = sum(1 for x in items if x.acknowledged is not None)
    return (f"{state}: {delivered} delivered, {acknowledged} acknowledged, {count['met']} met, "
            f"{count['not met']} not met, {count['planned']} to come")  # fmt: skip


def _escape(text: str) -> str:
    """Keep the bold headings, escape everything else (texts come from the scenario)."""
    if text.startswith("[b]"):
        return text
    return escape(text)
