"""The shipped platform presets 基层治理四平台 and the station kinds 职能站所 they group.

Where the facts come from: the 2016 set is the official one of Zhejiang's provincial notice
(浙委办发〔2016〕69号) and its stations are those typical of each platform in Zhejiang practice;
the 2021 set and the emergency and fire management station are a design choice (an unverified
later set, see :data:`PLATFORMS_2021`).  Platforms are configuration: users may build their own
:class:`~ruian_governance.models.PlatformPreset`.

>>> from ruian_governance.presets import PLATFORMS_2016, PLATFORMS_2021
>>> [kind.label.zh for kind in PLATFORMS_2016.platforms]
['综治工作', '市场监管', '综合执法', '便民服务']
>>> [kind.label.zh for kind in PLATFORMS_2021.platforms]
['综治工作', '监管执法', '应急管理', '公共服务']
"""

from __future__ import annotations

from ruian_governance.labels import Label
from ruian_governance.models import PlatformKind, PlatformPreset, StationKind

__all__ = ["PLATFORMS_2016", "PLATFORMS_2021", "STATION_KINDS"]


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
fire management station 应急消防管理站 is a design choice, added for the 2021 set's emergency
platform.
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
    label=Label(en="four platforms, 2021", zh="基层治理四平台(2021)"),
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
"""A later platform set: the two middle platforms merged, emergency management added.

Source: a design choice, not an official set.  No published source for this set was found; it
stands for the later, reformed platforms (Zhejiang's 2022 county-town integration reform is
reported to have recast them as party building, economy and ecology, safety and rule of law,
and public services, which is not verified here).  It is the generators' default; pass
:data:`PLATFORMS_2016` for the official set.
"""
