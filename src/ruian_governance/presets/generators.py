"""Deterministic hierarchy generators: any size (:func:`generate_hierarchy`) and Rui'an's.

Where the facts come from: :func:`ruian_preset` takes Rui'an's 23 real towns and streets and the
seed article's worker counts (about 18,000 grid workers and 30,000 micro-grid workers); every
other size, the way units are dealt to their parents, the ids, the generated names and the
staffing of organisations are design choices, made to be configured.

>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=16, seed=1)
>>> [unit.id for unit in h.children(h.towns[0].id)][:1], h.people[0].posts[0].role
(['t0001.v001'], 'centre_officer')
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping, Sequence

from ruian_governance.errors import ArgumentError
from ruian_governance.labels import check_identifier, check_text
from ruian_governance.models import (
    AdminUnit,
    CommandRoom,
    Department,
    Employment,
    Hierarchy,
    Level,
    Person,
    Platform,
    PlatformPreset,
    Post,
    SocialGovernanceCentre,
    Station,
)

from .courts import court_units
from .departments import DEFAULT_DEPARTMENTS, DepartmentSpec
from .platforms import PLATFORMS_2021
from .towns import RUIAN_TOWNS, TownSpec

__all__ = ["generate_hierarchy", "ruian_preset"]

_SURNAMES = "陈林王张李黄周吴郑徐潘金胡蔡叶谢朱杨刘高项孙戴池"
_GIVEN = "建国华明丽芳伟强军平晓海燕静磊洁志勇秀英云飞杰斌慧玲"


def _spread(total: int, parents: int, rng: random.Random) -> list[int]:
    """Deal ``total`` children to ``parents``: each parent gets one first if there are enough."""
    if parents == 0:
        return []
    if total < parents:
        counts = [0] * parents
        for i in rng.sample(range(parents), total):
            counts[i] = 1
        return counts
    counts = [1] * parents
    for i in rng.choices(range(parents), k=total - parents):
        counts[i] += 1
    return counts


@functools.lru_cache(maxsize=256)
def _numbered(prefix: str, suffix: str, most: int) -> tuple[str, ...]:
    """``prefix0suffix``, ``prefix1suffix``, ... below ``most``: the k-th child's name."""
    return tuple(f"{prefix}{k}{suffix}" for k in range(most))


_NAMING: dict[Level, tuple[str, int, str, str]] = {
    Level.VILLAGE: ("v", 3, "Village", "村"),
    Level.GRID: ("g", 2, "Grid", "网格"),
    Level.MICRO_GRID: ("m", 2, "Micro-grid", "微网格"),
}
"""How generated units of a level are called: id tag and digits, English word, Chinese suffix."""


def _deal(parents: Sequence[AdminUnit], counts: Sequence[int], level: Level) -> list[AdminUnit]:
    """Give each parent its count of children of ``level``, numbered from 1.

    The k-th child of a parent has the id ``<parent id>.<tag><k>`` and the English name
    ``<word> <k>``; a village is named after its town (安阳1村), lower units by number (第1网格).
    """
    tag, digits, word, suffix = _NAMING[level]
    most = max(counts, default=0) + 1
    ids = [f".{tag}{k:0{digits}d}" for k in range(most)]
    names_en = _numbered(f"{word} ", "", most)
    children: list[AdminUnit] = []
    for parent, count in zip(parents, counts, strict=True):
        stem = parent.name[:2] if level is Level.VILLAGE else "第"
        names = _numbered(stem, suffix, most)
        children += [
            AdminUnit(
                id=parent.id + ids[k],
                name=names[k],
                name_en=names_en[k],
                level=level,
                parent_id=parent.id,
            )
            for k in range(1, count + 1)
        ]
    return children


_MOST = 10_000_000
"""The largest size or count a generator takes (design choice: a province has 450,000
micro-grids; a larger number is a mistake, refused before it exhausts memory)."""


def _check_counts(counts: Mapping[str, object]) -> None:
    """Refuse a size or count that is not a whole number from 0 to :data:`_MOST`."""
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MOST:
            reason = f"a non-negative whole number, at most {_MOST:,}"
            raise ArgumentError(argument=name, value=value, reason=reason)


def _check_sequence(name: str, value: object, kind: type) -> None:
    """Refuse ``value`` unless it is a sequence (not a string) of ``kind`` values."""
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str | bytes)
        or not all(isinstance(item, kind) for item in value)
    ):
        raise ArgumentError(argument=name, value=value, reason=f"a sequence of {kind.__name__}")


def _check_sizes(towns: int, sizes: dict[str, int]) -> None:
    """Refuse negative sizes, and fewer children than parents one level up."""
    _check_counts({"towns": towns, **sizes})
    micro_grids = sizes["micro_grids"]
    for child, parent, n_parent in (
        ("villages", "towns", towns),
        ("grids", "villages", sizes["villages"]),
        ("micro_grids", "grids", sizes["grids"] if micro_grids else 0),
    ):
        if sizes[child] < n_parent:
            reason = f"at least as many as {parent} ({n_parent})"
            raise ArgumentError(argument=child, value=sizes[child], reason=reason)
    if sizes["micro_grid_workers"] and not micro_grids:
        reason = "0 without micro_grids"
        raise ArgumentError(
            argument="micro_grid_workers", value=sizes["micro_grid_workers"], reason=reason
        )


def _town_stations(
    town: AdminUnit, preset: PlatformPreset
) -> tuple[CommandRoom, list[Platform], list[Station]]:
    """A town's command room, its preset platforms and one station per default station kind."""
    room = CommandRoom(
        id=f"{town.id}.command_room",
        name=f"{town.name}综合信息指挥室",
        name_en=f"{town.name_en} Command Room",
        town_id=town.id,
    )
    platforms: list[Platform] = []
    stations: list[Station] = []
    for kind in preset.platforms:
        platform = Platform(
            id=f"{town.id}.platform.{kind.key}",
            name=f"{town.name}{kind.label.zh}平台",
            name_en=f"{town.name_en} {kind.label.en} platform",
            town_id=town.id,
            platform_kind=kind.key,
        )
        platforms.append(platform)
        for station_kind in kind.station_kinds:
            label = preset.station_kind(station_kind).label
            stations.append(
                Station(
                    id=f"{town.id}.station.{station_kind}",
                    name=f"{town.name}{label.zh}",
                    name_en=f"{town.name_en} {label.en}",
                    town_id=town.id,
                    platform_id=platform.id,
                    station_kind=station_kind,
                )
            )
    return room, platforms, stations


def generate_hierarchy(  # noqa: PLR0913 - every size is a knob
    *,
    seed: int = 0,
    towns: int | Sequence[TownSpec] = 23,
    villages: int = 460,
    grids: int = 3_000,
    micro_grids: int = 15_000,
    grid_workers: int | None = None,
    micro_grid_workers: int | None = None,
    preset: PlatformPreset = PLATFORMS_2021,
    city_id: str = "city",
    city_name: str = "示范市",
    city_name_en: str = "Example City",
    departments: Sequence[DepartmentSpec] = DEFAULT_DEPARTMENTS,
    operators_per_room: int = 2,
    officers_per_station: int = 1,
    centre_officers: int = 3,
    officers_per_department: int = 1,
    supervision_panel: int = 12,
    towns_per_tribunal: int = 4,
    shared_court_level: Level | str | None = Level.TOWN,
    judges_per_court: int = 1,
    mediators_per_village: int = 1,
    sages_per_village: int = 0,
    sages_per_town: int = 1,
    leaders_per_town: int = 1,
    city_leaders: int = 1,
    political_legal_officers: int = 1,
) -> Hierarchy:
    """Generate a valid hierarchy of any size, deterministically from ``seed``.

    Villages are dealt to towns, grids to villages and micro-grids to grids at random (each parent
    gets at least one child while there are enough). Every town gets one command room, the
    preset's platforms and one station per default station kind; the first grid worker of a
    grid is full-time and also its grid leader 网格长, the others are part-time.

    Args:
        seed: Seed of the private random generator; the same arguments give the same hierarchy.
        towns: A number of generated towns, or the towns themselves.
        villages: Villages and communities in all.
        grids: Grids in all.
        micro_grids: Micro-grids in all (0 for a deployment without them).
        grid_workers: Grid workers in all (default: one per grid).
        micro_grid_workers: Micro-grid workers in all (default: one per micro-grid).
        preset: The platform set of every town.
        city_id: Id of the city unit; other ids hang below it.
        city_name: Chinese name of the city.
        city_name_en: English name of the city.
        departments: City departments to create.
        operators_per_room: Command-room operators per town.
        officers_per_station: Station officers per station.
        centre_officers: Officers of the social-governance centre.
        officers_per_department: Officers per department.
        supervision_panel: Members of the citizen-supervision panel 平安市民监督团.
        towns_per_tribunal: Towns each people's tribunal 人民法庭 serves (0: none); the city
            always has its basic-level people's court 基层人民法院 (:func:`.court_units`).
        shared_court_level: Where shared courts 共享法庭 sit: ``"town"``, ``"village"`` or
            ``None``.
        judges_per_court: Judges 法官 in the court and in each tribunal.
        mediators_per_village: People's mediators of each village's mediation committee
            人民调解委员会.
        sages_per_village: New village sages 新乡贤 posted in each village.
        sages_per_town: New village sages posted in each town (the seed's 乡镇主体 level).
        leaders_per_town: Town leaders 镇街领导 (own difficult disputes 领导包案, lead town
            task forces 专班).
        city_leaders: City leaders 市领导.
        political_legal_officers: Officers of the political-legal committee / safety office
            政法委/平安办 at the city.

    Raises:
        ArgumentError: A size or count is not a whole number from 0 to 10,000,000, there are
            fewer children than parents one level up (e.g. fewer villages than towns), or an
            argument is of the wrong kind (a seed that is no int, a city id that is no id...).

    >>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=16, seed=1)
    >>> [len(h.units_at(level)) for level in Level]
    [1, 2, 4, 8, 16]
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ArgumentError(argument="seed", value=seed, reason="an int")
    if not isinstance(towns, int) or isinstance(towns, bool):
        _check_sequence("towns", towns, TownSpec)
    _check_sequence("departments", departments, DepartmentSpec)
    if not isinstance(preset, PlatformPreset):
        raise ArgumentError(argument="preset", value=preset, reason="a PlatformPreset")
    check_identifier(city_id, "city_id")
    check_text(city_name, "city_name")
    check_text(city_name_en, "city_name_en", empty=True)
    _check_counts(
        {
            "towns": towns if isinstance(towns, int) else 0,
            "operators_per_room": operators_per_room,
            "officers_per_station": officers_per_station,
            "centre_officers": centre_officers,
            "officers_per_department": officers_per_department,
            "supervision_panel": supervision_panel,
            "judges_per_court": judges_per_court,
            "mediators_per_village": mediators_per_village,
            "sages_per_village": sages_per_village,
            "sages_per_town": sages_per_town,
            "leaders_per_town": leaders_per_town,
            "city_leaders": city_leaders,
            "political_legal_officers": political_legal_officers,
        }
    )
    town_specs = (
        [
            TownSpec(id=f"t{i:04d}", name=f"第{i}镇", name_en=f"Town {i}")
            for i in range(1, towns + 1)
        ]
        if isinstance(towns, int)
        else list(towns)
    )
    n_grid_workers = grids if grid_workers is None else grid_workers
    n_micro_workers = micro_grids if micro_grid_workers is None else micro_grid_workers
    sizes = {
        "villages": villages,
        "grids": grids,
        "micro_grids": micro_grids,
        "grid_workers": n_grid_workers,
        "micro_grid_workers": n_micro_workers,
    }
    _check_sizes(len(town_specs), sizes)
    rng = random.Random(seed)

    # administrative units
    city = AdminUnit(id=city_id, name=city_name, name_en=city_name_en, level=Level.CITY)
    town_units = [
        AdminUnit(id=t.id, name=t.name, name_en=t.name_en, level=Level.TOWN, parent_id=city_id)
        for t in town_specs
    ]
    dealt = {Level.TOWN: town_units}
    parents = town_units
    sizes_below = ((Level.VILLAGE, villages), (Level.GRID, grids), (Level.MICRO_GRID, micro_grids))
    for level, total in sizes_below:
        parents = _deal(parents, _spread(total, len(parents), rng), level) if total else []
        dealt[level] = parents
    grid_units, micro_units = dealt[Level.GRID], dealt[Level.MICRO_GRID]

    # organisations
    centre = SocialGovernanceCentre(
        id=f"{city_id}.centre",
        name=f"{city_name}社会治理中心",
        name_en=f"{city_name_en} Social Governance Centre",
        city_id=city_id,
    )
    depts = [
        Department(
            id=f"{city_id}.dept.{d.department_kind}",
            name=f"{city_name}{d.name}",
            name_en=d.name_en,
            city_id=city_id,
            department_kind=d.department_kind,
        )
        for d in departments
    ]
    rooms: list[CommandRoom] = []
    platforms: list[Platform] = []
    stations: list[Station] = []
    for town in town_units:
        room, town_platforms, town_stations = _town_stations(town, preset)
        rooms.append(room)
        platforms += town_platforms
        stations += town_stations

    courts, tribunals, venues = court_units(
        city,
        town_units,
        dealt[Level.VILLAGE],
        towns_per_tribunal=towns_per_tribunal,
        shared_court_level=shared_court_level,
    )

    # people: one tuple of posts each, in a fixed order, then named from the seed
    staff: list[tuple[Post, ...]] = []
    for unit_id, role, count in (
        (centre.id, "centre_officer", centre_officers),
        (city_id, "supervision_panel_member", supervision_panel),
        *((d.id, "department_officer", officers_per_department) for d in depts),
        *((r.id, "command_room_operator", operators_per_room) for r in rooms),
        *((s.id, "station_officer", officers_per_station) for s in stations),
    ):
        staff += [(Post(role=role, unit_id=unit_id),)] * count
    full, part = Employment.FULL_TIME, Employment.PART_TIME
    for grid, count in zip(grid_units, _spread(n_grid_workers, len(grid_units), rng), strict=True):
        if count:
            staff.append(
                (
                    Post(role="grid_worker", unit_id=grid.id, employment=full),
                    Post(role="grid_leader", unit_id=grid.id),
                )
            )
        staff += [(Post(role="grid_worker", unit_id=grid.id, employment=part),)] * (count - 1)
    micro_counts = _spread(n_micro_workers, len(micro_units), rng)
    for micro, count in zip(micro_units, micro_counts, strict=True):
        staff += [(Post(role="micro_grid_worker", unit_id=micro.id),)] * count
    # the posts added in 0.2.0 come last, so that earlier people keep their ids and names
    for unit_id, role, count in (
        (city_id, "leader", city_leaders),
        (city_id, "political_legal_officer", political_legal_officers),
        *(
            (c, "judge", judges_per_court)
            for c in [*(x.id for x in courts), *(x.id for x in tribunals)]
        ),
        *((t.id, "leader", leaders_per_town) for t in town_units),
        *((t.id, "village_sage", sages_per_town) for t in town_units),
        *(
            (v.id, "mediation_committee_member", mediators_per_village)
            for v in dealt[Level.VILLAGE]
        ),
        *((v.id, "village_sage", sages_per_village) for v in dealt[Level.VILLAGE]),
    ):
        staff += [(Post(role=role, unit_id=unit_id),)] * count

    pool = [a + b for a in _SURNAMES for b in _GIVEN]
    pool += [a + b + c for a in _SURNAMES for b in _GIVEN for c in _GIVEN]
    names = rng.choices(pool, k=len(staff))
    people = [
        Person(id=f"p{i:07d}", name=name, posts=posts)
        for i, (name, posts) in enumerate(zip(names, staff, strict=True), start=1)
    ]
    return Hierarchy(
        preset=preset,
        units=[city, *(unit for units in dealt.values() for unit in units)],
        centre=centre,
        command_rooms=rooms,
        platforms=platforms,
        stations=stations,
        departments=depts,
        people=people,
        courts=courts,
        tribunals=tribunals,
        shared_courts=venues,
    )


def ruian_preset(  # noqa: PLR0913 - sizes are the knobs users turn
    *,
    seed: int = 0,
    villages: int = 600,
    grids: int = 3_000,
    micro_grids: int = 30_000,
    grid_workers: int = 18_000,
    micro_grid_workers: int = 30_000,
    preset: PlatformPreset = PLATFORMS_2021,
) -> Hierarchy:
    """Build the Rui'an-shaped hierarchy.

    瑞安市, its 23 real towns and streets (:data:`~ruian_governance.presets.RUIAN_TOWNS`), and
    generated villages, grids and micro-grids.

    The defaults match the seed article: about 18,000 grid workers 网格员 and 30,000 micro-grid
    workers 微网格员.  Village, grid and micro-grid counts for Rui'an are not published; the
    defaults (600 / 3,000 / 30,000) are configuration, not facts.

    >>> h = ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23,
    ...                  micro_grid_workers=0)
    >>> h.city.name, h.towns[0].name, h.towns[-1].name
    ('瑞安市', '安阳街道', '北麂乡')
    """
    return generate_hierarchy(
        seed=seed,
        towns=RUIAN_TOWNS,
        villages=villages,
        grids=grids,
        micro_grids=micro_grids,
        grid_workers=grid_workers,
        micro_grid_workers=micro_grid_workers,
        preset=preset,
        city_id="ruian",
        city_name="瑞安市",
        city_name_en="Rui'an",
    )
