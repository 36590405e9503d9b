"""Case values: the short repr of a case."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs

from ruian_governance import Actor, Case, HistoryRecord

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def _case(records: int) -> Case:
    actor = Actor(person_id="p1", role="grid_worker", unit_id="t1.v001.g01")
    history = tuple(
        HistoryRecord(
            seq=i,
            trigger="report" if i == 0 else "note",
            source=None if i == 0 else "reported",
            dest="reported",
            actor=actor,
            at=T0 + timedelta(minutes=i),
            data=(("text", "x" * 200),),
        )
        for i in range(records)
    )
    return Case(
        id="E-0001",
        lifecycle="event",
        state="reported",
        location_id="t1.v001.g01",
        unit_id="t1",
        reporter_id="p1",
        category="noise",
        severity="ordinary",
        opened_at=T0,
        due_at=None,
        history=history,
        version=records - 1,
    )


def test_case_repr_names_id_lifecycle_state_and_version() -> None:
    """repr(Case) is one line with id, lifecycle, state and version, not the history."""
    case = _case(500)
    text = repr(case)
    assert text == "<Case id='E-0001' lifecycle='event' state='reported' version=499>"
    assert len(text) < 120
    assert "HistoryRecord" not in text


def test_case_repr_does_not_grow_with_history() -> None:
    """A case with a long history has a repr as long as one with a single record."""
    short, long = _case(1), _case(1_000)
    assert len(repr(long)) - len(repr(short)) == len("999") - len("0")
    assert repr(attrs.evolve(long, state="closed")).endswith("state='closed' version=999>")
