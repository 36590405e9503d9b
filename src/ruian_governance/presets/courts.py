"""The courts the generators create: the basic-level court, its tribunals, shared courts.

Where the facts come from: a county-level city has one basic-level people's court 基层人民法院
(national court organisation law) with people's tribunals 人民法庭 in its towns; the seed
article names Rui'an's court (市法院) and its shared court 共享法庭, where the parties join
hearings by remote video at their doorstep.  How many tribunals there are, which towns each
serves and where the shared courts sit are not published here: the grouping (one tribunal per
``towns_per_tribunal`` consecutive towns, seated in the first) and the venues (one shared court
per town, or per village) are design choices, made to be configured.

>>> from ruian_governance.models import AdminUnit
>>> city = AdminUnit(id="c", name="示范市", level="city")
>>> towns = [AdminUnit(id=f"t{i}", name=f"第{i}镇", level="town", parent_id="c")
...          for i in range(1, 4)]
>>> courts, tribunals, venues = court_units(city, towns, [], towns_per_tribunal=2)
>>> courts[0].name, [(t.town_id, t.town_ids) for t in tribunals], len(venues)
('示范市人民法院', [('t1', ('t1', 't2')), ('t3', ('t3',))], 3)
"""

from __future__ import annotations

from collections.abc import Sequence

from ruian_governance.errors import ArgumentError
from ruian_governance.models import AdminUnit, Court, Level, SharedCourt, Tribunal

__all__ = ["court_units"]


def court_units(
    city: AdminUnit,
    towns: Sequence[AdminUnit],
    villages: Sequence[AdminUnit],
    *,
    towns_per_tribunal: int = 4,
    shared_court_level: Level | str | None = Level.TOWN,
) -> tuple[list[Court], list[Tribunal], list[SharedCourt]]:
    """Return the city's court, its tribunals and its shared courts.

    Args:
        city: The city; the court is ``<city id>.court``, named ``<city name>人民法院``.
        towns: The towns, in order; consecutive groups of ``towns_per_tribunal`` share a
            tribunal seated in the group's first town (0: no tribunals).
        villages: The villages (used when shared courts sit in villages).
        towns_per_tribunal: Towns each tribunal serves (design choice).
        shared_court_level: ``"town"``: a shared court in each town, ``"village"``: in each
            village, ``None``: none.  Each is run by the tribunal serving its town, or by the
            court where no tribunal does.

    Raises:
        ArgumentError: ``towns_per_tribunal`` is not a whole number from 0 to 1,000, or
            ``shared_court_level`` is neither a town, a village nor ``None``.
    """
    if (
        isinstance(towns_per_tribunal, bool)
        or not isinstance(towns_per_tribunal, int)
        or not 0 <= towns_per_tribunal <= 1000
    ):
        raise ArgumentError("towns_per_tribunal", towns_per_tribunal, "a whole number, 0 to 1000")  # noqa: EM101 - a name
    level = None if shared_court_level is None else Level.parse(shared_court_level, "level")
    if level not in (None, Level.TOWN, Level.VILLAGE):
        raise ArgumentError("shared_court_level", shared_court_level, "'town', 'village' or None")  # noqa: EM101 - a name
    court = Court(
        id=f"{city.id}.court",
        name=f"{city.name}人民法院",
        name_en=f"{city.name_en} People's Court".strip(),
        city_id=city.id,
    )
    tribunals: list[Tribunal] = []
    runner: dict[str, str] = {}
    step = towns_per_tribunal
    for i in range(0, len(towns) if step else 0, step or 1):
        group = towns[i : i + step]
        seat = group[0]
        tribunal = Tribunal(
            id=f"{seat.id}.tribunal",
            name=f"{court.name}{seat.name}法庭",
            name_en=f"{seat.name_en} People's Tribunal".strip(),
            town_id=seat.id,
            court_id=court.id,
            town_ids=tuple(t.id for t in group),
        )
        tribunals.append(tribunal)
        runner.update((t.id, tribunal.id) for t in group)
    hosts: Sequence[AdminUnit] = () if level is None else towns if level is Level.TOWN else villages
    venues = [
        SharedCourt(
            id=f"{unit.id}.shared_court",
            name=f"{unit.name}共享法庭",
            name_en=f"{unit.name_en} Shared Court".strip(),
            unit_id=unit.id,
            court_id=runner.get(unit.id if level is Level.TOWN else str(unit.parent_id), court.id),
        )
        for unit in hosts
    ]
    return [court], tribunals, venues
