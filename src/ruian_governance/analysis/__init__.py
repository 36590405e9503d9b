"""Analysis 研判: the figures governance staff read, and the similar-case library 类案库."""

from __future__ import annotations

from .case_library import (
    LibraryEntry,
    SimilarCaseLibrary,
)
from .figures import (
    CLOSING_STATES,
    VOLUME_KEYS,
    AssessmentWeights,
    BundledAssessment,
    HotspotFinding,
    Rate,
    RepeatIncident,
    UnitScore,
    Volumes,
    bundled_assessment,
    closed_at,
    escalation_rate,
    hotspots,
    on_time_rate,
    poisson_upper_tail,
    repeat_incidents,
    return_rate,
    satisfaction,
    similar_disputes,
    summarise,
    time_to_close,
    volumes,
)

__all__ = [
    "CLOSING_STATES",
    "VOLUME_KEYS",
    "AssessmentWeights",
    "BundledAssessment",
    "HotspotFinding",
    "LibraryEntry",
    "Rate",
    "RepeatIncident",
    "SimilarCaseLibrary",
    "UnitScore",
    "Volumes",
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
