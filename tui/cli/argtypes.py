"""Argument types of the ``cdtx`` command line: public, tested functions (as httpie does).

Each takes the text of one option and returns its value, or raises
``argparse.ArgumentTypeError`` with a message for people; argparse then prints
``cdtx COMMAND: error: argument --x: <message>`` and the command exits with status 1.
"""

from __future__ import annotations

import argparse
import re
from typing import NamedTuple
from urllib.parse import unquote, urlsplit, urlunsplit

SEED_LIMIT = 2**63


def add_scenario_argument(parser: argparse.ArgumentParser) -> None:
    """The optional SCENARIO positional every command that runs a scenario takes."""
    parser.add_argument(
        "scenario",
        nargs="?",
        default=None,
        metavar="SCENARIO",
        help="built-in scenario id or path to a YAML file (default: the built-in default scenario)",
    )


def add_force_argument(parser: argparse.ArgumentParser, output: str) -> None:
    """``--force``: replace an existing ``output`` file (never a link, a directory or an input;
    scenarios.safe_write.check_output)."""
    parser.add_argument(
        "--force",
        action="store_true",
        help=f"replace {output} if it exists (it is never a link, a directory or an input)",
    )


def seed(text: str) -> int:
    """A root seed: a whole number in [0, 2**63)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be a whole number, not {text!r}") from None
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"seed must be between 0 and 2**63-1, not {value}")
    return value


def sim_time(text: str) -> float:
    """A sim time: a duration since the start (``10d``) or a T+ time as the timelines show it."""
    from sim.clock import parse_offset

    try:
        return parse_offset(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def players(text: str) -> list[str]:
    """A comma-separated list of member state codes (``EE,LV``), upper-cased."""
    from scenarios.vocabulary import EU27

    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in EU27]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown member state code(s): {', '.join(unknown)}")
    return codes


def positive_int(text: str) -> int:
    """A whole number of at least 1 (workers, runs per task)."""
    return _whole_number(text, least=1)


def count(text: str) -> int:
    """A whole number of 0 or more."""
    return _whole_number(text, least=0)


#: The most seats of one kind ``cdtx host`` makes (facilitators, evaluators, observers): a
#: projector room, not a stadium. Each seat is a token, a line of the seats file (which
#: ``--resume`` reads back within 1 MB) and a printed link; 10**8 of them never finished.
MAX_SEATS = 256


def seats(text: str) -> int:
    """A number of seats of one kind: 0 to :data:`MAX_SEATS`."""
    return _whole_number(text, least=0, most=MAX_SEATS)


def facilitator_seats(text: str) -> int:
    """A number of facilitator seats: 1 to :data:`MAX_SEATS` (an exercise needs one)."""
    return _whole_number(text, least=1, most=MAX_SEATS)


def _whole_number(text: str, least: int, most: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text[:40]!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be at least {least}, not {value}")
    if most is not None and value > most:
        raise argparse.ArgumentTypeError(f"at most {most}, not {value}")
    return value


def retry_delay(text: str) -> float:
    """Seconds between a seat's tries to join or rejoin: from 0.01 (not a busy loop of tries)
    to an hour."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seconds, e.g. 2 or 0.5, not {text[:40]!r}") from None
    if not 0.01 <= value <= 3600:  # NaN fails this too
        raise argparse.ArgumentTypeError(f"from 0.01 to 3600 seconds, not {text[:40]}")
    return value


def model_constant(text: str) -> tuple[str, float]:
    """``NAME=VALUE``: a model constant for one run (``model.listing_veto_at=-0.5``; the
    ``model.`` may be left out). The name and range are checked by the exercise."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE (e.g. model.listing_veto_at=-0.5), "
                                         f"not {text!r}")  # fmt: skip
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name}: expected a number, not {value!r}") from None
    if number.is_integer() and "." not in value and "e" not in value.lower():
        number = int(number)  # a count (model.max_rounds=3) stays whole
    return (name if name.startswith("model.") else f"model.{name}"), number


def port(text: str) -> int:
    """A TCP port, 1 to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, not {text!r}") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, not {value}")
    return value


#: The schemes a host's address may be given in, and the WebSocket scheme each means: a page's
#: ``https://`` address is the host's ``wss://`` one (the same port and path), ``http://`` its ``ws://``.
SEAT_SCHEMES = {"ws": "ws", "wss": "wss", "http": "ws", "https": "wss"}


class SeatLink(NamedTuple):
    """A host's address as ``cdtx join`` takes it: the ``ws://``/``wss://`` URL, and the seat's
    token when the address was a page's link carrying one in its fragment (``#TOKEN``)."""

    url: str
    token: str | None


def ws_url(text: str) -> str:
    """A host's address: ``ws://`` or ``wss://``, or the same place as a page's address,
    ``http://`` or ``https://`` (returned as ``ws://``/``wss://``: ``https://example.org/x`` is
    ``wss://example.org/x``). A host name, a valid port if any; no user or password, query or
    fragment (checked here: a malformed address would otherwise fail deep in the client, or be
    printed in every seat's link)."""
    url, fragment = _seat_address(text)
    if fragment is not None:
        raise argparse.ArgumentTypeError(f"{url}#...: no #fragment in the host's address (a "
                                         "seat's token is not part of it)")  # fmt: skip
    return url


def seat_link(text: str) -> SeatLink:
    """The address ``cdtx join`` is given: the host's address as :func:`ws_url` takes it, or a
    seat's web link as ``cdtx host`` prints it (``https://example.org/x/#TOKEN``), whose
    fragment is the seat's token."""
    url, fragment = _seat_address(text)
    return SeatLink(url, unquote(fragment) if fragment else None)


#: What an address may hold outside its fragment (RFC 3986: unreserved and reserved characters
#: and %-escapes). The host prints the address in every seat's link and ``cdtx join`` command,
#: and a proxy matches its path as the browser sends it, escaped: a space, a quote or a
#: non-ASCII letter would make a link that breaks, or a command that does something else.
_ADDRESS_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


def _seat_address(text: str) -> tuple[str, str | None]:
    """``text`` checked, with its scheme as a WebSocket one; its fragment apart (None: none).
    Messages show the address without its fragment, which may be a seat's token (they go to
    a terminal's scroll-back and logs)."""
    address, hash_sign, _ = text.partition("#")
    # nor a user or password (one may have pasted the token there): scheme://...@host
    shown = re.sub(r"^([^:/]*://)[^/@]*@", r"\1...@", address) + ("#..." if hash_sign else "")
    if not _ADDRESS_CHARS.fullmatch(address):
        bad = next(c for c in address if not _ADDRESS_CHARS.fullmatch(c))
        raise argparse.ArgumentTypeError(f"{shown}: {bad!r} cannot be in an address (write it "
                                         "%-escaped, a host name in ASCII)")  # fmt: skip
    scheme, sep, _ = text.partition("://")
    if not sep or scheme.lower() not in SEAT_SCHEMES:
        raise argparse.ArgumentTypeError(f"{shown}: the host's address starts with ws://, wss://, "
                                         "http:// or https://")  # fmt: skip
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises ValueError when out of range or not a number)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{shown}: not a valid address ({exc})") from None
    if not parts.hostname:
        raise argparse.ArgumentTypeError(f"{shown}: no host name in the address")
    if parts.username is not None or parts.password is not None:
        raise argparse.ArgumentTypeError(f"{shown}: no user or password in the host's address "
                                         "(a seat's token goes in --token or CDTX_TOKEN)")  # fmt: skip
    if parts.query or text.rstrip("#").endswith("?"):
        raise argparse.ArgumentTypeError(f"{shown}: no ?query in the host's address")
    ws = parts._replace(scheme=SEAT_SCHEMES[scheme.lower()], fragment="")
    fragment = parts.fragment if "#" in text else None
    return urlunsplit(ws), fragment
