"""Views of an event read from its history, and the two-case commands: merge and link.

A case holds no list of reporters, merged or related ids: they are records of its history
(``intake``'s ``reporter``, ``take_duplicate``, ``link``, ``callback``), and these functions read
them, so a replay gives them back and the case's fields stay as they are.

:func:`suggest_duplicates` proposes likely duplicates 疑似重复件 of a new report among open
cases; :func:`merge_duplicate` and :func:`link_cases` apply the two commands a merge 重复件合并
or a link 关联件 takes, one on each case, and return both new cases (or refuse with nothing
changed).

>>> from datetime import datetime, timezone
>>> from ruian_governance import Actor, Case, HistoryRecord
>>> at = datetime(2025, 3, 3, 9, tzinfo=timezone.utc)
>>> room = Actor(person_id="op", role="command_room_operator", unit_id="t1.room")
>>> opening = HistoryRecord(seq=0, trigger="intake", source=None, dest="reported", actor=room,
...                         at=at, data=(("channel", "hotline"), ("reporter", ("c-17",))))
>>> taken = HistoryRecord(seq=1, trigger="take_duplicate", source="reported", dest="reported",
...                       actor=room, at=at,
...                       data=(("duplicate", ("E2",)), ("reporter", ("c-18",))))
>>> case = Case(id="E1", lifecycle="event", state="reported", location_id="g1", unit_id="t1",
...             reporter_id="op", category="noise", severity=None, opened_at=at, due_at=None,
...             history=(opening, taken), version=1)
>>> reporters(case), merged_ids(case)
(('c-17', 'c-18'), ('E2',))
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from ruian_governance._convert import require_aware
from ruian_governance.errors import ArgumentError, UnknownIdError
from ruian_governance.lifecycles.engine import Engine
from ruian_governance.models import Actor, Case, DataValue, Hierarchy, Level

__all__ = [
    "DUPLICATE_WINDOW",
    "HANDLING_TRIGGERS",
    "called_back",
    "handlers_of",
    "link_cases",
    "merge_duplicate",
    "merged_ids",
    "primary_of",
    "related_ids",
    "reporter_ref",
    "reporters",
    "reworks",
    "suggest_duplicates",
]

HANDLING_TRIGGERS = frozenset({"solve_on_spot", "sign", "start", "feed_back"})
"""The triggers whose actors handled a case: who fired one may not evaluate it."""

DUPLICATE_WINDOW = timedelta(days=3)
"""How far apart in time two reports of a matter are taken as possible duplicates (a design
choice: the 3 working days of an ordinary event)."""


def _ref(value: DataValue | None) -> str | None:
    if type(value) is tuple and len(value) == 1 and type(value[0]) is str:
        return value[0]
    return None


def _refs(case: Case, trigger: str, key: str) -> tuple[str, ...]:
    found: list[str] = []
    for record in case.history:
        if record.trigger == trigger:
            ref = _ref(record.get(key))
            if ref is not None and ref not in found:
                found.append(ref)
    return tuple(found)


def reporter_ref(case: Case) -> str | None:
    """The citizen reporter's reference the case opened with (``intake``), or ``None``."""
    return _ref(case.history[0].get("reporter")) if case.history else None


def reporters(case: Case) -> tuple[str, ...]:
    """Everyone the case answers to 来件人, first reporter first.

    The citizen's reference (or the person who reported it), then the reporter of each
    duplicate merged into it.
    """
    first = reporter_ref(case) or case.reporter_id
    return (first, *(r for r in _refs(case, "take_duplicate", "reporter") if r != first))


def merged_ids(case: Case) -> tuple[str, ...]:
    """The ids of the duplicates merged into the case 重复件, in the order merged."""
    return _refs(case, "take_duplicate", "duplicate")


def primary_of(case: Case) -> str | None:
    """The id of the primary case a duplicate was merged into, or ``None``.

    A merged duplicate is final; its reporter follows the primary (whose feedback and
    callbacks reach every reporter, :func:`reporters`).
    """
    found = _refs(case, "merge", "primary")
    return found[0] if found else None


def related_ids(case: Case) -> tuple[str, ...]:
    """The ids of the cases linked to the case 关联件, in the order linked."""
    return _refs(case, "link", "related")


def called_back(case: Case) -> tuple[str, ...]:
    """The reporters called back 回访 since the case last closed, in the order called.

    A case closed again after rework 重办 calls its reporters back again.
    """
    start = 0
    for record in case.history:
        if record.dest == "closed" and record.source != "closed":
            start = record.seq
    found: list[str] = []
    for record in case.history[start:]:
        if record.trigger == "callback":
            ref = _ref(record.get("reporter"))
            if ref is not None and ref not in found:
                found.append(ref)
    return tuple(found)


def handlers_of(case: Case) -> frozenset[str]:
    """The person ids of everyone who handled the case (:data:`HANDLING_TRIGGERS`)."""
    return frozenset(r.actor.person_id for r in case.history if r.trigger in HANDLING_TRIGGERS)


def reworks(case: Case) -> int:
    """How many times an unsatisfied rating sent the case back for rework 重办."""
    return len(case.records("rework"))


# --------------------------------------------------------------------------- duplicates


def _need(value: object, kind: type, argument: str, expected: str) -> None:
    if not isinstance(value, kind):
        raise ArgumentError(argument, value, expected)


def _village(hierarchy: Hierarchy, unit_id: str) -> str:
    unit = hierarchy.unit(unit_id)
    if unit.level in (Level.GRID, Level.MICRO_GRID):
        for above in hierarchy.ancestors(unit_id):
            if above.level is Level.VILLAGE:
                return above.id
    return unit.id


def suggest_duplicates(
    report: Case,
    cases: Iterable[Case],
    hierarchy: Hierarchy,
    *,
    closed_states: Iterable[str] = ("closed", "evaluated", "rejected", "merged", "withdrawn"),
    window: timedelta = DUPLICATE_WINDOW,
) -> tuple[Case, ...]:
    """Suggest likely duplicates 疑似重复件 of ``report`` among ``cases``, likeliest first.

    A candidate is another case of the same lifecycle and category, not in ``closed_states``,
    opened within ``window`` of the report, in the same or a neighbouring grid (a grid of the
    same village 同村网格; a design choice: the hierarchy holds no geometry).  Candidates in
    the report's own grid come first, then the nearest in time, then by id.  A pure function:
    the command room decides (:func:`merge_duplicate`).

    Raises:
        ArgumentError: ``window`` is not a non-negative ``timedelta``, ``report`` or an item
            of ``cases`` is not a case, ``hierarchy`` not a hierarchy, ``closed_states`` one
            string.
        UnknownIdError: The report's location is not in ``hierarchy``.
    """
    if not isinstance(window, timedelta) or window < timedelta(0):
        argument = "window"
        raise ArgumentError(argument, window, "a timedelta of zero or more")
    _need(report, Case, "report", "a case")
    _need(hierarchy, Hierarchy, "hierarchy", "a Hierarchy")
    if isinstance(closed_states, str):
        argument = "closed_states"
        raise ArgumentError(argument, closed_states, "state keys (not one string)")
    done = frozenset(closed_states)
    village = _village(hierarchy, report.location_id)
    found: list[tuple[int, timedelta, str, Case]] = []
    for case in cases:
        _need(case, Case, "cases", "cases only")
        if (
            case.id == report.id
            or case.lifecycle != report.lifecycle
            or case.category != report.category
            or case.state in done
        ):
            continue
        gap = abs(case.opened_at - report.opened_at)
        if gap > window:
            continue
        same = case.location_id == report.location_id
        try:
            near = same or _village(hierarchy, case.location_id) == village
        except UnknownIdError:
            continue
        if near:
            found.append((0 if same else 1, gap, case.id, case))
    found.sort(key=lambda item: item[:3])
    return tuple(item[3] for item in found)


def _pair(first: Case, second: Case, what: str) -> None:
    if not isinstance(first, Case) or not isinstance(second, Case):
        raise ArgumentError(what, (first, second), "two cases")
    if first.id == second.id:
        raise ArgumentError(what, first.id, "two different cases")


def merge_duplicate(  # noqa: PLR0913 - two cases and a command's parts
    engine: Engine,
    duplicate: Case,
    primary: Case,
    *,
    actor: Actor,
    at: datetime,
    note: str | None = None,
) -> tuple[Case, Case]:
    """Merge ``duplicate`` into ``primary`` 重复件合并; return both new cases.

    The duplicate fires ``merge`` (it ends as merged, a final state, naming its primary); the
    primary fires ``take_duplicate`` (recording the duplicate's id and reporter, so its
    feedback and callbacks reach that reporter too).  Both commands are checked before
    either is kept: a refusal of either raises and changes nothing.  Store the two cases in
    one :meth:`~ruian_governance.stores.CaseStore.batch` (``batch.save`` each at the version
    read) so both are written or neither: a write to either case meanwhile refuses the batch.

    Raises:
        ArgumentError: Not two different cases, or ``at`` is naive.
        InvalidTransitionError, RoleNotAllowedError, JurisdictionError, GuardFailedError, ...:
            As for :meth:`~ruian_governance.Engine.apply` on either case.
    """
    _pair(duplicate, primary, "merge")
    require_aware(at, "at")
    extra: dict[str, DataValue] = {} if note is None else {"note": note}
    merged = engine.apply(duplicate, "merge", actor=actor, at=at, primary=(primary.id,), **extra)
    ref = reporters(duplicate)[0]
    taken = engine.apply(
        primary,
        "take_duplicate",
        actor=actor,
        at=at,
        duplicate=(duplicate.id,),
        reporter=(ref,),
        **extra,
    )
    return merged, taken


def link_cases(
    engine: Engine, first: Case, second: Case, *, actor: Actor, at: datetime
) -> tuple[Case, Case]:
    """Link two related cases 关联件 both ways; return both new cases.

    Raises:
        ArgumentError: Not two different cases, or ``at`` is naive.
        InvalidTransitionError, JurisdictionError, GuardFailedError, ...: As for
            :meth:`~ruian_governance.Engine.apply` on either case (already linked, say).
    """
    _pair(first, second, "link")
    require_aware(at, "at")
    one = engine.apply(first, "link", actor=actor, at=at, related=(second.id,))
    two = engine.apply(second, "link", actor=actor, at=at, related=(first.id,))
    return one, two
