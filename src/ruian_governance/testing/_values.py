"""Command data values for the walk (private to ``testing``): a strategy per data key.

The machines and the strategies fill a command's data from here: every key its transition
requires and some it accepts, from :data:`DEFAULT_DATA_VALUES` or a caller's own
:data:`DataValues`, and short texts for keys neither knows (so a trigger added to a lifecycle
later, with data keys of its own, is walked without changes here).  Re-exported by
:mod:`ruian_governance.testing._walk`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from functools import cache, lru_cache
from typing import TypeAlias

from hypothesis import strategies as st

from ruian_governance.lifecycles import TRIAGE_LEVELS, Engine, Transition
from ruian_governance.models import Case, DataValue, Department, Level, Station

__all__ = [
    "BOOLEANS",
    "DEFAULT_DATA_VALUES",
    "DELAYS",
    "DataValues",
    "ValueMakers",
    "drawn_data",
    "fill_data",
    "indexes",
    "known_values",
]

DataValues: TypeAlias = Mapping[
    str, Callable[[Engine, "Case | None"], st.SearchStrategy[DataValue]]
]
"""Value strategies for command data, by data key: ``values[key](engine, case)``.

``case`` is ``None`` for the data of an opening command.
:func:`~ruian_governance.testing.strategies.command_data` uses :data:`DEFAULT_DATA_VALUES` for
keys a caller's mapping leaves out, and short texts for keys neither knows.
"""

_TEXTS = ("说明 note", "现场核实 checked on site", "不属本单位职责 not our duty", "已处理 handled")
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
DELAYS = (timedelta(0), _HOUR, _HOUR, 4 * _HOUR, _DAY, 3 * _DAY, 10 * _DAY, 40 * _DAY)
"""The delays between a case's last record and its next command (shrinking to none)."""


_TEXT_VALUES: st.SearchStrategy[DataValue] = st.sampled_from(_TEXTS)
BOOLEANS = st.booleans()
"""One booleans strategy, built once."""


@cache
def indexes(size: int) -> st.SearchStrategy[int]:
    """Positions in a sequence of ``size`` items (one strategy per size, built once)."""
    return st.integers(0, size - 1)


def _texts(_engine: Engine, _case: Case | None) -> st.SearchStrategy[DataValue]:
    return _TEXT_VALUES


@lru_cache(maxsize=1024)
def _targets_of(engine: Engine, holder_id: str, most: int) -> st.SearchStrategy[DataValue]:
    h = engine.hierarchy
    holder = h.unit(holder_id)
    pool: Sequence[Station | Department]
    if holder.level is Level.CITY:
        pool = h.departments
    elif holder.level is Level.TOWN:
        pool = h.stations_of(holder.id)
    else:  # a village: the stations of its town (the built-in guards refuse them)
        town = h.town_of(holder.id)
        pool = () if town is None else h.stations_of(town.id)
    if not pool:
        return st.just(("no_such_unit",))
    return st.lists(
        st.sampled_from([u.id for u in pool]), min_size=1, max_size=most, unique=True
    ).map(tuple)


def _unit_targets(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    """Stations of the holding town, or departments when the city holds the case."""
    if case is None:
        return _TEXT_VALUES
    most = 1 if case.severity in {None, "ordinary"} else 2
    return _targets_of(engine, case.unit_id, most)


@lru_cache(maxsize=64)
def _days_up_to(most: int) -> st.SearchStrategy[DataValue]:
    return st.one_of(st.just(most), st.integers(1, most))


def _days(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    most = 15
    if case is not None:
        limit = engine.lifecycle(case.lifecycle).deadlines.limits.get("max_extension")
        most = 15 if limit is None or limit.days < 1 else limit.days
    return _days_up_to(most)


@lru_cache(maxsize=64)
def _commanders(engine: Engine, _case: Case | None = None) -> st.SearchStrategy[DataValue]:
    found = sorted(
        p.id
        for p in engine.hierarchy.people
        if any(post.role == "task_force_commander" for post in p.posts)
    )
    return st.sampled_from(found) if found else st.just("no_such_commander")


@lru_cache(maxsize=64)
def _department_lists(engine: Engine) -> st.SearchStrategy[DataValue]:
    ids = [d.id for d in engine.hierarchy.departments]
    if not ids:
        return st.just(("no_such_department",))
    return st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True).map(tuple)


def _departments(engine: Engine, _case: Case | None) -> st.SearchStrategy[DataValue]:
    return _department_lists(engine)


_STARS: st.SearchStrategy[DataValue] = st.integers(1, 5)
_TIERS: st.SearchStrategy[DataValue] = st.sampled_from(sorted(TRIAGE_LEVELS))
_NOTICES: st.SearchStrategy[DataValue] = st.integers(1, 999).map(lambda n: f"整改交办单 ZG-{n}")

DEFAULT_DATA_VALUES: DataValues = {
    "units": _unit_targets,
    "days": _days,
    "stars": lambda _e, _c: _STARS,
    "tier": lambda _e, _c: _TIERS,
    "commander": lambda engine, _c: _commanders(engine),
    "departments": _departments,
    "notice": lambda _e, _c: _NOTICES,
}
"""The value strategies :func:`~ruian_governance.testing.strategies.command_data` knows:
``units`` (stations of the holding town, or departments when the city holds the case; one unit
for ordinary cases), ``days`` (up to the ``max_extension`` limit), ``stars`` (1-5), ``tier`` (a
triage tier), ``commander`` (a person with a task-force commander post), ``departments`` and
``notice``.  Each strategy is built once (per engine, holder and size where it depends on
them), not at every draw."""


ValueMakers: TypeAlias = dict[str, Callable[[Engine, "Case | None"], st.SearchStrategy[DataValue]]]
"""Value strategies by data key: the caller's over the defaults."""


def known_values(values: DataValues | None) -> ValueMakers:
    """The caller's ``values`` over :data:`DEFAULT_DATA_VALUES`."""
    return {**DEFAULT_DATA_VALUES, **(values or {})}


def fill_data(
    draw: st.DrawFn, engine: Engine, case: Case | None, transition: Transition, known: ValueMakers
) -> dict[str, DataValue]:
    """Every key ``transition`` requires and some it accepts, valued from ``known`` (or texts)."""
    data: dict[str, DataValue] = {}
    for key in sorted(transition.requires):
        data[key] = draw(known.get(key, _texts)(engine, case), label=key)
    for key in sorted(transition.accepts - transition.requires):
        if draw(BOOLEANS, label=f"with_{key}"):
            data[key] = draw(known.get(key, _texts)(engine, case), label=key)
    return data


@st.composite
def drawn_data(
    draw: st.DrawFn, engine: Engine, case: Case | None, transition: Transition, known: ValueMakers
) -> dict[str, DataValue]:
    """:func:`fill_data` as a strategy."""
    return fill_data(draw, engine, case, transition, known)
