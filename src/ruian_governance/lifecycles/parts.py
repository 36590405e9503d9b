"""The value parts of a lifecycle: jurisdiction rules, states, triggers, severities, data types.

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

from collections.abc import Callable
from typing import Any

import attrs

from ruian_governance._convert import LabelledEnum, flag, identifier, instance_of
from ruian_governance.errors import ArgumentError
from ruian_governance.labels import TEXT_MAX, Label, check_identifier, check_text
from ruian_governance.models import DataValue, Level

__all__ = [
    "DEFAULT_DATA_SPEC",
    "MAX_TEXT_LENGTH",
    "DataKind",
    "DataSpec",
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
    - ``LEAD``: the lead unit 主办单位 of a joint handling 联办: the first of the case's
      assignees (the only one when a single unit handles it).
    - ``ASSISTING``: an assisting unit 协办单位 of a joint handling: an assignee after the first.

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
    LEAD = "lead"
    ASSISTING = "assisting"


Jurisdiction._labels_ = {
    Jurisdiction.ANY: Label(en="anywhere", zh="不限"),
    Jurisdiction.LOCATION: Label(en="the case's location or above", zh="事发地"),
    Jurisdiction.TOWN: Label(en="the case's town", zh="同一镇街"),
    Jurisdiction.HOLDER: Label(en="the unit holding the case", zh="承办单位"),
    Jurisdiction.HOLDER_OR_ABOVE: Label(en="the holding unit or above", zh="承办单位或上级"),
    Jurisdiction.ASSIGNED: Label(en="a unit assigned the case", zh="交办单位"),
    Jurisdiction.CITY: Label(en="city level", zh="市级"),
    Jurisdiction.LEAD: Label(en="the lead unit", zh="主办单位"),
    Jurisdiction.ASSISTING: Label(en="an assisting unit", zh="协办单位"),
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
        paused: The clock stops in this state (挂起): while a case is in it its deadline does
            not run (up to the pause granted), and the working time it spent here moves its
            deadline when it leaves (:mod:`~ruian_governance.lifecycles.warnings`).  A paused
            state is not timed.
    """

    key: str = attrs.field(validator=identifier)
    label: Label = attrs.field(validator=instance_of(Label))
    initial: bool = attrs.field(default=False, validator=flag)
    final: bool = attrs.field(default=False, validator=flag)
    timed: bool = attrs.field(default=True, validator=flag)
    closing: bool = attrs.field(default=False, validator=flag)
    paused: bool = attrs.field(default=False, validator=flag)

    def __attrs_post_init__(self) -> None:
        if self.paused and (self.timed or self.final):
            argument = "paused"
            reason = "a paused state that is neither timed nor final"
            raise ArgumentError(argument, self.key, reason)


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
    - ``PAUSE``: the clock stops 挂起; ``RESUME``: it runs again 恢复 (paused time).
    - ``EXTEND``: the deadline is extended 延期 (counted as extensions granted).

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
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"


TriggerKind._labels_ = {
    TriggerKind.REPORT: Label(en="report", zh="上报"),
    TriggerKind.FIND: Label(en="find", zh="发现"),
    TriggerKind.DISPATCH: Label(en="dispatch", zh="交办"),
    TriggerKind.RETURN: Label(en="return", zh="退回"),
    TriggerKind.ESCALATE: Label(en="escalate", zh="提级"),
    TriggerKind.SUPERVISE: Label(en="supervise", zh="督办"),
    TriggerKind.SANCTION: Label(en="sanction", zh="问责阶梯"),
    TriggerKind.EVALUATE: Label(en="evaluate", zh="评价"),
    TriggerKind.PAUSE: Label(en="pause", zh="挂起"),
    TriggerKind.RESUME: Label(en="resume", zh="恢复"),
    TriggerKind.EXTEND: Label(en="extend", zh="延期"),
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


# --------------------------------------------------------------------------- data types


class DataKind(LabelledEnum):
    """The kind of value a command's data key holds (see :class:`DataSpec`).

    - ``TEXT``: one line of text of a bounded length (the characters of a name);
    - ``INTEGER``: a whole number in a range (never a bool, never a float);
    - ``FLAG``: ``True`` or ``False``;
    - ``IDS``: a tuple of ids (a JSON list, or one id, is read as a tuple), at most so many.

    >>> DataKind.parse("ids", "kind").label.zh
    '编号列表'
    """

    TEXT = "text"
    INTEGER = "integer"
    FLAG = "flag"
    IDS = "ids"


DataKind._labels_ = {
    DataKind.TEXT: Label(en="text", zh="文本"),
    DataKind.INTEGER: Label(en="integer", zh="整数"),
    DataKind.FLAG: Label(en="flag", zh="是否"),
    DataKind.IDS: Label(en="ids", zh="编号列表"),
}

MAX_TEXT_LENGTH = 2000
"""The length bound of free text in the built-in lifecycles (reasons, notes, results...)."""

_BOUNDS = {
    DataKind.TEXT: ("max_length",),
    DataKind.INTEGER: ("minimum", "maximum"),
    DataKind.FLAG: (),
    DataKind.IDS: ("max_items",),
}


def _data_kind(value: object) -> DataKind:
    return DataKind.parse(value, "kind")


def _bound(_self: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (type(value) is not int or abs(value) > 10**15):
        raise ArgumentError(attribute.name, value, "a whole number (or None)")


@attrs.frozen(kw_only=True)
class DataSpec:
    """The type of one data key of a command: what the engine's data check accepts.

    Build one with :meth:`text`, :meth:`integer`, :meth:`flag` or :meth:`ids`; each kind
    takes its own bounds and no other (``max_length`` for text, ``minimum`` and ``maximum``
    for integers, ``max_items`` for ids).

    Raises:
        ArgumentError: A bound of another kind is given, one of the kind's own is missing,
            or it is out of range (lengths and counts at least 1, ``minimum <= maximum``).

    >>> DataSpec.integer(1, 5).read(3), DataSpec.integer(1, 5).read(6) is None
    (3, True)
    >>> DataSpec.ids(max_items=3).read(["t1.s01", "t1.s02"])
    ('t1.s01', 't1.s02')
    >>> str(DataSpec.text()), str(DataSpec.flag())
    ('text of at most 2000 characters', 'a flag (true or false)')
    """

    kind: DataKind = attrs.field(converter=_data_kind)
    max_length: int | None = attrs.field(default=None, validator=_bound)
    minimum: int | None = attrs.field(default=None, validator=_bound)
    maximum: int | None = attrs.field(default=None, validator=_bound)
    max_items: int | None = attrs.field(default=None, validator=_bound)
    _read: Callable[[object], DataValue | None] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        own = _BOUNDS[self.kind]
        for name in ("max_length", "minimum", "maximum", "max_items"):
            value = getattr(self, name)
            if (value is None) == (name in own):
                reason = f"{'a bound' if name in own else 'None'} for {self.kind.value} data"
                raise ArgumentError(name, value, reason)
        for name in ("max_length", "max_items"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ArgumentError(name, value, "at least 1")
        low, high = self.minimum, self.maximum
        if low is not None and high is not None and low > high:
            argument = "maximum"
            raise ArgumentError(argument, high, f"at least minimum={low}")
        object.__setattr__(self, "_read", _reader(self))

    @classmethod
    def text(cls, max_length: int = MAX_TEXT_LENGTH) -> DataSpec:
        """Text of 1 to ``max_length`` characters."""
        return cls(kind=DataKind.TEXT, max_length=max_length)

    @classmethod
    def integer(cls, minimum: int, maximum: int) -> DataSpec:
        """A whole number from ``minimum`` to ``maximum``."""
        return cls(kind=DataKind.INTEGER, minimum=minimum, maximum=maximum)

    @classmethod
    def flag(cls) -> DataSpec:
        """``True`` or ``False``."""
        return cls(kind=DataKind.FLAG)

    @classmethod
    def ids(cls, max_items: int) -> DataSpec:
        """A tuple of 1 to ``max_items`` ids."""
        return cls(kind=DataKind.IDS, max_items=max_items)

    @property
    def read(self) -> Callable[[object], DataValue | None]:
        """``read(value)``: ``value`` as the data it is, or ``None`` if it is not of this type.

        Text follows the rule of names (:func:`~ruian_governance.labels.check_text`: one line,
        no control, bidirectional or lone surrogate character) up to ``max_length``, ids the
        rule of ids (:func:`~ruian_governance.labels.check_identifier`); ids given as a list, or
        as one id, are
        read as a tuple.  A function compiled for the spec when it is built (the engine
        calls it for every data value of every command).
        """
        return self._read

    def __str__(self) -> str:
        kind = self.kind
        if kind is DataKind.TEXT:
            return f"text of at most {self.max_length} characters"
        if kind is DataKind.INTEGER:
            return f"a whole number from {self.minimum} to {self.maximum}"
        if kind is DataKind.FLAG:
            return "a flag (true or false)"
        return f"a list of 1 to {self.max_items} ids"


def _is_text(value: str) -> bool:
    """Whether ``value``'s characters are those of a name (the labels rule), at any length."""
    try:
        for start in range(0, len(value), TEXT_MAX):
            check_text(value[start : start + TEXT_MAX], "text")
    except ArgumentError:
        return False
    return True


def _is_id(value: object) -> bool:
    """Whether ``value`` is an id (the labels rule)."""
    try:
        check_identifier(value, "id")
    except ArgumentError:
        return False
    return True


def _reader(spec: DataSpec) -> Callable[[object], DataValue | None]:
    """The reading of data values ``spec`` describes, as one small function."""
    if spec.kind is DataKind.INTEGER:
        low, high = spec.minimum or 0, spec.maximum or 0

        def integer(value: object) -> DataValue | None:
            return value if type(value) is int and low <= value <= high else None

        return integer
    if spec.kind is DataKind.FLAG:
        return lambda value: value if type(value) is bool else None
    if spec.kind is DataKind.TEXT:
        length = spec.max_length or 0

        def text(value: object) -> DataValue | None:
            if type(value) is str and 0 < len(value) <= length:
                return value if value.isprintable() or _is_text(value) else None
            return None

        return text
    most = spec.max_items or 0
    seen: set[tuple[str, ...]] = set()  # tuples read before (the same units recur)

    def ids(value: object) -> DataValue | None:
        if type(value) is not tuple:
            if type(value) is str:
                value = (value,)
            elif type(value) is list:
                value = tuple(value)
            else:
                return None
        try:
            if value in seen:
                return value
        except TypeError:  # an unhashable item: not an id
            return None
        if not 0 < len(value) <= most:
            return None
        for item in value:
            if not _is_id(item):
                return None
        if len(seen) >= _SEEN_LIMIT:  # full: empty it, and remember what comes next
            seen.clear()
        seen.add(value)
        return value

    return ids


_SEEN_LIMIT = 4096
"""How many distinct id tuples one spec remembers as read (a bounded memo, per spec).

A full memo is emptied and fills again with what comes next (as the engine's shared data
tuples): a large city reads more distinct unit tuples than this, and a memo that stopped
adding when full would check every tuple after the first 4,096 again, item by item."""


DEFAULT_DATA_SPEC = DataSpec.text()
"""The type of a data key a lifecycle does not declare: text of at most 2,000 characters."""
