"""Staffing a hierarchy: the posts the simulation and the testing machines need.

The generators (:func:`~ruian_governance.presets.generate_hierarchy`, and the Rui'an preset)
leave two kinds of post empty: village cadres 村社干部, who mediate simple disputes in their
village, and a task-force commander 专班指挥员, who leads the task force 专班 of a complex or
difficult dispute.  :func:`with_staff` fills them, so that every dispute path can be taken.
"""

from __future__ import annotations

import attrs

from ruian_governance.models import Hierarchy, Level, Person, Post

__all__ = ["with_staff"]


def with_staff(hierarchy: Hierarchy, *, id_prefix: str = "") -> Hierarchy:
    """Return ``hierarchy`` with a village cadre per village and a task-force commander.

    A village cadre 村社干部 is added to every village without one (id
    ``{id_prefix}cadre.{village id}``), and a task-force commander 专班指挥员 at the
    social-governance centre if nobody holds that role (id ``{id_prefix}commander``).  A
    hierarchy that has them all is returned as is, so staffing twice changes nothing.
    The simulation staffs with ``id_prefix="sim."``; the testing machines' default hierarchy
    with no prefix.

    >>> from ruian_governance.presets import generate_hierarchy
    >>> h = with_staff(generate_hierarchy(towns=1, villages=2, grids=2, micro_grids=0),
    ...                id_prefix="sim.")
    >>> [p.id for p in h.people if p.id.startswith("sim.")]
    ['sim.cadre.t0001.v001', 'sim.cadre.t0001.v002', 'sim.commander']
    >>> with_staff(h) is h
    True
    """
    extra: list[Person] = [
        Person(
            id=f"{id_prefix}cadre.{village.id}",
            name=f"{village.name}村干部",
            posts=(Post(role="village_cadre", unit_id=village.id),),
        )
        for village in hierarchy.units_at(Level.VILLAGE)
        if not hierarchy.people_of(village.id, role="village_cadre")
    ]
    if not any(post.role == "task_force_commander" for p in hierarchy.people for post in p.posts):
        extra.append(
            Person(
                id=f"{id_prefix}commander",
                name="专班指挥员",
                posts=(Post(role="task_force_commander", unit_id=hierarchy.centre.id),),
            )
        )
    if not extra:
        return hierarchy
    return attrs.evolve(hierarchy, people=(*hierarchy.people, *extra))
