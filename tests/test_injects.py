"""Each inject type through Exercise.submit: its effect, and the errors of bad injects."""

from __future__ import annotations

import pytest

from sim import Exercise, InjectError

SEVERITY = {
    "scope": 1,
    "scale": 1,
    "duration": 1,
    "intensity": 1,
    "complexity": 1,
    "sophistication": 1,
    "impact": 1,
}


@pytest.fixture
def ex() -> Exercise:
    """grid-wiper, one hour in: INC-1 is running (PL, LT), nothing decided yet."""
    exercise = Exercise("grid-wiper")
    exercise.run("1h")
    assert "INC-1" in exercise.world.incidents
    return exercise


def new_events(ex: Exercise, before: int, *kinds: str):
    return [e for e in ex.events[before:] if not kinds or e.kind in kinds]


def test_submit_records_the_input_and_applies_it(ex):
    before = len(ex.events)
    record = ex.submit({"type": "note", "params": {"text": "hello"}})
    assert record.kind == "input" and record.source == "facilitator"
    assert record.data["inject"]["type"] == "note"
    assert record.data["step"] == ex.steps
    assert new_events(ex, before, "inject_applied")


def new_incident(incident_id: str) -> dict:
    """An ``incident`` inject by iron-lantern on the Estonian financial sector."""
    return {
        "type": "incident",
        "params": {
            "id": incident_id,
            "actor": "iron-lantern",
            "severity": SEVERITY,
            "targets": [{"state": "EE", "sector": "finance"}],
        },
    }


def test_incident_starts_a_new_incident(ex):
    before = len(ex.events)
    ex.submit(new_incident("INC-2"))
    started = new_events(ex, before, "incident")
    assert [e.data["incident"] for e in started] == ["INC-2"]
    assert started[0].t == ex.now
    assert started[0].data["targets"] == [{"state": "EE", "sector": "finance"}]
    ex.run("20d")
    assert any(
        e.kind == "detected" and e.data["incident"] == "INC-2" and e.data["state"] == "EE"
        for e in ex.events
    )
    with pytest.raises(InjectError) as info:  # the same id again
        ex.submit(new_incident("INC-2"))
    assert info.value.field == "params.id"


def test_escalate_raises_score_and_rung(ex):
    inc = ex.world.incidents["INC-1"]
    score, rung = inc.score, inc.rung
    assert rung == 3
    before = len(ex.events)
    ex.submit(
        {
            "type": "escalate",
            "params": {"incident": "INC-1", "severity": {"scope": 1, "duration": 1}},
        }
    )
    (escalation,) = new_events(ex, before, "escalation")
    assert escalation.data["score"] > score
    assert escalation.data["previous_rung"] == 3
    assert escalation.data["recommended_rung"] == 4
    assert ex.metrics["recommended_rung"] == 4


def test_escalate_is_clamped_to_the_scale(ex):
    ex.submit({"type": "escalate", "params": {"incident": "INC-1", "severity": {"scope": 4}}})
    assert ex.world.incidents["INC-1"].severity["scope"] == 4


def test_intel_raises_confidence_of_the_to_states_only(ex):
    before = len(ex.events)
    ex.submit(
        {
            "type": "intel",
            "to": ["DE", "FR"],
            "params": {"actor": "iron-lantern", "confidence": 0.3},
        }
    )
    evidence = new_events(ex, before, "evidence")
    assert {e.data["state"] for e in evidence} == {"DE", "FR"}
    assert all(e.data["cause"] == "intel" and e.data["confidence"] == 0.3 for e in evidence)
    assert ex.world.confidence["DE"]["iron-lantern"] == 0.3
    assert "SE" not in ex.world.confidence
    # Negative intel lowers it again, never below zero.
    ex.submit(
        {"type": "intel", "to": ["DE"], "params": {"actor": "iron-lantern", "confidence": -0.5}}
    )
    assert ex.world.confidence["DE"]["iron-lantern"] == 0.0


def test_attribute_emits_attributed_events(ex):
    before = len(ex.events)
    ex.submit({"type": "attribute", "params": {"states": ["PL", "EE"], "actor": "iron-lantern"}})
    attributed = new_events(ex, before, "attributed")
    assert [e.data["state"] for e in attributed] == ["PL", "EE"]
    assert all(e.data["sponsor"] == "RU" and e.data["how"] == "inject" for e in attributed)
    assert ex.metrics["t_first_attribution"] == pytest.approx(ex.now)


def test_media_raises_pressure_of_the_to_states(ex):
    ex.submit({"type": "media", "to": ["EE"], "params": {"pressure": 0.5}})
    assert ex.world.pressure["EE"] == 0.5
    assert ex.world.pressure.get("SE", 0.0) == 0.0
    ex.submit({"type": "media", "to": ["EE"], "params": {"pressure": 0.5}})
    assert 0.5 < ex.world.pressure["EE"] <= 1.0


def test_media_without_to_reaches_everyone(ex):
    ex.submit({"type": "media", "params": {"pressure": 0.2}})
    assert all(ex.world.pressure.get(code, 0.0) >= 0.2 for code in ex.roster.codes)


def test_position_fixes_the_position_used_at_the_next_decision(ex):
    ex.submit(
        {
            "type": "position",
            "params": {"state": "SE", "measure": "hr_declaration", "stance": "oppose"},
        }
    )
    ex.run()
    decisions = [
        e for e in ex.events if e.kind == "decision" and e.data["measure"] == "hr_declaration"
    ]
    assert decisions and not decisions[0].data["adopted"]
    assert "SE" in decisions[0].data["blockers"]
    se = next(
        e
        for e in ex.events
        if e.kind == "position"
        and e.data["state"] == "SE"
        and e.data["measure"] == "hr_declaration"
    )
    assert se.data["position"] == "oppose" and se.data["by"] == "fixed"


def test_without_the_position_inject_sweden_does_not_block():
    ex = Exercise("grid-wiper").run()
    decisions = [e for e in ex.events if e.kind == "decision"]
    assert decisions and decisions[0].data["measure"] == "hr_declaration"
    assert all("SE" not in d.data["blockers"] for d in decisions)


@pytest.mark.parametrize("body", ["hwpci", "psc", "coreper", "council"])
def test_meeting_convenes_the_body(ex, body):
    before = len(ex.events)
    ex.submit({"type": "meeting", "params": {"body": body, "extraordinary": True}})
    assert new_events(ex, before, "meeting_requested")
    ex.run("6d")
    meetings = [e for e in new_events(ex, before, "meeting") if e.data["body"] == body]
    # More meetings of the body than the scenario holds on its own in the same days.
    alone = Exercise("grid-wiper")
    alone.run("1h")
    before_alone = len(alone.events)
    alone.run("6d")
    scheduled = [e for e in new_events(alone, before_alone, "meeting") if e.data["body"] == body]
    assert len(meetings) > len(scheduled)


def test_propose_tables_a_proposal(ex):
    before = len(ex.events)
    ex.submit({"type": "propose", "params": {"measure": "council_conclusions", "by": "hr"}})
    (proposal,) = new_events(ex, before, "proposal")
    assert proposal.data["measure"] == "council_conclusions" and proposal.data["by"] == "hr"
    assert proposal.data["origin"] == "inject"
    ex.run("20d")
    assert any(
        e.kind == "prepared" and e.data["proposal"] == proposal.data["proposal"] for e in ex.events
    )


@pytest.mark.parametrize(
    ("article", "measure"), [("42(7)", "mutual_assistance"), ("222", "solidarity_clause")]
)
def test_invoke_opens_the_assistance_track_off_the_ladder(ex, article, measure):
    before = len(ex.events)
    ex.submit({"type": "invoke", "params": {"article": article, "by": "LT"}})
    invoked = new_events(ex, before, "invoked")
    assert invoked and invoked[0].data["measure"] == measure
    (track,) = new_events(ex, before, "assistance")
    assert track.data["article"] == article and track.data["by"] == "LT"
    assert not new_events(ex, before, "adopted")  # not a rung of the response ladder
    metrics = ex.metrics
    assert metrics["assistance"] == [{"article": article, "by": "LT", "t": track.t}]
    assert metrics["highest_measure"] != measure and metrics["highest_rung"] < 5
    ex.run("6d")  # the adversary reads costs imposed, not assistance
    assert not [e for e in new_events(ex, before, "adversary") if e.data["cause"] == measure]


def test_adversary_cease(ex):
    before = len(ex.events)
    ex.submit({"type": "adversary", "params": {"action": "cease"}})
    (event,) = new_events(ex, before, "adversary")
    assert event.data == {"actor": "iron-lantern", "action": "cease", "cause": "inject"}
    assert "iron-lantern" in ex.world.ceased


def test_adversary_escalate_raises_severity(ex):
    score = ex.world.incidents["INC-1"].score
    before = len(ex.events)
    ex.submit({"type": "adversary", "params": {"action": "escalate"}})
    escalation = new_events(ex, before, "escalation")
    assert escalation and escalation[0].data["score"] > score


def test_adversary_new_wave_starts_an_incident(ex):
    before = len(ex.events)
    ex.submit({"type": "adversary", "params": {"action": "new_wave"}})
    started = new_events(ex, before, "incident")
    assert [e.data["incident"] for e in started] == ["INC-1-W2"]
    assert started[0].data["wave"] == 2


def test_note_emits_a_note(ex):
    before = len(ex.events)
    ex.submit({"type": "note", "to": ["LT"], "params": {"text": "Minister calls."}})
    (note,) = new_events(ex, before, "note")
    assert note.data == {"text": "Minister calls.", "to": ["LT"]}


def test_a_future_inject_waits_for_its_time(ex):
    ex.submit({"type": "note", "at": "3d", "params": {"text": "later"}})
    notes = [e for e in ex.events if e.kind == "note" and e.data["text"] == "later"]
    assert not notes
    ex.run("4d")
    notes = [e for e in ex.events if e.kind == "note" and e.data["text"] == "later"]
    assert len(notes) == 1 and notes[0].t == pytest.approx(72.0)


# -- invalid injects -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inject", "field"),
    [
        ({"type": "note", "to": ["XX"], "params": {"text": "x"}}, "to.0"),
        (
            {"type": "attribute", "params": {"states": ["UK"], "actor": "iron-lantern"}},
            "params.states.0",
        ),
        (
            {
                "type": "position",
                "params": {"state": "UK", "measure": "listing", "stance": "oppose"},
            },
            "params.state",
        ),
        ({"type": "note", "at": -1, "params": {"text": "x"}}, "at"),
        ({"type": "note", "at": "-2h", "params": {"text": "x"}}, "at"),
        ({"type": "note", "at": "3x", "params": {"text": "x"}}, "at"),
        ({"type": "media", "params": {"pressure": 2}}, "params.pressure"),
        (
            {"type": "intel", "to": ["DE"], "params": {"actor": "iron-lantern", "confidence": 1.5}},
            "params.confidence",
        ),
        (
            {"type": "position", "params": {"state": "HU", "measure": "nuke", "stance": "oppose"}},
            "params.measure",
        ),
        ({"type": "meeting", "params": {"body": "nato"}}, "params.body"),
        ({"type": "invoke", "params": {"article": "5", "by": "LT"}}, "params.article"),
        ({"type": "adversary", "params": {"action": "dance"}}, "params.action"),
        ({"type": "note", "params": {"text": ""}}, "params.text"),
        (
            {"type": "intel", "to": ["DE"], "params": {"actor": "nobody", "confidence": 0.2}},
            "params.actor",
        ),
        ({"type": "attribute", "params": {"states": ["PL"], "actor": "nobody"}}, "params.actor"),
        (
            {"type": "escalate", "params": {"incident": "INC-9", "severity": {"scope": 1}}},
            "params.incident",
        ),
        ({"type": "intel", "params": {"actor": "iron-lantern", "confidence": 0.2}}, "to"),
    ],
)
def test_invalid_injects_raise_inject_error_naming_the_field(ex, inject, field):
    before = len(ex.events)
    with pytest.raises(InjectError) as info:
        ex.submit(inject)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert len(ex.events) == before, "a refused inject must not be recorded"


def test_an_inject_in_the_past_is_refused(ex):
    ex.run("2d")
    assert ex.now > 1.0
    with pytest.raises(InjectError) as info:
        ex.submit({"type": "note", "at": "1h", "params": {"text": "too late"}})
    assert info.value.field == "at"
    assert "past" in str(info.value)


def test_only_a_state_hit_invokes_the_clauses(ex):
    before = len(ex.events)
    with pytest.raises(InjectError, match="FR has not been hit") as info:
        ex.submit({"type": "invoke", "params": {"article": "42(7)", "by": "FR"}})
    assert info.value.field == "params.by" and len(ex.events) == before


def test_an_invoke_scheduled_for_later_may_come_from_a_state_the_scenario_will_hit():
    ex = Exercise("hospital-ransomware")  # R-06 hits IT and RO at 9d
    ex.run("1h")
    invoke = {"type": "invoke", "params": {"article": "42(7)", "by": "IT"}}
    with pytest.raises(InjectError, match="IT has not been hit"):
        ex.submit(invoke)
    ex.submit({**invoke, "at": "10d"})
    with pytest.raises(InjectError, match="FR has not been hit"):
        ex.submit({**invoke, "at": "10d", "params": {"article": "42(7)", "by": "FR"}})


def test_an_inject_after_the_horizon_is_refused(ex):
    before = len(ex.events)
    with pytest.raises(InjectError, match="after the scenario's horizon") as info:
        ex.submit({"type": "note", "at": "31d", "params": {"text": "never"}})
    assert info.value.field == "at" and len(ex.events) == before
    ex.submit({"type": "note", "at": "30d", "params": {"text": "at the horizon itself"}})


def test_inject_ids_name_one_entry_each(ex):
    note = {"type": "note", "params": {"text": "x"}}
    with pytest.raises(InjectError, match="already used by the scenario's MSEL") as info:
        ex.submit({**note, "id": ex.scenario.msel[0].id})
    assert info.value.field == "id"
    ex.submit({**note, "id": "F-001"})
    with pytest.raises(InjectError, match="already used by an earlier inject"):
        ex.submit({**note, "id": "F-001"})
    # Ids given by cdtx step over those people chose.
    assert ex.submit(note).data["inject"]["id"] == "F-002"


def test_unknown_inject_type_names_the_type_field(ex):
    with pytest.raises(InjectError) as info:
        ex.submit({"type": "bogus", "params": {}})
    assert info.value.field == "type"


def test_unknown_proposer_names_params_by(ex):
    with pytest.raises(InjectError) as info:
        ex.submit({"type": "propose", "params": {"measure": "listing", "by": "XX"}})
    assert info.value.field == "params.by"


def test_unknown_player_is_refused():
    with pytest.raises(InjectError) as info:
        Exercise("grid-wiper", players=["LT", "XX"])
    assert info.value.field == "players"


def test_submit_after_the_end_is_refused():
    ex = Exercise("grid-wiper").run()
    assert ex.finished
    with pytest.raises(InjectError):
        ex.submit({"type": "note", "params": {"text": "late"}})


def test_skip_and_note_controls(ex):
    with pytest.raises(InjectError) as info:
        ex.skip("M-99")
    assert info.value.field == "msel"
    ex.skip("M-02")
    ex.run("2d")
    assert not [e for e in ex.events if e.kind == "inject_applied" and e.data["inject"] == "M-02"]
    with pytest.raises(InjectError) as info:
        ex.note("   ")
    assert info.value.field == "text"


def test_notes_are_kept_after_the_end_but_skips_are_refused():
    ex = Exercise("grid-wiper").run()
    note = ex.note("hot wash: the PSC met late")
    assert note.kind == "input" and note.data["text"] == "hot wash: the PSC met late"
    assert note.t == ex.horizon, "a note after the end is dated at the end"
    with pytest.raises(InjectError, match="ended"):
        ex.skip("M-08")


def test_an_invoke_may_follow_an_incident_the_facilitator_scheduled():
    ex = Exercise("grid-wiper")
    ex.run("1h")
    ex.submit({"type": "incident", "at": "2d", "params": {
        "id": "INC-F1", "actor": "iron-lantern", "targets": [{"state": "EE", "sector": "energy"}],
        "severity": SEVERITY}})  # fmt: skip
    ex.submit({"type": "invoke", "at": "3d", "params": {"article": "42(7)", "by": "EE"}})


def test_hold_needs_a_later_time():
    """hold makes the clock wait when an inject falls due: on one applied now it would be
    recorded and mean nothing, so it is refused, naming the field; at a later time it holds."""
    ex = Exercise("grid-wiper", interactive=True)
    ex.run(until="1d")
    with pytest.raises(InjectError) as refused:
        ex.submit({"type": "media", "params": {"pressure": 0.5}, "hold": True})
    assert refused.value.field == "hold"
    assert not [e for e in ex.events if e.kind == "input"]
    ex.submit({"type": "media", "params": {"pressure": 0.5}, "hold": True, "at": "2d"})
    while not ex.held and not ex.finished:  # played delegations may be asked first
        for request in list(ex.pending):
            ex.answer(request.state, "support")
        ex.run()
    assert ex.held and ex.now == 48.0
    assert ex.step() == [] and ex.now == 48.0  # stepping, as the console does, waits too


def test_a_state_that_attributes_by_inject_holds_the_confidence_its_attribution_says(ex):
    # A capital that names the actor publicly has, by its own lights, the confidence its
    # threshold asks; it used to keep 0.0 and could abstain on the Union's text a day later.
    before = len(ex.events)
    ex.submit({"type": "attribute", "params": {"states": ["NL"], "actor": "iron-lantern"}})
    (attributed,) = new_events(ex, before, "attributed")
    threshold = ex.roster["NL"].attribution_threshold
    assert ex.world.confidence["NL"]["iron-lantern"] >= threshold
    assert attributed.data["confidence"] >= threshold
    (evidence,) = new_events(ex, before, "evidence")
    assert evidence.data["state"] == "NL" and evidence.data["cause"] == "attribution"
