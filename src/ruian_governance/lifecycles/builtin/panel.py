"""The citizens' supervision panel's findings 平安市民监督团, per unit, from hazard histories.

The seed: Rui'an set up a citizens' supervision panel 平安市民监督团 (first in Wenzhou), beside
the 211 covert inspections and the bundled town-department assessment.  In the hazard lifecycle
a panel member records a finding as a covert-inspection finding (``find_in_covert_inspection``
fired in the ``supervision_panel_member`` role) or as a further finding on an open hazard
(``record_panel_finding``); either may name the ``inspected`` units.  :func:`panel_findings`
reads them back, per unit, for the assessment to consume: a pure function of the cases.

>>> panel_findings([])
{}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import attrs

from ruian_governance.models import Case, unit_ids

__all__ = ["PANEL_ROLE", "PANEL_TRIGGERS", "PanelFinding", "panel_findings"]

PANEL_ROLE = "supervision_panel_member"
"""The role of the panel's members."""

PANEL_TRIGGERS = frozenset({"find_in_covert_inspection", "record_panel_finding"})
"""The hazard triggers by which a panel member records a finding."""


@attrs.frozen(kw_only=True)
class PanelFinding:
    """One finding of the panel about one unit: which case, when, by whom, what was noted."""

    unit_id: str
    case_id: str
    at: datetime
    person_id: str
    trigger: str
    note: str


def panel_findings(cases: Iterable[Case]) -> Mapping[str, tuple[PanelFinding, ...]]:
    """Return the panel's findings per unit id, each unit's in time order.

    A finding is about the units its record names as ``inspected``; a covert-inspection
    finding that names none is about the hazard's location.  Records by anyone but a panel
    member (e.g. the centre's inspectors) are not the panel's and are left out.

    Args:
        cases: Any cases (those of other lifecycles have no panel records).

    Returns:
        A plain dict from unit id to its findings, sorted by unit id.
    """
    found: dict[str, list[PanelFinding]] = {}
    for case in cases:
        for record in case.history:
            if record.trigger not in PANEL_TRIGGERS or record.actor.role != PANEL_ROLE:
                continue
            units = unit_ids(record.get("inspected")) or (case.location_id,)
            note = record.get("note") or record.get("description") or ""
            for unit in units:
                found.setdefault(unit, []).append(
                    PanelFinding(
                        unit_id=unit,
                        case_id=case.id,
                        at=record.at,
                        person_id=record.actor.person_id,
                        trigger=record.trigger,
                        note=note if isinstance(note, str) else "",
                    )
                )
    return {
        unit: tuple(sorted(items, key=lambda f: (f.at, f.case_id)))
        for unit, items in sorted(found.items())
    }
