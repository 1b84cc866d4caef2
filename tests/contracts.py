"""Names the public contract fixes (docs/model.md, docs/scenario-format.md), written out here on purpose: the
tests compare the implementation against this list, not against the implementation's own."""

#: Every key of ``metrics`` in ``cdtx run --json``.
METRIC_KEYS = {
    "t_first_detection",
    "t_shared_awareness",
    "t_first_attribution",
    "t_first_psc",
    "t_hr_declaration",
    "t_council_conclusions",
    "t_listing",
    "highest_measure",
    "highest_rung",
    "recommended_rung",
    "proportionality_gap",
    "blocked",
    "psc_meetings",
    "extraordinary_meetings",
    "cohesion",
    "objectives",
    # added by the politics issue (13): every decision's cohesion, the vetoed ones included
    "cohesion_min",
    "decisions",
    "naming",
    "withdrawn",
    "assistance",
    "t_first_partner_attribution",
    "open_business",
    # added by issue 22: the state behind a listed actor retaliates
    "retaliations",
    "t_first_retaliation",
    # added by issue 25: the crisis track of a large-scale incident (null without one)
    "t_first_technical_report",
    "t_cyclone_assessment",
    "t_ipcr_activation",
    "t_first_isaa",
    "t_psc_isaa",
    "t_reserve_deployed",
}
