"""Disputes 矛盾纠纷: triage, mediation up the ladder, task forces, confirmation, review.

A grid worker reports a dispute between two parties; the holder screens it (dismissing some)
and triages it simple / complex / difficult, which places it in the village, the town or the
city; the mediator (the village cadre in a village, else the holder) mediates rung by rung; a
complex or difficult dispute whose category names departments gets a task force 专班 first.
An agreement 调解协议 may go to judicial confirmation 司法确认; a failure at the court rung
goes to litigation.  Completed disputes are reviewed 监管, analysed 研判 and evaluated 评价.
"""

from __future__ import annotations

from datetime import datetime

from ruian_governance.models import Case

from .config import DISPUTE_TIERS
from .draws import cumulative, person_name, pick, stars
from .state import Mechanism, RunState

__all__ = ["Disputes"]

_OUTCOME_HOURS = {"simple": (2, 30), "complex": (24, 140), "difficult": (72, 360)}


class Disputes(Mechanism):
    """The dispute lifecycle 矛盾纠纷调处, from report to evaluation."""

    def __init__(self, state: RunState) -> None:
        super().__init__(state)
        mix = state.config.dispute_tier_mix
        self.tiers = tuple(k for k in DISPUTE_TIERS if mix.get(k, 0) > 0)
        self.tier_cum = cumulative([mix[k] for k in self.tiers])

    def open_dispute(self, now: datetime, grid: str, category: str) -> None:
        """A grid worker reports a dispute between two named parties."""
        rng, h = self.rng, self.hierarchy
        parties = (person_name(rng), person_name(rng))
        label = self.config.rules.category(category).label.zh
        village = h.unit(grid).parent_id or ""
        case_id = self.state.open_report(
            "dispute",
            now,
            grid,
            category,
            parties=parties,
            description=f"{h.unit(village).name}{label}：{parties[0]}与{parties[1]}",
        )
        self.later(now, 1, 6, self.triage, case_id)

    def triage(self, now: datetime, case_id: str) -> None:
        """The holder dismisses the report, or triages it into a tier."""
        actor = self.cast.holder(self.store.get(case_id))
        if self.rng.random() < self.config.reject:
            self.fire(case_id, "dismiss", actor, now, reason="不属于矛盾纠纷")
            return
        tier = self.tiers[pick(self.rng, self.tier_cum)]
        self.fire(case_id, "triage", actor, now, tier=tier)
        self.later(now, 0.5, 8, self.start_mediation, case_id)

    def start_mediation(self, now: datetime, case_id: str) -> None:
        """Mediation starts; a complex or difficult dispute may first get a task force."""
        mediator = self.cast.mediator(self.store.get(case_id))
        case = self.fire(case_id, "start_mediation", mediator, now)
        if case.severity in {"complex", "difficult"} and self.task_force_departments(case):
            self.later(now, 1, 8, self.form_task_force, case_id)
        else:
            self.schedule_outcome(now, case)

    def task_force_departments(self, case: Case) -> tuple[str, ...]:
        """The city departments of the dispute's category (the members of its task force)."""
        kinds = self.config.rules.category(case.category).department_kinds
        return tuple(d.id for k in kinds for d in self.hierarchy.departments_of_kind(k))

    def form_task_force(self, now: datetime, case_id: str) -> None:
        """The holder forms a task force 专班; the commander drafts a strategy; talks begin."""
        cast = self.cast
        case = self.store.get(case_id)
        departments = self.task_force_departments(case)
        self.fire(
            case_id,
            "form_task_force",
            cast.holder(case),
            now,
            commander=cast.commander.person_id,
            departments=departments,
        )
        self.fire(case_id, "draft_strategy", cast.commander, now, strategy="分类施策、一案一策")
        self.fire(
            case_id,
            "record_progress",
            cast.officer[departments[0]],
            now,
            note="线上会商，收集各方诉求",
            claims=self.store.get(case_id).parties,
        )
        self.schedule_outcome(now, self.store.get(case_id))

    def schedule_outcome(self, now: datetime, case: Case) -> None:
        """Schedule the outcome of this rung of mediation, later for harder tiers."""
        low, high = _OUTCOME_HOURS.get(case.severity or "simple", (2, 30))
        self.later(now, low, high, self.mediate, case.id)

    def mediate(self, now: datetime, case_id: str) -> None:
        """One rung's outcome: an agreement, litigation after the court rung, or the next rung."""
        case = self.store.get(case_id)
        actor = self.cast.mediator(case)
        if self.rng.random() < self.config.agreement:
            self.fire(case_id, "reach_agreement", actor, now, terms="双方达成调解协议")
            if self.cast.court is not None and self.rng.random() < self.config.confirmation:
                self.later(now, 2, 72, self.apply_confirmation, case_id)
            else:
                self.later(now, 1, 24, self.complete, case_id)
        elif case.state == "court_mediation":
            self.fire(case_id, "refer_litigation", actor, now, reason="调解不成，引导诉讼")
            self.later(now, 48, 240, self.complete, case_id)
        else:
            self.fire(case_id, "next_mediation", actor, now, reason="调解未果")
            self.schedule_outcome(now, case)

    def apply_confirmation(self, now: datetime, case_id: str) -> None:
        """The mediator applies for judicial confirmation 司法确认 of the agreement."""
        self.fire(case_id, "apply_confirmation", self.cast.mediator(self.store.get(case_id)), now)
        self.later(now, 24, 120, self.confirm, case_id)

    def confirm(self, now: datetime, case_id: str) -> None:
        """The court confirms the agreement."""
        court = self.cast.court
        if court is None:  # pragma: no cover - apply_confirmation needs a court
            return
        self.fire(case_id, "confirm", court, now, ruling="确认调解协议有效")
        self.later(now, 12, 48, self.review, case_id)

    def complete(self, now: datetime, case_id: str) -> None:
        """The mediator completes the dispute: by mediation, or by judgment after litigation."""
        case = self.store.get(case_id)
        outcome = "判决结案" if case.state == "litigation" else "调解结案"
        self.fire(case_id, "complete", self.cast.mediator(case), now, outcome=outcome)
        self.later(now, 12, 48, self.review, case_id)

    def review(self, now: datetime, case_id: str) -> None:
        """The centre reviews 监管 the completed dispute."""
        self.fire(case_id, "review", self.cast.centre, now, note="监管复核")
        self.later(now, 12, 48, self.analyse, case_id)

    def analyse(self, now: datetime, case_id: str) -> None:
        """The centre analyses 研判 it for the similar-case library."""
        self.fire(case_id, "analyse", self.cast.centre, now, finding="纳入类案研判")
        self.later(now, 12, 48, self.evaluate, case_id)

    def evaluate(self, now: datetime, case_id: str) -> None:
        """The grid worker evaluates 评价: fewer stars when it was completed late."""
        case = self.store.get(case_id)
        done = case.records("complete") or case.records("confirm")
        given = stars(self.rng, done[-1].at if done else now, case.due_at)
        self.fire(case_id, "evaluate", self.cast.worker[case.location_id], now, stars=given)
