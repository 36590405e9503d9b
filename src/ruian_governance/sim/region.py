"""A region of cities: city hierarchies as shards, each with a namespace for its ids.

A region (a province, or any set of county-level units) is a list of :class:`CityShard`; each
shard is one city's hierarchy whose every id starts with its code and a dot, so that two
cities never share a case, unit or person id and one store or one Parquet dataset can hold
them all.  The code is the city's administrative-division code where it is known (瑞安市 is
``330381``; :data:`WENZHOU_CODES` lists the county-level units of 温州市, from the national
administrative-division codes GB/T 2260 as published by the Ministry of Civil Affairs
民政部) and a generated one otherwise (``g0001``, ``g0002``, ...: a design choice; a letter
first, so it never equals a real six-digit code).

:func:`namespaced` prefixes every id of a hierarchy; :func:`generate_region` builds a region of
generated cities; :func:`shard_seed` derives a shard's seed from the run's seed and the
shard's code, so a shard's run never depends on which other shards run, or where.

>>> region = generate_region(cities=2, towns=2, villages=4, grids=8, seed=3)
>>> [c.code for c in region.cities], region.cities[0].hierarchy.city.id
(['330302', '330303'], '330302.city')
>>> shard_seed(1, "330381") == shard_seed(1, "330381") != shard_seed(2, "330381")
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeAlias

import attrs

from ruian_governance._convert import instance_of, model_tuple
from ruian_governance.errors import ArgumentError
from ruian_governance.io import load_hierarchy
from ruian_governance.labels import check_identifier
from ruian_governance.models import Hierarchy, Person
from ruian_governance.presets import generate_hierarchy

__all__ = [
    "RUIAN_CODE",
    "WENZHOU_CODES",
    "CityShard",
    "GeneratedCity",
    "HierarchyFile",
    "Region",
    "Shard",
    "generate_region",
    "generated_code",
    "namespaced",
    "shard_seed",
]

RUIAN_CODE = "330381"
"""The administrative-division code of 瑞安市 Rui'an (GB/T 2260, Ministry of Civil Affairs)."""

WENZHOU_CODES: Mapping[str, str] = MappingProxyType(
    {
        "330302": "鹿城区",
        "330303": "龙湾区",
        "330304": "瓯海区",
        "330305": "洞头区",
        "330324": "永嘉县",
        "330326": "平阳县",
        "330327": "苍南县",
        "330328": "文成县",
        "330329": "泰顺县",
        "330381": "瑞安市",
        "330382": "乐清市",
        "330383": "龙港市",
    }
)
"""The twelve county-level units of 温州市 Wenzhou by administrative-division code (GB/T 2260
as published by the Ministry of Civil Affairs; 龙港市 since 2019)."""

_ID_FIELDS = frozenset(
    {"id", "parent_id", "city_id", "town_id", "platform_id", "court_id", "unit_id"}
)
"""The fields of units and organisations that hold ids (kinds and keys are not ids)."""


def _code(value: object, what: str = "code") -> str:
    code = check_identifier(value, what)
    if "." in code:
        raise ArgumentError(what, value, "a code without a dot (the dot ends the namespace)")
    return code


def generated_code(index: int) -> str:
    """The generated code of the ``index``-th city (from 1) without a known code: ``g0001``.

    >>> generated_code(12)
    'g0012'
    """
    return f"g{index:04d}"


def shard_seed(seed: int, code: str) -> int:
    """The seed of a shard: from the run's ``seed`` and the shard's ``code`` only (SHA-256).

    The same (seed, code) gives the same seed on any machine and in any process (Python's own
    ``hash`` of text changes between processes; this does not).
    """
    digest = hashlib.sha256(f"{int(seed)}:{code}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # a non-negative 63-bit int


def namespaced(hierarchy: Hierarchy, code: str) -> Hierarchy:
    """Return ``hierarchy`` with ``code`` and a dot put before every id.

    Every id: units, organisations, courts, people and the units of their posts; names, kinds and
    roles are unchanged.

    Raises:
        ArgumentError: ``code`` is not an id, or holds a dot.

    >>> from ruian_governance import generate_hierarchy
    >>> h = namespaced(generate_hierarchy(towns=2, villages=2, grids=2, micro_grids=0), "g0001")
    >>> h.city.id, h.people[0].id, h.people[0].posts[0].unit_id
    ('g0001.city', 'g0001.p0000001', 'g0001.city.centre')
    """
    prefix = _code(code) + "."

    def moved(node: Any) -> Any:
        changes: dict[str, Any] = {
            f.name: prefix + value
            for f in attrs.fields(type(node))
            if f.name in _ID_FIELDS and isinstance(value := getattr(node, f.name), str)
        }
        if isinstance(ids := getattr(node, "town_ids", None), tuple):  # a tribunal's towns
            changes["town_ids"] = tuple(prefix + i for i in ids)
        return attrs.evolve(node, **changes)

    def person(p: Person) -> Person:
        posts = tuple(attrs.evolve(post, unit_id=prefix + post.unit_id) for post in p.posts)
        return attrs.evolve(p, id=prefix + p.id, posts=posts)

    h = hierarchy
    return attrs.evolve(
        h,
        units=tuple(map(moved, h.units)),
        centre=moved(h.centre),
        command_rooms=tuple(map(moved, h.command_rooms)),
        platforms=tuple(map(moved, h.platforms)),
        stations=tuple(map(moved, h.stations)),
        departments=tuple(map(moved, h.departments)),
        courts=tuple(map(moved, h.courts)),
        tribunals=tuple(map(moved, h.tribunals)),
        shared_courts=tuple(map(moved, h.shared_courts)),
        people=tuple(map(person, h.people)),
    )


def _every_id(h: Hierarchy) -> Iterable[str]:
    yield from (u.id for u in h.units)
    yield h.centre.id
    for group in (h.command_rooms, h.platforms, h.stations, h.departments, h.courts,
                  h.tribunals, h.shared_courts, h.people):  # fmt: skip
        yield from (node.id for node in group)


@attrs.frozen(kw_only=True)
class CityShard:
    """One city of a region: its code and its hierarchy, every id of which starts ``code.``.

    Args:
        code: The administrative-division code (``"330381"``) or a generated one (``g0001``).
        hierarchy: The city (see :func:`namespaced`).

    Raises:
        ArgumentError: ``code`` is not an id or holds a dot; an id of the hierarchy does not
            start with ``code`` and a dot (the first one is named).
    """

    code: str = attrs.field(validator=lambda _, a, v: _code(v, a.name))
    hierarchy: Hierarchy = attrs.field(repr=False, validator=instance_of(Hierarchy))

    def __attrs_post_init__(self) -> None:
        prefix = self.code + "."
        post_units = (post.unit_id for p in self.hierarchy.people for post in p.posts)
        for id_ in (*_every_id(self.hierarchy), *post_units):
            if not id_.startswith(prefix):
                msg = "hierarchy"
                raise ArgumentError(msg, id_, f"an id in the namespace {prefix!r}")

    @property
    def name(self) -> str:
        """The city's name (its city unit's)."""
        return self.hierarchy.city.name

    def build(self) -> CityShard:
        """This shard (a built shard builds to itself)."""
        return self


@attrs.frozen(kw_only=True)
class GeneratedCity:
    """A generated city that a worker builds itself: a few numbers travel, not the hierarchy.

    :meth:`build` gives the :class:`CityShard` of ``generate_hierarchy`` with these sizes and
    the seed :func:`shard_seed` of ``seed`` and ``code``, namespaced by ``code``, named after
    the code's county where it is known (as :func:`generate_region` builds its cities).

    Args:
        code: The city's code.
        towns, villages, grids, micro_grids: The sizes (see ``generate_hierarchy``).
        seed: The region's seed.

    Raises:
        ArgumentError: ``code`` is not an id or holds a dot.
    """

    code: str = attrs.field(validator=lambda _, a, v: _code(v, a.name))
    towns: int = 5
    villages: int = 40
    grids: int = 200
    micro_grids: int = 0
    seed: int = 0

    def build(self) -> CityShard:
        """Generate the city (the same every time).

        Raises:
            ArgumentError: A size is refused by ``generate_hierarchy``.
        """
        h = generate_hierarchy(
            seed=shard_seed(self.seed, self.code),
            towns=self.towns,
            villages=self.villages,
            grids=self.grids,
            micro_grids=self.micro_grids,
            city_name=WENZHOU_CODES.get(self.code, f"示范市{self.code}"),
            city_name_en=f"City {self.code}",
        )
        return CityShard(code=self.code, hierarchy=namespaced(h, self.code))


@attrs.frozen(kw_only=True)
class HierarchyFile:
    """A city whose hierarchy a worker reads itself from a JSON document (``load_hierarchy``).

    The document's ids are namespaced by ``code`` when they are not already.

    Args:
        code: The city's code.
        path: The hierarchy document (a path every worker can read).
    """

    code: str = attrs.field(validator=lambda _, a, v: _code(v, a.name))
    path: str = attrs.field(validator=instance_of(str))

    def build(self) -> CityShard:
        """Read the city.

        Raises:
            DataError, HierarchyError: As :func:`~ruian_governance.io.load_hierarchy`.
            OSError: The file cannot be read.
        """
        h = load_hierarchy(Path(self.path))
        if not h.city.id.startswith(self.code + "."):
            h = namespaced(h, self.code)
        return CityShard(code=self.code, hierarchy=h)


Shard: TypeAlias = CityShard | GeneratedCity | HierarchyFile
"""A city of a region: built, or built by the worker that runs it."""


def _shards(value: Iterable[Shard]) -> tuple[Shard, ...]:
    return model_tuple(value)


def _each_a_shard(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise ArgumentError(attribute.name, value, "a collection of shards")
    for item in value:
        if not isinstance(item, CityShard | GeneratedCity | HierarchyFile):
            raise ArgumentError(
                attribute.name, item, "each a CityShard, GeneratedCity or HierarchyFile"
            )


@attrs.frozen(kw_only=True)
class Region:
    """A set of cities, each a shard with its own id namespace; codes are unique.

    Args:
        cities: The shards, in the order they are reported.

    Raises:
        ArgumentError: ``cities`` is empty, holds something else than a :class:`CityShard`,
            :class:`GeneratedCity` or :class:`HierarchyFile`, or two shards share a code.
    """

    cities: tuple[Shard, ...] = attrs.field(converter=_shards, validator=_each_a_shard)

    def __attrs_post_init__(self) -> None:
        if not self.cities:
            msg = "cities"
            raise ArgumentError(msg, self.cities, "at least one city")
        codes = [c.code for c in self.cities]
        if len(set(codes)) != len(codes):
            twice = sorted({c for c in codes if codes.count(c) > 1})
            msg = "cities"
            raise ArgumentError(msg, twice, "cities with distinct codes")

    @property
    def codes(self) -> tuple[str, ...]:
        """The shards' codes, in order."""
        return tuple(c.code for c in self.cities)

    def city(self, code: str) -> Shard:
        """The shard of this code.

        Raises:
            ArgumentError: No shard has this code.
        """
        for shard in self.cities:
            if shard.code == code:
                return shard
        msg = "code"
        raise ArgumentError(msg, code, f"one of {list(self.codes)}")


def generate_region(  # noqa: PLR0913 - sizes are the knobs
    *,
    cities: int,
    towns: int = 5,
    villages: int = 40,
    grids: int = 200,
    micro_grids: int = 0,
    seed: int = 0,
    codes: Iterable[str] | None = None,
    lazy: bool = False,
) -> Region:
    """A region of ``cities`` generated cities of the same size, each in its own namespace.

    The codes are ``codes`` if given, else the Wenzhou codes (:data:`WENZHOU_CODES`, in code
    order) and then generated ones (:func:`generated_code`); each city is generated from
    :func:`shard_seed` of ``seed`` and its code, and named after its code's county where it
    is known.  With ``lazy`` the cities are :class:`GeneratedCity` specifications, built by the
    worker that runs each (the client holds no hierarchy: what a country-sized region needs).

    Raises:
        ArgumentError: ``cities`` is not a whole number from 1, or ``codes`` are too few, not
            ids, or repeated.
    """
    if isinstance(cities, bool) or not isinstance(cities, int) or cities < 1:
        msg = "cities"
        raise ArgumentError(msg, cities, "a whole number from 1")
    if codes is None:
        known = sorted(WENZHOU_CODES)
        chosen = [*known, *(generated_code(i) for i in range(1, cities + 1))][:cities]
    else:
        chosen = [_code(c) for c in codes][:cities]
        if len(chosen) < cities:
            msg = "codes"
            raise ArgumentError(msg, chosen, f"at least {cities} codes")
    specs = [
        GeneratedCity(
            code=code, towns=towns, villages=villages, grids=grids, micro_grids=micro_grids,
            seed=seed,
        )
        for code in chosen
    ]  # fmt: skip
    shards: list[Shard] = list(specs) if lazy else [spec.build() for spec in specs]
    return Region(cities=shards)
