"""Disputes 矛盾纠纷: triage, mediation up the ladder, task forces, courts, review, revisits.

A grid worker reports a dispute between two parties; the holder screens it (dismissing some)
and triages it simple / complex / difficult, which places it in the village, the town or the
city; a difficult one gets a city leader who owns it 领导包案, and the political-legal
committee 政法委 analyses it 研判 while it is handled.  In a village the people's mediation
committee 人民调解委员会 mediates a configurable share (``village_mediation``), the grid
worker some, the village cadre the rest; a town or the city mediates itself.  A complex dispute
gets a town task force 专班 (the town leader, stations and the village); a difficult one whose
category names departments a city task force.  An agreement 调解协议 goes to judicial
confirmation 司法确认 at a configurable share (``confirmation``): both parties apply jointly
to a judge of the tribunal serving the town (at the town's shared court 共享法庭 if it has
one), who confirms or refuses 驳回 (``confirmation_refused``; then re-mediation or litigation).
Completed disputes are reviewed 监管 and analysed 研判; each party is called back 回访 and
evaluates, and the evaluation 评价 closes.
"""

from __future__ import annotations

from datetime import datetime

from ruian_governance.models import Actor, Case, Level

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
        first, second = person_name(rng), person_name(rng)
        parties = (first, second if second != first else f"{second}乙")
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
        case = self.store.get(case_id)
        if case.state == "transferred":
            self.oversee(now, case)
        case = self.fire(case_id, "start_mediation", self.mediator(case), now)
        members = (
            self.town_task_force(case)
            if case.severity == "complex"
            else self.task_force_departments(case)
            if case.severity == "difficult"
            else ()
        )
        if members:
            self.later(now, 1, 8, self.form_task_force, case_id)
        else:
            self.schedule_outcome(now, case)

    def oversee(self, now: datetime, case: Case) -> None:
        """A difficult dispute: a city leader owns it 领导包案, 政法委 analyses it 研判."""
        if case.severity != "difficult":
            return
        leader = self.cast.leader.get(self.cast.city)
        if leader is not None:
            self.fire(case.id, "assign_leader", self.cast.centre, now, leader=leader.person_id)
        overseer = self.cast.overseer
        if overseer is not None:
            self.fire(case.id, "analyse", overseer, now, finding="风险研判：疑难纠纷")

    def mediator(self, case: Case) -> Actor:
        """Who mediates: in a village its mediation committee, grid worker or cadre."""
        cast = self.cast
        if self.hierarchy.unit(case.unit_id).level is not Level.VILLAGE:
            return cast.mediator(case)
        draw = self.rng.random()
        committee = cast.mediators.get(case.unit_id)
        if committee is not None and draw < self.config.village_mediation:
            return committee
        worker = cast.worker.get(case.location_id)
        if worker is not None and draw < self.config.village_mediation + 0.1:
            return worker
        return cast.mediator(case)

    def task_force_departments(self, case: Case) -> tuple[str, ...]:
        """The city departments of the dispute's category (the members of its task force)."""
        kinds = self.config.rules.category(case.category).department_kinds
        return tuple(d.id for k in kinds for d in self.hierarchy.departments_of_kind(k))

    def town_task_force(self, case: Case) -> tuple[str, ...]:
        """A town task force's members: two stations of the town and the dispute's village."""
        h = self.hierarchy
        if case.unit_id not in self.cast.leader or case.unit_id == self.cast.city:
            return ()
        stations = tuple(s.id for s in h.stations_of(case.unit_id)[:2])
        village = next(
            (u.id for u in h.ancestors(case.location_id) if u.level is Level.VILLAGE), None
        )
        return (*stations, *(() if village is None else (village,)))

    def form_task_force(self, now: datetime, case_id: str) -> None:
        """The holder forms a task force 专班; its commander drafts a strategy; talks begin.

        A town's task force is its leader with stations and the village; the city's the
        task-force commander with the category's departments.
        """
        cast = self.cast
        case = self.store.get(case_id)
        if case.severity == "complex":
            members = self.town_task_force(case)
            commander = cast.leader[case.unit_id]
            unit_data = {"members": members}
            strategy, note = "镇街领导牵头、站所村社联动", "专班走访双方，收集诉求"
        else:
            members = self.task_force_departments(case)
            commander = cast.commander
            unit_data = {"departments": members}
            strategy, note = "分类施策、一案一策", "线上会商，收集各方诉求"
        self.fire(case_id, "form_task_force", cast.holder(case), now,
                  commander=commander.person_id, **unit_data)  # fmt: skip
        self.fire(case_id, "draft_strategy", commander, now, strategy=strategy)
        member = cast.officer[members[0]]
        self.fire(case_id, "record_progress", member, now, note=note, claims=case.parties)
        self.schedule_outcome(now, self.store.get(case_id))

    def schedule_outcome(self, now: datetime, case: Case) -> None:
        """Schedule the outcome of this rung of mediation, later for harder tiers."""
        low, high = _OUTCOME_HOURS.get(case.severity or "simple", (2, 30))
        self.later(now, low, high, self.mediate, case.id)

    def mediate(self, now: datetime, case_id: str) -> None:
        """One rung's outcome: an agreement, litigation after the court rung, or the next rung."""
        case = self.store.get(case_id)
        actor = self.mediator(case)
        if self.rng.random() < self.config.agreement:
            self.fire(case_id, "reach_agreement", actor, now, terms="双方达成调解协议")
            judge = self.cast.judge_for(case)
            if (
                judge is not None
                and len(case.parties) >= 2
                and self.rng.random() < self.config.confirmation
            ):
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
        """Both parties apply jointly; a judge of the serving court receives the application."""
        case = self.store.get(case_id)
        judge = self.cast.judge_for(case)
        if judge is None:  # pragma: no cover - mediate checks there is a judge
            return
        venues = self.hierarchy.shared_courts_of(case.location_id)
        extra = {"venue": venues[0].id} if venues else {}
        self.fire(case_id, "apply_confirmation", judge, now, applicants=case.parties, **extra)
        self.later(now, 24, 120, self.confirm, case_id)

    def confirm(self, now: datetime, case_id: str) -> None:
        """The court confirms the agreement, or refuses it 驳回 (re-mediation or litigation)."""
        case = self.store.get(case_id)
        judge = self.cast.judge_for(case)
        if judge is None:  # pragma: no cover - apply_confirmation needs a judge
            return
        if self.rng.random() < self.config.confirmation_refused:
            self.fire(case_id, "refuse_confirmation", judge, now, reason="协议内容违反法律规定")
            self.later(now, 24, 72, self.after_refusal, case_id)
            return
        self.fire(case_id, "confirm", judge, now, ruling="确认调解协议有效")
        self.later(now, 12, 48, self.review, case_id)

    def after_refusal(self, now: datetime, case_id: str) -> None:
        """After a refusal: mediate again 重新调解, or go to litigation 诉讼."""
        case = self.store.get(case_id)
        actor = self.mediator(case)
        if self.rng.random() < 0.5:  # an even split (design choice)
            self.fire(case_id, "start_mediation", actor, now, note="司法确认被驳回，重新调解")
            self.schedule_outcome(now, self.store.get(case_id))
        else:
            self.fire(case_id, "refer_litigation", actor, now, reason="司法确认被驳回，引导诉讼")
            self.later(now, 48, 240, self.complete, case_id)

    def complete(self, now: datetime, case_id: str) -> None:
        """The mediator completes the dispute: by mediation, or by judgment after litigation."""
        case = self.store.get(case_id)
        if case.severity == "difficult" and not case.records("assign_leader"):
            return  # no leader to own it in this hierarchy: it stays open
        outcome = "判决结案" if case.state == "litigation" else "调解结案"
        self.fire(case_id, "complete", self.mediator(case), now, outcome=outcome)
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
        """Each party is called back 回访 and evaluates; then the evaluation 评价 closes.

        A party gives fewer stars when the dispute was completed late.
        """
        case = self.store.get(case_id)
        done = case.records("complete") or case.records("confirm")
        caller = self.cast.centre
        for party in case.parties:
            given = stars(self.rng, done[-1].at if done else now, case.due_at)
            self.fire(case_id, "revisit", caller, now, party=party, stars=given)
        if case.parties:
            self.fire(case_id, "evaluate", caller, now)
