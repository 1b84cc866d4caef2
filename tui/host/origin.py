"""Checks of the ``Origin`` and ``Host`` headers of a request to the host (cross-site WebSocket
hijacking and DNS rebinding): a browser page from another site must not drive a seat.

Kept small and public so that ``cdtx serve`` can share it (see docs/hosting.md, *Security*).
"""

from __future__ import annotations

from urllib.parse import urlsplit

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def _names_for(host: str) -> set[str]:
    """The names a client may use for ``host`` (loopback has three; a wildcard any name)."""
    host = host.strip("[]").lower()
    return set(LOOPBACK_NAMES) if host in LOOPBACK_NAMES else {host}


def origin_allowed(origin: str | None, host: str, port: int) -> bool:
    """Whether a request with ``Origin: origin`` may open a seat on ``host:port``.

    No ``Origin`` (``cdtx join``, any non-browser client) is allowed: the token guards those. A
    browser always sends one; it must name the served address itself (any scheme), so a page of
    another site cannot use a participant's browser to reach the host. Listening on every
    address (``0.0.0.0``, ``::``) accepts any origin host on the right port.
    """
    if origin is None:
        return True
    try:
        parts = urlsplit(origin)
        origin_port = parts.port or {"http": 80, "ws": 80, "https": 443, "wss": 443}.get(
            parts.scheme
        )
    except ValueError:
        return False
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
        return False
    if origin_port != port:
        return False
    if host in ("0.0.0.0", "::", ""):
        return True
    return parts.hostname.lower() in _names_for(host)


def host_header_allowed(value: str | None, host: str, port: int) -> bool:
    """Whether a ``Host: value`` header names the served address (DNS rebinding defence)."""
    if not value:
        return False
    has_port = ":" in value.rsplit("]", 1)[-1]
    return origin_allowed(f"http://{value if has_port else f'{value}:{port}'}", host, port)
