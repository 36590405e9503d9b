"""What the runs of one state machine class share (private to ``testing``): built once.

The engine, the command context, the opening strategy and the state graphs of a machine class
are immutable (the engine's caches only hold facts of the hierarchy and the definitions), so
:func:`shared_world` builds them once per class and settings; also the default hierarchy, the
store factory protocol, the index that counts what a store tells it, and the brief form in which
an opened case shows in Hypothesis' reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any, Protocol

import attrs
from hypothesis import strategies as st

from ruian_governance.analysis import Rate
from ruian_governance.lifecycles import Engine, LifecycleDefinition
from ruian_governance.models import Case, CaseIndex, Hierarchy, Level
from ruian_governance.presets import RULES_2021, generate_hierarchy, with_staff
from ruian_governance.stores import CaseStore

from ._steer import Geometry, geometries
from ._walk import Context, DataValues, Opening, make_context
from .strategies import datetimes

__all__ = [
    "CaseObserver",
    "Opened",
    "StoreFactory",
    "World",
    "default_hierarchy",
    "shared_world",
]


class StoreFactory(Protocol):
    """Builds a machine's case store from its engine and indexes (a store class will do)."""

    def __call__(self, engine: Engine, *, indexes: Iterable[CaseIndex]) -> CaseStore:
        """A new, empty case store run by ``engine`` that tells ``indexes`` of every write."""
        ...


@cache
def _default_times() -> st.SearchStrategy[datetime]:
    return datetimes()


@cache
def default_hierarchy() -> Hierarchy:
    """The small hierarchy the built-in machines use unless configured otherwise.

    Two towns, four villages, eight grids (no micro-grids), generated with seed 0, plus a
    village cadre 村社干部 in every village (so that village-level disputes can be mediated)
    and a task-force commander 专班指挥员 at the social-governance centre (so that disputes
    can get a task force), added by :func:`~ruian_governance.presets.with_staff`.

    >>> h = default_hierarchy()
    >>> len(h.towns), h.person("commander").posts[0].role
    (2, 'task_force_commander')
    >>> [p.id for p in h.people_of("t0001.v001", role="village_cadre")]
    ['cadre.t0001.v001']
    """
    return with_staff(generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0))


@attrs.define
class CaseObserver:
    """A :class:`~ruian_governance.CaseIndex` that counts what the case store tells it.

    The machines register one beside the similar-case library, to check that a rejected
    command reaches no index.
    """

    seen: dict[str, int] = attrs.field(factory=dict)

    def observe(self, case: Case) -> None:
        """Count one more observation of ``case``."""
        self.seen[case.id] = self.seen.get(case.id, 0) + 1


class Opened:
    """A newly opened case, shown briefly in Hypothesis' reports."""

    __slots__ = ("case",)

    def __init__(self, case: Case) -> None:
        self.case = case

    def __repr__(self) -> str:
        case = self.case
        first = case.history[0]
        return (
            f"<case {case.id}: {case.lifecycle} {first.trigger!r} at {case.location_id} "
            f"by {first.actor}, {first.at.isoformat()}, severity {case.severity}>"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@attrs.frozen
class World:
    """What the runs of one machine class share: built once, never changed."""

    settings: tuple[object, ...]
    engine: Engine
    commands: Context
    opening: Opening
    geometry: Mapping[str, Geometry]
    rates: dict[tuple[object, ...], Rate] = attrs.field(factory=dict, eq=False)
    """The rates computed over equal cases, by rate name, function and the cases' keys."""


_SHARED: dict[tuple[int, ...], World] = {}
"""The worlds built lately, by the identities of their settings (each world holds its
settings, so that an identity is not reused while it is kept)."""

_WORLDS_KEPT = 8
"""How many worlds are kept (the oldest goes first)."""


def shared_world(
    hierarchy: Hierarchy,
    lifecycles: tuple[LifecycleDefinition, ...],
    data_values: DataValues | None,
    times: st.SearchStrategy[datetime] | None,
) -> World:
    """The engine, command context, opening and state graphs of a machine's runs, built once.

    Shared by every machine class of the same settings (compared by identity: a subclass
    that keeps them, as a seeded copy of a machine does), so that what its runs learn of the
    engine serves the next seed's runs too; built again for other settings.
    """
    settings = (hierarchy, lifecycles, data_values, times)
    key = tuple(id(setting) for setting in settings)
    found = _SHARED.get(key)
    if found is not None and all(a is b for a, b in zip(found.settings, settings, strict=True)):
        return found
    engine = Engine(hierarchy, lifecycles)
    context = make_context(engine, None, data_values, None)
    opening = Opening(
        ctx=context,
        lifecycles=st.sampled_from(tuple(d.key for d in lifecycles)),
        places=tuple(
            u.id for level in (Level.GRID, Level.MICRO_GRID) for u in hierarchy.units_at(level)
        ),
        times=_default_times() if times is None else times,
        categories=st.sampled_from(RULES_2021.keys),
        ids=st.just("C1"),
    )
    world = World(settings, engine, context, opening, geometries(engine.lifecycles))
    while len(_SHARED) >= _WORLDS_KEPT:
        del _SHARED[next(iter(_SHARED))]
    _SHARED[key] = world
    return world
