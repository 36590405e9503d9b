"""The ``ruian-governance`` command line: simulate, summarise, verify, draw and validate.

Subcommands:

- ``simulate``: run the city simulation and write its cases (JSON lines or SQLite), its
  hierarchy, its settings and a summary; optionally a self-contained HTML report;
- ``summary``: the analysis 研判 of a stored run;
- ``verify``: routing verification of a hierarchy file with a rule table;
- ``diagram``: Mermaid or Graphviz DOT for a lifecycle or one town's routing;
- ``validate``: check a hierarchy or routing-rules file, listing every error with its JSON path;
- ``hierarchy``: a bilingual summary of a hierarchy (the Rui'an preset by default).

Bad files and options print one line and exit with code 2, never a traceback.
"""

from __future__ import annotations

import gc
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import attrs

from ruian_governance.analysis import Summary, summarise
from ruian_governance.errors import DataError, RuianGovernanceError
from ruian_governance.io import (
    from_document,
    lifecycle_to_dot,
    lifecycle_to_mermaid,
    read_cases,
    routing_to_dot,
    routing_to_mermaid,
    to_document,
    town_routing_graph,
    write_cases,
)
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, Engine, LifecycleDefinition
from ruian_governance.models import CHINA_STANDARD_TIME, Case, Hierarchy, Level
from ruian_governance.presets import RULES_2016, RULES_2021, ruian_preset
from ruian_governance.routing import RoutingRules, routing_graph, verify
from ruian_governance.sim import (
    CYCLE_DAYS,
    PlantedHotspot,
    SimulationConfig,
    simulate,
    simulation_lifecycles,
)
from ruian_governance.stores import SQLiteCaseStore

from ._errors import CliError, MissingExtraError
from .report import html_report, on_time_label, score_text

try:
    import click
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Table
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


def _message(error: Exception) -> str:
    """One line for an error a user caused: a bad file, option or stored run."""
    if isinstance(error, DataError):
        shown = "; ".join(error.problems[:_SHOWN_PROBLEMS])
        more = len(error.problems) - _SHOWN_PROBLEMS
        return f"invalid {error.what}: {shown}" + (f" (and {more} more)" if more > 0 else "")
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON: {error}"
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror or error}{where}"
    return str(error)


class _Commands(click.Group):
    """The command group: the library's errors, I/O errors and bad JSON are one line, exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; show a user's error as one ``Error:`` line and exit with 2."""
        try:
            return super().invoke(ctx)
        except (RuianGovernanceError, json.JSONDecodeError, OSError) as error:
            click.echo(f"Error: {_message(error)}", err=True)
            ctx.exit(2)


def _load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        try:
            return json.load(stream)
        except json.JSONDecodeError as error:
            msg = f"{path}: not JSON: {error}"
            raise CliError(msg) from None
        except UnicodeDecodeError:
            msg = f"{path}: not UTF-8 text"
            raise CliError(msg) from None


def _load_hierarchy(path: Path | None) -> Hierarchy:
    if path is None:
        return ruian_preset()
    data = _load_json(path)
    if isinstance(data, dict) and data.get("kind") not in (None, "hierarchy"):
        msg = f"{path}: a {data.get('kind')!r} document, not a hierarchy"
        raise CliError(msg)
    return from_document(data, Hierarchy)


def _rules_for(hierarchy: Hierarchy, choice: str | None) -> RoutingRules:
    if choice is None:
        return _RULES.get(hierarchy.preset.key, RULES_2021)
    return _RULES[choice]


def summarise_hierarchy(hierarchy: Hierarchy) -> str:
    """Return a bilingual text summary of a hierarchy: counts by level, organisations, people.

    >>> from ruian_governance import generate_hierarchy
    >>> print(summarise_hierarchy(generate_hierarchy(towns=1, villages=1, grids=2,
    ...                                              micro_grids=2)))
    ... # doctest: +ELLIPSIS
    示范市 Example City, platform preset 2021 基层治理四平台(2021)
      city 市: 1, town / street 镇/街道: 1, village / community 村/社区: 1, grid 网格: 2, ...
    ...
    """
    city, preset = hierarchy.city, hierarchy.preset
    lines = [f"{city.name} {city.name_en}, platform preset {preset.key} {preset.label.zh}"]
    lines.append(
        "  "
        + ", ".join(
            f"{level.label.en} {level.label.zh}: {len(hierarchy.units_at(level))}"
            for level in Level
        )
    )
    lines.append(
        f"  command rooms 综合信息指挥室: {len(hierarchy.command_rooms)}, "
        f"platforms 平台: {len(hierarchy.platforms)}, "
        f"stations 职能站所: {len(hierarchy.stations)}, "
        f"departments 职能部门: {len(hierarchy.departments)}"
    )
    roles = Counter(post.role for person in hierarchy.people for post in person.posts)
    lines.append(f"  people: {len(hierarchy.people)}")
    for key, count in sorted(roles.items(), key=lambda item: -item[1]):
        role = hierarchy.role(key)
        lines.append(f"    {role.label.en} {role.label.zh}: {count}")
    lines.append("  towns and streets 镇/街道:")
    lines.extend(
        f"    {town.name} {town.name_en}: {len(hierarchy.children(town.id))} villages"
        for town in hierarchy.towns
    )
    return "\n".join(lines)


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
        return PlantedHotspot(unit_id=unit, category=category, factor=float(factor))
    except ValueError:
        msg = f"--hotspot {text!r}: expected UNIT:CATEGORY:FACTOR"
        raise CliError(msg) from None


def _without_cyclic_gc(run: Callable[[], _T]) -> _T:
    """Call ``run`` with Python's cyclic garbage collector paused (the application's choice).

    A run builds hundreds of thousands of long-lived, immutable cases and records that form no
    reference cycles; the collector would rescan them again and again, which costs about a
    third of the run time and grows with its size (``benchmarks/bench_simulation.py``).
    Reference counting still frees everything; the collector is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return run()
    finally:
        if was_enabled:
            gc.enable()


def _print_summary(console: Console, summary: Summary, hierarchy: Hierarchy) -> None:
    table = Table(title="研判 summary", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for lifecycle, n in summary.by_lifecycle.items():
        table.add_row(f"{lifecycle} cases", str(n))
    for lifecycle, rate in summary.on_time_rate.items():
        table.add_row(on_time_label(lifecycle), str(rate))
    table.add_row("satisfaction 满意率", str(summary.satisfaction))
    table.add_row("escalation rate 提级率", str(summary.escalation_rate))
    table.add_row("return rate 退回率", str(summary.return_rate))
    loop = "/".join(summary.closed_loop)
    for p, span in summary.time_to_close.items():
        table.add_row(f"{loop} time to close p{p:g} (hours)", f"{span.total_seconds() / 3600:.1f}")
    for rung, n in summary.hazard_ladder.items():
        table.add_row(f"hazard ladder: {rung}", str(n))
    table.add_row("hotspots 热点", str(len(summary.hotspots)))
    table.add_row("repeat incidents 重复事件", str(len(summary.repeat_incidents)))
    console.print(table)
    names = {t.id: t.name for t in hierarchy.towns}
    towns = Table(title="bundled assessment 镇街、部门捆绑考核 (best and worst)")
    towns.add_column("town 镇街")
    towns.add_column("score", justify="right")
    towns.add_column("cases", justify="right")
    ranked = summary.assessment.towns
    shown = ranked if len(ranked) <= 6 else (*ranked[:3], *ranked[-3:])
    for town in shown:
        towns.add_row(
            names.get(town.unit_id, town.unit_id), score_text(town.score), str(town.cases)
        )
    console.print(towns)
    if summary.hotspots:
        spots = Table(title="hotspots 热点 (Poisson exact test, Benjamini-Hochberg)")
        for column in ("unit", "category", "observed", "expected", "adjusted p"):
            spots.add_column(column)
        for f in summary.hotspots[:10]:
            spots.add_row(
                f.unit_id, f.category, str(f.observed), str(round(f.expected, 2)),
                f"{f.adjusted:.2g}",
            )  # fmt: skip
        console.print(spots)


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
@click.option("--days", type=click.IntRange(min=1), default=CYCLE_DAYS, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--start", type=click.DateTime(formats=["%Y-%m-%d"]), default="2025-03-03",
    show_default=True, help="First day (China Standard Time).",
)  # fmt: skip
@click.option(
    "--rate", type=click.FloatRange(min=0), default=0.25, show_default=True,
    help="Reports per grid per day.",
)  # fmt: skip
@_hierarchy_option
@_rules_option
@click.option("--station-capacity", type=click.IntRange(min=1), default=8, show_default=True)
@click.option(
    "--hotspot", "planted", multiple=True, metavar="UNIT:CATEGORY:FACTOR",
    help="Plant a hotspot (repeatable).",
)  # fmt: skip
@click.option(
    "--store", type=click.Choice(["jsonl", "sqlite"]), default="jsonl", show_default=True,
    help="Write cases as JSON lines or into an SQLite case store.",
)  # fmt: skip
@click.option(
    "--report", type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML report with charts.",
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
    quiet: bool,
) -> None:
    """Run the city simulation and write its cases and a summary."""
    console = Console(stderr=True, quiet=quiet)
    hierarchy = _load_hierarchy(hierarchy_path)
    config = SimulationConfig(
        hierarchy=hierarchy,
        rules=_rules_for(hierarchy, rules),
        reports_per_grid_per_day=rate,
        station_capacity=station_capacity,
        hotspots=[_hotspot(p) for p in planted],
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
    if store == "sqlite":
        _write_store(out / _CASES_SQLITE, result.cases, engine)
    else:
        with (out / _CASES_JSONL).open("w", encoding="utf-8") as stream:
            write_cases(result.cases, stream)
    with (out / "hierarchy.json").open("w", encoding="utf-8") as stream:
        json.dump(to_document(result.hierarchy), stream, ensure_ascii=False)
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
        "reported": result.reported,
        "commands": result.commands,
    }
    (out / "run.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")
    summary = summarise(result.cases, result.hierarchy, lifecycles=result.lifecycles)
    (out / "summary.json").write_text(
        json.dumps(summary.to_json(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    if report is not None:
        report.write_text(
            html_report(
                result.cases, result.hierarchy, summary, lifecycles=result.lifecycles,
                start=config.start, days=days,
                title=f"{result.hierarchy.city.name} 141 simulation 模拟研判报告",
            ),
            encoding="utf-8",
        )  # fmt: skip
    console = Console(quiet=quiet)
    console.print(
        f"{len(result.cases)} cases, {result.commands} commands -> "
        f"{out / (_CASES_SQLITE if store == 'sqlite' else _CASES_JSONL)}"
    )
    _print_summary(console, summary, result.hierarchy)


# --------------------------------------------------------------------------- summary


@attrs.frozen(kw_only=True)
class _Run:
    """A stored run, read back: its hierarchy, lifecycles, cases and settings."""

    hierarchy: Hierarchy
    lifecycles: tuple[LifecycleDefinition, ...]
    cases: list[Case]
    settings: dict[str, Any]


def _load_run(run: Path) -> _Run:
    if not run.is_dir():
        msg = f"{run}: not a run directory (run `ruian-governance simulate` first)"
        raise CliError(msg)
    settings = _load_json(run / "run.json")
    hierarchy = _load_hierarchy(run / "hierarchy.json")
    config = SimulationConfig(
        hierarchy=hierarchy,
        rules=_rules_for(hierarchy, settings.get("rules")),
        hazard_deadline_days=int(settings.get("hazard_deadline_days", 14)),
    )
    lifecycles = simulation_lifecycles(config)
    if (run / _CASES_SQLITE).exists():
        engine = Engine(hierarchy, lifecycles)
        with SQLiteCaseStore(run / _CASES_SQLITE, engine) as store:
            cases = list(store)
    else:
        with (run / _CASES_JSONL).open(encoding="utf-8") as stream:
            cases = list(read_cases(stream))
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
                start=datetime.fromisoformat(stored.settings["start"]),
                days=int(stored.settings["days"]),
                title=f"{stored.hierarchy.city.name} 141 研判报告",
            ),
            encoding="utf-8",
        )  # fmt: skip
    if as_json:
        click.echo(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_summary(Console(), summary, stored.hierarchy)


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
        from_document(_load_json(rules_file), "routing_rules")
        if rules_file is not None
        else _rules_for(hierarchy, rules)
    )
    result = verify(hierarchy, table)
    click.echo(result.summary())
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
        msg = f"{path}: cannot validate a {kind!r} document"
        raise CliError(msg)
    try:
        if kind == "hierarchy":
            from_document(data, Hierarchy)
        else:
            from_document(data, "routing_rules")
    except DataError as error:
        for problem in error.problems:
            click.echo(f"{path}: {problem}", err=True)
        msg = f"{path}: invalid {kind}, {len(error.problems)} problem(s)"
        raise CliError(msg) from None
    except RuianGovernanceError as error:
        msg = f"{path}: invalid {kind}: {error}"
        raise CliError(msg) from None
    click.echo(f"{path}: valid {kind}")


# --------------------------------------------------------------------------- entry point


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` and return the exit code (2 for a user's error)."""
    try:
        code = cli.main(args=argv, prog_name="ruian-governance", standalone_mode=False)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.Abort:
        click.echo("aborted", err=True)
        return 1
    except RuianGovernanceError as error:  # raised outside a command (an option's callback)
        click.echo(f"Error: {_message(error)}", err=True)
        return 2
    return code if isinstance(code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
