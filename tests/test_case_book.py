"""The case book: optimistic concurrency with threads, and replay of stored cases."""

from __future__ import annotations

import threading

import pytest

from ruian_governance import CaseBook, ConflictError, UnknownIdError
from world import DAY, HOUR, World, build_world, open_case


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


def race(world: World, book: CaseBook, case_id: str) -> list[object]:
    """Fire accept and reject on version 0 of ``case_id`` from two threads at once."""
    barrier = threading.Barrier(2)
    results: list[object] = []
    at = open_case(world, "event").opened_at + HOUR

    def act(trigger: str, data: dict[str, str]) -> None:
        barrier.wait()
        try:
            results.append(book.apply(case_id, 0, trigger, actor=world["operator"], at=at, **data))
        except ConflictError as error:
            results.append(error)

    threads = [
        threading.Thread(target=act, args=("accept", {})),
        threading.Thread(target=act, args=("reject", {"reason": "duplicate"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_threads_on_the_same_version_exactly_one_wins(world: World) -> None:
    """Two actors fire on the same case version at once: one is stored, the other conflicts."""
    for round_ in range(25):
        book = CaseBook(world.engine)
        case = book.add(open_case(world, "event", f"E{round_}"))
        results = race(world, book, case.id)
        errors = [r for r in results if isinstance(r, ConflictError)]
        winners = [r for r in results if not isinstance(r, ConflictError)]
        assert len(errors) == 1
        assert len(winners) == 1
        stored = book.get(case.id)
        assert stored is winners[0]
        assert stored.version == 1
        assert len(stored.history) == 2
        assert errors[0].expected == 0


def test_retrying_threads_lose_no_update(world: World) -> None:
    """Threads that retry on conflict all get their records in: none is lost."""
    book = CaseBook(world.engine)
    case = book.add(open_case(world, "event"))
    case = book.apply(case.id, 0, "accept", actor=world["operator"], at=case.last.at + HOUR)
    late = case.last.at + 30 * DAY
    per_thread, threads_n = 20, 4

    def supervise(actor: str) -> None:
        done = 0
        while done < per_thread:
            current = book.get(case.id)
            try:
                book.apply(case.id, current.version, "supervise", actor=world[actor], at=late,
                           note=f"{actor} {done}")  # fmt: skip
            except ConflictError:
                continue
            done += 1

    threads = [
        threading.Thread(target=supervise, args=(a,))
        for a in ("operator", "centre", "operator", "centre")[:threads_n]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = book.get(case.id)
    assert final.version == 1 + per_thread * threads_n
    assert [r.seq for r in final.history] == list(range(len(final.history)))
    assert world.engine.replay(final.history) == final


def test_stale_version_and_duplicate_ids_conflict(world: World) -> None:
    """A stale expected version, or adding an id twice, raises ConflictError."""
    book = CaseBook(world.engine)
    case = book.add(open_case(world, "event"))
    with pytest.raises(ConflictError) as info:
        book.apply(case.id, 3, "accept", actor=world["operator"], at=case.last.at + HOUR)
    assert (info.value.expected, info.value.actual) == (3, 0)
    with pytest.raises(ConflictError):
        book.add(case)
    with pytest.raises(UnknownIdError):
        book.get("nope")
    assert len(book) == 1
    assert list(book) == [case]
    assert case.id in book


def test_book_lists_overdue_cases(world: World) -> None:
    """overdue(now) finds stored cases past their deadline in a timed state."""
    book = CaseBook(world.engine)
    case = book.add(open_case(world, "event"))
    closed = book.add(open_case(world, "event", "E-closed"))
    book.apply(closed.id, 0, "solve_on_spot", actor=world["worker"], at=closed.last.at,
               result="ok")  # fmt: skip
    assert book.overdue(case.last.at) == ()
    assert book.overdue(case.last.at + 30 * DAY) == (case,)


def test_book_takes_the_time_from_its_clock(world: World) -> None:
    """Without at=, the book asks its injected clock; without a clock it refuses."""
    from ruian_governance import ManualClock

    clock = ManualClock(at=open_case(world, "event").opened_at)
    book = CaseBook(world.engine, clock=clock)
    case = book.open("event", case_id="C", trigger="report", actor=world["worker"],
                     location_id=world.grid, category="noise", severity="ordinary")  # fmt: skip
    clock.advance(HOUR)
    case = book.apply(case.id, case.version, "accept", actor=world["operator"])
    assert case.last.at == clock.now()
    clockless = CaseBook(world.engine)
    clockless.add(case)
    with pytest.raises(ValueError, match="clock"):
        clockless.apply(case.id, case.version, "dispatch", actor=world["operator"])
