"""A bounded stress run of the SQLite case store: threads, processes, kills and damaged files.

The default sizes keep the whole file within a few seconds of CI time; the larger variants
(marked ``slow``) run only with ``RUIAN_STRESS=1`` in the environment, and the figures of
``docs/reliability.md`` come from them.  Findings 6 to 9 of the "Trust" issue.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from ruian_governance import Case, ConflictError, RuianGovernanceError, SQLiteCaseStore
from store_kit import happy, supervised
from world import World, build_world, open_case

WRITER = Path(__file__).with_name("store_writer.py")

STRESS = os.environ.get("RUIAN_STRESS") == "1"
larger = pytest.mark.skipif(not STRESS, reason="the larger stress run: set RUIAN_STRESS=1")


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


# --------------------------------------------------------------------------- writer processes


class Writer:
    """A ``store_writer.py`` process and what it reported (committed versions, by case)."""

    def __init__(self, path: Path, seed: int, tag: str, logs: Path, *extra: str) -> None:
        self.out, self.err = logs / f"{tag}.out", logs / f"{tag}.err"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(WRITER), str(path), str(seed), tag, *extra],
                stdout=out,
                stderr=err,
            )

    def wait_for(self, word: str, limit: float = 60) -> None:
        """Wait until the writer printed ``word`` on a line of its own."""
        deadline = time.monotonic() + limit
        while f"{word}\n".encode() not in self.out.read_bytes():
            if self.proc.poll() is not None and word != "DONE":
                pytest.fail(f"writer exited early: {self.err.read_text()}")
            if time.monotonic() > deadline:  # pragma: no cover - only on a stalled machine
                self.proc.kill()
                pytest.fail(f"writer never printed {word}: {self.err.read_text()}")
            time.sleep(0.01)

    def reported(self) -> dict[str, int]:
        """The highest committed version the writer printed for each case."""
        versions: dict[str, int] = {}
        for line in self.out.read_text(encoding="utf-8").splitlines(keepends=True):
            parts = line.split()
            if line.endswith("\n") and len(parts) == 2:
                versions[parts[0]] = max(versions.get(parts[0], -1), int(parts[1]))
        return versions


def assert_intact(world: World, path: Path, reported: dict[str, int]) -> int:
    """Check the file (integrity, checksums, histories); return its number of cases.

    Every version a writer reported as committed must be stored.
    """
    with SQLiteCaseStore(path, world.engine, read_only=True) as store:
        count = store.check()
        for case_id, version in reported.items():
            assert store.get(case_id).version >= version, case_id
    return count


def open_at_once(world: World, tmp_path: Path, processes: int, commands: int) -> int:
    """``processes`` writers open one new file at the same moment and write ``commands`` each.

    Returns the number of cases stored; every version reported is stored.
    """
    path, go = tmp_path / "cases.db", tmp_path / "go"
    writers = [Writer(path, n, f"p{n}", tmp_path, str(commands), str(go)) for n in range(processes)]
    try:
        for writer in writers:
            writer.wait_for("WAITING")
        go.touch()
        for writer in writers:
            writer.wait_for("DONE", limit=300)
            assert writer.proc.wait(30) == 0, writer.err.read_text()
    finally:
        for writer in writers:
            writer.proc.kill()
            writer.proc.wait()
    reported = {k: v for w in writers for k, v in w.reported().items()}
    assert len(reported) >= processes * 6
    assert assert_intact(world, path, reported) == len(reported)
    assert not list(tmp_path.glob("cases.db.*.new"))
    return len(reported)


def test_processes_opening_a_fresh_file_at_once(world: World, tmp_path: Path) -> None:
    """Finding 8: writer processes opening one new file at the same moment all wait and write.

    Before, all but one failed within milliseconds with "database is locked", reported as
    "invalid case store".  Then the 4 processes write 25 commands each to the file.
    """
    open_at_once(world, tmp_path, 4, 25)


@pytest.mark.slow
@larger
def test_8_processes_write_500_commands_each(world: World, tmp_path: Path) -> None:
    """The larger run: 8 processes open one new file at once and store 500 commands each."""
    cases = open_at_once(world, tmp_path, 8, 500)
    print(f"\n8 processes x 500 commands: {cases} cases, all reported versions stored")


def kill_repeatedly(world: World, tmp_path: Path, kills: int) -> tuple[int, int]:
    """SIGKILL a writer at seeded random moments ``kills`` times; check the file after all.

    Returns the number of commits reported and of cases stored.
    """
    rng = random.Random(6)
    path = tmp_path / "cases.db"
    reported: dict[str, int] = {}
    lines = 0
    for round_ in range(kills):
        writer = Writer(path, round_, f"r{round_}", tmp_path)
        try:
            writer.wait_for("READY")
            time.sleep(rng.uniform(0.05, 0.4))
            assert writer.proc.poll() is None, writer.err.read_text()
        finally:
            writer.proc.kill()
            writer.proc.wait()
        assert writer.proc.returncode == -9
        found = writer.reported()
        lines += sum(1 for line in writer.out.read_text().splitlines() if len(line.split()) == 2)
        reported.update(found)
    assert reported, "the writer committed nothing"
    return lines, assert_intact(world, path, reported)


def test_a_killed_writer_loses_no_commit(world: World, tmp_path: Path) -> None:
    """SIGKILL at random moments (4 times): every reported commit survives, the file checks.

    The writer prints each committed version after its commit; afterwards the file passes
    ``integrity_check``, every case's checksums hold and its history verifies, and every
    version reported is stored.
    """
    kill_repeatedly(world, tmp_path, 4)


@pytest.mark.slow
@larger
def test_a_writer_killed_30_times_loses_no_commit(world: World, tmp_path: Path) -> None:
    """The larger run of :func:`test_a_killed_writer_loses_no_commit`: 30 kills."""
    commits, cases = kill_repeatedly(world, tmp_path, 30)
    print(f"\n30 kills: {commits} commits reported, {cases} cases stored, none lost")


# --------------------------------------------------------------------------- threads


def run_threads(world: World, path: Path, *, shared: bool, commands: int) -> list[Case]:
    """8 threads on 4 long cases (2 a case), each storing ``commands`` supervisions.

    Each thread re-reads and retries on a conflict.  With ``shared`` they use one store
    object, else one connection each.  Returns the cases at the end.
    """
    with SQLiteCaseStore(path, world.engine, synchronous="NORMAL") as setup:
        for i in range(4):
            setup.add(supervised(world, happy(world, open_case(world, "event", f"L{i}"), 1), 150))
    errors: list[BaseException] = []
    start = threading.Barrier(8)
    one = SQLiteCaseStore(path, world.engine, synchronous="NORMAL", timeout=30)

    def work(n: int) -> None:
        store = one if shared else SQLiteCaseStore(path, world.engine, timeout=30,
                                                   synchronous="NORMAL")  # fmt: skip
        start.wait()
        try:
            done = 0
            while done < commands:
                case = store.get(f"L{n % 4}")
                try:
                    store.apply(case.id, case.version, "supervise", actor=world["operator"],
                                at=case.last.at, note=f"t{n} {done}")  # fmt: skip
                except ConflictError:
                    continue
                done += 1
        except BaseException as error:
            errors.append(error)
        finally:
            if not shared:
                store.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    one.close()
    assert errors == []
    with SQLiteCaseStore(path, world.engine, read_only=True) as store:
        assert store.check() == 4
        return list(store)


@pytest.mark.parametrize("shared", [True, False], ids=["one store", "a connection each"])
def test_threads_on_long_cases_lose_no_update(world: World, tmp_path: Path, shared: bool) -> None:
    """8 threads on 4 long cases: every supervision each thread stored is in the history."""
    commands = 12
    for case in run_threads(world, tmp_path / "cases.db", shared=shared, commands=commands):
        n = int(case.id[1:])
        notes = [str(r.get("note")) for r in case.history[152:]]
        expected = [f"t{t} {k}" for t in (n, n + 4) for k in range(commands)]
        assert sorted(notes) == sorted(expected)
        assert case.version == 151 + 2 * commands


# --------------------------------------------------------------------------- damaged files


@pytest.fixture(scope="module")
def good_file(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with 60 cases of every lifecycle and stage, closed (no WAL left)."""
    path = tmp_path_factory.mktemp("good") / "cases.db"
    with SQLiteCaseStore(path, world.engine) as store:
        for i in range(60):
            lifecycle = ("event", "dispute", "hazard")[i % 3]
            case = open_case(world, lifecycle, f"C{i:02d}")
            store.add(happy(world, case, i % 9) if lifecycle == "event" else case)
    return path


def overwrite_outcomes(world: World, good: Path, tmp_path: Path, trials: int) -> Counter[str]:
    """Overwrite random bytes of the file's body ``trials`` times; classify each outcome.

    Each trial copies the good file, writes 1 to 64 random bytes at a random offset past the
    100-byte header, then opens the store and reads everything (iteration, ``len``, ``get`` of
    every id, which verifies each history), then runs :meth:`SQLiteCaseStore.check`.

    Outcome classes: ``refused at open (error)``, ``typed error on read (error)``, ``read
    unchanged`` (then ``, check ok`` or ``, check found damage``), ``cases missing`` and ``data
    changed``.  A raw (untyped) exception fails the test.
    """
    with SQLiteCaseStore(good, world.engine, read_only=True) as store:
        truth = {case.id: case for case in store}
    rng = random.Random(9)
    size = good.stat().st_size
    outcomes: Counter[str] = Counter()
    for trial in range(trials):
        path = tmp_path / f"trial{trial}.db"
        shutil.copyfile(good, path)
        with path.open("r+b") as file:
            file.seek(rng.randrange(100, size))
            file.write(rng.randbytes(rng.randint(1, 64)))
        try:
            store = SQLiteCaseStore(path, world.engine)
        except RuianGovernanceError as error:
            outcomes[f"refused at open ({type(error).__name__})"] += 1
            continue
        with store:
            try:
                read = {case.id: case for case in store}
                count = len(store)
                for case_id in read:
                    store.get(case_id)
            except RuianGovernanceError as error:
                outcomes[f"typed error on read ({type(error).__name__})"] += 1
                continue
            if any(truth.get(case_id) != case for case_id, case in read.items()):
                outcomes["data changed"] += 1
            elif len(read) != len(truth) or count != len(truth):
                outcomes["cases missing"] += 1
            else:
                try:
                    store.check()
                except RuianGovernanceError:
                    outcomes["read unchanged, check found damage"] += 1
                else:
                    outcomes["read unchanged, check ok"] += 1
        path.unlink()
    return outcomes


def test_random_overwrites_give_typed_errors_never_changed_data(
    world: World, good_file: Path, tmp_path: Path
) -> None:
    """Finding 9: 30 random overwrites of the body: a typed error or unchanged data.

    Never a raw exception, never changed data served.
    """
    outcomes = overwrite_outcomes(world, good_file, tmp_path, 30)
    assert outcomes["data changed"] == 0
    assert sum(outcomes.values()) == 30


@pytest.mark.slow
@larger
def test_300_random_overwrites(world: World, good_file: Path, tmp_path: Path) -> None:
    """The larger run of the overwrite test: 300 trials, outcomes printed for the docs."""
    outcomes = overwrite_outcomes(world, good_file, tmp_path, 300)
    print(f"\n300 overwrites: {dict(outcomes)}")
    assert outcomes["data changed"] == 0
