"""Analysis 研判: the figures governance staff read, and the similar-case library 类案库.

Pure functions over cases: none reads a clock, a file or a database, so a dashboard can call
them on any selection of cases (one town, one week...).  What a state or trigger means (a case
closes, is dispatched, returned, escalated, evaluated or sanctioned) comes from the lifecycle
definitions each function takes (default: the built-in lifecycles), never from their keys.

- :mod:`~ruian_governance.analysis.rates`: on time, time to close, escalation, return, satisfaction;
- :mod:`~ruian_governance.analysis.volumes`: cases per window by town, platform, station...;
- :mod:`~ruian_governance.analysis.hotspots`: the Poisson exact test for hotspots;
- :mod:`~ruian_governance.analysis.repeats`: repeat incidents;
- :mod:`~ruian_governance.analysis.criteria`: which cases an assessment item counts;
- :mod:`~ruian_governance.analysis.assessment`: the bundled assessment of towns and departments,
  with deductions and veto items;
- :mod:`~ruian_governance.analysis.six_none`: six-none villages 六无村社 per period;
- :mod:`~ruian_governance.analysis.situation`: the weekly situation analysis 形势分析 (周研判);
- :mod:`~ruian_governance.analysis.awards`: the 平安鼎 award ladder and the three rates 三率;
- :mod:`~ruian_governance.analysis.case_library`: the similar-case library;
- :mod:`~ruian_governance.analysis.intake`: merged share, withdrawals, rework rate, spot checks
  and citizens' satisfaction at callback;
- :mod:`~ruian_governance.analysis.summary`: the headline figures as one typed value.
"""

from __future__ import annotations

from .assessment import (
    DEFAULT_RULES,
    PANEL_FINDINGS,
    AssessmentRules,
    AssessmentWeights,
    BundledAssessment,
    Deduction,
    UnitScore,
    VetoItem,
    bundled_assessment,
)
from .awards import (
    AwardRung,
    ThreeRates,
    beside_cases,
    consecutive_safe_years,
    ping_an_ding,
)
from .case_library import (
    LibraryEntry,
    SimilarCaseLibrary,
    similar_disputes,
)
from .criteria import CaseItem, CaseMatch
from .hotspots import (
    HotspotFinding,
    HotspotTest,
    adjusted_p_values,
    hotspot_findings,
    hotspot_tests,
    hotspots,
    poisson_upper_tail,
)
from .intake import (
    INTAKE_TRIGGERS,
    IntakeFigures,
    intake_figures,
)
from .rates import (
    Rate,
    closed_at,
    escalation_rate,
    on_time_rate,
    return_rate,
    satisfaction,
    time_to_close,
)
from .repeats import (
    RepeatIncident,
    repeat_incidents,
)
from .situation import (
    RISK_DISPUTES,
    SituationReport,
    situation_analysis,
)
from .six_none import (
    SIX_NONE_CRITERIA,
    SixNonePeriod,
    VillageCriterion,
    VillageResult,
    six_none_villages,
)
from .summary import (
    Summary,
    panel_records,
    summarise,
)
from .timeliness import (
    Timeliness,
    timeliness,
)
from .volumes import (
    VOLUME_KEYS,
    Volumes,
    volumes,
)

__all__ = [
    "DEFAULT_RULES",
    "INTAKE_TRIGGERS",
    "PANEL_FINDINGS",
    "RISK_DISPUTES",
    "SIX_NONE_CRITERIA",
    "VOLUME_KEYS",
    "AssessmentRules",
    "AssessmentWeights",
    "AwardRung",
    "BundledAssessment",
    "CaseItem",
    "CaseMatch",
    "Deduction",
    "HotspotFinding",
    "HotspotTest",
    "IntakeFigures",
    "LibraryEntry",
    "Rate",
    "RepeatIncident",
    "SimilarCaseLibrary",
    "SituationReport",
    "SixNonePeriod",
    "Summary",
    "ThreeRates",
    "Timeliness",
    "UnitScore",
    "VetoItem",
    "VillageCriterion",
    "VillageResult",
    "Volumes",
    "adjusted_p_values",
    "beside_cases",
    "bundled_assessment",
    "closed_at",
    "consecutive_safe_years",
    "escalation_rate",
    "hotspot_findings",
    "hotspot_tests",
    "hotspots",
    "intake_figures",
    "on_time_rate",
    "panel_records",
    "ping_an_ding",
    "poisson_upper_tail",
    "repeat_incidents",
    "return_rate",
    "satisfaction",
    "similar_disputes",
    "situation_analysis",
    "six_none_villages",
    "summarise",
    "time_to_close",
    "timeliness",
    "volumes",
]
