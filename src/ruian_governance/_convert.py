"""Shared attrs converters and validators, the aware-time check and the labelled-enum base.

Private to the package: every model converts its fields through these, so one rule (what a
tuple of ids is, what a valid time is, how an enum says its bilingual label) lives in one place.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Self

import attrs

from ruian_governance.errors import ArgumentError
from ruian_governance.labels import Label

__all__ = [
    "LabelledEnum",
    "check_aware",
    "frozenset_of",
    "require_aware",
    "str_frozenset",
    "str_tuple",
    "tuple_of",
]


def str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    """Convert an iterable of strings to a tuple (a lone string is one item, not its letters).

    >>> str_tuple(["a", "b"]), str_tuple("ab")
    (('a', 'b'), ('ab',))
    """
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def str_frozenset(value: Iterable[str]) -> frozenset[str]:
    """Convert an iterable of strings to a frozenset (a lone string is one item).

    >>> sorted(str_frozenset("ab")), sorted(str_frozenset(["b", "a"]))
    (['ab'], ['a', 'b'])
    """
    if isinstance(value, str):
        return frozenset((value,))
    return frozenset(value)


# tuple_of and frozenset_of take Iterable[Any], not a TypeVar: mypy's attrs plugin cannot bind a
# generic converter (the constructor would ask for Iterable[_T]); the field's own annotation gives
# the element type.


def tuple_of(value: Iterable[Any]) -> tuple[Any, ...]:
    """Convert any iterable to a tuple (a tuple is kept as it is).

    >>> tuple_of([1, 2])
    (1, 2)
    """
    return tuple(value)


def frozenset_of(value: Iterable[Any]) -> frozenset[Any]:
    """Convert any iterable to a frozenset.

    >>> sorted(frozenset_of([2, 1, 2]))
    [1, 2]
    """
    return frozenset(value)


def require_aware(value: object, what: str = "time") -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise :class:`ArgumentError`.

    The one check of the package for "a time": naive datetimes, dates and anything else are
    refused the same way everywhere.

    >>> from datetime import datetime, timezone
    >>> require_aware(datetime(2025, 1, 1, tzinfo=timezone.utc)).year
    2025
    >>> require_aware(datetime(2025, 1, 1), "at")
    Traceback (most recent call last):
    ...
    ruian_governance.errors.ArgumentError: at=datetime.datetime(2025, 1, 1, 0, 0): expected a ...
    """
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ArgumentError(what, value, "a timezone-aware datetime")
    return value


def check_aware(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: the field holds a timezone-aware datetime (or ``None``)."""
    if value is not None:
        require_aware(value, attribute.name)


class LabelledEnum(enum.Enum):
    """An enum whose members carry a bilingual :class:`~ruian_governance.labels.Label`.

    Subclasses list their labels in ``_labels_`` after the class body (members are singletons,
    so they hash by identity: exact and fast for enums used as keys in hot loops).  ``parse``
    converts a member or its documented string value, and refuses anything else with an
    :class:`~ruian_governance.errors.ArgumentError` naming the field.

    >>> class Colour(LabelledEnum):
    ...     RED = "red"
    >>> Colour._labels_ = {Colour.RED: Label(en="red", zh="红")}
    >>> Colour.RED.label.zh, Colour.parse("red", "colour") is Colour.RED
    ('红', True)
    >>> Colour.parse("blue", "colour")
    Traceback (most recent call last):
    ...
    ruian_governance.errors.ArgumentError: colour='blue': expected one of 'red'
    """

    __hash__ = object.__hash__

    _labels_: ClassVar[Mapping[Any, Label]]

    @property
    def label(self) -> Label:
        """The bilingual label of this member."""
        return type(self)._labels_[self]

    @classmethod
    def parse(cls, value: object, field: str) -> Self:
        """Return the member ``value`` is or names; refuse anything else.

        Raises:
            ArgumentError: ``value`` is neither a member nor the value of one.
        """
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            try:
                return cls(value)
            except ValueError:
                pass
        allowed = ", ".join(repr(m.value) for m in cls)
        raise ArgumentError(field, value, f"one of {allowed}")
