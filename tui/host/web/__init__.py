"""The pages of a hosted exercise (docs/hosting.md, *Pages*): plain HTML, CSS and ES modules
shipped in this package (``static/``), served by the host on its one port from the websockets
``process_request`` hook, after the same Host/Origin check as the seats' WebSockets.

Nothing is fetched from elsewhere and nothing is inline, so ``default-src 'self'`` holds; the
seat's token rides in the link's fragment, which browsers never send: no request line, log or
Referer carries it (the page sends it as its first WebSocket message).
"""

from __future__ import annotations

import email.utils
import html
import http
import shlex
from pathlib import Path
from urllib.parse import urlsplit

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

STATIC = Path(__file__).resolve().parent / "static"

#: Content types by suffix: the files this package ships, nothing else is served.
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}

#: Headers on every page response: scripts, styles and connections from this origin only, no
#: Referer (a page's address never leaves it), no sniffing of content types, no framing.
SECURITY_HEADERS = (
    ("Content-Security-Policy",
     "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-cache"),
)  # fmt: skip


def _files() -> dict[str, Path]:
    """URL path -> shipped file: ``/`` is the seat page, ``/static/NAME`` each shipped file
    (a fixed table: a path never reaches the file system)."""
    files = {"/": STATIC / "seat.html"}
    for path in sorted(STATIC.iterdir()):
        if path.suffix in TYPES and path.is_file():
            files[f"/static/{path.name}"] = path
    return files


FILES = _files()


def is_page_request(request: Request) -> bool:
    """Whether ``request`` asks for a page rather than opening a seat's WebSocket."""
    upgrade = request.headers.get("Upgrade", "")
    return "websocket" not in upgrade.lower()


def url_prefix(public_url: str | None) -> str:
    """The path the host's pages live under at ``public_url`` (``--public-url``), without its
    last slash: ``/x`` for ``wss://example.org/x/``; ``""`` for none, or for ``/``."""
    if not public_url:
        return ""
    return urlsplit(public_url).path.rstrip("/")


def page_response(request: Request, prefix: str = "") -> Response:
    """The response to a page request: the shipped file, 404 for any other path, 405 for any
    method but GET (HEAD included: no page needs it).

    With a ``prefix`` (:func:`url_prefix`: a reverse proxy's path, ``/x``), each file is also
    answered under it, and the page names its files under it (``/x/static/app.js``) rather than
    relative to its own address: a page opened at ``/x``, without the last slash, would otherwise
    ask for ``/static/app.js``, outside the proxy's path. A proxy that strips the prefix and one
    that passes it on, and the host's own address, all work."""
    if request.method != "GET":
        return _response(http.HTTPStatus.METHOD_NOT_ALLOWED, b"only GET\n", "text/plain; charset=utf-8",
                         extra=(("Allow", "GET"),))  # fmt: skip
    path = request.path.split("?", 1)[0]
    file = FILES.get(path)
    if file is None and prefix and (path == prefix or path.startswith(prefix + "/")):
        file = FILES.get(path[len(prefix):] or "/")
    if file is None:
        return _response(http.HTTPStatus.NOT_FOUND, b"not found\n",
                         "text/plain; charset=utf-8")
    body = seat_page(prefix) if file == FILES["/"] else file.read_bytes()
    return _response(http.HTTPStatus.OK, body, TYPES[file.suffix])


def seat_page(prefix: str = "") -> bytes:
    """The seat's page, its files named under ``prefix`` when there is one (``/x/static/...``)."""
    page = FILES["/"].read_bytes()
    if not prefix:
        return page
    under = html.escape(f"{prefix}/static/", quote=True).encode()
    for attribute in (b"href", b"src"):
        page = page.replace(attribute + b'="static/', attribute + b'="' + under)
    return page


def page_bytes() -> int:
    """Bytes a browser loads to show a seat's page (HTML, scripts, styles, icon)."""
    return sum(path.stat().st_size for path in set(FILES.values()))


def web_link(join_url: str, token: str) -> str:
    """A seat's web link for the host joined at ``join_url`` (``ws://`` or ``wss://``): the same
    address over HTTP(S), the token in the fragment (``http://127.0.0.1:8765/#TOKEN``)."""
    scheme, _, rest = join_url.partition("://")
    web_scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    return f"{web_scheme}://{rest.rstrip('/')}/#{token}"


def join_command(join_url: str, token: str) -> str:
    """The ``cdtx join`` command of a seat, as the host prints it and the facilitator's page
    shows it: quoted for a shell, since people paste it into one."""
    return f"cdtx join {shlex.quote(join_url)} --token {shlex.quote(token)}"


def seat_who(seat) -> str:
    """Who a seat is, as its line says: ``delegation of DE``, ``facilitator``."""
    return f"delegation of {seat.state}" if seat.role == "delegation" else seat.role


def seat_line(seat_id: str, who: str, join_url: str, token: str | None) -> str:
    """One line naming a seat, its web link and its ``cdtx join`` command (``cdtx host`` prints
    one per seat; the console shows them again). ``token`` None: the host's own console."""
    if token is None:
        return f"seat {seat_id} ({who}): this host's console"
    return f"seat {seat_id} ({who}): {web_link(join_url, token)} · {join_command(join_url, token)}"


def _response(status: http.HTTPStatus, body: bytes, content_type: str,
              extra: tuple[tuple[str, str], ...] = ()) -> Response:  # fmt: skip
    headers = Headers()
    headers["Date"] = email.utils.formatdate(usegmt=True)
    headers["Connection"] = "close"
    headers["Content-Length"] = str(len(body))
    headers["Content-Type"] = content_type
    for name, value in (*SECURITY_HEADERS, *extra):
        headers[name] = value
    return Response(status.value, status.phrase, headers, body)


__all__ = ["FILES", "STATIC", "is_page_request", "page_bytes", "page_response", "seat_line",
           "seat_page", "seat_who", "url_prefix", "web_link"]
