"""The host's pages over HTTP (tui/host/web): what a browser is served on the host's one port,
the headers that keep a page to itself, refusals, the seat's web link, and the page view the host
folds for each seat (sim.seats.PageView): latest assessment on the wall, positions the rule
allows, no internal ids, a slow page sent the latest view rather than a backlog."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import re
from urllib.parse import urlsplit

import orjson
import pytest

pytest.importorskip("websockets")
from inprocess import cdtx  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from sim import Exercise  # noqa: E402
from sim.seats import Disclosure, PageView, Seat, run_state, seats_for  # noqa: E402
from tui.cli import build_parser  # noqa: E402
from tui.host import server, web  # noqa: E402
from tui.host.client import SeatClient  # noqa: E402
from tui.host.server import Host, in_thread, new_tokens  # noqa: E402

SCENARIO = "satcom-war"  # DE and PL played; the EU assessment is updated after it is shared


@contextlib.contextmanager
def hosted(ex: Exercise | None = None, **options):
    """A real host on loopback (port 0) in a thread of its own; yields (host, tokens)."""
    ex = ex or Exercise(SCENARIO, interactive=True)
    seats = seats_for(ex.players)
    tokens = new_tokens(seats)
    host = Host(ex, seats, tokens, port=0, **{"running": False, **options})
    with in_thread(host):
        yield host, tokens


def get(host: Host, path: str, method: str = "GET", headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", host.port, timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_the_seat_page_and_its_files_are_served_with_headers_that_keep_them_to_themselves():
    with hosted() as (host, _tokens):
        response, page = get(host, "/")
        assert response.status == 200
        assert response.getheader("Content-Type") == "text/html; charset=utf-8"
        assert response.getheader("Content-Security-Policy").startswith("default-src 'self'")
        assert response.getheader("Referrer-Policy") == "no-referrer"
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        html = page.decode()
        # No inline script or style: every script comes from this host (the CSP holds).
        assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="static/app.js">']
        # Relative: a page reached through a reverse proxy under a path (/x/) loads its files
        # from there.
        assert not re.search(r'(src|href)="/', html)
        assert "style=" not in html and "<style" not in html
        served = 0
        for path in web.FILES:
            response, content = get(host, path)
            assert response.status == 200, path
            assert response.getheader("X-Content-Type-Options") == "nosniff"
            # Nothing is fetched from the internet: exercise networks are often offline.
            assert not re.search(rb"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", content.replace(
                b"http://www.w3.org/2000/svg", b"")), path  # fmt: skip
            served += len(content)
        assert served <= 200 * 1024


@pytest.mark.parametrize("path", ["/nope", "/static/nope.js", "/static/../server.py",
                                  "/static/%2e%2e/server.py", "/tui/host/server.py"])  # fmt: skip
def test_any_other_path_is_not_found(path):
    with hosted() as (host, _tokens):
        response, _body = get(host, path)
        assert response.status == 404
        assert response.getheader("Content-Security-Policy").startswith("default-src 'self'")


def test_the_pages_build_their_text_forms_in_one_place():
    """Notes, hot wash, injects, messages and chat are one kind of form (send the text, empty
    it once accepted, keep it when refused): dom.js's textForm, not a copy per page."""
    scripts = {path.name: path.read_text(encoding="utf-8") for path in web.STATIC.glob("*.js")}
    builders = {name for name, text in scripts.items()
                if re.search(r'el\("textarea",[^\n]*required: true', text)}  # fmt: skip
    assert builders == {"dom.js"}
    assert "export function textForm(" in scripts["dom.js"]
    users = {name for name, text in scripts.items() if re.search(r"\btextForm\(ctx\.act", text)}
    assert users == {"facilitator.js", "delegation.js"}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "HEAD", "OPTIONS"])
def test_any_method_but_get_is_not_allowed(method):
    with hosted() as (host, _tokens):
        response, _body = get(host, "/", method=method)
        assert response.status == 405
        assert response.getheader("Allow") == "GET"


def test_a_page_of_another_site_or_a_rebound_name_is_refused():
    with hosted() as (host, _tokens):
        response, _ = get(host, "/", headers={"Host": f"evil.example:{host.port}"})
        assert response.status == 403
        response, _ = get(host, "/static/app.js", headers={"Origin": "http://evil.example"})
        assert response.status == 403
        response, _ = get(host, "/", headers={"Origin": f"http://127.0.0.1:{host.port}"})
        assert response.status == 200


def test_each_seat_line_carries_its_web_link_with_the_token_in_the_fragment():
    from tui.cli.host import join_lines

    with hosted() as (host, tokens):
        lines = join_lines(host, list(host.seats.values()), tokens)
        de = next(line for line in lines if line.startswith("seat DE "))
        assert de == (f"seat DE (delegation of DE): http://127.0.0.1:{host.port}/#{tokens['DE']} "
                      f"· cdtx join ws://127.0.0.1:{host.port} --token {tokens['DE']}")  # fmt: skip
        link = urlsplit(de.split()[5])
        assert link.fragment == tokens["DE"] and tokens["DE"] not in link.path + link.query
        response, _ = get(host, link.path)  # what a browser sends: no fragment
        assert response.status == 200
    assert web.web_link("wss://table.example:8765", "T") == "https://table.example:8765/#T"


def test_the_facilitators_view_carries_each_seats_link_at_the_public_url():
    """Behind a proxy the page's own address is not where seats join: the links the facilitator
    hands out are the host's (--public-url), as cdtx host prints them."""
    with hosted(public_url="wss://example.org/x") as (host, tokens):
        facilitator = host.seats["facilitator"]
        view = orjson.loads(host.page_frame(facilitator))
        wall = orjson.loads(host.page_frame(host.seats["observer"]))
    seats = {s["id"]: s for s in view["seats"]}
    assert seats["DE"]["link"] == f"https://example.org/x/#{tokens['DE']}"
    # the path's directory, where a page's link opens and a proxy forwarding /x/ meets a join
    assert seats["DE"]["join"] == f"cdtx join wss://example.org/x/ --token {tokens['DE']}"
    assert {s["link"] for s in seats.values()} == {
        web.web_link("wss://example.org/x", tokens[s]) for s in seats}
    assert "seats" not in wall  # only a facilitator's view has the links


def test_a_host_behind_a_proxy_accepts_pages_and_seats_from_its_public_url():
    """A reverse proxy passes on its browsers' Origin, and may pass its own name as Host: the
    name of --public-url is accepted beside the listening address, no other."""
    with hosted(public_url="wss://example.org/x") as (host, tokens):
        listening = f"127.0.0.1:{host.port}"
        for headers in ({"Host": "example.org"}, {"Host": "example.org:443"},
                        {"Host": listening, "Origin": "https://example.org"},
                        {"Host": "example.org", "Origin": "https://example.org"}):  # fmt: skip
            assert get(host, "/", headers=headers)[0].status == 200, headers
        for headers in ({"Host": "example.org:8443"}, {"Host": "evil.example"},
                        {"Host": listening, "Origin": "https://example.org:8443"},
                        {"Host": listening, "Origin": "https://evil.example"}):  # fmt: skip
            assert get(host, "/", headers=headers)[0].status == 403, headers

        async def seat():
            async with connect(host.url, proxy=None, origin="https://example.org") as socket:
                await socket.send(json.dumps({"hello": tokens["DE"]}))
                return orjson.loads(await socket.recv())

        assert asyncio.run(asyncio.wait_for(seat(), 30))["type"] == "welcome"
    with hosted() as (host, _tokens):  # without --public-url, only the listening address
        headers = {"Host": f"127.0.0.1:{host.port}", "Origin": "https://example.org"}
        assert get(host, "/", headers=headers)[0].status == 403
    assert server.public_names("ws://[::1]:9000/x") == {"[::1]:9000"}
    assert server.public_names("ws://table.test/") == {"table.test", "table.test:80"}


@pytest.mark.parametrize(("given", "joined", "command", "link"), [
    ("https://example.org/x", "wss://example.org/x", "wss://example.org/x/", "https://example.org/x/#T"),
    ("http://table.test:8080/x/", "ws://table.test:8080/x/", "ws://table.test:8080/x/",
     "http://table.test:8080/x/#T"),
    ("wss://example.org", "wss://example.org", "wss://example.org", "https://example.org/#T"),
    ("HTTPS://Example.org/x", "wss://Example.org/x", "wss://Example.org/x/", "https://Example.org/x/#T"),
    # a character a shell reads (RFC 3986 allows it in a path): the command quotes the address
    ("https://example.org/a;b", "wss://example.org/a;b", "'wss://example.org/a;b/'",
     "https://example.org/a;b/#T"),
])  # fmt: skip
def test_public_url_takes_the_pages_address_as_the_same_place(given, joined, command, link):
    """A facilitator behind a reverse proxy types the page's address (https://...): seats are
    given the same place, the page's link over https and the join command over wss."""
    from tui.cli.host import join_lines

    args = build_parser().parse_args(["host", "--public-url", given])
    assert args.public_url == joined
    with hosted(public_url=args.public_url) as (host, tokens):
        lines = join_lines(host, list(host.seats.values()), {**tokens, "DE": "T"})
    de = next(line for line in lines if line.startswith("seat DE "))
    assert de == f"seat DE (delegation of DE): {link} · cdtx join {command} --token T"


@pytest.mark.parametrize(("url", "why"), [
    ("ftp://example.org/x", "starts with ws://, wss://, http:// or https://"),
    ("example.org/x", "starts with ws://, wss://, http:// or https://"),
    ("https://example.org/x?seat=1", "no ?query"),
    ("https://example.org/x/#TOKEN", "no #fragment"),
    ("https://me:secret@example.org/x", "no user or password"),
    ("https:///x", "no host name"),
    ("https://example.org:99999/x", "not a valid address"),
    # what would break the printed link, or make the printed command do something else
    ("https://example.org/a b", "' ' cannot be in an address"),
    ('https://example.org/x"><script>', """'"' cannot be in an address"""),
    ("https://exämple.org/x", "'ä' cannot be in an address (write it %-escaped, a host name in ASCII)"),
    ("https://example.org/x\\y", "cannot be in an address"),
])  # fmt: skip
def test_public_url_refuses_what_is_no_address_to_give_seats(url, why):

    result = cdtx("host", "--public-url", url, "--no-record", "--port", "0")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("cdtx host: error: argument --public-url: "), result.stderr
    assert why in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_join_takes_a_seats_web_link_pasted_as_its_address():
    """A player pastes the page's link (https://...#TOKEN) into cdtx join: it joins the same
    place over ws(s), with the link's token; a --token that disagrees is refused, saying so."""

    parser = build_parser()
    with hosted() as (host, tokens):
        link = web.web_link(host.url, tokens["DE"])
        assert link.startswith("http://127.0.0.1:")
        args = parser.parse_args(["join", link])
        assert args.url.url == f"ws://127.0.0.1:{host.port}/" and args.url.token == tokens["DE"]

        async def seat():
            client = SeatClient(args.url.url, args.url.token)
            welcome = await client.connect()
            await client.close()
            return welcome

        assert asyncio.run(asyncio.wait_for(seat(), 30))["seat"]["id"] == "DE"
    plain = parser.parse_args(["join", "https://example.org/x"]).url
    assert plain.url == "wss://example.org/x" and plain.token is None
    both = cdtx("join", "https://example.org/x/#A", "--token", "B")
    assert both.returncode == 1 and "Traceback" not in both.stderr
    assert both.stderr == ("cdtx: URL carries a seat's token (#...) and --token gives another: "
                           "give one of them\n")  # fmt: skip
    none = cdtx("join", "https://example.org/x/", environ={"CDTX_TOKEN": ""})
    assert none.returncode == 1 and "the seat's web link as URL (it ends with #TOKEN)" in none.stderr
    bad = cdtx("join", "ftp://example.org/x/#A")
    assert bad.returncode == 1 and "ws://, wss://, http:// or https://" in bad.stderr
    # a refused link is shown without its token (error messages end up in scroll-back and logs)
    for link in ("https://h:99999/x/#SECRET-TOKEN", "ftp://h/x/#SECRET-TOKEN",
                 "https://h/a b/#SECRET-TOKEN", "https://u:p@h/x/#SECRET-TOKEN",
                 "https://DE:SECRET-TOKEN@h/x/"):  # fmt: skip
        shown = cdtx("join", link)
        assert shown.returncode == 1 and "SECRET" not in shown.stderr and "..." in shown.stderr
    hidden = cdtx("host", "--public-url", "https://h/x#SECRET-TOKEN", "--no-record", "--port", "0")
    assert hidden.returncode == 1 and "SECRET" not in hidden.stderr and "no #fragment" in hidden.stderr


def test_a_page_under_a_proxys_path_finds_its_files_with_or_without_the_last_slash():
    """--public-url https://example.org/x: the page names its files under /x/, so a page opened
    at .../x (no last slash) does not look for them at /static/, outside the proxy's path. The
    host answers them with the prefix (a proxy that passes it on) and without (one that strips
    it, or the host's own address)."""
    with hosted(public_url="wss://example.org/x") as (host, _tokens):
        for path in ("/", "/x", "/x/"):
            response, page = get(host, path)
            assert response.status == 200, path
            assert re.findall(r"<script[^>]*>", page.decode()) == [
                '<script type="module" src="/x/static/app.js">']
            assert not re.search(r'(src|href)="static/', page.decode())
        for path in ("/static/app.js", "/x/static/app.js"):
            response, script = get(host, path)
            assert response.status == 200 and script == (web.STATIC / "app.js").read_bytes()
        assert get(host, "/xy/static/app.js")[0].status == 404
        assert get(host, "/y/static/app.js")[0].status == 404
    assert web.url_prefix("wss://example.org/") == web.url_prefix(None) == ""
    assert web.url_prefix("wss://example.org/a%22b/") == "/a%22b"
    assert b'src="/a&quot;b/static/app.js"' in web.seat_page('/a"b')


async def _page(host: Host, token: str):
    socket = await connect(host.url, proxy=None)
    await socket.send(json.dumps({"hello": token, "view": True}))
    welcome = orjson.loads(await socket.recv())
    assert welcome["type"] == "welcome"
    return socket


async def _next(socket, kind: str, condition=lambda m: True):
    while True:
        message = orjson.loads(await asyncio.wait_for(socket.recv(), 30))
        if message["type"] == kind and condition(message):
            return message


def test_a_delegation_page_gets_its_brief_and_views_with_the_decision_asked_of_it():
    with hosted(speed=400, running=True) as (host, tokens):

        async def scenario():
            socket = await _page(host, tokens["DE"])
            brief = await _next(socket, "brief")
            view = await _next(socket, "view", lambda m: m["request"] is not None)
            await socket.close()
            return brief, view

        brief, view = asyncio.run(asyncio.wait_for(scenario(), 60))
        tokens = dict(tokens)
    assert brief["title"].startswith("Delegation of Germany")
    request = view["request"]
    # A declaration is agreed by consensus: no formal abstention is offered there.
    assert [p["value"] for p in request["positions"]] == ["support", "abstain", "oppose"]
    assert request["body"] == "PSC" and "GREY MERIDIAN" in " ".join(request["knows"])
    assert view["run"]["state"] == "waiting" and "Germany" in view["run"]["waiting"]
    text = json.dumps(view)
    # Names as people say them: no actor ids, no other delegation's advice, no MSEL mechanics.
    assert "grey-meridian" not in text and "expected" not in json.dumps(view["inbox"])
    assert "others" not in text
    assert not any(token in text for token in tokens.values())  # only a facilitator's has them


def test_a_page_that_reads_nothing_for_a_while_gets_the_latest_view_not_a_backlog():
    ex = Exercise(SCENARIO)  # the model answers for every delegation: the run goes to its end
    with hosted(ex, rate=2000, running=False) as (host, tokens):

        async def scenario():
            socket = await _page(host, tokens["observer"])
            await _next(socket, "view")
            host.running = True  # the host's clock reads it at its next tick
            while not host.finished.is_set():  # the page reads nothing meanwhile
                await asyncio.sleep(0.05)
            views = []
            while not views or views[-1]["run"]["state"] != "ended":
                views.append(await _next(socket, "view"))
            await socket.close()
            return views

        views = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert views[-1]["seq"] == ex.events[-1].seq
    assert len(views) < len(ex.events) / 4


def _fold(seat: Seat, events, scenario) -> PageView:
    disclosure, view = Disclosure(scenario), PageView(seat, scenario)
    for event in events:
        disclosure.observe(event)
        data = disclosure.data_for(seat, event)
        if data is not None:
            view.apply(event.kind, event.t, event.seq, data)
    return view


def test_the_wall_shows_the_eu_assessment_as_it_stands_not_the_first_one():
    ex = Exercise(SCENARIO)
    ex.run()
    assessments = [e for e in ex.events if e.kind == "assessment"]
    shared = next(e for e in ex.events if e.kind == "shared_awareness")
    latest = assessments[-1]
    assert latest.seq > shared.seq and latest.data["confidence"] != shared.data["confidence"]
    run = run_state(ex, ex.now, False)
    wall = _fold(Seat("observer", "observer"), ex.events, ex.scenario).summary(run)
    de = _fold(Seat("DE", "delegation", "DE"), ex.events, ex.scenario).summary(run)
    expected = f"{latest.data['confidence']:.0%}"
    assert wall["assessment"]["confidence"] == expected == de["assessment"]["confidence"]
    assert wall["assessment"]["actor"] == "GREY MERIDIAN"
    assert [a["measure"] for a in wall["adopted"]] == [
        "a declaration by the High Representative on behalf of the EU"]
    assert "inbox" not in wall and "timeline" not in wall and "request" not in wall


def test_a_formal_abstention_is_offered_where_the_rule_allows_it():
    from sim.seats import positions_for

    assert "constructive_abstention" in positions_for("listing")
    assert "constructive_abstention" not in positions_for("hr_declaration")


def test_the_facilitators_expectations_carry_their_marks_and_keep_them_after_a_resume(tmp_path):
    """Each expectation delivered is a card with, per delegation played, its acknowledgement and
    its mark as it stands (met or not, the text, when, by whom; a mark given again replaces the
    first, as in the console); an entry fired early is marked under its own id. A host resumed
    from the recording (``cdtx host --resume`` re-simulates it) shows the same."""
    from sim import expectations
    from sim.recording import Recorder
    from sim.recording import open as open_recording

    path = tmp_path / "marked.jsonl"
    ex = Exercise(SCENARIO, interactive=True)
    recorder = Recorder(path, ex)
    ex.fire("S-05")  # its copy S-05-early is what is delivered
    ex.run(until=2)  # S-01 delivered at T+1h
    ex.seat = "PL"
    ex.acknowledge("S-05-early", "PL")
    ex.seat = "evaluator"
    expectations.mark(ex, "S-05", "DE", False, "no public lines")
    ex.seat = "facilitator"
    expectations.mark(ex, "S-05", "DE", True, "lines came late")  # the latest stands
    expectations.mark(ex, "S-01", "PL", False)
    ex.seat = None
    recorder.close()
    resumed = open_recording(path).resimulate()
    with hosted(resumed) as (host, _tokens):
        view = orjson.loads(host.page_frame(host.seats["facilitator"]))
        wall = orjson.loads(host.page_frame(host.seats["observer"]))
    assert "expectations" not in wall
    cards = {c["entry"]: c for c in view["expectations"]}
    assert list(cards) == ["S-05", "S-01"]  # as delivered
    assert cards["S-05"]["expected"] == "Delegations prepare public lines."
    de, pl = cards["S-05"]["states"]
    assert (de["name"], pl["name"]) == ("Germany", "Poland")
    assert de["mark"] == {"met": True, "text": "lines came late", "by": "Facilitator",
                          "when": "Wed 24 Feb 2027 06:00 (T+0d 02:00)"}  # fmt: skip
    assert de["acknowledged"] is None and pl["acknowledged"].endswith("(T+0d 02:00)")
    assert pl["mark"] is None
    assert [s["mark"] and s["mark"]["met"] for s in cards["S-01"]["states"]] == [None, False]


def test_the_pages_expectation_cards_agree_with_the_consoles_fold():
    """The page folds only the events that can change a card (a played run has thousands that
    cannot): what it shows agrees with the console's fold of every event, edits that take an
    expectation away, answers, messages and marks included."""
    from sim import expectations

    ex = Exercise(SCENARIO, interactive=True)
    ex.edit("S-12", {"expected_action": ""})  # its copy expects nothing: S-12 is delivered
    ex.edit("S-11", {"message": "Solidarity, as edited"})
    ex.seat = "DE"
    ex.remark("message", "DE is ready")
    ex.seat = None
    for _ in range(100):
        ex.run()
        if not ex.pending:
            break
        for request in list(ex.pending):
            ex.answer(request.state, "support")
        if any(e.kind == "inject_applied" and e.data["inject"] == "S-07" for e in ex.events):
            expectations.mark(ex, "S-07", "PL", True, "joined")
    assert ex.finished
    view = _fold(Seat("facilitator", "facilitator"), ex.events, ex.scenario)
    cards = view.summary(run_state(ex, ex.now, False))["expectations"]
    shown = {(c["entry"], s["code"]): (s["expected"], s["acknowledged"] is not None,
                                        s["mark"] and (s["mark"]["met"], s["mark"]["text"]))
             for c in cards for s in c["states"]}  # fmt: skip
    folded = {(x.entry, x.state): (x.expected, x.acknowledged is not None,
                                   x.met is not None and (x.met, x.mark_text))
              for items in expectations.fold(ex.scenario, ex.events).values() for x in items
              if x.delivered is not None}  # fmt: skip
    assert shown == {k: (e, a, m or None) for k, (e, a, m) in folded.items()}
    assert ("S-12", "DE") in shown and ("S-11", "DE") in shown
    assert shown[("S-07", "PL")][2] == (True, "joined")
