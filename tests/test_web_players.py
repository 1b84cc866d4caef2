"""The pages follow the players when the facilitator changes them mid-exercise (a real Chromium,
tests/test_web_browser.py's set-up): the facilitator's inject form offers a delegation handed
to the table, and a delegation handed back to the model stops writing from its page."""

from __future__ import annotations

import pytest

pytest.importorskip("websockets")
pytest.importorskip("playwright.sync_api", reason="pip install 'cdtx[test]' (playwright)")

from test_web import hosted  # noqa: E402
from test_web_browser import Pages, browser, expect  # noqa: E402, F401 (browser: the fixture)


def test_the_facilitators_and_a_delegations_pages_follow_the_players(browser):  # noqa: F811
    with hosted() as (host, tokens):  # DE and PL played
        pages = Pages(browser, host, tokens)
        facilitator, de = pages.open("facilitator"), pages.open("DE")
        to = facilitator.get_by_label("To", exact=True)
        expect(to.locator("option")).to_have_text(["Every delegation", "Germany", "Poland"])
        expect(de.get_by_role("button", name="Send message")).to_be_visible()
        to.select_option(label="Poland")
        host.apply(host.seats["facilitator"], {"action": "players", "state": "EE", "played": True})
        expect(to.locator("option")).to_have_text(["Every delegation", "Germany", "Estonia", "Poland"])
        expect(to).to_have_value("PL")  # the chosen addressee kept while it is played
        to.select_option(label="Germany")
        host.apply(host.seats["facilitator"], {"action": "players", "state": "DE", "played": False})
        expect(to.locator("option")).to_have_text(["Every delegation", "Estonia", "Poland"])
        expect(to).to_have_value("")  # and said so when it is gone
        expect(facilitator.locator("#inject-to-gone")).to_have_text(
            "Germany was handed back to the model: the inject now goes to every delegation.")
        expect(de.locator("#messages")).to_contain_text("handed your delegation back to the model")
        expect(de.get_by_role("button", name="Send message")).to_be_hidden()
        to.select_option(label="Estonia")
        facilitator.get_by_label("Inject text").fill("Tallinn joins the table.")
        facilitator.get_by_role("button", name="Send inject").click()
        expect(facilitator.locator("#feedback")).to_have_text("Inject sent.")
        injects = [e.data["inject"] for e in host.exercise.events if e.kind == "input" and "inject" in e.data]
        assert injects[-1]["to"] == ["EE"]
        pages.check()
