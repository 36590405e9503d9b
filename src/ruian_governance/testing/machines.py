"""Hypothesis state machines that property-test lifecycle configurations.

Needs the optional extra: ``pip install 'ruian_governance[hypothesis]'``.  Nothing else in the
package imports this module, so the package works without Hypothesis.

Each machine is a :class:`hypothesis.stateful.RuleBasedStateMachine` that opens a few cases in
a case store (a :class:`~ruian_governance.MemoryCaseStore` unless configured, with a
:class:`~ruian_governance.SimilarCaseLibrary` index) and drives them through legal commands
(found by walking the engine, see :func:`ruian_governance.testing.strategies.commands`),
illegal ones (wrong actor, wrong state, missing data, time going backwards) and commands on a
stale version, checking the library's invariants:

- a rejected command changes nothing: not the case, its history or version, not the store, not
  the similar-case library, not any other index; an illegal command is always rejected, and a
  command on a stale version with :class:`~ruian_governance.ConflictError`;
- the store records a legal command as it was given (trigger, actor, time, data);
- an accepted command appends exactly one record, in time order, and never leaves a final
  state (of the lifecycle or of its reference);
- replaying a case's history gives the case back;
- escalation never skips a level: the holding unit moves at most one level up at a time;
- the reference rule holds (checked here independently of the engine): the actor holds a role
  it allows and sits within its jurisdiction, the data has what it requires, its guards pass,
  and its effects give the case's new holder, assignees, severity, deadline and parties;
- no unit evaluates a case it was dispatched to (交办: it handled it);
- deadlines never precede opening;
- the analysis rates (on time, escalation, return, satisfaction) over the cases equal what the
  machine counts from the commands it saw accepted.

Runs are steered towards the transitions they have not yet taken (see
:attr:`~LifecycleMachine.steer`), so that every transition of the built-in lifecycles is
reached within the documented budget (:data:`ruian_governance.testing.budget.BUDGET`).

:class:`EventMachine`, :class:`DisputeMachine` and :class:`HazardMachine` drive the built-in
lifecycles on a small generated hierarchy; :class:`LifecycleMachine` drives any configuration.
Subclass one (or call :meth:`LifecycleMachine.configure`), point it at your hierarchy and
lifecycles, add invariants of your own with ``@invariant()``, and run its ``TestCase`` with
pytest or unittest, as for any Hypothesis state machine:

>>> from hypothesis import settings
>>> from hypothesis.stateful import run_state_machine_as_test
>>> from ruian_governance import EVENT_LIFECYCLE
>>> from ruian_governance.testing import EventMachine
>>> Mine = EventMachine.configure(lifecycles=[EVENT_LIFECYCLE], max_cases=2)
>>> run_state_machine_as_test(Mine, settings=settings(max_examples=5, stateful_step_count=10,
...                                                   derandomize=True, database=None))

(in a test module: ``TestMine = Mine.TestCase``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache, partial
from typing import Any, ClassVar, NoReturn, TypeVar, cast

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ruian_governance.analysis import SimilarCaseLibrary
from ruian_governance.errors import (
    ArgumentError,
    ConflictError,
    RuianGovernanceError,
    TransitionError,
)
from ruian_governance.lifecycles import (
    DISPUTE_LIFECYCLE,
    EVENT_LIFECYCLE,
    HAZARD_LIFECYCLE,
    LifecycleDefinition,
    TriggerKind,
)
from ruian_governance.models import Case, DataValue, Hierarchy
from ruian_governance.stores import CaseStore, MemoryCaseStore

from ._args import check_bound, need_type
from ._dive import accepted_now, asked_dive_step, enablers
from ._oracle import (
    DEFAULT_RATES,
    RATE_NAMES,
    Ledger,
    RateFunction,
    against_reference,
    deadline_problem,
    follows_from,
    within_jurisdiction,
)
from ._steer import Edge, Steering
from ._values import draw, indexes
from ._walk import (
    Asked,
    DataValues,
    Fault,
    Step,
    admitted,
    asked_command,
    opened_case,
)
from ._world import (
    CaseObserver,
    Opened,
    StoreFactory,
    default_hierarchy,
    shared_world,
)

__all__ = [
    "DEFAULT_RATES",
    "RATE_NAMES",
    "CaseObserver",
    "DisputeMachine",
    "EventMachine",
    "HazardMachine",
    "LifecycleMachine",
    "RateFunction",
    "StoreFactory",
    "default_hierarchy",
    "within_jurisdiction",
]

_M = TypeVar("_M", bound="LifecycleMachine")

_BURST = 4
"""Most legal commands one ``legal_command`` step fires on its case (a drawn number)."""

_RATES_KEPT = 16_384
"""How many rates over equal cases a machine class keeps (then it starts afresh)."""

_DEPTH = 8
"""Most legal commands ``open_case`` fires on the case it opened, after its dive (a drawn
number, often 0)."""

_OPEN_COMMANDS = st.integers(0, _DEPTH)
_LEGAL_COMMANDS = st.integers(1, _BURST)
_BOOLEANS = st.booleans()


def _violated(message: str) -> NoReturn:
    """Report a broken invariant: the machines' one raise outside the library's errors."""
    # AssertionError on purpose: Hypothesis and users' tests take it as a failed invariant.
    raise AssertionError(message)


def _never(_case: Case) -> bool:
    return False


@lru_cache(maxsize=256)
def _among(ids: tuple[str, ...]) -> st.SearchStrategy[str]:
    """One of ``ids``, by a strategy built once per tuple (runs meet the same ones often)."""
    return st.sampled_from(ids)


def _expect(condition: bool, message: str) -> None:
    """Report a broken invariant unless ``condition``; unlike ``assert``, it holds under -O."""
    if not condition:
        _violated(message)


def _expect_none(problem: str | None) -> None:
    """Report ``problem``, a broken invariant, if there is one."""
    if problem is not None:
        _violated(problem)


class LifecycleMachine(RuleBasedStateMachine):
    """Drive cases of configured lifecycles through legal and illegal commands, checking invariants.

    Configure it with class attributes in a subclass, or with :meth:`configure`:

    Attributes:
        hierarchy: The hierarchy (default: :func:`default_hierarchy`).
        lifecycles: The lifecycle definitions to drive (required for this generic machine).
        references: Per lifecycle key, the definition whose rules every accepted command must
            respect (the contract): its roles, jurisdiction, required data and guards, the
            changes its effects make, and its final states.  Triggers the reference lacks in
            the case's state, and lifecycles without a reference, are checked against their own
            definition.  The built-in machines use the built-in definitions, so that an
            extension that changes what a built-in trigger allows or does is caught.
        library_lifecycles: Lifecycle keys the similar-case library files.
        max_cases: How many cases a run opens at most.
        faults: The kinds of illegal command to mix in (empty: legal commands only).
        times: Opening times (default: :func:`ruian_governance.testing.strategies.datetimes`).
        data_values: Command data value strategies (see
            :func:`ruian_governance.testing.strategies.command_data`).
        store_factory: Builds the case store: called as ``store_factory(engine, indexes=...)``
            (default: :class:`~ruian_governance.MemoryCaseStore`; a store class of yours with
            that signature will do).
        rates: The analysis rates to check after every step that changed a case, by name
            (of :data:`RATE_NAMES`): each must equal the machine's own count from the commands
            it saw accepted.  Give your own rate function under a name to have it checked.
        steer: Whether to steer each run towards the transitions it has not yet taken
            (default: yes).  The first case of a run tries such transitions of its state
            first; the others each pursue a drawn goal transition; a guard that refuses such a
            transition is tried again when the case falls due.  Only the run's own history
            steers it, so Hypothesis replays and shrinks runs as usual.

    After every accepted command ``last_accepted`` holds ``(before, after)`` and
    :meth:`check_transition` is called; after a refused one ``last_refused`` holds the error.
    ``store``, ``engine``, ``library``, ``case_ids`` and ``reached`` (the transitions taken
    in this run, as ``(lifecycle, source, trigger)`` with source ``None`` for an opening) are
    there for invariants of your own.
    """

    hierarchy: ClassVar[Hierarchy | None] = None
    lifecycles: ClassVar[tuple[LifecycleDefinition, ...]] = ()
    references: ClassVar[Mapping[str, LifecycleDefinition]] = {}
    library_lifecycles: ClassVar[tuple[str, ...]] = ("dispute",)
    max_cases: ClassVar[int] = 4
    faults: ClassVar[tuple[Fault, ...]] = tuple(Fault)
    times: ClassVar[st.SearchStrategy[datetime] | None] = None
    data_values: ClassVar[DataValues | None] = None
    store_factory: ClassVar[StoreFactory | None] = None
    rates: ClassVar[Mapping[str, RateFunction]] = DEFAULT_RATES
    steer: ClassVar[bool] = True

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
        world = shared_world(self.hierarchy_used, cls.lifecycles, cls.data_values, cls.times)
        self.engine, self._commands, self._opening = world.engine, world.commands, world.opening
        self._world = world
        self.library = SimilarCaseLibrary(
            self.hierarchy_used,
            lifecycles=[d for d in cls.lifecycles if d.key in cls.library_lifecycles],
        )
        self.observer = CaseObserver()
        indexes = (self.library, self.observer)
        factory = cls.store_factory
        self.store: CaseStore = (
            MemoryCaseStore(self.engine, indexes=indexes)
            if factory is None
            else factory(self.engine, indexes=indexes)
        )
        self.case_ids: list[str] = []
        self.last_accepted: tuple[Case, Case] | None = None
        self.last_refused: TransitionError | None = None
        self._definitions = self.engine.lifecycles
        self._steering = Steering(self._definitions, world.geometry, self.hierarchy_used)
        self.reached: set[Edge] = self._steering.reached
        self._ledger = Ledger(self._definitions)
        self._handlers: dict[str, set[str]] = {}
        self._replayed: dict[str, Case] = {}
        self._asked = Asked()
        self._asked_command = asked_command(self._asked)
        self._asked_dive = asked_dive_step(self._asked)
        self._counted: list[Case] = []
        self._replaying = False

    @classmethod
    def configure(  # noqa: PLR0913 - one keyword per setting
        cls: type[_M],
        *,
        hierarchy: Hierarchy | None = None,
        lifecycles: Iterable[LifecycleDefinition] | None = None,
        references: Mapping[str, LifecycleDefinition] | None = None,
        max_cases: int | None = None,
        faults: Iterable[Fault] | None = None,
        store_factory: StoreFactory | None = None,
        rates: Mapping[str, RateFunction] | None = None,
        name: str | None = None,
    ) -> type[_M]:
        """Return a subclass with the given settings (the others inherited).

        Raises:
            ArgumentError: A setting of the wrong type, ``max_cases`` below 1, or a rate
                name not in :data:`RATE_NAMES`.
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
        if store_factory is not None:
            given: object = store_factory
            if not callable(given):
                reason = "a callable (engine, indexes=...) -> CaseStore"
                raise ArgumentError(argument="store_factory", value=store_factory, reason=reason)
            namespace["store_factory"] = staticmethod(store_factory)
        if rates is not None:
            unknown = sorted(set(rates) - set(RATE_NAMES))
            if unknown:
                reason = f"rate names among {list(RATE_NAMES)}"
                raise ArgumentError(argument="rates", value=unknown, reason=reason)
            namespace["rates"] = dict(rates)
        return cast("type[_M]", type(name or cls.__name__, (cls,), namespace))

    # ---------------------------------------------------------------- rules

    @precondition(lambda self: len(self.case_ids) < type(self).max_cases)
    @rule(data=st.data())
    def open_case(self, data: st.DataObject) -> None:
        """Open a case of a drawn lifecycle, by an actor allowed to open it.

        Then dive it to a drawn open state of its lifecycle (often its initial one: no
        dive), by the first legal command on the way at each state (a verified replay of a
        legal prefix, each command checked as any other), so that runs reach deep states
        within their steps and a counterexample deep in a lifecycle shrinks quickly; then fire
        a drawn number of steered legal commands on it (often none).
        """
        how = attrs.evolve(self._opening, ids=st.just(f"C{len(self.case_ids) + 1}"))
        fresh = self._steering.fresh_openings() if type(self).steer else {}
        case = self.store.add(draw(data, opened_case(how, fresh).map(Opened), "case").case)
        self.case_ids.append(case.id)
        self.last_accepted = None
        self._check_deadline(case)
        _expect(case.version == 0, f"a new case has version {case.version}")
        _expect(
            case.state == self.engine.lifecycle(case.lifecycle).initial.key,
            f"case {case.id} opened in {case.state!r}, not in the initial state",
        )
        self._steering.opened(case)
        self._handlers[case.id] = set(case.assignees)
        self._ledger.opened(case)
        case = self._dive(data, case)
        self._walk(data, case, draw(data, _OPEN_COMMANDS, "commands"))

    @precondition(lambda self: bool(self.case_ids))
    @rule(data=st.data())
    def legal_command(self, data: st.DataObject) -> None:
        """Fire legal commands (ones the engine accepts) on a drawn case, a drawn number of them.

        When steering, the case is drawn among those that can still reach a transition not yet
        taken in this run (if any), and the commands are steered (see :attr:`steer`).
        """
        ids = self.case_ids
        if type(self).steer and not self._replaying:
            ids = [cid for cid in ids if self._steering.can_take(self.store.get(cid))] or ids
        case = self.store.get(draw(data, _among(tuple(ids)), "case_id"))
        self._walk(data, case, draw(data, _LEGAL_COMMANDS, "commands"))

    @precondition(lambda self: bool(self.case_ids) and bool(type(self).faults))
    @rule(data=st.data())
    def refused_command(self, data: st.DataObject) -> None:
        """Fire an illegal command on a drawn case: it is refused and changes nothing."""
        case = self.store.get(draw(data, _among(tuple(self.case_ids)), "case_id"))
        step = self._command(data, "command", case, type(self).faults, False)
        if step is None:  # pragma: no cover - legal=False always draws a command
            return
        before = self._snapshot()
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
        self._unchanged(before, "a rejected command")

    @precondition(lambda self: bool(self.case_ids))
    @rule(data=st.data())
    def stale_command(self, data: st.DataObject) -> None:
        """Two commands on one version of a case: the first is stored, the second refused.

        As two clerks who read the same version would: the second write (through the store's
        ``apply`` or ``save``) must raise :class:`~ruian_governance.ConflictError` and change
        nothing.
        """
        case = self.store.get(draw(data, _among(tuple(self.case_ids)), "case_id"))
        first = self._command(data, "command", case, (), True, prefer=self._tiers(data, case))
        if first is None:
            self.last_accepted = None
            return
        second = self._command(data, "stale_command", case, (), True)
        after = self._fire(case, first)
        if second is None:
            return
        via_save = draw(data, _BOOLEANS, "via_save")
        before = self._snapshot()
        try:
            if via_save:
                self.store.save(second.apply(self.engine, case), expected_version=case.version)
            else:
                self.store.apply(case.id, case.version, second.trigger, actor=second.actor,
                                 at=second.at, **second.data)  # fmt: skip
        except RuianGovernanceError as error:
            if not isinstance(error, ConflictError):  # a stale version is a conflict, only
                _violated(
                    f"a command on stale version {case.version} of case {case.id} was refused "
                    f"with {type(error).__name__}, not ConflictError: {error}"
                )
        else:
            _violated(
                f"the store accepted {second} on stale version {case.version} of case "
                f"{case.id} (stored: version {after.version})"
            )
        self._unchanged(before, "a refused stale command")

    # ---------------------------------------------------------------- invariants

    @invariant()
    def cases_replay_to_themselves(self) -> None:
        """Replaying every stored case's history gives the stored case back.

        A case is replayed once per stored version (the store hands out the same object
        until a command changes it), and once per machine class for equal cases (a replay is
        a function of the history: the runs of a class, and their shrinking, meet equal cases
        often).
        """
        commands = self._commands
        for case_id in self.case_ids:
            case = self.store.get(case_id)
            if self._replayed.get(case_id) is case:
                continue
            if not commands.replays_to_itself(case):
                _violated(f"replay of {case_id} differs")
            self._replayed[case_id] = case

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

    # ---------------------------------------------------------------- steps

    def _dive(self, data: st.DataObject, case: Case) -> Case:
        """Take ``case`` to a drawn open state by the first legal commands on the way."""
        geometry = self._world.geometry[case.lifecycle]
        states = geometry.dives
        if not states[1:]:
            return case
        # positions past the states keep the case where it is: a third of the cases do not dive
        at = draw(data, indexes(len(states) + len(states) // 2), "deeper")
        target = states[at] if at < len(states) else case.state
        distance = geometry.distance.get(target, {})
        while case.state != target:
            self._asked.args = (self._commands, case, distance, geometry.forward)
            self._asked.kwargs = {}
            step = self._draw_step(data, self._asked_dive, "command", case)
            if step is None:
                break
            case = self._fire(case, step)
        return case

    def _walk(self, data: st.DataObject, case: Case, commands: int) -> None:
        """Fire up to ``commands`` legal commands on ``case``, steered, each checked."""
        hurry = self._steering.hurrying if type(self).steer else _never
        for _ in range(commands):
            prefer = self._tiers(data, case)
            step = self._command(data, "command", case, (), True, prefer=prefer, hurry=hurry(case))
            if step is None:  # a final state, or every guard refused: nothing legal to do
                return
            case = self._fire(case, step)

    def _command(  # noqa: PLR0913 - the draw, and the walk's arguments
        self,
        data: st.DataObject,
        label: str,
        case: Case,
        faults: tuple[Fault, ...],
        legal: bool,
        *,
        prefer: tuple[frozenset[str], ...] = (),
        hurry: bool = False,
    ) -> Step | None:
        """The next command for ``case``: ``next_command``'s draws by one strategy (``Asked``)."""
        self._asked.args = (self._commands, case, faults, legal)
        self._asked.kwargs = {"prefer": prefer, "hurry": hurry}
        return self._draw_step(data, self._asked_command, label, case)

    def _draw_step(
        self, data: st.DataObject, strategy: st.SearchStrategy[Step | None], label: str, case: Case
    ) -> Step | None:
        """A command for ``case``; in a replay (``_shrink``'s), the next recorded one admitted."""
        if not self._replaying:
            return draw(data, strategy, label)
        admit = partial(admitted, self._commands, case)
        return cast("Step | None", cast("Any", data).draw(strategy, label=label, admit=admit))

    def _tiers(self, data: st.DataObject, case: Case) -> tuple[frozenset[str], ...]:
        """The triggers to try first on ``case`` (none unless steering)."""
        if not type(self).steer or self._replaying:
            return ()
        return self._steering.tiers(data, case, self._accepts, self._enablers)

    def _accepts(self, case: Case, trigger: str) -> bool:
        """Whether the engine would accept ``trigger`` on ``case`` now (for the steering)."""
        return accepted_now(self._commands, case, trigger)

    def _enablers(self, case: Case, trigger: str, among: frozenset[str]) -> frozenset[str]:
        """Which of ``among`` would let ``trigger`` be accepted on ``case`` (for the steering)."""
        return enablers(self._commands, case, trigger, sorted(among))

    def _fire(self, case: Case, step: Step) -> Case:
        """Store a legal command through the store, check it and note what it did."""
        try:
            after = self.store.apply(
                case.id, case.version, step.trigger, actor=step.actor, at=step.at, **step.data
            )
        except (TransitionError, ConflictError) as error:
            _violated(f"the store refused a command the engine accepted: {error}")
        record = after.history[-1]
        given = (step.trigger, step.actor, step.at, dict(step.data))
        _expect(
            (record.trigger, record.actor, record.at, dict(record.data)) == given,
            f"the store recorded {record.trigger!r} by {record.actor} at "
            f"{record.at.isoformat()} with {dict(record.data)}, not as commanded: {step}",
        )
        self.last_accepted = (case, after)
        self.last_refused = None
        self._check_accepted(case, after, step.data)
        self._steering.taken(case, step.trigger)
        if self._definitions[case.lifecycle].trigger(step.trigger).kind is TriggerKind.DISPATCH:
            self._handlers[case.id].update(after.assignees)  # dispatched 交办 to them: handlers
        self._ledger.accepted(case, step.trigger, after.state, step.at, step.data)
        self.check_transition(case, after)
        return after

    def _snapshot(self) -> tuple[dict[str, Case], dict[str, Any], dict[str, int]]:
        """The stored cases, the library's entries and the observer's counts."""
        return (
            {cid: self.store.get(cid) for cid in self.case_ids},
            {cid: self.library.entry(cid) for cid in self.case_ids},
            dict(self.observer.seen),
        )

    def _unchanged(
        self, before: tuple[dict[str, Case], dict[str, Any], dict[str, int]], what: str
    ) -> None:
        """Check that the store and its indexes are as in the ``before`` snapshot."""
        stored, filed, seen = before
        for cid, case in stored.items():
            now = self.store.get(cid)
            _expect(now == case, f"{what} changed case {cid}")
            _expect(now.history == case.history, f"{what} changed the history of case {cid}")
            _expect(now.version == case.version, f"{what} changed the version of case {cid}")
        _expect(
            filed == {cid: self.library.entry(cid) for cid in self.case_ids},
            f"{what} changed the similar-case library",
        )
        _expect(seen == self.observer.seen, f"{what} reached an index")

    # ---------------------------------------------------------------- checks

    def _check_deadline(self, case: Case) -> None:
        _expect_none(deadline_problem(case))

    @invariant()
    def rates_match_the_commands(self) -> None:
        """Every configured rate over the stored cases equals the machine's own recount.

        A rate is a function of the cases: it is computed once per machine class for equal
        cases (the runs of a class, and their shrinking, meet equal cases often).
        """
        rates = type(self).rates
        cases = [self.store.get(cid) for cid in self.case_ids]
        counted = self._counted
        same = len(counted) == len(cases) and all(
            a is b for a, b in zip(counted, cases, strict=True)
        )  # nothing changed since the last count (the store hands out the same objects)
        if not rates or not cases or same:
            return
        self._counted = cases
        keys = tuple(self._commands.key_of(case) for case in cases)
        kept = self._world.rates if None not in keys else {}
        for name, function in rates.items():
            asked = (name, function, keys)
            got = kept.get(asked)
            if got is None:
                got = function(cases, lifecycles=self._definitions)
                if len(kept) > _RATES_KEPT:
                    kept.clear()
                kept[asked] = got
            want = self._ledger.expected(name, cases)
            _expect(
                (got.count, got.total) == (want.count, want.total),
                f"the {name} rate over the cases is {got}, but their commands give {want}",
            )

    def _check_accepted(self, before: Case, after: Case, data: Mapping[str, DataValue]) -> None:
        definition = self._definitions[before.lifecycle]
        reference = type(self).references.get(before.lifecycle, definition)
        h = self.hierarchy_used
        _expect_none(follows_from(h, definition, reference, before, after))
        record = after.history[-1]
        if definition.trigger(record.trigger).kind is TriggerKind.EVALUATE:
            handled = self._handlers[before.id]
            _expect(
                record.actor.unit_id not in handled,
                f"{record.actor} evaluated case {before.id}, which its own unit handled "
                f"(assigned over time: {sorted(handled)})",
            )
        rule = reference.transition(before.state, record.trigger) or definition.transition(
            before.state, record.trigger
        )
        if rule is not None:
            _expect_none(
                against_reference(h, definition, rule, before=before, after=after, data=data)
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
