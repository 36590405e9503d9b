"""Hazards 隐患 of the 211 covert-inspection cycle 211平安暗访, and the sanction ladder.

The run's cycle is an :class:`~ruian_governance.models.InspectionCycle`
(:attr:`~.config.SimulationConfig.cycle`).  In its inspection weeks inspectors find hazards in
random grids: the citizens' supervision panel 平安市民监督团 a configurable share
(``panel_findings``), naming the stations of the town it inspected, the centre's inspectors the
rest; a major hazard is listed 挂牌 at a level.  The holder assigns each hazard territorially or
sectorally 属地+行业 (``territorial_assignment``: the town itself; ``sectoral_assignment``: a
city department of the category; otherwise the stations the router names), with a
rectification notice 整改交办单; the unit starts rectifying with the five fixed 五落实 and
submits for checking.  Checks 验收 are made in the revisit weeks 整改回访, which is also when
overdue hazards climb the ladder 通报 -> 约谈 -> 问责, one rung at a time and no sooner than the
lifecycle's rung spacing; a summons and accountability target the assigned units.  The panel
joins the revisit: on an overdue hazard it records a finding 监督团发现 about the assigned units
(``record_panel_finding``, once per hazard, at the same ``panel_findings`` rate), which the
bundled assessment deducts.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from ruian_governance.lifecycles import HAZARD_LADDER, hazard_rung, next_rung_at
from ruian_governance.models import Actor, Case, CyclePhase
from ruian_governance.routing import SeverityTier

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
_LISTING = (("county", 0.7), ("prefecture", 0.95), ("province", 1.0))
"""Listing levels of major hazards and their cumulative shares (design choice)."""


class Hazards(Mechanism):
    """Covert inspection 暗访, listing 挂牌, rectification 整改, checks 验收 and the ladder."""

    def __init__(self, state: RunState) -> None:
        super().__init__(state)
        router = state.router
        self.town_grids = {t.id: router.grids_of(t.id) for t in state.hierarchy.towns}
        self.cycle = state.config.cycle
        self.deadlines = state.engine.lifecycle("hazard").deadlines

    def inspect(self, now: datetime, town: str) -> None:
        """An inspector (the panel, or the centre) finds a hazard in a random grid of ``town``."""
        rng, state, h = self.rng, self.state, self.hierarchy
        grids = self.town_grids[town]
        grid = grids[int(rng.random() * len(grids))]
        categories = self.config.hazard_categories
        category = categories[int(rng.random() * len(categories))]
        panel = self.cast.panel
        use_panel = panel is not None and rng.random() < self.config.panel_findings
        actor = panel if use_panel and panel is not None else self.cast.centre
        severity = "major" if rng.random() < 0.2 else "general"
        extra = {}
        if use_panel:  # the panel names the stations of the town it inspected
            extra["inspected"] = tuple(s.id for s in h.stations_of(town)[:1]) or (town,)
        case_id = state.open_case(
            "hazard",
            trigger="find_in_covert_inspection",
            actor=actor,
            at=now,
            location_id=grid,
            category=category,
            severity=severity,
            description=f"暗访发现{self.config.rules.category(category).label.zh}",
            **extra,
        )
        if severity == "major":
            draw = rng.random()
            level = next(key for key, share in _LISTING if draw < share)
            self.fire(case_id, "list_hazard", self.cast.centre, now, level=level)
        state.handlers[case_id] = self.responsible(grid, town, category)
        if state.handlers[case_id]:
            self.later(now, 2, 24, self.assign, case_id)

    def responsible(self, grid: str, town: str, category: str) -> tuple[str, ...]:
        """Territorial or sectoral 属地+行业: the town, a sector department, or its stations."""
        draw = self.rng.random()
        config = self.config
        if draw < config.territorial_assignment and town in self.cast.leader:
            return (town,)
        if draw < config.territorial_assignment + config.sectoral_assignment:
            kinds = config.rules.category(category).department_kinds
            departments = [d.id for k in kinds for d in self.hierarchy.departments_of_kind(k)]
            if departments:
                return (departments[0],)
        return self.state.route(grid, category, SeverityTier.ORDINARY)

    def handler(self, case: Case) -> Actor:
        """The actor of the lead assigned unit: its officer, or the town's leader."""
        unit = case.assignees[0]
        return self.cast.officer.get(unit) or self.cast.leader[unit]

    def assign(self, now: datetime, case_id: str) -> None:
        """The holder assigns the hazard with a rectification notice 整改交办单."""
        case = self.store.get(case_id)
        units = self.state.handlers[case_id]
        self.fire(case_id, "assign", self.cast.holder(case), now, units=units, notice="整改交办单")
        self.later(now, 4, 48, self.start_rectification, case_id)

    def start_rectification(self, now: datetime, case_id: str) -> None:
        """The lead unit starts rectifying with the five fixed 五落实."""
        self.fire(case_id, "start_rectification", self.handler(self.store.get(case_id)), now,
                  **_FIVE_FIXED)  # fmt: skip
        self.later(now, 48, 600, self.submit, case_id)

    def submit(self, now: datetime, case_id: str) -> None:
        """The lead unit submits for checking; the check falls in the revisit weeks."""
        self.fire(case_id, "submit_for_check", self.handler(self.store.get(case_id)), now,
                  result="已整改")  # fmt: skip
        delay = timedelta(minutes=int(self.rng.random() * 480))
        when = now + timedelta(hours=4) + delay
        if self.cycle.phase(when) is CyclePhase.INSPECTION:  # checks are made on revisit
            day = self.cycle.next_revisit(when)
            when = datetime.combine(day, time(9), when.tzinfo) + delay
        self.at(when, self.check, case_id)

    def check(self, now: datetime, case_id: str) -> None:
        """The holder checks 验收: passed 销号, or failed back to the unit."""
        actor = self.cast.holder(self.store.get(case_id))
        if self.rng.random() < 0.15:
            self.fire(case_id, "fail_check", actor, now, reason="整改不到位")
            self.later(now, 48, 120, self.submit, case_id)
        else:
            self.fire(case_id, "pass_check", actor, now, note="验收通过，销号")

    def revisit(self, now: datetime, _day: int) -> None:
        """The revisit weeks: the panel notes overdue hazards; they climb one rung when due."""
        state = self.state
        for case in state.engine.overdue(state.due(now, hazards=True), now):
            if case.state not in _LADDER_STATES:
                continue
            self.panel_finding(now, case)
            rung = hazard_rung(case)
            when = next_rung_at(case, self.deadlines)
            if rung >= len(HAZARD_LADDER) or when is None or now < when:
                continue
            key = HAZARD_LADDER[rung]
            data: dict[str, object] = {"note": "整改回访：超期"}
            if key != "circulate":
                data["targets"] = case.assignees
            self.fire(case.id, key, self.cast.centre, now, **data)

    def panel_finding(self, now: datetime, case: Case) -> None:
        """The panel, joining the revisit 整改回访, records a finding about an overdue hazard.

        Once per hazard, at the configured rate (``panel_findings``); the finding names the
        units assigned to rectify it (``record_panel_finding``), which the assessment reads.
        """
        panel = self.cast.panel
        flags = self.state.flags
        if panel is None or "panel_revisit" in flags.get(case.id, ()) or not case.assignees:
            return
        flags.setdefault(case.id, set()).add("panel_revisit")
        if self.rng.random() < self.config.panel_findings:
            self.fire(case.id, "record_panel_finding", panel, now, inspected=case.assignees,
                      note="整改回访：监督团发现逾期未整改")  # fmt: skip
