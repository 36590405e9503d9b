"""Analysis 研判: the figures governance staff read, and the similar-case library 类案库.

Pure functions over cases: none reads a clock, a file or a database, so a dashboard can call
them on any selection of cases (one town, one week...).  What a state or trigger means (a case
closes, is dispatched, returned, escalated, evaluated or sanctioned) comes from the lifecycle
definitions each function takes (default: the built-in lifecycles), never from their keys.

- :mod:`~ruian_governance.analysis.rates`: on time, time to close, escalation, return, satisfaction;
- :mod:`~ruian_governance.analysis.volumes`: cases per window by town, platform, station...;
- :mod:`~ruian_governance.analysis.hotspots`: the Poisson exact test for hotspots;
- :mod:`~ruian_governance.analysis.repeats`: repeat incidents;
- :mod:`~ruian_governance.analysis.assessment`: the bundled assessment of towns and departments;
- :mod:`~ruian_governance.analysis.case_library`: the similar-case library;
- :mod:`~ruian_governance.analysis.summary`: the headline figures as one typed value.
"""

from __future__ import annotations

from .assessment import (
    AssessmentWeights,
    BundledAssessment,
    UnitScore,
    bundled_assessment,
)
from .case_library import (
    LibraryEntry,
    SimilarCaseLibrary,
    similar_disputes,
)
from .hotspots import (
    HotspotFinding,
    adjusted_p_values,
    hotspots,
    poisson_upper_tail,
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
from .summary import (
    Summary,
    summarise,
)
from .volumes import (
    VOLUME_KEYS,
    Volumes,
    volumes,
)

__all__ = [
    "VOLUME_KEYS",
    "AssessmentWeights",
    "BundledAssessment",
    "HotspotFinding",
    "LibraryEntry",
    "Rate",
    "RepeatIncident",
    "SimilarCaseLibrary",
    "Summary",
    "UnitScore",
    "Volumes",
    "adjusted_p_values",
    "bundled_assessment",
    "closed_at",
    "escalation_rate",
    "hotspots",
    "on_time_rate",
    "poisson_upper_tail",
    "repeat_incidents",
    "return_rate",
    "satisfaction",
    "similar_disputes",
    "summarise",
    "time_to_close",
    "volumes",
]
