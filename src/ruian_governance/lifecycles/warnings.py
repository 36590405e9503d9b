"""Step deadlines and warnings 亮灯预警, and the clock that stops while a case is paused 挂起.

Pure functions of a case, its lifecycle definition and a time: no clock is read, nothing is
stored.  A lifecycle's :class:`~ruian_governance.DeadlinePolicy` gives the time limit of each
step (``steps``: sign 签收 within hours, handle 处置 within working days, ...), the office
hours working-hour limits count, and the share of a step's time at which its light turns
yellow (``warn_share``).

- :func:`warning_level`: green 绿灯, yellow 黄灯 (the share of the step's or the case's time
  used is at least ``warn_share``), red 红灯 (the step's own limit is used up), overdue 超期
  (the case's deadline has passed, paused time not counted), or none 不计时 (a state whose
  deadline does not run, e.g. closed 办结);
- :func:`is_late`: whether a case is overdue at a time, paused time not counted;
- :func:`paused_time`: the working time a case's pauses credit (each up to the pause granted);
- :func:`due_commands`: the optional sweep: which supervision 督办 and escalation commands a
  scheduler of the integrator's own should now fire (the library runs no thread).

A pause is the time a case spends in a state flagged ``paused``.  The working time it spends
there (office hours of working days), up to the working days the pausing command granted
(its ``days``), is credited: the resume command moves the deadline by it, and until then the
functions here count it as not elapsed.  Past the grant the clock runs again.

>>> WarningLevel.YELLOW.label.zh, WarningLevel.YELLOW.rank < WarningLevel.RED.rank
('黄灯', True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import attrs

from ruian_governance._convert import LabelledEnum, require_aware
from ruian_governance.errors import ArgumentError, UnknownIdError
from ruian_governance.labels import Label
from ruian_governance.models import (
    Case,
    DayCount,
    Deadline,
    HistoryRecord,
    add_working_time,
    working_time,
)

from .definition import LifecycleDefinition
from .parts import TriggerKind

__all__ = [
    "DueCommand",
    "Pause",
    "WarningLevel",
    "due_commands",
    "effective_due",
    "is_late",
    "paused_time",
    "pauses",
    "step_started",
    "warning_level",
]


class WarningLevel(LabelledEnum):
    """A case's warning light 亮灯预警 at a time, from none to overdue.

    - ``NONE``: its deadline does not run in its state (closed, final) 不计时;
    - ``GREEN``: in time 绿灯;
    - ``YELLOW``: at least the policy's ``warn_share`` of its step's or its own time used 黄灯;
    - ``RED``: its step's time limit is used up 红灯;
    - ``OVERDUE``: past its deadline, paused time not counted 超期.

    >>> [level.value for level in WarningLevel]
    ['none', 'green', 'yellow', 'red', 'overdue']
    """

    NONE = "none"
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    OVERDUE = "overdue"

    @property
    def rank(self) -> int:
        """The level's order, 0 (none) to 4 (overdue)."""
        return _RANKS[self]


WarningLevel._labels_ = {
    WarningLevel.NONE: Label(en="not timed", zh="不计时"),
    WarningLevel.GREEN: Label(en="green", zh="绿灯"),
    WarningLevel.YELLOW: Label(en="yellow", zh="黄灯"),
    WarningLevel.RED: Label(en="red", zh="红灯"),
    WarningLevel.OVERDUE: Label(en="overdue", zh="超期"),
}
_RANKS = {level: rank for rank, level in enumerate(WarningLevel)}


@attrs.frozen(kw_only=True)
class Pause:
    """One pause 挂起 of a case, as its history tells it at a time.

    Args:
        started_at: When the case entered the paused state.
        ended_at: When it left it (resume 恢复), or ``None`` while it is still paused.
        granted_until: When the pause granted runs out (``None``: no limit given).
        credited: The working time the pause credits up to the time asked: office hours of
            working days from its start to its end (or the time asked), at most to the grant.
    """

    started_at: datetime
    ended_at: datetime | None
    granted_until: datetime | None
    credited: timedelta


def _grant(definition: LifecycleDefinition, record: HistoryRecord) -> datetime | None:
    days = record.get("days")
    if type(days) is not int:
        limit = definition.deadlines.limits.get("max_pause")
        if limit is None:
            return None
        days = limit.days
    calendar = definition.deadlines.calendar
    return Deadline(days=days, count=DayCount.WORKING).due(record.at, calendar=calendar)


def pauses(case: Case, lifecycle: LifecycleDefinition, at: datetime) -> tuple[Pause, ...]:
    """Return the pauses of ``case`` up to ``at``, oldest first (see :class:`Pause`).

    Raises:
        ArgumentError: ``at`` is naive.
        UnknownIdError: A record names a state the lifecycle does not have.
    """
    require_aware(at, "at")
    paused = {s.key for s in lifecycle.states if s.paused}
    if not paused:
        return ()
    found: list[Pause] = []
    start: HistoryRecord | None = None
    for record in case.history:
        if record.at > at:
            break
        if start is None and record.dest in paused and record.source not in paused:
            start = record
        elif start is not None and record.dest not in paused:
            found.append(_pause(lifecycle, start, record.at, record.at))
            start = None
    if start is not None:
        found.append(_pause(lifecycle, start, None, at))
    return tuple(found)


def _pause(
    lifecycle: LifecycleDefinition, start: HistoryRecord, ended: datetime | None, upto: datetime
) -> Pause:
    policy = lifecycle.deadlines
    grant = _grant(lifecycle, start)
    stop = upto if grant is None else min(upto, grant)
    credited = working_time(start.at, stop, calendar=policy.calendar, hours=policy.hours)
    return Pause(started_at=start.at, ended_at=ended, granted_until=grant, credited=credited)


def paused_time(case: Case, lifecycle: LifecycleDefinition, at: datetime) -> timedelta:
    """Return the working time the pauses of ``case`` credit up to ``at`` (see :class:`Pause`).

    Raises:
        ArgumentError: ``at`` is naive.
    """
    return sum((p.credited for p in pauses(case, lifecycle, at)), timedelta(0))


def _open_pause(case: Case, lifecycle: LifecycleDefinition, at: datetime) -> Pause | None:
    if not lifecycle.state(case.state).paused:
        return None
    found = pauses(case, lifecycle, at)
    return found[-1] if found and found[-1].ended_at is None else None


def effective_due(case: Case, lifecycle: LifecycleDefinition, at: datetime) -> datetime | None:
    """Return when ``case`` falls due as seen at ``at``, its current pause counted.

    The case's ``due_at`` already holds every ended pause (the resume moved it); a pause still
    running moves it further by the working time it credits so far.

    Raises:
        ArgumentError: ``at`` is naive.
    """
    due = case.due_at
    if due is None:
        return None
    running = _open_pause(case, lifecycle, at)
    if running is None or not running.credited:
        return due
    policy = lifecycle.deadlines
    return add_working_time(due, running.credited, calendar=policy.calendar, hours=policy.hours)


def is_late(case: Case, lifecycle: LifecycleDefinition, at: datetime) -> bool:
    """Whether ``case`` is overdue at ``at``: in a state whose clock runs, past its deadline.

    Paused time is never counted late: in a paused state the case is late only once the pause
    granted has run out and the deadline, moved by the pause's credit, has passed.

    Raises:
        ArgumentError: ``at`` is naive.
    """
    require_aware(at, "at")
    due = case.due_at
    if due is None:
        return False
    state = lifecycle.state(case.state)
    if state.paused:
        running = _open_pause(case, lifecycle, at)
        if running is None:
            return at >= due
        if running.granted_until is None or at < running.granted_until:
            return False
        moved = effective_due(case, lifecycle, at)
        return moved is not None and at >= moved
    return state.timed and not state.final and at >= due


def step_started(case: Case, lifecycle: LifecycleDefinition) -> tuple[str, datetime]:
    """Return the step a case is in (its state, or the one it was paused in) and its start.

    A step starts at the record that entered its state; a pause and its resume do not start
    one (the step goes on after the pause, its paused time credited).  Staying commands
    (supervision 督办, an extension 延期) do not either.

    Raises:
        UnknownIdError: A record names a state the lifecycle does not have.
    """
    paused = {s.key for s in lifecycle.states if s.paused}
    step = case.state
    history = case.history
    if step in paused:
        for record in reversed(history):
            if record.dest in paused and record.source not in paused:
                step = record.source or step
                break
    for record in reversed(history):
        if record.source == record.dest or record.source in paused or record.dest in paused:
            continue
        if record.dest == step:
            return step, record.at
        break
    return step, case.opened_at


def _share(used: timedelta, allowed: timedelta) -> float:
    if allowed <= timedelta(0):
        return float("inf") if used > timedelta(0) else 0.0
    return used / allowed


def warning_level(case: Case, at: datetime, lifecycle: LifecycleDefinition) -> WarningLevel:
    """Return the warning light 亮灯预警 of ``case`` at ``at`` (see :class:`WarningLevel`).

    Overdue when :func:`is_late`; red when its step's limit (the policy's ``steps`` for the
    step's state) is used up; yellow when the step's or the case's share of time used, paused
    time not counted, is at least the policy's ``warn_share``; green otherwise; none in a
    state whose clock does not run (closed, final).  Working-hour limits count office hours;
    paused time is taken off the time used.

    Raises:
        ArgumentError: ``at`` is naive, or ``lifecycle`` is not the case's.
        CalendarCoverageError: A day counted lies beyond the calendar's coverage.
    """
    require_aware(at, "at")
    if not isinstance(lifecycle, LifecycleDefinition) or lifecycle.key != case.lifecycle:
        argument = "lifecycle"
        raise ArgumentError(argument, lifecycle, f"the definition of {case.lifecycle!r}")
    state = lifecycle.state(case.state)
    if state.final or not (state.timed or state.paused):
        return WarningLevel.NONE
    if is_late(case, lifecycle, at):
        return WarningLevel.OVERDUE
    policy = lifecycle.deadlines
    calendar, hours = policy.calendar, policy.hours
    found = pauses(case, lifecycle, at)
    share = 0.0
    step, started = step_started(case, lifecycle)
    limit = policy.steps.get(step)
    if limit is not None:
        credit = sum((p.credited for p in found if p.started_at >= started), timedelta(0))
        used = working_time(started, at, calendar=calendar, hours=hours) - credit
        allowed = working_time(
            started, limit.due(started, calendar=calendar, hours=hours), calendar=calendar,
            hours=hours,
        )  # fmt: skip
        share = _share(used, allowed)
        if share >= 1:
            return WarningLevel.RED
    due = effective_due(case, lifecycle, at)
    if due is not None:
        credit = sum((p.credited for p in found), timedelta(0))
        used = working_time(case.opened_at, at, calendar=calendar, hours=hours) - credit
        left = working_time(at, due, calendar=calendar, hours=hours)
        share = max(share, _share(used, used + left))
    return WarningLevel.YELLOW if share >= policy.warn_share else WarningLevel.GREEN


@attrs.frozen(kw_only=True)
class DueCommand:
    """A command the sweep finds due: fire ``trigger`` on case ``case_id`` (督办 / 提级).

    Args:
        case_id: The case.
        trigger: A supervision or escalation trigger available in the case's state.
        level: The case's warning level when the sweep ran.
        since: When the case fell due (its deadline as the sweep saw it).
    """

    case_id: str
    trigger: str
    level: WarningLevel
    since: datetime | None


_SWEPT = frozenset((TriggerKind.SUPERVISE, TriggerKind.ESCALATE))


def due_commands(
    cases: Iterable[Case], at: datetime, lifecycles: Mapping[str, LifecycleDefinition]
) -> tuple[DueCommand, ...]:
    """Return the supervision 督办 and escalation commands due at ``at``, case by case.

    For each overdue case (:func:`is_late`), every trigger of kind ``SUPERVISE`` or
    ``ESCALATE`` available in its state that has not been fired since the case fell due.  The
    library runs no thread: an integrator calls this from its own scheduler and fires the
    commands it wants (their data, roles and guards are still checked by the engine).

    Raises:
        ArgumentError: ``at`` is naive, or a case is not a :class:`~ruian_governance.Case`.
        UnknownIdError: A case's lifecycle is not in ``lifecycles``.
    """
    require_aware(at, "at")
    found: list[DueCommand] = []
    given: Iterable[object] = cases
    for case in given:
        if not isinstance(case, Case):
            argument = "cases"
            raise ArgumentError(argument, case, "Case values")
        lifecycle = lifecycles.get(case.lifecycle)
        if lifecycle is None:
            raise UnknownIdError(case.lifecycle, "the lifecycles given")
        if not is_late(case, lifecycle, at):
            continue
        since = effective_due(case, lifecycle, at)
        for trigger in lifecycle.triggers_from(case.state):
            if lifecycle.trigger(trigger).kind not in _SWEPT:
                continue
            fired = any(
                r.trigger == trigger and (since is None or r.at >= since) for r in case.history
            )
            if not fired:
                found.append(
                    DueCommand(
                        case_id=case.id, trigger=trigger, level=WarningLevel.OVERDUE, since=since
                    )
                )
    return tuple(found)
