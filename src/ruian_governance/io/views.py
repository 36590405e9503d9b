"""A case's display values in a language: what a case page renders, looked up once.

:func:`case_view` turns a case into a :class:`CaseView`: its units by name (an organisation's
name, or the id itself when the hierarchy does not know it), its lifecycle, state, severity
and category by label, and each history record as a :class:`RecordView` with its trigger's and
states' labels, the actor's name and role label.  A pure function of its arguments: an
integrator renders the view in a template (escaping every text) or as JSON
(:meth:`CaseView.to_json`).

>>> from datetime import datetime
>>> from ruian_governance import (CHINA_STANDARD_TIME, EVENT_LIFECYCLE, RULES_2021, Actor,
...     builtin_engine, generate_hierarchy)
>>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, seed=0)
>>> grid = "t0001.v001.g01"
>>> worker = Actor.of(h, h.people_of(grid, role="grid_worker")[0].id, "grid_worker")
>>> case = builtin_engine(h).open("event", case_id="E1", trigger="report", actor=worker,
...     at=datetime(2025, 3, 3, 9, tzinfo=CHINA_STANDARD_TIME), location_id=grid,
...     category="food_safety", severity="ordinary")
>>> view = case_view(case, hierarchy=h, lifecycle=EVENT_LIFECYCLE, rules=RULES_2021)
>>> view.state_label, view.holder_name, view.location_name, view.category_label
('上报', '第1镇', '示范市/第1镇/第11村/第1网格', '食品安全')
>>> record = view.history[0]
>>> record.trigger_label, record.dest_label, record.role_label, record.unit_name
('上报', '上报', '网格员', '第1网格')
>>> case_view(case, hierarchy=h, lifecycle=EVENT_LIFECYCLE, language="en").history[0].trigger_label
'report'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ruian_governance.errors import ArgumentError, RuianGovernanceError
from ruian_governance.labels import Label, Language
from ruian_governance.lifecycles import LifecycleDefinition
from ruian_governance.models import Case, DataValue, Hierarchy, HistoryRecord
from ruian_governance.routing import RoutingRules

from .converter import unstructure
from .open311.mapping import open311_address

__all__ = ["CaseView", "RecordView", "case_view"]


@attrs.frozen(kw_only=True, weakref_slot=False)
class RecordView:
    """One history record's display values.

    ``*_label`` are labels in the view's language; ``person_name``, ``unit_name`` the names
    of the actor and their unit (the id when the hierarchy does not know it); ``data`` the
    command's data as recorded.
    """

    seq: int
    at: datetime
    trigger: str
    trigger_label: str
    source: str | None
    source_label: str | None
    dest: str
    dest_label: str
    person_id: str
    person_name: str
    role: str
    role_label: str
    unit_id: str
    unit_name: str
    data: Mapping[str, DataValue]


@attrs.frozen(kw_only=True, weakref_slot=False)
class CaseView:
    """A case's display values in one language (see :func:`case_view`).

    Ids stay beside their names and labels, so a page links to what it names.
    ``location_name`` is the location's name path, city first (as an Open311 ``address``).
    """

    language: Language
    id: str
    lifecycle: str
    lifecycle_label: str
    state: str
    state_label: str
    holder: str
    holder_name: str
    assignees: tuple[str, ...]
    assignee_names: tuple[str, ...]
    location: str
    location_name: str
    category: str
    category_label: str
    severity: str | None
    severity_label: str | None
    opened_at: datetime
    due_at: datetime | None
    version: int
    history: tuple[RecordView, ...]

    def to_json(self) -> dict[str, Any]:
        """The view as plain JSON data (times as ISO 8601 text, the converter's form)."""
        data: dict[str, Any] = unstructure(self)
        return data


class _Names:
    """Names and labels in one language, with the id as the fallback of an unknown one."""

    def __init__(self, hierarchy: Hierarchy, definition: LifecycleDefinition, language: Language):
        self.hierarchy, self.definition, self.language = hierarchy, definition, language

    def unit(self, unit_id: str) -> str:
        try:
            node = self.hierarchy.node(unit_id)
        except RuianGovernanceError:
            return unit_id
        english = getattr(node, "name_en", "") if self.language == "en" else ""
        return str(english or node.name)

    def person(self, person_id: str) -> str:
        try:
            return self.hierarchy.person(person_id).name
        except RuianGovernanceError:
            return person_id

    def label(self, find: Any, key: str) -> str:
        try:
            found: Label = find(key).label
        except RuianGovernanceError:
            return key
        return found.text(self.language)

    def state(self, key: str | None) -> str | None:
        return None if key is None else self.label(self.definition.state, key)

    def record(self, record: HistoryRecord) -> RecordView:
        actor = record.actor
        return RecordView(
            seq=record.seq, at=record.at, trigger=record.trigger,
            trigger_label=self.label(self.definition.trigger, record.trigger),
            source=record.source, source_label=self.state(record.source), dest=record.dest,
            dest_label=self.state(record.dest) or record.dest, person_id=actor.person_id,
            person_name=self.person(actor.person_id), role=actor.role,
            role_label=self.label(self.hierarchy.role, actor.role), unit_id=actor.unit_id,
            unit_name=self.unit(actor.unit_id), data=dict(record.data),
        )  # fmt: skip


def _address(hierarchy: Hierarchy, unit_id: str, language: Language) -> str:
    try:
        return open311_address(hierarchy, unit_id, language=language)
    except RuianGovernanceError:
        return unit_id


def case_view(
    case: Case,
    *,
    hierarchy: Hierarchy,
    lifecycle: LifecycleDefinition,
    rules: RoutingRules | None = None,
    language: Language = "zh",
) -> CaseView:
    """The display values of ``case`` in ``language``: names and labels instead of keys.

    Args:
        case: The case.
        hierarchy: Where its units and people are named.
        lifecycle: Its lifecycle (the labels of its states, triggers and severities).
        rules: The category table (the category's label); without it the category is its key.
        language: ``"zh"`` (default) or ``"en"``.

    Raises:
        ArgumentError: ``lifecycle`` is not the case's, ``language`` not ``"en"`` or
            ``"zh"``, or an argument of the wrong type.
    """
    if not isinstance(case, Case) or not isinstance(hierarchy, Hierarchy):
        raise ArgumentError("case", case, "a Case, with hierarchy= a Hierarchy")  # noqa: EM101
    if not isinstance(lifecycle, LifecycleDefinition) or lifecycle.key != case.lifecycle:
        raise ArgumentError("lifecycle", lifecycle, f"the definition of {case.lifecycle!r}")  # noqa: EM101
    if language not in ("en", "zh"):
        raise ArgumentError("language", language, "'en' or 'zh'")  # noqa: EM101 - a name
    names = _Names(hierarchy, lifecycle, language)
    category = case.category
    if rules is not None:
        category = names.label(rules.category, case.category)
    severity = case.severity
    return CaseView(
        language=language, id=case.id, lifecycle=case.lifecycle,
        lifecycle_label=lifecycle.label.text(language), state=case.state,
        state_label=names.state(case.state) or case.state, holder=case.unit_id,
        holder_name=names.unit(case.unit_id), assignees=case.assignees,
        assignee_names=tuple(names.unit(u) for u in case.assignees),
        location=case.location_id, location_name=_address(hierarchy, case.location_id, language),
        category=case.category, category_label=category, severity=severity,
        severity_label=None if severity is None else names.label(lifecycle.severity, severity),
        opened_at=case.opened_at, due_at=case.due_at, version=case.version,
        history=tuple(names.record(r) for r in case.history),
    )  # fmt: skip
