"""The machines' independent checks (private to ``testing``): jurisdiction, the reference, counts.

What the state machines hold an accepted command to, written apart from the engine and the
analysis so that the machines check them rather than repeat them:

- :func:`within_jurisdiction`: the :class:`~ruian_governance.Jurisdiction` rules, from the
  hierarchy's structure alone;
- :func:`against_reference`: what the reference transition would have allowed and done (its
  roles, jurisdiction, required data and guards, and the holder, assignees, severity, deadline
  and parties its effects give);
- :class:`Ledger`: what the machine saw happen to each case (closed when, escalated, returned,
  dispatched, evaluated with how many stars), from which :meth:`Ledger.expected` recounts the
  rates of :mod:`ruian_governance.analysis`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Protocol

import attrs

from ruian_governance.analysis import (
    Rate,
    escalation_rate,
    on_time_rate,
    return_rate,
    satisfaction,
)
from ruian_governance.lifecycles import (
    CommandContext,
    Jurisdiction,
    LifecycleDefinition,
    Transition,
    TriggerKind,
)
from ruian_governance.models import Actor, Case, DataValue, Hierarchy

__all__ = [
    "DEFAULT_RATES",
    "RATE_NAMES",
    "Ledger",
    "RateFunction",
    "against_reference",
    "deadline_problem",
    "follows_from",
    "within_jurisdiction",
]


def within_jurisdiction(  # noqa: PLR0911 - one answer per rule
    hierarchy: Hierarchy, rule: Jurisdiction, case: Case, actor: Actor
) -> bool:
    """Whether ``actor``'s unit lies within ``case``'s jurisdiction by ``rule``.

    An implementation of :class:`~ruian_governance.Jurisdiction` written apart from the
    engine's, from the hierarchy's structure alone, so that the machines check the engine
    rather than repeat it.

    >>> from datetime import datetime
    >>> from ruian_governance import CHINA_STANDARD_TIME, builtin_engine
    >>> from ruian_governance.testing import default_hierarchy
    >>> h = default_hierarchy()
    >>> worker = Actor.of(h, h.people_of("t0001.v001.g01")[0].id, "grid_worker")
    >>> case = builtin_engine(h).open("event", case_id="E1", trigger="report", actor=worker,
    ...     at=datetime(2025, 3, 3, 9, tzinfo=CHINA_STANDARD_TIME), location_id="t0001.v001.g01",
    ...     category="noise", severity="ordinary")
    >>> room = Actor.of(h, h.people_of("t0002.command_room")[0].id)
    >>> within_jurisdiction(h, Jurisdiction.HOLDER, case, room)   # another town's room
    False
    """
    unit = actor.unit_id
    if rule is Jurisdiction.ANY:
        return True
    if rule is Jurisdiction.ASSIGNED:
        return unit in case.assignees
    if rule is Jurisdiction.LEAD:
        return bool(case.assignees) and case.assignees[0] == unit
    if rule is Jurisdiction.ASSISTING:
        return unit in case.assignees and case.assignees[0] != unit
    if rule is Jurisdiction.CITY:
        return hierarchy.town_of(unit) is None
    if rule is Jurisdiction.TOWN:
        mine = hierarchy.town_of(unit)
        theirs = hierarchy.town_of(case.location_id)
        return mine is not None and theirs is not None and mine.id == theirs.id
    if rule is Jurisdiction.LOCATION:
        above = {u.id for u in hierarchy.ancestors(case.location_id)}
        return unit == case.location_id or unit in above
    admin = hierarchy.admin_unit_of(unit)
    if rule is Jurisdiction.HOLDER:
        return case.unit_id in {unit, admin}
    # HOLDER_OR_ABOVE
    above = {u.id for u in hierarchy.ancestors(case.unit_id)}
    return case.unit_id in {unit, admin} or admin in above


def deadline_problem(case: Case) -> str | None:
    """``case`` falls due before it opened (a broken invariant), or ``None``."""
    if case.due_at is None or case.due_at >= case.opened_at:
        return None
    return f"case {case.id} falls due at {case.due_at} before it opened at {case.opened_at}"


def follows_from(  # noqa: PLR0911 - one answer per invariant
    hierarchy: Hierarchy,
    definition: LifecycleDefinition,
    reference: LifecycleDefinition,
    before: Case,
    after: Case,
) -> str | None:
    """What is wrong with ``after`` as the case an accepted command made of ``before``, or ``None``.

    A final state (of ``definition`` or of the ``reference``) is never left; the version grows by
    one and the history by one record, numbered next, from the state before to the state after,
    not earlier than the last; the holder moves at most one level up (escalation never skips a
    level) or down to a unit under it; the deadline does not precede the opening.
    """
    record = after.history[-1]
    trigger = record.trigger
    if before.state in definition.final_states | reference.final_states:
        return f"final state {before.state!r} of case {before.id} was left by {trigger!r}"
    if after.version != before.version + 1:
        return f"case {before.id}: version {before.version} -> {after.version}, not one more"
    if after.history[:-1] != before.history:
        return f"an accepted command rewrote the history of case {before.id}"
    if record.seq != len(before.history):
        return f"case {before.id}: record numbered {record.seq}, not {len(before.history)}"
    if (record.source, record.dest) != (before.state, after.state):
        return (
            f"case {before.id}: record {record.source} -> {record.dest}, "
            f"case {before.state} -> {after.state}"
        )
    if record.at < before.history[-1].at:
        return f"time went backwards in {trigger!r} on case {before.id}"
    if after.unit_id != before.unit_id:
        parent = hierarchy.parent(before.unit_id)
        up_one = parent is not None and parent.id == after.unit_id
        down = any(u.id == before.unit_id for u in hierarchy.ancestors(after.unit_id))
        if not (up_one or down):
            return (
                f"{trigger!r} moved case {before.id} from {before.unit_id} to "
                f"{after.unit_id}: escalation skipped a level"
            )
    return deadline_problem(after)


_EFFECT_FIELDS = ("unit_id", "assignees", "severity", "due_at", "parties")
"""The case fields an effect may change, compared with what the reference's effects give (and
any other field a reference effect changes, should the engine come to allow more)."""


def against_reference(  # noqa: PLR0913 - the command and the rules it is held to
    hierarchy: Hierarchy,
    definition: LifecycleDefinition,
    rule: Transition,
    *,
    before: Case,
    after: Case,
    data: Mapping[str, DataValue],
) -> str | None:
    """What is wrong with an accepted command by the reference ``rule``, or ``None``.

    ``before`` -> ``after`` was accepted; the reference transition ``rule`` (for the same
    state and trigger) must have allowed it: the actor's role is one of its roles, the actor
    sits within its jurisdiction (:func:`within_jurisdiction`), the data has every key it
    requires, and each of its guards passes; and its effects, applied to ``before``, give the
    holder, assignees, severity, deadline and parties of ``after``.  Guards and effects see
    ``definition`` (the configured lifecycle, so its deadlines and limits) as the lifecycle.
    """
    record = after.history[-1]
    actor, trigger = record.actor, record.trigger
    where = f"{actor} fired {trigger!r} on case {before.id} in {before.state!r}"
    if actor.role not in rule.roles:
        return f"{where}, but the reference rule allows only {sorted(rule.roles)}"
    if not within_jurisdiction(hierarchy, rule.jurisdiction, before, actor):
        return (
            f"{where} outside its jurisdiction ({rule.jurisdiction.label.en}: holder "
            f"{before.unit_id}, location {before.location_id}, assigned {list(before.assignees)})"
        )
    missing = sorted(rule.requires - data.keys())
    if missing:
        return f"{where} without {missing}, which the reference rule requires"

    def context(case: Case) -> CommandContext:
        return CommandContext(
            case=case,
            trigger=trigger,
            actor=actor,
            at=record.at,
            data=data,
            hierarchy=hierarchy,
            lifecycle=definition,
        )

    for guard in rule.guards:
        if not guard.check(context(before)):
            return f"{where}, which the reference guard {guard.key!r} ({guard.label.en}) refuses"
    expected = before
    fields = set(_EFFECT_FIELDS)
    for effect in rule.effects:
        made = effect.apply(context(expected))
        if made:
            expected = attrs.evolve(expected, **made)
            fields.update(made)
    for field in sorted(fields):
        want, got = getattr(expected, field), getattr(after, field)
        if want != got:
            return f"{where}: its {field} became {got!r}, the reference rule gives {want!r}"
    return None


class RateFunction(Protocol):
    """An analysis rate: cases and their definitions in, a :class:`~ruian_governance.Rate` out.

    :func:`~ruian_governance.analysis.on_time_rate`, ``escalation_rate``, ``return_rate`` and
    ``satisfaction`` are rate functions; so is a user's own, to be checked by a machine.
    """

    def __call__(
        self, cases: Iterable[Case], /, *, lifecycles: Mapping[str, LifecycleDefinition]
    ) -> Rate:
        """The rate over ``cases``."""
        ...


RATE_NAMES: tuple[str, ...] = ("on_time", "escalation", "return", "satisfaction")
"""The rates a machine recounts: on time 按期办结, escalated, returned 退回, satisfied 满意."""

DEFAULT_RATES: Mapping[str, RateFunction] = {
    "on_time": on_time_rate,
    "escalation": escalation_rate,
    "return": return_rate,
    "satisfaction": satisfaction,
}
"""The analysis functions the machines check by default, by rate name."""


@attrs.define
class _Seen:
    """What the machine saw happen to one case."""

    lifecycle: str
    closed_at: datetime | None = None
    kinds: set[TriggerKind] = attrs.field(factory=set)
    stars: list[DataValue | None] = attrs.field(factory=list)


@attrs.define
class Ledger:
    """What a machine saw happen to each case, to recount the analysis' rates from.

    Kept from the commands as they were accepted (never read back from the store or the
    histories): when a case first entered a closing state, which kinds of trigger were fired on
    it, and the stars of each evaluation.
    """

    definitions: Mapping[str, LifecycleDefinition]
    seen: dict[str, _Seen] = attrs.field(factory=dict)

    def opened(self, case: Case) -> None:
        """Note a newly opened case (and the kind of its opening trigger)."""
        self.seen[case.id] = _Seen(lifecycle=case.lifecycle)
        self.accepted(case, case.history[0].trigger, case.state, case.history[0].at, {})

    def accepted(
        self, case: Case, trigger: str, dest: str, at: datetime, data: Mapping[str, DataValue]
    ) -> None:
        """Note an accepted command on ``case`` (``trigger`` into ``dest`` at ``at``)."""
        seen = self.seen[case.id]
        definition = self.definitions[seen.lifecycle]
        kind = definition.trigger(trigger).kind
        if kind is not None:
            seen.kinds.add(kind)
        if kind is TriggerKind.EVALUATE:
            seen.stars.append(data.get("stars"))
        if seen.closed_at is None and definition.state(dest).closing:
            seen.closed_at = at

    def expected(self, name: str, cases: Iterable[Case]) -> Rate:
        """The rate ``name`` (one of :data:`RATE_NAMES`) over ``cases``, recounted."""
        chosen = [(case, self.seen[case.id]) for case in cases]
        counters: dict[str, Callable[[], tuple[int, int]]] = {
            "on_time": lambda: (
                sum(
                    1
                    for c, s in chosen
                    if s.closed_at is not None and (c.due_at is None or s.closed_at < c.due_at)
                ),
                sum(1 for _, s in chosen if s.closed_at is not None),
            ),
            "escalation": lambda: (
                sum(1 for _, s in chosen if TriggerKind.ESCALATE in s.kinds),
                len(chosen),
            ),
            "return": lambda: self._returns(chosen),
            "satisfaction": lambda: (
                sum(
                    1
                    for _, s in chosen
                    for stars in s.stars
                    if isinstance(stars, int) and not isinstance(stars, bool) and stars >= 4
                ),
                sum(len(s.stars) for _, s in chosen),
            ),
        }
        count, total = counters[name]()
        return Rate(count=count, total=total)

    def _returns(self, chosen: list[tuple[Case, _Seen]]) -> tuple[int, int]:
        total = count = 0
        for _, seen in chosen:
            definition = self.definitions[seen.lifecycle]
            can_return = any(t.kind is TriggerKind.RETURN for t in definition.triggers)
            if can_return and TriggerKind.DISPATCH in seen.kinds:
                total += 1
                count += TriggerKind.RETURN in seen.kinds
        return count, total
