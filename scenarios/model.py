"""The scenario format, version 1, as a typed model (docs/scenario-format.md).

Every model forbids unknown keys, so a typo is an error rather than a silently ignored setting.
Durations are stored as hours (float); ``start`` is a timezone-aware datetime.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    WithJsonSchema,
    create_model,
    model_serializer,
    model_validator,
)

from .errors import shown_value
from .vocabulary import (
    ADVERSARY_ACTIONS,
    ARTICLES,
    BODIES,
    CONTRIBUTIONS,
    DECISION_RULES,
    DURATION_PATTERN,
    EU27,
    IPCR_MODES,
    MEASURES,
    METRICS,
    NAMING_LEVELS,
    STANCES,
    format_duration,
    parse_duration,
)


def _duration(value: Any) -> float:
    if isinstance(value, float) and not math.isfinite(value):  # YAML's .inf, .nan
        raise ValueError(f"expected a duration such as '90m', '36h', '3d' or '2w', got {value}")
    if isinstance(value, float):
        raise ValueError(f"a duration needs a unit, e.g. '{value}h' (got {value})")
    return parse_duration(value)


Duration = Annotated[
    float,
    BeforeValidator(_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": DURATION_PATTERN}, {"const": 0}],
            "description": "A duration: a number and a unit m, h, d or w (e.g. 90m, 36h, 3d, 2w).",
        }
    ),
]


#: The years a scenario may start in: its calendar is kept in Brussels time up to 100 years on
#: (vocabulary.MAX_HOURS), which Python's dates hold only before the year 10000 (and after the
#: year 1, once the offset is taken off).
START_YEARS = (1900, 2899)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{value.isoformat()} has no timezone: write the offset, e.g. "
            "2026-03-06T09:00:00+01:00 (Brussels winter time) or 2026-03-06T08:00:00Z"
        )
    if not START_YEARS[0] <= value.year <= START_YEARS[1]:
        raise ValueError(
            f"{value.isoformat()}: a scenario starts in a year from {START_YEARS[0]} to "
            f"{START_YEARS[1]} (its calendar runs up to 100 years on)"
        )
    return value


AwareStart = Annotated[datetime, AfterValidator(_aware)]


def _above_zero(hours: float) -> float:
    if hours <= 0:
        raise ValueError("a median delay must be above zero (e.g. 30m, 12h); leave the key out "
                         "for the model's default")  # fmt: skip
    return hours


#: A median delay of the crisis track: a duration above zero (every delay is the median times a
#: log-normal factor, so a zero median would make the whole level instantaneous).
Median = Annotated[Duration, AfterValidator(_above_zero)]


def _state_code(value: str) -> str:
    if value not in EU27:
        raise ValueError(f"unknown member state code {value!r} (expected one of {', '.join(EU27)})")
    return value


StateCode = Annotated[
    str,
    AfterValidator(_state_code),
    WithJsonSchema({"type": "string", "enum": list(EU27), "description": "An EU-27 state code."}),
]


def is_state_code(metadata: Any) -> bool:
    """Whether a field's metadata (or an ``Annotated`` type's) makes it a :data:`StateCode`."""
    metadata = getattr(metadata, "__metadata__", metadata)
    if not isinstance(metadata, (tuple, list)):
        return False  # a plain type (e.g. NoneType in an optional field) carries no metadata
    return any(getattr(m, "func", None) is _state_code for m in metadata)


def _outsider(value: str) -> str:
    if value in EU27:
        raise ValueError(
            f"{value} is a member state: partners and third parties are outside the Union"
        )
    return value


#: A partner of the Union or a victim outside it: a third state (UK, US, UA) or an international
#: organisation (NATO, OPCW), in capitals.
OutsiderCode = Annotated[
    str,
    Field(
        pattern=r"^[A-Z][A-Z0-9]{1,7}$",
        description="A third state or international "
        "organisation, e.g. UK, US, UA, NATO, OPCW (not a member state).",
    ),  # fmt: skip
    AfterValidator(_outsider),
]
SponsorCode = Annotated[
    str,
    Field(pattern=r"^[A-Z]{2}$", description="Two-letter code of a (possible) sponsoring state."),
]
Identifier = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64, description="An identifier."),
]
MeasureId = Literal[MEASURES]  # type: ignore[valid-type]


@dataclass(frozen=True)
class Ref:
    """Marks an inject parameter that refers to something else in the exercise; the file check
    (scenarios/references.py) and the engine (``Exercise.submit``) check every marked field.

    ``kind``: ``actor`` (a threat actor id), ``incident`` (an existing incident),
    ``new_incident`` (an incident id not used yet), ``victim`` (a state some incident hits).
    """

    kind: Literal["actor", "incident", "new_incident", "victim"]


@dataclass(frozen=True)
class Form:
    """How the console's inject form shows a parameter (tui/screens/inject.py derives the rest
    from the field's type): its label, the text it starts with, a placeholder; ``hidden`` leaves
    the field out of the form. Ignored by validation and the JSON Schema."""

    label: str = ""
    default: str | None = None
    placeholder: str = ""
    hidden: bool = False


ActorRef = Annotated[Identifier, Ref("actor"), Form("Threat actor")]


def _not_bool(value: Any) -> Any:
    # YAML reads yes/no/true/false as booleans, and pydantic would take them as 1 and 0.
    if isinstance(value, bool):
        raise ValueError(f"expected a number, not {str(value).lower()}")
    return value


NotBool = BeforeValidator(_not_bool)
Unit = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False), NotBool]
Signed = Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False), NotBool]
Criterion = Annotated[int, Field(ge=0, le=4), NotBool]
CriterionDelta = Annotated[int, Field(ge=-4, le=4), NotBool]


#: At most this many entries in a scenario's ``model:`` block: the model has fewer than a hundred
#: constants (``cdtx model``), so a longer block is a mistake (or a hostile file), refused in one
#: line rather than one problem per entry.
MAX_MODEL_ENTRIES = 500
#: How a model constant is named in a scenario's ``model:`` block: ``listing_veto_at`` (the
#: registry, sim/constants.py, calls it ``model.listing_veto_at``: the block's dotted path).
CONSTANT_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


def _constant_name(value: Any) -> str:
    name = str(value)
    if name.startswith("model."):
        raise ValueError(f"write the constant's name without 'model.': {name[len('model.') :]!r}")
    if len(name) > 64 or not re.fullmatch(CONSTANT_NAME_PATTERN, name):
        lower = name.lower()
        hint = (f" (names are in lower case: {lower!r})"
                if re.fullmatch(CONSTANT_NAME_PATTERN, lower) and len(lower) <= 64 else "")  # fmt: skip
        raise ValueError(f"{shown_value(name)} is not a model constant's name{hint}; `cdtx model` "
                         "lists them")  # fmt: skip
    return name


def _constant_value(value: Any) -> int | float:
    # The shape only (a finite number); the name and the range are the registry's to check
    # (sim/constants.py), when an exercise is built or `cdtx validate` reads the file.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        extra = " (leave the line out for the model's default)" if value is None else ""
        if isinstance(value, str) and re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)[eE][-+]?\d+", value.strip()):
            # YAML 1.1 reads 1e3 as text: a float needs its dot and exponent sign
            extra = " (YAML reads it as text: write the number out, or as 1.0e+3)"
        raise ValueError(f"a model constant takes a number, not {shown_value(value)}{extra}")
    if not math.isfinite(value):
        raise ValueError(f"a model constant takes a finite number, not {value}")
    return value


def _model_block(value: Any) -> Any:
    if value is None:  # `model:` with every line under it commented out
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(
            "a mapping of model constants to numbers, e.g. {listing_veto_at: -0.6}, not "
            + ("a list" if isinstance(value, list) else shown_value(value))
        )
    if len(value) > MAX_MODEL_ENTRIES:
        raise ValueError(f"{len(value)} entries: the model has far fewer constants (at most "
                         f"{MAX_MODEL_ENTRIES} entries; `cdtx model` lists them)")  # fmt: skip
    return value


ConstantName = Annotated[
    str,
    PlainValidator(_constant_name),
    WithJsonSchema({"type": "string", "pattern": CONSTANT_NAME_PATTERN, "maxLength": 64}),
]
ConstantValue = Annotated[
    int | float, PlainValidator(_constant_value), WithJsonSchema({"type": "number"})
]
#: A scenario's ``model:`` block: model constants (by name) set for every run of the scenario.
ModelBlock = Annotated[
    dict[ConstantName, ConstantValue],
    BeforeValidator(_model_block),
    WithJsonSchema({
        "anyOf": [
            {"type": "object", "maxProperties": MAX_MODEL_ENTRIES,
             "propertyNames": {"pattern": CONSTANT_NAME_PATTERN, "maxLength": 64},
             "additionalProperties": {"type": "number"}},
            {"type": "null"},
        ],
        "description": "Model constants set for every run of this scenario, by name (e.g. "
        "listing_veto_at: -0.6); `cdtx model` lists them with their defaults and ranges. A run's "
        "own (cdtx run --model, a sweep's vary) override these name by name.",
    }),
]  # fmt: skip


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Objective(Model):
    """A learning objective measured against one metric of the run."""

    id: Identifier
    text: str = Field(min_length=1)
    metric: Literal[METRICS]  # type: ignore[valid-type]
    target: Annotated[str | float | int, NotBool] = Field(
        description="A duration for t_* metrics (met when the time is at most this), a measure id "
        "for highest_measure, a number otherwise."
    )
    settled: str = Field(
        "",
        description="Why the model alone meets (or misses) this objective in (nearly) every run, "
        "if it does: what the MSEL scripts, and what the people at the table can still change. "
        "Empty for an objective the run decides.",
    )


class StateOverride(Model):
    """Per-state changes applied on top of the built-in EU-27 roster."""

    csirt: Unit | None = Field(None, description="CSIRT (detection) capability, 0..1.")
    intel: Unit | None = Field(None, description="Intelligence (attribution) capability, 0..1.")
    sharing: Unit | None = Field(None, description="Propensity to share information, 0..1.")
    stance: Signed | None = Field(None, description="General stance on responding, -1..1.")
    susceptibility: Unit | None = Field(None, description="Susceptibility to peers, 0..1.")
    attribution_threshold: Unit | None = Field(
        None, description="Confidence needed before it attributes publicly, 0..1."
    )
    ties: dict[SponsorCode, Unit] | None = Field(
        None, description="Ties to possible sponsors (sponsor code -> 0..1); merged key by key."
    )


class Partner(Model):
    """A partner of the Union (third state or organisation) that attributes on its own evidence
    and will, and joins coordinated attributions (docs/model.md, *Attribution*)."""

    id: OutsiderCode
    name: str = Field(min_length=1)
    intel: Unit = Field(0.8, description="Intelligence (attribution) capability, 0..1.")
    attribution_threshold: Unit = Field(
        0.7, description="Confidence it needs before attributing publicly, 0..1."
    )
    stance: Signed = Field(0.6, description="Readiness to name an attacker, -1..1.")
    releasable: Unit = Field(
        0.5,
        description="Share of its evidence the originator releases for the Union's use "
        "(INTCEN's assessment, an evidence package), 0..1.",
    )


class ThreatActor(Model):
    id: Identifier
    name: str = Field(min_length=1)
    sponsor: SponsorCode | None = None
    sophistication: Unit = 0.5
    resolve: Unit = 0.5


class Severity(Model):
    """The seven criteria of the 2017 Conclusions, each scored 0-4."""

    scope: Criterion
    scale: Criterion
    duration: Criterion
    intensity: Criterion
    complexity: Criterion
    sophistication: Criterion
    impact: Criterion


class SeverityChange(Model):
    scope: CriterionDelta = 0
    scale: CriterionDelta = 0
    duration: CriterionDelta = 0
    intensity: CriterionDelta = 0
    complexity: CriterionDelta = 0
    sophistication: CriterionDelta = 0
    impact: CriterionDelta = 0


class Target(Model):
    """A member state hit in a sector, or (``third_party``) a victim outside the Union: a third
    state or an international organisation (Decision (CFSP) 2019/797 covers both)."""

    state: StateCode | None = None
    third_party: OutsiderCode | None = Field(
        None, description="A victim outside the Union (third state or organisation), e.g. UA."
    )
    sector: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_victim(self) -> Target:
        if (self.state is None) == (self.third_party is None):
            raise ValueError("a target has either a state (a member state) or a third_party")
        return self

    @property
    def victim(self) -> str:
        """The code of whoever is hit, member state or third party."""
        return self.state or self.third_party or ""


class Incident(Model):
    id: Annotated[Identifier, Ref("new_incident"), Form("Incident id")]
    at: Annotated[Duration, Form(hidden=True)] = 0.0
    actor: ActorRef
    targets: Annotated[list[Target], Form("Targets", placeholder="EE:energy, LV:finance")] = Field(
        min_length=1
    )
    severity: Annotated[
        Severity,
        Form(
            "Severity 0-4: a level for all criteria, then criterion=level",
            default="2",
            placeholder="2, impact=4",
        ),
    ]
    description: Annotated[str, Form("Description")] = ""


class Procedure(Model):
    """Timing overrides. Any timing left out takes the default of the chosen mode (docs/model.md)."""

    mode: Literal["calendar", "crisis"] = "calendar"
    detection_fast: Duration | None = Field(
        None, description="Median detection delay of a crude attack at a fully capable CSIRT."
    )
    detection_slow: Duration | None = Field(
        None, description="Median detection delay of the most sophisticated campaign."
    )
    csirts_share: Duration | None = Field(None, description="Sharing over the CSIRTs Network.")
    intcen_report: Duration | None = Field(None, description="A national report to EU INTCEN.")
    intcen_assessment: Duration | None = Field(None, description="INTCEN/SIAC assessment.")
    attribution_evidence: Duration | None = Field(
        None, description="Mean time for a capable service to gather conclusive evidence."
    )
    initiation: Duration | None = Field(None, description="From awareness to a proposal.")
    hwpci_package: Duration | None = Field(None, description="Evidence package for a listing.")
    text_drafting: Duration | None = Field(
        None, description="EEAS drafting of a declaration or conclusions before HWPCI reads it."
    )
    psc_extraordinary: Duration | None = Field(None, description="Notice for an extraordinary PSC.")
    silence_procedure: Duration | None = Field(
        None, description="Silence procedure (HR declaration)."
    )
    relex_drafting: Duration | None = Field(None, description="RELEX drafting of listing acts.")
    coreper_preparation: Duration | None = Field(
        None, description="Listing acts agreed in RELEX until COREPER can take them."
    )
    written_procedure: Duration | None = Field(None, description="Council written procedure.")
    extraordinary_meetings: bool | None = Field(
        None, description="Whether bodies meet in extraordinary session on request."
    )
    deliberation_rounds: Annotated[int, Field(ge=0, le=50), NotBool] | None = Field(
        None, description="Rounds per meeting."
    )
    instruction_spread: Unit | None = Field(
        None,
        description="Spread of each delegation's per-run instructions around its profile "
        "(stance and ties); 0 pins every delegation to its profile.",
    )
    coordinated_attribution: bool | None = Field(
        None,
        description="Capitals and partners hold their attributions for a date agreed together: "
        "the day of their joint attribution in the MSEL, or else the day the Union's declaration "
        "or conclusions are adopted (Viasat, 10 May 2022).",
    )
    attribution_wait: Duration | None = Field(
        None,
        description="How long an initiative for a declaration or conclusions waits for a "
        "national or partner attribution before it weighs a text that names no one.",
    )
    listing_preparation: Duration | None = Field(
        None,
        description="From a campaign's start until a capital has a listing file to bring (the "
        "model's own initiative; a propose inject is not held to it).",
    )


class LargeScaleIncident(Model):
    """The crisis track of a large-scale cybersecurity incident (the 2025 Cyber Blueprint, Council
    Recommendation C/2025/3445): the CSIRTs Network (technical), EU-CyCLONe (operational) and the
    Presidency's IPCR with the Commission's and the EEAS's ISAA reports (political) run beside the
    Toolbox, and victims may ask for the EU Cybersecurity Reserve (Regulation (EU) 2025/38).
    Durations left out take the model's defaults (docs/model.md, *The crisis track*)."""

    incidents: list[Identifier] = Field(
        default_factory=list,
        description="The incidents that make the large-scale incident (ids under incidents); "
        "empty: every incident of the scenario.",
    )
    ipcr: Literal[("auto", "none", *IPCR_MODES)] = Field(  # type: ignore[valid-type]
        "auto",
        description="The IPCR mode the Presidency activates once it has EU-CyCLONe's operational "
        "assessment: monitoring, information_sharing or full; auto: by the incident's severity; "
        "none: the Presidency does not activate IPCR (an ipcr inject still can).",
    )
    presidency: StateCode | None = Field(
        None, description="The member state holding the Council Presidency (who activates IPCR)."
    )
    reserve: bool = Field(
        True,
        description="Victims whose CSIRTs are overwhelmed ask for the EU Cybersecurity Reserve "
        "under the Cyber Emergency Mechanism.",
    )
    technical_report: Median | None = Field(
        None, description="Median time from the first detection to the CSIRTs Network's report."
    )
    cyclone_notice: Median | None = Field(
        None, description="Median notice from the first technical report to a CyCLONe meeting."
    )
    operational_assessment: Median | None = Field(
        None, description="Median time from a CyCLONe meeting to its operational assessment."
    )
    ipcr_decision: Median | None = Field(
        None,
        description="Median time from the political level having the operational assessment "
        "to the Presidency's IPCR activation.",
    )
    isaa_first: Median | None = Field(
        None, description="Median time from IPCR activation to the first ISAA report (full mode)."
    )


# -- injects ---------------------------------------------------------------------------------
# Each inject type is declared once, below: its params model and an InjectType entry. The
# inject classes, the discriminated union, PARAMS_BY_TYPE and INJECT_TYPES derive from it; the
# engine registers its effect and narrative line in sim/stages/injects.py (docs/engine-api.md).


class EscalateParams(Model):
    incident: Annotated[Identifier, Ref("incident"), Form("Incident")]
    severity: Annotated[
        SeverityChange,
        Form("Severity change", default="impact=1", placeholder="impact=1, scale=1"),
    ]


class IntelParams(Model):
    actor: ActorRef
    confidence: Annotated[Signed, Form("Confidence change -1..1", default="0.2")]


class AttributeParams(Model):
    states: Annotated[list[StateCode], Form("States attributing", placeholder="EE, LT")] = Field(
        default_factory=list
    )
    partners: Annotated[list[OutsiderCode], Form("Partners attributing", placeholder="UK, US")] = (
        Field(default_factory=list, description="Partners (UK, US, NATO...) attributing with them.")
    )
    actor: ActorRef

    @model_validator(mode="after")
    def _someone(self) -> AttributeParams:
        if not self.states and not self.partners:
            raise ValueError("an attribution needs at least one of states or partners")
        return self


class MediaParams(Model):
    pressure: Annotated[Unit, Form("Pressure 0..1", default="0.5")]


class PositionParams(Model):
    state: Annotated[StateCode, Form("State", placeholder="DE")]
    measure: Annotated[MeasureId, Form("Measure", default="hr_declaration")]
    stance: Annotated[Literal[STANCES], Form("Stance", default="support")]  # type: ignore[valid-type]


class MeetingParams(Model):
    body: Annotated[Literal[BODIES], Form("Body", default="psc")]  # type: ignore[valid-type]
    extraordinary: Annotated[bool, Form("Extraordinary", default="yes")] = False


class ProposeParams(Model):
    measure: Annotated[MeasureId, Form("Measure", default="hr_declaration")]
    by: Annotated[
        StateCode | Literal["hr"],
        Form("Proposed by", default="hr", placeholder="hr or a state code"),
    ]
    naming: Annotated[
        Literal[NAMING_LEVELS] | None,  # type: ignore[valid-type]
        Form("Naming: none, territory or state", placeholder="empty: the model drafts it"),
    ] = Field(
        None,
        description="How the text names the perpetrator (declarations and conclusions). Given, "
        "it is used as written, even before any attribution; left out, the model drafts it.",
    )


class InvokeParams(Model):
    article: Annotated[Literal[tuple(ARTICLES)], Form("Article")]  # type: ignore[valid-type]
    by: Annotated[StateCode, Ref("victim"), Form("Invoked by", placeholder="state code")]


class AdversaryParams(Model):
    action: Annotated[Literal[ADVERSARY_ACTIONS], Form("Action")]  # type: ignore[valid-type]


class NoteParams(Model):
    text: Annotated[str, Form("Text")] = Field(min_length=1)


class CsirtsReportParams(Model):
    confidence: Annotated[Unit, Form("Confidence 0..1", default="0.6")] = Field(
        0.6, description="How sure the CSIRTs Network is of its technical picture, 0..1."
    )


class CycloneParams(Model):
    level: Annotated[Literal["officers", "executives"], Form("Level", default="officers")] = Field(
        "officers",
        description="CyCLONe Officers (the operational meeting) or Executives (the heads of the "
        "national cyber crisis agencies).",
    )


class IpcrParams(Model):
    mode: Annotated[
        Literal[(*IPCR_MODES, "deactivated")],  # type: ignore[valid-type]
        Form("Mode", default="full"),
    ]


class ReserveParams(Model):
    state: Annotated[StateCode, Ref("victim"), Form("State", placeholder="state code")]
    action: Annotated[Literal["request", "deploy"], Form("Action", default="deploy")] = Field(
        "deploy",
        description="request: the state asks for the Reserve; deploy: the Commission grants it "
        "and the Reserve's providers deploy now (a request is made first if none was).",
    )


class AgencyParams(Model):
    state: Annotated[StateCode, Form("State", placeholder="DE")]
    contribution: Annotated[
        Literal[CONTRIBUTIONS], Form("Contribution", default="full")  # type: ignore[valid-type]
    ]


class InjectBase(Model):
    """One MSEL entry (HSEEP Master Scenario Events List row)."""

    id: Identifier
    at: Duration
    to: list[StateCode] = Field(default_factory=list)
    message: str = ""
    expected_action: str | dict[StateCode, str] = Field(
        "",
        description="What the evaluators expect the addressees to do: one text for every "
        "addressee, or a mapping state code -> text (each state among `to` when `to` is given).",
    )
    objectives: list[Identifier] = Field(default_factory=list)
    from_: str = Field("", alias="from", description="Who the inject comes from (HSEEP 'from').")
    delivery: str = Field("", description="Delivery method (HSEEP).")
    controller: str = Field("", description="Responsible controller (HSEEP).")
    notes: str = Field("", description="Controller notes (HSEEP).")
    hold: bool = Field(
        False,
        description="The clock waits at this entry until the facilitator releases it (a headless "
        "run releases it at once and says so).",
    )

    if TYPE_CHECKING:  # set by each generated subclass (INJECT_CLASSES)
        type: str
        params: Any

    @model_validator(mode="after")
    def _expected_to_addressees(self) -> InjectBase:
        if isinstance(self.expected_action, dict) and self.to:
            stray = [code for code in self.expected_action if code not in self.to]
            if stray:
                raise ValueError(
                    f"expected_action: {', '.join(stray)} not among the addressees (to: "
                    f"{', '.join(self.to)})"
                )
        return self

    def expected_of(self, state: str) -> str:
        """What is expected of ``state``'s delegation (empty: nothing, or not addressed)."""
        return expected_of(self.expected_action, state)


def expected_of(expected: str | Mapping[str, str] | None, state: str) -> str:
    """What an ``expected_action`` (one text, or a mapping per state) expects of ``state``."""
    if isinstance(expected, Mapping):
        return str(expected.get(state, ""))
    return expected or ""


def expected_text(expected: str | Mapping[str, str] | None) -> str:
    """An ``expected_action`` as one line: the text, or ``DE: ...; PL: ...`` for a mapping."""
    if isinstance(expected, Mapping):
        return "; ".join(f"{code}: {text}" for code, text in expected.items())
    return expected or ""


def parse_expected(text: str) -> str | dict[str, str]:
    """The inverse of :func:`expected_text` (a form field, a workbook cell): a mapping when
    every ``;``-separated part starts with a member state code and a colon, else the text."""
    parts = [part.strip() for part in text.split(";") if part.strip()]
    mapping: dict[str, str] = {}
    for part in parts:
        code, colon, rest = part.partition(":")
        if not colon or code.strip() not in EU27 or not rest.strip():
            return text.strip()
        mapping[code.strip()] = rest.strip()
    return mapping if mapping else text.strip()


@dataclass(frozen=True)
class InjectType:
    """One inject type: its name in files, its params model and what it means.

    ``recipients``: whether the inject addresses states in ``to``: ``required`` (the engine
    refuses it without), ``optional`` (empty means all: every type unless it says otherwise), or
    ``""`` when the form does not ask.
    """

    name: str
    params: type[Model]
    doc: str
    recipients: Literal["", "optional", "required"] = "optional"

    @property
    def class_name(self) -> str:
        """The generated MSEL entry class's name: ``cyber_dialogue`` -> ``CyberDialogueInject``."""
        return "".join(part.title() for part in self.name.split("_")) + "Inject"


INJECT_TYPES_DECLARED: tuple[InjectType, ...] = (
    InjectType("incident", Incident, "A new incident starts now (same fields as `incidents`)."),
    InjectType("escalate", EscalateParams, "An incident's severity criteria change."),
    InjectType(
        "intel",
        IntelParams,
        "Intelligence raises (or lowers) the recipients' confidence in attributing to an actor.",
        recipients="required",
    ),
    InjectType("attribute", AttributeParams, "States attribute the activity publicly."),
    InjectType(
        "media",
        MediaParams,
        "Public pressure on the recipients (all states if none).",
        recipients="optional",
    ),  # fmt: skip
    InjectType("position", PositionParams, "A delegation's position on a measure is fixed."),
    InjectType("meeting", MeetingParams, "A body is asked to meet (in extraordinary session)."),
    InjectType("propose", ProposeParams, "A state or the High Representative proposes a measure."),
    InjectType("invoke", InvokeParams, "A victim invokes Art. 42(7) TEU or Art. 222 TFEU."),
    InjectType("adversary", AdversaryParams, "Every active threat actor changes behaviour."),
    InjectType("note", NoteParams, "A note to the players; no effect on the model."),
    # The crisis track of a large-scale incident (docs/model.md, *The crisis track*): an inject
    # at a level opens the track if the scenario did not declare one.
    InjectType(
        "csirts_report", CsirtsReportParams, "The CSIRTs Network issues a technical report now."
    ),
    InjectType("cyclone", CycloneParams, "An EU-CyCLONe meeting is called now."),
    InjectType("ipcr", IpcrParams, "The Presidency activates IPCR in a mode (or changes it)."),
    InjectType(
        "reserve",
        ReserveParams,
        "A victim asks for the EU Cybersecurity Reserve, or the Reserve is deployed to it.",
    ),
    InjectType(
        "agency",
        AgencyParams,
        "A national cyber crisis agency's contribution to EU-CyCLONe's operational assessment "
        "(what a delegation played at the operational level says).",
    ),
)

INJECT_TYPE: dict[str, InjectType] = {t.name: t for t in INJECT_TYPES_DECLARED}
INJECT_TYPES: tuple[str, ...] = tuple(INJECT_TYPE)
PARAMS_BY_TYPE: dict[str, type[Model]] = {t.name: t.params for t in INJECT_TYPES_DECLARED}


def _inject_class(declared: InjectType) -> type[InjectBase]:
    tag: Any = Literal[declared.name]  # a type made at run time, from the declaration
    return create_model(
        declared.class_name,
        __base__=InjectBase,
        __module__=__name__,
        type=(tag, ...),
        params=(declared.params, ...),
    )


#: The generated MSEL entry class of each inject type (``IncidentInject``, ...).
INJECT_CLASSES: dict[str, type[InjectBase]] = {
    t.name: _inject_class(t) for t in INJECT_TYPES_DECLARED
}

if TYPE_CHECKING:
    Inject = InjectBase
else:
    Inject = Annotated[
        Union[tuple(INJECT_CLASSES.values())],  # noqa: UP007 (built from the declarations)
        Field(discriminator="type"),
    ]


def references(params: type[BaseModel]) -> list[tuple[str, str]]:
    """``(field, kind)`` for each field of ``params`` marked with :class:`Ref`, in order."""
    return [
        (name, meta.kind)
        for name, info in params.model_fields.items()
        for meta in info.metadata
        if isinstance(meta, Ref)
    ]


class Scenario(Model):
    """A whole exercise: who, what happens, how the procedure is timed, and the MSEL."""

    cdtx: Literal[1] = Field(description="Format version; this is version 1.")
    id: Identifier
    title: str = Field(min_length=1)
    summary: str = ""
    start: AwareStart = Field(description="Timezone-aware start, e.g. 2026-03-06T09:00:00+01:00.")
    horizon: Duration
    seed: Annotated[int, NotBool] = Field(0, ge=0, lt=2**63)
    decision_rule: Literal[DECISION_RULES] = "unanimity"  # type: ignore[valid-type]
    objectives: list[Objective] = Field(default_factory=list)
    member_states: dict[StateCode, StateOverride] = Field(default_factory=dict)
    players: list[StateCode] = Field(default_factory=list)
    partners: list[Partner] | None = Field(
        None,
        description="Partners that attribute alongside member states; omitted, the Union's "
        "usual partners (UK, US, NATO) when a threat actor has a sponsor; [] for none.",
    )
    threat_actors: list[ThreatActor] = Field(min_length=1)
    incidents: list[Incident] = Field(default_factory=list)
    procedure: Procedure = Field(default_factory=Procedure)
    large_scale_incident: LargeScaleIncident | None = Field(
        None,
        description="Declares a large-scale incident: the Cyber Blueprint's technical, "
        "operational and political levels run beside the diplomatic response.",
    )
    msel: list[Inject] = Field(default_factory=list)
    model: ModelBlock = Field(default_factory=dict)

    _source_text: str | None = PrivateAttr(default=None)
    _source_path: str | None = PrivateAttr(default=None)
    #: Where each entry of the ``model:`` block is written: name -> (its key's place, its value's).
    _model_places: dict[str, tuple[tuple[int, int], tuple[int, int]]] = PrivateAttr(
        default_factory=dict
    )

    @model_serializer(mode="wrap")
    def _without_empty_model(self, handler: Any) -> Any:
        # A scenario without a `model:` block dumps (and hashes: sim.exercise.scenario_sha256)
        # exactly as before the block existed.
        data = handler(self)
        if not self.model and isinstance(data, dict):
            data.pop("model", None)
        return data

    def model_place(self, name: str, *, key: bool = False) -> tuple[str, int, int]:
        """Where entry ``name`` of the ``model:`` block is written: (path, line, column) of its
        value (of its key with ``key``), as a :class:`~scenarios.load.Problem` takes them; line 0
        (no place in a file) with the scenario's path, or ``scenario ID`` for one built in code."""
        shown = self._source_path or f"scenario {self.id}"
        places = self._model_places.get(name)
        if places is None:
            return shown, 0, 0
        line, col = places[0] if key else places[1]
        return shown, line, col

    @property
    def source_text(self) -> str | None:
        """The YAML text the scenario was loaded from (kept verbatim for recordings)."""
        return self._source_text

    @property
    def source_path(self) -> str | None:
        return self._source_path

    def actor(self, actor_id: str) -> ThreatActor:
        for actor in self.threat_actors:
            if actor.id == actor_id:
                return actor
        raise KeyError(actor_id)


def all_field_names() -> list[str]:
    """Every key the format knows, for "did you mean ..." suggestions."""
    names: set[str] = set()
    seen: set[type] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(info.alias or name)
        for sub in Model.__subclasses__() + InjectBase.__subclasses__():
            if sub not in seen:
                visit(sub)

    visit(Scenario)
    return sorted(names)
