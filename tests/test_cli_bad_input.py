"""Every bad invocation of the command line: exit code 2, one ``Error:`` line, no traceback.

Finding 12 of the Trust issue: the command line printed a traceback for 30 of 197 bad
invocations and hung on 2, and click's usage errors took 3-4 lines.  The table below tries
bad options, bad files and damaged stored runs against every subcommand; each row names the
outcome class it belongs to (what kind of bad input it is).  Finding 13: what is printed is
escaped (control characters, bidirectional overrides, lone surrogates).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from ruian_governance import RULES_2021, Hierarchy, generate_hierarchy, to_document
from ruian_governance.cli.commands import cli
from ruian_governance.sim import MAX_DAYS

USAGE = "usage"  # click refused an option or argument (unknown, missing, wrong type, range)
RANGE = "range"  # a value click parses but the command bounds (dates, rates, factors)
FILE = "file"  # a missing file, or a directory where a file belongs
TEXT = "text"  # not JSON: not UTF-8, empty, nested too deeply, numbers too long
DOCUMENT = "document"  # JSON, but not the document expected (or one that breaks its rules)
RUN = "run"  # a stored run whose settings or cases are damaged
LOOKUP = "lookup"  # a name that is not in the hierarchy or the tables


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _nested_kind(depth: int) -> str:
    return '{"format_version": ' + _deep(depth) + ', "kind": "hierarchy"}'


@pytest.fixture(scope="module")
def tiny() -> Hierarchy:
    """A tiny city."""
    return generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _settings(run: Path, **changes: Any) -> None:
    settings = json.loads((run / "run.json").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            del settings[key]
        else:
            settings[key] = value
    _write(run / "run.json", settings)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, tiny: Hierarchy) -> Path:
    """Good and bad input files, a good stored run and damaged copies of it."""
    root = tmp_path_factory.mktemp("bad")
    _write(root / "tiny.json", to_document(tiny))
    bad = to_document(tiny)
    bad["units"][1]["level"] = "province"
    _write(root / "bad.json", bad)
    _write(root / "rules.json", to_document(RULES_2021))
    bad_rules = to_document(RULES_2021)
    bad_rules["categories"][0]["platform"] = 5
    _write(root / "bad_rules.json", bad_rules)
    (root / "deep.json").write_text(_deep(100_000), encoding="utf-8")
    (root / "deep_object.json").write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    (root / "deep_version.json").write_text(_nested_kind(900), encoding="utf-8")
    (root / "latin1.json").write_bytes('{"name": "瑞安"}'.encode("gb18030"))
    (root / "empty.json").write_text("", encoding="utf-8")
    (root / "not.json").write_text("this is not json", encoding="utf-8")
    (root / "huge_int.json").write_text("1" * 5_000, encoding="utf-8")
    (root / "array.json").write_text("[]", encoding="utf-8")
    (root / "kind_list.json").write_text('{"kind": [[["x"]]]}', encoding="utf-8")
    _write(root / "case.json", {"format_version": 2, "kind": "case"})
    (root / "a_dir").mkdir()
    run = root / "run"
    result = CliRunner().invoke(
        cli,
        ["simulate", "--hierarchy", str(root / "tiny.json"), "--days", "3", "--rate", "1",
         "--out", str(run), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    _parquet_runs(root)
    damaged: dict[str, Any] = {
        "no_start": {"start": None},
        "naive_start": {"start": "2025-03-03T00:00:00"},
        "big_days": {"days": 10**9},
        "text_days": {"days": "3"},
        "no_days": {"days": None},
        "bad_rules": {"rules": "1999"},
        "list_rules": {"rules": ["2021"]},
        "bad_hazard_days": {"hazard_deadline_days": "x"},
        "huge_hazard_days": {"hazard_deadline_days": 10**9},
    }
    for name, changes in damaged.items():
        shutil.copytree(run, root / name)
        _settings(root / name, **changes)
    for name in ("array_settings", "deep_settings", "no_settings", "dir_settings",
                 "latin1_cases", "no_cases", "forged_case", "deep_case", "sqlite_dir",
                 "no_hierarchy", "deep_hierarchy", "garbage_sqlite"):  # fmt: skip
        shutil.copytree(run, root / name)
    (root / "array_settings" / "run.json").write_text("[]", encoding="utf-8")
    (root / "deep_settings" / "run.json").write_text(_deep(100_000), encoding="utf-8")
    (root / "no_settings" / "run.json").unlink()
    (root / "dir_settings" / "run.json").unlink()
    (root / "dir_settings" / "run.json").mkdir()
    with (root / "latin1_cases" / "cases.jsonl").open("ab") as stream:
        stream.write("\n一个案件\n".encode("gb18030"))
    (root / "no_cases" / "cases.jsonl").unlink()
    lines = (run / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    forged = json.loads(lines[0])
    forged["state"] = "closed"
    (root / "forged_case" / "cases.jsonl").write_text(
        "\n".join([json.dumps(forged, ensure_ascii=False), *lines[1:]]) + "\n", encoding="utf-8"
    )
    (root / "deep_case" / "cases.jsonl").write_text(lines[0] + "\n" + _deep(100_000) + "\n")
    (root / "sqlite_dir" / "cases.sqlite").mkdir()
    (root / "no_hierarchy" / "hierarchy.json").unlink()
    (root / "deep_hierarchy" / "hierarchy.json").write_text(_deep(100_000), encoding="utf-8")
    (root / "garbage_sqlite" / "cases.sqlite").write_bytes(b"SQLite format 3\x00" + b"\xff" * 600)
    return root


def _parquet_runs(root: Path) -> None:
    """A run written as Parquet only, and copies with a damaged and a forged history file."""
    parquet = root / "parquet_run"
    result = CliRunner().invoke(
        cli,
        ["simulate", "--hierarchy", str(root / "tiny.json"), "--days", "3", "--rate", "1",
         "--out", str(parquet), "--quiet", "--format", "parquet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("garbage_parquet", "forged_parquet"):
        shutil.copytree(parquet, root / name)
    (root / "garbage_parquet" / "history.parquet").write_bytes(b"PAR1" + b"\xff" * 600)
    history = pq.read_table(parquet / "history.parquet")
    triggers = history.column("trigger").to_pylist()
    triggers[1] = "close"
    forged = history.set_column(3, history.schema.field(3), pa.array(triggers, pa.string()))
    pq.write_table(forged, root / "forged_parquet" / "history.parquet")


GRID = "t0001.v001.g01"
SIM = ("simulate", "--hierarchy", "{f}/tiny.json", "--days", "3", "--quiet", "--out", "{f}/out")

BAD: list[tuple[str, tuple[str, ...]]] = [
    # ---- simulate: options
    (USAGE, (*SIM, "--days", "0")),
    (USAGE, (*SIM, "--days", "-1")),
    (USAGE, (*SIM, "--days", "100000000000000000000")),
    (USAGE, (*SIM, "--days", str(MAX_DAYS + 1))),
    (USAGE, (*SIM, "--days", "abc")),
    (USAGE, (*SIM, "--days", "")),
    (USAGE, (*SIM, "--days")),
    (RANGE, (*SIM, "--start", "9999-12-31")),
    (RANGE, (*SIM, "--start", "0001-01-01")),
    (USAGE, (*SIM, "--start", "2025-13-01")),
    (USAGE, (*SIM, "--start", "yesterday")),
    (RANGE, (*SIM, "--rate", "-1")),
    (RANGE, (*SIM, "--rate", "nan")),
    (RANGE, (*SIM, "--rate", "inf")),
    (RANGE, (*SIM, "--rate", "1e309")),
    (RANGE, (*SIM, "--rate", "1e300")),
    (USAGE, (*SIM, "--rate", "abc")),
    (USAGE, (*SIM, "--station-capacity", "0")),
    (USAGE, (*SIM, "--station-capacity", str(10**30))),
    (USAGE, (*SIM, "--seed", "abc")),
    (USAGE, (*SIM, "--seed", str(10**30))),
    (USAGE, (*SIM, "--seed", "1" * 5_000)),
    (RANGE, (*SIM, "--hotspot", "nonsense")),
    (RANGE, (*SIM, "--hotspot", f"{GRID}:petition:inf")),
    (RANGE, (*SIM, "--hotspot", f"{GRID}:petition:nan")),
    (RANGE, (*SIM, "--hotspot", f"{GRID}:petition:-1")),
    (RANGE, (*SIM, "--hotspot", f"{GRID}:petition:1e999")),
    (RANGE, (*SIM, "--hotspot", f"{GRID}:petition:1e6")),
    (LOOKUP, (*SIM, "--hotspot", "nowhere:petition:3")),
    (LOOKUP, (*SIM, "--hotspot", f"{GRID}:unicorn:2")),
    (USAGE, (*SIM, "--store", "xml")),
    (USAGE, (*SIM, "--format", "csv")),
    (USAGE, (*SIM, "--rules", "1999")),
    (USAGE, (*SIM, "--redact", "yes")),
    (USAGE, (*SIM, "--frobnicate")),
    (USAGE, (*SIM, "extra")),
    (USAGE, ("simulate", "--out", "{f}/tiny.json", "--days", "3")),
    (USAGE, ("simulate", "--report", "{f}/a_dir", "--days", "3")),
    # ---- simulate: the hierarchy file
    (FILE, ("simulate", "--hierarchy", "{f}/missing.json")),
    (USAGE, ("simulate", "--hierarchy", "{f}/a_dir")),
    (TEXT, ("simulate", "--hierarchy", "{f}/deep.json")),
    (TEXT, ("simulate", "--hierarchy", "{f}/deep_object.json")),
    (TEXT, ("simulate", "--hierarchy", "{f}/latin1.json")),
    (TEXT, ("simulate", "--hierarchy", "{f}/empty.json")),
    (TEXT, ("simulate", "--hierarchy", "{f}/not.json")),
    (TEXT, ("simulate", "--hierarchy", "{f}/huge_int.json")),
    (DOCUMENT, ("simulate", "--hierarchy", "{f}/rules.json")),
    (DOCUMENT, ("simulate", "--hierarchy", "{f}/bad.json")),
    (DOCUMENT, ("simulate", "--hierarchy", "{f}/array.json")),
    (DOCUMENT, ("simulate", "--hierarchy", "{f}/deep_version.json")),
    (DOCUMENT, ("simulate", "--hierarchy", "{f}/kind_list.json")),
    # ---- summary
    (FILE, ("summary", "{f}/no_such_run")),
    (FILE, ("summary", "{f}/tiny.json")),
    (RUN, ("summary", "{f}/no_start")),
    (RUN, ("summary", "{f}/no_start", "--report", "{f}/out.html")),
    (RUN, ("summary", "{f}/naive_start")),
    (RUN, ("summary", "{f}/big_days")),
    (RUN, ("summary", "{f}/big_days", "--report", "{f}/out.html")),
    (RUN, ("summary", "{f}/text_days")),
    (RUN, ("summary", "{f}/no_days")),
    (RUN, ("summary", "{f}/bad_rules")),
    (RUN, ("summary", "{f}/list_rules")),
    (RUN, ("summary", "{f}/bad_hazard_days")),
    (RUN, ("summary", "{f}/huge_hazard_days")),
    (RUN, ("summary", "{f}/array_settings")),
    (TEXT, ("summary", "{f}/deep_settings")),
    (FILE, ("summary", "{f}/no_settings")),
    (FILE, ("summary", "{f}/dir_settings")),
    (TEXT, ("summary", "{f}/latin1_cases")),
    (FILE, ("summary", "{f}/no_cases")),
    (DOCUMENT, ("summary", "{f}/forged_case")),
    (DOCUMENT, ("summary", "{f}/deep_case")),
    (FILE, ("summary", "{f}/sqlite_dir")),
    (DOCUMENT, ("summary", "{f}/garbage_parquet")),
    (DOCUMENT, ("summary", "{f}/forged_parquet")),
    (FILE, ("summary", "{f}/no_hierarchy")),
    (TEXT, ("summary", "{f}/deep_hierarchy")),
    (USAGE, ("summary", "{f}/run", "--report", "{f}/a_dir")),
    (USAGE, ("summary", "{f}/run", "--frobnicate")),
    (USAGE, ("summary", "{f}/run", "{f}/run")),
    # ---- verify
    (USAGE, ("verify", "--hierarchy")),
    (USAGE, ("verify", "{f}/tiny.json")),  # the hierarchy file is --hierarchy, as everywhere
    (FILE, ("verify", "--hierarchy", "{f}/missing.json")),
    (USAGE, ("verify", "--hierarchy", "{f}/a_dir")),
    (TEXT, ("verify", "--hierarchy", "{f}/deep.json")),
    (TEXT, ("verify", "--hierarchy", "{f}/latin1.json")),
    (DOCUMENT, ("verify", "--hierarchy", "{f}/bad.json")),
    (DOCUMENT, ("verify", "--hierarchy", "{f}/bad.json", "--json")),
    (DOCUMENT, ("verify", "--hierarchy", "{f}/deep_version.json")),
    (USAGE, ("verify", "--hierarchy", "{f}/tiny.json", "--rules", "1999")),
    (FILE, ("verify", "--hierarchy", "{f}/tiny.json", "--rules-file", "{f}/missing.json")),
    (USAGE, ("verify", "--hierarchy", "{f}/tiny.json", "--rules-file", "{f}/a_dir")),
    (TEXT, ("verify", "--hierarchy", "{f}/tiny.json", "--rules-file", "{f}/deep.json")),
    (TEXT, ("verify", "--hierarchy", "{f}/tiny.json", "--rules-file", "{f}/deep_object.json")),
    (DOCUMENT, ("verify", "--hierarchy", "{f}/tiny.json", "--rules-file", "{f}/bad_rules.json")),
    (DOCUMENT, ("verify", "--hierarchy", "{f}/tiny.json", "--rules-file", "{f}/tiny.json")),
    (DOCUMENT, ("verify", "--hierarchy", "{f}/tiny.json", "--rules-file", "{f}/array.json")),
    # ---- diagram
    (USAGE, ("diagram",)),
    (USAGE, ("diagram", "lifecycle")),
    (USAGE, ("diagram", "lifecycle", "unicorn")),
    (USAGE, ("diagram", "lifecycle", "event", "--format", "png")),
    (USAGE, ("diagram", "lifecycle", "event", "--language", "fr")),
    (USAGE, ("diagram", "routing")),
    (LOOKUP, ("diagram", "routing", "nowhere", "--hierarchy", "{f}/tiny.json")),
    (LOOKUP, ("diagram", "routing", "\u202enowhere\x00\n", "--hierarchy", "{f}/tiny.json")),
    (TEXT, ("diagram", "routing", "t0001", "--hierarchy", "{f}/deep.json")),
    (FILE, ("diagram", "routing", "t0001", "--hierarchy", "{f}/missing.json")),
    (USAGE, ("diagram", "routing", "t0001", "--rules", "1999")),
    # ---- validate
    (USAGE, ("validate",)),
    (FILE, ("validate", "{f}/missing.json")),
    (USAGE, ("validate", "{f}/a_dir")),
    (TEXT, ("validate", "{f}/deep.json")),
    (TEXT, ("validate", "{f}/deep_object.json")),
    (TEXT, ("validate", "{f}/latin1.json")),
    (TEXT, ("validate", "{f}/empty.json")),
    (TEXT, ("validate", "{f}/huge_int.json")),
    (TEXT, ("validate", "{f}/huge_int.json", "--json")),
    (USAGE, ("validate", "{f}/tiny.json", "--kind", "case")),
    (DOCUMENT, ("validate", "{f}/case.json")),
    (DOCUMENT, ("validate", "{f}/kind_list.json")),
    # ---- hierarchy
    (USAGE, ("hierarchy", "--file", "{f}/tiny.json")),  # the one spelling is --hierarchy
    (FILE, ("hierarchy", "--hierarchy", "{f}/missing.json")),
    (USAGE, ("hierarchy", "--hierarchy", "{f}/a_dir")),
    (TEXT, ("hierarchy", "--hierarchy", "{f}/deep.json")),
    (TEXT, ("hierarchy", "--hierarchy", "{f}/latin1.json")),
    (DOCUMENT, ("hierarchy", "--hierarchy", "{f}/bad.json")),
    (DOCUMENT, ("hierarchy", "--hierarchy", "{f}/rules.json", "--json")),
    (USAGE, ("hierarchy", "extra")),
    # ---- the group
    (USAGE, ()),
    (USAGE, ("frobnicate",)),
    (USAGE, ("--frobnicate",)),
    (USAGE, ("",)),
]


def _escaped(text: str) -> bool:
    """Whether ``text`` holds no control, format or surrogate character (tabs aside)."""
    return all(ch == "\t" or ch.isprintable() or unicodedata.category(ch) == "Zs" for ch in text)


def _invoke(files: Path, args: tuple[str, ...]) -> Result:
    return CliRunner().invoke(cli, [a.format(f=files) for a in args])


@pytest.mark.parametrize(
    ("outcome", "args"), BAD, ids=[f"{i:03d}-{o}-{'_'.join(a)[:40]}" for i, (o, a) in
                                   enumerate(BAD)],
)  # fmt: skip
def test_every_bad_invocation_is_one_error_line_and_exit_2(
    files: Path, outcome: str, args: tuple[str, ...]
) -> None:
    """Findings 12 and 13: exit code 2, one escaped ``Error:`` line on stderr, nothing else."""
    result = _invoke(files, args)
    assert result.exit_code == 2, (outcome, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stdout == "", result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error: ")
    assert _escaped(lines[0]), lines[0]


def test_the_table_covers_every_subcommand_and_outcome() -> None:
    """At least 60 bad invocations, across every subcommand, in every outcome class."""
    assert len(BAD) >= 60
    commands = Counter(args[0] if args else "" for _, args in BAD)
    assert set(commands) >= {"simulate", "summary", "verify", "diagram", "validate", "hierarchy"}
    assert set(Counter(o for o, _ in BAD)) == {USAGE, RANGE, FILE, TEXT, DOCUMENT, RUN, LOOKUP}


def test_a_damaged_sqlite_store_is_one_error_line(files: Path) -> None:
    """A ``cases.sqlite`` that is not a database gives one line and exit 2."""
    result = _invoke(files, ("summary", "{f}/garbage_sqlite"))
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ""


def test_the_run_the_damaged_ones_come_from_is_good(files: Path) -> None:
    """The stored run every damaged run is a copy of reads back (so each row tests one fault)."""
    result = _invoke(files, ("summary", "{f}/run", "--json"))
    assert result.exit_code == 0, result.output


def _subprocess(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "ruian_governance", *args],
        capture_output=True, text=True, timeout=120, cwd=cwd, env=env, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        ["summary", "{f}/big_days", "--report", "{f}/out.html"],
        ["simulate", "--days", "100000000000000000000", "--out", "{f}/out"],
        ["validate", "{f}/deep.json"],
        ["simulate", "--hierarchy", "{f}/tiny.json", "--rate", "inf", "--out", "{f}/out"],
    ],
)
def test_the_real_process_ends_at_once_with_one_line(files: Path, args: list[str]) -> None:
    """Finding 12: the console script neither hangs nor prints a traceback (120 s timeout).

    Before: a run.json with ``"days": 10**9`` hung ``summary --report``.
    """
    done = _subprocess([a.format(f=files) for a in args], files)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


# --------------------------------------------------------------------------- finding 13


_HOSTILE = "\u202e\x00\x1b[31m\ud800\n\u2028[bold]:smile:"


@pytest.fixture(scope="module")
def hostile(files: Path, tiny: Hierarchy) -> Path:
    """A hierarchy file whose city and town names hold controls, overrides, a lone surrogate.

    Written as JSON directly (the models may refuse such names: then the file is refused).
    """
    document = to_document(tiny)
    city = tiny.city.id
    for unit in document["units"]:
        if unit["id"] == city or unit["parent_id"] == city:
            unit["name"] += _HOSTILE
            unit["name_en"] = (unit["name_en"] or "") + _HOSTILE
    path = files / "hostile.json"
    path.write_text(json.dumps(document), encoding="utf-8")  # ensure_ascii: \ud800 survives
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("hierarchy", "--hierarchy", "{h}"),
        ("hierarchy", "--hierarchy", "{h}", "--json"),
        ("simulate", "--hierarchy", "{h}", "--days", "3", "--out", "{f}/hostile_run"),
        ("diagram", "routing", "t0001", "--hierarchy", "{h}"),
        ("diagram", "routing", "t0001", "--hierarchy", "{h}", "--format", "dot"),
        ("verify", "--hierarchy", "{h}"),
        ("verify", "--hierarchy", "{h}", "--json"),
        ("validate", "{h}"),
        ("validate", "{h}", "--json"),
    ],
)
def test_names_are_printed_escaped(files: Path, hostile: Path, args: tuple[str, ...]) -> None:
    r"""Finding 13: names with controls, overrides or lone surrogates are printed escaped.

    Either the command runs and prints them as ``\uXXXX`` escapes, or it refuses the file in one
    escaped line; no raw control character, no markup interpreted, no encoding error.
    """
    result = CliRunner().invoke(cli, [a.format(f=files, h=hostile) for a in args])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for text in (result.stdout, result.stderr):  # lines split at \n only, not at U+2028
        assert [ln for ln in text.rstrip("\n").split("\n") if not _escaped(ln)] == []
    if result.exit_code == 0 and args[0] in ("hierarchy", "simulate"):
        assert "\\u202e" in result.stdout
    elif result.exit_code == 2:  # refused: one line, the offending text escaped
        assert len(result.stderr.splitlines()) == 1


# --------------------------------------------------------------------------- drawn at random

_OPTION_VALUES = st.one_of(
    st.text(max_size=12),
    st.integers().map(str),
    st.floats().map(str),
    st.sampled_from(["inf", "-inf", "nan", "1e309", "9999-12-31", "0001-01-01", "2025-02-30",
                     "1" * 400, "\u202e", "a:b:c:d", "x:petition:inf", ":::", "-", "--"]),
)  # fmt: skip
_OPTIONS = ("--days", "--seed", "--start", "--rate", "--station-capacity", "--hotspot",
            "--store", "--rules", "--out", "--report")  # fmt: skip


def _one_line_or_success(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith("Error: ")
        assert _escaped(lines[0])
    else:
        assert result.exit_code in (0, 1), result.output


@settings(max_examples=150)
@given(st.lists(st.tuples(st.sampled_from(_OPTIONS), _OPTION_VALUES), min_size=1, max_size=4))
def test_any_simulate_options_are_parsed_or_refused_in_one_line(
    files: Path, options: list[tuple[str, str]]
) -> None:
    """Finding 12: any values of simulate's options give exit 2 and one line, never a traceback.

    The hierarchy file is missing, so every invocation that parses ends there (no run).
    """
    args = ["simulate", "--quiet", *(x.replace("\x00", "") for o in options for x in o),
            "--hierarchy", str(files / "missing.json")]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    _one_line_or_success(result)


_JSON_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                  max_size=3),
    max_leaves=10,
)  # fmt: skip


@settings(max_examples=100)
@given(
    content=st.one_of(
        st.binary(max_size=64),
        _JSON_JUNK.map(json.dumps).map(str.encode),
        _JSON_JUNK.map(lambda v: json.dumps({"format_version": 1, "kind": "hierarchy", "units": v})
                       ).map(str.encode),
    ),
    command=st.sampled_from(["validate", "verify", "hierarchy", "rules-file", "routing",
                             "run.json", "hierarchy.json", "cases.jsonl", "history.parquet"]),
)  # fmt: skip
def test_any_file_content_is_read_or_refused_in_one_line(
    files: Path, tmp_path_factory: pytest.TempPathFactory, content: bytes, command: str
) -> None:
    """Findings 12 and 11: any bytes in any file a command reads: a result or one line, exit 2."""
    where = tmp_path_factory.mktemp("drawn")
    path = where / "drawn.json"
    path.write_bytes(content)
    if command in ("run.json", "hierarchy.json", "cases.jsonl", "history.parquet"):
        run = "parquet_run" if command == "history.parquet" else "run"
        shutil.copytree(files / run, where / "run")
        (where / "run" / command).write_bytes(content)
        args = ["summary", str(where / "run")]
    else:
        tiny = str(files / "tiny.json")
        args = {
            "validate": ["validate", str(path)],
            "verify": ["verify", "--hierarchy", str(path)],
            "hierarchy": ["hierarchy", "--hierarchy", str(path)],
            "rules-file": ["verify", "--hierarchy", tiny, "--rules-file", str(path)],
            "routing": ["diagram", "routing", "t0001", "--hierarchy", str(path)],
        }[command]
    result = CliRunner().invoke(cli, args)
    _one_line_or_success(result)
    if command == "validate" and result.exit_code == 2:
        assert result.stdout == "" or all(ln.startswith(str(path)) for ln in
                                          result.stdout.splitlines())  # fmt: skip
