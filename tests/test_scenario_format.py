"""The scenario format: every bad input gives exactly one located, helpful problem."""

from __future__ import annotations

import importlib
from datetime import datetime

import pytest
import yaml

import scenarios
from scenarios import Problem, ScenarioError, load_path, load_text
from scenarios.vocabulary import parse_duration

load_mod = importlib.import_module("scenarios.load")  # the module, not scenarios.load()

# Line numbers below refer to this text (line 1 is "cdtx: 1").
VALID = """\
cdtx: 1
id: test-wiper
title: Test wiper
summary: A small scenario for tests.
start: 2026-03-06T09:00:00+01:00
horizon: 30d
seed: 7
objectives:
  - id: obj-psc
    text: PSC meets quickly
    metric: t_first_psc
    target: 72h
  - id: obj-measure
    text: A declaration is adopted
    metric: highest_measure
    target: hr_declaration
  - id: obj-cohesion
    text: Delegations stay together
    metric: cohesion
    target: 0.8
member_states:
  EE:
    csirt: 0.9
    ties: {RU: 0.0}
players: [EE, LV]
threat_actors:
  - id: sandworm
    name: Sandworm
    sponsor: RU
    sophistication: 0.8
    resolve: 0.7
incidents:
  - id: wiper
    at: 0
    actor: sandworm
    targets:
      - {state: EE, sector: energy}
      - {state: LV, sector: energy}
    severity:
      scope: 2
      scale: 2
      duration: 1
      intensity: 3
      complexity: 3
      sophistication: 3
      impact: 3
procedure:
  mode: crisis
  psc_extraordinary: 12h
msel:
  - id: m1
    at: 6h
    type: intel
    to: [EE]
    params: {actor: sandworm, confidence: 0.3}
    message: Signals intelligence points at Sandworm.
    objectives: [obj-psc]
  - id: m2
    at: 1d
    type: media
    params: {pressure: 0.5}
  - id: m3
    at: 2d
    type: escalate
    params:
      incident: wiper
      severity: {impact: 1}
  - id: m4
    at: 3d
    type: propose
    params: {measure: hr_declaration, by: EE}
    objectives: [obj-measure]
"""

SHOWN = "exercise.yaml"


def variant(old: str, new: str) -> str:
    assert VALID.count(old) == 1, f"fixture text {old!r} must occur exactly once"
    return VALID.replace(old, new)


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load_text(text, SHOWN)
    return info.value.problems


def one_problem(text: str, line: int | None, column: int | None, *fragments: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, "\n".join(map(str, problems))
    (problem,) = problems
    assert problem.path == SHOWN
    if line is not None:
        assert problem.line == line, str(problem)
    if column is not None:
        assert problem.column == column, str(problem)
    for fragment in fragments:
        assert fragment in problem.message, str(problem)
    assert str(problem).startswith(f"{SHOWN}:{problem.line}:{problem.column}: ")
    return problem


# -- the valid scenario ----------------------------------------------------------------------


def test_valid_scenario_loads():
    scenario = load_text(VALID, SHOWN)
    assert scenario.id == "test-wiper"
    assert scenario.horizon == 720.0
    assert scenario.start.utcoffset() is not None
    assert [inject.type for inject in scenario.msel] == ["intel", "media", "escalate", "propose"]
    assert scenario.incidents[0].severity.impact == 3
    assert scenario.source_text == VALID
    assert scenario.source_path == SHOWN


def test_valid_scenario_loads_from_path(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(VALID, encoding="utf-8")
    assert load_path(path).id == "test-wiper"
    assert scenarios.load(str(path)).id == "test-wiper"


# -- YAML level ------------------------------------------------------------------------------


def test_malformed_yaml():
    one_problem(variant("title: Test wiper", "title: [Test wiper"), 4, 8, "invalid YAML")


def test_duplicate_key():
    one_problem(variant("seed: 7", "seed: 7\nseed: 8"), 8, 1, "duplicate key 'seed'")


def test_python_object_tag_is_refused_and_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = variant(
        "summary: A small scenario for tests.",
        f'summary: !!python/object/apply:os.system ["touch {marker}"]',
    )
    one_problem(text, 4, 10, "!!python/object/apply:os.system", "not allowed")
    assert not marker.exists()


def test_python_name_tag_on_scalar_is_refused():
    text = variant("summary: A small scenario for tests.", "summary: !!python/name:os.system ''")
    one_problem(text, 4, 10, "!!python/name:os.system", "not allowed")


def test_alias_bomb_is_refused_quickly():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(8):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    one_problem("\n".join(lines) + "\n", None, None, "aliases")


def test_empty_file():
    one_problem("", 1, 1, "empty")


def test_comment_only_file_is_empty():
    one_problem("# nothing here\n", 1, 1, "empty")


def test_top_level_list():
    one_problem("- cdtx: 1\n- id: x\n", 1, 1, "top level must be a mapping", "list")


# -- files -----------------------------------------------------------------------------------


def file_problem(path) -> Problem:
    with pytest.raises(ScenarioError) as info:
        load_path(path)
    problems = info.value.problems
    assert len(problems) == 1, problems
    assert problems[0].path == str(path)
    return problems[0]


def test_missing_file(tmp_path):
    assert "no such file" in file_problem(tmp_path / "absent.yaml").message


def test_missing_file_through_load(tmp_path):
    with pytest.raises(ScenarioError) as info:
        scenarios.load(str(tmp_path / "absent.yaml"))
    assert "no such file" in info.value.problems[0].message


def test_directory(tmp_path):
    assert "directory" in file_problem(tmp_path).message


def test_binary_file(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_bytes(b"cdtx: 1\n\x00\x01\x02\xff")
    assert "binary" in file_problem(path).message


def test_not_utf8(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_bytes(b"cdtx: 1\ntitle: caf\xe9\n")
    problem = file_problem(path)
    assert (problem.line, problem.column) == (2, 11)
    assert "UTF-8" in problem.message


def inject_problems(path) -> list[str]:
    from scenarios.load import load_injects

    with pytest.raises(ScenarioError) as info:
        load_injects(path)
    return [str(p) for p in info.value.problems]


def test_inject_entry_that_is_not_a_mapping_is_named_at_its_line(tmp_path):
    path = tmp_path / "injects.yaml"
    path.write_text("- type: media\n  params: {pressure: 0.2}\n\n# later\n- 5\n- [a, b]\n")
    assert inject_problems(path) == [
        f"{path}:5:3: inject 2: expected a mapping with type and params, not 5",
        f"{path}:6:3: inject 3: expected a mapping with type and params, not ['a', 'b']",
    ]


def test_empty_binary_or_misshapen_inject_files_are_called_inject_files(tmp_path):
    path = tmp_path / "injects.yaml"
    path.write_text("# nothing yet\n")
    assert inject_problems(path) == [f"{path}:1:1: file is empty (expected a list of injects)"]
    path.write_bytes(b"- type: media\x00")
    assert inject_problems(path) == [f"{path}:1:14: binary file (a NUL byte), not an inject file"]
    path.write_text("# a mapping, not a list\ntype: media\n")
    assert inject_problems(path) == [
        f"{path}:2:1: expected a list of injects (MSEL entries, each a mapping)"
    ]
    assert inject_problems(tmp_path) == [f"{tmp_path}:1:1: is a directory, not an inject file"]


def test_very_large_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # sparse: cheap to create, never read
        handle.truncate(load_mod.MAX_BYTES + 1)
    problem = file_problem(path)
    assert "too large" in problem.message
    assert "limit" in problem.message


def test_unknown_builtin_id():
    with pytest.raises(scenarios.UnknownScenario) as info:
        scenarios.load("no-such-scenario")
    assert "no built-in scenario" in str(info.value)


# -- types, ranges, keys ---------------------------------------------------------------------


def test_wrong_type():
    one_problem(variant("seed: 7", "seed: seven"), 7, 7, "seed", "integer", "'seven'")


@pytest.mark.parametrize(("by", "problems"), [("LV", 0), ("FR", 1)])
def test_only_a_state_attacked_invokes_mutual_assistance(by, problems):
    text = variant(
        "    type: propose\n    params: {measure: hr_declaration, by: EE}",
        f"    type: invoke\n    params: {{article: 42(7), by: {by}}}",
    )
    if problems:
        one_problem(
            text, 71, 34, "msel[3].params.by", "FR is not a target of any incident (EE, LV)"
        )
    else:
        assert load_text(text, SHOWN).msel[3].params.by == "LV"


def test_wrong_type_list_expected():
    one_problem(variant("to: [EE]", "to: EE"), 54, 9, "msel[0].to", "list")


@pytest.mark.parametrize(
    ("old", "new", "line", "column", "where"),
    [
        ("seed: 7", "seed: true", 7, 7, "seed"),
        (
            "    sophistication: 0.8",
            "    sophistication: yes",
            30,
            21,
            "threat_actors[0].sophistication",
        ),
        ("      scope: 2", "      scope: no", 40, 14, "severity.scope"),
    ],
)
def test_yes_no_true_false_are_not_numbers(old, new, line, column, where):
    # YAML 1.1 reads them as booleans; taken as 1 and 0 they would change a run silently.
    one_problem(variant(old, new), line, column, where, "expected a number, not")


def test_value_out_of_range():
    text = variant("    sophistication: 0.8", "    sophistication: 1.5")
    one_problem(text, 30, 21, "threat_actors[0].sophistication", "less than or equal to 1")


def test_severity_criterion_out_of_range():
    one_problem(variant("      scope: 2", "      scope: 5"), 40, 14, "severity.scope", "4")


def test_format_version():
    one_problem(variant("cdtx: 1", "cdtx: 2"), 1, 7, "cdtx")


def test_missing_required_key():
    one_problem(variant("title: Test wiper\n", ""), 1, 1, "title", "missing")


def test_unknown_key_suggests_the_right_one():
    text = variant("    severity:\n      scope", "    severty:\n      scope")
    one_problem(text, 39, 5, "unknown key 'severty'", "did you mean 'severity'")


def test_unknown_top_level_key_suggests():
    one_problem(variant("summary:", "sumary:"), 4, 1, "unknown key 'sumary'", "'summary'")


def test_unknown_key_is_read_as_written_not_as_yaml11_bool():
    one_problem(variant("seed: 7", "seed: 7\nyes: 1"), 8, 1, "unknown key 'yes'")


def test_sponsor_key_no_is_text():
    scenario = load_text(variant("ties: {RU: 0.0}", "ties: {NO: 0.1}"), SHOWN)
    assert scenario.member_states["EE"].ties == {"NO": 0.1}


# -- state codes -----------------------------------------------------------------------------


def test_unknown_state_in_targets():
    text = variant("{state: LV, sector", "{state: XX, sector")
    one_problem(text, 38, 17, "targets[1].state", "unknown member state code 'XX'")


def test_unknown_state_in_players():
    text = variant("players: [EE, LV]", "players: [EE, UK]")
    one_problem(text, 25, 15, "players[1]", "'UK'")


def test_unknown_state_in_msel_to():
    one_problem(variant("to: [EE]", "to: [EE, EL]"), 54, 14, "msel[0].to[1]", "'EL'")


def test_unknown_state_in_member_states_keys():
    problem = one_problem(variant("  EE:\n    csirt", "  ZZ:\n    csirt"), 22, 3, "'ZZ'")
    assert problem.message.startswith("member_states.ZZ:")


# -- durations and times ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [("3 days", "bad duration '3 days'"), ("5x", "bad duration '5x'"), ("36", "needs a unit")],
)
def test_bad_duration(bad, fragment):
    one_problem(variant("horizon: 30d", f"horizon: {bad}"), 6, 10, "horizon", fragment)


@pytest.mark.parametrize(
    ("text", "hours"),
    [("90m", 1.5), ("36h", 36.0), ("3d", 72.0), ("2w", 336.0), ("1d12h", 36.0), ("0", 0.0)],
)
def test_durations_parse(text, hours):
    assert parse_duration(text) == pytest.approx(hours)


def test_duration_in_a_file_becomes_hours():
    scenario = load_text(variant("horizon: 30d", "horizon: 1w2d"), SHOWN)
    assert scenario.horizon == 216.0


@pytest.mark.parametrize("start", ["2026-03-06T09:00:00", "2026-03-06"])
def test_naive_start_is_refused(start):
    text = variant("start: 2026-03-06T09:00:00+01:00", f"start: {start}")
    one_problem(text, 5, 8, "start", "no timezone", "+01:00")


def test_msel_after_horizon():
    one_problem(variant("at: 3d", "at: 31d"), 69, 9, "msel[3].at", "after the scenario horizon")


# -- references ------------------------------------------------------------------------------


def test_dangling_incident_actor():
    text = variant("    actor: sandworm", "    actor: fancybear")
    one_problem(text, 35, 12, "incidents[0].actor", "unknown threat actor 'fancybear'", "sandworm")


def test_dangling_msel_objective():
    text = variant("objectives: [obj-psc]", "objectives: [obj-pcs]")
    one_problem(text, 57, 18, "msel[0].objectives[0]", "unknown objective 'obj-pcs'")


def test_dangling_escalate_incident():
    text = variant("incident: wiper", "incident: wipe")
    one_problem(text, 66, 17, "msel[2].params.incident", "unknown incident 'wipe'")


def test_duplicate_ids():
    one_problem(variant("id: m2", "id: m1"), 58, 9, "msel[1].id", "duplicate id 'm1'")


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("target: 72h", "target: 72", 12, "duration"),
        ("target: hr_declaration", "target: nuke", 16, "measure id"),
        ("target: 0.8", "target: high", 20, "number"),
    ],
)
def test_objective_target_rules(old, new, line, fragment):
    one_problem(variant(old, new), line, 13, "target", fragment)


# -- inject params ---------------------------------------------------------------------------


def test_intel_with_pressure():
    text = variant(
        "{actor: sandworm, confidence: 0.3}", "{actor: sandworm, confidence: 0.3, pressure: 1}"
    )
    one_problem(text, 55, 48, "unknown key 'pressure'", "actor, confidence")


def test_media_pressure_out_of_range():
    text = variant("{pressure: 0.5}", "{pressure: 2.0}")
    one_problem(text, 61, 24, "msel[1].params.pressure", "less than or equal to 1")


def test_position_with_bad_stance():
    text = variant(
        "    type: media\n    params: {pressure: 0.5}",
        "    type: position\n    params: {state: EE, measure: listing, stance: maybe}",
    )
    one_problem(text, 61, 51, "params.stance", "'maybe'", "constructive_abstention")


def test_propose_unknown_measure():
    text = variant("measure: hr_declaration, by: EE", "measure: nuke, by: EE")
    one_problem(text, 71, 23, "params.measure", "'nuke'", "listing")


def test_unknown_inject_type():
    one_problem(variant("type: media", "type: tweet"), 60, 11, "unknown inject type 'tweet'")


def test_params_of_wrong_shape():
    text = variant("params: {pressure: 0.5}", "params: 0.5")
    one_problem(text, 61, 13, "msel[1].params")


# -- many problems at once -------------------------------------------------------------------


def test_every_problem_is_reported():
    text = (
        VALID.replace("seed: 7", "seed: -1")
        .replace("summary:", "sumary:")
        .replace("    actor: sandworm", "    actor: fancybear")
        .replace("{pressure: 0.5}", "{pressure: 2.0}")
    )
    problems = problems_of(text)
    assert [(p.line, p.column) for p in problems] == [(4, 1), (7, 7), (35, 12), (61, 24)]
    rendered = str(ScenarioError(problems)).splitlines()
    assert rendered[0].startswith(f"{SHOWN}:4:1: ")
    assert len(rendered) == 4


# -- JSON Schema -----------------------------------------------------------------------------


def _as_json(value):
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def test_json_schema_is_valid_and_matches_the_loader():
    jsonschema = pytest.importorskip("jsonschema")
    schema = scenarios.json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    data = _as_json(yaml.safe_load(VALID))
    assert list(validator.iter_errors(data)) == []
    data["severty"] = 1
    errors = list(validator.iter_errors(data))
    assert len(errors) == 1 and "severty" in errors[0].message


def test_json_schema_rejects_bad_duration_and_state():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(scenarios.json_schema())
    data = _as_json(yaml.safe_load(VALID))
    data["horizon"] = "3 days"
    data["players"] = ["UK"]
    assert len(list(validator.iter_errors(data))) == 2


def test_the_documented_example_loads():
    import re
    from pathlib import Path

    doc = Path(__file__).resolve().parents[1] / "docs" / "scenario-format.md"
    text = doc.read_text(encoding="utf-8")
    example = re.search(r"## A full annotated example\n\n```yaml\n(.*?)```", text, re.S)
    assert example, "the annotated example is missing"
    scenario = load_text(example.group(1), "docs/scenario-format.md")
    assert {inject.type for inject in scenario.msel} >= {"intel", "media", "escalate", "propose"}
