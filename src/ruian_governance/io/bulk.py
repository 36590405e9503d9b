"""Bulk paths: a province hierarchy loaded from JSON in a few seconds.

A province (85,000 grids, 450,000 micro-grids, about 1.1 million units and people) loads
through :func:`~ruian_governance.io.from_document` in 10-18 seconds: cattrs builds each of
the 1.7 million objects through its generated structure function and the model's validators,
one value at a time.  :func:`load_hierarchy` is the fast path for the two big lists, units
and people, with Python's cyclic garbage collector paused for the parse and the build (the
previous setting is restored; the documents hold no reference cycles):

- with msgspec (the ``scale`` extra) the text is decoded straight into typed rows
  (``io/_bulk_structs.py``), which checks in C the keys, the types, the
  lengths of ids and names, the levels and employments and a centroid's range; without it,
  orjson (or the standard ``json`` module) parses the text and the same is checked in Python;
- the text of every id and name is then checked against the very rules the models'
  validators apply (:func:`~ruian_governance.labels.check_identifier`, ``check_text``) a
  column at a time: the ids of all units are joined once and the joined text checked, which
  is the same rule for every id at C speed;
- the units, people and posts are then built without calling their validators again (the
  values were just checked), and the :class:`~ruian_governance.Hierarchy` is constructed as
  usual, so every structural rule of the hierarchy is checked as always.

Anything the fast checks do not accept as plainly good (a missing or extra key, a value of
another type, an id with a character that is not printable, an unknown level) sends the whole
document down the ordinary path, :func:`~ruian_governance.io.from_document`, which names the
JSON path of every problem: the fast path never refuses on its own and never accepts what the
ordinary path refuses (equivalence-tested in ``tests/test_bulk.py``, on both fast paths).

>>> from ruian_governance import generate_hierarchy
>>> from ruian_governance.io import dumps
>>> h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=8, seed=0)
>>> load_hierarchy(dumps(h)) == h
True
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable, Mapping
from operator import attrgetter
from pathlib import Path
from typing import Any

import attrs

from ruian_governance._gc import gc_paused
from ruian_governance.errors import ArgumentError, DataError, RuianGovernanceError
from ruian_governance.labels import IDENTIFIER_MAX, TEXT_MAX, check_text
from ruian_governance.models import AdminUnit, Employment, Hierarchy, Level, Person, Post

from .converter import _short, structure
from .documents import FORMAT_VERSIONS, from_document

__all__ = ["load_hierarchy", "parse_json"]

_LEVELS = {level.value: level for level in Level}
_EMPLOYMENTS: dict[Any, Employment | None] = {e.value: e for e in Employment}
_EMPLOYMENTS[None] = None
_UNIT_KEYS = frozenset({"id", "name", "level", "parent_id", "name_en", "centroid"})
_PERSON_KEYS = frozenset({"id", "name", "posts"})
_POST_KEYS = frozenset({"role", "unit_id", "employment"})
_HIERARCHY_FIELDS = {f.name for f in attrs.fields(Hierarchy) if f.init}
_REQUIRED = {f.name for f in attrs.fields(Hierarchy) if f.init and f.default is attrs.NOTHING} - {
    "units"
}
_UNIT_FIELDS = ("id", "name", "level", "parent_id", "name_en", "centroid")
_ID, _NAME, _ROLE, _UNIT = map(attrgetter, ("id", "name", "role", "unit_id"))
_HIERARCHY_TYPES = typing.get_type_hints(Hierarchy)


def _orjson_loads() -> Callable[[bytes | str], Any] | None:
    try:
        import orjson  # noqa: PLC0415 - optional (the scale extra)
    except ImportError:
        return None
    loads: Callable[[bytes | str], Any] = orjson.loads
    return loads


def parse_json(text: str | bytes) -> Any:
    """Parse JSON text with orjson when it is installed, else the standard ``json`` module.

    Raises:
        DataError: The text is not JSON (or not UTF-8).

    >>> parse_json('{"a": [1, "中"]}')
    {'a': [1, '中']}
    """
    loads = _orjson_loads()
    try:
        with gc_paused():
            return json.loads(text) if loads is None else loads(text)
    except (ValueError, RecursionError) as error:  # orjson.JSONDecodeError is a ValueError
        raise DataError("hierarchy", [f"$: not JSON text ({_short(str(error), 80)})"]) from None  # noqa: EM101


class _NotPlain(RuianGovernanceError):  # noqa: N818 - a private signal, never let out
    """A value the fast checks do not accept as plainly good: take the ordinary path."""


def _printable(values: list[Any], *, spaces: bool) -> None:
    """Every value is text of printable characters (``spaces``: and may hold a space).

    The values are joined once and the joined text checked: the same rule for every value,
    at C speed.  A name that is not all printable may still be a name (an ideographic space,
    a private-use character): those are asked of ``check_text`` one by one.
    """
    try:
        joined = "".join(values)  # TypeError unless every value is text
    except TypeError:
        raise _NotPlain from None
    if joined.isprintable() and (spaces or " " not in joined):
        return
    if not spaces:
        raise _NotPlain
    try:
        for value in values:
            check_text(value, "name", empty=True)
    except ArgumentError:
        raise _NotPlain from None


def _ids(values: list[Any], *, optional: bool = False) -> None:
    """Every value is an id (``check_identifier``'s rule), checked a column at once."""
    if optional:
        values = [v for v in values if v is not None]
    if not values:
        return
    _printable(values, spaces=False)
    if min(map(len, values)) < 1 or max(map(len, values)) > IDENTIFIER_MAX:
        raise _NotPlain


def _texts(values: list[Any], *, empty: bool = False) -> None:
    """Every value is a name (``check_text``), checked a column at once."""
    if not values:
        return
    _printable(values, spaces=True)
    if min(map(len, values)) < (0 if empty else 1) or max(map(len, values)) > TEXT_MAX:
        raise _NotPlain


def _rows(items: Any, keys: frozenset[str], required: frozenset[str]) -> list[dict[str, Any]]:
    if type(items) is not list:
        raise _NotPlain
    for item in items:
        if type(item) is not dict or not required <= item.keys() <= keys:
            raise _NotPlain
    return items


_new = object.__new__


def _setter(cls: type[Any], name: str) -> Callable[[Any, Any], None]:
    """The slot's own setter (the frozen class refuses ``setattr``; its ``__init__`` uses this)."""
    setter: Callable[[Any, Any], None] = cls.__dict__[name].__set__
    return setter


_UNIT_ID, _UNIT_NAME, _UNIT_LEVEL, _UNIT_PARENT, _UNIT_EN, _UNIT_CENTROID = (
    _setter(AdminUnit, n) for n in _UNIT_FIELDS
)
_POST_ROLE, _POST_UNIT, _POST_EMPLOYMENT = (
    _setter(Post, n) for n in ("role", "unit_id", "employment")
)
_PERSON_ID, _PERSON_NAME, _PERSON_POSTS = (_setter(Person, n) for n in ("id", "name", "posts"))


def _units(items: Any) -> tuple[AdminUnit, ...]:
    rows = _rows(items, _UNIT_KEYS, frozenset({"id", "name", "level"}))
    _ids([r["id"] for r in rows])
    _ids([r.get("parent_id") for r in rows], optional=True)
    _texts([r["name"] for r in rows])
    _texts([r.get("name_en", "") for r in rows], empty=True)
    levels = _LEVELS
    units = []
    for r in rows:
        level = levels.get(r["level"]) if type(r["level"]) is str else None
        if level is None:
            raise _NotPlain
        unit = _new(AdminUnit)
        _UNIT_ID(unit, r["id"])
        _UNIT_NAME(unit, r["name"])
        _UNIT_LEVEL(unit, level)
        _UNIT_PARENT(unit, r.get("parent_id"))
        _UNIT_EN(unit, r.get("name_en", ""))
        _UNIT_CENTROID(unit, _point(r.get("centroid")))
        units.append(unit)
    return tuple(units)


def _point(value: Any) -> tuple[float, float] | None:
    """A unit's centroid ``[lat, long]`` as the model keeps it, or :class:`_NotPlain`."""
    if value is None:
        return None
    if type(value) is not list or len(value) != 2:
        raise _NotPlain
    lat, long = value
    if type(lat) not in (float, int) or type(long) not in (float, int):
        raise _NotPlain
    if not (-90 <= lat <= 90 and -180 <= long <= 180):  # NaN fails too
        raise _NotPlain
    return float(lat), float(long)


def _people(items: Any) -> tuple[Person, ...]:
    rows = _rows(items, _PERSON_KEYS, _PERSON_KEYS)
    _ids([r["id"] for r in rows])
    _texts([r["name"] for r in rows])
    posts = [p for r in rows for p in _rows(r["posts"], _POST_KEYS, frozenset({"role", "unit_id"}))]
    _ids([p["role"] for p in posts])
    _ids([p["unit_id"] for p in posts])
    employments = _EMPLOYMENTS
    people = []
    for r in rows:
        held = []
        for p in r["posts"]:
            employment = p.get("employment")
            if not (employment is None or type(employment) is str) or (
                employment not in employments
            ):
                raise _NotPlain
            post = _new(Post)
            _POST_ROLE(post, p["role"])
            _POST_UNIT(post, p["unit_id"])
            _POST_EMPLOYMENT(post, employments[employment])
            held.append(post)
        person = _new(Person)
        _PERSON_ID(person, r["id"])
        _PERSON_NAME(person, r["name"])
        _PERSON_POSTS(person, tuple(held))
        people.append(person)
    return tuple(people)


def _small_parts(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The hierarchy's small parts (all but units and people), by the ordinary converter."""
    if not fields.keys() >= _REQUIRED:
        raise _NotPlain  # the ordinary path names what is missing
    return {
        name: structure(value, _HIERARCHY_TYPES[name], what="hierarchy")
        for name, value in fields.items()
    }


def _current(version: Any, kind: Any) -> None:
    """The document is a hierarchy of the current version (an int, not a flag or a float)."""
    if type(version) is not int or version != FORMAT_VERSIONS["hierarchy"] or kind != "hierarchy":
        raise _NotPlain


def _fast(document: Any) -> Hierarchy:
    """The hierarchy of a plainly good current document (else :class:`_NotPlain`)."""
    if type(document) is not dict:
        raise _NotPlain
    fields = dict(document)
    _current(fields.pop("format_version", None), fields.pop("kind", "hierarchy"))
    if not fields.keys() <= _HIERARCHY_FIELDS:
        raise _NotPlain
    units = _units(fields.pop("units", None))
    people = _people(fields.pop("people", None))
    return Hierarchy(units=units, people=people, **_small_parts(fields))


# --------------------------------------------------------------------------- msgspec


def _unit_objects(rows: list[Any]) -> tuple[AdminUnit, ...]:
    """The units of msgspec's rows (their types, keys and lengths already checked)."""
    ids, names, levels, parents, names_en, centroids = (
        list(map(attrgetter(name), rows)) for name in _UNIT_FIELDS
    )
    _printable(ids, spaces=False)
    _printable([p for p in parents if p is not None], spaces=False)
    _printable(names, spaces=True)
    _printable(names_en, spaces=True)
    units: list[AdminUnit] = []
    append, new = units.append, _new
    set_id, set_name, set_level, set_parent, set_en, set_centroid = (
        _UNIT_ID, _UNIT_NAME, _UNIT_LEVEL, _UNIT_PARENT, _UNIT_EN, _UNIT_CENTROID
    )  # fmt: skip
    for id_, name, level, parent, name_en, centroid in zip(
        ids, names, levels, parents, names_en, centroids, strict=True
    ):
        unit = new(AdminUnit)
        set_id(unit, id_)
        set_name(unit, name)
        set_level(unit, level)
        set_parent(unit, parent)
        set_en(unit, name_en)
        set_centroid(unit, centroid)
        append(unit)
    return tuple(units)


def _person_objects(rows: list[Any]) -> tuple[Person, ...]:
    """The people (and their posts) of msgspec's rows."""
    _printable(list(map(_ID, rows)), spaces=False)
    _printable(list(map(_NAME, rows)), spaces=True)
    posts = [post for row in rows for post in row.posts]
    _printable(list(map(_ROLE, posts)), spaces=False)
    _printable(list(map(_UNIT, posts)), spaces=False)
    people: list[Person] = []
    append, new = people.append, _new
    set_role, set_unit, set_employment = _POST_ROLE, _POST_UNIT, _POST_EMPLOYMENT
    set_id, set_name, set_posts = _PERSON_ID, _PERSON_NAME, _PERSON_POSTS
    for row in rows:
        held = []
        for p in row.posts:
            post = new(Post)
            set_role(post, p.role)
            set_unit(post, p.unit_id)
            set_employment(post, p.employment)
            held.append(post)
        person = new(Person)
        set_id(person, row.id)
        set_name(person, row.name)
        set_posts(person, tuple(held))
        append(person)
    return tuple(people)


def _from_rows(text: str | bytes) -> Hierarchy | None:
    """The hierarchy of a plainly good document decoded by msgspec, else ``None``.

    ``None`` too when msgspec (the ``scale`` extra) is not installed.
    """
    try:
        from . import _bulk_structs as rows  # noqa: PLC0415 - optional (the scale extra)
    except ImportError:
        return None
    try:
        document = rows.decoder.decode(text)
    except (rows.Error, ValueError, RecursionError):  # not JSON, or not plain: see below
        return None
    _current(document.format_version, document.kind)
    given = {name: getattr(document, name) for name in rows.SMALL_PARTS}
    small = _small_parts({k: v for k, v in given.items() if v is not rows.ABSENT})
    units = _unit_objects(document.units)
    people = _person_objects(document.people)
    del document  # its rows are freed before the hierarchy's index is built
    return Hierarchy(units=units, people=people, **small)


def load_hierarchy(source: str | bytes | Path) -> Hierarchy:
    """Load a hierarchy document (JSON text, or a file) fast; see the module's description.

    Args:
        source: The JSON text (``str`` or UTF-8 ``bytes``) or the path of a JSON file.

    Raises:
        DataError: The text is not JSON or not a hierarchy document (each problem named by
            its JSON path, as :func:`~ruian_governance.io.from_document` names it).
        HierarchyError: The document breaks a structural rule of the hierarchy (a subclass:
            ``DuplicateIdError``, ``OrphanError``, ...).
        OSError: ``source`` is a path that cannot be read.
    """
    text = source.read_bytes() if isinstance(source, Path) else source
    with gc_paused():
        try:
            built = _from_rows(text)
        except (_NotPlain, DataError, RecursionError):
            built = None
        if built is not None:
            return built
    document = parse_json(text)
    with gc_paused():
        try:
            return _fast(document)
        except (_NotPlain, DataError):  # not plainly good: the ordinary path says what is wrong
            return from_document(document, Hierarchy)
