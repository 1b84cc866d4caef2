"""The console's live session without the app: what the Upcoming list offers and what firing,
editing and skipping do to it (tui/screens/session.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("textual")

from sim.exercise import Exercise  # noqa: E402
from sim.recording import Recorder, reader  # noqa: E402
from tui.screens.session import LiveSession  # noqa: E402


def ids(session: LiveSession) -> list[str]:
    return [entry.id for entry in session.upcoming()]


def test_edited_entries_and_scheduled_injects_stay_in_the_upcoming_list(tmp_path):
    session = LiveSession(Exercise("grid-wiper", players=[]))
    session.ex.run("4d")
    assert ids(session) == ["M-05", "M-06", "M-07", "M-08"]
    m06 = session.entry("M-06").model_dump(mode="json", by_alias=True)
    session.edit("M-06", {**m06, "at": "13d"})  # moved after M-07 (12 d)
    note = session.ex.submit({"type": "note", "at": "5d", "params": {"text": "later"}})
    scheduled = note.data["inject"]["id"]
    assert ids(session) == ["M-05", scheduled, "M-07", "M-06-edited", "M-08"]
    # A scheduled inject can be fired, edited or skipped like an MSEL entry.
    session.fire(scheduled)
    assert scheduled not in ids(session)
    session.ex.skip("M-06-edited")
    assert ids(session) == ["M-05", "M-07", "M-08"]
    session.ex.run("14d")
    assert not any(
        e.kind == "inject_applied" and e.data["inject"] == "M-06-edited" for e in session.ex.events
    )
    assert ids(session) == ["M-08"]


def test_skipping_a_scheduled_inject_replays_exactly(tmp_path):
    path = tmp_path / "run.jsonl"
    ex = Exercise("grid-wiper")
    with Recorder(path, ex):
        ex.run("1d")
        record = ex.submit({"type": "media", "at": "2d", "params": {"pressure": 0.9}})
        ex.skip(record.data["inject"]["id"])
        ex.run()
    assert not any(e.kind == "pressure" and e.data["pressure"] == 0.9 for e in ex.events)
    assert reader.open(path).verify().ok


def test_only_what_is_still_to_come_can_be_skipped_fired_or_edited():
    from sim import InjectError

    ex = Exercise("grid-wiper")
    ex.run("1d")
    applied = ex.submit({"type": "note", "params": {"text": "now"}})
    with pytest.raises(InjectError, match="has already been applied"):
        ex.skip(applied.data["inject"]["id"])
    with pytest.raises(InjectError, match="no MSEL entry or scheduled inject"):
        ex.skip("M-99")
    with pytest.raises(InjectError, match="M-01 has already been applied"):
        ex.skip("M-01")  # 1 h
    ex.skip("M-03")
    with pytest.raises(InjectError, match="M-03 has already been skipped"):
        LiveSession(ex).fire("M-03")
    ex = Exercise("grid-wiper")
    ex.run("11h")
    session = LiveSession(ex)
    m02 = session.entry("M-02").model_dump(mode="json", by_alias=True)
    ex.run("13h")  # the clock fires M-02 (12 h) while the edit form is open
    before = len(ex.events)
    with pytest.raises(InjectError, match="M-02 has already been applied"):
        session.edit("M-02", m02)
    with pytest.raises(InjectError, match="M-02 has already been applied"):
        session.fire("M-02")
    assert len(ex.events) == before  # nothing recorded: not applied twice


def test_next_stops_at_a_decision_request_and_stays_paused_after_the_answer():
    from sim.exercise import Exercise as Ex

    session = LiveSession(Ex("satcom-war", interactive=True))
    while not session.ex.pending and not session.ex.finished:
        session.mode = "until_kind"  # n, pressed again at each meeting
        while session.advance():
            pass
    assert session.ex.pending and session.mode == "paused"
    for request in list(session.ex.pending):
        session.answer(request.state, "support")  # the console's path, which resets the clock
    assert session.mode == "paused"
    assert not session.advance()  # paused: nothing moves until the facilitator says so


def test_replay_lists_what_was_still_to_come_then(tmp_path):
    from tui.screens.session import ReplaySession

    path = tmp_path / "run.jsonl"
    ex = Exercise("grid-wiper", players=[])
    with Recorder(path, ex):
        live = LiveSession(ex)
        ex.run("4d")
        live.fire("M-05")
        m06 = live.entry("M-06").model_dump(mode="json", by_alias=True)
        live.edit("M-06", {**m06, "at": "13d"})
        later = ex.submit({"type": "note", "at": "5d", "params": {"text": "later"}})
        ex.skip("M-07")
        expected = ids(live)
        ex.run()
    session = ReplaySession(reader.open(path))
    session.move(next(i for i, e in enumerate(session.events) if e.t > 4 * 24))
    assert [entry.id for entry in session.upcoming()] == expected
    assert later.data["inject"]["id"] in expected and "M-07" not in expected


def test_every_inject_can_be_said_in_a_few_words():
    import scenarios
    from sim.narrative import inject_summary

    for scenario_id in scenarios.builtin_ids():
        for entry in scenarios.load(scenario_id).msel:
            assert inject_summary(entry.model_dump(mode="json", by_alias=True)), entry.id


def test_an_input_is_dated_at_the_time_the_header_shows():
    session = LiveSession(Exercise("grid-wiper", players=[]))
    session.ex.run("1h")
    quiet_until = session.ex.next_event_time()
    session.display_t = (session.ex.now + quiet_until) / 2  # the clock runs between two events
    record = session.note("the chair speaks")
    assert record.t == session.display_t > 1.0


def test_a_branch_recorded_after_a_handover_verifies(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    ex = Exercise("grid-wiper")
    with Recorder(first, ex):
        ex.run("1d")
        ex.set_played("EE", True)
        ex.run()
    from tui.cli import main

    # The command line starts its recorder once the branch is re-simulated, handover included.
    assert main(["run", "--from", str(first), "--at", "2d", "--record", str(second)]) == 0
    child = reader.open(second)
    assert child.header["players"] == ["LT"]  # as the run began; the handover is an input
    assert child.verify().ok


def test_a_note_from_the_console_of_cdtx_host_reads_as_a_note(tmp_path):
    """With ``cdtx host``, the console's inputs carry the facilitator's seat: a note (and an
    observation) still reads as what it is, not as an evaluator seat's rating."""
    from sim.narrative import describe

    session = LiveSession(Exercise("grid-wiper", players=[]))
    session.ex.seat = "facilitator"  # as tui/host/server.py sets it for the console
    note = session.note("PL asks\nfor a map", objective="OBJ-2", state="pl")
    seen = session.evaluate({"entry": "observation", "text": "slow PSC", "objective": "OBJ-2"})
    rating = session.evaluate({"entry": "rating", "objective": "OBJ-1", "rating": "S"})
    assert note.data["seat"] == "facilitator" and note.data["entry"] == "note"
    assert describe(note) == "Facilitator note [OBJ-2 PL]: PL asks for a map"
    assert describe(seen) == "Evaluator observation [OBJ-2]: slow PSC"
    assert describe(rating) == "Evaluator facilitator rates OBJ-1 S"


def test_the_upcoming_window_is_the_first_entries_of_the_whole_list():
    """The console lays out only the next entries of a long MSEL (issue 23's benchmark): the
    window is the head of the full list, and the count is the full list's length."""
    from sim.exercise import Exercise
    from tui.screens.session import LiveSession

    ex = Exercise("satcom-war", interactive=True, players=[])
    session = LiveSession(ex)
    session.skip("S-02")
    ex.submit({"type": "note", "at": "2h", "params": {"text": "scheduled"}})
    full = session.upcoming()
    assert [e.id for e in session.upcoming(3)] == [e.id for e in full[:3]]
    assert session.upcoming_count() == len(full)
    assert "S-02" not in [e.id for e in full]
    assert [e.at for e in full] == sorted(e.at for e in full)
