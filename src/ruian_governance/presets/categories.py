"""The shipped category tables 事项分类表 for the 2016, 2022 and design-choice platform presets.

Where the facts come from: the kinds of matter each 2016 platform takes (disputes and petitions
to comprehensive governance, food safety to market supervision, illegal building to law
enforcement, social assistance to convenience services, ...) follow Zhejiang practice; the
category keys, the stations and departments each category names, its default severity, the
whole ``"2021"`` table (for the design-choice :data:`~ruian_governance.presets.PLATFORMS_2021`)
and which 2022 platform takes each category (for the reported, unverified
:data:`~ruian_governance.presets.PLATFORMS_2022`) are design choices, made to be replaced by a
city's own table.
"""

from __future__ import annotations

from ruian_governance.labels import Label
from ruian_governance.models import PlatformPreset
from ruian_governance.routing import Category, RoutingRules, SeverityTier

from .platforms import PLATFORMS_2016, PLATFORMS_2021, PLATFORMS_2022

__all__ = ["RULES_2016", "RULES_2021", "RULES_2022"]


# (key, en, zh, platform 2016, platform 2021, stations 2016, stations 2021, departments, severity)
_CategoryRow = tuple[
    str, str, str, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], SeverityTier
]
_GOV, _MKT, _LAW, _SVC = (
    "comprehensive_governance",
    "market_supervision",
    "law_enforcement",
    "convenience_services",
)
_SUP, _EMG, _PUB = "supervision_enforcement", "emergency_management", "public_services"
_ORD, _LRG = SeverityTier.ORDINARY, SeverityTier.LARGER
_POLICE, _JUDICIAL, _PETITIONS = "police_station", "judicial_office", "petitions_office"
_MARKET, _SQUAD, _LAND = (
    "market_supervision_office",
    "law_enforcement_squad",
    "natural_resources_office",
)
_FIRE, _SERVICE = "emergency_fire_station", "service_centre"

_CATEGORY_ROWS: tuple[_CategoryRow, ...] = (
    ("neighbour_dispute", "neighbour dispute", "邻里纠纷", _GOV, _GOV,
     (_JUDICIAL, _POLICE), (_JUDICIAL, _POLICE), ("justice",), _ORD),
    ("illegal_building", "illegal building", "违法建筑", _LAW, _SUP,
     (_SQUAD, _LAND), (_SQUAD, _LAND), ("law_enforcement", "natural_resources", "housing"), _ORD),
    ("food_safety", "food safety", "食品安全", _MKT, _SUP,
     (_MARKET,), (_MARKET,), ("market_supervision", "health"), _ORD),
    ("fire_hazard", "fire hazard", "消防隐患", _GOV, _EMG,
     (_POLICE, _SQUAD), (_FIRE, _SQUAD), ("fire_rescue", "emergency_management"), _ORD),
    ("social_security_query", "social-security query", "社保咨询", _SVC, _PUB,
     (_SERVICE,), (_SERVICE,), ("human_resources",), _ORD),
    ("public_order", "public order", "治安", _GOV, _GOV,
     (_POLICE,), (_POLICE,), ("public_security",), _ORD),
    ("labour_dispute", "labour and wage dispute", "劳资纠纷", _GOV, _GOV,
     (_JUDICIAL, _SERVICE, _POLICE), (_JUDICIAL, _SERVICE, _POLICE),
     ("human_resources", "justice"), _ORD),
    ("environmental_pollution", "environmental pollution", "环境污染", _LAW, _SUP,
     (_SQUAD,), (_SQUAD,), ("ecology",), _ORD),
    ("unlicensed_business", "unlicensed business", "无证经营", _MKT, _SUP,
     (_MARKET, _SQUAD), (_MARKET, _SQUAD), ("market_supervision",), _ORD),
    ("work_safety_hazard", "work-safety hazard", "安全生产隐患", _LAW, _EMG,
     (_SQUAD, _MARKET), (_FIRE, _MARKET), ("emergency_management",), _ORD),
    ("flood_typhoon", "flood and typhoon", "防汛防台", _GOV, _EMG,
     (_LAND, _POLICE), (_FIRE, _LAND, _POLICE), ("water", "emergency_management"), _LRG),
    ("road_occupation", "road-occupying business", "占道经营", _LAW, _SUP,
     (_SQUAD,), (_SQUAD,), ("law_enforcement", "transport"), _ORD),
    ("petition", "petition", "信访", _GOV, _GOV,
     (_PETITIONS,), (_PETITIONS,), ("petitions",), _ORD),
    ("illegal_land_use", "illegal land use", "违法用地", _LAW, _SUP,
     (_LAND, _SQUAD), (_LAND, _SQUAD), ("natural_resources",), _ORD),
    ("social_assistance", "social assistance", "社会救助", _SVC, _PUB,
     (_SERVICE,), (_SERVICE,), ("civil_affairs",), _ORD),
)  # fmt: skip


# Which 2022 platform takes a category, from its design-choice platform [design]: governance and
# emergencies go to safety and rule of law 平安法治; market, land and pollution matters to economy
# and ecology 经济生态, enforcement matters (building, road occupation) to 平安法治.
_TO_2022 = {_GOV: "safety_rule_of_law", _EMG: "safety_rule_of_law", _PUB: "public_services"}
_ECONOMY_2022 = frozenset(
    {"food_safety", "unlicensed_business", "environmental_pollution", "illegal_land_use"}
)


def _platform(row: _CategoryRow, year: int) -> str:
    if year == 2016:
        return row[3]
    if year == 2021:
        return row[4]
    if row[0] in _ECONOMY_2022:
        return "economy_ecology"
    return _TO_2022.get(row[4], "safety_rule_of_law")


def _table(key: str, preset: PlatformPreset, year: int, zh: str) -> RoutingRules:
    return RoutingRules(
        key=key,
        label=Label(en=f"categories for the {preset.label.en}", zh=f"事项分类表({zh})"),
        preset=preset,
        categories=[
            Category(
                key=row[0],
                label=Label(en=row[1], zh=row[2]),
                platform=_platform(row, year),
                station_kinds=row[5] if year == 2016 else row[6],
                department_kinds=row[7],
                default_severity=row[8],
            )
            for row in _CATEGORY_ROWS
        ],
    )


RULES_2016: RoutingRules = _table("2016", PLATFORMS_2016, 2016, "2016")
"""The category table for the 2016 platform set (:data:`~ruian_governance.PLATFORMS_2016`).

Source: platforms by Zhejiang practice; stations, departments and severities a design choice.
"""

RULES_2021: RoutingRules = _table("2021", PLATFORMS_2021, 2021, "设计示例")
"""The category table for the design-choice set (:data:`~ruian_governance.PLATFORMS_2021`).

Source: a design choice, like the platform set it routes to (its key ``"2021"`` names no
document; it is kept so stored runs and ``--rules 2021`` still read).
"""

RULES_2022: RoutingRules = _table("2022", PLATFORMS_2022, 2022, "2022")
"""The category table for the reported 2022 reform set (:data:`~ruian_governance.PLATFORMS_2022`).

Source: the platform set is reported, not verified here; which platform takes each category,
and the stations, departments and severities, are design choices (the stations are those of the
design-choice table).

>>> from ruian_governance.presets import RULES_2022
>>> RULES_2022.category("food_safety").platform, RULES_2022.category("petition").platform
('economy_ecology', 'safety_rule_of_law')
"""
