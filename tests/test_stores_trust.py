"""Case stores under the "Trust" issue: forged cases, foreign files, damaged files, read-only use.

Each test names the finding of the issue it covers.  A refusal changes nothing: the stored
case, its history, the indexes and the file are asserted unchanged after it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

import attrs
import pytest

from ruian_governance import (
    BUILTIN_LIFECYCLES,
    EVENT_LIFECYCLE,
    Actor,
    Case,
    Engine,
    HistoryRecord,
    MemoryCaseStore,
    SQLiteCaseStore,
)
from ruian_governance.errors import (
    ArgumentError,
    CaseStoreError,
    ForgedHistoryError,
    InvalidDataError,
    InvalidTransitionError,
    JurisdictionError,
    StoreBusyError,
    StoreCorruptError,
    StoreMismatchError,
    StoreReadOnlyError,
)
from ruian_governance.io import make_converter
from ruian_governance.stores import CaseStore, fingerprint
from ruian_governance.stores.base import _link, _row_sum, _row_text, _seed
from store_kit import Recorder, happy, reported, supervised
from world import DAY, HOUR, T0, World, build_world, open_case


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


@attrs.frozen
class Handles:
    """A store to write to, another handle on the same cases to read from, and its index."""

    store: CaseStore
    reader: CaseStore
    told: Recorder
    path: Path | None


@pytest.fixture(params=["memory", "sqlite"])
def handles(request: pytest.FixtureRequest, world: World, tmp_path: Path) -> Iterator[Handles]:
    """Both kinds of store; for SQLite the reader is a second connection to the same file."""
    told = Recorder()
    if request.param == "memory":
        store = MemoryCaseStore(world.engine, indexes=[told])
        yield Handles(store, store, told, None)
        return
    path = tmp_path / "cases.db"
    with (
        SQLiteCaseStore(path, world.engine, synchronous="NORMAL", indexes=[told]) as store,
        SQLiteCaseStore(path, world.engine, synchronous="NORMAL") as reader,
    ):
        yield Handles(store, reader, told, path)


def replaced(case: Case, seq: int, **changes: Any) -> Case:
    """``case`` with its record ``seq`` changed (an edited case value)."""
    history = list(case.history)
    history[seq] = attrs.evolve(history[seq], **changes)
    return attrs.evolve(case, history=tuple(history))


def unchanged(handles: Handles, before: Case, told: list[tuple[str, int]]) -> None:
    """The stored case, what another connection reads, and the index are as ``before``."""
    for store in (handles.store, handles.reader):
        assert store.get(before.id) == before
        assert store.history(before.id) == before.history
        assert store.load(before.id) == before
    assert handles.told.seen == told
    if handles.path is not None:
        db = sqlite3.connect(handles.path)
        try:
            rows = db.execute("SELECT count(*) FROM history WHERE case_id = ?", (before.id,))
            assert rows.fetchone() == (len(before.history),)
        finally:
            db.close()


# --------------------------------------------------------------------------- finding 2


def test_save_refuses_an_edited_earlier_record(world: World, handles: Handles) -> None:
    """Finding 2: save() of a case whose earlier record was edited is refused, nothing changes."""
    before = handles.store.add(happy(world, open_case(world, "event", "E1"), 2))
    told = list(handles.told.seen)
    new = happy(world, before, 1)
    forged = replaced(new, 1, at=new.history[1].at + timedelta(minutes=5))
    with pytest.raises(ForgedHistoryError) as info:
        handles.store.save(forged, expected_version=2)
    assert (info.value.case_id, info.value.seq) == ("E1", 1)
    unchanged(handles, before, told)
    assert handles.store.save(new, expected_version=2) == new


def test_save_refuses_a_jump_from_reported_to_closed(world: World, handles: Handles) -> None:
    """Finding 2: a record that jumps from reported to closed is not a legal command."""
    before = handles.store.add(open_case(world, "event", "E1"))
    told = list(handles.told.seen)
    legal = happy(world, before, 1)
    forged = attrs.evolve(replaced(legal, 1, trigger="close", dest="closed"), state="closed")
    with pytest.raises(ForgedHistoryError) as info:
        handles.store.save(forged, expected_version=0)
    assert info.value.seq == 1
    assert isinstance(info.value.__cause__, InvalidTransitionError)
    unchanged(handles, before, told)


def test_save_refuses_a_station_of_another_town(world: World, handles: Handles) -> None:
    """Finding 2: a police station of town Y signing a case of town X is refused."""
    before = handles.store.add(happy(world, open_case(world, "event", "E1"), 2))
    told = list(handles.told.seen)
    forged = replaced(happy(world, before, 1), 3, actor=world["other_police"])
    with pytest.raises(ForgedHistoryError) as info:
        handles.store.save(forged, expected_version=2)
    assert isinstance(info.value.__cause__, JurisdictionError)
    unchanged(handles, before, told)


def test_save_refuses_a_case_that_contradicts_its_records(world: World, handles: Handles) -> None:
    """Finding 2: legal records but an edited state, holder or extra assignee are refused."""
    before = handles.store.add(happy(world, open_case(world, "event", "E1"), 2))
    told = list(handles.told.seen)
    new = happy(world, before, 1)
    edits = [
        {"state": "closed"},
        {"unit_id": world.h.towns[1].id},
        {"assignees": (*new.assignees, world.station("judicial_office"))},
    ]
    for edit in edits:
        with pytest.raises(ForgedHistoryError) as info:
            handles.store.save(attrs.evolve(new, **edit), expected_version=2)
        assert info.value.seq is None
    unchanged(handles, before, told)


def test_add_refuses_a_made_up_history(world: World, handles: Handles) -> None:
    """Finding 2: add() of a history by "nobody" as "god" in "nowhere" stores nothing."""
    nobody = Actor(person_id="nobody", role="god", unit_id="nowhere")
    forged = replaced(happy(world, open_case(world, "event", "E1"), 2), 1, actor=nobody)
    with pytest.raises(ForgedHistoryError) as info:
        handles.store.add(forged)
    assert info.value.seq == 1
    assert len(handles.store) == len(handles.reader) == 0
    assert handles.told.seen == []


def test_load_refuses_a_forged_stored_history(
    world: World, handles: Handles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 2: a history stored without verification (an older release) does not load.

    The store is made to skip verification once (as a store of 0.1 would), then load (and,
    for SQLite, get on a fresh connection) verifies the history and refuses it.
    """
    forged = replaced(happy(world, open_case(world, "event", "E1"), 3), 3,
                      actor=world["other_police"])  # fmt: skip
    with monkeypatch.context() as patch:
        patch.setattr(Engine, "verify", lambda self, case: case)
        handles.store.add(forged)
    with pytest.raises(ForgedHistoryError) as info:
        handles.store.load("E1")
    assert isinstance(info.value.__cause__, JurisdictionError)
    if handles.path is not None:
        with (
            SQLiteCaseStore(handles.path, world.engine) as fresh,
            pytest.raises(ForgedHistoryError),
        ):
            fresh.get("E1")


# --------------------------------------------------------------------------- finding 3


def other_definitions(world: World) -> list[Engine]:
    """Engines whose hierarchy or lifecycles differ from the world's, one way each."""
    fewer = attrs.evolve(world.h, people=[p for p in world.h.people if p.id != "cadre1"])
    policy = EVENT_LIFECYCLE.deadlines
    nine = {**policy.by_severity, "ordinary": attrs.evolve(policy.by_severity["ordinary"], days=9)}
    event = attrs.evolve(EVENT_LIFECYCLE, deadlines=attrs.evolve(policy, by_severity=nine))
    others = [d for d in BUILTIN_LIFECYCLES if d.key != "event"]
    return [Engine(fewer, BUILTIN_LIFECYCLES), Engine(world.h, [event, *others])]


def test_a_file_of_other_definitions_is_refused(world: World, tmp_path: Path) -> None:
    """Finding 3: a file records the definitions' fingerprint; other definitions are refused.

    Another hierarchy (a person fewer) or a lifecycle extended under the built-in key
    ("event" with another deadline) opens nothing and leaves the file as it was.
    """
    path = tmp_path / "cases.db"
    with SQLiteCaseStore(path, world.engine) as store:
        store.add(happy(world, open_case(world, "event", "E1"), 2))
        assert store.fingerprint == fingerprint(world.engine) == fingerprint(build_world().engine)
    written = path.read_bytes()
    for engine in other_definitions(world):
        assert fingerprint(engine) != fingerprint(world.engine)
        with pytest.raises(StoreMismatchError, match="other definitions"):
            SQLiteCaseStore(path, engine)
        with pytest.raises(StoreMismatchError):
            SQLiteCaseStore(path, engine, read_only=True)
    assert path.read_bytes() == written
    db = sqlite3.connect(path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="fixed"):
            db.execute("UPDATE meta SET value = 'x' WHERE key = 'fingerprint'")
    finally:
        db.close()


_LAYOUT_1 = """
CREATE TABLE cases (id TEXT PRIMARY KEY, lifecycle TEXT NOT NULL, state TEXT NOT NULL,
    unit_id TEXT NOT NULL, town_id TEXT, location_id TEXT NOT NULL, category TEXT NOT NULL,
    severity TEXT, opened_at TEXT NOT NULL, due_at TEXT, due_utc TEXT, running INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 0), head TEXT NOT NULL);
CREATE TABLE history (case_id TEXT NOT NULL REFERENCES cases (id), seq INTEGER NOT NULL,
    trigger TEXT NOT NULL, at TEXT NOT NULL, at_utc TEXT NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)) WITHOUT ROWID;
PRAGMA user_version = 1;
"""
"""The layout release 0.1 wrote (no fingerprint, no checksums)."""


def write_layout_1(path: Path, cases: list[Case]) -> None:
    """Write ``cases`` as release 0.1 did (only the columns upgrade reads are filled in)."""
    converter = make_converter()
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.executescript(_LAYOUT_1)
        for case in cases:
            head = converter.unstructure(attrs.evolve(case, history=()))
            del head["history"]
            db.execute(
                "INSERT INTO cases VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, NULL, NULL, 1, ?, ?)",
                (case.id, case.lifecycle, case.state, case.unit_id, case.location_id,
                 case.category, case.severity, case.opened_at.isoformat(), case.version,
                 json.dumps(head, ensure_ascii=False)),
            )  # fmt: skip
            for r in case.history:
                db.execute("INSERT INTO history VALUES (?, ?, ?, ?, ?, ?)",
                           (case.id, r.seq, r.trigger, r.at.isoformat(), r.at.isoformat(),
                            json.dumps(converter.unstructure(r), ensure_ascii=False)))  # fmt: skip
    finally:
        db.close()


def test_layout_1_files_are_refused_and_upgraded(world: World, tmp_path: Path) -> None:
    """Finding 3: a file without a fingerprint (layout 1) is refused; upgrade() copies it.

    The copy verifies every case with the engine given, so a forged case stops it.
    """
    cases = [happy(world, open_case(world, "event", f"E{i}"), i) for i in range(4)]
    old = tmp_path / "old.db"
    write_layout_1(old, cases)
    written = old.read_bytes()
    with pytest.raises(StoreMismatchError, match="layout 1"):
        SQLiteCaseStore(old, world.engine)
    assert SQLiteCaseStore.upgrade(old, tmp_path / "new.db", world.engine) == 4
    assert old.read_bytes() == written
    with SQLiteCaseStore(tmp_path / "new.db", world.engine) as store:
        assert list(store) == cases
        assert store.check() == 4
    # a layout 2 file moves to other definitions the same way, verified by the new engine
    fewer = other_definitions(world)[0]
    assert SQLiteCaseStore.upgrade(tmp_path / "new.db", tmp_path / "moved.db", fewer) == 4
    forged = tmp_path / "forged.db"
    write_layout_1(forged, [replaced(cases[3], 2, actor=world["other_operator"])])
    with pytest.raises(ForgedHistoryError):
        SQLiteCaseStore.upgrade(forged, tmp_path / "refused.db", world.engine)
    with SQLiteCaseStore(tmp_path / "refused.db", world.engine) as store:
        assert len(store) == 0


# --------------------------------------------------------------------------- finding 5


def naive_times() -> Any:
    """A converter that writes times without their offset: what it writes does not read back."""
    converter = make_converter()
    converter.register_unstructure_hook(datetime, lambda t: t.replace(tzinfo=None).isoformat())
    return converter


def test_what_would_not_read_back_is_not_written(world: World, tmp_path: Path) -> None:
    """Finding 5: the store decodes the rows it is about to write; unreadable ones are refused.

    A converter that drops the offset of times writes values that do not load again; add,
    open, apply and save are refused with CaseStoreError and the file holds nothing new.
    """
    path = tmp_path / "cases.db"
    with SQLiteCaseStore(path, world.engine) as store:
        before = store.add(open_case(world, "event", "E1"))
    with SQLiteCaseStore(path, world.engine, converter=naive_times()) as store:
        calls: list[Callable[[], object]] = [
            lambda: store.add(open_case(world, "event", "E2")),
            lambda: store.open("event", **reported(world, "E3")),
            lambda: store.apply("E1", 0, "accept", actor=world["operator"], at=T0 + HOUR),
            lambda: store.save(happy(world, before, 2), expected_version=0),
        ]
        for call in calls:
            with pytest.raises(CaseStoreError, match="would not read back"):
                call()
    with SQLiteCaseStore(path, world.engine) as store:
        assert list(store) == [before]


# --------------------------------------------------------------------------- finding 6


def _yield_often(frame: Any, event: str, arg: Any) -> Any:
    """A thread trace that yields the GIL between the store module's opcodes (many switches)."""
    if not frame.f_code.co_filename.endswith(os.path.join("stores", "sqlite.py")):
        return None
    frame.f_trace_opcodes = True

    def step(frame: Any, event: str, arg: Any) -> Any:
        if event == "opcode":
            time.sleep(0)
        return step

    return step


def test_concurrent_reads_of_a_small_cache_raise_nothing(world: World, tmp_path: Path) -> None:
    """Finding 6: many threads get() on a small cache: no KeyError, no RuntimeError.

    Before, the cache was changed outside the store's lock (about 1 in 400 calls failed with
    the default size).  The threads yield between every step of the store's code, so their
    steps interleave far more often than they would by chance.
    """
    with SQLiteCaseStore(tmp_path / "cases.db", world.engine, cache_size=2) as store:
        cases = [store.add(open_case(world, "event", f"E{i}")) for i in range(12)]
        errors: list[BaseException] = []
        start = threading.Barrier(8)

        def read(offset: int) -> None:
            start.wait()
            try:
                for k in range(20):
                    case = cases[(offset + 7 * k) % len(cases)]
                    assert store.get(case.id) == case
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=read, args=(n,)) for n in range(8)]
        threading.settrace(_yield_often)
        try:
            for thread in threads:
                thread.start()
        finally:
            threading.settrace(None)  # type: ignore[arg-type]
        for thread in threads:
            thread.join()
    assert errors == []


# --------------------------------------------------------------------------- finding 7


def counting_converter() -> tuple[Any, list[int]]:
    """A converter that counts the history records it decodes."""
    converter = make_converter()
    count = [0]
    decode = converter.get_structure_hook(HistoryRecord)

    def counted(value: Any, kind: Any) -> HistoryRecord:
        count[0] += 1
        record: HistoryRecord = decode(value, kind)
        return record

    converter.register_structure_hook(HistoryRecord, counted)
    return converter, count


def test_a_write_elsewhere_costs_a_reader_only_the_new_records(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 7: after another connection's write, get() decodes and re-runs the new records.

    The reader verifies a long case once (its first read); then each command stored by
    another connection costs it one record decoded and one command re-run, not the history.
    """
    path = tmp_path / "cases.db"
    long = supervised(world, happy(world, open_case(world, "event", "E1"), 1), 300)
    converter, decoded = counting_converter()
    verified = [0]
    verify = Engine.verify

    def counted(self: Engine, case: Case) -> Case:
        verified[0] += 1
        return verify(self, case)

    monkeypatch.setattr(Engine, "verify", counted)
    with (
        SQLiteCaseStore(path, world.engine) as writer,
        SQLiteCaseStore(path, world.engine, converter=converter) as reader,
    ):
        writer.add(long)
        assert reader.get("E1") == long
        assert (decoded[0], verified[0]) == (302, 2)  # the whole history, once
        for k in range(5):
            case = writer.apply("E1", 301 + k, "supervise", actor=world["operator"],
                                at=long.last.at + k * HOUR, note="again")  # fmt: skip
            assert reader.get("E1") == case
        assert (decoded[0], verified[0]) == (307, 2)
        assert reader.load("E1") == case


# --------------------------------------------------------------------------- finding 8


def test_a_lock_held_past_the_timeout_is_store_busy(world: World, tmp_path: Path) -> None:
    """Finding 8: a writer lock held past ``timeout`` raises StoreBusyError, not DataError.

    Also while opening: a connection holding the file exclusively keeps others from reading.
    """
    path = tmp_path / "cases.db"
    with SQLiteCaseStore(path, world.engine, timeout=0.2) as store:
        before = store.add(open_case(world, "event", "E1"))
        blocker = sqlite3.connect(path, isolation_level=None)
        try:
            blocker.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreBusyError) as info:
                store.apply("E1", 0, "accept", actor=world["operator"], at=T0 + HOUR)
            assert isinstance(info.value, TimeoutError)
            assert "locked" in str(info.value)
        finally:
            blocker.close()
        assert store.get("E1") == before
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        blocker.execute("PRAGMA locking_mode = EXCLUSIVE")
        blocker.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreBusyError):
            SQLiteCaseStore(path, world.engine, timeout=0.2)
    finally:
        blocker.close()
    with SQLiteCaseStore(path, world.engine) as store:
        assert list(store) == [before]


# --------------------------------------------------------------------------- finding 9


@pytest.mark.parametrize("size", [0, 1, 100, 4096])
def test_a_truncated_file_is_not_an_empty_store(world: World, tmp_path: Path, size: int) -> None:
    """Finding 9: a file cut to 0, 1, 100 bytes or one page is refused, and left as it is."""
    path = tmp_path / "cases.db"
    with SQLiteCaseStore(path, world.engine) as store:
        for i in range(40):
            store.add(happy(world, open_case(world, "event", f"E{i:02d}"), i % 9))
    with path.open("r+b") as file:
        file.truncate(size)
    for read_only in (False, True):
        with pytest.raises(StoreCorruptError):
            SQLiteCaseStore(path, world.engine, read_only=read_only)
    assert path.stat().st_size == size


def rewrite(path: Path, case_id: str, edit: Callable[[str], str], *, recompute: bool) -> None:
    """Edit the records of a case in the file, bypassing the store (and its triggers).

    With ``recompute``, the checksum chain and the row's checksum are computed again (with
    the store's own functions), as a forger who knows the scheme would: checksums cannot
    tell, verification must.
    """
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("DROP TRIGGER IF EXISTS history_no_update")
        rows = db.execute("SELECT seq, record FROM history WHERE case_id = ? ORDER BY seq",
                          (case_id,)).fetchall()  # fmt: skip
        texts = [edit(text) for _, text in rows]
        links = list(accumulate(texts, _link, initial=_seed(case_id)))[1:]
        for (seq, _), text, link in zip(rows, texts, links, strict=True):
            db.execute("UPDATE history SET record = ?, checksum = ? WHERE case_id = ? AND seq = ?",
                       (text, link if recompute else b"", case_id, seq))  # fmt: skip
        if recompute:
            row = db.execute(
                "SELECT id, lifecycle, state, unit_id, town_id, location_id, category, severity, "
                "opened_at, due_at, due_utc, running, version, head, opened_utc, due_key, "
                "closed_at, closed_utc, assignees FROM cases WHERE id = ?",
                (case_id,),
            ).fetchone()
            checksum = _row_sum(links[-1], _row_text(row[:14]) + _row_text(row[14:]))
            db.execute("UPDATE cases SET chain = ?, checksum = ? WHERE id = ?",
                       (links[-1], checksum, case_id))  # fmt: skip
    finally:
        db.close()


def test_checksums_and_verification_catch_edited_records(world: World, tmp_path: Path) -> None:
    """Finding 9: an edited record fails its checksum; a recomputed chain is caught by verify.

    What neither catches (documented in docs/reliability.md): a forger who recomputes the
    chain and changes only free text that every rule accepts.
    """
    path = tmp_path / "cases.db"
    with SQLiteCaseStore(path, world.engine) as store:
        for case_id in ("E1", "E2", "E3"):
            store.add(happy(world, open_case(world, "event", case_id), 5))
    police, other = world["police"].person_id, world["other_police"].person_id
    rewrite(path, "E1", lambda t: t.replace("已处理", "未处理"), recompute=False)
    rewrite(path, "E2", lambda t: t.replace(police, other), recompute=True)
    rewrite(path, "E3", lambda t: t.replace("已处理", "未处理"), recompute=True)
    with SQLiteCaseStore(path, world.engine) as store:
        with pytest.raises(StoreCorruptError, match="checksum"):
            store.get("E1")
        with pytest.raises(ForgedHistoryError):
            store.get("E2")
        assert store.get("E3").last.get("result") == "未处理"  # not detected: see the docs
        with pytest.raises(StoreCorruptError):
            store.check()


# --------------------------------------------------------------------------- finding 10


def test_a_read_only_store_never_writes_the_file(world: World, tmp_path: Path) -> None:
    """Finding 10: read_only=True opens with mode=ro; queries leave the file's bytes and mtime.

    Every write raises StoreReadOnlyError (a PermissionError) before anything happens.
    """
    path = tmp_path / "cases.db"
    with SQLiteCaseStore(path, world.engine) as store:
        for i in range(5):
            store.add(happy(world, open_case(world, "event", f"E{i}"), i))
    written, stamp = path.read_bytes(), path.stat().st_mtime_ns
    with SQLiteCaseStore(path, world.engine, read_only=True) as store:
        assert store.read_only
        assert len(store) == 5
        assert [c.id for c in store] == list(store.ids())
        assert store.load("E4") == store.get("E4")
        assert store.by_state("dispatched") == (store.get("E2"),)
        assert store.by_town(world.town)
        assert store.overdue(T0 + 30 * DAY)
        assert store.check() == 5
        calls: list[Callable[[], object]] = [
            lambda: store.add(open_case(world, "event", "E9")),
            lambda: store.save(happy(world, store.get("E1"), 1), expected_version=1),
            lambda: store.apply(
                "E1",
                1,
                "dispatch",
                actor=world["operator"],
                at=T0 + DAY,
                units=(world.station("police_station"),),
            ),
            lambda: store.open("event", **reported(world, "E9")),
        ]
        for call in calls:
            with pytest.raises(StoreReadOnlyError) as info:
                call()
            assert isinstance(info.value, PermissionError)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == (written, stamp)
    with pytest.raises(CaseStoreError, match="no store file"):
        SQLiteCaseStore(tmp_path / "missing.db", world.engine, read_only=True)
    assert not (tmp_path / "missing.db").exists()


# --------------------------------------------------------------------------- bad arguments


def test_bad_arguments_get_typed_errors(world: World, tmp_path: Path) -> None:
    """Findings 5 and 11 (store side): wrong types and unwritable text are typed refusals.

    Nothing is stored by any of them.
    """
    makers: list[Callable[[], object]] = [
        lambda: SQLiteCaseStore("a\0b", world.engine),
        lambda: SQLiteCaseStore(5, world.engine),  # type: ignore[arg-type]
        lambda: SQLiteCaseStore(":memory:", "engine"),  # type: ignore[arg-type]
        lambda: SQLiteCaseStore(":memory:", world.engine, timeout=True),
        lambda: SQLiteCaseStore(":memory:", world.engine, converter="json"),  # type: ignore[arg-type]
        lambda: MemoryCaseStore(world.engine, clock="now"),  # type: ignore[arg-type]
        lambda: MemoryCaseStore(world.engine, indexes=5),  # type: ignore[arg-type]
    ]
    for make in makers:
        with pytest.raises(ArgumentError):
            make()
    for store in (MemoryCaseStore(world.engine), SQLiteCaseStore(tmp_path / "c.db", world.engine)):
        before = store.add(happy(world, open_case(world, "event", "E1"), 2))
        late = T0 + 30 * DAY
        calls: list[tuple[type[Exception], Callable[[], object]]] = [
            (ArgumentError, lambda: store.add(5)),  # type: ignore[arg-type]  # noqa: B023
            (ArgumentError, lambda: store.get([1])),  # type: ignore[arg-type]  # noqa: B023
            (ArgumentError, lambda: store.get("\udc80")),  # noqa: B023
            (ArgumentError, lambda: store.by_state(None)),  # type: ignore[arg-type]  # noqa: B023
            (ArgumentError, lambda: store.by_town([])),  # type: ignore[arg-type]  # noqa: B023
            (ArgumentError, lambda: store.save(before, expected_version="1")),  # type: ignore[arg-type]  # noqa: B023
        ]
        for error, call in calls:
            with pytest.raises(error):
                call()
        assert [1] not in store
        # a lone surrogate in command data: the engine's data check refuses it first (finding 5)
        with pytest.raises(InvalidDataError):
            store.apply("E1", 2, "supervise", actor=world["operator"], at=late, note="\udc80")
        assert store.get("E1") == before
        assert list(store) == [before]
