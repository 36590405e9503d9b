"""Hypothesis state machines that property-test lifecycle configurations.

Needs the optional extra: ``pip install 'ruian_governance[hypothesis]'``.  Nothing else in the
package imports this module, so the package works without Hypothesis.

Each machine is a :class:`hypothesis.stateful.RuleBasedStateMachine` that opens a few cases in
a :class:`~ruian_governance.MemoryCaseStore` (with a
:class:`~ruian_governance.SimilarCaseLibrary` index) and drives them through random legal
commands (found by walking the engine, see :func:`ruian_governance.testing.strategies.commands`) and
illegal ones (wrong actor, wrong state, missing data, time going backwards) from random actors,
checking the library's invariants:

- a rejected command changes nothing: not the case, its history or version, not the store, not
  the similar-case library, not any other index; an illegal command is always rejected;
- an accepted command appends exactly one record, in time order, and never leaves a final
  state;
- replaying a case's history gives the case back;
- escalation never skips a level: the holding unit moves at most one level up at a time;
- jurisdiction is never crossed: the acting actor holds a role the reference rule allows,
  and its unit lies within the case's jurisdiction by the reference rule (checked here
  independently of the engine);
- deadlines never precede opening.

:class:`EventMachine`, :class:`DisputeMachine` and :class:`HazardMachine` drive the built-in
lifecycles on a small generated hierarchy; :class:`LifecycleMachine` drives any configuration.
Subclass one (or call :meth:`LifecycleMachine.configure`), point it at your hierarchy and
lifecycles, add invariants of your own with ``@invariant()``, and run its ``TestCase`` with
pytest or unittest, as for any Hypothesis state machine:

>>> from hypothesis import settings
>>> from hypothesis.stateful import run_state_machine_as_test
>>> from ruian_governance import EVENT_LIFECYCLE
>>> from ruian_governance.testing import EventMachine
>>> Mine = EventMachine.configure(lifecycles=[EVENT_LIFECYCLE.allow("verify", "village_cadre")])
>>> run_state_machine_as_test(Mine, settings=settings(max_examples=5, stateful_step_count=10,
...                                                   derandomize=True, database=None))

(in a test module: ``TestMine = Mine.TestCase``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any, ClassVar, NoReturn, TypeVar, cast

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ruian_governance.analysis import SimilarCaseLibrary
from ruian_governance.errors import ArgumentError, TransitionError
from ruian_governance.lifecycles import (
    DISPUTE_LIFECYCLE,
    EVENT_LIFECYCLE,
    HAZARD_LIFECYCLE,
    Engine,
    Jurisdiction,
    LifecycleDefinition,
)
from ruian_governance.models import Actor, Case, Hierarchy, Level
from ruian_governance.presets import RULES_2021, generate_hierarchy, with_staff
from ruian_governance.stores import MemoryCaseStore

from ._args import check_bound, need_type
from ._walk import DataValues, Fault, Opening, make_context, next_command, opened_case
from .strategies import datetimes

__all__ = [
    "CaseObserver",
    "DisputeMachine",
    "EventMachine",
    "HazardMachine",
    "LifecycleMachine",
    "default_hierarchy",
    "within_jurisdiction",
]

_M = TypeVar("_M", bound="LifecycleMachine")


@cache
def _default_times() -> st.SearchStrategy[datetime]:
    return datetimes()


@cache
def default_hierarchy() -> Hierarchy:
    """The small hierarchy the built-in machines use unless configured otherwise.

    Two towns, four villages, eight grids (no micro-grids), generated with seed 0, plus a
    village cadre 村社干部 in every village (so that village-level disputes can be mediated)
    and a task-force commander 专班指挥员 at the social-governance centre (so that disputes
    can get a task force), added by :func:`~ruian_governance.presets.with_staff`.

    >>> h = default_hierarchy()
    >>> len(h.towns), h.person("commander").posts[0].role
    (2, 'task_force_commander')
    >>> [p.id for p in h.people_of("t0001.v001", role="village_cadre")]
    ['cadre.t0001.v001']
    """
    return with_staff(generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0))


def within_jurisdiction(  # noqa: PLR0911 - one answer per rule
    hierarchy: Hierarchy, rule: Jurisdiction, case: Case, actor: Actor
) -> bool:
    """Whether ``actor``'s unit lies within ``case``'s jurisdiction by ``rule``.

    An implementation of :class:`~ruian_governance.Jurisdiction` written apart from the
    engine's, from the hierarchy's structure alone, so that the machines check the engine
    rather than repeat it.

    >>> from ruian_governance import builtin_engine
    >>> h = default_hierarchy()
    >>> worker = Actor.of(h, h.people_of("t0001.v001.g01")[0].id, "grid_worker")
    >>> from datetime import datetime
    >>> from ruian_governance import CHINA_STANDARD_TIME
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


def _violated(message: str) -> NoReturn:
    """Report a broken invariant: the machines' one raise outside the library's errors."""
    # AssertionError on purpose: Hypothesis and users' tests take it as a failed invariant.
    raise AssertionError(message)


def _expect(condition: bool, message: str) -> None:
    """Report a broken invariant unless ``condition``; unlike ``assert``, it holds under -O."""
    if not condition:
        _violated(message)


@attrs.define
class CaseObserver:
    """A :class:`~ruian_governance.CaseIndex` that counts what the case store tells it.

    The machines register one beside the similar-case library, to check that a rejected
    command reaches no index.
    """

    seen: dict[str, int] = attrs.field(factory=dict)

    def observe(self, case: Case) -> None:
        """Count one more observation of ``case``."""
        self.seen[case.id] = self.seen.get(case.id, 0) + 1


class _Opened:
    """A newly opened case, shown briefly in Hypothesis' reports."""

    __slots__ = ("case",)

    def __init__(self, case: Case) -> None:
        self.case = case

    def __repr__(self) -> str:
        case = self.case
        first = case.history[0]
        return (
            f"<case {case.id}: {case.lifecycle} {first.trigger!r} at {case.location_id} "
            f"by {first.actor}, {first.at.isoformat()}, severity {case.severity}>"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


class LifecycleMachine(RuleBasedStateMachine):
    """Drive cases of configured lifecycles through legal and illegal commands, checking invariants.

    Configure it with class attributes in a subclass, or with :meth:`configure`:

    Attributes:
        hierarchy: The hierarchy (default: :func:`default_hierarchy`).
        lifecycles: The lifecycle definitions to drive (required for this generic machine).
        references: Per lifecycle key, the definition whose roles and jurisdiction rules every
            accepted command must respect (the contract); triggers the reference lacks, and
            lifecycles without a reference, are checked against their own definition.  The
            built-in machines use the built-in definitions, so that an extension that lets a
            role act on a built-in trigger where the built-in rules would not is caught.
        library_lifecycles: Lifecycle keys the similar-case library files.
        max_cases: How many cases a run opens at most.
        faults: The kinds of illegal command to mix in (empty: legal commands only).
        times: Opening times (default: :func:`ruian_governance.testing.strategies.datetimes`).
        data_values: Command data value strategies (see
            :func:`ruian_governance.testing.strategies.command_data`).

    After every accepted command ``last_accepted`` holds ``(before, after)`` and
    :meth:`check_transition` is called; after a refused one ``last_refused`` holds the error.
    ``store``, ``engine``, ``library`` and ``case_ids`` are there for invariants of your own.
    """

    hierarchy: ClassVar[Hierarchy | None] = None
    lifecycles: ClassVar[tuple[LifecycleDefinition, ...]] = ()
    references: ClassVar[Mapping[str, LifecycleDefinition]] = {}
    library_lifecycles: ClassVar[tuple[str, ...]] = ("dispute",)
    max_cases: ClassVar[int] = 3
    faults: ClassVar[tuple[Fault, ...]] = tuple(Fault)
    times: ClassVar[st.SearchStrategy[datetime] | None] = None
    data_values: ClassVar[DataValues | None] = None

    def __init__(self) -> None:
        super().__init__()
        cls = type(self)
        if not cls.lifecycles:
            reason = (
                f"lifecycle definitions: set {cls.__name__}.lifecycles or use "
                f"{cls.__name__}.configure(lifecycles=[...])"
            )
            raise ArgumentError(argument="lifecycles", value=cls.lifecycles, reason=reason)
        self.hierarchy_used: Hierarchy = cls.hierarchy or default_hierarchy()
        self.engine = Engine(self.hierarchy_used, cls.lifecycles)
        self.library = SimilarCaseLibrary(
            self.hierarchy_used,
            lifecycles=[d for d in cls.lifecycles if d.key in cls.library_lifecycles],
        )
        self.observer = CaseObserver()
        self.store = MemoryCaseStore(self.engine, indexes=[self.library, self.observer])
        self.case_ids: list[str] = []
        self.last_accepted: tuple[Case, Case] | None = None
        self.last_refused: TransitionError | None = None
        self._commands = make_context(self.engine, None, cls.data_values, None)
        self._opening = Opening(
            ctx=self._commands,
            lifecycles=st.sampled_from(tuple(d.key for d in cls.lifecycles)),
            places=tuple(
                u.id
                for level in (Level.GRID, Level.MICRO_GRID)
                for u in self.hierarchy_used.units_at(level)
            ),
            times=_default_times() if cls.times is None else cls.times,
            categories=st.sampled_from(RULES_2021.keys),
            ids=st.just("C1"),
        )

    @classmethod
    def configure(  # noqa: PLR0913 - one keyword per setting
        cls: type[_M],
        *,
        hierarchy: Hierarchy | None = None,
        lifecycles: Iterable[LifecycleDefinition] | None = None,
        references: Mapping[str, LifecycleDefinition] | None = None,
        max_cases: int | None = None,
        faults: Iterable[Fault] | None = None,
        name: str | None = None,
    ) -> type[_M]:
        """Return a subclass with the given settings (the others inherited).

        Raises:
            ArgumentError: A setting of the wrong type, or ``max_cases`` below 1.
        """
        namespace: dict[str, Any] = {"__module__": cls.__module__}
        if hierarchy is not None:
            need_type("hierarchy", hierarchy, Hierarchy)
            namespace["hierarchy"] = hierarchy
        if lifecycles is not None:
            found = tuple(lifecycles)
            for definition in found:
                need_type("each lifecycle", definition, LifecycleDefinition)
            namespace["lifecycles"] = found
        if references is not None:
            namespace["references"] = dict(references)
        if max_cases is not None:
            check_bound("max_cases", max_cases, 1)
            namespace["max_cases"] = max_cases
        if faults is not None:
            namespace["faults"] = tuple(Fault(f) for f in faults)
        return cast("type[_M]", type(name or cls.__name__, (cls,), namespace))

    # ---------------------------------------------------------------- rules

    @precondition(lambda self: len(self.case_ids) < type(self).max_cases)
    @rule(data=st.data())
    def open_case(self, data: st.DataObject) -> None:
        """Open a case of a drawn lifecycle, by an actor allowed to open it."""
        how = attrs.evolve(self._opening, ids=st.just(f"C{len(self.case_ids) + 1}"))
        case = data.draw(opened_case(how).map(_Opened), label="case").case
        self.store.add(case)
        self.case_ids.append(case.id)
        self.last_accepted = None
        self._check_deadline(case)
        _expect(case.version == 0, f"a new case has version {case.version}")
        _expect(
            case.state == self.engine.lifecycle(case.lifecycle).initial.key,
            f"case {case.id} opened in {case.state!r}, not in the initial state",
        )

    @precondition(lambda self: bool(self.case_ids))
    @rule(data=st.data())
    def legal_command(self, data: st.DataObject) -> None:
        """Fire a legal command (one the engine accepts) on a drawn case."""
        case = self.store.get(data.draw(st.sampled_from(self.case_ids), label="case_id"))
        step = data.draw(next_command(self._commands, case, (), True), label="command")
        if step is None:  # a final state, or every guard refused: nothing legal to do
            self.last_accepted = None
            return
        try:
            after = self.store.apply(
                case.id, case.version, step.trigger, actor=step.actor, at=step.at, **step.data
            )
        except TransitionError as error:  # pragma: no cover - only with a nondeterministic guard
            _violated(f"the store refused a command the engine accepted: {error}")
        self.last_accepted = (case, after)
        self.last_refused = None
        self._check_accepted(case, after)
        self.check_transition(case, after)

    @precondition(lambda self: bool(self.case_ids) and bool(type(self).faults))
    @rule(data=st.data())
    def illegal_command(self, data: st.DataObject) -> None:
        """Fire an illegal command on a drawn case: it is refused and changes nothing."""
        case = self.store.get(data.draw(st.sampled_from(self.case_ids), label="case_id"))
        step = data.draw(
            next_command(self._commands, case, type(self).faults, False), label="command"
        )
        if step is None:  # pragma: no cover - legal=False always draws a command
            return
        stored = {cid: self.store.get(cid) for cid in self.case_ids}
        filed = {cid: self.library.entry(cid) for cid in self.case_ids}
        seen = dict(self.observer.seen)
        try:
            self.store.apply(
                case.id, case.version, step.trigger, actor=step.actor, at=step.at, **step.data
            )
        except TransitionError as error:
            self.last_refused = error
        else:
            fault = step.fault.value if step.fault else "?"
            _violated(f"an illegal command ({fault}) was accepted: {step}")
        self.last_accepted = None
        for cid, before in stored.items():
            now = self.store.get(cid)
            _expect(now is before, f"a rejected command changed case {cid}")
            _expect(
                now.history == before.history,
                f"a rejected command changed the history of case {cid}",
            )
            _expect(
                now.version == before.version,
                f"a rejected command changed the version of case {cid}",
            )
        _expect(
            filed == {cid: self.library.entry(cid) for cid in self.case_ids},
            "a rejected command changed the similar-case library",
        )
        _expect(seen == self.observer.seen, "a rejected command reached an index")

    # ---------------------------------------------------------------- invariants

    @invariant()
    def cases_replay_to_themselves(self) -> None:
        """Replaying every stored case's history gives the stored case back."""
        for case_id in self.case_ids:
            case = self.store.get(case_id)
            _expect(self.engine.replay(case.history) == case, f"replay of {case_id} differs")

    @invariant()
    def deadlines_never_precede_opening(self) -> None:
        """No stored case falls due before it was opened."""
        for case_id in self.case_ids:
            self._check_deadline(self.store.get(case_id))

    def check_transition(self, before: Case, after: Case) -> None:
        """Check one accepted command (``before`` -> ``after``); override to add checks.

        Called after the built-in checks of every accepted command; raise ``AssertionError``
        (or use ``assert``) to report a violation.  The default checks nothing more.
        """

    # ---------------------------------------------------------------- checks

    def _check_deadline(self, case: Case) -> None:
        _expect(
            case.due_at is None or case.due_at >= case.opened_at,
            f"case {case.id} falls due at {case.due_at} before it opened at {case.opened_at}",
        )

    def _check_accepted(self, before: Case, after: Case) -> None:
        h = self.hierarchy_used
        definition = self.engine.lifecycle(before.lifecycle)
        record = after.history[-1]
        _expect(
            before.state not in definition.final_states,
            f"final state {before.state!r} of case {before.id} was left by {record.trigger!r}",
        )
        _expect(
            after.version == before.version + 1,
            f"case {before.id}: version {before.version} -> {after.version}, not one more",
        )
        _expect(after.history[:-1] == before.history, "an accepted command rewrote history")
        _expect(
            record.seq == len(before.history),
            f"case {before.id}: record numbered {record.seq}, not {len(before.history)}",
        )
        _expect(
            (record.source, record.dest) == (before.state, after.state),
            f"case {before.id}: record {record.source} -> {record.dest}, "
            f"case {before.state} -> {after.state}",
        )
        _expect(record.at >= before.history[-1].at, "time went backwards in an accepted command")
        self._check_holder(before, after, record.trigger)
        reference = type(self).references.get(before.lifecycle, definition)
        rule = reference.transition(before.state, record.trigger) or definition.transition(
            before.state, record.trigger
        )
        if rule is not None:
            actor = record.actor
            _expect(
                actor.role in rule.roles,
                f"{actor} fired {record.trigger!r} on case {before.id} in {before.state!r}, but "
                f"the reference rule allows only {sorted(rule.roles)}",
            )
            _expect(
                within_jurisdiction(h, rule.jurisdiction, before, actor),
                f"{actor} fired {record.trigger!r} on case {before.id} in {before.state!r} "
                f"outside its jurisdiction ({rule.jurisdiction.label.en}: holder "
                f"{before.unit_id}, location {before.location_id}, assigned "
                f"{list(before.assignees)})",
            )

    def _check_holder(self, before: Case, after: Case, trigger: str) -> None:
        if after.unit_id == before.unit_id:
            return
        h = self.hierarchy_used
        parent = h.parent(before.unit_id)
        moved_up_one = parent is not None and parent.id == after.unit_id
        moved_down = any(u.id == before.unit_id for u in h.ancestors(after.unit_id))
        _expect(
            moved_up_one or moved_down,
            f"{trigger!r} moved case {before.id} from {before.unit_id} to {after.unit_id}: "
            "escalation skipped a level",
        )


class EventMachine(LifecycleMachine):
    """Drives the event closed loop 事件闭环 (:data:`~ruian_governance.EVENT_LIFECYCLE`).

    Configured with an extended event lifecycle, the built-in one stays the reference: an
    extension that lets a role act on a built-in trigger where the built-in rules would not
    is caught.
    """

    lifecycles = (EVENT_LIFECYCLE,)
    references: ClassVar[Mapping[str, LifecycleDefinition]] = {"event": EVENT_LIFECYCLE}


class DisputeMachine(LifecycleMachine):
    """Drives the dispute lifecycle 矛盾纠纷多元化解 (:data:`~ruian_governance.DISPUTE_LIFECYCLE`).

    The similar-case library 类案库 files its completed cases; rejected commands never reach it.
    """

    lifecycles = (DISPUTE_LIFECYCLE,)
    references: ClassVar[Mapping[str, LifecycleDefinition]] = {"dispute": DISPUTE_LIFECYCLE}


class HazardMachine(LifecycleMachine):
    """Drives hazard rectification 隐患整改 (:data:`~ruian_governance.HAZARD_LIFECYCLE`)."""

    lifecycles = (HAZARD_LIFECYCLE,)
    references: ClassVar[Mapping[str, LifecycleDefinition]] = {"hazard": HAZARD_LIFECYCLE}
