"""Which cases an assessment item counts: :class:`CaseMatch`, one declarative rule.

The bundled assessment's deductions and veto items 一票否决, and the six-none villages' criteria
六无村社, all say "cases of these lifecycles, categories and severities, that fired these
triggers, or ran overdue".  A rule is data (frozen sets of keys), so it can be configured and
shown; an empty set means "any".

>>> from ruian_governance.analysis import CaseMatch
>>> from ruian_governance.lifecycles import TriggerKind
>>> CaseMatch(opened_by={TriggerKind.FIND}, severities={"major"}, overdue=True).describe()
'major; opened by find; overdue 超期'
>>> CaseMatch(lifecycles="hazard")
Traceback (most recent call last):
...
ruian_governance.errors.AnalysisError: analysis lifecycles: expected a set of keys, got 'hazard'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from ruian_governance.errors import AnalysisError
from ruian_governance.labels import Label
from ruian_governance.lifecycles import TriggerKind
from ruian_governance.models import Case

from ._reading import Meaning

__all__ = ["CaseItem", "CaseMatch"]


def _keys(name: str, value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise AnalysisError(name, f"expected a set of keys, got {value!r}")
    items = tuple(value)
    if not all(isinstance(item, str) and item for item in items):
        raise AnalysisError(name, f"expected non-empty strings, got {items!r}")
    return frozenset(items)


def _lifecycles(value: object) -> frozenset[str]:
    return _keys("lifecycles", value)


def _categories(value: object) -> frozenset[str]:
    return _keys("categories", value)


def _severities(value: object) -> frozenset[str]:
    return _keys("severities", value)


def _triggers(value: object) -> frozenset[str]:
    return _keys("triggers", value)


def _kinds_of(name: str, value: object) -> frozenset[TriggerKind]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise AnalysisError(name, f"expected a set of trigger kinds, got {value!r}")
    return frozenset(TriggerKind.parse(item, name) for item in value)


def _kinds(value: object) -> frozenset[TriggerKind]:
    return _kinds_of("trigger_kinds", value)


def _opened_by(value: object) -> frozenset[TriggerKind]:
    return _kinds_of("opened_by", value)


def _flag(_: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise AnalysisError(attribute.name, f"expected True or False, got {value!r}")


@attrs.frozen(kw_only=True)
class CaseMatch:
    """Which cases count: every condition given must hold (an empty set means any).

    Args:
        lifecycles: Lifecycle keys (e.g. ``{"hazard"}``).
        categories: Category keys (e.g. ``{"public_order"}``).
        severities: Severity keys (e.g. ``{"major"}``).
        triggers: The case fired at least one of these trigger keys.
        trigger_kinds: The case fired a trigger of at least one of these kinds (e.g.
            ``{TriggerKind.SANCTION}``: listed, circulated, summoned or held accountable).
        opened_by: The case's lifecycle opens by a trigger of one of these kinds (e.g.
            ``{TriggerKind.FIND}``: hazards found by inspection; ``{TriggerKind.REPORT}``:
            reported matters), whatever the lifecycle's key.
        overdue: Only cases closed after their deadline, or open past it at the assessment's
            ``as_of`` (超期).

    Raises:
        AnalysisError: A set is a string or holds something other than a non-empty string, or
            ``overdue`` is not a bool.
        ArgumentError: A trigger kind is not a :class:`~ruian_governance.lifecycles.TriggerKind`
            or its value.
    """

    lifecycles: frozenset[str] = attrs.field(default=frozenset(), converter=_lifecycles)
    categories: frozenset[str] = attrs.field(default=frozenset(), converter=_categories)
    severities: frozenset[str] = attrs.field(default=frozenset(), converter=_severities)
    triggers: frozenset[str] = attrs.field(default=frozenset(), converter=_triggers)
    trigger_kinds: frozenset[TriggerKind] = attrs.field(default=frozenset(), converter=_kinds)
    opened_by: frozenset[TriggerKind] = attrs.field(default=frozenset(), converter=_opened_by)
    overdue: bool = attrs.field(default=False, validator=_flag)

    def matches(self, case: Case, meaning: Meaning, as_of: datetime | None) -> bool:
        """Whether ``case`` (read through ``meaning``, its definition) counts at ``as_of``."""
        if (
            (self.lifecycles and case.lifecycle not in self.lifecycles)
            or (self.categories and case.category not in self.categories)
            or (self.severities and case.severity not in self.severities)
        ):
            return False
        if self.opened_by and not self.opened_by & meaning.opened_by:
            return False
        if self.triggers and not any(r.trigger in self.triggers for r in case.history):
            return False
        if self.trigger_kinds and not any(meaning.fired(case, k) for k in self.trigger_kinds):
            return False
        return not self.overdue or is_overdue(case, meaning, as_of)

    def describe(self) -> str:
        """The rule in one line, for reports (``"hazard, major, overdue"``; ``"any case"``)."""
        parts = [
            ", ".join(sorted(keys))
            for keys in (self.lifecycles, self.categories, self.severities, self.triggers)
            if keys
        ]
        for kinds, text in ((self.opened_by, "opened by "), (self.trigger_kinds, "")):
            if kinds:
                parts.append(text + ", ".join(sorted(k.value for k in kinds)))
        if self.overdue:
            parts.append("overdue 超期")
        return "; ".join(parts) or "any case"


def _key(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not (isinstance(value, str) and value.isidentifier()):
        raise AnalysisError(attribute.name, f"expected an identifier, got {value!r}")


def _label(_: object, attribute: attrs.Attribute[Label], value: object) -> None:
    if not isinstance(value, Label):
        raise AnalysisError(attribute.name, f"expected a Label, got {value!r}")


def _match(_: object, attribute: attrs.Attribute[CaseMatch], value: object) -> None:
    if not isinstance(value, CaseMatch):
        raise AnalysisError(attribute.name, f"expected a CaseMatch, got {value!r}")


def threshold(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    """Check a threshold: a whole number of cases >= 1."""
    if type(value) is not int or value < 1:
        raise AnalysisError(attribute.name, f"expected a whole number >= 1, got {value!r}")


@attrs.frozen(kw_only=True)
class CaseItem:
    """An item counted over cases: a deduction, a veto item, a six-none criterion.

    Args:
        key: The item's key (an identifier).
        label: Its English and Chinese name.
        match: Which cases count (:class:`CaseMatch`).

    Raises:
        AnalysisError: A key that is not an identifier, a label that is not a
            :class:`~ruian_governance.Label` or a match that is not a :class:`CaseMatch`.
    """

    key: str = attrs.field(validator=_key)
    label: Label = attrs.field(validator=_label)
    match: CaseMatch = attrs.field(validator=_match)


def keyed_items(kind: type, value: object, argument: str) -> tuple[Any, ...]:
    r"""``value`` as a tuple of ``kind`` values with unique ``key``\ s (assessment items, criteria).

    Raises:
        AnalysisError: ``value`` is a string or not iterable, holds another type, or repeats a
            key.
    """
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise AnalysisError(argument, f"expected {kind.__name__} values, got {value!r}")
    items = tuple(value)
    bad = [item for item in items if not isinstance(item, kind)]
    if bad:
        raise AnalysisError(argument, f"expected {kind.__name__} values, got {bad[0]!r}")
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise AnalysisError(argument, f"keys must be unique, got {keys!r}")
    return items


def is_overdue(case: Case, meaning: Meaning, as_of: datetime | None) -> bool:
    """Whether ``case`` closed after its deadline, or is open past it at ``as_of``."""
    due = case.due_at
    if due is None:
        return False
    closed = meaning.closed_at(case)
    if closed is not None:
        return closed >= due
    return as_of is not None and as_of >= due


def latest(cases: Iterable[Case]) -> datetime | None:
    """The time of the latest record of ``cases`` (the default "as of" of an assessment)."""
    return max((c.history[-1].at for c in cases if c.history), default=None)
