"""``simulate-region``: a region of generated cities on Dask, into one partitioned dataset.

The output directory holds the dataset (``cases/`` and ``history/``, Hive-partitioned by
``city_code`` and ``town_id``, see :mod:`ruian_governance.io.dataset`) and ``region.json``:
the settings and each shard's counts, digest and files.  The options are those of
``simulate`` where they mean the same (``--out``, ``--days``, ``--seed``, ``--start``,
``--rate``, ``--quiet``), plus the region's (``--cities``, ``--towns``, ``--villages``,
``--grids``) and where it runs (``--workers``, ``--scheduler``).  Private to the command line
(needs click and rich; the run needs the ``scale`` and ``parquet`` extras).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import attrs
import click

from ruian_governance.models import CHINA_STANDARD_TIME
from ruian_governance.sim import CYCLE_DAYS, MAX_DAYS, MAX_RATE, SimulationConfig
from ruian_governance.sim.region import generate_region
from ruian_governance.sim.regional import RegionalAnalysis
from ruian_governance.sim.sharded import simulate_region

from ._errors import CliError
from .report import plain_console, progress_bar
from .runs import _SEEDS, _start, _within

__all__ = ["simulate_region_command"]


@click.command("simulate-region")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("region"),
    show_default=True, help="Directory for the dataset and region.json.",
)  # fmt: skip
@click.option(
    "--cities", type=click.IntRange(1, 10_000), default=12, show_default=True,
    help="Cities in the region (Wenzhou's twelve codes first, then generated ones).",
)  # fmt: skip
@click.option("--towns", type=click.IntRange(1, 1_000), default=5, show_default=True)
@click.option("--villages", type=click.IntRange(1, 100_000), default=40, show_default=True)
@click.option("--grids", type=click.IntRange(1, 1_000_000), default=200, show_default=True)
@click.option(
    "--days", type=click.IntRange(1, MAX_DAYS), default=CYCLE_DAYS, show_default=True,
    help=f"Days to simulate (at most {MAX_DAYS:,}).",
)  # fmt: skip
@click.option("--seed", type=_SEEDS, default=0, show_default=True)
@click.option(
    "--start", type=click.DateTime(formats=["%Y-%m-%d"]), default="2025-03-03",
    show_default=True, callback=_start, help="First day (China Standard Time).",
)  # fmt: skip
@click.option(
    "--rate", type=float, default=0.25, show_default=True,
    callback=lambda _ctx, _param, value: _within("--rate", value, MAX_RATE),
    help=f"Reports per grid per day (0 to {MAX_RATE:g}).",
)  # fmt: skip
@click.option(
    "--workers", type=click.IntRange(0, 1_024), default=None,
    help="Worker processes of the local Dask cluster (default: one per core; 0: no Dask, "
    "the cities one by one in this process).",
)  # fmt: skip
@click.option(
    "--scheduler", metavar="ADDRESS",
    help="The address of a running Dask scheduler (tcp://host:8786) instead of a local cluster.",
)  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or tables.")
def simulate_region_command(  # noqa: PLR0913, PLR0917 - one parameter per option
    out: Path,
    cities: int,
    towns: int,
    villages: int,
    grids: int,
    days: int,
    seed: int,
    start: datetime,
    rate: float,
    workers: int | None,
    scheduler: str | None,
    quiet: bool,
) -> None:
    """Run a region of generated cities, one Dask task per city, into one dataset."""
    if workers is not None and scheduler is not None:
        msg = "--workers and --scheduler exclude each other"
        raise CliError(msg)
    region = generate_region(
        cities=cities, towns=towns, villages=max(villages, towns), grids=max(grids, villages),
        seed=seed, lazy=True,
    )  # fmt: skip
    config = SimulationConfig(
        reports_per_grid_per_day=rate,
        seed=seed,
        start=start.replace(tzinfo=CHINA_STANDARD_TIME),
        days=days,
    )
    out.mkdir(parents=True, exist_ok=True)
    console = plain_console(stderr=True, quiet=quiet)
    with progress_bar(console, "cities", cities, quiet=quiet) as advance:
        results = simulate_region(
            region, config, directory=out, workers=workers, scheduler=scheduler,
            progress=advance,
        )  # fmt: skip
    settings = {
        "cities": cities, "towns": towns, "villages": villages, "grids": grids,
        "days": days, "seed": seed, "start": config.start.isoformat(),
        "reports_per_grid_per_day": rate,
        "shards": [attrs.asdict(r) for r in results],
    }  # fmt: skip
    (out / "region.json").write_text(
        json.dumps(settings, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    console = plain_console(quiet=quiet)
    total = sum(r.cases for r in results)
    console.print(f"{len(results)} cities, {total} cases -> {out}")
    with RegionalAnalysis(out) as analysis:
        console.print(f"on time 按期办结率: {analysis.on_time_rate()}")
        console.print(f"escalated 提级: {analysis.escalation_rate()}")
        console.print(f"returned 退回: {analysis.return_rate()}")
        console.print(f"satisfaction 满意率: {analysis.satisfaction()}")
