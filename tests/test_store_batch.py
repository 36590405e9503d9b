"""Batch writes: many commands, one transaction, the same checks, all or nothing (issue 15, 5).

Every refusal leaves the store as it was (cases, histories, list rows, indexes, the file's
case count) and names the refused command in a ``BatchRefusedError``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from ruian_governance import (
    Case,
    ConflictError,
    Engine,
    MemoryCaseStore,
    SimulationConfig,
    SQLiteCaseStore,
    generate_hierarchy,
    simulate,
)
from ruian_governance.errors import (
    ArgumentError,
    BatchRefusedError,
    CaseStoreError,
    ForgedHistoryError,
    StoreBusyError,
    StoreReadOnlyError,
    TransitionError,
    UnknownIdError,
)
from ruian_governance.stores import CaseBatch, CaseStore, RowQuery
from store_kit import Recorder, happy, reported, steps
from world import HOUR, T0, World, build_world, open_case


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


Opener = Callable[[], CaseStore]


@pytest.fixture(params=["memory", "sqlite"])
def kit(
    request: pytest.FixtureRequest, world: World, tmp_path: Path
) -> Iterator[tuple[CaseStore, Recorder]]:
    """A store of each kind (SQLite: a WAL file, synchronous FULL) and the index it tells."""
    told = Recorder()
    if request.param == "memory":
        yield MemoryCaseStore(world.engine, indexes=[told]), told
    else:
        with SQLiteCaseStore(tmp_path / "c.db", world.engine, indexes=[told]) as store:
            yield store, told


def state_of(store: CaseStore) -> tuple[Any, ...]:
    """Everything a refusal must leave alone: cases with histories, rows, counts."""
    return (list(store), store.ids(), len(store), store.count(), store.rows(limit=500).items)


def command(world: World, case: Case) -> tuple[str, dict[str, Any]]:
    """The happy path's next command on ``case``: trigger and keyword arguments."""
    trigger, actor, data = steps(world)[case.state]
    return trigger, {"actor": world[actor], "at": case.last.at + HOUR, **data}


def test_a_batch_writes_everything_at_the_end(
    world: World, kit: tuple[CaseStore, Recorder]
) -> None:
    """Open, drive on in the batch, save and add: nothing is seen until the block ends."""
    store, told = kit
    store.add(open_case(world, "event", "E0"))
    outside = happy(world, store.get("E0"), 3)
    with store.batch() as batch:
        assert isinstance(batch, CaseBatch)
        case = batch.open("event", **reported(world, "E1"))
        for _ in range(4):
            trigger, kwargs = command(world, case)
            case = batch.apply(case.id, case.version, trigger, **kwargs)
        batch.save(outside, expected_version=0)
        batch.add(happy(world, open_case(world, "event", "E2"), 8))
        assert batch.get("E1") == case
        assert store.ids() == ("E0",)
        assert store.get("E0").version == 0
        assert told.seen == [("E0", 0)]
    assert len(batch) == 7
    assert store.ids() == ("E0", "E1", "E2")
    assert store.get("E1") == case
    assert store.get("E1").version == 4
    assert store.get("E0") == outside
    assert store.get("E2").state == "evaluated"
    assert sorted(told.seen[1:]) == [("E0", 3), ("E1", 4), ("E2", 8)]
    assert store.count() == 3


def refusals(world: World) -> list[tuple[str, Callable[[CaseBatch], object], int, type]]:
    """Batches that are refused at their third command (index 2), and the refusal's type."""

    def start(batch: CaseBatch) -> None:
        batch.open("event", **reported(world, "N1"))
        batch.apply("E0", 0, "accept", actor=world["operator"], at=T0 + HOUR)

    def stale(batch: CaseBatch) -> None:
        start(batch)
        batch.apply("E0", 0, "accept", actor=world["operator"], at=T0 + HOUR)

    def duplicate_in_batch(batch: CaseBatch) -> None:
        start(batch)
        batch.open("event", **reported(world, "N1"))

    def duplicate_in_store(batch: CaseBatch) -> None:
        start(batch)
        batch.add(open_case(world, "event", "E0"))

    def refused_command(batch: CaseBatch) -> None:
        start(batch)
        batch.apply("N1", 0, "close", actor=world["operator"], at=T0 + HOUR)

    def forged(batch: CaseBatch) -> None:
        start(batch)
        case = happy(world, open_case(world, "event", "F1"), 2)
        batch.add(_forge(case))

    def unknown(batch: CaseBatch) -> None:
        start(batch)
        batch.apply("nobody", 0, "accept", actor=world["operator"], at=T0 + HOUR)

    def junk(batch: CaseBatch) -> None:
        start(batch)
        batch.apply("N1", "0", "accept", actor=world["operator"], at=T0 + HOUR)  # type: ignore[arg-type]

    def not_a_case(batch: CaseBatch) -> None:
        start(batch)
        batch.add(None)  # type: ignore[arg-type]

    return [
        ("stale version", stale, 2, ConflictError),
        ("id twice in the batch", duplicate_in_batch, 2, ConflictError),
        ("id already stored", duplicate_in_store, 2, ConflictError),
        ("refused command", refused_command, 2, TransitionError),
        ("forged history", forged, 2, ForgedHistoryError),
        ("unknown case", unknown, 2, UnknownIdError),
        ("a string for a version", junk, 2, ArgumentError),
        ("None for a case", not_a_case, 2, ArgumentError),
    ]


def _forge(case: Case) -> Case:
    """``case`` claiming a state its history does not give."""
    return attrs.evolve(case, state="reported" if case.state == "closed" else "closed")


@pytest.mark.parametrize("which", range(8))
def test_a_refused_command_mid_batch_writes_nothing(
    world: World, kit: tuple[CaseStore, Recorder], which: int
) -> None:
    """The first two commands pass, the third is refused: the store is as it was."""
    store, told = kit
    store.add(open_case(world, "event", "E0"))
    before, heard = state_of(store), list(told.seen)
    name, body, index, kind = refusals(world)[which]
    with pytest.raises(BatchRefusedError) as info, store.batch() as batch:
        body(batch)
    assert info.value.index == index, name
    assert isinstance(info.value.error, kind), name
    assert isinstance(info.value.__cause__, kind)
    assert f"command {index}" in str(info.value)
    assert state_of(store) == before
    assert told.seen == heard


def test_a_caught_refusal_still_writes_nothing(
    world: World, kit: tuple[CaseStore, Recorder]
) -> None:
    """A block that swallows the refusal cannot commit the rest: the batch is poisoned."""
    store, _ = kit
    before = state_of(store)
    with pytest.raises(BatchRefusedError) as info, store.batch() as batch:  # noqa: PT012 - the block is the batch
        batch.open("event", **reported(world, "N1"))
        with pytest.raises(BatchRefusedError):
            batch.open("event", **reported(world, "N1"))
        with pytest.raises(BatchRefusedError):  # every later command: the same refusal
            batch.open("event", **reported(world, "N2"))
    assert info.value.index == 1
    assert state_of(store) == before
    with pytest.raises(CaseStoreError):  # a finished batch takes no more commands
        batch.commit()


def test_an_exception_in_the_block_writes_nothing(
    world: World, kit: tuple[CaseStore, Recorder]
) -> None:
    """Leaving the block by any exception discards the batch."""
    store, _ = kit
    with pytest.raises(KeyError), store.batch() as batch:  # noqa: PT012 - the block is the batch
        batch.open("event", **reported(world, "N1"))
        msg = "the caller's own failure"
        raise KeyError(msg)
    assert len(store) == 0
    with pytest.raises(CaseStoreError, match="finished"):
        batch.open("event", **reported(world, "N2"))


def test_a_writer_between_read_and_commit_is_a_named_conflict(
    world: World, kit: tuple[CaseStore, Recorder]
) -> None:
    """Another writer saves a case after the batch read it: the batch is refused at commit."""
    store, _ = kit
    store.add(open_case(world, "event", "E0"))
    store.add(open_case(world, "event", "E1"))
    with pytest.raises(BatchRefusedError) as info, store.batch() as batch:  # noqa: PT012 - the block is the batch
        batch.open("event", **reported(world, "N1"))
        batch.apply("E1", 0, "accept", actor=world["operator"], at=T0 + HOUR)
        batch.apply("E0", 0, "accept", actor=world["operator"], at=T0 + HOUR)
        store.apply("E0", 0, "accept", actor=world["operator"], at=T0 + 2 * HOUR)  # the other
    assert info.value.index == 2
    assert info.value.case_id == "E0"
    assert isinstance(info.value.error, ConflictError)
    assert store.ids() == ("E0", "E1")
    assert store.get("E1").version == 0
    assert store.get("E0").last.at == T0 + 2 * HOUR


def test_a_concurrent_writer_holding_the_file_is_store_busy(world: World, tmp_path: Path) -> None:
    """A lock held past ``timeout`` raises StoreBusyError at commit; nothing is written."""
    path = tmp_path / "c.db"
    with SQLiteCaseStore(path, world.engine, timeout=0.2) as store:
        store.add(open_case(world, "event", "E0"))
        before = state_of(store)
        blocker = sqlite3.connect(path, isolation_level=None)
        try:
            blocker.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreBusyError), store.batch() as batch:  # noqa: PT012 - the block is the batch
                batch.open("event", **reported(world, "N1"))
                batch.apply("E0", 0, "accept", actor=world["operator"], at=T0 + HOUR)
        finally:
            blocker.close()
        assert state_of(store) == before
        with SQLiteCaseStore(path, world.engine) as other:
            assert other.ids() == ("E0",)
            assert other.check() == 1


def test_a_read_only_store_refuses_a_batch(world: World, tmp_path: Path) -> None:
    """``batch()`` and ``import_cases`` on a read-only store: StoreReadOnlyError, no write."""
    path = tmp_path / "c.db"
    with SQLiteCaseStore(path, world.engine) as store:
        store.add(open_case(world, "event", "E0"))
    with SQLiteCaseStore(path, world.engine, read_only=True) as reader:
        with pytest.raises(StoreReadOnlyError):
            reader.batch()
        with pytest.raises(StoreReadOnlyError):
            reader.import_cases([open_case(world, "event", "E1")])
        assert reader.ids() == ("E0",)


def test_import_cases_is_all_or_nothing(world: World, kit: tuple[CaseStore, Recorder]) -> None:
    """Whole cases in one transaction; one forged case among many: none is added."""
    store, told = kit
    cases = [happy(world, open_case(world, "event", f"I{k:03d}"), k % 9) for k in range(40)]
    forged = [*cases[:20], _forge(cases[25]), *cases[30:]]
    with pytest.raises(BatchRefusedError) as info:
        store.import_cases(forged)
    assert info.value.index == 20
    assert info.value.case_id == "I025"
    assert len(store) == 0
    assert told.seen == []
    with pytest.raises(BatchRefusedError) as info:
        store.import_cases([*cases[:3], cases[1]])
    assert info.value.index == 3
    assert isinstance(info.value.error, ConflictError)
    assert len(store) == 0
    assert store.import_cases(cases) == 40
    assert list(store) == sorted(cases, key=lambda c: c.id)
    assert len(told.seen) == 40


def test_a_file_written_in_batches_reopens_and_checks(world: World, tmp_path: Path) -> None:
    """Batches and single commands mix in one file; the file checks; commands go on."""
    path = tmp_path / "c.db"
    with SQLiteCaseStore(path, world.engine) as store:
        store.import_cases(open_case(world, "event", f"B{k}") for k in range(5))
        for _ in range(3):
            with store.batch() as batch:
                for case_id in store.ids():
                    case = batch.get(case_id)
                    trigger, kwargs = command(world, case)
                    batch.apply(case_id, case.version, trigger, **kwargs)
        trigger, kwargs = command(world, store.get("B0"))
        store.apply("B0", 3, trigger, **kwargs)
    with SQLiteCaseStore(path, world.engine) as store:
        assert store.check() == 5
        assert [store.get(f"B{k}").version for k in range(5)] == [4, 3, 3, 3, 3]
        assert store.get("B1") == happy(world, open_case(world, "event", "B1"), 3)


def test_an_empty_batch_writes_nothing(kit: tuple[CaseStore, Recorder]) -> None:
    """No command, no transaction; ``cases`` is empty."""
    store, told = kit
    with store.batch() as batch:
        pass
    assert batch.cases == ()
    assert len(store) == 0
    assert told.seen == []


def test_a_simulation_streams_its_cases_into_a_store(tmp_path: Path) -> None:
    """A simulation store: ``simulate(sink=store.import_cases)``, the cases in batches.

    One transaction a batch, synchronous FULL: the same cases as the run in memory.
    """
    h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=2)
    config = SimulationConfig(hierarchy=h, days=6, seed=4, reports_per_grid_per_day=1.0)
    run = simulate(config)
    with SQLiteCaseStore(tmp_path / "sim.db", Engine(run.hierarchy, run.lifecycles)) as store:

        def sink(cases: tuple[Case, ...]) -> None:
            store.import_cases(cases)

        streamed = simulate(config, sink=sink)
        assert streamed.cases == ()
        assert list(store) == list(run.cases)
        assert store.check() == len(run.cases)


def test_a_new_case_taken_by_another_writer_rolls_back_the_whole_batch(
    world: World, tmp_path: Path
) -> None:
    """Point 5: a new case another writer took meanwhile refuses the whole batch.

    The batch's stored case rows are updated first, then every new row, record and assignee
    written one statement each: the updated cases, their records and assignees roll back.
    """
    path = tmp_path / "c.db"
    with SQLiteCaseStore(path, world.engine) as store, SQLiteCaseStore(path, world.engine) as other:
        store.import_cases([happy(world, open_case(world, "event", f"E{k}"), 2) for k in range(2)])
        (unit,) = happy(world, open_case(world, "event", "E0"), 3).assignees  # the batch's step
        before = state_of(store), store.rows(RowQuery(assignee=unit), limit=50).items
        with pytest.raises(BatchRefusedError) as info, store.batch() as batch:  # noqa: PT012 - the block is the batch
            for case_id in ("E0", "E1"):
                case = batch.get(case_id)
                trigger, kwargs = command(world, case)
                batch.apply(case_id, case.version, trigger, **kwargs)
            batch.open("event", **reported(world, "N1"))
            batch.open("event", **reported(world, "N2"))
            other.add(open_case(world, "event", "N2"))  # the other writer takes N2
        assert (info.value.index, info.value.case_id) == (3, "N2")
        assert isinstance(info.value.error, ConflictError)
        other.close()
        after = state_of(store), store.rows(RowQuery(assignee=unit), limit=50).items
        assert after[0][1] == ("E0", "E1", "N2")  # only the other writer's case is new
        assert [store.get(f"E{k}").version for k in range(2)] == [2, 2]
        assert after[1] == before[1]
        assert store.check() == 3
