"""The engine's hand-tuned constructors build exactly what attrs builds from the same fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
from hypothesis import assume, given
from hypothesis import strategies as st

from ruian_governance import EVENT_LIFECYCLE, Actor, Case, HistoryRecord, generate_hierarchy
from ruian_governance.lifecycles import CommandContext, _fast

HIERARCHY = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, seed=0)

keys = st.text(alphabet="abcdefgh_.0123456789", min_size=1, max_size=8)
times = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=8))]
    )
)  # fmt: skip
actors = st.builds(Actor, person_id=keys, role=keys, unit_id=keys)
values = st.one_of(st.integers(), keys, st.tuples(keys, keys))
data = st.dictionaries(keys, values, max_size=3).map(lambda d: tuple(sorted(d.items())))
ids = st.lists(keys, max_size=3).map(tuple)


@st.composite
def records(draw: st.DrawFn, seq: int | None = None) -> dict[str, Any]:
    """The fields of a history record."""
    return {
        "seq": draw(st.integers(0, 50)) if seq is None else seq,
        "trigger": draw(keys),
        "source": draw(st.none() | keys),
        "dest": draw(keys),
        "actor": draw(actors),
        "at": draw(times),
        "data": draw(data),
    }


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """An attrs-built case with a short history."""
    history = tuple(HistoryRecord(**draw(records(seq=i))) for i in range(draw(st.integers(1, 4))))
    return Case(
        id=draw(keys),
        lifecycle=draw(keys),
        state=draw(keys),
        location_id=draw(keys),
        unit_id=draw(keys),
        assignees=draw(ids),
        reporter_id=draw(keys),
        parties=draw(ids),
        category=draw(keys),
        severity=draw(st.none() | keys),
        opened_at=draw(times),
        due_at=draw(st.none() | times),
        history=history,
        version=len(history) - 1,
    )


changes = st.fixed_dictionaries(
    {},
    optional={
        "unit_id": keys,
        "assignees": ids,
        "severity": st.none() | keys,
        "due_at": st.none() | times,
        "parties": ids,
    },
)


def _complete(value: object) -> bool:
    """Every attrs field of ``value`` is set (a fast constructor forgot none)."""
    return all(hasattr(value, a.name) for a in attrs.fields(type(value)))


@given(fields=records())
def test_fast_records_equal_attrs_records(fields: dict[str, Any]) -> None:
    """_fast.record builds the HistoryRecord attrs builds from the same fields."""
    built = _fast.record(*fields.values())
    assert _complete(built)
    assert built == HistoryRecord(**fields)
    assert hash(built) == hash(HistoryRecord(**fields))


@given(case=cases(), state=keys, last=records(), made=st.none() | changes)
def test_fast_advance_equals_attrs(
    case: Case, state: str, last: dict[str, Any], made: dict[str, Any] | None
) -> None:
    """_fast.advance builds the next version attrs builds: state, record appended, changes made."""
    record = HistoryRecord(**last)
    seal = object()
    built = _fast.advance(_fast.sealed(attrs.evolve(case), seal), state, record, made)
    assert _complete(built)
    assert built._seal is seal  # the engine's mark follows the case
    expected = attrs.evolve(
        case,
        state=state,
        history=(*case.history, record),
        version=case.version + 1,
        **(made or {}),
    )
    assert built == expected


@given(case=cases(), state=keys, last=records(), made=st.none() | changes)
def test_fast_followed_equals_advance_of_record(
    case: Case, state: str, last: dict[str, Any], made: dict[str, Any] | None
) -> None:
    """Issue 15: _fast.followed builds what advance builds with the command's record."""
    seal = object()
    before = _fast.sealed(attrs.evolve(case), seal)
    fields = (last["trigger"], last["actor"], last["at"], last["data"])
    built = _fast.followed(before, state, *fields, made)
    assert _complete(built)
    assert _complete(built.history[-1])
    assert built._seal is seal  # the engine's mark follows the case
    record = _fast.record(len(case.history), last["trigger"], case.state, state, *fields[1:])
    assert built == _fast.advance(before, state, record, made)
    assert built.history[-1] == record


@given(case=cases(), due=st.none() | times)
def test_fast_dated_equals_attrs(case: Case, due: datetime | None) -> None:
    """_fast.dated changes the deadline and nothing else."""
    seal = object()
    built = _fast.dated(_fast.sealed(attrs.evolve(case), seal), due)
    assert _complete(built)
    assert built._seal is seal
    assert built == attrs.evolve(case, due_at=due)


@given(case=cases(), due=st.none() | times)
def test_fast_dated_now_equals_dated(case: Case, due: datetime | None) -> None:
    """Issue 15: _fast.dated_now sets the deadline of a just-built case as dated does."""
    seal = object()
    fresh = _fast.sealed(attrs.evolve(case), seal)
    expected = _fast.dated(fresh, due)
    built = _fast.dated_now(fresh, due)
    assert built is fresh
    assert _complete(built)
    assert built._seal is seal
    assert built == expected


@given(
    first=records(seq=0),
    facts=st.fixed_dictionaries(
        {
            "case_id": keys,
            "location_id": keys,
            "unit_id": keys,
            "parties": ids,
            "category": keys,
            "severity": st.none() | keys,
            "due_at": st.none() | times,
        }
    ),
    lifecycle=keys,
)
def test_fast_opened_equals_attrs(
    first: dict[str, Any], facts: dict[str, Any], lifecycle: str
) -> None:
    """_fast.opened builds the new case attrs builds from its opening record and facts."""
    record = HistoryRecord(**first)
    seal = object()
    built = _fast.opened(lifecycle=lifecycle, first=record, seal=seal, **facts)
    assert _complete(built)
    assert built._seal is seal
    case_id = facts.pop("case_id")
    assert built == Case(
        id=case_id,
        lifecycle=lifecycle,
        state=record.dest,
        reporter_id=record.actor.person_id,
        opened_at=record.at,
        history=(record,),
        **facts,
    )


@given(case=cases(), trigger=keys, actor=actors, at=times, values=st.dictionaries(keys, values))
def test_fast_contexts_equal_attrs_contexts(
    case: Case, trigger: str, actor: Actor, at: datetime, values: dict[str, Any]
) -> None:
    """_fast.context builds the CommandContext attrs builds from the same fields."""
    built = _fast.context(case, trigger, actor, at, values, HIERARCHY, EVENT_LIFECYCLE)
    assert _complete(built)
    assert built == CommandContext(
        case=case,
        trigger=trigger,
        actor=actor,
        at=at,
        data=values,
        hierarchy=HIERARCHY,
        lifecycle=EVENT_LIFECYCLE,
    )


@given(case=cases(), key=keys)
def test_fast_marked_equals_attrs(case: Case, key: str) -> None:
    """_fast.marked adds ``(key, True)`` to the last record's data, and keeps the seal."""
    last = case.history[-1]
    assume(all(k != key for k, _ in last.data))
    seal = object()
    built = _fast.marked(_fast.sealed(attrs.evolve(case), seal), key)
    assert _complete(built)
    assert built._seal is seal
    record = attrs.evolve(last, data=tuple(sorted((*last.data, (key, True)))))
    assert built == attrs.evolve(case, history=(*case.history[:-1], record))


def test_twin_slots_are_the_real_classes_slots() -> None:
    """Issue 15: the twins _fast builds values in have the real classes' slots, in order."""
    assert _fast._CaseSlots.__slots__ == Case.__slots__  # type: ignore[attr-defined]
    assert _fast._RecordSlots.__slots__ == HistoryRecord.__slots__  # type: ignore[attr-defined]
