"""A catalogue of planted wrong rules: small user-style extensions the machines must find.

Needs the optional extra: ``pip install 'ruian_governance[hypothesis]'``.

Each :class:`Plant` is a mistake a town or an integrator could plausibly make when extending
the library (a role allowed too much, a jurisdiction widened, a guard that always passes, a
store that ignores versions, a rate that miscounts...), written the way a user would write it:
a lifecycle extension, a store subclass, an analysis function, given to a shipped machine.
:data:`PLANTS` holds them all; ``plant.machine()`` builds the machine with the mistake in it,
and :meth:`Plant.found` runs it at a budget and says whether the machine found *that* mistake
(the failure message names the check that caught it).  The test suite requires each to be
found at :data:`~ruian_governance.testing.budget.BUDGET` in at least 19 of 20 seeds.

>>> [p.key for p in PLANTS][:3]
['wrong_role', 'widened_jurisdiction', 'skipped_level']
>>> plant("wrong_role").machine().__name__
'StationsClose'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, timedelta
from typing import Any

import attrs
from hypothesis import Phase, settings

from ruian_governance.analysis import Rate
from ruian_governance.errors import UnknownIdError
from ruian_governance.labels import Label
from ruian_governance.lifecycles import (
    DISPUTE_LIFECYCLE,
    EVENT_LIFECYCLE,
    CommandContext,
    Effect,
    Guard,
    Jurisdiction,
    LifecycleDefinition,
    State,
    Transition,
    Trigger,
    TriggerKind,
)
from ruian_governance.models import CHINA_STANDARD_TIME, Actor, Case, DataValue
from ruian_governance.stores import MemoryCaseStore

from .budget import BUDGET, run_machine
from .machines import DisputeMachine, EventMachine, LifecycleMachine, _violated

__all__ = ["PLANTS", "Plant", "plant"]


@attrs.frozen(kw_only=True)
class Plant:
    """A planted wrong rule, the machine that carries it, and how its finding reads.

    Args:
        key: A short name.
        wrong: What is wrong, in a sentence.
        zh: The same, in Chinese.
        found_by: The machine's check that finds it.
        expect: Fragments of the failure message; the finding must contain one of them (so
            that a failure of another check does not count as finding this mistake).
        build: Builds the machine class with the mistake in it.
    """

    key: str
    wrong: str
    zh: str
    found_by: str
    expect: tuple[str, ...]
    build: Callable[[], type[LifecycleMachine]] = attrs.field(eq=False, repr=False)

    def machine(self) -> type[LifecycleMachine]:
        """The machine class with the mistake planted."""
        return self.build()

    def found(self, *, seed: int | None = None, budget: settings = BUDGET) -> bool:
        """Whether the machine finds this mistake at ``budget`` (first failure, no shrinking).

        Raises:
            AssertionError: The machine failed, but not with this plant's finding.
        """
        quick = settings(budget, phases=[Phase.explicit, Phase.generate])
        finding = run_machine(self.machine(), seed=seed, budget=quick, shrink=False)
        if finding is None:
            return False
        if not any(fragment in finding.message for fragment in self.expect):
            _violated(f"plant {self.key!r} failed another check: {finding.message}")
        return True


# --------------------------------------------------------------------------- helpers


def _lab(en: str, zh: str) -> Label:
    return Label(en=en, zh=zh)


def _redeclared(
    definition: LifecycleDefinition, trigger: str, **changes: Any
) -> LifecycleDefinition:
    """``definition`` with the transitions of ``trigger`` written again, with ``changes``.

    As a user would: ``extend(remove_triggers=[...], transitions=[...])``.
    """
    again = [attrs.evolve(t, **changes) for t in definition.transitions if t.trigger == trigger]
    return definition.extend(remove_triggers=[trigger], transitions=again)


# --------------------------------------------------------------------------- the plants


def _stations_close() -> type[LifecycleMachine]:
    # "the handling station closes the event itself" (办结 is the command room's)
    rules = EVENT_LIFECYCLE.allow("close", "station_officer")
    return EventMachine.configure(lifecycles=[rules], name="StationsClose")


def _any_station_signs() -> type[LifecycleMachine]:
    # "any station of the town may sign for the event", not only the one it was assigned to
    rules = _redeclared(EVENT_LIFECYCLE, "sign", jurisdiction=Jurisdiction.TOWN)
    return EventMachine.configure(lifecycles=[rules], name="AnyStationSigns")


def _to_the_city(command: CommandContext) -> Mapping[str, Any]:
    return {"unit_id": command.hierarchy.city.id}


def _straight_to_the_city() -> type[LifecycleMachine]:
    # "an escalated dispute goes straight to the city" (逐级上移 is one level at a time)
    # the built-in escalation (severity, deadline) is kept; the holder is then set to the city
    to_city = Effect(key="to_city", label=_lab("to the city", "上交市级"), apply=_to_the_city)
    (escalate,) = (t for t in DISPUTE_LIFECYCLE.transitions if t.trigger == "escalate")
    rules = _redeclared(DISPUTE_LIFECYCLE, "escalate", effects=(*escalate.effects, to_city))
    return DisputeMachine.configure(lifecycles=[rules], name="StraightToTheCity")


def _reopened_after_evaluation() -> type[LifecycleMachine]:
    # "an evaluated event may be reopened, or archived": 评价 made non-final, 归档 the new end
    event = EVENT_LIFECYCLE
    rules = attrs.evolve(
        event,
        states=(
            *(attrs.evolve(s, final=False) if s.key == "evaluated" else s for s in event.states),
            State(key="archived", label=_lab("archived", "归档"), final=True),
        ),
        triggers=(*event.triggers, Trigger(key="reopen", label=_lab("reopen", "重新办理")),
                  Trigger(key="archive", label=_lab("archive", "归档"))),
        transitions=(
            *event.transitions,
            Transition(trigger="reopen", sources=["evaluated"], dest="in_progress",
                       roles={"command_room_operator"}, jurisdiction=Jurisdiction.HOLDER,
                       requires={"reason"}),
            Transition(trigger="archive", sources=["evaluated"], dest="archived",
                       roles={"command_room_operator"}, jurisdiction=Jurisdiction.HOLDER),
        ),
    )  # fmt: skip
    return EventMachine.configure(lifecycles=[rules], name="ReopenedAfterEvaluation")


def _due_counted_back(command: CommandContext) -> Mapping[str, Any]:
    # three days *before* the report, where three days after was meant
    return {"due_at": command.case.opened_at - timedelta(days=3)}


def _deadline_counted_back() -> type[LifecycleMachine]:
    early = Effect(key="due_in_3_days", label=_lab("due in 3 days", "3日内办结"),
                   apply=_due_counted_back)  # fmt: skip
    rules = _redeclared(EVENT_LIFECYCLE, "accept", effects=(early,))
    return EventMachine.configure(lifecycles=[rules], name="DeadlineCountedBack")


def _signer_only(command: CommandContext) -> Mapping[str, Any]:
    return {"assignees": (command.actor.unit_id,)}


def _signer_keeps_it() -> type[LifecycleMachine]:
    # joint handling 联合处置: the first station to sign a jointly dispatched event drops the others
    mine = Effect(key="signer_handles", label=_lab("the signer handles it", "签收单位承办"),
                  apply=_signer_only)  # fmt: skip
    rules = _redeclared(EVENT_LIFECYCLE, "sign", effects=(mine,))
    return EventMachine.configure(lifecycles=[rules], name="SignerKeepsIt")


def _stations_rate_themselves() -> type[LifecycleMachine]:
    # "the handling station records its own evaluation 自评 of a closed event"
    rules = EVENT_LIFECYCLE.extend(
        triggers=[Trigger(key="self_assess", label=_lab("self-assessment", "自评"),
                          kind=TriggerKind.EVALUATE)],
        transitions=[
            Transition(trigger="self_assess", sources=["closed"], dest="evaluated",
                       roles={"station_officer"}, jurisdiction=Jurisdiction.ASSIGNED,
                       requires={"stars"}),
        ],
    )  # fmt: skip
    return EventMachine.configure(lifecycles=[rules], name="StationsRateThemselves")


def _past_the_report(command: CommandContext) -> bool:
    # meant: "the case is past its deadline"; compares with the report instead: always true
    return command.at >= command.case.opened_at


def _supervise_any_time() -> type[LifecycleMachine]:
    overdue = Guard(key="overdue", label=_lab("overdue", "已超期"), check=_past_the_report)
    rules = _redeclared(EVENT_LIFECYCLE, "supervise", guards=(overdue,))
    return EventMachine.configure(lifecycles=[rules], name="SuperviseAnyTime")


def _return_without_reason() -> type[LifecycleMachine]:
    # "a station may return an event without saying why" (退回 needs a reason)
    rules = _redeclared(
        EVENT_LIFECYCLE, "return", requires=frozenset(), accepts=frozenset({"reason"})
    )
    return EventMachine.configure(lifecycles=[rules], name="ReturnWithoutReason")


class DeviceClockStore(MemoryCaseStore):
    """A store that stamps commands with the device's clock, read as Beijing time (it is UTC).

    A planted mistake: every command is recorded 8 hours before it was given, so time runs
    backwards (the engine refuses a command stamped before the case's last record).
    """

    def apply(
        self, case_id: str, expected_version: int, trigger: str, *, actor: Actor,
        at: Any = None, **data: DataValue,
    ) -> Case:  # fmt: skip
        """Fire the command, stamped with the device's time."""
        if at is not None:
            at = at.astimezone(UTC).replace(tzinfo=CHINA_STANDARD_TIME)
        return super().apply(case_id, expected_version, trigger, actor=actor, at=at, **data)


def _device_clock() -> type[LifecycleMachine]:
    return EventMachine.configure(store_factory=DeviceClockStore, name="DeviceClock")


class LastWriterWinsStore(MemoryCaseStore):
    """A store that "retries" a conflicting write on the current version: the last writer wins.

    A planted mistake: a command given on a stale version is applied to the stored one, so one
    clerk's decision silently follows another's it never saw.
    """

    def apply(
        self, case_id: str, expected_version: int, trigger: str, *, actor: Actor,
        at: Any = None, **data: DataValue,
    ) -> Case:  # fmt: skip
        """Fire the command on the stored version, whatever version it was given for."""
        current = self.get(case_id).version if case_id in self else expected_version
        return super().apply(case_id, current, trigger, actor=actor, at=at, **data)

    def save(self, case: Case, *, expected_version: int) -> Case:
        """Store ``case``'s last command on the stored version, whatever version it followed."""
        try:
            stored = self.get(case.id)
        except UnknownIdError:
            return super().save(case, expected_version=expected_version)
        last = case.history[-1]
        return self.apply(case.id, stored.version, last.trigger, actor=last.actor, at=last.at,
                          **dict(last.data))  # fmt: skip


def _last_writer_wins() -> type[LifecycleMachine]:
    return EventMachine.configure(store_factory=LastWriterWinsStore, name="LastWriterWins")


def on_time_when_final(
    cases: Iterable[Case], /, *, lifecycles: Mapping[str, LifecycleDefinition]
) -> Rate:
    """A dashboard's on-time rate 按期办结率 that counts a case closed once it is *final*.

    A planted mistake: 办结 (closing) is not 评价 (final), so closed events awaiting their
    evaluation are left out, and events refused 不予受理 are counted as closed.
    """
    count = total = 0
    for case in cases:
        if case.state in lifecycles[case.lifecycle].final_states:
            total += 1
            count += case.due_at is None or case.last.at < case.due_at
    return Rate(count=count, total=total)


def _final_means_closed() -> type[LifecycleMachine]:
    return EventMachine.configure(rates={"on_time": on_time_when_final}, name="FinalMeansClosed")


PLANTS: tuple[Plant, ...] = (
    Plant(key="wrong_role", wrong="a station may close (办结) an event",
          zh="站所可自行办结事件", found_by="the reference rule's roles",
          expect=("reference rule allows only",), build=_stations_close),
    Plant(key="widened_jurisdiction", wrong="any station of the town may sign for an event",
          zh="同镇任一站所可签收", found_by="the reference rule's jurisdiction",
          expect=("outside its jurisdiction",), build=_any_station_signs),
    Plant(key="skipped_level", wrong="an escalated dispute goes straight to the city",
          zh="矛盾纠纷越级上交市级", found_by="escalation never skips a level",
          expect=("skipped a level",), build=_straight_to_the_city),
    Plant(key="final_left", wrong="an evaluated event may be reopened",
          zh="已评价事件可重新办理", found_by="a final state (of the reference) is never left",
          expect=("was left by",), build=_reopened_after_evaluation),
    Plant(key="deadline_before_opening", wrong="accepting an event sets a deadline counted back",
          zh="受理时期限倒算", found_by="deadlines never precede opening",
          expect=("before it opened",), build=_deadline_counted_back),
    Plant(key="lost_assignee", wrong="the first station to sign a joint event drops the others",
          zh="联合交办后先签收单位独占", found_by="the reference rule's effects (assignees)",
          expect=("its assignees became",), build=_signer_keeps_it),
    Plant(key="self_evaluation", wrong="the handling station evaluates its own work",
          zh="承办站所自评", found_by="no unit evaluates a case it handled",
          expect=("which its own unit handled",), build=_stations_rate_themselves),
    Plant(key="guard_always_passes", wrong="supervision's overdue guard always passes",
          zh="督办超期条件恒真", found_by="the reference rule's guards",
          expect=("reference guard 'overdue'",), build=_supervise_any_time),
    Plant(key="missing_data_check", wrong="a station may return an event without a reason",
          zh="退回无需说明理由", found_by="the reference rule's required data",
          expect=("which the reference rule requires",), build=_return_without_reason),
    Plant(key="time_backwards", wrong="a store stamps commands 8 hours early (UTC as 北京时间)",
          zh="存储以UTC冒充北京时间", found_by="the store records a command as it was given",
          expect=("refused a command the engine accepted", "not as commanded"),
          build=_device_clock),
    Plant(key="stale_version", wrong="a store applies a stale command to the current version",
          zh="存储接受过期版本", found_by="a command on a stale version is refused",
          expect=("stale version",), build=_last_writer_wins),
    Plant(key="analysis_miscounts", wrong="an on-time rate counts a case closed once final",
          zh="按期办结率以终态计办结", found_by="rates equal the machine's recount",
          expect=("the on_time rate",), build=_final_means_closed),
)  # fmt: skip
"""The catalogue, in the order of the issue that asked for it."""


def plant(key: str) -> Plant:
    """The plant named ``key``.

    Raises:
        UnknownIdError: No plant has this key.
    """
    for candidate in PLANTS:
        if candidate.key == key:
            return candidate
    raise UnknownIdError(key, "the planted wrong rules")
