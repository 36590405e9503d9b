"""Shipped configuration and generators.

The 2016 and 2021 platform presets, the city departments, the 23 towns and streets of Rui'an,
and deterministic hierarchy generators of any size.

>>> from ruian_governance.presets import PLATFORMS_2016, PLATFORMS_2021
>>> [kind.label.zh for kind in PLATFORMS_2016.platforms]
['综治工作', '市场监管', '综合执法', '便民服务']
>>> [kind.label.zh for kind in PLATFORMS_2021.platforms]
['综治工作', '监管执法', '应急管理', '公共服务']
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import attrs

from ruian_governance.labels import Label
from ruian_governance.models import (
    AdminUnit,
    CommandRoom,
    Department,
    Employment,
    Hierarchy,
    Level,
    Person,
    Platform,
    PlatformKind,
    PlatformPreset,
    Post,
    SocialGovernanceCentre,
    Station,
    StationKind,
)

__all__ = [
    "DEFAULT_DEPARTMENTS",
    "PLATFORMS_2016",
    "PLATFORMS_2021",
    "RUIAN_TOWNS",
    "STATION_KINDS",
    "DepartmentSpec",
    "TownSpec",
    "generate_hierarchy",
    "ruian_preset",
]


def _sk(key: str, en: str, zh: str) -> StationKind:
    return StationKind(key=key, label=Label(en=en, zh=zh))


STATION_KINDS: tuple[StationKind, ...] = (
    _sk("police_station", "police station", "派出所"),
    _sk("judicial_office", "judicial office", "司法所"),
    _sk("petitions_office", "petitions office", "信访办"),
    _sk("market_supervision_office", "market supervision office", "市场监管所"),
    _sk("law_enforcement_squad", "law-enforcement squad", "综合行政执法中队"),
    _sk("natural_resources_office", "natural resources office", "自然资源所"),
    _sk("emergency_fire_station", "emergency and fire management station", "应急消防管理站"),
    _sk("service_centre", "convenience service centre", "便民服务中心"),
)
"""Every station kind the shipped presets know."""

_GOVERNANCE = PlatformKind(
    key="comprehensive_governance",
    label=Label(en="comprehensive governance", zh="综治工作"),
    station_kinds=("police_station", "judicial_office", "petitions_office"),
)

PLATFORMS_2016 = PlatformPreset(
    key="2016",
    label=Label(en="four platforms, 2016 (Zhejiang 2016 No. 69)", zh="基层治理四平台(2016)"),
    platforms=(
        _GOVERNANCE,
        PlatformKind(
            key="market_supervision",
            label=Label(en="market supervision", zh="市场监管"),
            station_kinds=("market_supervision_office",),
        ),
        PlatformKind(
            key="law_enforcement",
            label=Label(en="comprehensive law enforcement", zh="综合执法"),
            station_kinds=("law_enforcement_squad", "natural_resources_office"),
        ),
        PlatformKind(
            key="convenience_services",
            label=Label(en="convenience services", zh="便民服务"),
            station_kinds=("service_centre",),
        ),
    ),
    station_kinds=STATION_KINDS,
)
"""The 2016 platform set (浙委办发〔2016〕69号)."""

PLATFORMS_2021 = PlatformPreset(
    key="2021",
    label=Label(en="four platforms, 2021", zh="基层治理四平台(2021)"),
    platforms=(
        _GOVERNANCE,
        PlatformKind(
            key="supervision_enforcement",
            label=Label(en="supervision and enforcement", zh="监管执法"),
            station_kinds=(
                "market_supervision_office",
                "law_enforcement_squad",
                "natural_resources_office",
            ),
        ),
        PlatformKind(
            key="emergency_management",
            label=Label(en="emergency management", zh="应急管理"),
            station_kinds=("emergency_fire_station",),
        ),
        PlatformKind(
            key="public_services",
            label=Label(en="public services", zh="公共服务"),
            station_kinds=("service_centre",),
        ),
    ),
    station_kinds=STATION_KINDS,
)
"""The 2021 platform set: the two middle platforms merged, emergency management added."""


@attrs.frozen(kw_only=True)
class TownSpec:
    """The id stem and names of one town or street for the generators."""

    id: str
    name: str
    name_en: str


@attrs.frozen(kw_only=True)
class DepartmentSpec:
    """A city department for the generators: its kind key and its names."""

    department_kind: str
    name: str
    name_en: str


def _town(slug: str, name: str, suffix_en: str) -> TownSpec:
    return TownSpec(id=slug, name=name, name_en=f"{slug.capitalize()} {suffix_en}")


_STREETS = [
    "安阳",
    "玉海",
    "锦湖",
    "潘岱",
    "东山",
    "上望",
    "莘塍",
    "汀田",
    "飞云",
    "仙降",
    "南滨",
    "云周",
]
_STREETS_EN = [
    "anyang",
    "yuhai",
    "jinhu",
    "pandai",
    "dongshan",
    "shangwang",
    "xincheng",
    "tingtian",
    "feiyun",
    "xianjiang",
    "nanbin",
    "yunzhou",
]
_TOWNS = ["塘下", "陶山", "桐浦", "湖岭", "林川", "马屿", "曹村", "高楼", "平阳坑"]
_TOWNS_EN = [
    "tangxia",
    "taoshan",
    "tongpu",
    "huling",
    "linchuan",
    "mayu",
    "caocun",
    "gaolou",
    "pingyangkeng",
]

RUIAN_TOWNS: tuple[TownSpec, ...] = (
    *(_town(en, f"{zh}街道", "Subdistrict") for zh, en in zip(_STREETS, _STREETS_EN, strict=True)),
    *(_town(en, f"{zh}镇", "Town") for zh, en in zip(_TOWNS, _TOWNS_EN, strict=True)),
    _town("fangzhuang", "芳庄乡", "Township"),
    _town("beiji", "北麂乡", "Township"),
)
"""Rui'an's 23 township-level divisions since the 2016 adjustment: 12 streets 街道, 9 towns 镇 and
2 townships 乡 (Wenzhou Daily, 2016-01-06, on the provincial approval)."""


def _dept(kind: str, zh: str, en: str) -> DepartmentSpec:
    return DepartmentSpec(department_kind=kind, name=zh, name_en=en)


DEFAULT_DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    _dept("public_security", "公安局", "Public Security Bureau"),
    _dept("justice", "司法局", "Justice Bureau"),
    _dept("petitions", "信访局", "Petitions Bureau"),
    _dept("market_supervision", "市场监督管理局", "Market Supervision Administration"),
    _dept("law_enforcement", "综合行政执法局", "Comprehensive Law Enforcement Bureau"),
    _dept("natural_resources", "自然资源和规划局", "Natural Resources and Planning Bureau"),
    _dept("housing", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    _dept("ecology", "生态环境分局", "Ecology and Environment Branch"),
    _dept("human_resources", "人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    _dept("civil_affairs", "民政局", "Civil Affairs Bureau"),
    _dept("emergency_management", "应急管理局", "Emergency Management Bureau"),
    _dept("fire_rescue", "消防救援大队", "Fire and Rescue Brigade"),
    _dept("health", "卫生健康局", "Health Bureau"),
    _dept("education", "教育局", "Education Bureau"),
    _dept("transport", "交通运输局", "Transport Bureau"),
    _dept("agriculture", "农业农村局", "Agriculture and Rural Affairs Bureau"),
    _dept("water", "水利局", "Water Resources Bureau"),
    _dept("commerce", "商务局", "Commerce Bureau"),
    _dept("court", "人民法院", "People's Court"),
    _dept("procuratorate", "人民检察院", "People's Procuratorate"),
    _dept("finance", "财政局", "Finance Bureau"),
    _dept("culture_tourism", "文化和广电旅游体育局", "Culture, Radio, Tourism and Sports Bureau"),
)
"""22 city departments 职能部门, as many as took part in Rui'an's dispute application."""

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


def _check_sizes(**sizes: int) -> None:
    for name, value in sizes.items():
        if value < 0:
            msg = f"{name} must not be negative, got {value}"
            raise ValueError(msg)


def generate_hierarchy(  # noqa: PLR0912, PLR0913, PLR0915 - every size is a knob
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

    Raises:
        ValueError: A size is negative, or there are fewer children than parents one level up
            (e.g. fewer villages than towns).

    >>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=16, seed=1)
    >>> [len(h.units_at(level)) for level in Level]
    [1, 2, 4, 8, 16]
    """
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
    _check_sizes(
        towns=len(town_specs),
        villages=villages,
        grids=grids,
        micro_grids=micro_grids,
        grid_workers=n_grid_workers,
        micro_grid_workers=n_micro_workers,
    )
    for child, parent, n_child, n_parent in (
        ("villages", "towns", villages, len(town_specs)),
        ("grids", "villages", grids, villages),
        ("micro_grids", "grids", micro_grids, grids if micro_grids else 0),
    ):
        if n_child < n_parent:
            msg = f"{child} ({n_child}) must be at least {parent} ({n_parent})"
            raise ValueError(msg)
    if n_micro_workers and not micro_grids:
        msg = "micro_grid_workers need micro_grids"
        raise ValueError(msg)

    rng = random.Random(seed)
    units: list[AdminUnit] = [
        AdminUnit(id=city_id, name=city_name, name_en=city_name_en, level=Level.CITY)
    ]
    staff: list[tuple[Post, ...]] = []

    def person(*posts: Post) -> None:
        staff.append(posts)

    # administrative units
    town_units = [
        AdminUnit(id=t.id, name=t.name, name_en=t.name_en, level=Level.TOWN, parent_id=city_id)
        for t in town_specs
    ]
    units += town_units
    village_units: list[AdminUnit] = []
    for town, count in zip(town_units, _spread(villages, len(town_units), rng), strict=True):
        stem = town.name[:2]
        village_units += [
            AdminUnit(
                id=f"{town.id}.v{k:03d}",
                name=f"{stem}{k}村",
                name_en=f"Village {k}",
                level=Level.VILLAGE,
                parent_id=town.id,
            )
            for k in range(1, count + 1)
        ]
    units += village_units
    grid_names = [(f"第{k}网格", f"Grid {k}") for k in range(grids + 1)]
    grid_units: list[AdminUnit] = []
    for village, count in zip(village_units, _spread(grids, len(village_units), rng), strict=True):
        grid_units += [
            AdminUnit(
                id=f"{village.id}.g{k:02d}",
                name=grid_names[k][0],
                name_en=grid_names[k][1],
                level=Level.GRID,
                parent_id=village.id,
            )
            for k in range(1, count + 1)
        ]
    units += grid_units
    micro_units: list[AdminUnit] = []
    if micro_grids:
        micro_names = [(f"第{k}微网格", f"Micro-grid {k}") for k in range(micro_grids + 1)]
        for grid, count in zip(grid_units, _spread(micro_grids, len(grid_units), rng), strict=True):
            micro_units += [
                AdminUnit(
                    id=f"{grid.id}.m{k:02d}",
                    name=micro_names[k][0],
                    name_en=micro_names[k][1],
                    level=Level.MICRO_GRID,
                    parent_id=grid.id,
                )
                for k in range(1, count + 1)
            ]
    units += micro_units

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
        rooms.append(
            CommandRoom(
                id=f"{town.id}.command_room",
                name=f"{town.name}综合信息指挥室",
                name_en=f"{town.name_en} Command Room",
                town_id=town.id,
            )
        )
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

    # people
    for _ in range(centre_officers):
        person(Post(role="centre_officer", unit_id=centre.id))
    for _ in range(supervision_panel):
        person(Post(role="supervision_panel_member", unit_id=city_id))
    for dept in depts:
        for _ in range(officers_per_department):
            person(Post(role="department_officer", unit_id=dept.id))
    for room in rooms:
        for _ in range(operators_per_room):
            person(Post(role="command_room_operator", unit_id=room.id))
    for station in stations:
        for _ in range(officers_per_station):
            person(Post(role="station_officer", unit_id=station.id))
    full, part = Employment.FULL_TIME, Employment.PART_TIME
    for grid, count in zip(grid_units, _spread(n_grid_workers, len(grid_units), rng), strict=True):
        if count:
            person(
                Post(role="grid_worker", unit_id=grid.id, employment=full),
                Post(role="grid_leader", unit_id=grid.id),
            )
        for _ in range(count - 1):
            person(Post(role="grid_worker", unit_id=grid.id, employment=part))
    micro_counts = _spread(n_micro_workers, len(micro_units), rng)
    for micro, count in zip(micro_units, micro_counts, strict=True):
        for _ in range(count):
            person(Post(role="micro_grid_worker", unit_id=micro.id))

    pool = [a + b for a in _SURNAMES for b in _GIVEN]
    pool += [a + b + c for a in _SURNAMES for b in _GIVEN for c in _GIVEN]
    names = rng.choices(pool, k=len(staff))
    people = [
        Person(id=f"p{i:07d}", name=name, posts=posts)
        for i, (name, posts) in enumerate(zip(names, staff, strict=True), start=1)
    ]
    return Hierarchy(
        preset=preset,
        units=units,
        centre=centre,
        command_rooms=rooms,
        platforms=platforms,
        stations=stations,
        departments=depts,
        people=people,
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

    瑞安市, its 23 real towns and streets, and generated villages, grids and micro-grids.

    The defaults match the source article: about 18,000 grid workers 网格员 and 30,000 micro-grid
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
