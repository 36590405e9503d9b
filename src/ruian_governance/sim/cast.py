"""Who acts in a run: one actor for each post the simulation drives.

>>> from ruian_governance.presets import generate_hierarchy, with_staff
>>> h = with_staff(generate_hierarchy(towns=1, villages=2, grids=2, micro_grids=0),
...                id_prefix="sim.")
>>> cast = Cast(h)
>>> cast.commander.person_id, cast.cadre["t0001.v001"].role
('sim.commander', 'village_cadre')
"""

from __future__ import annotations

from ruian_governance.errors import SimulationConfigError
from ruian_governance.models import Actor, Case, Hierarchy, Level

__all__ = ["Cast"]


class Cast:
    """The actors of a run, by the unit they act for.

    The first person holding a role in a unit acts for it: the grid worker 网格员 of each
    grid, the village cadre 村社干部 of each village, the operator of each town's command room,
    the officer of each station and department, a centre officer, the task-force commander,
    a member of the citizens' supervision panel (if any) and the court's officer (if any);
    and, where the hierarchy has them, the judges of the court and its tribunals, each
    village's people's mediator and sages, town and city leaders and a 政法委/平安办 officer.

    Raises:
        SimulationConfigError: A unit has nobody in a role the simulation needs.
    """

    def __init__(self, h: Hierarchy) -> None:
        self.hierarchy = h

        def need(unit_id: str, role: str) -> Actor:
            people = h.people_of(unit_id, role=role)
            if not people:
                raise SimulationConfigError(
                    field="hierarchy", problem=f"nobody is {role} in {unit_id!r}"
                )
            return Actor(person_id=people[0].id, role=role, unit_id=unit_id)

        self.worker = {g.id: need(g.id, "grid_worker") for g in h.units_at(Level.GRID)}
        self.cadre = {v.id: need(v.id, "village_cadre") for v in h.units_at(Level.VILLAGE)}
        self.operator = {
            t.id: need(h.command_room_of(t.id).id, "command_room_operator") for t in h.towns
        }
        self.officer = {s.id: need(s.id, "station_officer") for s in h.stations}
        self.officer.update({d.id: need(d.id, "department_officer") for d in h.departments})
        self.centre = need(h.centre.id, "centre_officer")
        commander = next(
            (p for p in h.people if any(q.role == "task_force_commander" for q in p.posts)), None
        )
        if commander is None:
            raise SimulationConfigError(field="hierarchy", problem="nobody is task_force_commander")
        self.commander = Actor.of(h, commander.id, "task_force_commander")
        panel = [p for p in h.people if any(q.role == "supervision_panel_member" for q in p.posts)]
        self.panel = Actor.of(h, panel[0].id, "supervision_panel_member") if panel else None
        courts = h.departments_of_kind("court")
        self.court = self.officer[courts[0].id] if courts else None
        self.city = h.city.id

        def first(unit_id: str, role: str) -> Actor | None:
            people = h.people_of(unit_id, role=role)
            return Actor(person_id=people[0].id, role=role, unit_id=unit_id) if people else None

        def present(found: dict[str, Actor | None]) -> dict[str, Actor]:
            return {k: v for k, v in found.items() if v is not None}

        court_ids = [*(c.id for c in h.courts), *(t.id for t in h.tribunals)]
        self.judge = present({c: first(c, "judge") for c in court_ids})
        self.mediators = present(
            {v.id: first(v.id, "mediation_committee_member") for v in h.units_at(Level.VILLAGE)}
        )
        self.sages = present(
            {u.id: first(u.id, "village_sage") for u in (*h.towns, *h.units_at(Level.VILLAGE))}
        )
        self.leader = present({u.id: first(u.id, "leader") for u in (h.city, *h.towns)})
        self.overseer = first(h.city.id, "political_legal_officer")

    def holder(self, case: Case) -> Actor:
        """The triage actor of the unit holding a case: the command room, or the centre."""
        if case.unit_id == self.city:
            return self.centre
        return self.operator[case.unit_id]

    def judge_for(self, case: Case) -> Actor | None:
        """A judge of the tribunal serving the dispute's town, else of the court (or none)."""
        for court in self.hierarchy.courts_serving(case.location_id):
            judge = self.judge.get(court.id)
            if judge is not None:
                return judge
        return None

    def mediator(self, case: Case) -> Actor:
        """Who mediates a dispute where it is held: the village cadre, else the holder."""
        unit = self.hierarchy.unit(case.unit_id)
        if unit.level is Level.VILLAGE:
            return self.cadre[unit.id]
        return self.holder(case)
