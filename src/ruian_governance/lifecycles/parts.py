"""The value parts of a lifecycle: jurisdiction rules, states, triggers and severity tiers.

Plain labelled values, with no behaviour of their own; a
:class:`~ruian_governance.LifecycleDefinition` puts them together with its transitions.  Keys
are ids (:func:`~ruian_governance.labels.check_identifier`), labels are
:class:`~ruian_governance.labels.Label` values, flags are bools and a trigger's kind is a
:class:`TriggerKind` or its string value; anything else raises
:class:`~ruian_governance.errors.ArgumentError` naming the field.

>>> from ruian_governance.labels import Label
>>> State(key="closed", label=Label(en="closed", zh="办结"), closing=True).final
False
>>> Jurisdiction.parse("holder", "jurisdiction").label.zh
'承办单位'
"""

from __future__ import annotations

import attrs

from ruian_governance._convert import LabelledEnum, flag, identifier, instance_of
from ruian_governance.labels import Label
from ruian_governance.models import Level

__all__ = [
    "Jurisdiction",
    "Severity",
    "State",
    "Trigger",
    "TriggerKind",
]


class Jurisdiction(LabelledEnum):
    """Where an actor's unit must lie, relative to the case, to fire a trigger.

    - ``ANY``: anywhere (the role alone decides).
    - ``LOCATION``: the case's location (事发地) or a unit above it, e.g. the grid worker of the
      case's grid, or the cadre of its village.
    - ``TOWN``: the same town or street as the case's location.
    - ``HOLDER``: the unit holding the case (承办单位): the administrative unit itself, or an
      organisation directly under it (a town's command room and stations, the city's centre
      and departments).
    - ``HOLDER_OR_ABOVE``: the holder as for ``HOLDER``, or a level above it (e.g. the city
      centre acting on a case a town holds).
    - ``ASSIGNED``: one of the units the case was assigned to (交办单位).
    - ``CITY``: a city-level unit or organisation (the centre, a department).

    >>> Jurisdiction.ASSIGNED.label.zh
    '交办单位'
    """

    ANY = "any"
    LOCATION = "location"
    TOWN = "town"
    HOLDER = "holder"
    HOLDER_OR_ABOVE = "holder_or_above"
    ASSIGNED = "assigned"
    CITY = "city"


Jurisdiction._labels_ = {
    Jurisdiction.ANY: Label(en="anywhere", zh="不限"),
    Jurisdiction.LOCATION: Label(en="the case's location or above", zh="事发地"),
    Jurisdiction.TOWN: Label(en="the case's town", zh="同一镇街"),
    Jurisdiction.HOLDER: Label(en="the unit holding the case", zh="承办单位"),
    Jurisdiction.HOLDER_OR_ABOVE: Label(en="the holding unit or above", zh="承办单位或上级"),
    Jurisdiction.ASSIGNED: Label(en="a unit assigned the case", zh="交办单位"),
    Jurisdiction.CITY: Label(en="city level", zh="市级"),
}


# The converters of the definition's enum-typed fields (one small typed function per field,
# see _convert): a member or its documented string value, anything else an ArgumentError.


def _jurisdiction(value: Jurisdiction | str) -> Jurisdiction:
    return Jurisdiction.parse(value, "jurisdiction")


def _holder_level(value: Level | str) -> Level:
    return Level.parse(value, "holder_level")


@attrs.frozen(kw_only=True)
class State:
    """A state of a lifecycle.

    Args:
        key: English key used in code and history records.
        label: Bilingual label.
        initial: The state every case starts in (exactly one per lifecycle).
        final: A state no transition leaves.
        timed: Whether the case's deadline runs in this state (final states never count).
        closing: Reaching this state closes the case (办结 / 销号): the analysis counts a case
            as closed, and on time or late, from the first record that enters a closing
            state.  A state may close a case without being final (an event is closed 办结
            before the grid worker evaluates it).
    """

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))
    initial: bool = attrs.field(default=False, validator=flag)
    final: bool = attrs.field(default=False, validator=flag)
    timed: bool = attrs.field(default=True, validator=flag)
    closing: bool = attrs.field(default=False, validator=flag)


class TriggerKind(LabelledEnum):
    """What a trigger means to the analysis, whatever its key (design choice).

    The analysis (研判) never knows a built-in trigger by its string: a definition says which
    of its triggers open a case from a report, dispatch it, return it, escalate it, supervise
    it, sanction its holder or evaluate it, and an extension is counted exactly like the
    built-ins.

    - ``REPORT``: opens a case from a report 上报 / 登记 (counted in volumes and hotspots).
    - ``FIND``: opens a case from an inspection or check 发现 (a hazard found, not reported).
    - ``DISPATCH``: hands the case to the units named in its ``units`` data 交办.
    - ``RETURN``: a handling unit sends the case back 退回.
    - ``ESCALATE``: moves the case up a level 上报 / 提级.
    - ``SUPERVISE``: supervision of a late case 督办.
    - ``SANCTION``: a rung of the overdue ladder (挂牌督办, 通报, 约谈, 责任追究), in order.
    - ``EVALUATE``: an evaluation 评价 carrying ``stars`` (1-5).

    >>> TriggerKind.parse("dispatch", "kind").label.zh
    '交办'
    """

    REPORT = "report"
    FIND = "find"
    DISPATCH = "dispatch"
    RETURN = "return"
    ESCALATE = "escalate"
    SUPERVISE = "supervise"
    SANCTION = "sanction"
    EVALUATE = "evaluate"


TriggerKind._labels_ = {
    TriggerKind.REPORT: Label(en="report", zh="上报"),
    TriggerKind.FIND: Label(en="find", zh="发现"),
    TriggerKind.DISPATCH: Label(en="dispatch", zh="交办"),
    TriggerKind.RETURN: Label(en="return", zh="退回"),
    TriggerKind.ESCALATE: Label(en="escalate", zh="提级"),
    TriggerKind.SUPERVISE: Label(en="supervise", zh="督办"),
    TriggerKind.SANCTION: Label(en="sanction", zh="问责阶梯"),
    TriggerKind.EVALUATE: Label(en="evaluate", zh="评价"),
}


def _trigger_kind(value: TriggerKind | str | None) -> TriggerKind | None:
    return None if value is None else TriggerKind.parse(value, "kind")


@attrs.frozen(kw_only=True)
class Trigger:
    """A trigger (command name) of a lifecycle, with its bilingual label.

    ``kind`` says what the trigger means to the analysis (:class:`TriggerKind`), or ``None``
    for triggers the analysis does not count.
    """

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))
    kind: TriggerKind | None = attrs.field(default=None, converter=_trigger_kind)


@attrs.frozen(kw_only=True)
class Severity:
    """A severity tier of a lifecycle, e.g. ordinary 一般 / larger 较大 / major 重大."""

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))
