"""Shared attrs converters and validators, the aware-time check and the labelled-enum base.

Private to the package: every model converts its fields through these, so one rule (what a
tuple of ids is, what a valid time is, how an enum says its bilingual label) lives in one place.

The rule of what an id, a name or a label may hold is :mod:`ruian_governance.labels`' (the
lowest layer that needs it); :func:`check_identifier` is re-exported here for the rest of the
package (e.g. case ids), and the attrs validators :func:`identifier`, :func:`text` and
friends apply it to fields.

Collections are converted leniently and checked strictly: a converter (:func:`id_tuple`,
:func:`model_tuple`, ...) turns any iterable but a string, bytes or mapping into a tuple or
frozenset and passes anything else through unchanged, and the field's validator
(:func:`identifiers`, :func:`items_of`) then refuses it with an
:class:`~ruian_governance.errors.ArgumentError` naming the field (a converter is not told its
field's name).

Enum-typed fields each have a small typed converter next to their model, calling
:meth:`LabelledEnum.parse` with the field's name: mypy's attrs plugin accepts only named
functions as converters (not ``Enum.parse`` bound to a field, nor a generic factory's result).
"""

from __future__ import annotations

import enum
import json.encoder
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, Self

import attrs

from ruian_governance.errors import ArgumentError
from ruian_governance.labels import (
    Label,
    check_free_text,
    check_identifier,
    check_text,
)

__all__ = [
    "LabelledEnum",
    "check_aware",
    "check_identifier",
    "flag",
    "free_text",
    "frozenset_of",
    "id_frozenset",
    "id_tuple",
    "identifier",
    "identifiers",
    "instance_of",
    "items_of",
    "json_encoder",
    "mapping_of",
    "model_tuple",
    "non_empty",
    "optional_identifier",
    "require_aware",
    "str_frozenset",
    "str_tuple",
    "text",
    "text_or_empty",
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


# tuple_of, frozenset_of and mapping_of take Any items, not a TypeVar: mypy's attrs plugin cannot
# bind a generic converter (the constructor would ask for Iterable[_T]); the field's own
# annotation gives the item type.


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


def mapping_of(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """Convert a mapping to a read-only copy (later changes to ``value`` do not show through).

    >>> source = {"a": 1}
    >>> copy = mapping_of(source)
    >>> source["b"] = 2
    >>> dict(copy)
    {'a': 1}
    """
    return MappingProxyType(dict(value))


# --------------------------------------------------------------------------- ids, names, types


def _is_collection(value: object) -> bool:
    """Whether ``value`` is an iterable the collection converters take (no text, no mapping)."""
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | bytearray | Mapping)


def id_tuple(value: Iterable[str]) -> tuple[str, ...]:
    """Convert ids to a tuple: a lone string is one id; what is no collection passes through.

    Pair it with the :func:`identifiers` validator, which refuses what passed through.

    >>> id_tuple(["a", "b"]), id_tuple("ab"), id_tuple(5)
    (('a', 'b'), ('ab',), 5)
    """
    if isinstance(value, str):
        return (value,)
    if type(value) is tuple or _is_collection(value):
        return tuple(value)
    return value  # type: ignore[return-value]  # the field's validator refuses it, by name


def id_frozenset(value: Iterable[str]) -> frozenset[str]:
    """Convert ids to a frozenset, as :func:`id_tuple` does (pair it with :func:`identifiers`).

    >>> sorted(id_frozenset("ab")), sorted(id_frozenset(["b", "a"]))
    (['ab'], ['a', 'b'])
    """
    if isinstance(value, str):
        return frozenset((value,))
    if not _is_collection(value):
        return value  # type: ignore[return-value]  # the field's validator refuses it, by name
    items = tuple(value)
    try:
        return frozenset(items)
    except TypeError:  # an unhashable item: the validator names it
        return items  # type: ignore[return-value]


def model_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Convert a collection of models to a tuple; anything else (a string too) passes through.

    Pair it with the :func:`items_of` validator, which refuses what passed through.

    >>> model_tuple([1, 2]), model_tuple("ab")
    ((1, 2), 'ab')
    """
    kind = type(value)
    if kind is tuple:
        return value  # type: ignore[return-value]  # (mypy cannot narrow by type() is tuple)
    if kind is list or _is_collection(value):
        return tuple(value)
    return value  # type: ignore[return-value]  # the field's validator refuses it, by name


def identifier(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    r"""An attrs validator: the field holds an id (:func:`check_identifier`).

    >>> @attrs.frozen
    ... class Kind:
    ...     key: str = attrs.field(validator=identifier)
    >>> Kind("a\x00")
    Traceback (most recent call last):
    ...
    ruian_governance.errors.ArgumentError: key='a\x00': expected an id of printable characters...
    """
    check_identifier(value, attribute.name)


def optional_identifier(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: the field holds an id or ``None``."""
    if value is not None:
        check_identifier(value, attribute.name)


def identifiers(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: the field holds a tuple or frozenset of ids (after :func:`id_tuple`).

    The error names the field and the first offending id (or the whole value, if it is no
    collection).
    """
    if not isinstance(value, tuple | frozenset):
        raise ArgumentError(attribute.name, value, "a collection of ids")
    for item in value:
        check_identifier(item, attribute.name)


def text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: the field holds a name (:func:`~ruian_governance.labels.check_text`)."""
    check_text(value, attribute.name)


def text_or_empty(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: the field holds a name or ``""`` (an optional English name)."""
    check_text(value, attribute.name, empty=True)


def free_text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: free text (see :func:`~ruian_governance.labels.check_free_text`)."""
    check_free_text(value, attribute.name)


def flag(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: the field holds a bool (not a truthy string or number)."""
    if not isinstance(value, bool):
        raise ArgumentError(attribute.name, value, "True or False")


def instance_of(cls: type[Any]) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """An attrs validator factory: the field holds a ``cls`` (an :class:`ArgumentError` if not).

    attrs' own ``instance_of`` raises ``TypeError``; the library's constructors raise
    :class:`~ruian_governance.errors.ArgumentError` for every bad argument.
    """
    reason = f"a {cls.__name__}"

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, cls):
            raise ArgumentError(attribute.name, value, reason)

    return check


def items_of(cls: type[Any]) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """An attrs validator factory: the field holds a tuple of ``cls`` (after :func:`model_tuple`).

    A plain loop (about 17 ms for a province's million people; faster than ``all(map(...))``).
    """
    reason = f"a collection of {cls.__name__}"

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise ArgumentError(attribute.name, value, reason)
        for item in value:
            if not isinstance(item, cls):
                raise ArgumentError(attribute.name, item, f"each item a {cls.__name__}")

    return check


# --------------------------------------------------------------------------- times


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


def non_empty(_: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """An attrs validator: the field holds a string of at least one character (a key or name).

    >>> @attrs.frozen
    ... class Kind:
    ...     key: str = attrs.field(validator=non_empty)
    >>> Kind("")
    Traceback (most recent call last):
    ...
    ruian_governance.errors.ArgumentError: key='': expected a non-empty string
    """
    if not isinstance(value, str) or not value:
        raise ArgumentError(attribute.name, value, "a non-empty string")


def check_aware(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: the field holds a timezone-aware datetime (or ``None``)."""
    if value is not None:
        require_aware(value, attribute.name)


class LabelledEnum(enum.Enum):
    """An enum whose members carry a bilingual :class:`~ruian_governance.labels.Label`.

    Subclasses list their labels in ``_labels_`` after the class body (members are singletons,
    so they hash by identity: exact and fast for enums used as keys in hot loops).  ``parse``
    converts a member or its documented string value, and refuses anything else with an
    :class:`~ruian_governance.errors.ArgumentError` naming the field.  (Calling the enum,
    ``Colour("blue")``, keeps the ``ValueError`` of :mod:`enum`: the document loader tells a
    malformed value, reported with its JSON path, from a model's refusal by that.)

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
        # Read through the member, not type(self): EnumType defines __getattr__, which makes
        # attribute look-ups on the class itself about twice as slow.
        return self._labels_[self]

    @classmethod
    def _allowed(cls) -> str:
        return ", ".join(repr(m.value) for m in cls)

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
        raise ArgumentError(field, value, f"one of {cls._allowed()}")


def json_encoder(*, separators: tuple[str, str], allow_nan: bool) -> Callable[[Any], str]:
    """``JSONEncoder(ensure_ascii=False, separators=..., allow_nan=...).encode``, made fast.

    ``JSONEncoder.encode`` builds its C encoder anew at every call (a third of its time on a
    history record); the encoder returned is built once, with the arguments ``encode`` passes
    (but no markers of cycles: unstructured models and record data hold none), and used only if
    it writes what ``encode`` writes and, where NaN is refused, refuses it (else, or without
    the C encoder, ``encode`` itself).  Used by the stores' canonical JSON and the history
    table's data text.

    >>> json_encoder(separators=(",", ":"), allow_nan=False)({"中": [1, None]})
    '{"中":[1,null]}'
    """
    standard = json.JSONEncoder(ensure_ascii=False, separators=separators, allow_nan=allow_nan)
    sample: dict[str, Any] = {"a": [1, -2.5, '中\n"', None, True, {"b": []}], "": {}}
    if allow_nan:
        sample["n"] = [float("nan"), float("-inf")]
    item, key = separators
    try:
        chunks = json.encoder.c_make_encoder(  # type: ignore[attr-defined]
            None, standard.default, json.encoder.encode_basestring, None, key, item, False,
            False, allow_nan,
        )  # fmt: skip

        def encode(value: Any) -> str:
            return "".join(chunks(value, 0))

        same = encode(sample) == standard.encode(sample)
    except (TypeError, ValueError, AttributeError):  # another Python's C encoder, or none
        return standard.encode
    if not same or allow_nan:
        return encode if same else standard.encode
    try:
        encode(float("nan"))
    except ValueError:  # refused, as it must be
        return encode
    return standard.encode
