"""The ruian-governance command line: every subcommand, and exit code 2 for bad input."""

from __future__ import annotations

import gc
import importlib
import json
import sys
from pathlib import Path

import attrs
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

import ruian_governance
from ruian_governance import RULES_2021, Hierarchy, Level, generate_hierarchy, to_document
from ruian_governance.cli import MissingExtraError, main
from ruian_governance.cli.commands import cli
from ruian_governance.io import read_cases


@pytest.fixture(scope="module")
def tiny() -> Hierarchy:
    """A tiny city."""
    return generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, tiny: Hierarchy) -> Path:
    """A directory with a good and a broken hierarchy file, rules files and bad JSON."""
    root = tmp_path_factory.mktemp("cli")
    (root / "tiny.json").write_text(json.dumps(to_document(tiny)), encoding="utf-8")
    bad = to_document(tiny)
    bad["units"][1]["level"] = "province"
    bad["people"][0]["posts"][0]["role"] = 7
    (root / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    gone = tiny.stations_of(tiny.towns[1].id, station_kind="judicial_office")[0].id
    gappy = attrs.evolve(
        tiny,
        stations=[s for s in tiny.stations if s.id != gone],
        people=[p for p in tiny.people if p.posts[0].unit_id != gone],
    )
    (root / "gappy.json").write_text(json.dumps(to_document(gappy)), encoding="utf-8")
    (root / "rules.json").write_text(json.dumps(to_document(RULES_2021)), encoding="utf-8")
    rules = to_document(RULES_2021)
    rules["categories"][0]["platform"] = 5
    (root / "bad_rules.json").write_text(json.dumps(rules), encoding="utf-8")
    (root / "not.json").write_text("this is not json", encoding="utf-8")
    return root


def run(*args: str | Path) -> Result:
    """Invoke the command line with ``args``."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def simulate_tiny(files: Path, out: Path, *extra: str | Path) -> Result:
    """Simulate the tiny city for three days into ``out``."""
    return run("simulate", "--hierarchy", files / "tiny.json", "--days", "3", "--rate", "1",
               "--out", out, "--quiet", *extra)  # fmt: skip


def test_simulate_writes_cases_hierarchy_settings_and_summary(files: Path, tmp_path: Path):
    """Simulate writes JSON lines whose count matches the summary, deterministically."""
    result = simulate_tiny(files, tmp_path / "a")
    assert result.exit_code == 0, result.output
    assert gc.isenabled()  # the collector, paused during the run, is restored
    with (tmp_path / "a" / "cases.jsonl").open(encoding="utf-8") as stream:
        cases = list(read_cases(stream))
    summary = json.loads((tmp_path / "a" / "summary.json").read_text(encoding="utf-8"))
    settings = json.loads((tmp_path / "a" / "run.json").read_text(encoding="utf-8"))
    assert summary["cases"] == len(cases) > 0
    assert settings["days"] == 3
    assert settings["seed"] == 0
    assert simulate_tiny(files, tmp_path / "b").exit_code == 0
    first = (tmp_path / "a" / "cases.jsonl").read_bytes()
    assert first == (tmp_path / "b" / "cases.jsonl").read_bytes()
    text = first.decode("utf-8")
    assert "\\u" not in text  # ensure_ascii=False: Chinese text stays readable
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_summary_reads_a_stored_run(files: Path, tmp_path: Path):
    """Summary --json recomputes the run's summary from the stored files."""
    assert simulate_tiny(files, tmp_path / "run").exit_code == 0
    result = run("summary", tmp_path / "run", "--json")
    assert result.exit_code == 0, result.output
    stored = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    assert json.loads(result.stdout) == stored
    table = run("summary", tmp_path / "run")
    assert table.exit_code == 0
    assert "satisfaction 满意率" in table.stdout


def test_sqlite_store_gives_the_same_summary(files: Path, tmp_path: Path):
    """--store sqlite writes an SQLite case store that summary reads back alike."""
    assert simulate_tiny(files, tmp_path / "j").exit_code == 0
    result = simulate_tiny(files, tmp_path / "s", "--store", "sqlite")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s" / "cases.sqlite").exists()
    assert not (tmp_path / "s" / "cases.jsonl").exists()
    from_sqlite = json.loads(run("summary", tmp_path / "s", "--json").stdout)
    from_jsonl = json.loads(run("summary", tmp_path / "j", "--json").stdout)
    assert from_sqlite == from_jsonl


def test_report_is_self_contained_html_with_charts(files: Path, tmp_path: Path):
    """--report writes one HTML file with inline SVG charts."""
    report = tmp_path / "report.html"
    result = simulate_tiny(files, tmp_path / "r", "--report", report)
    assert result.exit_code == 0, result.output
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.count("<svg") >= 2
    assert "<script" not in text
    assert "镇街、部门捆绑考核" in text


def test_verify_reports_complete_routing_and_gaps(files: Path):
    """Verify exits 0 on complete routing, 1 with each gap listed: town, category, tier."""
    ok = run("verify", "--hierarchy", files / "tiny.json")
    assert ok.exit_code == 0
    assert "routing complete" in ok.stdout
    rules = ("--rules-file", files / "rules.json")
    assert run("verify", "--hierarchy", files / "tiny.json", *rules).exit_code == 0
    gaps = run("verify", "--hierarchy", files / "gappy.json")
    assert gaps.exit_code == 1
    lines = gaps.stdout.splitlines()
    assert lines[:3] == ["2 gaps, 360 routes checked:", "  no_station: 2", "gaps:"]
    assert lines[3:] == [
        f"  no_station 缺少站所 | town t0002 第2镇 | category {key} {zh} | tier larger 较大 | "
        f"town 't0002' has no station of kind 'judicial_office', needed for a larger {key!r} "
        "report (7 grids affected)"
        for key, zh in (("neighbour_dispute", "邻里纠纷"), ("labour_dispute", "劳资纠纷"))
    ]


def test_verify_json_lists_each_gap(files: Path):
    """Verify --json: the verdict, the counts and every gap as an object (exit 1 with gaps)."""
    result = run("verify", "--hierarchy", files / "gappy.json", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["ok"], report["rules"], report["counts"]) == (False, "2021", {"no_station": 2})
    assert report["failing_routes"] == sum(g["grids_affected"] for g in report["gaps"]) > 0
    gap = report["gaps"][0]
    assert {k: gap[k] for k in ("kind", "town", "town_name", "category", "tier", "missing")} == {
        "kind": "no_station", "town": "t0002", "town_name": "第2镇",
        "category": "neighbour_dispute", "tier": "larger", "missing": ["judicial_office"],
    }  # fmt: skip
    ok = json.loads(run("verify", "--hierarchy", files / "tiny.json", "--json").stdout)
    assert (ok["ok"], ok["gaps"], ok["counts"]) == (True, [], {})


def test_version_prints_the_package_version():
    """--version prints the command's name and the installed version."""
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"ruian-governance {ruian_governance.__version__}\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("lifecycle", "event"), "stateDiagram-v2"),
        (("lifecycle", "hazard", "--language", "zh"), "销号/摘牌"),
        (("lifecycle", "dispute", "--format", "dot"), "digraph"),
    ],
)
def test_diagram_lifecycles(args: tuple[str, ...], expected: str):
    """Diagram lifecycle prints Mermaid or DOT with English or Chinese labels."""
    result = run("diagram", *args)
    assert result.exit_code == 0
    assert expected in result.stdout


def test_diagram_routing_of_a_town(files: Path, tiny: Hierarchy):
    """Diagram routing draws one town's routing as Mermaid or DOT."""
    town = tiny.towns[0].id
    mermaid = run("diagram", "routing", town, "--hierarchy", files / "tiny.json")
    assert mermaid.exit_code == 0
    assert mermaid.stdout.startswith("flowchart")
    dot = run("diagram", "routing", town, "--hierarchy", files / "tiny.json", "--format", "dot",
              "--language", "zh")  # fmt: skip
    assert dot.exit_code == 0
    assert "综合信息指挥室" in dot.stdout


def test_validate_lists_every_error_with_its_json_path(files: Path):
    """Validate exits 0 for a good file and 2 for a bad one, naming each bad field's path.

    The list of problems is the command's output (standard output); standard error has the
    one ``Error:`` line every bad invocation prints (finding 12).
    """
    assert run("validate", files / "tiny.json").exit_code == 0
    assert run("validate", files / "rules.json").exit_code == 0
    bad = run("validate", files / "bad.json")
    assert bad.exit_code == 2
    assert "$.units[1].level" in bad.stdout
    assert "$.people[0].posts[0].role" in bad.stdout
    assert bad.stderr.splitlines() == [
        f"Error: {files / 'bad.json'}: invalid hierarchy, 2 problem(s)"
    ]
    rules = run("validate", files / "bad_rules.json")
    assert rules.exit_code == 2
    assert "$.categories[0].platform" in rules.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("simulate", "--days", "0"),
        ("simulate", "--rate", "-1"),
        ("simulate", "--hierarchy", "{files}/not.json"),
        ("simulate", "--hierarchy", "{files}/tiny.json", "--hotspot", "nonsense"),
        ("simulate", "--hierarchy", "{files}/tiny.json", "--hotspot", "nowhere:petition:3"),
        ("simulate", "--hierarchy", "{files}/tiny.json", "--rules", "2016"),
        ("summary", "{files}/no_such_run"),
        ("verify", "--hierarchy", "{files}/missing.json"),
        ("verify", "--hierarchy", "{files}/bad.json"),
        ("verify", "{files}/tiny.json"),
        ("hierarchy", "--file", "{files}/tiny.json"),
        ("diagram", "routing", "nowhere", "--hierarchy", "{files}/tiny.json"),
        ("diagram", "lifecycle", "unicorn"),
        ("validate", "{files}/not.json"),
        ("validate", "{files}/tiny.json", "--kind", "case"),
        ("frobnicate",),
    ],
)
def test_bad_files_and_options_exit_2_with_one_line(files: Path, args: tuple[str, ...]):
    """Bad files and options print one error line (no traceback) and exit with code 2."""
    result = run(*(a.format(files=files) for a in args))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1


def test_main_returns_exit_codes(capsys: pytest.CaptureFixture[str]):
    """main() returns 2 for a bad option and 0 for help, as the console script's exit code."""
    assert main(["--frobnicate"]) == 2
    assert "No such option" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert "simulate" in capsys.readouterr().out


def test_main_shows_a_library_error_as_one_line(files: Path, capsys: pytest.CaptureFixture[str]):
    """main() turns a library error raised in a command into one Error: line and exit code 2."""
    assert main(["summary", str(files / "no_such_run")]) == 2
    err = capsys.readouterr().err
    assert err.count("Error:") == 1
    assert "not a run directory" in err
    assert main(["validate", str(files / "tiny.json"), "--kind", "case"]) == 2
    assert capsys.readouterr().err.count("Error:") == 1


def test_without_the_cli_extra_main_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """Without click (the cli extra), main() prints one line naming the extra and returns 2."""
    monkeypatch.delitem(sys.modules, "ruian_governance.cli.commands")
    monkeypatch.setitem(sys.modules, "click", None)
    assert main(["--help"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: the command line needs the 'cli' extra")
    assert "pip install 'ruian-governance[cli]'" in lines[0]
    with pytest.raises(MissingExtraError) as info:
        importlib.import_module("ruian_governance.cli.commands")
    assert info.value.module == "click"
    assert isinstance(info.value, ImportError)


def test_hierarchy_prints_the_ruian_summary():
    """Hierarchy prints a bilingual summary of the Rui'an preset."""
    result = run("hierarchy")
    assert result.exit_code == 0
    assert result.stdout.startswith("瑞安市 Rui'an")
    assert "grid worker 网格员: 18000" in result.stdout
    assert "安阳街道 Anyang Subdistrict" in result.stdout


@pytest.mark.parametrize("store", ["jsonl", "sqlite"])
def test_redact_masks_parties_and_keeps_the_figures(files: Path, tmp_path: Path, store: str):
    """Finding 17: ``simulate --redact`` stores no party names; the summary is the same.

    The default (``--no-redact``) writes the cases exactly, made-up names included.
    """
    runs = {}
    for name, extra in (("plain", ()), ("masked", ("--redact",))):
        result = simulate_tiny(files, tmp_path / name, "--store", store, "--days", "28", *extra)
        assert result.exit_code == 0, result.output
        runs[name] = (tmp_path / name / f"cases.{store}").read_bytes()
    assert simulate_tiny(files, tmp_path / "names", "--days", "28").exit_code == 0
    with (tmp_path / "names" / "cases.jsonl").open(encoding="utf-8") as stream:
        parties = {p for case in read_cases(stream) for p in case.parties}
    assert parties  # the run has disputes between named parties
    assert [p for p in parties if p.encode("utf-8") in runs["plain"]]
    assert [p for p in parties if p.encode("utf-8") in runs["masked"]] == []
    summaries = [run("summary", tmp_path / name, "--json") for name in runs]
    assert all(s.exit_code == 0 for s in summaries), [s.output for s in summaries]
    assert json.loads(summaries[0].stdout) == json.loads(summaries[1].stdout)
    settings = json.loads((tmp_path / "masked" / "run.json").read_text(encoding="utf-8"))
    assert settings["redacted"] is True


def test_summary_of_an_sqlite_run_does_not_write_the_file(files: Path, tmp_path: Path):
    """Finding 10 (CLI part): ``summary`` opens the case store read-only; the file is unchanged.

    Before: opening always wrote (the journal mode, the schema), changing the file.
    """
    assert simulate_tiny(files, tmp_path / "s", "--store", "sqlite").exit_code == 0
    store = tmp_path / "s" / "cases.sqlite"
    before = (store.read_bytes(), store.stat().st_mtime_ns)
    store.chmod(0o444)
    try:
        result = run("summary", tmp_path / "s", "--json")
    finally:
        store.chmod(0o644)
    assert result.exit_code == 0, result.output
    assert (store.read_bytes(), store.stat().st_mtime_ns) == before


def test_validate_json_gives_the_verdict_and_every_problem(files: Path):
    """Validate --json: one object; an invalid file still ends with the Error line and exit 2."""
    good = run("validate", files / "tiny.json", "--json")
    assert good.exit_code == 0
    assert json.loads(good.stdout) == {
        "path": str(files / "tiny.json"), "kind": "hierarchy", "valid": True, "problems": []
    }  # fmt: skip
    bad = run("validate", files / "bad.json", "--json")
    assert bad.exit_code == 2
    verdict = json.loads(bad.stdout)
    assert (verdict["valid"], len(verdict["problems"])) == (False, 2)
    assert "$.units[1].level" in verdict["problems"][0]
    assert bad.stderr.splitlines() == [
        f"Error: {files / 'bad.json'}: invalid hierarchy, 2 problem(s)"
    ]
    rules = json.loads(run("validate", files / "rules.json", "--json").stdout)
    assert (rules["kind"], rules["valid"]) == ("routing_rules", True)


def test_hierarchy_json_gives_the_figures_of_the_summary(files: Path, tiny: Hierarchy):
    """Hierarchy --json: counts by level, organisations, posts by role and the towns."""
    ruian = json.loads(run("hierarchy", "--json").stdout)
    assert ruian["city"] == {"id": "ruian", "name": "瑞安市", "name_en": "Rui'an"}
    assert ruian["posts"]["grid_worker"] == 18000
    assert len(ruian["towns"]) == 23
    assert ruian["towns"][0]["name"] == "安阳街道"
    facts = json.loads(run("hierarchy", "--hierarchy", files / "tiny.json", "--json").stdout)
    assert facts["units"]["grid"] == len(tiny.units_at(Level.GRID))
    assert [t["id"] for t in facts["towns"]] == [t.id for t in tiny.towns]
    text = run("hierarchy", "--hierarchy", files / "tiny.json")
    assert text.stdout.startswith(f"{tiny.city.name} ")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (("--format", "parquet"), {"cases.parquet", "history.parquet"}),
        (("--format", "both"), {"cases.jsonl", "cases.parquet", "history.parquet"}),
        (("--store", "sqlite", "--format", "parquet"),
         {"cases.sqlite", "cases.parquet", "history.parquet"}),
    ],
)  # fmt: skip
def test_simulate_writes_parquet_beside_or_instead_of_json_lines(
    files: Path, tmp_path: Path, extra: tuple[str, ...], expected: set[str]
):
    """--format parquet|both writes the cases and history tables; summary reads any run alike.

    A run written into a directory replaces the case files an earlier run left there.
    """
    assert simulate_tiny(files, tmp_path / "j").exit_code == 0
    out = tmp_path / "j2"
    assert simulate_tiny(files, out, "--store", "sqlite").exit_code == 0
    result = simulate_tiny(files, out, *extra)
    assert result.exit_code == 0, result.output
    written = {p.name for p in out.iterdir()} - {"hierarchy.json", "run.json", "summary.json"}
    assert written == expected
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["format"] == extra[-1]
    from_run = json.loads(run("summary", out, "--json").stdout)
    assert from_run == json.loads(run("summary", tmp_path / "j", "--json").stdout)
    cases = pq.read_table(out / "cases.parquet")
    assert cases.num_rows == from_run["cases"]
    assert str(cases.schema.field("opened_at").type) == "timestamp[us, tz=+08:00]"


def test_redact_masks_the_parties_in_parquet_too(files: Path, tmp_path: Path):
    """--redact --format parquet: the history's data holds no party names; summary reads it."""
    result = simulate_tiny(files, tmp_path / "p", "--days", "28", "--format", "both", "--redact")
    assert result.exit_code == 0, result.output
    with (tmp_path / "p" / "cases.jsonl").open(encoding="utf-8") as stream:
        masked = list(read_cases(stream))
    assert {p for c in masked for p in c.parties} == {"***"}
    assert simulate_tiny(files, tmp_path / "n", "--days", "28").exit_code == 0
    with (tmp_path / "n" / "cases.jsonl").open(encoding="utf-8") as stream:
        parties = {p for case in read_cases(stream) for p in case.parties}
    data = " ".join(pq.read_table(tmp_path / "p" / "history.parquet").column("data").to_pylist())
    assert parties
    assert [p for p in parties if p in data] == []
    assert run("summary", tmp_path / "p", "--json").exit_code == 0
