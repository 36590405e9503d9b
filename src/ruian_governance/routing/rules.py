"""Routing rules: severity tiers, the category table and the reports routed under it.

A category table (:class:`RoutingRules`) maps each category of matter (事项类别) to its lead
platform, the station kinds that handle it and the city departments that take it when it is
major.  Severity tiers (:class:`SeverityTier`) decide the level: ordinary 一般 goes to one
station of the grid's own town, larger 较大 is coordinated across several stations of that town
through the joint meeting of the platforms 四平台联席会议, major 重大 is escalated to the city's
social-governance centre and its departments.  A :class:`Report` names its grid, its category
and, if it knows it, its tier.

>>> from ruian_governance.presets import RULES_2021
>>> category = RULES_2021.category("food_safety")
>>> category.platform, category.default_severity.label.zh
('supervision_enforcement', '一般')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from ruian_governance._convert import (
    LabelledEnum,
    check_aware,
    free_text,
    id_tuple,
    identifier,
    identifiers,
    instance_of,
    items_of,
    model_tuple,
    optional_identifier,
)
from ruian_governance.errors import (
    CategoryTableError,
    UnknownCategoryError,
    UnknownRoutingKindError,
)
from ruian_governance.labels import Label
from ruian_governance.models import PlatformPreset

__all__ = ["Category", "Report", "RoutingRules", "SeverityTier", "check_rules"]


# --------------------------------------------------------------------------- severity tiers


class SeverityTier(LabelledEnum):
    """Severity tiers (事件等级) that decide the level a report is handled at.

    >>> [(s.value, s.label.zh) for s in SeverityTier]
    [('ordinary', '一般'), ('larger', '较大'), ('major', '重大')]
    """

    ORDINARY = "ordinary"
    LARGER = "larger"
    MAJOR = "major"


SeverityTier._labels_ = {
    SeverityTier.ORDINARY: Label(en="ordinary", zh="一般"),
    SeverityTier.LARGER: Label(en="larger", zh="较大"),
    SeverityTier.MAJOR: Label(en="major", zh="重大"),
}


# The converters of enum-typed fields: one small typed function per field (see _convert).


def _default_severity(value: SeverityTier | str) -> SeverityTier:
    return SeverityTier.parse(value, "default_severity")


def _severity(value: SeverityTier | str | None) -> SeverityTier | None:
    return None if value is None else SeverityTier.parse(value, "severity")


def _tier(value: SeverityTier | str) -> SeverityTier:
    return SeverityTier.parse(value, "severity")


# --------------------------------------------------------------------------- the category table


@attrs.frozen(kw_only=True)
class Category:
    """One category of matter (事项类别) and who handles it.

    Args:
        key: The category's key, e.g. ``"neighbour_dispute"``.
        label: Its bilingual label (邻里纠纷).
        platform: The key of the lead platform kind (牵头平台).
        station_kinds: Station kinds that handle it, in order of preference: an ordinary report
            goes to the first of them a town has; a larger one to all of them.
        department_kinds: City department kinds that take a major report.
        default_severity: The tier of a report that states none (a :class:`SeverityTier` or
            its value, e.g. ``"larger"``).

    Raises:
        ArgumentError: A key is not an id, the label not a :class:`Label`, or the severity
            not a tier (the error names the field and the value).

    >>> Category(key="petition", label=Label(en="petition", zh="信访"),
    ...          platform="comprehensive_governance",
    ...          station_kinds=["petitions_office"]).station_kinds
    ('petitions_office',)
    """

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))
    platform: str = attrs.field(validator=identifier)
    station_kinds: tuple[str, ...] = attrs.field(converter=id_tuple, validator=identifiers)
    department_kinds: tuple[str, ...] = attrs.field(
        converter=id_tuple, validator=identifiers, default=()
    )
    default_severity: SeverityTier = attrs.field(
        default=SeverityTier.ORDINARY, converter=_default_severity
    )


def _categories(value: Iterable[Category]) -> tuple[Category, ...]:
    # _convert.model_tuple, with the field's item type for callers (mypy's attrs plugin takes
    # the converter's argument type as the constructor's).
    return model_tuple(value)


@attrs.frozen(kw_only=True)
class RoutingRules:
    """A category table for one platform preset, validated when it is constructed.

    Args:
        key: The table's key, e.g. ``"2021"``.
        label: Its bilingual label.
        preset: The platform preset whose platform and station kinds the categories name.
        categories: The categories, each key once.

    Raises:
        ArgumentError: The key is not an id, the label not a :class:`Label`, the preset not a
            :class:`PlatformPreset`, or ``categories`` not a collection of :class:`Category`.
        CategoryTableError: Duplicate category keys, or a category without station kinds.
        UnknownRoutingKindError: A category names a platform or station kind the preset lacks.

    >>> from ruian_governance.presets import PLATFORMS_2016
    >>> bad = Category(key="x", label=Label(en="x", zh="x"), platform="emergency_management",
    ...                station_kinds=["service_centre"])
    >>> RoutingRules(key="mine", label=Label(en="mine", zh="我的"), preset=PLATFORMS_2016,
    ...              categories=[bad])
    Traceback (most recent call last):
    ...
    ruian_governance.errors.UnknownRoutingKindError: routing rules 'mine': category 'x' names \
platform kind 'emergency_management', unknown to preset '2016'
    """

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))
    preset: PlatformPreset = attrs.field(validator=instance_of(PlatformPreset))
    categories: tuple[Category, ...] = attrs.field(
        converter=_categories, validator=items_of(Category)
    )
    _by_key: Mapping[str, Category] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        problems: list[str] = []
        seen: set[str] = set()
        for category in self.categories:
            if category.key in seen:
                problems.append(f"category key {category.key!r} appears more than once")
            seen.add(category.key)
            if not category.station_kinds:
                problems.append(f"category {category.key!r} names no station kind")
        if problems:
            raise CategoryTableError(self.key, problems)
        check_rules(self, self.preset)
        by_key = MappingProxyType({c.key: c for c in self.categories})
        object.__setattr__(self, "_by_key", by_key)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the constructor's arguments: unpickling builds and checks the table again.

        >>> import pickle
        >>> from ruian_governance.presets import RULES_2022
        >>> pickle.loads(pickle.dumps(RULES_2022)) == RULES_2022
        True
        """
        return _rules_from, (self.key, self.label, self.preset, self.categories)

    def category(self, key: str) -> Category:
        """Return the category with this key.

        Raises:
            UnknownCategoryError: The table has no such category.
        """
        try:
            return self._by_key[key]
        except KeyError:
            raise UnknownCategoryError(key, self.key) from None

    @property
    def keys(self) -> tuple[str, ...]:
        """The category keys, in table order."""
        return tuple(self._by_key)


def _rules_from(
    key: str, label: Label, preset: PlatformPreset, categories: tuple[Category, ...]
) -> RoutingRules:
    """The table :meth:`RoutingRules.__reduce__` wrote, built (and checked) again."""
    return RoutingRules(key=key, label=label, preset=preset, categories=categories)


def check_rules(rules: RoutingRules, preset: PlatformPreset) -> None:
    """Check that every kind ``rules`` names is defined by ``preset``.

    Routing a hierarchy checks its rules against the hierarchy's own preset this way, so a table
    written for one preset is refused for a hierarchy of an incompatible one.

    Raises:
        UnknownRoutingKindError: Naming every unknown platform or station kind.

    >>> from ruian_governance.presets import PLATFORMS_2021, RULES_2021
    >>> check_rules(RULES_2021, PLATFORMS_2021)
    """
    platforms = {kind.key for kind in preset.platforms}
    stations = {kind.key for kind in preset.station_kinds}
    unknown = [(c.key, "platform kind", c.platform) for c in rules.categories]
    unknown = [item for item in unknown if item[2] not in platforms]
    unknown += [
        (c.key, "station kind", kind)
        for c in rules.categories
        for kind in c.station_kinds
        if kind not in stations
    ]
    if unknown:
        raise UnknownRoutingKindError(rules.key, preset.key, unknown)


# --------------------------------------------------------------------------- reports


@attrs.frozen(kw_only=True)
class Report:
    """A matter reported from a grid or micro-grid (网格员信息采集上报).

    Args:
        id: The report's id (一事一编码).
        grid_id: The grid it was reported in; a micro-grid id is routed from its grid.
        category: The key of its category in the routing rules.
        severity: Its tier (a :class:`SeverityTier` or its value); ``None`` takes the
            category's default.
        reporter_id: The person who reported it, if known.
        at: When it was reported (timezone-aware), if known.
        description: Free text (line breaks kept; no lone surrogate, at most 100,000
            characters; whoever displays it escapes it).

    Raises:
        ArgumentError: An id is not an id, the severity not a tier, ``at`` naive, or the
            description not free text (the error names the field and the value).

    >>> Report(id="r1", grid_id="t0001.v001.g01", category="petition").severity is None
    True
    """

    id: str = attrs.field(validator=identifier)
    grid_id: str = attrs.field(validator=identifier)
    category: str = attrs.field(validator=identifier)
    severity: SeverityTier | None = attrs.field(default=None, converter=_severity)
    reporter_id: str | None = attrs.field(default=None, validator=optional_identifier)
    at: datetime | None = attrs.field(default=None, validator=check_aware)
    description: str = attrs.field(default="", validator=free_text)
