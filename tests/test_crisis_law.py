"""The crisis track against the law it models (docs/model.md, *The crisis track*), and hostile
input to it: Art. 222 TFEU activates IPCR in full mode whatever the Presidency had decided
(Council Decision 2014/415/EU, Art. 5(2); Implementing Decision (EU) 2018/1993), Art. 42(7) TEU
does not; the Reserve supports states the incident hits (Regulation (EU) 2025/38); a
``large_scale_incident`` block and the crisis injects refuse bad values naming the place."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from inprocess import cdtx

import scenarios
from scenarios.errors import CdtxError
from sim import Exercise, InjectError

BALTIC = Path(scenarios.__file__).parent / "builtin" / "baltic-blackout.yaml"


def _ipcr(ex: Exercise) -> list:
    return [e for e in ex.events if e.kind == "ipcr"]


def _baltic(tmp_path: Path, block: str, name: str = "s.yaml") -> Path:
    """baltic-blackout with its large_scale_incident block replaced by ``block``."""
    text = BALTIC.read_text()
    text = re.sub(r"large_scale_incident:\n(  .*\n)+", f"large_scale_incident:\n{block}\n", text)
    path = tmp_path / name
    path.write_text(text)
    return path


def _invoke(ex: Exercise, article: str, by: str = "LT") -> float:
    at = ex.now
    ex.submit({"id": "INV-" + article.replace("(", "").replace(")", ""), "type": "invoke", "at": at,
               "params": {"article": article, "by": by}})  # fmt: skip
    ex.run(until=at + 1)
    return at


def test_art_222_activates_ipcr_in_full_before_the_presidency_has(tmp_path):
    """2014/415 Art. 5(2): the Presidency activates IPCR at once, "if not already activated"."""
    ex = Exercise(scenarios.load("baltic-blackout"), seed=1)
    ex.run(until=30)
    assert not _ipcr(ex)  # the Presidency has not decided yet (after about 3.3 days)
    at = _invoke(ex, "222")
    first = _ipcr(ex)[0]
    assert (first.t, first.data["mode"], first.data["previous"]) == (at, "full", "none")
    assert first.data["by"] == "presidency" and "Art. 222" in first.data["reason"]


@pytest.mark.parametrize("setting", ["none", "monitoring"])
def test_art_222_activates_ipcr_whatever_the_block_set(tmp_path, setting):
    ex = Exercise(scenarios.load(_baltic(tmp_path, f"  ipcr: {setting}")), seed=1)
    ex.run(until=30)
    _invoke(ex, "222")
    assert _ipcr(ex)[-1].data["mode"] == "full"


def test_art_222_reactivates_a_deactivated_ipcr():
    ex = Exercise(scenarios.load("baltic-blackout"), seed=1)
    ex.run(until=10)
    ex.submit({"id": "ON", "type": "ipcr", "at": ex.now, "params": {"mode": "monitoring"}})
    ex.submit({"id": "OFF", "type": "ipcr", "at": ex.now, "params": {"mode": "deactivated"}})
    ex.run(until=30)
    _invoke(ex, "222")
    modes = [e.data["mode"] for e in _ipcr(ex)]
    assert modes[-2:] == ["deactivated", "full"]


def test_art_42_7_does_not_activate_ipcr():
    """Mutual assistance is intergovernmental (the other states' aid), not the Union's crisis
    response: the Presidency's IPCR decision stays its own."""
    plain = Exercise(scenarios.load("baltic-blackout"), seed=1).run()
    ex = Exercise(scenarios.load("baltic-blackout"), seed=1)
    ex.run(until=30)
    _invoke(ex, "42(7)")
    ex.run()
    assert [(e.t, e.data["mode"]) for e in _ipcr(ex)] == [
        (e.t, e.data["mode"]) for e in _ipcr(plain)
    ]


def test_reserve_for_a_state_not_hit_says_who_the_reserve_supports():
    ex = Exercise(scenarios.load("baltic-blackout"), seed=1)
    ex.run(until=48)
    with pytest.raises(InjectError, match="the Reserve supports a state whose entities") as info:
        ex.submit({"id": "R", "type": "reserve", "at": ex.now, "params": {"state": "FR"}})
    assert "invokes" not in str(info.value)


def test_reserve_in_a_file_for_a_state_no_incident_targets(tmp_path):
    text = BALTIC.read_text().replace("params: {state: LV, action: request}",
                                      "params: {state: FR, action: request}")  # fmt: skip
    (tmp_path / "r.yaml").write_text(text)
    with pytest.raises(CdtxError, match=r"r\.yaml:\d+:\d+: msel\[\d+\]\.params\.state: FR is not a "
                       "target of any incident .*the Reserve supports"):  # fmt: skip
        scenarios.load(tmp_path / "r.yaml")


@pytest.mark.parametrize(
    ("block", "needle"),
    [
        (
            "  technical_report: 0h",
            "large_scale_incident.technical_report: a median delay must be above zero",
        ),
        (
            "  cyclone_notice: 0",
            "large_scale_incident.cyclone_notice: a median delay must be above zero",
        ),
        (
            "  incidents: [BLK-1, BLK-1]",
            "large_scale_incident.incidents[1]: incident 'BLK-1' is named twice",
        ),
        ("  incidents: [NOPE]", "unknown incident 'NOPE'"),
        ("  ipcr: turbo", "large_scale_incident.ipcr"),
        ("  presidency: US", "large_scale_incident.presidency: unknown member state code 'US'"),
        (
            "  operational_assessment: -3h",
            "large_scale_incident.operational_assessment: bad duration",
        ),
    ],
)
def test_large_scale_incident_refusals_name_line_and_column(tmp_path, block, needle):
    path = _baltic(tmp_path, block)
    with pytest.raises(CdtxError) as info:
        scenarios.load(path)
    message = str(info.value)
    assert re.search(r"s\.yaml:\d+:\d+: ", message) and needle in message, message
    result = cdtx("run", str(path))  # in this process (tests/inprocess.py)
    assert result.returncode == 1 and "Traceback" not in result.stderr and needle in result.stderr


@pytest.mark.parametrize(
    ("inject", "field"),
    [
        ({"type": "csirts_report", "params": {"confidence": 1.5}}, "params.confidence"),
        ({"type": "csirts_report", "params": {"confidence": "high"}}, "params.confidence"),
        ({"type": "csirts_report", "params": {"confidence": float("nan")}}, "params.confidence"),
        ({"type": "cyclone", "params": {"level": "ministers"}}, "params.level"),
        ({"type": "ipcr", "params": {"mode": "turbo"}}, "params.mode"),
        ({"type": "ipcr", "params": {}}, "params.mode"),
        ({"type": "reserve", "params": {"state": "XX"}}, "params.state"),
        ({"type": "reserve", "params": {"state": "LT", "action": "steal"}}, "params.action"),
        ({"type": "agency", "params": {"state": "US", "contribution": "full"}}, "params.state"),
        (
            {"type": "agency", "params": {"state": "DE", "contribution": "some"}},
            "params.contribution",
        ),
    ],
)
def test_crisis_injects_with_bad_params_live_and_in_files(tmp_path, inject, field):
    ex = Exercise(scenarios.load("baltic-blackout"), seed=1)
    ex.run(until=48)
    before = len(ex.events)
    with pytest.raises(InjectError) as info:
        ex.submit({"id": "BAD", "at": ex.now, **inject})
    assert info.value.field == field and len(ex.events) == before  # nothing recorded
    assert "less than" not in str(info.value) or inject["params"].get("confidence") == 1.5
    entry = {"id": "BAD", "at": "2d", "message": "m", **inject}  # JSON is YAML: one flow line
    text = BALTIC.read_text().replace("msel:\n", f"msel:\n  - {json.dumps(entry)}\n", 1)
    (tmp_path / "i.yaml").write_text(text)
    with pytest.raises(CdtxError, match=rf"i\.yaml:\d+:\d+: msel\[0\]\.{re.escape(field)}"):
        scenarios.load(tmp_path / "i.yaml")


def test_deactivating_an_ipcr_that_is_not_active_ends_nothing(tmp_path):
    """2018/1993: the Presidency deactivates an activation. Live, it is refused; scripted, it
    is a no-op (no track opened, no IPCR event)."""
    ex = Exercise(scenarios.load("grid-wiper"), seed=1)
    ex.run(until=5)
    with pytest.raises(InjectError, match="IPCR is not active: there is nothing to deactivate"):
        ex.submit({"id": "OFF", "type": "ipcr", "at": ex.now, "params": {"mode": "deactivated"}})
    ex.submit({"id": "LATER", "type": "ipcr", "at": ex.now + 1, "params": {"mode": "deactivated"}})
    ex.run(until=ex.now + 2)
    assert not _ipcr(ex) and ex.crisis is None
    ex.submit({"id": "ON", "type": "ipcr", "at": ex.now, "params": {"mode": "monitoring"}})
    ex.submit({"id": "OFF2", "type": "ipcr", "at": ex.now, "params": {"mode": "deactivated"}})
    assert [e.data["mode"] for e in _ipcr(ex)] == ["monitoring", "deactivated"]
