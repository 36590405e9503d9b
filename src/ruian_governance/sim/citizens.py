"""Citizens' intake, duplicates and honest evaluation in a run (:class:`.IntakeRates`).

Citizens report 群众来件 through the app (the town's command room registers it), the 12345
hotline or the walk-in window 一窗受理 (the centre registers both) with a reporter reference;
some withdraw 撤件 before triage; a report may repeat the latest open event of its grid and is
merged 重复件合并 into it at triage; the command room spot-checks 抽查 some on-the-spot
solutions; after closing, every reporter is called back 回访; the evaluation 评价 is by someone
who did not handle the case, and an unsatisfied rating sends the case back for rework 重办.
The event loop (:mod:`.events`) calls these at its steps.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ruian_governance.errors import UnknownCategoryError, UnknownIdError
from ruian_governance.lifecycles import reporters
from ruian_governance.lifecycles.builtin.casework import handlers_of, reworks

from .draws import cumulative, pick, stars
from .state import Mechanism, RunState

__all__ = ["Citizens"]

_TAKES_DUPLICATES = frozenset(
    {"reported", "accepted", "returned", "dispatched", "signed", "in_progress", "feedback"}
)
_SCHEDULE = Callable[[datetime, str], None]


class Citizens(Mechanism):
    """What citizens and the honest-evaluation checks add to the event closed loop."""

    def __init__(self, state: RunState, *, dispatch: _SCHEDULE, triage: _SCHEDULE) -> None:
        super().__init__(state)
        rates = state.config.intake
        self.rates = rates
        self.channels = tuple(k for k, w in rates.channel_mix.items() if w > 0)
        self.channel_cum = cumulative([rates.channel_mix[k] for k in self.channels])
        self.dispatch = dispatch
        self.triage = triage
        self.latest: dict[str, str] = {}
        """The latest event reported in each grid (a duplicate repeats it)."""
        self.citizen_cases: set[str] = set()
        self.citizens = 0
        self.categories = frozenset(state.config.rules.keys)

    # ---------------------------------------------------------------- intake

    def duplicate_of(self, grid: str, category: str) -> tuple[str, str | None]:
        """The category of a new report in ``grid``, and the open event it repeats if any."""
        latest = self.latest.get(grid)
        if latest is None or not self.rng.random() < self.rates.duplicate:
            return category, None
        try:
            primary = self.store.get(latest)
        except UnknownIdError:  # finished and handed to the run's sink: takes no duplicate
            return category, None
        if primary.state not in _TAKES_DUPLICATES:
            return category, None
        return primary.category, primary.id

    def open(self, now: datetime, grid: str, category: str, severity: str) -> str:
        """Open the event: a citizen's report 群众来件 or a grid worker's 上报; return its id.

        Raises:
            UnknownCategoryError: ``category`` is not in the run's routing rules (refused
                before anything is opened).
        """
        if category not in self.categories:
            raise UnknownCategoryError(category, self.config.rules.key)
        state = self.state
        if self.rng.random() < self.rates.citizens:
            channel = self.channels[pick(self.rng, self.channel_cum)]
            town = self.hierarchy.town_of(grid)
            actor = (
                self.cast.operator[town.id]
                if channel == "app" and town is not None
                else self.cast.centre
            )
            self.citizens += 1
            case_id = state.open_case(
                "event",
                trigger="intake",
                actor=actor,
                at=now,
                location_id=grid,
                category=category,
                severity=severity,
                channel=channel,
                reporter=(f"citizen-{self.citizens:x}",),
            )
            self.citizen_cases.add(case_id)
        else:
            case_id = state.open_report("event", now, grid, category, severity=severity)
        self.latest[grid] = case_id
        return case_id

    def by_citizen(self, case_id: str) -> bool:
        """Whether a citizen reported the event (no grid worker to solve it on the spot)."""
        return case_id in self.citizen_cases

    def diverted(self, now: datetime, case_id: str, primary: str | None) -> bool:
        """Withdraw 撤件 or merge 重复件合并 the new event instead of triage; whether it was."""
        if case_id in self.citizen_cases and self.rng.random() < self.rates.withdraw:
            self.later(now, 0.1, 1, self.withdraw, case_id)
            return True
        if primary is not None:
            self.later(now, 0.2, 3, self.merge, (case_id, primary))
            return True
        return False

    def withdraw(self, now: datetime, case_id: str) -> None:
        """The citizen withdraws 撤件; the holder records it by the reporter's reference."""
        case = self.store.get(case_id)
        self.fire(case_id, "withdraw_citizen", self.cast.holder(case), now,
                  reporter=reporters(case)[:1], reason="来件人撤回诉求")  # fmt: skip

    def merge(self, now: datetime, pair: tuple[str, str]) -> None:
        """The holder merges the duplicate into its primary (or triages it, if it closed)."""
        case_id, primary_id = pair
        case, primary = self.store.get(case_id), self.store.find(primary_id)
        holder = self.cast.holder(case)
        if (
            primary is None  # finished and handed to the run's sink
            or primary.state not in _TAKES_DUPLICATES
            or primary.unit_id != case.unit_id
        ):
            self.triage(now, case_id)
            return
        self.fire(case_id, "merge", holder, now, primary=(primary_id,))
        reporter = reporters(case)[0]
        self.fire(primary_id, "take_duplicate", holder, now, duplicate=(case_id,),
                  reporter=(reporter,))  # fmt: skip

    # ---------------------------------------------------------------- honest evaluation

    def after_solved(self, now: datetime, case_id: str, evaluate: _SCHEDULE) -> None:
        """After solving on the spot 就地解决: a spot check 抽查 at the rate, then evaluation."""
        if self.rng.random() < self.rates.spot_check:
            self.later(now, 0.5, 0.95, self.spot_check, case_id)
        self.later(now, 1, 24, evaluate, case_id)

    def spot_check(self, now: datetime, case_id: str) -> None:
        """The command room spot-checks the solution; a failed check sends it back to triage."""
        case = self.store.get(case_id)
        holder = self.cast.holder(case)
        if self.state.handlers.get(case_id) and self.rng.random() < self.rates.spot_check_fails:
            self.fire(case_id, "fail_spot_check", holder, now, reason="抽查发现未解决")
            self.later(now, 0.2, 2, self.dispatch, case_id)
            return
        self.fire(case_id, "spot_check", holder, now, result="抽查属实")

    def after_close(self, now: datetime, case_id: str, evaluate: _SCHEDULE) -> None:
        """After closing 办结: call back every reporter 回访 (at the rate), then evaluation."""
        case = self.store.get(case_id)
        for reporter in reporters(case):
            if self.rng.random() < self.rates.callback:
                self.later(now, 0.1, 0.9, self.callback, (case_id, reporter))
        self.later(now, 1, 48, evaluate, case_id)

    def callback(self, now: datetime, call: tuple[str, str]) -> None:
        """The holder calls a reporter back 回访 and records their satisfaction."""
        case_id, reporter = call
        case = self.store.find(case_id)
        if case is None:  # finished and handed to the run's sink: nothing left to do
            return
        if case.state != "closed":
            return
        satisfaction = stars(self.rng, case.last.at, case.due_at)
        self.fire(case_id, "callback", self.cast.holder(case), now, reporter=(reporter,),
                  satisfaction=satisfaction)  # fmt: skip

    def evaluate(self, now: datetime, case_id: str) -> None:
        """Someone of the location who did not handle it evaluates 评价; 1-2 stars is rework."""
        case = self.store.find(case_id)
        if case is None:  # finished and handed to the run's sink: nothing left to do
            return
        if case.state != "closed":  # a failed spot check sent it back
            return
        worker = self.cast.worker[case.location_id]
        evaluator = worker
        if worker.person_id in handlers_of(case):
            village = next(
                (
                    u.id
                    for u in self.hierarchy.ancestors(case.location_id)
                    if u.id in self.cast.cadre
                ),
                None,
            )
            if village is None:
                return
            evaluator = self.cast.cadre[village]
        given = stars(self.rng, case.last.at, case.due_at)
        if (
            given <= 2
            and reworks(case) < self.rates.rework_limit
            and self.state.handlers.get(case_id)
        ):
            self.fire(case_id, "rework", evaluator, now, stars=given, reason="群众不满意，重办")
            self.later(now, 0.2, 2, self.dispatch, case_id)
            return
        self.fire(case_id, "evaluate", evaluator, now, stars=given)
