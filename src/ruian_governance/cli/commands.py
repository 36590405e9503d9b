"""The ``ruian-governance`` command line: simulate, summarise, verify, draw and validate.

Subcommands:

- ``simulate``: run the city simulation and write its cases (JSON lines or SQLite), its
  hierarchy, its settings and a summary; optionally a self-contained HTML report;
- ``summary``: the analysis 研判 of a stored run;
- ``verify``: routing verification of a hierarchy file with a rule table;
- ``diagram``: Mermaid or Graphviz DOT for a lifecycle or one town's routing;
- ``validate``: check a hierarchy or routing-rules file, listing every error with its JSON path;
- ``hierarchy``: a bilingual summary of a hierarchy (the Rui'an preset by default).

Every bad invocation (an unknown option, a value out of range, a missing, unreadable or
damaged file, a stored run that is not one) prints exactly one ``Error:`` line on standard
error and exits with code 2, never a traceback.  Every name, label, id and message printed goes
through :func:`~ruian_governance.io.printable`.
"""

from __future__ import annotations

import gc
import json
import math
import reprlib
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import attrs

from ruian_governance.analysis import summarise
from ruian_governance.errors import DataError, RuianGovernanceError
from ruian_governance.io import (
    STANDARD_REDACTION,
    from_document,
    lifecycle_to_dot,
    lifecycle_to_mermaid,
    printable,
    read_cases,
    routing_to_dot,
    routing_to_mermaid,
    to_document,
    town_routing_graph,
    write_cases,
)
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, Engine, LifecycleDefinition
from ruian_governance.models import CHINA_STANDARD_TIME, Case, Hierarchy
from ruian_governance.presets import RULES_2016, RULES_2021, ruian_preset
from ruian_governance.routing import RoutingRules, routing_graph, verify
from ruian_governance.sim import (
    CYCLE_DAYS,
    MAX_DAYS,
    MAX_FACTOR,
    MAX_RATE,
    PlantedHotspot,
    SimulationConfig,
    simulate,
    simulation_lifecycles,
)
from ruian_governance.stores import SQLiteCaseStore

from ._errors import CliError, MissingExtraError

try:
    import click
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from .report import html_report, plain_console, print_summary, summarise_hierarchy
except ModuleNotFoundError as missing:
    extra = (missing.name or "").partition(".")[0]
    if extra not in {"click", "rich"}:
        raise
    raise MissingExtraError(extra) from None

__all__ = ["cli", "run", "summarise_hierarchy"]

_T = TypeVar("_T")
_RULES = {"2016": RULES_2016, "2021": RULES_2021}
_CASES_JSONL = "cases.jsonl"
_CASES_SQLITE = "cases.sqlite"
_SHOWN_PROBLEMS = 3
_USAGE = 2  # the exit code of every bad invocation


_STARTS = (date(2000, 1, 1), date(2100, 12, 31))
"""The first days a run may start on (the working-day calendar may cover fewer)."""
_SEEDS = click.IntRange(-(2**63), 2**63 - 1)
_REPR = reprlib.Repr()
_REPR.maxlevel = 2


def _shown(value: object) -> str:
    """A value read from a user's file, for a message: short and never deep."""
    try:
        text = _REPR.repr(value)
    except (ValueError, RecursionError):  # an integer too long to write
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def _message(error: Exception) -> str:
    """One line for an error a user caused: a bad file, option or stored run."""
    if isinstance(error, DataError):
        shown = "; ".join(error.problems[:_SHOWN_PROBLEMS])
        more = len(error.problems) - _SHOWN_PROBLEMS
        return f"invalid {error.what}: {shown}" + (f" (and {more} more)" if more > 0 else "")
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror or error}{where}"
    if isinstance(error, click.ClickException):  # some list choices on lines of their own
        return " ".join(error.format_message().split())
    return str(error)


def _fail(error: Exception) -> int:
    """Print ``error`` as the one ``Error:`` line (escaped) and return the usage exit code."""
    click.echo(f"Error: {printable(_message(error))}", err=True)
    return _USAGE


class _Commands(click.Group):
    """The command group: every bad invocation is one ``Error:`` line and exit code 2.

    Click's own usage errors (3-4 lines of usage, hint and error) are shown as one line too:
    :meth:`main` runs click without its standalone handling and reports what it raises.
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; show a user's error as one ``Error:`` line and exit with 2."""
        try:
            return super().invoke(ctx)
        except (RuianGovernanceError, OSError) as error:
            ctx.exit(_fail(error))

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; return (or, standalone, exit with) its exit code."""
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            ctx = error.ctx
            where = ctx.command_path if ctx is not None else "ruian-governance"
            code = _fail(CliError(f"missing command (see '{where} --help')"))
        except (click.ClickException, RuianGovernanceError, OSError) as error:
            code = _fail(error)
        except click.Abort:
            click.echo("Error: aborted", err=True)
            code = 1
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _json_text(data: Any, indent: int | None = None) -> str:
    r"""JSON text with Chinese readable; ``\u`` escapes if it holds what UTF-8 cannot encode."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a file written elsewhere
        return json.dumps(data, indent=indent)
    return text


def _load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        try:
            return json.load(stream)
        except UnicodeDecodeError:
            msg = f"{path}: not UTF-8 text"
            raise CliError(msg) from None
        except RecursionError:
            msg = f"{path}: not JSON: nested too deeply"
            raise CliError(msg) from None
        except ValueError as error:  # json.JSONDecodeError, an integer too long to read
            msg = f"{path}: not JSON: {error}"
            raise CliError(msg) from None


def _load_hierarchy(path: Path | None) -> Hierarchy:
    if path is None:
        return ruian_preset()
    data = _load_json(path)
    if isinstance(data, dict) and data.get("kind") not in (None, "hierarchy"):
        msg = f"{path}: a {_shown(data.get('kind'))} document, not a hierarchy"
        raise CliError(msg)
    hierarchy: Hierarchy = _document(path, data, Hierarchy)
    return hierarchy


def _document(path: Path, data: Any, kind: type[Any] | str) -> Any:
    """Load a document read from ``path``; a bad one is one line naming the file."""
    try:
        return from_document(data, kind)
    except DataError as error:
        msg = f"{path}: {_message(error)}"
        raise CliError(msg) from None


def _rules_for(hierarchy: Hierarchy, choice: str | None) -> RoutingRules:
    if choice is None:
        return _RULES.get(hierarchy.preset.key, RULES_2021)
    return _RULES[choice]


# --------------------------------------------------------------------------- the group


_hierarchy_option = click.option(
    "--hierarchy", "hierarchy_path", type=click.Path(dir_okay=False, path_type=Path),
    help="A hierarchy JSON file (default: the Rui'an preset).",
)  # fmt: skip
_rules_option = click.option(
    "--rules", type=click.Choice(sorted(_RULES)), help="Rule table (default: the preset's)."
)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Rui'an's 141 grassroots-governance system: simulate a city and analyse it (研判)."""


@cli.command("hierarchy")
@click.option("--file", "path", type=click.Path(path_type=Path), help="A hierarchy JSON file.")
def hierarchy_command(path: Path | None) -> None:
    """Print a bilingual summary of a hierarchy (default: the Rui'an preset)."""
    click.echo(summarise_hierarchy(_load_hierarchy(path)))


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


def _without_cyclic_gc(run: Callable[[], _T]) -> _T:
    """Call ``run`` with Python's cyclic garbage collector paused (the application's choice).

    A run's many long-lived, immutable cases form no reference cycles; rescanning them costs a
    third of the run time (``benchmarks/bench_simulation.py``).  It is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return run()
    finally:
        if was_enabled:
            gc.enable()


def _write_store(path: Path, cases: Sequence[Case], engine: Engine) -> None:
    if path.exists():
        path.unlink()
    with SQLiteCaseStore(path, engine, synchronous="NORMAL") as store:
        for case in cases:
            store.add(case)


@cli.command("simulate")
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
@_hierarchy_option
@_rules_option
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
    report: Path | None,
    redact: bool,
    quiet: bool,
) -> None:
    """Run the city simulation and write its cases and a summary."""
    console = plain_console(stderr=True, quiet=quiet)
    hotspots = [_hotspot(p) for p in planted]
    hierarchy = _load_hierarchy(hierarchy_path)
    config = SimulationConfig(
        hierarchy=hierarchy,
        rules=_rules_for(hierarchy, rules),
        reports_per_grid_per_day=rate,
        station_capacity=station_capacity,
        hotspots=hotspots,
        seed=seed,
        start=start.replace(tzinfo=CHINA_STANDARD_TIME),
        days=days,
    )
    with Progress(
        TextColumn("simulating 模拟"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("days"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    ) as progress:
        task = progress.add_task("days", total=days)

        def advance(done: int, _total: int) -> None:
            progress.update(task, completed=done)

        result = _without_cyclic_gc(lambda: simulate(config, progress=advance))
    out.mkdir(parents=True, exist_ok=True)
    engine = Engine(result.hierarchy, result.lifecycles)
    redaction = STANDARD_REDACTION if redact else None
    if store == "sqlite":
        cases = [redaction.case(c) for c in result.cases] if redaction else result.cases
        _write_store(out / _CASES_SQLITE, cases, engine)
    else:
        with (out / _CASES_JSONL).open("w", encoding="utf-8") as stream:
            write_cases(result.cases, stream, redaction=redaction)
    with (out / "hierarchy.json").open("w", encoding="utf-8") as stream:
        stream.write(_json_text(to_document(result.hierarchy)))
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
        "redacted": redact,
        "reported": result.reported,
        "commands": result.commands,
    }
    (out / "run.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")
    summary = summarise(result.cases, result.hierarchy, lifecycles=result.lifecycles)
    (out / "summary.json").write_text(_json_text(summary.to_json(), indent=2), encoding="utf-8")
    if report is not None:
        report.write_text(
            html_report(
                result.cases, result.hierarchy, summary, lifecycles=result.lifecycles,
                start=config.start, days=days,
                title=f"{result.hierarchy.city.name} 141 simulation 模拟研判报告",
            ),
            encoding="utf-8",
        )  # fmt: skip
    console = plain_console(quiet=quiet)
    console.print(
        f"{len(result.cases)} cases, {result.commands} commands -> "
        f"{out / (_CASES_SQLITE if store == 'sqlite' else _CASES_JSONL)}"
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


def _whole(value: object, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def _settings(path: Path) -> _Settings:
    """Read and check ``run.json``: every problem is named in one line."""
    data = _load_json(path)
    if not isinstance(data, dict):
        msg = f"{path}: expected an object of settings, got {_shown(data)}"
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
        problems.append(f"days: expected a whole number from 1 to {MAX_DAYS}, got {_shown(days)}")
    rules = data.get("rules")
    if rules is not None and not (isinstance(rules, str) and rules in _RULES):
        problems.append(f"rules: expected one of {', '.join(_RULES)}, got {_shown(rules)}")
    hazard = data.get("hazard_deadline_days", 14)
    if not _whole(hazard, 1, 365):
        problems.append(f"hazard_deadline_days: expected 1 to 365, got {_shown(hazard)}")
    if problems:
        msg = f"{path}: {'; '.join(problems)}"
        raise CliError(msg)
    return _Settings(start=start, days=cast("int", days), rules=rules, hazard_deadline_days=hazard)


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
    hierarchy = _load_hierarchy(run / "hierarchy.json")
    config = SimulationConfig(
        hierarchy=hierarchy,
        rules=_rules_for(hierarchy, settings.rules),
        hazard_deadline_days=settings.hazard_deadline_days,
    )
    lifecycles = simulation_lifecycles(config)
    engine = Engine(hierarchy, lifecycles)
    stored = run / _CASES_SQLITE
    if stored.exists() or stored.is_symlink():
        if not stored.is_file():
            msg = f"{stored}: not a file"
            raise CliError(msg)
        with SQLiteCaseStore(stored, engine, read_only=True) as store:  # never writes the file
            cases = list(store)
    else:
        with (run / _CASES_JSONL).open(encoding="utf-8") as stream:
            try:
                cases = list(read_cases(stream, engine=engine))
            except DataError as error:
                msg = f"{run / _CASES_JSONL}: {_message(error)}"
                raise CliError(msg) from None
    return _Run(hierarchy=hierarchy, lifecycles=lifecycles, cases=cases, settings=settings)


@cli.command("summary")
@click.argument("run", type=click.Path(path_type=Path), default=Path("run"))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--report", type=click.Path(dir_okay=False, path_type=Path), help="Write an HTML report."
)
def summary_command(run: Path, as_json: bool, report: Path | None) -> None:
    """Analyse (研判) a stored run: rates, hotspots, repeat incidents, assessment."""
    stored = _load_run(run)
    summary = summarise(stored.cases, stored.hierarchy, lifecycles=stored.lifecycles)
    if report is not None:
        report.write_text(
            html_report(
                stored.cases, stored.hierarchy, summary, lifecycles=stored.lifecycles,
                start=stored.settings.start, days=stored.settings.days,
                title=f"{stored.hierarchy.city.name} 141 研判报告",
            ),
            encoding="utf-8",
        )  # fmt: skip
    if as_json:
        click.echo(_json_text(summary.to_json(), indent=2))
    else:
        print_summary(plain_console(), summary, stored.hierarchy)


# --------------------------------------------------------------------------- verify


@cli.command("verify")
@click.argument("hierarchy_file", type=click.Path(dir_okay=False, path_type=Path))
@_rules_option
@click.option(
    "--rules-file", type=click.Path(dir_okay=False, path_type=Path),
    help="A routing-rules JSON document instead of a shipped table.",
)  # fmt: skip
def verify_command(hierarchy_file: Path, rules: str | None, rules_file: Path | None) -> None:
    """Verify that every grid's reports can be routed (exit 1 if there are gaps)."""
    hierarchy = _load_hierarchy(hierarchy_file)
    table: RoutingRules = (
        _document(rules_file, _load_json(rules_file), "routing_rules")
        if rules_file is not None
        else _rules_for(hierarchy, rules)
    )
    result = verify(hierarchy, table)
    click.echo("\n".join(map(printable, result.summary().splitlines())))
    if not result.ok:
        click.get_current_context().exit(1)


# --------------------------------------------------------------------------- diagram


_LIFECYCLES = {d.key: d for d in BUILTIN_LIFECYCLES}
_FORMATS = click.Choice(["mermaid", "dot"])
_LANGUAGES = click.Choice(["en", "zh"])


@cli.group("diagram")
def diagram_group() -> None:
    """Mermaid or Graphviz DOT for a lifecycle or a town's routing."""


@diagram_group.command("lifecycle")
@click.argument("key", type=click.Choice(sorted(_LIFECYCLES)))
@click.option("--format", "fmt", type=_FORMATS, default="mermaid", show_default=True)
@click.option("--language", type=_LANGUAGES, default="en", show_default=True)
def diagram_lifecycle(key: str, fmt: str, language: str) -> None:
    """Draw a built-in lifecycle (event, dispute, hazard)."""
    render = lifecycle_to_mermaid if fmt == "mermaid" else lifecycle_to_dot
    click.echo(render(_LIFECYCLES[key], language="zh" if language == "zh" else "en"))


@diagram_group.command("routing")
@click.argument("town")
@_hierarchy_option
@_rules_option
@click.option("--format", "fmt", type=_FORMATS, default="mermaid", show_default=True)
@click.option("--language", type=_LANGUAGES, default="en", show_default=True)
def diagram_routing(
    town: str, hierarchy_path: Path | None, rules: str | None, fmt: str, language: str
) -> None:
    """Draw one town's routing: grids, command room, platforms, stations, the centre."""
    hierarchy = _load_hierarchy(hierarchy_path)
    graph = town_routing_graph(routing_graph(hierarchy, _rules_for(hierarchy, rules)), town)
    render: Callable[..., str] = routing_to_mermaid if fmt == "mermaid" else routing_to_dot
    click.echo(render(graph, language=language))


# --------------------------------------------------------------------------- validate


@cli.command("validate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kind", type=click.Choice(["auto", "hierarchy", "routing_rules"]), default="auto",
    show_default=True, help="What the file holds (auto: its 'kind', else a hierarchy).",
)  # fmt: skip
def validate_command(path: Path, kind: str) -> None:
    """Check a hierarchy or routing-rules file; list every error with its JSON path."""
    data = _load_json(path)
    if kind == "auto":
        kind = data.get("kind", "hierarchy") if isinstance(data, dict) else "hierarchy"
    if kind not in ("hierarchy", "routing_rules"):
        msg = f"{path}: cannot validate a {_shown(kind)} document"
        raise CliError(msg)
    try:
        from_document(data, Hierarchy if kind == "hierarchy" else "routing_rules")
    except DataError as error:
        for problem in error.problems:
            click.echo(printable(f"{path}: {problem}"))
        msg = f"{path}: invalid {kind}, {len(error.problems)} problem(s)"
        raise CliError(msg) from None
    except RuianGovernanceError as error:
        msg = f"{path}: invalid {kind}: {error}"
        raise CliError(msg) from None
    click.echo(printable(f"{path}: valid {kind}"))


# --------------------------------------------------------------------------- entry point


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` and return the exit code (2 for a user's error)."""
    code: int = cli.main(args=argv, prog_name="ruian-governance", standalone_mode=False)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
