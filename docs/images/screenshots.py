"""Screenshots of the seats' pages for docs/hosting.md: a real host on loopback running
satcom-war (DE and PL played) up to its first decision, each page opened in Debian's chromium
through Playwright. Writes docs/images/page-*.png (the delegation's brief open too).

Run: ``PYTHONPATH=. python docs/images/screenshots.py`` (needs websockets, playwright and the
``chromium`` executable; never ``playwright install``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from sim import Exercise  # noqa: E402
from sim.seats import seats_for  # noqa: E402
from tui.host.server import Host, in_thread, new_tokens  # noqa: E402

#: (file, seat, viewport, zoom): the wall as a projector shows it, the others on a laptop; the
#: delegation's page again at 200% zoom (what a 640-pixel-wide window shows at twice the size).
SHOTS = (
    ("page-delegation.png", "DE", (1280, 900), 1),
    ("page-delegation-200.png", "DE", (640, 900), 2),
    ("page-wall.png", "observer", (1920, 1080), 1),
    ("page-facilitator.png", "facilitator", (1280, 900), 1),
    ("page-evaluator.png", "evaluator", (1280, 900), 1),
)


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("screenshots: no chromium executable (apt-get install chromium)")
    ex = Exercise("satcom-war", interactive=True)
    seats = seats_for(ex.players)
    tokens = new_tokens(seats)
    host = Host(ex, seats, tokens, port=0, speed=40, running=True)
    with in_thread(host), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium,
                                             args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        first = browser.new_page()
        first.goto(f"http://127.0.0.1:{host.port}/#{tokens['DE']}")
        expect(first.get_by_role("status")).to_contain_text("Your decision is needed",
                                                            timeout=60_000)  # fmt: skip
        first.close()
        for name, seat, (width, height), zoom in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": height},
                                    device_scale_factor=zoom)  # fmt: skip
            page.goto(f"http://127.0.0.1:{host.port}/#{tokens[seat]}")
            expect(page.locator("#run-state")).to_contain_text("Waiting for a decision")
            page.wait_for_function("document.querySelector('main').children.length > 0")
            page.screenshot(path=str(HERE / name), full_page=True)
            print(f"wrote {HERE / name}")
            if name == "page-delegation.png":  # and its brief, one click away
                page.get_by_role("button", name="Open your brief").click()
                expect(page.get_by_role("dialog")).to_be_visible()
                page.screenshot(path=str(HERE / "page-delegation-brief.png"))
                print(f"wrote {HERE / 'page-delegation-brief.png'}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
