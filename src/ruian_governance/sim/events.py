"""The event closed loop 事件闭环: report, triage, dispatch, handle, verify, close, evaluate.

A grid worker reports 上报 an event; the command room (or, for a city case, the centre)
accepts 受理 or rejects 不予受理 it and dispatches 分流交办 it to the units the router names,
escalating a major 重大 event to the city first; the lead unit signs 签收 or returns 退回 it,
starts handling it within its daily capacity and feeds back 反馈; the grid worker verifies
核查 on site (a failed check sends it back), the holder closes 办结 it and the grid worker
evaluates 评价 it.  Some ordinary events are solved on the spot 就地解决.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from ruian_governance.lifecycles import (
    ProgressStatus,
    assignee_progress,
    extensions_granted,
    is_late,
    pending_extension,
)
from ruian_governance.models import Case, Department
from ruian_governance.routing import SeverityTier

from .citizens import Citizens
from .config import EVENT_TIERS
from .draws import cumulative, pick
from .queue import Handler, P
from .state import Mechanism, RunState

__all__ = ["Capacity", "EventLoop"]

_DAY = timedelta(days=1)
_NO_FLAGS: frozenset[str] = frozenset()  # a case without flags (none stored for it)

_WORK_HOURS = {"ordinary": (2, 60), "larger": (24, 120), "major": (48, 160)}

_JOINT_STATES = frozenset(("dispatched", "signed", "in_progress"))
"""The states in which assisting units 协办 sign, return and feed back."""


class Capacity:
    """The daily capacity of stations and departments: cases each starts handling per day."""

    def __init__(self, state: RunState) -> None:
        h = state.hierarchy
        self.config = state.config
        self.rng = state.rng
        self.departments = frozenset(d.id for d in h.departments if isinstance(d, Department))
        self.kind_of = {s.id: s.station_kind for s in h.stations}
        self.kind_of.update({d.id: d.department_kind for d in h.departments})
        self.capacity: dict[str, int] = {}
        self.load: dict[tuple[str, date], int] = {}
        self._full: dict[tuple[str, date], date] = {}
        """For a full day of a unit, a later day up to which every day is full too (days
        only fill up, so the first free day is found without walking a backlog day by day)."""

    def of(self, unit_id: str) -> int:
        """The unit's capacity: by id, else by kind, else the station or department default."""
        found = self.capacity.get(unit_id)
        if found is None:
            config = self.config
            kind = self.kind_of.get(unit_id, "")
            default = (
                config.department_capacity
                if unit_id in self.departments
                else config.station_capacity
            )
            found = config.capacities.get(unit_id, config.capacities.get(kind, default))
            self.capacity[unit_id] = found
        return found

    def _free_from(self, unit: str, day: date) -> date:
        """The first day from ``day`` on with capacity left at ``unit``."""
        load, full, capacity = self.load, self._full, self.of(unit)
        passed = []
        while load.get((unit, day), 0) >= capacity:
            passed.append(day)
            day = full.get((unit, day)) or day + _DAY
        for seen in passed:  # the days passed are full up to ``day``: skip them next time
            full[unit, seen] = day
        return day

    def slot(self, units: tuple[str, ...], now: datetime) -> datetime:
        """The first time from ``now`` on a day every unit still has capacity for (08:30 on)."""
        day = now.date()
        load = self.load
        free = self._free_from
        while True:
            if len(units) == 1:  # the usual case: one unit, no generator for max
                first = free(units[0], day)
            else:
                first = max((free(u, day) for u in units), default=day)
            if first == day:
                break
            day = first
        for unit in units:
            load[unit, day] = load.get((unit, day), 0) + 1
        if day == now.date():
            return now
        opening = datetime.combine(day, time(8, 30), now.tzinfo)
        return opening + timedelta(minutes=int(self.rng.random() * 480))


class EventLoop(Mechanism):
    """The event closed loop 事件闭环, from report to evaluation."""

    def __init__(self, state: RunState) -> None:
        super().__init__(state)
        self.capacity = Capacity(state)
        config = state.config
        self.tiers = tuple(t for t in EVENT_TIERS if config.severity_mix.get(t.value, 0) > 0)
        self.tier_cum = cumulative([config.severity_mix[t.value] for t in self.tiers])
        self.citizens = Citizens(state, dispatch=self.dispatch, triage=self.triage)
        self.paths = random.Random(f"event_paths/{config.seed}")
        """The side paths' own generator (joint handling, reassignment, pause, extension)."""

    def open_event(self, now: datetime, grid: str, category: str) -> None:
        """A grid worker reports an event 上报; solved on the spot or sent to triage.

        Or a citizen reports it (:mod:`.citizens`), withdraws it, or it repeats an open event.
        """
        state, rng = self.state, self.rng
        category, primary = self.citizens.duplicate_of(grid, category)
        tier = self.tiers[pick(rng, self.tier_cum)]
        handlers = state.route(grid, category, tier)
        if tier is SeverityTier.MAJOR and not handlers:  # no department: the town handles it
            tier = SeverityTier.LARGER
            handlers = state.route(grid, category, tier)
        case_id = self.citizens.open(now, grid, category, tier.value)
        state.handlers[case_id] = handlers
        if self.citizens.diverted(now, case_id, primary):
            return
        if (
            tier is SeverityTier.ORDINARY
            and not self.citizens.by_citizen(case_id)
            and rng.random() < self.config.on_the_spot
        ):
            midnight = datetime.combine(now.date() + timedelta(days=1), time(), now.tzinfo)
            when = min(now + timedelta(hours=0.5 + 2.5 * rng.random()), midnight)
            self.at(when - timedelta(minutes=1), self.solve_on_spot, case_id)
        else:
            self.later(now, 0.2, 3, self.triage, case_id)

    def solve_on_spot(self, now: datetime, case_id: str) -> None:
        """The grid worker solves the event on the spot 就地解决."""
        case = self.store.get(case_id)
        worker = self.cast.worker[case.location_id]
        self.fire(case_id, "solve_on_spot", worker, now, result="现场劝导解决")
        self.citizens.after_solved(now, case_id, self.evaluate)

    def triage(self, now: datetime, case_id: str) -> None:
        """The holder accepts 受理 the event, or rejects 不予受理 it (always if unroutable)."""
        case = self.store.get(case_id)
        actor = self.cast.holder(case)
        if not self.state.handlers[case_id] or self.rng.random() < self.config.reject:
            self.fire(case_id, "reject", actor, now, reason="不属于受理范围")
            return
        self.fire(case_id, "accept", actor, now)
        self.later(now, 0.2, 2, self.dispatch, case_id)

    def dispatch(self, now: datetime, case_id: str) -> None:
        """The holder dispatches 分流交办 the event; a major one goes to the city first."""
        case = self.store.get(case_id)
        units = self.state.handlers[case_id]
        holder = self.cast.holder(case)
        if case.severity == "major" and case.unit_id != self.cast.city:
            self.fire(case_id, "escalate", holder, now, reason="重大事件，提级处置")
            self.later(now, 0.5, 4, self.dispatch, case_id)
            return
        self.joint_meeting(now, case, units)
        self.fire(case_id, "dispatch", holder, now, units=units)
        self.assisting(now, case_id, units)
        self.later(now, 0.5, 6, self.sign, case_id)

    def sign(self, now: datetime, case_id: str) -> None:
        """The lead unit signs 签收 (and queues the work for a day with capacity) or returns."""
        case = self.store.get(case_id)
        lead = case.assignees[0]
        officer = self.cast.officer[lead]
        flags = self.state.flags  # a case's set only once it has a flag (most never do)
        if (
            "returned" not in flags.get(case_id, _NO_FLAGS)
            and self.rng.random() < self.config.return_
        ):
            flags.setdefault(case_id, set()).add("returned")
            self.fire(case_id, "return", officer, now, reason="非本单位职责")
            self.state.handlers[case_id] = self.alternative(case, lead)
            self.later(now, 0.5, 4, self.dispatch, case_id)
            return
        self.fire(case_id, "sign", officer, now)
        if self.maybe_reassign(now, case_id):
            return
        self.at(self.capacity.slot(case.assignees, now), self.start, case_id)

    def alternative(self, case: Case, returned: str) -> tuple[str, ...]:
        """Where a returned case goes next: another station of the category, else the same."""
        units = self.state.handlers[case.id]
        if len(units) != 1 or case.unit_id == self.cast.city:
            return units
        kinds = self.config.rules.category(case.category).station_kinds
        for kind in kinds:
            for station in self.hierarchy.stations_of(case.unit_id, station_kind=kind):
                if station.id != returned:
                    return (station.id,)
        return units

    def start(self, now: datetime, case_id: str) -> None:
        """The lead unit starts handling 处置 the event."""
        case = self.store.get(case_id)
        self.fire(case_id, "start", self.cast.officer[case.assignees[0]], now)
        low, high = _WORK_HOURS[case.severity or "ordinary"]
        self.later(now, low, high, self.feed_back, case_id)
        self.clock_paths(now, case_id, low, high)

    def feed_back(self, now: datetime, case_id: str) -> None:
        """The lead unit feeds back 反馈 its result, once the case runs and its helpers did."""
        case = self.store.get(case_id)
        if case.state != "in_progress" or not self.assisting_done(case):
            self.side(now, 2, 8, self.feed_back, case_id)  # paused, or waiting for 协办
            return
        self.fire(case_id, "feed_back", self.cast.officer[case.assignees[0]], now, result="已处置")
        self.later(now, 1, 24, self.verify, case_id)

    def verify(self, now: datetime, case_id: str) -> None:
        """The grid worker checks on site 核查; the first check may fail and send it back."""
        case = self.store.get(case_id)
        worker = self.cast.worker[case.location_id]
        flags = self.state.flags
        if (
            "failed" not in flags.get(case_id, _NO_FLAGS)
            and self.rng.random() < self.config.fail_verification
        ):
            flags.setdefault(case_id, set()).add("failed")
            self.fire(case_id, "fail_verification", worker, now, reason="现场核查未整改到位")
            self.later(now, 12, 48, self.feed_back, case_id)
            return
        self.fire(case_id, "verify", worker, now)
        self.later(now, 0.5, 4, self.close, case_id)

    def close(self, now: datetime, case_id: str) -> None:
        """The holder closes 办结 the verified event."""
        self.fire(case_id, "close", self.cast.holder(self.store.get(case_id)), now)
        self.citizens.after_close(now, case_id, self.evaluate)

    # ------------------------------------------------------------ joint handling 联办 (issue 12)
    def side(self, now: datetime, low: float, high: float, handler: Handler[P], payload: P) -> None:
        """Schedule a side path's step between ``low`` and ``high`` hours after ``now``.

        The side paths draw from their own generator (:attr:`paths`), so that the main loop's
        draws, and the reports they time, change only where a side path changes a case's
        course.
        """
        hours = low + (high - low) * self.paths.random()
        # timedelta(hours=hours), its arguments by position: the same value, a third faster
        self.at(now + timedelta(0, 0, 0, 0, 0, hours), handler, payload)

    def joint_meeting(self, now: datetime, case: Case, units: tuple[str, ...]) -> None:
        """A joint meeting of the town's platforms 四平台联席会议 before a joint dispatch."""
        if len(units) < 2 or case.unit_id == self.cast.city or case.severity == "ordinary":
            return
        platforms = tuple(p.id for p in self.hierarchy.platforms_of(case.unit_id))
        if len(platforms) < 2:
            return
        if self.paths.random() < self.config.event_paths["joint_meeting"]:
            holder = self.cast.holder(case)
            decision = f"{units[0]} 主办，其余协办"
            self.fire(case.id, "joint_meeting", holder, now, platforms=platforms, decision=decision)

    def assisting(self, now: datetime, case_id: str, units: tuple[str, ...]) -> None:
        """Each assisting unit 协办 signs (or returns) on its own, some hours after dispatch."""
        for unit in units[1:]:
            self.side(now, 0.5, 6, self.assist, (case_id, unit))

    def assist(self, now: datetime, job: tuple[str, str]) -> None:
        """An assisting unit signs 协办签收 and later feeds back, or returns 协办退回 it."""
        case_id, unit = job
        case = self.store.find(case_id)
        if case is None:  # finished and handed to the run's sink: nothing left to do
            return
        if case.state == "paused":
            self.side(now, 4, 12, self.assist, job)
            return
        mine = [p.status for p in assignee_progress(case) if p.unit_id == unit]
        if (
            case.state not in _JOINT_STATES
            or mine != [ProgressStatus.ASSIGNED]
            or (unit == case.assignees[0])
        ):
            return  # the lead returned it, or it was reassigned
        officer = self.cast.officer[unit]
        if self.paths.random() < self.config.event_paths["assist_return"]:
            self.fire(case_id, "assist_return", officer, now, reason="非本单位职责")
            return
        self.fire(case_id, "assist_sign", officer, now)
        self.side(now, 4, 48, self.assist_feed_back, job)

    def assist_feed_back(self, now: datetime, job: tuple[str, str]) -> None:
        """An assisting unit feeds back 协办反馈 (later if the case is paused)."""
        case_id, unit = job
        case = self.store.find(case_id)
        if case is None:  # finished and handed to the run's sink: nothing left to do
            return
        if unit not in case.assignees[1:]:
            return
        if case.state == "paused":
            self.side(now, 4, 12, self.assist_feed_back, job)
            return
        mine = [p.status for p in assignee_progress(case) if p.unit_id == unit]
        if case.state not in _JOINT_STATES or mine != [ProgressStatus.SIGNED]:
            return  # reassigned or dispatched again since it signed: its new job answers
        self.fire(case_id, "assist_feed_back", self.cast.officer[unit], now, result="已配合处置")

    @staticmethod
    def assisting_done(case: Case) -> bool:
        """Whether every assisting unit of ``case`` has fed back."""
        if len(case.assignees) < 2:  # no assisting unit
            return True
        return all(
            p.status is ProgressStatus.FED_BACK for p in assignee_progress(case) if not p.lead
        )

    def maybe_reassign(self, now: datetime, case_id: str) -> bool:
        """The command room reassigns 转派 a signed event to another unit, at the path's rate."""
        case = self.store.get(case_id)
        if self.paths.random() >= self.config.event_paths["reassign"]:
            return False
        lead = case.assignees[0]
        units = self.alternative(case, lead)
        if lead in units:
            return False
        holder = self.cast.holder(case)
        self.fire(case_id, "reassign", holder, now, units=units, reason="原单位处置力量不足")
        self.state.handlers[case_id] = units
        self.assisting(now, case_id, units)
        self.side(now, 0.5, 6, self.sign, case_id)
        return True

    # ------------------------------------------------------------ pause 挂起, extension 延期

    def clock_paths(self, now: datetime, case_id: str, low: float, high: float) -> None:
        """Schedule a pause or an extension request during handling, at the paths' rates."""
        paths = self.config.event_paths
        draw = self.paths.random()
        if draw < paths["pause"]:
            self.side(now, 0.5, max(1.0, low / 2), self.pause, case_id)
        elif draw < paths["pause"] + paths["extension"]:
            self.side(now, 0.5, max(1.0, high / 2), self.request_extension, case_id)

    def pause(self, now: datetime, case_id: str) -> None:
        """The command room pauses 挂起 the event (waiting for a party, a court, the weather)."""
        case = self.store.find(case_id)
        if case is None:  # finished and handed to the run's sink: nothing left to do
            return
        lifecycle = self.state.engine.lifecycle(case.lifecycle)
        if case.state != "in_progress" or is_late(case, lifecycle, now):
            return
        days = 1 + int(self.paths.random() * 5)
        holder = self.cast.holder(case)
        self.fire(case_id, "pause", holder, now, days=days, reason="等待当事人")
        self.side(now, 12, 24 * days, self.resume, case_id)

    def resume(self, now: datetime, case_id: str) -> None:
        """The command room resumes 恢复 the paused event."""
        case = self.store.find(case_id)
        if case is None:  # finished and handed to the run's sink: nothing left to do
            return
        if case.state == "paused":
            self.fire(case_id, "resume", self.cast.holder(case), now)

    def request_extension(self, now: datetime, case_id: str) -> None:
        """The lead unit asks for an extension 延期申请; the command room answers later."""
        case = self.store.find(case_id)
        if case is None:  # finished and handed to the run's sink: nothing left to do
            return
        if case.state != "in_progress" or pending_extension(case) is not None:
            return  # one request at a time: a case back in handling may have one pending
        officer = self.cast.officer[case.assignees[0]]
        days = 2 + int(self.paths.random() * 4)
        policy = self.state.engine.lifecycle(case.lifecycle).deadlines
        count, total = extensions_granted(case)
        limit = policy.limits.get("max_extension")
        if count >= policy.max_extensions or (limit is not None and total + days > limit.days):
            return  # the unit does not ask for what the limits would refuse
        self.fire(case_id, "request_extension", officer, now, days=days, reason="需协调多方")
        self.side(now, 1, 8, self.answer_extension, case_id)

    def answer_extension(self, now: datetime, case_id: str) -> None:
        """The command room approves 批准延期 or refuses 不予延期 the pending request."""
        case = self.store.find(case_id)
        if case is None:  # finished and handed to the run's sink: nothing left to do
            return
        if case.state not in ("in_progress", "paused") or pending_extension(case) is None:
            return
        holder = self.cast.holder(case)
        if self.paths.random() < self.config.event_paths["extension_refused"]:
            self.fire(case_id, "refuse_extension", holder, now, reason="理由不充分")
        else:
            self.fire(case_id, "approve_extension", holder, now)

    def evaluate(self, now: datetime, case_id: str) -> None:
        """The grid worker evaluates 评价 the event: fewer stars when it closed late.

        Not the worker who solved it on the spot, and 1-2 stars is rework (:mod:`.citizens`).
        """
        self.citizens.evaluate(now, case_id)
