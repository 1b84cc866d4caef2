"""Who may talk to a console served over HTTP: the Host and Origin check (docs/security.md).

A console served on loopback is still reachable from every web page the facilitator's browser
opens: a page on another site can open a WebSocket to ``ws://127.0.0.1:8000/ws`` (browsers do not
stop cross-site WebSockets) or rebind its own DNS name to 127.0.0.1. Two checks close both doors:

* the ``Host`` header must name the served address (a rebinding page sends its own name);
* an ``Origin`` header, which browsers send with every WebSocket and cross-site request, must be
  this same origin (a page elsewhere sends its own).

``cdtx serve`` applies :func:`refusal` to every request; ``cdtx host``
uses it too (tui/host/server.py). The module imports no web framework.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

#: Addresses that mean "every interface": binding one needs ``--allow-remote``.
WILDCARDS = ("0.0.0.0", "::", "")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _netloc(name: str, port: int) -> set[str]:
    name = f"[{name}]" if ":" in name and not name.startswith("[") else name
    names = {f"{name}:{port}".lower()}
    if port == 80:  # browsers leave out the default port
        names.add(name.lower())
    return names


def machine_names() -> tuple[str, ...]:
    """The names and addresses this machine answers to: its host name, fully qualified name,
    the addresses those resolve to, and the loopback names. A console bound to a wildcard
    address accepts these (and ``--allowed-host`` names) in ``Host``, never any name: a
    DNS-rebinding page sends its own name."""
    import socket

    names = {"127.0.0.1", "localhost", "::1"}
    for name in (socket.gethostname(), socket.getfqdn()):
        if not name:
            continue
        names.add(name)
        try:
            infos = socket.getaddrinfo(name, None)
        except OSError:  # a host name the resolver does not know
            continue
        names.update(str(info[4][0]).split("%")[0] for info in infos)
    return tuple(sorted(names))


def allowed_hosts(host: str, port: int, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The ``Host`` header values that name a console bound to ``host``:``port``: the bound
    address itself (every loopback name too when it is a loopback address), this machine's own
    names when it is a wildcard (:func:`machine_names`), and the names in ``extra``
    (``--allowed-host``: a name the machine does not know, e.g. a DNS alias)."""
    names: set[str] = set(extra)
    if host in WILDCARDS:
        names.update(machine_names())
    else:
        names.add(host)
        if is_loopback(host):
            names.update(("127.0.0.1", "localhost", "::1"))
    allowed: set[str] = set()
    for name in names:
        allowed |= _netloc(name, port)
    return frozenset(allowed)


def refusal(host_header: str | None, origin: str | None, allowed: frozenset[str]) -> str | None:
    """Why a request with these ``Host`` and ``Origin`` headers must be refused; None to serve it.

    ``allowed`` comes from :func:`allowed_hosts`; the ``Host`` and a web page's ``Origin`` must
    both be in it. A request without ``Origin`` (not from a web page: curl, the browser's own
    navigation) is judged by its ``Host`` alone.
    """
    host = (host_header or "").strip().lower()
    if not host:
        return "no Host header"
    if host not in allowed:
        return f"Host {host!r} is not the address this console is served on"
    if origin is None:
        return None
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"Origin {origin!r} is not a web page of this console"
    page = parts.netloc.lower()
    if page not in allowed:
        return f"Origin {origin!r} is another site: cross-site requests are refused"
    return None


__all__ = ["WILDCARDS", "allowed_hosts", "is_loopback", "machine_names", "refusal"]
