"""The table's day outside the console screens (issue 14): branching from replay, comparisons,
statements, pending ratings, headless runs of played scenarios, addressed and held injects."""

from __future__ import annotations

import asyncio

import pytest

from sim.exercise import Exercise
from sim.recording import Recorder, reader

STATEMENT = "We veto: the evidence package is too thin."


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """grid-wiper with DE played at the table: DE vetoes the first measure asked, then supports."""
    path = tmp_path_factory.mktemp("played") / "played.jsonl"
    ex = Exercise("grid-wiper", players=["DE"], interactive=True)
    with Recorder(path, ex):
        ex.run()
        answers = 0
        while ex.pending:
            ex.answer(ex.pending[0].state, "oppose" if answers == 0 else "support", STATEMENT)
            answers += 1
            ex.run()
    return path


def _first_request(recording):
    return next(e for e in recording.events if e.kind == "decision_request")


def _answers(events):
    return [
        e
        for e in events
        if e.kind == "input" and e.data.get("inject", {}).get("type") == "position"
    ]


# -- 3. branching from replay takes no later inputs ---------------------------------------------


def test_a_branch_after_a_decision_request_does_not_hold_the_answer_given_later(played, tmp_path):
    recording = reader.open(played)
    request = _first_request(recording)
    answer = _answers(recording.events)[0]
    assert answer.t == request.t and answer.seq > request.seq  # same sim time, later event
    branch_path = tmp_path / "branch.jsonl"
    ex = recording.branch(after_event=request.seq, record_to=branch_path)
    try:
        assert _answers(ex.events) == []
        assert [r.state for r in ex.pending] == ["DE"]  # the table is asked again
        assert ex.now == request.t
    finally:
        ex.recorder.close()
    child = reader.open(branch_path)
    assert child.header["parent"]["after_event"] == request.seq
    assert child.verify().ok
    # By time alone the answer (made at the same sim time) would come along: the old behaviour.
    assert len(_answers(recording.branch(request.t).events)) == 1


def test_branching_after_an_event_that_does_not_exist_is_refused(played):
    from sim.recording.reader import RecordingError

    recording = reader.open(played)
    with pytest.raises(RecordingError, match="no event 99999 to branch after"):
        recording.branch(after_event=99999)


def test_console_b_branches_after_the_replay_cursor_event(played, tmp_path):
    pytest.importorskip("textual")
    from tui.app import make_replay_app

    recording = reader.open(played)
    request = _first_request(recording)

    async def scenario():
        app = make_replay_app(recording, at=request.t)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.console_screen
            assert screen.session.cursor > request.seq + 1  # the answer is shown at that time
            while screen.session.cursor > request.seq + 1:  # step back to the request
                await pilot.press("left_square_bracket")
            app.record_default = True
            app.default_record_path = lambda scenario_id: tmp_path / "branch.jsonl"
            await pilot.press("b")
            await pilot.pause()
            branch = app.console_screen
            assert branch.live
            assert _answers(branch.session.ex.events) == []
            assert [r.state for r in branch.session.ex.pending] == ["DE"]
            branch.session.close()

    asyncio.run(scenario())


# -- 4. a comparison's first divergence shows both sides --------------------------------------


def _record_played(path, first_answer: str, statement: str = STATEMENT):
    ex = Exercise("grid-wiper", players=["DE"], interactive=True)
    with Recorder(path, ex):
        ex.run()
        answers = 0
        while ex.pending:
            stance = first_answer if answers == 0 else "support"
            ex.answer(ex.pending[0].state, stance, statement)
            answers += 1
            ex.run()
    return path


def test_first_divergence_shows_what_differs_on_each_side(played, tmp_path, capsys):
    from tui.cli import main

    supported = _record_played(tmp_path / "supported.jsonl", "support")
    assert main(["report", str(played), str(supported)]) == 0
    text = capsys.readouterr().out
    section = text.split("## First divergence")[1].split("##")[0]
    line_a = next(line for line in section.splitlines() if line.startswith("- A:"))
    line_b = next(line for line in section.splitlines() if line.startswith("- B:"))
    assert line_a[4:] != line_b[4:]  # not the same line twice
    assert line_a.endswith("(inject.params.stance: oppose)")
    assert line_b.endswith("(inject.params.stance: support)")
