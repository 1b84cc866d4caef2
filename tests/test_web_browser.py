"""The seats' pages in a real browser: Debian's chromium driven by Playwright, against a real host
on loopback (port 0). A delegation answers by clicking and the host records it; the wall shows the
adopted measure and the EU assessment as it stands; a second tab with the same link is refused,
saying why; the facilitator releases a held MSEL entry from the page. Every test fails on a browser
console error, and checks that no request carried a seat's token.

Needs the ``playwright`` package (the ``test`` extra) and the ``chromium`` executable (Debian's
package; never ``playwright install``): without either, these tests skip and say so.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import re
import shutil
import threading
from urllib.parse import urlsplit

import pytest

pytest.importorskip("websockets")
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install 'cdtx[test]' (playwright)")
CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("no chromium executable: apt-get install chromium (the browser tests need it)",
                allow_module_level=True)  # fmt: skip

from test_web import SCENARIO, hosted  # noqa: E402

import scenarios  # noqa: E402
from sim import Exercise  # noqa: E402
from tui.cli.host import join_lines  # noqa: E402
from tui.host import server  # noqa: E402
from tui.host.client import SeatClient  # noqa: E402

expect = sync_api.expect


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        # table.test is this machine: the reverse-proxy tests' public name (one browser for the
        # whole module: a second sync Playwright in this thread is refused while it lives)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP table.test 127.0.0.1"])  # fmt: skip
        yield browser
        browser.close()


class Pages:
    """Pages opened on one host, each watched for console errors and for the URLs it requests."""

    def __init__(self, browser, host, tokens) -> None:
        self.context = browser.new_context()
        self.host, self.tokens = host, tokens
        self.errors: list[str] = []
        self.requests: list[str] = []

    def open(self, seat: str):
        page = self.context.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.goto(f"http://127.0.0.1:{self.host.port}/#{self.tokens[seat]}")
        return page

    def check(self) -> None:
        """No console error; no request line carried a token (the fragment is never sent)."""
        assert self.errors == []
        assert self.requests
        for url in self.requests:
            assert not any(token in url for token in self.tokens.values()), url
        self.context.close()


def test_a_delegation_answers_by_clicking_and_the_wall_shows_the_outcome(browser):
    ex = Exercise(SCENARIO, interactive=True, players=["DE"])
    with hosted(ex, speed=300, running=True) as (host, tokens):
        pages = Pages(browser, host, tokens)
        de, wall = pages.open("DE"), pages.open("observer")
        expect(wall.locator("body")).to_have_attribute("data-role", "observer")
        for keyboard in (False, True):  # the declaration at the PSC, then the listing
            expect(de.get_by_role("status")).to_contain_text("Your decision is needed", timeout=30_000)
            statement = de.get_by_label("Statement for the table (optional)")
            statement.fill("Berlin stands with Warsaw")
            if keyboard:  # the next control after the statement is the first position
                statement.press("Tab")
                expect(de.get_by_role("button", name="Support", exact=True)).to_be_focused()
                de.keyboard.press("Enter")
            else:
                de.get_by_role("button", name="Support", exact=True).click()
            expect(de.locator("#feedback")).to_have_text("Your answer was recorded: Support.")
            expect(de.get_by_role("status")).to_have_text("No decision is asked of you now.")
            de.locator("#feedback").evaluate("node => node.textContent = ''")
        de.get_by_role("button", name="Open your brief").click()
        brief = de.get_by_role("dialog")
        expect(brief.get_by_role("heading", level=2)).to_have_text(
            re.compile(r"^Delegation of Germany \(DE\) brief: "))
        brief.get_by_role("button", name="Close").click()
        expect(brief).to_have_count(0)
        expect(wall.locator("#run-state")).to_have_text("The exercise has ended", timeout=30_000)
        answers = [e for e in ex.events if e.kind == "input" and e.data.get("seat") == "DE"]
        assert [a.data["inject"]["params"]["stance"] for a in answers] == ["support", "support"]
        assert answers[0].data["inject"]["message"] == "Berlin stands with Warsaw"
        latest = [e for e in ex.events if e.kind == "assessment"][-1]
        expect(wall.locator("#assessment")).to_contain_text(f"{latest.data['confidence']:.0%}")
        expect(wall.locator("#adopted")).to_contain_text(
            "a declaration by the High Representative on behalf of the EU: adopted")
        # Names as people say them on the wall: no actor ids, no MSEL ids.
        text = wall.locator("main").inner_text()
        assert "grey-meridian" not in text and not re.search(r"\bS-\d\d\b", text)
        pages.check()


def test_a_second_tab_with_the_same_link_is_refused_and_says_why(browser):
    with hosted() as (host, tokens):
        pages = Pages(browser, host, tokens)
        first = pages.open("PL")
        expect(first.locator("body")).to_have_attribute("data-state", "live")
        second = pages.open("PL")
        expect(second.locator("body")).to_have_attribute("data-state", "ended")
        expect(second.locator("#connection")).to_contain_text(
            "the token of seat PL is in use by another connection")
        expect(first.locator("body")).to_have_attribute("data-state", "live")
        pages.check()


def test_the_facilitator_releases_a_held_msel_entry_from_the_page(browser):
    scenario = scenarios.load(SCENARIO)
    msel = [m.model_copy(update={"hold": True}) if m.id == "S-02" else m for m in scenario.msel]
    ex = Exercise(scenario.model_copy(update={"msel": msel}), interactive=True)
    with hosted(ex, speed=5, running=True) as (host, tokens):
        pages = Pages(browser, host, tokens)
        page = pages.open("facilitator")
        release = page.get_by_role("button", name="Release S-02")
        expect(release).to_be_visible(timeout=30_000)
        expect(page.locator("#run-state")).to_have_text("Waiting for the facilitator")
        release.click()
        expect(page.locator("#feedback")).to_have_text("S-02 released.")
        expect(release).to_have_count(0)
        released = [e for e in ex.events if e.kind == "input" and e.data.get("control") == "release"]
        assert released and released[0].data["seat"] == "facilitator"
        expect(page.locator("#msel tr", has_text="S-02")).to_contain_text("delivered")
        pages.check()


def test_a_seat_freed_from_the_facilitators_page_says_so_on_its_own_page(browser):
    with hosted() as (host, tokens):
        pages = Pages(browser, host, tokens)
        de, facilitator = pages.open("DE"), pages.open("facilitator")
        expect(de.locator("body")).to_have_attribute("data-state", "live")
        free = facilitator.get_by_role("button", name="Free seat Delegation of Germany")
        free.click()
        expect(facilitator.locator("#feedback")).to_contain_text("freed")  # its ack, or the notice
        expect(de.locator("body")).to_have_attribute("data-state", "ended")
        expect(de.locator("#connection")).to_contain_text("The facilitator freed this seat")
        expect(free).to_have_count(0)  # not connected any more: nothing to free
        facilitator.get_by_role("button", name="Link of seat Delegation of Germany").click()
        expect(facilitator.get_by_role("dialog")).to_contain_text(
            f"http://127.0.0.1:{host.port}/#{tokens['DE']}")
        pages.check()


def test_the_facilitators_page_gives_links_at_the_hosts_public_url(browser):
    """The host on loopback behind a proxy at https://example.org/x: the Link dialog shows the
    seat's link and join command there, not at the address the page was opened on."""
    with hosted(public_url="wss://example.org/x") as (host, tokens):
        pages = Pages(browser, host, tokens)
        facilitator = pages.open("facilitator")
        facilitator.get_by_role("button", name="Link of seat Delegation of Poland").click()
        dialog = facilitator.get_by_role("dialog")
        expect(dialog).to_contain_text(f"https://example.org/x/#{tokens['PL']}")
        expect(dialog).to_contain_text(f"cdtx join wss://example.org/x/ --token {tokens['PL']}")
        assert "127.0.0.1" not in dialog.inner_text()
        pages.check()


@contextlib.contextmanager
def prefix_proxy(prefix: str, strip: bool = True):
    """A reverse proxy on loopback as a site would put one before the host: ``{prefix}`` and
    ``{prefix}/...`` to the host's ``/...`` (``strip``; else the path as it is), WebSocket
    included, the browser's Origin passed on and the host's own address as Host (nginx's
    default). Yields its port and a dict to put the host's port in."""

    aiohttp = pytest.importorskip("aiohttp")
    from aiohttp import web as aioweb

    target: dict[str, int] = {}

    async def handle(request):
        path = "/" + request.path_qs[len(prefix):].lstrip("/") if strip else request.path_qs
        upstream = f"127.0.0.1:{target['port']}{path}"
        origin = request.headers.get("Origin")
        async with aiohttp.ClientSession() as session:
            if request.headers.get("Upgrade", "").lower() == "websocket":
                browser_side = aioweb.WebSocketResponse()
                await browser_side.prepare(request)
                async with session.ws_connect(f"ws://{upstream}", origin=origin) as host_side:

                    async def pump(source, sink):
                        async for message in source:
                            if message.type == aiohttp.WSMsgType.TEXT:
                                await sink.send_str(message.data)
                            elif message.type == aiohttp.WSMsgType.BINARY:
                                await sink.send_bytes(message.data)
                        await sink.close()

                    await asyncio.gather(pump(browser_side, host_side), pump(host_side, browser_side))
                return browser_side
            headers = {"Origin": origin} if origin else {}
            async with session.get(f"http://{upstream}", headers=headers) as response:
                body = await response.read()
                kept = {k: v for k, v in response.headers.items()
                        if k in ("Content-Type", "Content-Security-Policy")}  # fmt: skip
                return aioweb.Response(body=body, status=response.status, headers=kept)

    started = threading.Event()
    state: dict = {}

    def serve() -> None:
        async def main() -> None:
            app = aioweb.Application()
            app.router.add_route("GET", prefix, handle)
            app.router.add_route("GET", prefix + "/{tail:.*}", handle)
            runner = aioweb.AppRunner(app)
            await runner.setup()
            site = aioweb.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            state["port"] = runner.addresses[0][1]
            state["stop"] = stop = asyncio.Event()
            state["loop"] = asyncio.get_running_loop()
            started.set()
            await stop.wait()
            await runner.cleanup()

        asyncio.run(main())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield state["port"], target
    finally:
        state["loop"].call_soon_threadsafe(state["stop"].set)
        thread.join(10)


def test_the_printed_join_command_joins_through_a_proxy_at_the_public_urls_path():
    """--public-url ws://H/x: the join command seats are given names /x/, the path's directory,
    which a proxy forwarding /x/ passes on (nginx answers /x itself, with a redirect a join
    cannot follow: a join asks for a WebSocket)."""
    with prefix_proxy("/x") as (port, target), hosted(public_url=f"ws://127.0.0.1:{port}/x") as (
        host, tokens
    ):
        target["port"] = host.port
        url = server.join_url(host, host.public_url)
        assert url == f"ws://127.0.0.1:{port}/x/"
        lines = join_lines(host, list(host.seats.values()), tokens)
        line = next(line for line in lines if line.startswith("seat DE "))
        assert f"cdtx join {url} --token {tokens['DE']}" in line

        async def seat():
            client = SeatClient(url, tokens["DE"])
            welcome = await client.connect()
            await client.close()
            return welcome

        # in a thread of its own: the browser tests' Playwright holds this thread's event loop
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            welcome = pool.submit(asyncio.run, asyncio.wait_for(seat(), 30)).result(60)
        assert welcome["seat"]["id"] == "DE"


def test_a_seat_page_works_through_a_reverse_proxy_at_the_public_url(browser):
    """--public-url ws://table.test:P/x with a proxy there: the facilitator's link is under it,
    and the page opened from that link loads, joins and acts through the proxy."""
    with prefix_proxy("/x") as (port, target), hosted(
        public_url=f"ws://table.test:{port}/x"
    ) as (host, tokens):
        target["port"] = host.port
        pages = Pages(browser, host, tokens)
        facilitator = pages.open("facilitator")
        facilitator.get_by_role("button", name="Link of seat Delegation of Germany").click()
        link = f"http://table.test:{port}/x/#{tokens['DE']}"
        expect(facilitator.get_by_role("dialog")).to_contain_text(link)
        de = pages.context.new_page()
        de.on("console", lambda m: pages.errors.append(m.text) if m.type == "error" else None)
        de.on("pageerror", lambda e: pages.errors.append(str(e)))
        de.on("request", lambda r: pages.requests.append(r.url))
        de.goto(link)
        expect(de.locator("body")).to_have_attribute("data-state", "live")
        de.get_by_label("Message to the facilitator").fill("Through the proxy")
        de.get_by_role("button", name="Send message").click()
        expect(facilitator.locator("#messages")).to_contain_text("Germany Through the proxy")
        assert f"http://table.test:{port}/x/static/app.js" in pages.requests
        pages.check()


@pytest.mark.parametrize("strip", [True, False], ids=["strips-the-path", "passes-it-on"])
def test_a_page_opened_without_the_last_slash_of_the_proxys_path_works(browser, strip):
    """--public-url https://table.test:P/x, the link opened as .../x#TOKEN (no last slash):
    the page loads its files from /x/static/, not /static/ outside the proxy's path, joins and
    acts; its address becomes .../x/ (a reload stays under the proxy's path)."""
    with prefix_proxy("/x", strip=strip) as (port, target), hosted(
        public_url=f"ws://table.test:{port}/x"
    ) as (host, tokens):
        target["port"] = host.port
        pages = Pages(browser, host, tokens)
        de = pages.context.new_page()
        de.on("console", lambda m: pages.errors.append(m.text) if m.type == "error" else None)
        de.on("pageerror", lambda e: pages.errors.append(str(e)))
        de.on("request", lambda r: pages.requests.append(r.url))
        de.goto(f"http://table.test:{port}/x#{tokens['DE']}")
        expect(de.locator("body")).to_have_attribute("data-state", "live")
        expect(de.locator("body")).to_have_attribute("data-role", "delegation")
        assert de.url == f"http://table.test:{port}/x/"
        de.get_by_label("Message to the facilitator").fill("No slash")
        de.get_by_role("button", name="Send message").click()
        expect(de.locator("#feedback")).to_have_text("Message sent to the facilitator.")
        assert f"http://table.test:{port}/x/static/app.js" in pages.requests
        assert not any("/x" not in urlsplit(url).path for url in pages.requests), pages.requests
        de.reload()
        expect(de.locator("body")).to_have_attribute("data-state", "live")
        pages.check()


def test_an_evaluator_records_an_observation_from_the_page(browser):
    with hosted() as (host, tokens):
        pages = Pages(browser, host, tokens)
        page = pages.open("evaluator")
        page.get_by_label("Objective", exact=True).select_option("SW-2")
        page.get_by_label("Rating").select_option("S")
        page.get_by_label("What you observed").fill("The declaration took two days")
        page.get_by_role("button", name="Record observation").click()
        expect(page.locator("#feedback")).to_have_text("Observation recorded.")
        expect(page.locator("#observe")).to_contain_text("SW-2 S: The declaration took two days")
        recorded = [e.data for e in host.exercise.events
                    if e.kind == "input" and e.data.get("control") == "observation"]  # fmt: skip
        assert recorded[-1]["seat"] == "evaluator" and recorded[-1]["rating"] == "S"
        assert recorded[-1]["objective"] == "SW-2"
        pages.check()


def test_the_evaluators_timeline_says_measures_by_name_not_by_id(browser):
    """The PSC's sitting on a proposal reads as people say it (sim/seats.py, plain), and a line
    naming a proposal says its measure: no ``hr_declaration`` on the page."""
    ex = Exercise(SCENARIO, interactive=True)
    ex.run()  # to the PSC's decision on the declaration, which waits for DE and PL
    with hosted(ex) as (host, tokens):
        pages = Pages(browser, host, tokens)
        page = pages.open("evaluator")
        timeline = page.locator("#timeline")
        expect(timeline.locator("li", has_text="PSC meets")).to_contain_text(
            ["P-1: decide on HR declaration"])
        expect(timeline).to_contain_text("Decision needed from played delegation DE on HR declaration P-1")
        expect(timeline).not_to_contain_text("hr_declaration")
        pages.check()


def test_a_page_whose_connection_drops_rejoins_by_itself_and_gets_a_fresh_view(browser):

    with hosted() as (host, tokens):
        pages = Pages(browser, host, tokens)
        wall = pages.open("observer")
        expect(wall.locator("body")).to_have_attribute("data-state", "live")
        expect(wall.locator("#run-state")).to_have_text("Paused")
        dropped = host.connected["observer"].socket.close(1001, "network gone")
        asyncio.run_coroutine_threadsafe(dropped, host._loop).result(10)
        expect(wall.locator("body")).to_have_attribute("data-state", "lost")
        expect(wall.locator("#connection")).to_contain_text("rejoining")
        expect(wall.locator("#run-state")).to_have_text("Reconnecting…")  # not the stale state
        expect(wall.locator("body")).to_have_attribute("data-state", "live", timeout=15_000)
        expect(wall.locator("#run-state")).to_have_text("Paused")
        assert "observer" in host.connected
        pages.check()


def test_a_page_says_in_its_header_that_the_host_stopped_the_exercise(browser):
    """The clock's run line is in the header people look at: once the host stops, it no longer
    says the exercise is paused (or running) but that it was stopped, as the line below does."""
    with hosted() as (host, tokens):
        pages = Pages(browser, host, tokens)
        wall, de = pages.open("observer"), pages.open("DE")
        for page in (wall, de):
            expect(page.locator("#run-state")).to_have_text("Paused")
    for page in (wall, de):  # the block's end stopped the host
        expect(page.locator("body")).to_have_attribute("data-state", "ended")
        expect(page.locator("#connection")).to_have_text("The host has stopped the exercise.")
        expect(page.locator("#run-state")).to_have_text("Stopped by the host")
        expect(page.locator("#run-state")).to_have_attribute("data-run", "stopped")
    pages.check()


def test_a_delegations_message_reaches_the_facilitators_page(browser):
    with hosted() as (host, tokens):
        pages = Pages(browser, host, tokens)
        de, facilitator = pages.open("DE"), pages.open("facilitator")
        de.get_by_label("Message to the facilitator").fill("Berlin needs an hour")
        de.get_by_role("button", name="Send message").click()
        expect(de.locator("#feedback")).to_have_text("Message sent to the facilitator.")
        expect(facilitator.locator("#messages")).to_contain_text("Germany Berlin needs an hour")
        pages.check()


def test_the_wall_shows_the_crisis_tracks_levels_beside_the_procedure(browser):
    """A large-scale incident (baltic-blackout): the wall has the Blueprint's three levels as the
    console's tracker has them; a scenario without one has no such section."""
    from sim.picture import Picture

    ex = Exercise(scenarios.load("baltic-blackout"), interactive=True, players=[])
    with hosted(ex, speed=300, running=True) as (host, tokens):
        pages = Pages(browser, host, tokens)
        wall = pages.open("observer")
        expect(wall.locator("#run-state")).to_have_text("The exercise has ended", timeout=30_000)
        levels = wall.locator("#levels")
        expect(levels).to_be_visible()
        picture = Picture(ex.scenario).catch_up(ex.events)
        assert set(picture.levels) == {"Technical", "Operational", "Political"}
        for name, stage in picture.levels.items():
            row = levels.get_by_role("row", name=re.compile(rf"^{name}\b"))
            expect(row).to_contain_text(stage.detail)
        expect(levels).to_contain_text("EU-CyCLONe")
        assert "CYCLONE" not in wall.locator("main").inner_text()
        pages.check()
    with hosted() as (host, tokens):
        pages = Pages(browser, host, tokens)
        wall = pages.open("observer")
        expect(wall.locator("body")).to_have_attribute("data-state", "live")
        expect(wall.locator("#levels")).to_be_hidden()
        pages.check()


def test_a_seat_reads_a_cyclone_request_with_the_bodys_name():
    from sim.seats import text_of

    line = text_of({"kind": "decision_request", "data": {"proposal": "CY-1", "body": "cyclone",
                                                         "measure": "operational_assessment"}})
    assert "at EU-CyCLONe" in line and "CYCLONE" not in line


def test_a_delegation_acknowledges_an_inject_and_the_facilitator_sees_it(browser):
    with hosted(speed=2, running=True) as (host, tokens):
        pages = Pages(browser, host, tokens)
        de, facilitator = pages.open("DE"), pages.open("facilitator")
        acknowledge = de.get_by_role("button", name=re.compile("^Acknowledge: Ground forces cross"))
        expect(acknowledge).to_be_visible(timeout=30_000)
        expect(de.locator("#inbox-title")).to_contain_text("unread")
        acknowledge.click()
        expect(de.locator("#feedback")).to_have_text("Acknowledged.")
        expect(acknowledge).to_have_count(0)
        item = de.locator(".inbox .item", has_text="Ground forces cross")
        expect(item).to_have_attribute("data-read", "yes")
        germany = facilitator.locator('#expectations .card[data-entry="S-01"] li', has_text="Germany")
        expect(germany).to_contain_text("Acknowledged ")
        expect(facilitator.locator('#expectations .card[data-entry="S-01"] li', has_text="Poland")
               ).to_contain_text("Not acknowledged yet")  # fmt: skip
        recorded = [e.data for e in host.exercise.events if e.kind == "acknowledged"]
        assert recorded == [{"entry": "S-01", "state": "DE"}]
        pages.check()


def test_the_facilitator_fires_an_msel_entry_early_from_the_page(browser):
    with hosted() as (host, tokens):  # the clock paused: S-05 is still to come
        pages = Pages(browser, host, tokens)
        facilitator = pages.open("facilitator")
        row = facilitator.locator("#msel tr", has_text="S-05")
        expect(row).to_contain_text("to come")
        facilitator.get_by_role("button", name="Fire S-05 now").click()
        expect(facilitator.locator("#feedback")).to_have_text("S-05 fired.")
        expect(row).to_contain_text("fired")
        expect(facilitator.get_by_role("button", name="Fire S-05 now")).to_have_count(0)
        assert "S-05-early" in host.exercise.applied
        pages.check()


def test_the_facilitators_text_forms_send_empty_themselves_and_keep_a_refused_text(browser):
    with hosted() as (host, tokens):
        pages = Pages(browser, host, tokens)
        page = pages.open("facilitator")
        forms = [("Note (for the evaluation log)", "Record note", "Note recorded."),
                 ("Hot wash point", "Record point", "Hot wash point recorded."),
                 ("Inject text (a note to the players)", "Send inject", "Inject sent.")]
        for label, submit, done in forms:
            field = page.get_by_label(label)
            field.fill(f"{submit}: the PSC met late")
            page.get_by_role("button", name=submit).click()
            expect(page.locator("#feedback")).to_have_text(done)
            expect(field).to_have_value("")
        note = page.get_by_label("Note (for the evaluation log)")
        note.fill("   ")  # not empty for the browser, nothing for the host: refused
        page.get_by_role("button", name="Record note").click()
        expect(page.locator("#feedback")).to_have_attribute("data-error", "yes")
        expect(page.locator("#feedback")).to_have_text("note: give text")
        expect(note).to_have_value("   ")
        inputs = [e.data for e in host.exercise.events if e.kind == "input"]
        texts = [d.get("text") or d.get("inject", {}).get("message") for d in inputs]
        assert texts == [f"{submit}: the PSC met late" for _, submit, _ in forms], inputs
        pages.check()


def test_delegations_chat_once_the_facilitator_opens_chat(browser):
    with hosted() as (host, tokens):
        pages = Pages(browser, host, tokens)
        de, pl, facilitator = pages.open("DE"), pages.open("PL"), pages.open("facilitator")
        expect(de.locator("body")).to_have_attribute("data-state", "live")
        expect(de.get_by_label("Chat message")).to_have_count(0)  # closed until opened
        facilitator.get_by_role("button", name="Open chat").click()
        expect(facilitator.locator("#messages")).to_contain_text("Delegations may chat")
        de.get_by_label("Chat with the delegation of").select_option(label="Poland")
        de.get_by_label("Chat message").fill("Shall we table the listing together?")
        de.get_by_role("button", name="Send chat message").click()
        expect(de.locator("#feedback")).to_have_text("Chat message sent.")
        expect(pl.locator("#messages")).to_contain_text("Shall we table the listing together?")
        expect(facilitator.locator("#messages")).to_contain_text(
            "Germany to Poland Shall we table the listing together?")
        pages.check()


def test_the_facilitator_marks_an_expectation_and_edits_an_entry_from_the_page(browser):
    with hosted(speed=2, running=True) as (host, tokens):
        pages = Pages(browser, host, tokens)
        page = pages.open("facilitator")
        met = page.get_by_role("button", name="S-01: DE met the expectation")
        expect(met).to_be_visible(timeout=30_000)
        met.click()
        expect(page.locator("#feedback")).to_have_text("S-01: DE met it.")
        marks = [e.data for e in host.exercise.events
                 if e.kind == "input" and e.data.get("control") == "mark"]  # fmt: skip
        assert marks[-1]["msel"] == "S-01" and marks[-1]["state"] == "DE" and marks[-1]["met"]
        page.get_by_role("button", name="Edit S-12").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Message").fill("The exercise closes with a stock-take at noon.")
        dialog.get_by_role("button", name="Save").click()
        expect(page.locator("#feedback")).to_have_text("S-12 edited.")
        expect(page.locator('#msel tr[data-status="edited"]', has_text="S-12")).to_have_count(1)
        expect(page.locator('#msel tr[data-status="to come"]', has_text="S-12-edited")
               ).to_contain_text("The exercise closes with a stock-take at noon.")  # fmt: skip
        pages.check()


def test_the_facilitators_expectation_cards_show_the_marks_given_and_keep_them_on_rejoining(
    browser, tmp_path
):
    """A mark given from the page is on its card (met or not, when, by whom), the button given is
    pressed, and the keyboard stays on it; given again, the latest stands (as in the console);
    a mark given at another seat (the evaluator's page; an evaluator's ``cdtx join``, with a text)
    shows too; a page that rejoins (a reload) shows them all. An entry fired early is marked
    under its own id."""
    ex = Exercise(SCENARIO, interactive=True)
    ex.fire("S-05")
    ex.run(until=2)
    with hosted(ex) as (host, tokens):
        pages = Pages(browser, host, tokens)
        page = pages.open("facilitator")
        card = page.locator('#expectations .card[data-entry="S-05"]')
        germany = card.locator("li", has_text="Germany")
        expect(germany).to_contain_text("Not marked yet")
        met = page.get_by_role("button", name="S-05: DE met the expectation")
        met.click()
        expect(page.locator("#feedback")).to_have_text("S-05: DE met it.")
        expect(germany.locator(".mark")).to_have_text(
            "Met (marked Wed 24 Feb 2027 06:00 (T+0d 02:00) by Facilitator)")
        expect(met).to_have_attribute("aria-pressed", "true")
        expect(met).to_be_focused()
        not_met = page.get_by_role("button", name="S-05: DE did not meet the expectation")
        not_met.click()
        expect(germany.locator(".mark")).to_contain_text("Not met (marked")
        expect(germany).to_have_attribute("data-mark", "not met")
        expect(met).to_have_attribute("aria-pressed", "false")
        host.apply(host.seats["evaluator"], {"action": "mark", "msel": "S-01", "state": "PL",
                                             "met": True, "text": "crisis cell up"})  # fmt: skip
        poland = page.locator('#expectations .card[data-entry="S-01"] li', has_text="Poland")
        expect(poland.locator(".mark")).to_have_text(
            "Met: crisis cell up (marked Wed 24 Feb 2027 06:00 (T+0d 02:00) by Evaluator)")
        evaluator = pages.open("evaluator")
        expect(evaluator.locator('#expectations .card[data-entry="S-01"] li', has_text="Poland")
               ).to_contain_text("Met: crisis cell up")  # fmt: skip
        evaluator.get_by_role("button", name="S-01: DE did not meet the expectation").click()
        expect(evaluator.locator("#feedback")).to_have_text("S-01: DE did not.")
        expect(page.locator('#expectations .card[data-entry="S-01"] li', has_text="Germany")
               ).to_contain_text("Not met (marked Wed 24 Feb 2027 06:00 (T+0d 02:00) by Evaluator)")  # fmt: skip
        page.screenshot(path=str(tmp_path / "expectation-marks.png"), full_page=True)
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-state", "live")
        expect(germany.locator(".mark")).to_contain_text("Not met (marked")
        expect(poland.locator(".mark")).to_contain_text("Met: crisis cell up")
        marks = [(e.data["msel"], e.data["state"], e.data["met"], e.data["seat"]) for e in ex.events
                 if e.kind == "input" and e.data.get("control") == "mark"]  # fmt: skip
        assert marks == [("S-05", "DE", True, "facilitator"), ("S-05", "DE", False, "facilitator"),
                         ("S-01", "PL", True, "evaluator"), ("S-01", "DE", False, "evaluator")]  # fmt: skip
        # the focus is the reader's once it left the cards: a redrawn card does not take it
        # back, nor the scroll (views come many times a second while the clock runs)
        page.get_by_role("button", name="S-05: DE did not meet the expectation").click()
        expect(page.locator("#feedback")).to_have_text("S-05: DE did not.")
        page.get_by_role("heading", name="Timeline").click()
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        timeline = page.get_by_role("heading", name="Timeline")
        seen_at = timeline.bounding_box()["y"]  # where the reader sees it, in the window
        host.apply(host.seats["evaluator"], {"action": "mark", "msel": "S-01", "state": "PL",
                                             "met": False, "text": "cell stood down"})  # fmt: skip
        expect(poland.locator(".mark")).to_contain_text("Not met: cell stood down")
        # (a card above that grows moves the scroll with it: the view stays where it was)
        assert abs(timeline.bounding_box()["y"] - seen_at) < 2
        expect(page.get_by_role("button", name="S-05: DE did not meet the expectation")
               ).not_to_be_focused()  # fmt: skip
        pages.check()


def test_the_token_leaves_the_address_bar_and_a_reload_keeps_the_seat(browser):
    """A projected or shared screen shows no token: the page takes it out of its address (and
    history) once read, and a reload of the tab still rejoins the seat."""
    with hosted() as (host, tokens):
        pages = Pages(browser, host, tokens)
        wall = pages.open("observer")
        expect(wall.locator("body")).to_have_attribute("data-state", "live")
        assert tokens["observer"] not in wall.url and "#" not in wall.url
        wall.reload()
        expect(wall.locator("body")).to_have_attribute("data-state", "live")
        expect(wall.locator("body")).to_have_attribute("data-role", "observer")
        pages.check()


PHONE, LAPTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 768}


def at_decision() -> Exercise:
    """The scenario run (interactive) until the played delegations' first decision is needed:
    a page opens on the decision at once, with no clock to wait for."""
    ex = Exercise(SCENARIO, interactive=True)
    ex.run()
    assert ex.pending and not ex.finished
    return ex


def test_no_page_runs_off_a_phones_screen_its_tables_stack_with_their_column_names(browser):
    """At 390 px wide no seat's page scrolls sideways: the procedure, the seats and the MSEL
    stack each row, each value led by its column's name; on a laptop they are tables."""
    with hosted(at_decision(), speed=5, running=True) as (host, tokens):
        pages = Pages(browser, host, tokens)
        pages.context.close()
        pages.context = browser.new_context(viewport=PHONE)
        opened = {seat: pages.open(seat) for seat in ("facilitator", "DE", "observer", "evaluator")}
        de = opened["DE"]
        expect(de.get_by_role("status")).to_contain_text("Your decision is needed", timeout=30_000)
        for seat, page in opened.items():
            expect(page.locator("body")).to_have_attribute("data-state", "live")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (seat, width)
        measure = de.locator("#procedure td").first
        assert measure.evaluate("n => getComputedStyle(n, '::before').content") == '"Measure: "'
        facilitator = opened["facilitator"]
        row = facilitator.get_by_role("row", name=re.compile("S-08"))
        expect(row.get_by_role("cell", name="Entry: S-08")).to_be_visible()  # its label shown
        expect(row.get_by_role("cell", name="Fire S-08 now")).to_be_visible()
        expect(facilitator.get_by_role("columnheader", name="Message")).to_be_attached()
        wide = facilitator
        wide.set_viewport_size(LAPTOP)
        expect(wide.get_by_role("columnheader", name="Message")).to_be_visible()
        assert wide.locator("#msel td").first.evaluate(
            "n => getComputedStyle(n, '::before').content") == "none"
        # The seats' Actions cell is laid out as a cell (not a flex box the table wraps in an
        # anonymous one): its row's line runs under it level with the others'.
        # (read in one go: a view that comes meanwhile redraws the table)
        displays = wide.locator("#seats tbody tr").first.evaluate(
            "row => [...row.cells].map(cell => getComputedStyle(cell).display)")
        assert set(displays) == {"table-cell"}, displays
        # An MSEL entry's Fire, Skip and Edit on one line, not a column of its own lines.
        actions = wide.get_by_role("row", name=re.compile("S-08")).get_by_role("button")
        assert len({round(b.bounding_box()["y"]) for b in actions.all()}) == 1
        pages.check()


def test_a_long_question_sits_inside_its_box_on_a_phone(browser):
    """The decision's question (a fieldset's legend) over several lines on a phone is drawn
    inside the fieldset, not across its border."""
    with hosted(at_decision(), speed=5, running=True) as (host, tokens):
        pages = Pages(browser, host, tokens)
        pages.context.close()
        pages.context = browser.new_context(viewport=PHONE)
        de = pages.open("DE")
        legend = de.locator("#decision legend")
        expect(legend).to_be_visible(timeout=30_000)
        box, fieldset = legend.bounding_box(), de.locator("#decision fieldset").bounding_box()
        assert box["height"] > 40  # several lines at this width
        assert box["y"] > fieldset["y"] and box["x"] > fieldset["x"], (box, fieldset)
        pages.check()


def test_an_edit_the_host_refuses_is_said_in_the_dialog_which_stays_open(browser):
    """The Edit dialog covers the page (and its feedback line): a refusal is said in the
    dialog, the text typed stays; once accepted the dialog closes and the page says so."""
    with hosted() as (host, tokens):
        pages = Pages(browser, host, tokens)
        page = pages.open("facilitator")
        page.get_by_role("button", name="Edit S-12").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("When (e.g. 36h, 2d)").fill("next Tuesday")
        dialog.get_by_role("button", name="Save").click()
        alert = dialog.get_by_role("alert")
        expect(alert).to_contain_text("next Tuesday")
        expect(dialog.get_by_label("When (e.g. 36h, 2d)")).to_have_value("next Tuesday")
        dialog.get_by_label("When (e.g. 36h, 2d)").fill("9d")
        dialog.get_by_role("button", name="Save").click()
        expect(dialog).to_have_count(0)
        expect(page.locator("#feedback")).to_have_text("S-12 edited.")
        assert not [e for e in host.exercise.events if e.kind == "input"
                    and e.data.get("control") == "edit" and "next" in str(e.data)]  # fmt: skip
        pages.check()


def test_the_facilitators_clock_controls_follow_the_hosts_clock(browser):
    """Resume is disabled while the clock runs, Pause while it is paused, both once the
    exercise has ended (they would change nothing); the speed field shows the host's speed."""
    ex = Exercise(SCENARIO, interactive=True, players=[])  # the model decides: it ends
    with hosted(ex, speed=0.5) as (host, tokens):  # paused
        pages = Pages(browser, host, tokens)
        page = pages.open("facilitator")
        resume, pause = (page.get_by_role("button", name=n, exact=True) for n in ("Resume", "Pause"))
        expect(page.get_by_label("Speed (simulated hours per second)")).to_have_value("0.5")
        expect(resume).to_be_enabled()
        expect(pause).to_be_disabled()
        resume.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#feedback")).to_have_text("The clock runs.")
        expect(pause).to_be_focused()  # the keyboard stays on the clock's controls
        expect(resume).to_be_disabled()
        assert host.running
        page.get_by_label("Speed (simulated hours per second)").fill("500")
        page.get_by_role("button", name="Set speed").click()
        expect(page.locator("#run-state")).to_have_text("The exercise has ended", timeout=30_000)
        for control in (resume, pause, page.get_by_role("button", name="Set speed")):
            expect(control).to_be_disabled()
        pages.check()


def test_a_refusal_is_on_screen_wherever_the_page_was_scrolled(browser):
    """On a phone the decision's buttons are far below the feedback line: a refused answer
    (a statement over 4,000 characters) is said on the screen the delegation is looking at."""
    with hosted(at_decision(), speed=5, running=True) as (host, tokens):
        pages = Pages(browser, host, tokens)
        pages.context.close()
        pages.context = browser.new_context(viewport=PHONE)
        de = pages.open("DE")
        expect(de.get_by_role("status")).to_contain_text("Your decision is needed", timeout=30_000)
        de.get_by_label("Statement for the table (optional)").fill("x" * 4001)
        support = de.get_by_role("button", name="Support", exact=True)
        support.click()
        feedback = de.locator("#feedback")
        expect(feedback).to_have_text("statement: a text of 4,001 characters is too long (at most 4,000)")
        assert de.evaluate("window.scrollY") > 0  # the button was below the first screen
        box = feedback.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
        expect(support).to_be_in_viewport()
        # From the keyboard: refused, the focus is back on the button pressed, to try again.
        feedback.evaluate("node => node.textContent = ''")
        abstain = de.get_by_role("button", name="Abstain", exact=True)
        abstain.focus()
        de.keyboard.press("Enter")
        expect(feedback).to_contain_text("is too long")
        expect(abstain).to_be_focused()
        expect(abstain).to_be_enabled()
        pages.check()
