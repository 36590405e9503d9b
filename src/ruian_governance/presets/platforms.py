"""The shipped platform presets 基层治理四平台 and the station kinds 职能站所 they group.

Where the facts come from, preset by preset:

- :data:`PLATFORMS_2016`: **official**, Zhejiang's provincial notice of 2016 (浙委办发〔2016〕69号);
  the stations each platform groups follow Zhejiang practice.
- :data:`PLATFORMS_2022`: **reported, not verified here**: the set widely reported for
  Zhejiang's 2022 county-town integration reform (县乡一体、条抓块统), 党建统领 / 经济生态 /
  平安法治 / 公共服务; which stations each platform groups is a design choice.
- :data:`PLATFORMS_2021`: **a design choice, not an official set**.  Its key ``"2021"`` is kept so
  stored hierarchies and ``--rules 2021`` still read; no document of 2021 (or any year) names it.

The emergency and fire management station 应急消防管理站 is a design choice.  Platforms are
configuration: users may build their own :class:`~ruian_governance.models.PlatformPreset`.

>>> from ruian_governance.presets import PLATFORMS_2016, PLATFORMS_2021, PLATFORMS_2022
>>> [kind.label.zh for kind in PLATFORMS_2016.platforms]
['综治工作', '市场监管', '综合执法', '便民服务']
>>> [kind.label.zh for kind in PLATFORMS_2022.platforms]
['党建统领', '经济生态', '平安法治', '公共服务']
>>> [kind.label.zh for kind in PLATFORMS_2021.platforms]
['综治工作', '监管执法', '应急管理', '公共服务']
>>> PLATFORMS_2021.label.zh
'基层治理四平台(设计示例,非官方)'
"""

from __future__ import annotations

from ruian_governance.labels import Label
from ruian_governance.models import PlatformKind, PlatformPreset, StationKind

__all__ = ["PLATFORMS_2016", "PLATFORMS_2021", "PLATFORMS_2022", "STATION_KINDS"]


def _sk(key: str, en: str, zh: str) -> StationKind:
    return StationKind(key=key, label=Label(en=en, zh=zh))


def _pk(key: str, en: str, zh: str, *station_kinds: str) -> PlatformKind:
    return PlatformKind(key=key, label=Label(en=en, zh=zh), station_kinds=station_kinds)


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
"""Every station kind the shipped presets know.

Source: the stations Zhejiang practice places under the 2016 platforms (county outposts in the
town: police station, judicial office, petitions office, market supervision office,
law-enforcement squad, natural resources office, convenience service centre); the emergency and
fire management station 应急消防管理站 is a design choice, added for the emergency platform of
the design-choice set (:data:`PLATFORMS_2021`) and the safety platform of :data:`PLATFORMS_2022`.
"""

_GOVERNANCE = _pk(
    "comprehensive_governance",
    "comprehensive governance",
    "综治工作",
    *("police_station", "judicial_office", "petitions_office"),
)

PLATFORMS_2016 = PlatformPreset(
    key="2016",
    label=Label(en="four platforms, 2016 (Zhejiang 2016 No. 69)", zh="基层治理四平台(2016)"),
    platforms=(
        _GOVERNANCE,
        _pk("market_supervision", "market supervision", "市场监管", "market_supervision_office"),
        _pk(
            "law_enforcement",
            "comprehensive law enforcement",
            "综合执法",
            *("law_enforcement_squad", "natural_resources_office"),
        ),
        _pk("convenience_services", "convenience services", "便民服务", "service_centre"),
    ),
    station_kinds=STATION_KINDS,
)
"""The 2016 platform set (浙委办发〔2016〕69号).

Source: the four platforms are those of the Zhejiang provincial notice of 2016 (No. 69); which
stations each platform groups follows Zhejiang practice.
"""

PLATFORMS_2021 = PlatformPreset(
    key="2021",
    label=Label(
        en="four platforms, design-choice set (not official)",
        zh="基层治理四平台(设计示例,非官方)",
    ),
    platforms=(
        _GOVERNANCE,
        _pk(
            "supervision_enforcement",
            "supervision and enforcement",
            "监管执法",
            *("market_supervision_office", "law_enforcement_squad", "natural_resources_office"),
        ),
        _pk("emergency_management", "emergency management", "应急管理", "emergency_fire_station"),
        _pk("public_services", "public services", "公共服务", "service_centre"),
    ),
    station_kinds=STATION_KINDS,
)
"""A design-choice platform set: the two middle platforms merged, emergency management added.

Source: **a design choice, not an official set.**  An earlier version of this library called it
the "2021 preset" and described it as official; no published source for it was found.  The key
``"2021"`` (and the names ``PLATFORMS_2021``, ``RULES_2021``) are kept so that stored
hierarchies, run directories and ``--rules 2021`` still read; the year names no document.  It
is the generators' default; pass :data:`PLATFORMS_2016` for the official set, or
:data:`PLATFORMS_2022` for the reported 2022 reform set.
"""

PLATFORMS_2022 = PlatformPreset(
    key="2022",
    label=Label(
        en="four platforms, 2022 county-town reform (reported, unverified)",
        zh="基层治理四平台(2022县乡一体改革,据报道,未核实)",
    ),
    platforms=(
        _pk("party_building", "party building leads", "党建统领"),
        _pk(
            "economy_ecology",
            "economy and ecology",
            "经济生态",
            *("market_supervision_office", "natural_resources_office"),
        ),
        _pk(
            "safety_rule_of_law",
            "safety and rule of law",
            "平安法治",
            *(
                "police_station",
                "judicial_office",
                "petitions_office",
                "law_enforcement_squad",
                "emergency_fire_station",
            ),
        ),
        _pk("public_services", "public services", "公共服务", "service_centre"),
    ),
    station_kinds=STATION_KINDS,
)
"""The platform set reported for Zhejiang's 2022 county-town reform (县乡一体、条抓块统).

Source: **reported, not verified here.**  Press and government pages widely report that the
2022 reform recast the township platforms as 党建统领 party building leads, 经济生态 economy and
ecology, 平安法治 safety and rule of law and 公共服务 public services, beside the township
基层治理综合信息指挥室 (the project's domain notes, tagged as reported practice); the reform
document itself was not read.  Which station kinds each platform groups is a design choice (the
party-building platform groups no county outpost, so it has no station kind).
"""
