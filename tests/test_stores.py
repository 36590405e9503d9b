"""Case stores: the shared interface (memory and SQLite), concurrency, durability, crash safety."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruian_governance import (
    Case,
    ConflictError,
    Engine,
    ManualClock,
    MemoryCaseStore,
    SQLiteCaseStore,
    TransitionError,
    UnknownIdError,
)
from ruian_governance.errors import (
    ArgumentError,
    CaseStoreError,
    StoreCorruptError,
    StoreMismatchError,
)
from ruian_governance.models import CaseIndex
from ruian_governance.stores import STORE_SCHEMA_VERSION, CaseStore
from ruian_governance.testing.strategies import Fault, command_sequences
from store_kit import Recorder, happy
from world import DAY, HOUR, T0, World, build_world, open_case


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


Opener = Callable[[], CaseStore]


@pytest.fixture(params=["memory", "sqlite"])
def opener(request: pytest.FixtureRequest, world: World, tmp_path: Path) -> Iterator[Opener]:
    """Opens handles on one store: the same object in memory, a new connection for SQLite."""
    handles: list[CaseStore] = []
    if request.param == "memory":
        shared = MemoryCaseStore(world.engine)

        def open_memory() -> CaseStore:
            return shared

        yield open_memory
    else:
        path = tmp_path / "cases.db"

        def open_sqlite() -> CaseStore:
            handle = SQLiteCaseStore(path, world.engine, synchronous="NORMAL")
            handles.append(handle)
            return handle

        yield open_sqlite
    for handle in handles:
        handle.close()


@pytest.fixture
def store(opener: Opener) -> CaseStore:
    """A fresh, empty store of each kind."""
    return opener()


def snapshot(store: CaseStore) -> list[Case]:
    """Every stored case, with its history, in id order."""
    return list(store)


Write = Callable[[], Case]


def race(*prepares: Callable[[], Write]) -> tuple[ConflictError, Case]:
    """Run each preparation in its own thread, then release their writes together.

    Each ``prepare`` runs before the threads meet at a barrier (reading the case, running the
    engine) and returns the write to race.  Exactly one write must win and one conflict;
    returns the conflict and the stored case.
    """
    barrier = threading.Barrier(len(prepares))
    results: list[object] = []

    def run(prepare: Callable[[], Write]) -> None:
        write = prepare()
        barrier.wait()
        try:
            results.append(write())
        except ConflictError as error:
            results.append(error)

    threads = [threading.Thread(target=run, args=(prepare,)) for prepare in prepares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [r for r in results if isinstance(r, ConflictError)]
    winners = [r for r in results if isinstance(r, Case)]
    assert len(errors) == len(winners) == 1
    return errors[0], winners[0]


# --------------------------------------------------------------------------- writing and reading


def test_stores_satisfy_the_protocol(store: CaseStore) -> None:
    """Both implementations are CaseStores and start empty."""
    assert isinstance(store, CaseStore)
    assert len(store) == 0
    assert store.ids() == ()
    assert list(store) == []


def test_applied_commands_are_stored_with_their_history(world: World, store: CaseStore) -> None:
    """Open + apply store each version; get, history and replay-based load agree with the engine."""
    case = store.open("event", case_id="E1", trigger="report", actor=world["worker"], at=T0,
                      location_id=world.grid, category="noise", severity="ordinary")  # fmt: skip
    expected = happy(world, case, 4)
    for k, record in enumerate(expected.history[1:]):
        data = dict(record.data)
        case = store.apply("E1", k, record.trigger, actor=record.actor, at=record.at, **data)
    assert case == expected
    assert store.get("E1") == expected
    assert store.history("E1") == expected.history
    assert store.load("E1") == expected
    assert store.get("E1").version == len(store.history("E1")) - 1 == 4
    assert "E1" in store
    assert "E2" not in store
    assert 5 not in store


def test_adding_an_existing_id_conflicts_and_writes_nothing(world: World, store: CaseStore) -> None:
    """Adding a case under a stored id raises ConflictError (expected None) and changes nothing."""
    first = store.add(happy(world, open_case(world, "event", "E1"), 2))
    with pytest.raises(ConflictError) as info:
        store.add(open_case(world, "event", "E1"))
    assert (info.value.case_id, info.value.expected, info.value.actual) == ("E1", None, 2)
    assert snapshot(store) == [first]


def test_a_stale_version_conflicts_and_writes_nothing(world: World, store: CaseStore) -> None:
    """Saving on a version that is no longer stored raises ConflictError and writes nothing."""
    base = store.add(open_case(world, "event", "E1"))
    winner = store.save(happy(world, base, 1), expected_version=0)
    loser = world.engine.apply(base, "reject", actor=world["operator"], at=T0 + HOUR,
                               reason="duplicate")  # fmt: skip
    with pytest.raises(ConflictError) as info:
        store.save(loser, expected_version=0)
    assert (info.value.expected, info.value.actual) == (0, 1)
    with pytest.raises(ConflictError):
        store.apply("E1", 0, "reject", actor=world["operator"], at=T0 + HOUR, reason="x")
    assert snapshot(store) == [winner]
    assert [r.trigger for r in store.history("E1")] == ["report", "accept"]


def test_several_records_are_saved_together(world: World, store: CaseStore) -> None:
    """A case several commands ahead is saved in one write: every new record is stored."""
    base = store.add(open_case(world, "event", "E1"))
    ahead = happy(world, base, 5)
    store.save(ahead, expected_version=0)
    assert store.get("E1") == ahead
    assert [r.seq for r in store.history("E1")] == list(range(6))


def test_unknown_ids_raise_lookup_errors(world: World, store: CaseStore) -> None:
    """get, history, load, apply and save of an unknown case raise UnknownIdError (LookupError)."""
    stranger = open_case(world, "event", "nobody")
    calls: list[Callable[[], object]] = [
        lambda: store.get("nobody"),
        lambda: store.history("nobody"),
        lambda: store.load("nobody"),
        lambda: store.apply("nobody", 0, "accept", actor=world["operator"], at=T0 + HOUR),
        lambda: store.save(happy(world, stranger, 1), expected_version=0),
    ]
    for call in calls:
        with pytest.raises(UnknownIdError) as info:
            call()
        assert isinstance(info.value, LookupError)
        assert info.value.id == "nobody"
    assert len(store) == 0


def test_refused_commands_write_nothing(world: World, store: CaseStore) -> None:
    """A command the engine refuses leaves the stored case as it was."""
    stored = store.add(open_case(world, "event", "E1"))
    with pytest.raises(TransitionError):
        store.apply("E1", 0, "accept", actor=world["other_operator"], at=T0 + HOUR)
    with pytest.raises(TransitionError):
        store.apply("E1", 0, "sign", actor=world["police"], at=T0 + HOUR)
    assert snapshot(store) == [stored]


def test_cases_that_do_not_follow_their_history_are_refused(world: World, store: CaseStore) -> None:
    """save/add refuse a version not later than expected or not one record per version."""
    base = store.add(open_case(world, "event", "E1"))
    with pytest.raises(CaseStoreError):
        store.save(base, expected_version=0)
    with pytest.raises(CaseStoreError):
        store.save(attrs.evolve(happy(world, base, 1), version=7), expected_version=0)
    with pytest.raises(CaseStoreError):
        store.save(happy(world, base, 1), expected_version=-1)
    one = happy(world, base, 1)
    with pytest.raises(CaseStoreError, match="seq 5"):
        store.save(attrs.evolve(one, history=(one.history[0], attrs.evolve(one.history[1], seq=5))),
                   expected_version=0)  # fmt: skip
    shuffled = happy(world, base, 2)
    bad_seq = attrs.evolve(shuffled.history[2], seq=9)
    with pytest.raises(CaseStoreError):
        store.save(attrs.evolve(shuffled, history=(*shuffled.history[:2], bad_seq)),
                   expected_version=0)  # fmt: skip
    with pytest.raises(CaseStoreError):
        store.add(attrs.evolve(open_case(world, "event", "E2"), version=1))
    with pytest.raises(UnknownIdError):
        store.add(attrs.evolve(open_case(world, "event", "E3"), lifecycle="parking"))
    assert snapshot(store) == [base]


def test_commands_without_time_use_the_clock(world: World, tmp_path: Path) -> None:
    """Without at=, the store's clock tells the time; without a clock it is a CaseStoreError."""
    makers: list[Callable[[ManualClock], CaseStore]] = [
        lambda clock: MemoryCaseStore(world.engine, clock=clock),
        lambda clock: SQLiteCaseStore(":memory:", world.engine, clock=clock),
    ]
    for make in makers:
        clock = ManualClock(at=T0)
        with make(clock) as store:
            assert store.clock is clock
            case = store.open("event", case_id="E1", trigger="report", actor=world["worker"],
                              location_id=world.grid, category="noise")  # fmt: skip
            assert case.opened_at == T0
            clock.advance(HOUR)
            assert store.apply("E1", 0, "accept", actor=world["operator"]).last.at == T0 + HOUR
    bare = MemoryCaseStore(world.engine)
    assert bare.clock is None
    with pytest.raises(CaseStoreError, match="clock"):
        bare.open("event", case_id="E1", trigger="report", actor=world["worker"],
                  location_id=world.grid, category="noise")  # fmt: skip
    assert issubclass(CaseStoreError, ValueError)


def test_context_manager_closes(world: World, tmp_path: Path) -> None:
    """Leaving the with block closes the store; close is idempotent."""
    for store in (MemoryCaseStore(world.engine), SQLiteCaseStore(tmp_path / "c.db", world.engine)):
        with store as entered:
            assert entered is store
            assert not store.closed
        assert store.closed
        store.close()
        assert store.closed


class Counting(CaseStore):
    """A store that subclasses CaseStore explicitly: it writes only add, save, get and close.

    It keeps its cases in a MemoryCaseStore and counts the writes that reach it.
    """

    def __init__(self, inner: MemoryCaseStore) -> None:
        self.inner = inner
        self.writes = 0

    @property
    def engine(self) -> Engine:
        """The inner store's engine."""
        return self.inner.engine

    @property
    def clock(self) -> ManualClock | None:
        """No clock: every command needs its ``at``."""
        return None

    @property
    def closed(self) -> bool:
        """Whether the inner store is closed."""
        return self.inner.closed

    def close(self) -> None:
        """Close the inner store."""
        self.inner.close()

    def add(self, case: Case) -> Case:
        """Add to the inner store, counted."""
        self.writes += 1
        return self.inner.add(case)

    def save(self, case: Case, *, expected_version: int) -> Case:
        """Save to the inner store, counted."""
        self.writes += 1
        return self.inner.save(case, expected_version=expected_version)

    def get(self, case_id: str) -> Case:
        """Read from the inner store."""
        return self.inner.get(case_id)


def test_explicit_subclasses_inherit_the_commands(world: World) -> None:
    """A subclass of CaseStore inherits open, apply, load and the with block from the protocol."""
    with Counting(MemoryCaseStore(world.engine)) as store:
        store.open("event", case_id="E1", trigger="report", actor=world["worker"], at=T0,
                   location_id=world.grid, category="noise")  # fmt: skip
        store.apply("E1", 0, "accept", actor=world["operator"], at=T0 + HOUR)
        with pytest.raises(ConflictError):
            store.apply("E1", 0, "accept", actor=world["operator"], at=T0 + HOUR)
        assert store.load("E1") == store.inner.get("E1")
        assert store.load("E1").version == 1
        assert store.writes == 2
    assert store.closed


# --------------------------------------------------------------------------- indexes


def indexed(
    kind: str, world: World, path: Path, *indexes: CaseIndex
) -> MemoryCaseStore | SQLiteCaseStore:
    """A new store of ``kind`` (``"memory"`` or ``"sqlite"`` at ``path``) telling ``indexes``."""
    if kind == "memory":
        return MemoryCaseStore(world.engine, indexes=indexes)
    return SQLiteCaseStore(path, world.engine, synchronous="NORMAL", indexes=indexes)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_indexes_are_told_of_stored_cases_only(world: World, tmp_path: Path, kind: str) -> None:
    """Every index hears of each stored case once; refused and conflicting writes reach none."""
    first, second = Recorder(), Recorder()
    assert isinstance(first, CaseIndex)
    with indexed(kind, world, tmp_path / "cases.db", first, second) as store:
        assert store.indexes == (first, second)
        base = store.add(open_case(world, "event", "E1"))
        store.open("event", case_id="E2", trigger="report", actor=world["worker"], at=T0,
                   location_id=world.grid, category="noise")  # fmt: skip
        store.apply("E1", 0, "accept", actor=world["operator"], at=base.last.at + HOUR)
        store.save(happy(world, base, 4), expected_version=1)
        told = [("E1", 0), ("E2", 0), ("E1", 1), ("E1", 4)]
        assert first.seen == second.seen == told
        refused: list[tuple[type[Exception], Callable[[], object]]] = [
            (ConflictError, lambda: store.add(base)),
            (ConflictError, lambda: store.save(happy(world, base, 1), expected_version=0)),
            (
                ConflictError,
                lambda: store.apply(
                    "E1", 1, "supervise", actor=world["operator"], at=T0 + DAY, note="late"
                ),
            ),
            (
                TransitionError,
                lambda: store.apply("E2", 0, "sign", actor=world["police"], at=T0 + HOUR),
            ),
            (
                UnknownIdError,
                lambda: store.apply("E9", 0, "accept", actor=world["operator"], at=T0 + HOUR),
            ),
            (CaseStoreError, lambda: store.save(store.get("E2"), expected_version=0)),
            (CaseStoreError, lambda: store.apply("E2", 0, "accept", actor=world["operator"])),
        ]
        for error, call in refused:
            with pytest.raises(error):
                call()
        assert first.seen == second.seen == told


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_racing_commands_store_one_and_tell_the_indexes_once(
    world: World, tmp_path: Path, kind: str
) -> None:
    """Two threads fire accept and reject on one version: one is stored and told, one conflicts."""
    for round_ in range(10):
        recorder = Recorder()
        store = indexed(kind, world, tmp_path / f"race{round_}.db", recorder)
        store.add(open_case(world, "event", "E1"))

        def act(trigger: str, data: dict[str, str], store: CaseStore = store) -> Write:
            return lambda: store.apply("E1", 0, trigger, actor=world["operator"], at=T0 + HOUR,
                                       **data)  # fmt: skip

        error, winner = race(
            partial(act, "accept", {}), partial(act, "reject", {"reason": "duplicate"})
        )
        assert (error.expected, error.actual) == (0, 1)
        assert store.get("E1") == winner
        assert recorder.seen == [("E1", 0), ("E1", 1)]
        store.close()


# --------------------------------------------------------------------------- queries


def test_iteration_reads_every_case_across_pages(world: World, store: CaseStore) -> None:
    """Iteration yields every case once, by id, also past the SQLite store's page of 256."""
    for i in range(300):
        store.add(open_case(world, "event", f"C{i:03d}"))
    ids = [c.id for c in store]
    assert ids == sorted(ids) == list(store.ids()) == [f"C{i:03d}" for i in range(300)]
    assert len(store) == 300


def populate(world: World, store: CaseStore) -> None:
    """Cases in both towns, at several stages; one escalated to the city, one closed."""
    other_town = world.h.towns[1].id
    for i in range(6):
        case = open_case(world, "event", f"E{i}")
        store.add(happy(world, case, i))
    escalated = world.engine.apply(
        store.get("E1"), "escalate", actor=world["operator"], at=T0 + DAY, reason="too big"
    )
    store.save(escalated, expected_version=1)
    far = world.engine.open("event", case_id="F1", trigger="report", actor=world["other_worker"],
                            at=T0 + 2 * DAY, location_id=world.other_grid, category="fire",
                            severity="ordinary")  # fmt: skip
    assert far.unit_id == other_town
    store.add(far)
    store.add(open_case(world, "dispute", "D1"))
    store.add(happy(world, open_case(world, "event", "E9"), 8))


def test_queries_by_state_unit_and_town(world: World, store: CaseStore) -> None:
    """by_state, by_unit and by_town return exactly the matching cases, sorted by id."""
    populate(world, store)
    every = list(store)
    assert [c.id for c in every] == sorted(c.id for c in every) == list(store.ids())
    assert len(store) == len(every) == 9
    for state in {c.state for c in every}:
        assert store.by_state(state) == tuple(c for c in every if c.state == state)
    assert [c.id for c in store.by_state("reported")] == ["E0", "F1"]
    assert [c.id for c in store.by_state("screening")] == ["D1"]
    assert store.by_state("screening", lifecycle="event") == ()
    assert [c.id for c in store.by_state("screening", lifecycle="dispute")] == ["D1"]
    town, other_town, city = world.town, world.h.towns[1].id, world.h.city.id
    assert [c.id for c in store.by_unit(city)] == ["E1"]
    assert store.by_unit(town) == tuple(c for c in every if c.unit_id == town)
    assert [c.id for c in store.by_town(other_town)] == ["F1"]
    assert [c.id for c in store.by_town(town)] == ["D1", "E0", "E2", "E3", "E4", "E5", "E9"]
    assert store.by_town(city) == ()
    assert store.by_unit("nowhere") == ()


def test_overdue_matches_the_engine(world: World, store: CaseStore) -> None:
    """overdue(now) is Engine.overdue over all cases, by deadline: final states never count."""
    populate(world, store)
    every = list(store)
    assert store.overdue(T0) == ()
    for now in (T0 + 3 * DAY, T0 + 4 * DAY, T0 + 30 * DAY):
        late = store.overdue(now)
        assert set(late) == set(world.engine.overdue(every, now))
        assert [(c.due_at, c.id) for c in late] == sorted((c.due_at, c.id) for c in late)  # type: ignore[type-var]
    assert "E9" not in {c.id for c in store.overdue(T0 + 300 * DAY)}
    assert store.overdue(T0 + 300 * DAY)
    with pytest.raises(ArgumentError, match=r"now=.*aware"):
        store.overdue(T0.replace(tzinfo=None))


def test_overdue_compares_instants_across_offsets(world: World, store: CaseStore) -> None:
    """Deadlines in different UTC offsets are compared as instants, not as local text."""
    early = store.add(open_case(world, "event", "A"))  # due 2025-03-07T00:00+08:00
    late = store.open("event", case_id="B", trigger="report", actor=world["worker"],
                      at=datetime(2025, 3, 3, 1, 0, tzinfo=UTC), location_id=world.grid,
                      category="noise", severity="ordinary")  # fmt: skip
    assert early.due_at is not None
    assert late.due_at == datetime(2025, 3, 7, 0, 0, tzinfo=UTC)
    assert early.due_at.isoformat() > late.due_at.isoformat()
    now = datetime(2025, 3, 6, 20, 0, tzinfo=UTC)
    assert [c.id for c in store.overdue(now)] == ["A"]
    assert [c.id for c in store.overdue(now + 4 * HOUR)] == ["A", "B"]


# --------------------------------------------------------------------------- concurrency


def test_two_writers_on_the_same_version_exactly_one_wins(world: World, opener: Opener) -> None:
    """Two threads (own connections for SQLite) save on one version: one wins, one conflicts."""
    opener().add(happy(world, open_case(world, "event", "E1"), 1))
    late = T0 + 30 * DAY

    def write(note: str) -> Write:
        handle = opener()
        base = handle.get("E1")
        new = world.engine.apply(base, "supervise", actor=world["operator"], at=late, note=note)
        return lambda: handle.save(new, expected_version=base.version)

    for round_ in range(1, 9):
        error, winner = race(*(partial(write, f"{round_}{x}") for x in "ab"))
        assert (error.expected, error.actual) == (round_, round_ + 1)
        assert opener().get("E1") == winner
    stored = opener().get("E1")
    assert stored.version == 9
    assert [r.seq for r in stored.history] == list(range(10))


def test_retrying_writers_lose_no_update(world: World, opener: Opener) -> None:
    """Writers that re-read and retry on conflict all get their records stored."""
    opener().add(happy(world, open_case(world, "event", "E1"), 1))
    per_thread = 8

    def supervise(name: str) -> None:
        handle = opener()
        done = 0
        while done < per_thread:
            current = handle.get("E1")
            try:
                handle.apply("E1", current.version, "supervise", actor=world["operator"],
                             at=T0 + 30 * DAY, note=f"{name} {done}")  # fmt: skip
            except ConflictError:
                continue
            done += 1

    threads = [threading.Thread(target=supervise, args=(n,)) for n in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = opener().get("E1")
    notes = sorted(str(r.get("note")) for r in stored.records("supervise"))
    assert notes == sorted(f"{n} {k}" for n in "abc" for k in range(per_thread))
    assert stored.version == 1 + 3 * per_thread
    assert opener().load("E1") == stored


# --------------------------------------------------------------------------- property


@given(data=st.data(), lifecycle=st.sampled_from(["event", "dispute", "hazard"]))
def test_stored_cases_always_equal_the_engines(
    world: World, data: st.DataObject, lifecycle: str
) -> None:
    """Invariant: after any command sequence, the decoded stored case == load == the engine's."""
    with SQLiteCaseStore(":memory:", world.engine, cache_size=0) as store:
        case = store.add(open_case(world, lifecycle))
        sequence = command_sequences(
            engine=world.engine, case=case, max_size=12, faults=list(Fault)
        )
        for step in data.draw(sequence, label="commands"):
            if step.fault is None:  # a legal command: accepted, then stored
                case = store.save(step.apply(world.engine, case), expected_version=case.version)
            assert store.get(case.id) == case
        assert store.load(case.id) == case
        assert store.history(case.id) == case.history


# --------------------------------------------------------------------------- SQLite only


def test_sqlite_store_persists_and_keeps_chinese_readable(world: World, tmp_path: Path) -> None:
    """A reopened store holds the same cases; its JSON keeps Chinese text unescaped."""
    path = tmp_path / "cases.db"
    with SQLiteCaseStore(path, world.engine) as store:
        store.add(open_case(world, "dispute", "D1"))
        store.add(happy(world, open_case(world, "event", "E1"), 5))
        before = list(store)
    with SQLiteCaseStore(path, world.engine) as store:
        assert list(store) == before
    db = sqlite3.connect(path)
    try:
        (head,) = db.execute("SELECT head FROM cases WHERE id = 'D1'").fetchone()
        records = [r for (r,) in db.execute("SELECT record FROM history WHERE case_id = 'E1'")]
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()
    assert "张三" in head
    assert "\\u" not in head
    assert any("已处理" in r for r in records)
    assert json.loads(head)["parties"] == ["张三", "李四"]
    assert mode == "wal"
    assert version == STORE_SCHEMA_VERSION


def test_sqlite_cached_cases_follow_other_connections(world: World, tmp_path: Path) -> None:
    """A case kept decoded by one connection is re-read once another connection saved it."""
    path = tmp_path / "cases.db"
    with (
        SQLiteCaseStore(path, world.engine) as a,
        SQLiteCaseStore(path, world.engine, cache_size=1) as b,
        SQLiteCaseStore(path, world.engine, cache_size=0) as c,
    ):
        a.add(open_case(world, "event", "E1"))
        a.add(open_case(world, "event", "E2"))
        assert b.get("E1") == c.get("E1") == a.get("E1")
        b.apply("E1", 0, "accept", actor=world["operator"], at=T0 + HOUR)
        assert b.get("E2").version == 0  # pushes E1 out of b's cache of one
        c.apply("E1", 1, "supervise", actor=world["operator"], at=T0 + 30 * DAY, note="x")
        for store in (a, b, c):
            assert [r.trigger for r in store.get("E1").history] == ["report", "accept", "supervise"]
            assert store.load("E1") == store.get("E1")


def test_sqlite_history_is_append_only(world: World, tmp_path: Path) -> None:
    """The database itself refuses to update or delete history rows."""
    path = tmp_path / "cases.db"
    with SQLiteCaseStore(path, world.engine) as store:
        store.add(open_case(world, "event", "E1"))
    db = sqlite3.connect(path)
    try:
        for statement in ("UPDATE history SET trigger = 'x'", "DELETE FROM history"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(statement)
    finally:
        db.close()


def test_sqlite_store_detects_rows_that_disagree(world: World, tmp_path: Path) -> None:
    """Get notices a history that does not fit the version, and a case row edited in place."""
    path = tmp_path / "cases.db"
    with SQLiteCaseStore(path, world.engine) as store:
        store.add(happy(world, open_case(world, "event", "E1"), 2))
        store.add(happy(world, open_case(world, "event", "E2"), 2))
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("UPDATE cases SET version = 5 WHERE id = 'E1'")
        db.execute("UPDATE cases SET head = replace(head, '\"dispatched\"', '\"closed\"') "
                   "WHERE id = 'E2'")  # fmt: skip
    finally:
        db.close()
    with SQLiteCaseStore(path, world.engine) as store:
        with pytest.raises(StoreCorruptError, match="version 5"):
            store.get("E1")
        with pytest.raises(StoreCorruptError, match="checksum"):
            store.get("E2")
        with pytest.raises(StoreCorruptError, match="checksum"):
            store.load("E2")
        with pytest.raises(StoreCorruptError):
            store.by_state("dispatched")


def test_sqlite_store_refuses_foreign_files_and_settings(world: World, tmp_path: Path) -> None:
    """A file that is not a store, a newer layout, or an unknown setting is refused, typed."""
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreCorruptError, match="not a database"):
        SQLiteCaseStore(junk, world.engine)
    foreign = tmp_path / "foreign.db"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE t (x)")
    db.close()
    with pytest.raises(StoreCorruptError, match="not a case store"):
        SQLiteCaseStore(foreign, world.engine)
    newer = tmp_path / "newer.db"
    with SQLiteCaseStore(newer, world.engine):
        pass
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version = {STORE_SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreMismatchError, match=f"layout {STORE_SCHEMA_VERSION + 1}"):
        SQLiteCaseStore(newer, world.engine)
    with pytest.raises(CaseStoreError, match="unable to open"):
        SQLiteCaseStore(tmp_path / "no such directory" / "cases.db", world.engine)
    with pytest.raises(ArgumentError, match="synchronous"):
        SQLiteCaseStore(":memory:", world.engine, synchronous="OFF")  # type: ignore[arg-type]
    for bad in ({"timeout": -1}, {"timeout": "5"}, {"cache_size": -1}, {"cache_size": 1.5}):
        with pytest.raises(ArgumentError):
            SQLiteCaseStore(":memory:", world.engine, **bad)  # type: ignore[arg-type]
