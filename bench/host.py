"""Benchmark of ``cdtx host``: 30 seats on loopback while the clock runs at 1,000 events/s.

Prints, for a run of satcom-war with every member state played (27 delegations, one facilitator,
one evaluator, one observer: 30 seats) and an MSEL stretched to over 10,000 events:

- the p95 latency from an event on the host to its arrival in the view model of every seat that
  may see it (target <= 100 ms), and the same with one seat (ratio);
- the host's memory per seat: (RSS with 30 seats - RSS with 1 seat) / 29 (target <= 5 MB);
- the time for a seat to rejoin after 10,000 events and have its view back (target <= 1 s),
  against opening the recording and folding its picture as ``cdtx replay`` does;
- the flood figure: the host's peak RSS while one delegation seat sends 60 KB messages as fast
  as it can for 15 s, connecting again whenever it is disconnected (target < 400 MB), and the
  time an honest seat takes to join meanwhile (target < 1 s); ``--flood-only`` runs just this.

The host runs in its own process, the seats in three others (time.monotonic is the same clock
in every process on Linux). Run: ``PYTHONPATH=. python bench/host.py [--notes 5200] [--rate 1000]``.

``--web`` (issue 23): a Cyber Europe-sized table of 300 seats, half of them browser pages'
WebSockets (``"view": true``: sent coalesced views, not events), while the exercise runs at
1,000 events/s: 27 delegations, a facilitator and 122 observers take events; 75 evaluators' and
75 observers' pages take views. Prints the p95 latency from an event to the first view that
contains it on every evaluator page (an evaluator sees every event, so the figure is exact;
target <= 100 ms) and to every event seat, the host's memory per seat (against one seat;
target <= 2 MB), the bytes a browser loads for a page (HTML, scripts, styles; target <= 200 KB)
and the time a page rejoining after 10,000 events takes to get its view (target <= 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from record import add_option, fig, recording_if_asked

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def big_scenario(notes: int):
    """satcom-war with ``notes`` extra MSEL notes (two events each), spread over its horizon and
    addressed in turn to one state or to all, every state played."""
    import scenarios
    from scenarios.vocabulary import EU27

    raw = yaml.safe_load(scenarios.builtin_path("satcom-war").read_text(encoding="utf-8"))
    horizon_h = 240
    states = list(EU27)
    for i in range(notes):
        to = [] if i % 3 == 0 else [states[i % len(states)]]
        raw["msel"].append({"id": f"B-{i:05d}", "at": f"{(i + 1) * horizon_h * 60 // (notes + 2)}m",
                            "type": "note", "to": to, "message": f"Bench note {i}",
                            "params": {"text": f"bench note {i} " + "x" * 60}})  # fmt: skip
    raw["players"] = states
    return scenarios.load_text(yaml.safe_dump(raw, sort_keys=False), "bench scenario")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def host_process(conn, notes: int, seat_count: int, rate: float, record: str,
                 web: bool = False) -> None:  # fmt: skip
    """The host: paused until the seats are in, then the clock at ``rate`` events/s; ``web``:
    the 300 seats of the ``--web`` figure (``seat_count`` of them)."""
    from scenarios.vocabulary import EU27
    from sim import Exercise
    from sim.recording import Recorder
    from sim.seats import seats_for
    from tui.host.server import Host, new_tokens

    async def main() -> None:
        ex = Exercise(big_scenario(notes), interactive=False, players=list(EU27))
        if web:
            seats = seats_for(ex.players, evaluators=WEB_EVALUATORS,
                              observers=WEB_OBSERVERS)[:seat_count]  # fmt: skip
        else:
            seats = seats_for(ex.players)[:seat_count]
        tokens = new_tokens(seats)
        emitted: dict[int, float] = {}

        def stamp(event) -> None:
            emitted[event.seq] = time.monotonic()

        recorder = Recorder(record, ex)
        host = Host(ex, seats, tokens, port=0, rate=rate, running=False, recorder=recorder,
                    on_event=stamp)  # fmt: skip
        await host.start()
        loop = asyncio.get_running_loop()
        base = rss_mb()
        conn.send((host.url, [(s.id, tokens[s.id]) for s in seats], base))
        await loop.run_in_executor(None, conn.recv)  # "go"
        emitted.clear()  # the history before the clock starts is not live
        started = time.monotonic()
        cpu = time.process_time()
        host.running = True
        await host.finished.wait()
        elapsed = time.monotonic() - started
        recorder.flush()
        conn.send((emitted, len(ex.events), elapsed, rss_mb(), time.process_time() - cpu))
        await loop.run_in_executor(None, conn.recv)  # "stop", after the rejoin
        await host.stop()
        recorder.close()

    asyncio.run(main())


def seats_process(conn, url: str, seats: list[tuple[str, str]]) -> None:
    """Some seats: connect, then time the arrival of every event in the view model."""
    from tui.host.client import SeatClient

    if "--nogc" in sys.argv:
        import gc

        gc.disable()

    async def main() -> None:
        arrivals: dict[int, float] = {}

        def arrived(batch) -> None:
            now = time.monotonic()
            for event in batch:
                seq = event["seq"]
                if arrivals.get(seq, 0.0) < now:
                    arrivals[seq] = now  # the last seat to have it

        clients = [SeatClient(url, token, listener=arrived) for _, token in seats]
        for client in clients:
            await client.connect()
        conn.send("ready")
        cpu = time.process_time()
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "ended"
        await asyncio.gather(*(c.wait_for(lambda c: c.view.ended, 120) for c in clients))
        conn.send((arrivals, time.process_time() - cpu))
        for client in clients:
            await client.close()

    asyncio.run(main())


async def rejoin(url: str, token: str) -> tuple[float, int]:
    from tui.host.client import SeatClient

    started = time.monotonic()
    client = SeatClient(url, token)
    welcome = await client.connect()
    await client.wait_for(lambda c: c.count >= welcome["history"], 30)
    took = time.monotonic() - started
    await client.close()
    return took, client.count


@dataclass
class Table:
    """One figure's table, its clock run to the end: the host's process and pipe, its address,
    the seats (id, token), the host's RSS before the seats joined, what the host measured
    (emitted times, events, seconds, RSS, CPU seconds) and each seats' process's report."""

    host: Any
    pipe: Any
    url: str
    seats: list[tuple[str, str]]
    base_rss: float
    figures: tuple
    reports: list

    def stop(self) -> None:
        """The host stops (after the rejoin figures) and its process ends."""
        self.pipe.send("stop")
        self.host.join()


def run_table(notes: int, seat_count: int, rate: float, workers: int, record: str,
              worker: Callable, *, web: bool = False, mark: Callable | None = None,
              ended: bool = False) -> Table:  # fmt: skip
    """The host in a process of its own (:func:`host_process`), the seats in ``workers`` others
    (``worker(conn, url, group)``; ``mark(seats)`` makes each seat what the worker takes), the
    clock started once every seat is in and run to the end; ``ended``: the workers are told the
    run ended before they report (the terminal seats wait for it)."""
    ctx = mp.get_context("fork")
    # The host starts afresh (spawn), as `cdtx host` does: a fork would carry this process's
    # memory into the host's RSS (about 110 MB more than the host's own)
    host_end, here = ctx.Pipe()
    host = mp.get_context("spawn").Process(
        target=host_process, args=(host_end, notes, seat_count, rate, record, web)
    )
    host.start()
    url, seats, base_rss = here.recv()
    items = mark(seats) if mark is not None else seats
    groups = [items[i::workers] for i in range(workers) if items[i::workers]]
    pipes, procs = [], []
    for group in groups:
        a, b = ctx.Pipe()
        proc = ctx.Process(target=worker, args=(a, url, group))
        proc.start()
        pipes.append(b)
        procs.append(proc)
    for pipe in pipes:
        pipe.recv()  # ready
    here.send("go")
    figures = here.recv()
    if ended:
        for pipe in pipes:
            pipe.send("ended")
    reports = [pipe.recv() for pipe in pipes]
    for proc in procs:
        proc.join()
    return Table(host, here, url, seats, base_rss, figures, reports)


def run(notes: int, seat_count: int, rate: float, workers: int) -> dict:
    record = tempfile.mktemp(suffix=".jsonl", prefix="cdtx-bench-host-")
    table = run_table(notes, seat_count, rate, workers, record, seats_process, ended=True)
    url, seats, base_rss = table.url, table.seats, table.base_rss
    emitted, events, elapsed, host_rss, host_cpu = table.figures
    arrivals: dict[int, float] = {}
    seats_cpu = 0.0
    for got, cpu in table.reports:
        seats_cpu += cpu
        for seq, t in got.items():
            arrivals[seq] = max(arrivals.get(seq, 0.0), t)
    latencies = sorted(arrivals[seq] - emitted[seq] for seq in arrivals if seq in emitted)
    if "--debug" in sys.argv:
        by_time = [arrivals[s] - emitted[s] for s in sorted(arrivals) if s in emitted]
        step = max(1, len(by_time) // 10)
        print(
            "latency by tenth (max ms):",
            [round(max(by_time[i : i + step]) * 1000) for i in range(0, len(by_time), step)],
        )
    result = {
        "seats": len(seats),
        "events": events,
        "rate": events / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "host_rss": host_rss,
        "host_cpu": host_cpu / elapsed,
        "seats_cpu": seats_cpu / elapsed,
        "base_rss": base_rss,
        "record": record,
    }
    token = dict(seats)
    result["rejoin_facilitator"] = asyncio.run(rejoin(url, token["facilitator"]))
    if "DE" in token:
        result["rejoin_DE"] = asyncio.run(rejoin(url, token["DE"]))
    table.stop()
    return result


#: The --web table: 27 delegations, a facilitator, 75 evaluators and 197 observers (300 seats);
#: the evaluators' pages and as many observers' pages are browser pages (150).
WEB_EVALUATORS, WEB_OBSERVERS, WEB_PAGES = 75, 197, 150


def web_seats_process(conn, url: str, seats: list[tuple[str, str, bool]]) -> None:
    """Raw seats of the --web figure: each a WebSocket that says hello (a page with
    ``"view": true``) and notes when each event (or each view's last event) arrives."""
    import orjson
    from websockets.asyncio.client import connect

    async def seat(seat_id: str, token: str, page: bool, arrivals: dict[int, float],
                   views: list[tuple[int, float]], opened: asyncio.Event) -> None:  # fmt: skip
        async with connect(url, proxy=None, max_size=None, compression=None) as socket:
            await socket.send(orjson.dumps({"hello": token, "view": page}))
            opened.set()
            async for message in socket:
                now = time.monotonic()
                item = orjson.loads(message)
                if item["type"] == "view":
                    views.append((item["seq"], now))
                    if item["run"]["state"] == "ended":
                        return
                elif item["type"] == "events":
                    for event in item["events"]:
                        seq = event["seq"]
                        if arrivals.get(seq, 0.0) < now:
                            arrivals[seq] = now
                        if event["kind"] == "ended":
                            return

    async def main() -> None:
        arrivals: dict[int, float] = {}
        page_views: dict[str, list[tuple[int, float]]] = {s: [] for s, _, page in seats if page}
        opened = [asyncio.Event() for _ in seats]
        tasks = [asyncio.create_task(seat(s, t, page, arrivals, page_views.get(s, []), o))
                 for (s, t, page), o in zip(seats, opened, strict=True)]  # fmt: skip
        for o in opened:
            await o.wait()
        await asyncio.sleep(1.0)  # the welcomes and first views are in before the clock starts
        conn.send("ready")
        cpu = time.process_time()
        await asyncio.gather(*tasks)
        # An evaluator's page sees every event: each event arrived with the first view whose
        # last event is it or a later one.
        page_arrivals: dict[int, float] = {}
        for seat_id, views in page_views.items():
            if not seat_id.startswith("evaluator"):
                continue
            previous = -1
            for seq, at in views:
                for s in range(previous + 1, seq + 1):
                    if page_arrivals.get(s, 0.0) < at:
                        page_arrivals[s] = at
                previous = max(previous, seq)
        counts = [len(v) for v in page_views.values()]
        conn.send((arrivals, page_arrivals, counts, time.process_time() - cpu))

    asyncio.run(main())


async def page_rejoin(url: str, token: str, last_seq: int) -> float:
    """Seconds for a page to connect and get a view with every event up to ``last_seq``."""
    import orjson
    from websockets.asyncio.client import connect

    started = time.monotonic()
    async with connect(url, proxy=None, max_size=None) as socket:
        await socket.send(orjson.dumps({"hello": token, "view": True}))
        async for message in socket:
            item = orjson.loads(message)
            if item["type"] == "view" and item["seq"] >= last_seq:
                break
    return time.monotonic() - started


def page_load_bytes(url: str) -> int:
    """Bytes a browser loads for a seat's page: the page and every file it uses, over HTTP."""
    import http.client
    from urllib.parse import urlsplit

    from tui.host import web

    parts = urlsplit(url)
    total = 0
    for path in {"/", *(p for p in web.FILES if p != "/static/seat.html")}:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("GET", path)
        total += len(connection.getresponse().read())
        connection.close()
    return total


def web_run(notes: int, rate: float, workers: int, seat_count: int = 300) -> dict:
    """The --web figure for ``seat_count`` seats of its table (1: the baseline for memory)."""
    record = tempfile.mktemp(suffix=".jsonl", prefix="cdtx-bench-web-")
    pages: set[str] = set()

    def mark(seats: list[tuple[str, str]]) -> list[tuple[str, str, bool]]:
        """The evaluators' seats, then observers', up to WEB_PAGES of them, are pages."""
        candidates = [s for s, _ in seats if s.startswith(("evaluator", "observer"))]
        pages.update(sorted(candidates, key=lambda s: (not s.startswith("evaluator"), s))[:WEB_PAGES])
        return [(s, t, s in pages) for s, t in seats]

    table = run_table(notes, seat_count, rate, workers, record, web_seats_process, web=True,
                      mark=mark)  # fmt: skip
    url, seats = table.url, table.seats
    emitted, events, elapsed, host_rss, host_cpu = table.figures
    arrivals: dict[int, float] = {}
    page_arrivals: dict[int, float] = {}
    counts: list[int] = []
    for got, got_pages, got_counts, _cpu in table.reports:
        counts += got_counts
        for seq, t in got.items():
            arrivals[seq] = max(arrivals.get(seq, 0.0), t)
        for seq, t in got_pages.items():
            page_arrivals[seq] = max(page_arrivals.get(seq, 0.0), t)

    def p95(got: dict[int, float]) -> float:
        latencies = sorted(got[seq] - emitted[seq] for seq in got if seq in emitted)
        return latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")

    token = dict(seats)
    result = {"seats": len(seats), "pages": len(pages), "events": events,
              "rate": events / elapsed, "p95_pages": p95(page_arrivals), "p95_events": p95(arrivals),
              "host_rss": host_rss, "host_cpu": host_cpu / elapsed,
              "cpu_per_event": host_cpu / max(events, 1),
              "views": statistics.median(counts) if counts else 0,
              "page_bytes": page_load_bytes(url)}  # fmt: skip
    seat = "observer" if "observer" in token else next(iter(token))
    result["rejoin_page"] = asyncio.run(page_rejoin(url, token[seat], max(emitted, default=0)))
    table.stop()
    Path(record).unlink(missing_ok=True)
    return result


def print_web(notes: int, rate: float, workers: int) -> None:
    one = web_run(notes, rate, workers, seat_count=1)
    many = web_run(notes, rate, workers)
    per_seat = (many["host_rss"] - one["host_rss"]) / (many["seats"] - one["seats"])
    print(f"cdtx host benchmark, browser pages: {fig('events', many['events'], ',')} events at "
          f"{fig('rate', many['rate'], '.0f')} events/s (asked {rate:.0f}), "
          f"{fig('seats', many['seats'])} seats on loopback, {fig('pages', many['pages'])} of "
          "them pages")  # fmt: skip
    print(f"  latency event -> every evaluator page's view: p95 "
          f"{fig('p95_pages_ms', many['p95_pages'] * 1000, '.0f')} ms (target <= 100 ms); -> every "
          f"event seat: p95 {fig('p95_events_ms', many['p95_events'] * 1000, '.0f')} ms; views sent "
          f"per page: {many['views']:.0f} (median) for {many['events']} events")  # fmt: skip
    print(f"  host memory: {one['host_rss']:.0f} MB with 1 seat, {many['host_rss']:.0f} MB with "
          f"{many['seats']}: {fig('mb_per_seat', per_seat, '.2f')} MB per seat (target <= 2 MB)")  # fmt: skip
    # The host's CPU time per event does not depend on what else the machine runs; the
    # latencies do (on a shared machine the host may get a fraction of a core).
    print(f"  host CPU: {fig('cpu_ms_per_event', many['cpu_per_event'] * 1000, '.2f')} ms per "
          f"event with {many['seats']} seats ({one['cpu_per_event'] * 1000:.2f} ms with one): "
          f"1,000 events/s need {fig('core_share', many['cpu_per_event'] * 1000, '.0%')} of a core; "
          f"it had {fig('host_cpu', many['host_cpu'], '.0%')} here; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    print(f"  page load (HTML + scripts + styles + icon): "
          f"{fig('page_kb', many['page_bytes'] / 1024, '.0f')} KB (target <= 200 KB)")  # fmt: skip
    print(f"  a page rejoining after {many['events']} events has its view in "
          f"{fig('rejoin_page_ms', many['rejoin_page'] * 1000, '.0f')} ms (target <= 1 s)")  # fmt: skip


FLOOD_TEXT = 60 * 1024


def flood_host(conn, record: str) -> None:
    """The host of the flood figure: satcom-war running; its RSS sampled every 0.1 s until the
    figure is taken."""
    from sim import Exercise
    from sim.recording import Recorder
    from sim.seats import seats_for
    from tui.host.server import Host, new_tokens

    async def main() -> None:
        ex = Exercise("satcom-war", interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        recorder = Recorder(record, ex)
        notices: list[str] = []
        host = Host(ex, seats, tokens, port=0, speed=0.2, recorder=recorder,
                    on_notice=notices.append)  # fmt: skip
        await host.start()
        base = rss_mb()
        conn.send((host.url, tokens, base))
        done = asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
        peak = base
        while not done.done():
            peak = max(peak, rss_mb())
            await asyncio.sleep(0.1)
        budget = host.budgets["DE"]
        recorder.flush()
        size = Path(record).stat().st_size
        conn.send((base, peak, budget.refused, budget.disconnected, len(notices), size))
        await host.stop()
        recorder.close()

    asyncio.run(main())


def flooder(conn, url: str, token: str, seconds: float) -> None:
    """One seat sending 60 KB messages as fast as it can (reading what it is sent, so that the
    host's replies never hold it back), connecting again at once whenever the host closes it."""
    import orjson
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidHandshake

    async def drained(socket) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for _ in socket:
                pass

    async def main() -> tuple[int, int]:
        sent = connections = 0
        text = "x" * FLOOD_TEXT
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                async with connect(url, proxy=None, compression=None, max_size=None) as socket:
                    connections += 1
                    drain = asyncio.create_task(drained(socket))
                    await socket.send(orjson.dumps({"hello": token}))
                    while time.monotonic() < end:
                        await socket.send(orjson.dumps({"action": "message", "id": sent,
                                                        "text": text}))  # fmt: skip
                        sent += 1
                    drain.cancel()
            except (ConnectionClosed, InvalidHandshake, OSError) as exc:
                if "--debug" in sys.argv:
                    print(f"flooder: {time.monotonic() - end + seconds:.2f} s {exc!r}")
        return sent, connections

    conn.send(asyncio.run(main()))


def flood(seconds: float) -> dict:
    """Host RSS while DE floods for ``seconds``, and an honest seat's (PL's) join times."""
    from tui.host.client import SeatClient

    record = tempfile.mktemp(suffix=".jsonl", prefix="cdtx-bench-flood-")
    ctx = mp.get_context("fork")
    host_end, here = ctx.Pipe()
    host = mp.get_context("spawn").Process(target=flood_host, args=(host_end, record))  # as above
    host.start()
    url, tokens, _ = here.recv()
    flood_end, flood_pipe = ctx.Pipe()
    attacker = ctx.Process(target=flooder, args=(flood_end, url, tokens["DE"], seconds))
    attacker.start()

    async def honest() -> list[float]:
        times = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            started = time.monotonic()
            client = SeatClient(url, tokens["PL"])
            history = (await client.connect())["history"]
            await client.wait_for(lambda c, n=history: c.count >= n, 30)
            times.append(time.monotonic() - started)
            await client.close()
            await asyncio.sleep(0.5)
        return times

    joins = asyncio.run(honest())
    sent, connections = flood_pipe.recv()
    attacker.join()
    here.send("stop")
    base, peak, refused, disconnected, notices, size = here.recv()
    host.join()
    Path(record).unlink(missing_ok=True)
    return {"seconds": seconds, "sent": sent, "connections": connections, "base": base,
            "peak": peak, "refused": refused, "disconnected": disconnected,
            "notices": notices, "record_mb": size / 1e6, "joins": joins}  # fmt: skip


def print_flood(f: dict) -> None:
    joins = sorted(f["joins"])
    print(f"  flood: DE sent {fig('flood_sent', f['sent'], ',')} messages of 60 KB in "
          f"{fig('flood_seconds', f['seconds'], 'g')} s over {f['connections']} connections; "
          f"{fig('flood_refused', f['refused'], ',')} refused, disconnected "
          f"{fig('flood_disconnected', f['disconnected'])} times, {f['notices']} notices to the "
          "facilitator")  # fmt: skip
    print(f"    host RSS {fig('flood_rss_before_mb', f['base'], '.0f')} MB before, peak "
          f"{fig('flood_rss_peak_mb', f['peak'], '.0f')} MB during the flood (target < 400 MB); "
          f"recording {fig('flood_record_mb', f['record_mb'], '.2f')} MB")  # fmt: skip
    print(f"    honest seat PL joined {len(joins)} times meanwhile: median "
          f"{fig('flood_join_median_ms', statistics.median(joins) * 1000, '.0f')} ms, worst "
          f"{fig('flood_join_worst_ms', joins[-1] * 1000, '.0f')} ms (target < 1 s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=5200, help="extra MSEL notes (2 events each)")
    parser.add_argument("--rate", type=float, default=1000.0, help="events per second")
    parser.add_argument("--workers", type=int, default=3, help="processes for the seats")
    parser.add_argument("--debug", action="store_true", help="latency by tenth of the run")
    parser.add_argument("--flood", type=float, default=15.0, help="seconds of the flood figure")
    parser.add_argument("--flood-only", action="store_true", help="only the flood figure")
    parser.add_argument("--web", action="store_true",
                        help="only the browser pages' figure: 300 seats, 150 of them pages")  # fmt: skip
    add_option(parser, "host[-web|-flood]")
    args = parser.parse_args()
    name = "host-web" if args.web else "host-flood" if args.flood_only else "host"
    with recording_if_asked(args, name):
        measure(args)


def measure(args: argparse.Namespace) -> None:
    if args.web:
        print_web(args.notes, args.rate, args.workers)
        return
    if args.flood_only:
        print("cdtx host benchmark: one seat flooding")
        print_flood(flood(args.flood))
        return

    one = run(args.notes, 1, args.rate, 1)
    many = run(args.notes, 30, args.rate, args.workers)
    from scenarios.vocabulary import EU27
    from sim import Exercise
    from sim.picture import Picture

    ex = Exercise(big_scenario(args.notes), interactive=False, players=list(EU27)).run()
    started = time.monotonic()
    Picture(ex.scenario, ex.players).catch_up(ex.events)
    console_fold = time.monotonic() - started
    for r in (one, many):
        Path(r["record"]).unlink(missing_ok=True)
    per_seat = (many["host_rss"] - one["host_rss"]) / (many["seats"] - one["seats"])
    print(f"cdtx host benchmark: {fig('events', many['events'], ',')} events at "
          f"{fig('rate', many['rate'], '.0f')} events/s (asked {args.rate:.0f}), "
          f"{fig('seats', many['seats'])} seats on loopback")  # fmt: skip
    print(f"  latency event -> every seat's view: p50 {many['p50'] * 1000:.1f} ms, "
          f"p95 {fig('p95_ms', many['p95'] * 1000, '.0f')} ms (target <= 100 ms)")  # fmt: skip
    print(f"  one seat:                           p50 {one['p50'] * 1000:.1f} ms, "
          f"p95 {fig('p95_one_ms', one['p95'] * 1000, '.0f')} ms; 30 seats / 1 seat p95 = "
          f"{many['p95'] / max(one['p95'], 1e-9):.1f}x")  # fmt: skip
    print(f"  CPU: host {fig('host_cpu', many['host_cpu'], '.0%')} of a core "
          f"({fig('host_cpu_one', one['host_cpu'], '.0%')} with one seat), the 30 seats "
          f"{many['seats_cpu']:.0%}")  # fmt: skip
    print(f"  host memory: {one['host_rss']:.0f} MB with 1 seat, {many['host_rss']:.0f} MB with "
          f"{many['seats']}: {fig('mb_per_seat', per_seat, '.2f')} MB per seat (target <= 5 MB)")  # fmt: skip
    took, n = many["rejoin_facilitator"]
    print(f"  rejoin after {many['events']} events: facilitator "
          f"{fig('rejoin_facilitator_ms', took * 1000, '.0f')} ms ({n} events; target <= 1 s)",
          end="")  # fmt: skip
    if "rejoin_DE" in many:
        took_de, n_de = many["rejoin_DE"]
        print(f", delegation DE {fig('rejoin_de_ms', took_de * 1000, '.0f')} ms ({n_de} events)",
              end="")  # fmt: skip
    print(f"\n  the single-seat console folding its picture over the same events: "
          f"{fig('console_fold_ms', console_fold * 1000, '.0f')} ms; facilitator rejoin / console "
          f"fold = {fig('rejoin_vs_fold', took / console_fold, '.1f')}x")  # fmt: skip
    print_flood(flood(args.flood))


if __name__ == "__main__":
    main()
