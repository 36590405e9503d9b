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
from typing import Any, TypeAlias, TypeVar

from hypothesis import note
from hypothesis import strategies as st

from ruian_governance.errors import RuianGovernanceError
from ruian_governance.lifecycles import (
    CITIZEN_CHANNELS,
    TRIAGE_LEVELS,
    Engine,
    Transition,
    reporters,
)
from ruian_governance.models import Case, DataValue, Department, Level, Station

__all__ = [
    "BOOLEANS",
    "DEFAULT_DATA_VALUES",
    "DELAYS",
    "DataValues",
    "ValueMakers",
    "draw",
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


_T = TypeVar("_T")


def _lean_parts() -> tuple[Any, Any, Any] | None:
    """Hypothesis' own helpers that :func:`draw` needs, or ``None`` where they moved."""
    try:
        from hypothesis.control import (  # noqa: PLC0415 - internal, may move
            current_build_context,
            should_note,
        )
        from hypothesis.vendor.pretty import RepresentationPrinter  # noqa: PLC0415
    except ImportError:  # pragma: no cover - another Hypothesis
        return None
    return should_note, current_build_context, RepresentationPrinter


_LEAN = _lean_parts()


class Inadmissible(RuianGovernanceError):  # noqa: N818 - a signal, not a user's error
    """A replayed value that its strategy could not have drawn where it is replayed.

    Raised and caught inside the command shrinker's replays (``testing._shrink``) only.
    """


RECORDED: list[list[tuple[str, Any]]] = []
"""Where :func:`draw` keeps each draw's label and value while a list is on it (the last list).

The command shrinker (:mod:`ruian_governance.testing._shrink`) puts a list here for the run it
records and takes it off afterwards; with none here, :func:`draw` keeps nothing."""


def draw(data: st.DataObject, strategy: st.SearchStrategy[_T], label: str) -> _T:
    """``data.draw(strategy, label=label)``: the same choices, spans and report lines.

    Hypothesis' ``DataObject.draw`` also checks its argument and compares the global random
    state before and after (to warn of a strategy that uses it): about a tenth of a
    machine's replay, so of its shrinking (issue 16, point 3).  The machines draw only
    strategies of their own, which use no global random state, so this draws straight from
    the test case's data, numbering, tracking (for the *explain* phase) and reporting each
    draw as ``DataObject.draw`` does (``Draw 3 (case_id): 'C1'`` in the final run's report).
    Falls back to ``data.draw`` where Hypothesis differs.
    """
    inner: Any = getattr(data, "conjecture_data", None)
    count = getattr(data, "count", None)
    tracked = getattr(inner, "track_arg_span", None)
    comments = getattr(inner, "span_comments", None)
    if _LEAN is None or tracked is None or comments is None or not isinstance(count, int):
        drawn: _T = data.draw(strategy, label=label)  # another Hypothesis, or a replay
        if RECORDED:
            RECORDED[-1].append((label, drawn))
        return drawn
    should_note, context, printer_class = _LEAN
    data.count = count = count + 1
    desc = f"Draw {count} ({label})"
    with tracked() as span_index:
        result: _T = inner.draw(strategy, observe_as=f"generate:{desc}")
    if should_note():
        printer = printer_class(context=context())
        printer.text(f"{desc}: ")
        if inner.provider.avoid_realization:  # pragma: no cover - symbolic backends
            printer.text("<symbolic>")
        else:
            printer.pretty(result)
        if comment := comments.get(span_index):
            printer.text(f"  # {comment}")
        note(printer.getvalue())
    if RECORDED:
        RECORDED[-1].append((label, result))
    return result


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
    ids = st.sampled_from([u.id for u in pool])
    one_or_more = st.lists(ids, min_size=1, max_size=most, unique=True).map(tuple)
    if most < 2 or len(pool) < 2:
        return one_or_more
    # a larger event goes to two or more units half the time: joint handling 联办 is reached
    joint = st.lists(ids, min_size=2, max_size=most, unique=True).map(tuple)
    return st.one_of(joint, one_or_more)


def _unit_targets(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    """Stations of the holding town, or departments when the city holds the case."""
    if case is None:
        return _TEXT_VALUES
    most = 1 if case.severity in {None, "ordinary"} else 2
    return _targets_of(engine, case.unit_id, most)


@lru_cache(maxsize=64)
@lru_cache(maxsize=256)
def _platforms_of(engine: Engine, town_id: str | None) -> st.SearchStrategy[DataValue]:
    ids: list[str] = []
    if town_id is not None:
        ids = [p.id for p in engine.hierarchy.platforms_of(town_id)]
    if len(ids) < 2:  # a design choice: two named platforms where the town has no preset
        ids = ["综治工作平台 comprehensive", "市场监管平台 market supervision"]
    return st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True).map(tuple)


def _platforms(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    """Two or more distinct platforms of the case's town (a joint meeting 四平台联席会议)."""
    town = None if case is None else engine.hierarchy.town_of(case.location_id)
    return _platforms_of(engine, None if town is None else town.id)


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
_TIERS: st.SearchStrategy[DataValue] = st.sampled_from(
    (*sorted(TRIAGE_LEVELS, key=lambda t: t != "simple"), "simple")
)
"""A triage tier: simple 简单 half the time (to the village, with the whole ladder village ->
town -> city above it to escalate 逐级上移 through), else complex or difficult (at a town or
the city, where a task force 专班 may be formed and record progress)."""
_NOTICES: st.SearchStrategy[DataValue] = st.integers(1, 999).map(lambda n: f"整改交办单 ZG-{n}")


def _reporter(_engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    """A reporter reference: one of the case's reporters two times in three, else a new one.

    The case's own for a callback 回访 or a citizen's withdrawal 撤件.
    """
    known = [(r,) for r in reporters(case)] if case is not None else []
    return st.sampled_from([*known, *known, ("citizen-a1",)])


_OTHER_CASES = tuple((f"E-other-{n}",) for n in range(1, 9))
"""Other cases' ids: eight, as a case may name each only once (a link from every state)."""


def _other_case(_engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    """Another case's id (a primary, duplicate or related case), now and then the case's own."""
    own = () if case is None else ((case.id,),)
    return st.sampled_from((*_OTHER_CASES, *own))


# issue 13 (disputes and hazards): the values that pass the new guards most of the time


def _parties(_engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    known = () if case is None else case.parties
    return st.just(known if len(known) >= 2 else ("当事人甲", "当事人乙"))


def _party(_engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    return st.sampled_from(case.parties) if case is not None and case.parties else st.just("无")


def _applicants(_engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    return st.just(case.parties if case is not None and case.parties else ("无",))


def _ids(ids: Sequence[str], most: int = 1) -> st.SearchStrategy[DataValue]:
    if not ids:
        return st.just(("no_such_unit",))
    return st.lists(st.sampled_from(list(ids)), min_size=1, max_size=most, unique=True).map(tuple)


def _leaders(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    h = engine.hierarchy
    found = sorted(p.id for p in h.people if any(q.role == "leader" for q in p.posts))
    if case is not None:
        above = {case.unit_id, *(u.id for u in h.ancestors(case.unit_id))}
        near = [i for i in found if any(q.unit_id in above for q in h.person(i).posts)]
        found = near or found
    return st.sampled_from(found) if found else st.just("no_such_leader")


def _members(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    h = engine.hierarchy
    if case is None or h.unit(case.unit_id).level is not Level.TOWN:
        return _ids([d.id for d in h.departments])
    town = case.unit_id
    return _ids([*(s.id for s in h.stations_of(town)), *(v.id for v in h.children(town))], 2)


def _venues(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    venues = () if case is None else engine.hierarchy.shared_courts_of(case.location_id)
    return st.sampled_from([v.id for v in venues]) if venues else st.just("no_such_venue")


def _targets(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    return _ids(case.assignees if case is not None and case.assignees else (), 2)


def _inspected(engine: Engine, case: Case | None) -> st.SearchStrategy[DataValue]:
    h = engine.hierarchy
    town = None if case is None else h.town_of(case.location_id)
    return _ids([] if town is None else [s.id for s in h.stations_of(town.id)])


_CHANNELS: st.SearchStrategy[DataValue] = st.sampled_from(sorted(CITIZEN_CHANNELS))
_LEVELS: st.SearchStrategy[DataValue] = st.sampled_from(("province", "prefecture", "county"))


DEFAULT_DATA_VALUES: DataValues = {
    "units": _unit_targets,
    "days": _days,
    "stars": lambda _e, _c: _STARS,
    "tier": lambda _e, _c: _TIERS,
    "commander": lambda engine, _c: _commanders(engine),
    "departments": _departments,
    "notice": lambda _e, _c: _NOTICES,
    "channel": lambda _e, _c: _CHANNELS,
    "reporter": _reporter,
    "primary": _other_case,
    "duplicate": _other_case,
    "related": _other_case,
    "satisfaction": lambda _e, _c: _STARS,
    "parties": _parties,
    "party": _party,
    "applicants": _applicants,
    "leader": _leaders,
    "members": _members,
    "venue": _venues,
    "targets": _targets,
    "inspected": _inspected,
    "level": lambda _e, _c: _LEVELS,
    "platforms": _platforms,
}
"""The value strategies :func:`~ruian_governance.testing.strategies.command_data` knows:
``units`` (stations of the holding town, or departments when the city holds the case; one unit
for ordinary cases, two or more half the time for the others), ``days`` (up to the
``max_extension`` limit), ``stars`` (1-5), ``tier`` (a triage tier),
``commander`` (a person with a task-force commander post), ``departments`` and
``notice``; for joint handling ``platforms`` (two or more distinct platforms of the case's
town); for the event loop's intake section ``channel`` (a citizen channel), ``reporter``
(one of the case's reporters, or a new reference), ``primary`` / ``duplicate`` / ``related``
(another case's id, now and then the case's own) and ``satisfaction`` (1-5); for the disputes'
and hazards' triggers ``parties``, ``party`` and ``applicants`` (the case's
parties), ``leader`` (a leader of the holding unit or above), ``members`` (stations and villages
of a holding town, else departments), ``venue`` (a shared court of the case's town),
``targets`` (its assignees), ``inspected`` (stations of its town) and a listing ``level``.
Most strategies are built once (per engine, holder and size where they depend on them), not at
every draw."""


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
