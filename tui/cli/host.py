"""``cdtx host``: one exercise, many seats (facilitators, delegations, evaluators, observers)
joining over WebSocket with ``cdtx join``. See docs/hosting.md."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import argtypes

if TYPE_CHECKING:  # asyncio is imported where the host runs: --help stays light
    import asyncio


def any_port(text: str) -> int:
    """A TCP port, or 0 for any free port (the host prints the one it got)."""
    if text.strip() == "0":
        return 0
    return argtypes.port(text)


def speed(text: str) -> float:
    """Simulated hours per second of wall time, above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected hours per second, not {text!r}") from None
    if not 0 < value < 1e9:
        raise argparse.ArgumentTypeError(f"must be above 0, not {text}")
    return value


def register(sub) -> None:
    p = sub.add_parser("host", help="host one exercise for many seats (cdtx join)")
    argtypes.add_scenario_argument(p)
    p.add_argument("--seed", type=argtypes.seed, help="root seed (default: the scenario's seed)")
    p.add_argument(
        "--players",
        type=argtypes.players,
        metavar="DE,PL",
        help="delegations played by people, one seat each (default: the scenario's)",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--record",
        metavar="FILE",
        help="record to FILE (default: cdtx-runs/<scenario>-<time>.jsonl)",
    )
    group.add_argument(
        "--no-record", action="store_true", help="do not record (the host cannot then be resumed)"
    )
    group.add_argument(
        "--resume",
        metavar="FILE",
        help="go on with the exercise recorded in FILE (after a crash); the seats "
        "keep their tokens",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        dest="address",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    p.add_argument("--port", type=any_port, default=8765, help="port (default: 8765; 0: any)")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow an address other than loopback (use TLS: --certfile/--keyfile)",
    )
    p.add_argument(
        "--public-url",
        type=argtypes.ws_url,
        metavar="URL",
        help="the address seats join, as printed in their links and join commands: ws(s)://... "
        "or the page's http(s)://... (the same place: https is wss), e.g. a reverse proxy's "
        "https://example.org/x (default: the listening address; with 0.0.0.0 or ::, this "
        "machine's name)",
    )
    p.add_argument("--certfile", help="TLS certificate (PEM) for wss://")
    p.add_argument("--keyfile", help="TLS private key (PEM)")
    p.add_argument(
        "--facilitators",
        type=argtypes.facilitator_seats,
        default=1,
        metavar="N",
        help=f"facilitator seats, at most {argtypes.MAX_SEATS} (default: 1)",
    )
    p.add_argument("--evaluators", type=argtypes.seats, default=1, metavar="N",
                   help=f"evaluator seats, at most {argtypes.MAX_SEATS} (default: 1)")  # fmt: skip
    p.add_argument("--observers", type=argtypes.seats, default=1, metavar="N",
                   help=f"observer seats, at most {argtypes.MAX_SEATS} (default: 1)")  # fmt: skip
    p.add_argument(
        "--speed",
        type=speed,
        metavar="H",
        help="simulated hours per second (default: 1); facilitators change it; with the "
        "console, one of its speeds",
    )
    p.add_argument("--paused", action="store_true", help="start with the clock stopped")
    p.add_argument(
        "--share-advice",
        action="store_true",
        help="show the model's advice to the delegations from the start",
    )
    p.add_argument(
        "--no-console",
        action="store_true",
        help="no facilitator view in this terminal (join as facilitator instead)",
    )
    p.set_defaults(func=cmd_host)


def need_websockets() -> None:
    """Refuse plainly when the optional ``websockets`` library is missing."""
    from scenarios.errors import UserError

    try:
        import websockets  # noqa: F401
    except ImportError:
        raise UserError("'cdtx host' and 'cdtx join' need websockets: "
                        "pip install 'cdtx[host]'") from None  # fmt: skip


@dataclass
class _ServingState:
    """What the host's thread hands the console's: its loop and stop event once listening, or
    the error that kept it from listening."""

    error: OSError | None = None
    loop: asyncio.AbstractEventLoop | None = None
    stop: asyncio.Event | None = None


class CannotListen(Exception):
    """The host could not listen on its address and port (in use, say)."""


def cmd_host(args: argparse.Namespace) -> int:
    from scenarios.errors import UserError

    from ..web_guard import is_loopback
    from .serve import check_port_free

    need_websockets()

    loopback = is_loopback(args.address)
    if not loopback and not args.allow_remote:
        raise UserError(f"--host {args.address}: not this machine only; add --allow-remote to "
                        "let other machines join (and give --certfile/--keyfile)")  # fmt: skip
    if bool(args.certfile) != bool(args.keyfile):
        raise UserError("--certfile and --keyfile go together")
    console = not args.no_console and sys.stdin.isatty() and sys.stdout.isatty()
    speed_index = _console_speed(args.speed) if console and args.speed is not None else None
    context = _ssl_context(args.certfile, args.keyfile) if args.certfile else None
    if not loopback and context is None:
        print(f"cdtx: WARNING: listening on {args.address} without TLS: tokens and events cross "
              "the network in clear; give --certfile/--keyfile", file=sys.stderr)  # fmt: skip
    if args.port:  # before any file is made: a retry must not find a recording to resume
        check_port_free(args.address, args.port)
    if args.resume:
        ex, seats, tokens, recorder, path = _resume(args)
    else:
        ex, seats, tokens, recorder, path = _start(args)
    from ..host.server import Host, tokens_path

    try:
        if console:
            _with_console(args, ex, seats, tokens, recorder, path, context, speed_index)
        else:
            host = Host(ex, seats, tokens, address=args.address, port=args.port,
                        ssl_context=context, speed=args.speed or 1.0, running=not args.paused,
                        recorder=recorder, advice=args.share_advice,
                        on_notice=_say, public_url=args.public_url)  # fmt: skip
            host.seats_file = tokens_path(path) if path is not None else None
            host.on_seats = lambda: _reannounce(host)
            _serve(host, seats, tokens, path)
    except CannotListen as exc:  # taken between the check and the start: undo what was made
        if recorder is not None and not args.resume:
            recorder.close()
            recorder = None
            for made in (path, tokens_path(path)):
                made.unlink(missing_ok=True)
        raise UserError(f"--host {args.address} --port {args.port}: cannot listen "
                        f"({exc})") from None  # fmt: skip
    finally:
        if recorder is not None:
            recorder.close()
    return 0


def _say(text: str) -> None:
    """A notice of the host (a seat throttled) on the facilitator's terminal."""
    from scenarios.safe_read import printable

    print(f"cdtx: {printable(text)}", file=sys.stderr, flush=True)


def _console_speed(hours_per_second: float) -> int:
    """The index in the console's speeds of ``--speed`` (the console has a few fixed ones)."""
    import math

    from scenarios.errors import UserError
    from sim.clock import SPEEDS

    for index, seconds in enumerate(SPEEDS):
        if seconds is not None and math.isclose(seconds / 3600, hours_per_second):
            return index
    speeds = ", ".join(f"{s / 3600:.3g}" for s in SPEEDS if s is not None)
    raise UserError(f"--speed {hours_per_second:g}: the console runs at one of {speeds} hours "
                    "per second (or change it in the console; --no-console takes any speed)")  # fmt: skip


def _ssl_context(certfile: str, keyfile: str):
    import ssl

    from scenarios.errors import UserError

    from .join import read_pem

    # Each file through the bounded reader first: ssl's own open of a FIFO waits for ever.
    for path, what in ((certfile, "a certificate"), (keyfile, "a private key")):
        try:
            read_pem(path, what=what)
        except ValueError as exc:
            raise UserError(f"{path}: cannot use this file ({exc})") from None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as exc:
        raise UserError(f"{certfile}: cannot use this certificate and key ({exc})") from None
    return context


def _start(args):
    from pathlib import Path

    from scenarios.errors import UserError
    from scenarios.safe_write import check_output
    from sim.recording import Recorder
    from sim.seats import seats_for

    from ..host.server import new_tokens, save_tokens, tokens_path
    from .common import default_record_path, load_exercise

    ex = load_exercise(args, players=args.players, interactive=True)
    seats = seats_for(ex.players, facilitators=args.facilitators, evaluators=args.evaluators,
                      observers=args.observers)  # fmt: skip
    tokens = new_tokens(seats)
    if args.no_record:
        return ex, seats, tokens, None, None
    path = Path(args.record) if args.record else default_record_path(ex.scenario.id)
    if args.record is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not path.is_symlink() and path.is_file():
        raise UserError(f"{path}: already exists; resume it with --resume, or choose another file")
    scenario = args.scenario if args.scenario and Path(args.scenario).is_file() else None
    path = check_output(path, inputs=[scenario], option="--record")
    seats_file = tokens_path(path)
    if seats_file.exists() or seats_file.is_symlink():
        raise UserError(f"{seats_file}: already exists (the seats of another exercise); remove "
                        "it or choose another --record file")  # fmt: skip
    recorder = Recorder(path, ex)
    try:
        save_tokens(seats_file, seats, tokens)
    except OSError as exc:
        recorder.close()
        path.unlink(missing_ok=True)  # no recording without its seats: it could not be resumed
        raise UserError(f"{seats_file}: cannot write the seats ({exc.strerror})") from None
    return ex, seats, tokens, recorder, path


def _resume(args):
    """The exercise of the recording, re-simulated to its last event, recorded on to the same
    file (rewritten to a temporary file and renamed over it: a crash while resuming loses
    nothing), with the seats and tokens it had.

    The recording is checked first (every chain link, the trailer, the header: as
    ``cdtx replay --verify`` does), then re-simulated and compared by digest: an edited file is
    refused, naming its first bad line, never re-chained into one that verifies."""
    import os
    from pathlib import Path

    from scenarios.errors import UserError
    from sim.recording import Recorder

    from ..host.server import load_tokens, tokens_path
    from .common import open_recording

    if args.scenario is not None or args.players is not None or args.seed is not None:
        raise UserError("--resume takes the scenario, seed and players from the recording")
    path = Path(args.resume)
    seats, tokens = load_tokens(tokens_path(path))
    recording = open_recording(str(path))
    broken = recording.check_integrity()
    if broken is not None:
        raise UserError(f"{broken.message}; --resume goes on only with a recording that "
                        "verifies")  # fmt: skip
    ex = recording.resimulate()
    if ex.digest != recording.digest:
        raise UserError(f"{path}: the re-simulation differs from the recording; check it with "
                        f"'cdtx replay {path} --verify'")  # fmt: skip
    ex.interactive = True
    temporary = path.with_name(path.name + ".resuming")
    recorder = Recorder(temporary, ex, force=True)  # a temporary left by a resume cut short
    recorder.sync()
    if recorder.error is not None:  # a full disk: the recording stays as it was
        recorder.close()
        temporary.unlink(missing_ok=True)
        raise UserError(f"{temporary}: cannot write ({recorder.error}); {path} was not changed")
    os.replace(temporary, path)
    recorder.path = path
    print(f"cdtx: resumed {path} at event {len(ex.events)} (t={ex.now:g} h)", file=sys.stderr)
    return ex, seats, tokens, recorder, path


def join_lines(host, seats, tokens) -> list[str]:
    """One line per seat: who it is, its web link and the command that joins it, at the
    address seats join (``--public-url``: :meth:`Host.seats_address`, looked up once)."""
    from ..host.web import seat_line, seat_who

    url = host.seats_address()
    lines = []
    for seat in seats:
        console = seat.id == getattr(host, "console_seat", None)
        lines.append(seat_line(seat.id, seat_who(seat), url, None if console else tokens[seat.id]))
    return lines


def _announce(host, seats, tokens, path, lines: list[str]) -> None:
    from scenarios.safe_read import printable

    from ..host.server import tokens_path

    if path is not None:
        print(printable(f"cdtx: recording to {path} (seats and tokens in {tokens_path(path)})"),
              file=sys.stderr)  # fmt: skip
    title = printable(host.exercise.scenario.title)  # from the scenario file: no escapes
    print(f"cdtx: hosting '{title}' at {host.url}", file=sys.stderr)
    for line in lines:
        print(printable(line))
    sys.stdout.flush()


def _reannounce(host) -> None:
    """A token renewed or a seat shared from a facilitator seat: the join commands again."""
    from scenarios.safe_read import printable

    print("cdtx: the seats changed; their join commands now:", file=sys.stderr)
    for line in join_lines(host, list(host.seats.values()), host.tokens):
        print(printable(line))
    sys.stdout.flush()


def _serve(host, seats, tokens, path) -> None:
    import asyncio
    import signal

    async def main() -> None:
        try:
            await host.start()
        except OSError as exc:
            raise CannotListen(exc.strerror or str(exc)) from None
        _announce(host, seats, tokens, path, join_lines(host, seats, tokens))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        await host.stop()

    asyncio.run(main())
    print("cdtx: host stopped", file=sys.stderr)


def _with_console(args, ex, seats, tokens, recorder, path, context, speed_index=None) -> None:
    """The facilitator console (``cdtx play``'s) in this terminal, sharing the exercise with the
    host, which serves the seats from a thread of its own. The console's clock drives the
    exercise; its inputs are the first facilitator seat's."""
    import asyncio
    import threading

    from ..app import make_play_app
    from ..host.server import Host, tokens_path
    from ..keymap import load_keymap

    app = make_play_app(ex, record=False, keymap=load_keymap())
    session = app.first_session
    if speed_index is not None:
        session.set_speed(speed_index)
    if recorder is not None:  # the host's recorder: the console says it records, and where
        session.recorder, session.record_path, session.record_off = recorder, path, False
    host = Host(ex, seats, tokens, address=args.address, port=args.port, ssl_context=context,
                recorder=recorder, advice=args.share_advice, console=session,
                public_url=args.public_url)  # fmt: skip
    ready, state = threading.Event(), _ServingState()

    def serve() -> None:
        async def main() -> None:
            try:
                await host.start()
            except OSError as exc:
                state.error = exc
                ready.set()
                return
            state.loop, state.stop = asyncio.get_running_loop(), asyncio.Event()
            ready.set()
            await state.stop.wait()
            await host.stop()

        asyncio.run(main())

    thread = threading.Thread(target=serve, name="cdtx-host", daemon=True)
    thread.start()
    ready.wait()
    if state.error is not None:
        raise CannotListen(state.error.strerror or str(state.error))
    lines = join_lines(host, seats, tokens)
    _announce(host, seats, tokens, path, lines)  # also after the console closes
    session.join_lines = lines
    if path is not None:
        host.seats_file = tokens_path(path)

    def seats_changed() -> None:  # a facilitator seat renewed a token or shared a seat: J shows it
        session.join_lines = join_lines(host, list(host.seats.values()), host.tokens)

    host.on_seats = seats_changed
    hosting = (f"Hosting at {host.seats_address()}: J shows the seats' join commands "
               "(printed again after Quit).")  # fmt: skip
    session.players_note = f"{session.players_note} {hosting}".strip()
    if not args.paused:
        session.set_mode("run")
    try:
        app.run()
    finally:
        if state.loop is not None and state.stop is not None:
            state.loop.call_soon_threadsafe(state.stop.set)
        thread.join(10)
    print("\n".join(session.join_lines))
