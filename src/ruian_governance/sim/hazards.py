"""Hazards 隐患 of the 211 covert-inspection cycle 211平安暗访, and the sanction ladder.

In the first :data:`~.config.INSPECTION_DAYS` days of each cycle inspectors (a centre officer,
or a member of the citizens' supervision panel 平安市民监督团) find hazards in random grids; the
holder assigns each to the units the router names, with a rectification notice 整改交办单; the
lead unit starts rectifying with the five fixed 五落实 and submits for checking.  Checks 验收
are made in the revisit fortnight 整改回访, which is also when overdue hazards climb the ladder
挂牌督办 -> 通报 -> 约谈 -> 责任追究, one rung at a time and at most every other day.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from ruian_governance.lifecycles import HAZARD_LADDER, hazard_rung
from ruian_governance.routing import SeverityTier

from .config import INSPECTION_DAYS, cycle_day
from .state import Mechanism, RunState

__all__ = ["Hazards"]

_FIVE_FIXED = {
    "responsibility": "落实责任人",
    "measures": "落实整改措施",
    "deadline": "落实整改时限",
    "funds": "落实整改资金",
    "plan": "落实应急预案",
}
_LADDER_STATES = frozenset({"assigned", "rectifying"})


class Hazards(Mechanism):
    """Covert inspection 暗访, rectification 整改, checks 验收 and the revisit ladder."""

    def __init__(self, state: RunState) -> None:
        super().__init__(state)
        router = state.router
        self.town_grids = {t.id: router.grids_of(t.id) for t in state.hierarchy.towns}

    def inspect(self, now: datetime, town: str) -> None:
        """An inspector finds a hazard in a random grid of ``town``."""
        rng, state = self.rng, self.state
        grids = self.town_grids[town]
        grid = grids[int(rng.random() * len(grids))]
        categories = self.config.hazard_categories
        category = categories[int(rng.random() * len(categories))]
        panel = self.cast.panel
        use_panel = panel is not None and rng.random() < 0.5
        actor = panel if use_panel and panel is not None else self.cast.centre
        case_id = state.open_case(
            "hazard",
            trigger="find_in_covert_inspection",
            actor=actor,
            at=now,
            location_id=grid,
            category=category,
            severity="major" if rng.random() < 0.2 else "general",
            description=f"暗访发现{self.config.rules.category(category).label.zh}",
        )
        state.handlers[case_id] = state.route(grid, category, SeverityTier.ORDINARY)
        if state.handlers[case_id]:
            self.later(now, 2, 24, self.assign, case_id)

    def assign(self, now: datetime, case_id: str) -> None:
        """The holder assigns the hazard with a rectification notice 整改交办单."""
        case = self.store.get(case_id)
        units = self.state.handlers[case_id]
        self.fire(case_id, "assign", self.cast.holder(case), now, units=units, notice="整改交办单")
        self.later(now, 4, 48, self.start_rectification, case_id)

    def start_rectification(self, now: datetime, case_id: str) -> None:
        """The lead unit starts rectifying with the five fixed 五落实."""
        officer = self.cast.officer[self.store.get(case_id).assignees[0]]
        self.fire(case_id, "start_rectification", officer, now, **_FIVE_FIXED)
        self.later(now, 48, 600, self.submit, case_id)

    def submit(self, now: datetime, case_id: str) -> None:
        """The lead unit submits for checking; the check falls in the revisit fortnight."""
        officer = self.cast.officer[self.store.get(case_id).assignees[0]]
        self.fire(case_id, "submit_for_check", officer, now, result="已整改")
        when = now + timedelta(hours=4)
        day = cycle_day(self.config, when)
        if day < INSPECTION_DAYS:  # checks are made in the revisit fortnight 整改回访
            midnight = datetime.combine(when.date(), time(), when.tzinfo)
            when = midnight + timedelta(days=INSPECTION_DAYS - day, hours=9)
        self.at(when + timedelta(minutes=int(self.rng.random() * 480)), self.check, case_id)

    def check(self, now: datetime, case_id: str) -> None:
        """The holder checks 验收: passed 销号, or failed back to the unit."""
        actor = self.cast.holder(self.store.get(case_id))
        if self.rng.random() < 0.15:
            self.fire(case_id, "fail_check", actor, now, reason="整改不到位")
            self.later(now, 48, 120, self.submit, case_id)
        else:
            self.fire(case_id, "pass_check", actor, now, note="验收通过，销号")

    def revisit(self, now: datetime, _day: int) -> None:
        """The revisit fortnight: overdue hazards climb one rung, at most every other day."""
        state = self.state
        ids = [i for i in state.open if i.startswith("H")]
        for case in state.engine.overdue([self.store.get(i) for i in ids], now):
            if case.state not in _LADDER_STATES:
                continue
            rung = hazard_rung(case)
            if rung >= len(HAZARD_LADDER):
                continue
            if rung and now - case.last.at < timedelta(days=2):
                continue
            self.fire(case.id, HAZARD_LADDER[rung], self.cast.centre, now, note="整改回访：超期")
