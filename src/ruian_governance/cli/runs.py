"""The runs of the command line: ``simulate`` writes a run directory, ``summary`` reads one.

A run directory holds the cases (``cases.jsonl``, or ``cases.sqlite`` with ``--store sqlite``,
and/or ``cases.parquet`` and ``history.parquet`` with ``--format parquet|both``), the hierarchy
(``hierarchy.json``), the settings (``run.json``) and the summary (``summary.json``).
Private to the command line (needs click and rich).
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import cast

import attrs
import click

from ruian_governance.analysis import Rate, ThreeRates, consecutive_safe_years, summarise
from ruian_governance.errors import AnalysisError, DataError
from ruian_governance.io import (
    CASES_FILE,
    HISTORY_FILE,
    STANDARD_REDACTION,
    cases_from_history,
    read_cases,
    read_parquet,
    to_document,
    write_cases,
    write_parquet,
)
from ruian_governance.lifecycles import Engine, LifecycleDefinition
from ruian_governance.models import CHINA_STANDARD_TIME, Case, Hierarchy
from ruian_governance.sim import (
    CYCLE_DAYS,
    MAX_DAYS,
    MAX_FACTOR,
    MAX_RATE,
    PlantedHotspot,
    SimulationConfig,
    SimulationResult,
    simulate,
    simulation_lifecycles,
)
from ruian_governance.sim.run import collector_paused
from ruian_governance.stores import SQLiteCaseStore

from ._errors import CliError
from ._files import (
    RULES,
    hierarchy_option,
    json_option,
    json_text,
    load_hierarchy,
    load_json,
    problems_line,
    rules_for,
    rules_option,
    shown,
)
from .report import html_report, plain_console, print_summary, progress_bar

__all__ = ["simulate_command", "summary_command"]

_CASES_JSONL = "cases.jsonl"
_CASES_SQLITE = "cases.sqlite"
_FORMATS = ("jsonl", "parquet", "both")
_STARTS = (date(2000, 1, 1), date(2100, 12, 31))
"""The first days a run may start on (the working-day calendar may cover fewer)."""
_SEEDS = click.IntRange(-(2**63), 2**63 - 1)


# --------------------------------------------------------------------------- simulate


def _hotspot(text: str) -> PlantedHotspot:
    try:
        unit, category, factor = text.split(":")
        value = float(factor)
    except ValueError:
        msg = f"--hotspot {text!r}: expected UNIT:CATEGORY:FACTOR"
        raise CliError(msg) from None
    _within(f"--hotspot {text!r}: FACTOR", value, MAX_FACTOR)
    return PlantedHotspot(unit_id=unit, category=category, factor=value)


def _within(what: str, value: float, high: float) -> float:
    """``value`` if it is a finite number from 0 to ``high`` (``nan`` and ``inf`` are not)."""
    if not (math.isfinite(value) and 0 <= value <= high):
        msg = f"{what} {value}: expected a number from 0 to {high:g}"
        raise CliError(msg)
    return value


def _start(_ctx: click.Context, _param: click.Parameter, value: datetime) -> datetime:
    """The ``--start`` day, within :data:`_STARTS`."""
    first, last = _STARTS
    if not first <= value.date() <= last:
        msg = f"--start {value.date()}: expected a day from {first} to {last}"
        raise CliError(msg)
    return value


def _write_cases(
    out: Path, result: SimulationResult, *, store: str, fmt: str, redact: bool
) -> list[Path]:
    """Write the run's cases as ``--store`` and ``--format`` say; remove an earlier run's others.

    JSON lines unless ``--format parquet`` (or the SQLite store instead, with ``--store
    sqlite``); cases and history as Parquet with ``--format parquet`` or ``both``.  A case file
    of another format left in ``out`` by an earlier run is removed, so that ``summary`` reads
    this run's cases.
    """
    redaction = STANDARD_REDACTION if redact else None
    paths = {name: out / name for name in (_CASES_JSONL, _CASES_SQLITE, CASES_FILE, HISTORY_FILE)}
    for path in paths.values():
        if path.is_file() or path.is_symlink():
            path.unlink()
    written = []
    if store == "sqlite":
        cases = [redaction.case(c) for c in result.cases] if redaction else result.cases
        engine = Engine(result.hierarchy, result.lifecycles)
        with SQLiteCaseStore(paths[_CASES_SQLITE], engine, synchronous="NORMAL") as stored:
            for case in cases:
                stored.add(case)
        written.append(paths[_CASES_SQLITE])
    elif fmt != "parquet":
        with paths[_CASES_JSONL].open("w", encoding="utf-8") as stream:
            write_cases(result.cases, stream, redaction=redaction)
        written.append(paths[_CASES_JSONL])
    if fmt != "jsonl":
        written += write_parquet(
            result.cases, out, hierarchy=result.hierarchy, lifecycles=result.lifecycles,
            redaction=redaction,
        )  # fmt: skip
    return written


@click.command("simulate")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("run"),
    show_default=True, help="Directory for cases, hierarchy, settings and summary.",
)  # fmt: skip
@click.option(
    "--days", type=click.IntRange(1, MAX_DAYS), default=CYCLE_DAYS, show_default=True,
    help=f"Days to simulate (at most {MAX_DAYS:,}).",
)  # fmt: skip
@click.option("--seed", type=_SEEDS, default=0, show_default=True)
@click.option(
    "--start", type=click.DateTime(formats=["%Y-%m-%d"]), default="2025-03-03",
    show_default=True, callback=_start,
    help=f"First day (China Standard Time), from {_STARTS[0]} to {_STARTS[1]}.",
)  # fmt: skip
@click.option(
    "--rate", type=float, default=0.25, show_default=True,
    callback=lambda _ctx, _param, value: _within("--rate", value, MAX_RATE),
    help=f"Reports per grid per day (0 to {MAX_RATE:g}).",
)  # fmt: skip
@hierarchy_option
@rules_option
@click.option("--station-capacity", type=click.IntRange(1, 100_000), default=8, show_default=True)
@click.option(
    "--hotspot", "planted", multiple=True, metavar="UNIT:CATEGORY:FACTOR",
    help=f"Plant a hotspot (repeatable; FACTOR from 0 to {MAX_FACTOR:g}).",
)  # fmt: skip
@click.option(
    "--store", type=click.Choice(["jsonl", "sqlite"]), default="jsonl", show_default=True,
    help="Write cases as JSON lines or into an SQLite case store.",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(_FORMATS), default="jsonl", show_default=True,
    help="Also (both) or instead (parquet) of JSON lines, cases and history as Parquet.",
)  # fmt: skip
@click.option(
    "--report", type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML report with charts.",
)  # fmt: skip
@click.option(
    "--redact/--no-redact", default=False, show_default=True,
    help="Mask personal data (parties, claims, phone and ID numbers) in the stored cases.",
)  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or tables.")
def simulate_command(  # noqa: PLR0913, PLR0917 - one parameter per option
    out: Path,
    days: int,
    seed: int,
    start: datetime,
    rate: float,
    hierarchy_path: Path | None,
    rules: str | None,
    station_capacity: int,
    planted: tuple[str, ...],
    store: str,
    fmt: str,
    report: Path | None,
    redact: bool,
    quiet: bool,
) -> None:
    """Run the city simulation and write its cases and a summary."""
    console = plain_console(stderr=True, quiet=quiet)
    hotspots = [_hotspot(p) for p in planted]
    hierarchy = load_hierarchy(hierarchy_path)
    config = SimulationConfig(
        hierarchy=hierarchy,
        rules=rules_for(hierarchy, rules),
        reports_per_grid_per_day=rate,
        station_capacity=station_capacity,
        hotspots=hotspots,
        seed=seed,
        start=start.replace(tzinfo=CHINA_STANDARD_TIME),
        days=days,
    )
    # The collector paused, the application's choice: a run's many long-lived, immutable cases
    # form no reference cycles, and rescanning them cost a third of the run
    # (benchmarks/bench_simulation.py).
    with progress_bar(console, "days", days, quiet=quiet) as advance, collector_paused():
        result = simulate(config, progress=advance)
    out.mkdir(parents=True, exist_ok=True)
    written = _write_cases(out, result, store=store, fmt=fmt, redact=redact)
    with (out / "hierarchy.json").open("w", encoding="utf-8") as stream:
        stream.write(json_text(to_document(result.hierarchy)))
    settings = {
        "seed": seed,
        "start": config.start.isoformat(),
        "days": days,
        "rules": config.rules.key,
        "reports_per_grid_per_day": rate,
        "station_capacity": station_capacity,
        "hazard_deadline_days": config.hazard_deadline_days,
        "hotspots": list(planted),
        "store": store,
        "format": fmt,
        "redacted": redact,
        "reported": result.reported,
        "commands": result.commands,
    }
    (out / "run.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")
    summary = summarise(result.cases, result.hierarchy, lifecycles=result.lifecycles)
    (out / "summary.json").write_text(json_text(summary.to_json(), indent=2), encoding="utf-8")
    if report is not None:
        report.write_text(
            html_report(
                result.cases, result.hierarchy, summary, lifecycles=result.lifecycles,
                start=config.start, days=days, parameters=settings, rules=config.rules,
                title=f"{result.hierarchy.city.name} 141 simulation 模拟研判报告",
            ),
            encoding="utf-8",
        )  # fmt: skip
    console = plain_console(quiet=quiet)
    console.print(
        f"{len(result.cases)} cases, {result.commands} commands -> "
        + ", ".join(str(path) for path in written)
    )
    print_summary(console, summary, result.hierarchy)


# --------------------------------------------------------------------------- summary


@attrs.frozen(kw_only=True)
class _Settings:
    """What ``summary`` reads of a run's ``run.json``, checked."""

    start: datetime
    days: int
    rules: str | None
    hazard_deadline_days: int
    parameters: dict[str, object] = attrs.field(factory=dict)
    """Every setting of ``run.json``, as written (shown in the report)."""


def _whole(value: object, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def _settings(path: Path) -> _Settings:
    """Read and check ``run.json``: every problem is named in one line."""
    data = load_json(path)
    if not isinstance(data, dict):
        msg = f"{path}: expected an object of settings, got {shown(data)}"
        raise CliError(msg)
    problems = []
    try:
        start = datetime.fromisoformat(data["start"])
    except (KeyError, TypeError, ValueError):
        start = None
    if start is None or start.utcoffset() is None:
        problems.append("start: expected an ISO 8601 date-time with a UTC offset")
        start = datetime.min
    days = data.get("days")
    if not _whole(days, 1, MAX_DAYS):
        problems.append(f"days: expected a whole number from 1 to {MAX_DAYS}, got {shown(days)}")
    rules = data.get("rules")
    if rules is not None and not (isinstance(rules, str) and rules in RULES):
        problems.append(f"rules: expected one of {', '.join(RULES)}, got {shown(rules)}")
    hazard = data.get("hazard_deadline_days", 14)
    if not _whole(hazard, 1, 365):
        problems.append(f"hazard_deadline_days: expected 1 to 365, got {shown(hazard)}")
    if problems:
        msg = f"{path}: {'; '.join(problems)}"
        raise CliError(msg)
    return _Settings(
        start=start, days=cast("int", days), rules=rules, hazard_deadline_days=hazard,
        parameters=data,
    )  # fmt: skip


@attrs.frozen(kw_only=True)
class _Run:
    """A stored run, read back: its hierarchy, lifecycles, cases and settings."""

    hierarchy: Hierarchy
    lifecycles: tuple[LifecycleDefinition, ...]
    cases: list[Case]
    settings: _Settings


def _load_run(run: Path) -> _Run:
    """Read a stored run; each case must be what its history gives (replayed by an engine)."""
    if not run.is_dir():
        msg = f"{run}: not a run directory (run `ruian-governance simulate` first)"
        raise CliError(msg)
    settings = _settings(run / "run.json")
    hierarchy = load_hierarchy(run / "hierarchy.json")
    config = SimulationConfig(
        hierarchy=hierarchy,
        rules=rules_for(hierarchy, settings.rules),
        hazard_deadline_days=settings.hazard_deadline_days,
    )
    lifecycles = simulation_lifecycles(config)
    engine = Engine(hierarchy, lifecycles)
    stored = run / _CASES_SQLITE
    history = run / HISTORY_FILE
    if stored.exists() or stored.is_symlink():
        if not stored.is_file():
            msg = f"{stored}: not a file"
            raise CliError(msg)
        with SQLiteCaseStore(stored, engine, read_only=True) as store:  # never writes the file
            cases = list(store)
    elif not (run / _CASES_JSONL).exists() and history.exists():
        try:
            cases = list(cases_from_history(read_parquet(history), engine=engine))
        except DataError as error:
            msg = f"{history}: {problems_line(error)}"
            raise CliError(msg) from None
    else:
        with (run / _CASES_JSONL).open(encoding="utf-8") as stream:
            try:
                cases = list(read_cases(stream, engine=engine))
            except DataError as error:
                msg = f"{run / _CASES_JSONL}: {problems_line(error)}"
                raise CliError(msg) from None
    return _Run(hierarchy=hierarchy, lifecycles=lifecycles, cases=cases, settings=settings)


def _survey(path: Path | None) -> tuple[ThreeRates | None, dict[int, bool]]:
    """Read ``--survey``: the three rates 三率 and the safe years, each optional.

    ``{"sense_of_safety": {"count": 969, "total": 1000}, "awareness": {...}, "participation":
    {...}, "safe_years": {"2021": true, ...}}``.
    """
    if path is None:
        return None, {}
    data = load_json(path)
    if not isinstance(data, dict):
        msg = f"{path}: expected an object, got {shown(data)}"
        raise CliError(msg)
    try:
        rates = {k: data[k] for k in ("sense_of_safety", "awareness", "participation") if k in data}
        survey = None
        if rates:
            survey = ThreeRates(**{
                k: Rate(count=v["count"], total=v["total"]) for k, v in rates.items()
            })  # fmt: skip
        years = data.get("safe_years", {})
        safe = {int(year): verdict for year, verdict in years.items()}
        consecutive_safe_years(safe, up_to=max(safe, default=0))
    except (AnalysisError, KeyError, TypeError, ValueError, AttributeError) as error:
        msg = f"{path}: not a survey ({type(error).__name__}: {error})"
        raise CliError(msg) from None
    return survey, safe


@click.command("summary")
@click.argument("run", type=click.Path(path_type=Path), default=Path("run"))
@json_option
@click.option(
    "--report", type=click.Path(dir_okay=False, path_type=Path), help="Write an HTML report."
)
@click.option(
    "--survey", type=click.Path(dir_okay=False, path_type=Path),
    help="A JSON file of the three rates 三率 (survey figures) and safe years for the report.",
)  # fmt: skip
def summary_command(run: Path, as_json: bool, report: Path | None, survey: Path | None) -> None:
    """Analyse (研判) a stored run: rates, hotspots, repeat incidents, assessment."""
    three_rates, safe_years = _survey(survey)
    stored = _load_run(run)
    summary = summarise(stored.cases, stored.hierarchy, lifecycles=stored.lifecycles)
    if report is not None:
        report.write_text(
            html_report(
                stored.cases, stored.hierarchy, summary, lifecycles=stored.lifecycles,
                start=stored.settings.start, days=stored.settings.days,
                parameters=stored.settings.parameters,
                rules=rules_for(stored.hierarchy, stored.settings.rules),
                survey=three_rates, safe_years=safe_years,
                title=f"{stored.hierarchy.city.name} 141 研判报告",
            ),
            encoding="utf-8",
        )  # fmt: skip
    if as_json:
        click.echo(json_text(summary.to_json(), indent=2))
    else:
        print_summary(plain_console(), summary, stored.hierarchy)
