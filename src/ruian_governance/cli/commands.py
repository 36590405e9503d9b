"""The ``ruian-governance`` command line: simulate, summarise, verify, draw and validate.

Subcommands:

- ``simulate``: run the city simulation and write its cases (JSON lines, SQLite or Parquet),
  its hierarchy, its settings and a summary; optionally a self-contained HTML report;
- ``summary``: the analysis 研判 of a stored run;
- ``verify``: routing verification of a hierarchy with a rule table, each gap listed;
- ``diagram``: Mermaid or Graphviz DOT for a lifecycle (built in, or from a document file) or
  one town's routing (each village's grids as one node unless ``--detail``);
- ``validate``: check a hierarchy or routing-rules file, listing every error with its JSON path;
- ``hierarchy``: a bilingual summary of a hierarchy (the Rui'an preset by default).

A hierarchy file is given the same way to every subcommand, ``--hierarchy FILE`` (default: the
Rui'an preset); ``--json`` prints JSON instead of text (``summary``, ``verify``, ``validate``,
``hierarchy``); ``--version`` prints the version.  Every bad invocation (an unknown option, a
value out of range, a missing, unreadable or damaged file, a stored run that is not one) prints
exactly one ``Error:`` line on standard error and exits with code 2, never a traceback.  Every
name, label, id and message printed as text goes through :func:`~ruian_governance.io.printable`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ruian_governance
from ruian_governance.errors import DataError, RuianGovernanceError, UnknownIdError
from ruian_governance.io import (
    MERMAID_MAX_EDGES,
    aggregate_grids,
    from_document,
    lifecycle_to_dot,
    lifecycle_to_mermaid,
    printable,
    routing_to_dot,
    routing_to_mermaid,
    town_routing_graph,
)
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, LifecycleDefinition
from ruian_governance.models import Hierarchy
from ruian_governance.routing import (
    Gap,
    GapKind,
    RoutingRules,
    routing_graph,
    verify,
)

from ._errors import CliError, MissingExtraError

try:
    import click

    from ._files import (
        document,
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
    from .regions import simulate_region_command
    from .report import hierarchy_json, summarise_hierarchy
    from .runs import simulate_command, summary_command
except ModuleNotFoundError as missing:
    extra = (missing.name or "").partition(".")[0]
    if extra not in {"click", "rich"}:
        raise
    raise MissingExtraError(extra) from None

__all__ = ["cli", "run", "summarise_hierarchy"]

_USAGE = 2  # the exit code of every bad invocation


def _message(error: Exception) -> str:
    """One line for an error a user caused: a bad file, option or stored run."""
    if isinstance(error, DataError):
        return problems_line(error)
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


# --------------------------------------------------------------------------- the group


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    ruian_governance.__version__,
    "--version",
    prog_name="ruian-governance",
    message="%(prog)s %(version)s",
)
def cli() -> None:
    """Rui'an's 141 grassroots-governance system: simulate a city and analyse it (研判)."""


cli.add_command(simulate_command)
cli.add_command(summary_command)
cli.add_command(simulate_region_command)


@cli.command("hierarchy")
@hierarchy_option
@json_option
def hierarchy_command(hierarchy_path: Path | None, as_json: bool) -> None:
    """Print a bilingual summary of a hierarchy (default: the Rui'an preset)."""
    hierarchy = load_hierarchy(hierarchy_path)
    if as_json:
        click.echo(json_text(hierarchy_json(hierarchy), indent=2))
    else:
        click.echo(summarise_hierarchy(hierarchy))


# --------------------------------------------------------------------------- verify


def _gap_json(gap: Gap, hierarchy: Hierarchy, rules: RoutingRules) -> dict[str, Any]:
    """One gap as JSON: what, where (town, category, tier), the units and kinds missing."""
    town = None if gap.town_id is None else hierarchy.get(gap.town_id)
    try:
        category = None if gap.category is None else rules.category(gap.category)
    except UnknownIdError:  # a category of another table
        category = None
    return {
        "kind": gap.kind.value,
        "town": gap.town_id,
        "town_name": None if town is None else town.name,
        "category": gap.category,
        "category_name": None if category is None else category.label.zh,
        "tier": None if gap.severity is None else gap.severity.value,
        "message": gap.message,
        "units": list(gap.unit_ids),
        "missing": list(gap.missing),
        "grids_affected": len(gap.grid_ids),
    }


def _gap_line(gap: Gap, row: dict[str, Any]) -> str:
    """One gap as a line: kind | town | category | tier | message (``-`` where none)."""
    town = " ".join(v for v in (row["town"], row["town_name"]) if v) or "-"
    category = " ".join(v for v in (row["category"], row["category_name"]) if v) or "-"
    tier = "-" if gap.severity is None else f"{gap.severity.value} {gap.severity.label.zh}"
    cells = (f"{gap.kind.value} {gap.kind.label.zh}", f"town {town}", f"category {category}",
             f"tier {tier}", gap.message)  # fmt: skip
    return "  " + " | ".join(cells)


@cli.command("verify")
@hierarchy_option
@rules_option
@click.option(
    "--rules-file", type=click.Path(dir_okay=False, path_type=Path),
    help="A routing-rules JSON document instead of a shipped table.",
)  # fmt: skip
@json_option
def verify_command(
    hierarchy_path: Path | None, rules: str | None, rules_file: Path | None, as_json: bool
) -> None:
    """Verify that every grid's reports can be routed; list each gap (exit 1 if any)."""
    hierarchy = load_hierarchy(hierarchy_path)
    table: RoutingRules = (
        document(rules_file, load_json(rules_file), "routing_rules")
        if rules_file is not None
        else rules_for(hierarchy, rules)
    )
    result = verify(hierarchy, table)
    gaps = [_gap_json(gap, hierarchy, table) for gap in result.gaps]
    if as_json:
        counts = {k.value: n for k in GapKind if (n := len(result.of_kind(k)))}
        click.echo(json_text({
            "ok": result.ok, "hierarchy": hierarchy.city.id, "rules": table.key,
            "routes_checked": result.routes_checked, "failing_routes": result.failing_routes,
            "counts": counts, "gaps": gaps,
        }, indent=2))  # fmt: skip
    else:
        lines = [*result.summary().splitlines(), *(["gaps:"] if gaps else [])]
        lines += [_gap_line(gap, row) for gap, row in zip(result.gaps, gaps, strict=True)]
        click.echo("\n".join(map(printable, lines)))
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
@click.argument("key", type=click.Choice(sorted(_LIFECYCLES)), required=False)
@click.option(
    "--lifecycle", "lifecycle_path", type=click.Path(dir_okay=False, path_type=Path),
    help="A lifecycle JSON document (written by the library's to_document) instead of KEY.",
)  # fmt: skip
@click.option("--format", "fmt", type=_FORMATS, default="mermaid", show_default=True)
@click.option("--language", type=_LANGUAGES, default="en", show_default=True)
def diagram_lifecycle(
    key: str | None, lifecycle_path: Path | None, fmt: str, language: str
) -> None:
    """Draw a built-in lifecycle (event, dispute, hazard), or one from a document file."""
    if (key is None) == (lifecycle_path is None):
        msg = "give a built-in lifecycle KEY or --lifecycle FILE (one of them)"
        raise CliError(msg)
    if lifecycle_path is None:
        definition = _LIFECYCLES[str(key)]
    else:
        data = load_json(lifecycle_path)
        if isinstance(data, dict) and data.get("kind") not in (None, "lifecycle"):
            msg = f"{lifecycle_path}: a {shown(data.get('kind'))} document, not a lifecycle"
            raise CliError(msg)
        definition = document(lifecycle_path, data, LifecycleDefinition)
    render = lifecycle_to_mermaid if fmt == "mermaid" else lifecycle_to_dot
    click.echo(render(definition, language="zh" if language == "zh" else "en"))


@diagram_group.command("routing")
@click.argument("town")
@hierarchy_option
@rules_option
@click.option("--format", "fmt", type=_FORMATS, default="mermaid", show_default=True)
@click.option("--language", type=_LANGUAGES, default="en", show_default=True)
@click.option(
    "--detail", is_flag=True,
    help="Draw every grid (default: one node per village for its grids).",
)  # fmt: skip
@click.option("--micro-grids", is_flag=True, help="Include micro-grids.")
def diagram_routing(  # noqa: PLR0913, PLR0917 - one parameter per option
    town: str,
    hierarchy_path: Path | None,
    rules: str | None,
    fmt: str,
    language: str,
    detail: bool,
    micro_grids: bool,
) -> None:
    """Draw one town's routing: grids, command room, platforms, stations, the centre.

    Each village's grids are one node unless ``--detail``: a detailed Mermaid graph of more
    than 500 edges (Mermaid's limit) is refused; draw it with ``--format dot``.
    """
    hierarchy = load_hierarchy(hierarchy_path)
    graph = routing_graph(hierarchy, rules_for(hierarchy, rules), micro_grids=micro_grids)
    town_graph = town_routing_graph(graph, town, micro_grids=micro_grids)
    if not detail:
        town_graph = aggregate_grids(town_graph)
    elif fmt == "mermaid" and town_graph.number_of_edges() > MERMAID_MAX_EDGES:
        msg = (
            f"{shown(town)}: {town_graph.number_of_edges()} edges, more than Mermaid draws "
            f"({MERMAID_MAX_EDGES}): use --format dot, or leave out --detail"
        )
        raise CliError(msg)
    render: Callable[..., str] = routing_to_mermaid if fmt == "mermaid" else routing_to_dot
    click.echo(render(town_graph, language=language))


# --------------------------------------------------------------------------- validate


@cli.command("validate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kind", type=click.Choice(["auto", "hierarchy", "routing_rules"]), default="auto",
    show_default=True, help="What the file holds (auto: its 'kind', else a hierarchy).",
)  # fmt: skip
@json_option
def validate_command(path: Path, kind: str, as_json: bool) -> None:
    """Check a hierarchy or routing-rules file; list every error with its JSON path.

    With ``--json``, one object: the file, its kind, whether it is valid and its problems
    (each with its JSON path); an invalid file still ends with the ``Error:`` line and exit 2.
    """
    data = load_json(path)
    if kind == "auto":
        kind = data.get("kind", "hierarchy") if isinstance(data, dict) else "hierarchy"
    if kind not in ("hierarchy", "routing_rules"):
        msg = f"{path}: cannot validate a {shown(kind)} document"
        raise CliError(msg)
    try:
        from_document(data, Hierarchy if kind == "hierarchy" else "routing_rules")
    except DataError as error:
        problems = list(error.problems)
    except RuianGovernanceError as error:  # a rule about the whole (a hierarchy rule)
        problems = [str(error)]
    else:
        problems = []
    if as_json:
        verdict = {"path": str(path), "kind": kind, "valid": not problems, "problems": problems}
        click.echo(json_text(verdict, indent=2))
    else:
        for problem in problems:
            click.echo(printable(f"{path}: {problem}"))
    if problems:
        msg = f"{path}: invalid {kind}, {len(problems)} problem(s)"
        raise CliError(msg)
    if not as_json:
        click.echo(printable(f"{path}: valid {kind}"))


# --------------------------------------------------------------------------- entry point


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` and return the exit code (2 for a user's error)."""
    code: int = cli.main(args=argv, prog_name="ruian-governance", standalone_mode=False)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
