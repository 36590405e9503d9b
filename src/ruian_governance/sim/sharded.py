"""A region's simulation, one task per city, on Dask distributed or one by one.

:func:`simulate_region` runs every :class:`~.region.CityShard` of a region as its own
simulation: the shard's hierarchy, the region's configuration, the seed
:func:`~.region.shard_seed` (the run's seed and the shard's code, nothing else) and the id
prefix ``code.``.  So a shard's cases are the same whether it runs alone, one by one in this
process, or on any worker of any cluster, with any number of workers; and no two shards share
an id.  With a dataset directory each shard writes its cases there (partitioned by city and
town, :class:`~ruian_governance.io.dataset.CityWriter`) and sends back only its counts and the
SHA-256 of its files, never its cases.

On Dask (the ``scale`` extra) a shard is one task: its arguments (the shard and the
configuration) pickle with the standard :mod:`pickle`, and the worker builds the lifecycles,
the engine and the router itself.  The default cluster is a ``LocalCluster`` of one process
per core (one thread each: the simulation is pure Python); ``scheduler`` names the address of
a running scheduler instead (``tcp://host:8786``).  ``workers=0`` runs the shards one by one
in this process, without Dask.

>>> from ruian_governance.sim.region import generate_region
>>> region = generate_region(cities=2, towns=2, villages=4, grids=8, seed=3)
>>> config = SimulationConfig(days=3, seed=1)
>>> results = simulate_region(region, config, workers=0)
>>> [(r.code, r.cases > 0) for r in results]
[('330302', True), ('330303', True)]
>>> run_shard(region.cities[1], config).digest == results[1].digest
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from os import PathLike, fspath
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeAlias

import attrs

from ruian_governance.errors import ArgumentError, ScaleExtraError
from ruian_governance.models import Case

from .config import SimulationConfig, simulation_lifecycles
from .region import CityShard, Region, Shard, shard_seed
from .run import collector_paused, simulate

__all__ = [
    "LOCAL_CLUSTER_SETTINGS",
    "RegionProgress",
    "ShardResult",
    "run_shard",
    "shard_config",
    "simulate_region",
]

RegionProgress: TypeAlias = Callable[[int, int], None]
"""Called after each shard with (shards done, shards in all)."""


@attrs.frozen(kw_only=True)
class ShardResult:
    """What one shard's run sends back: counts and a digest, not its cases.

    Args:
        code: The shard's code.
        cases: Cases opened.
        reported: Events and disputes reported by grid workers.
        commands: Commands applied (opening records included).
        digest: SHA-256 of the shard's cases (their ids, states, versions and every history
            record as the dataset's rows have them, batch by batch as the run handed them
            over: :class:`~ruian_governance.io.dataset.CaseDigest`): equal digests, equal runs.
        files: The dataset files the shard wrote, relative to the dataset root (none without
            a directory), with the SHA-256 of each.
    """

    code: str
    cases: int
    reported: int
    commands: int
    digest: str
    files: tuple[tuple[str, str], ...] = ()


def shard_config(config: SimulationConfig, shard: CityShard) -> SimulationConfig:
    """The configuration one shard runs: its hierarchy, its seed and its id prefix.

    Planted hotspots of units outside the shard are left out (a region's hotspots name units
    of one city or another).
    """
    hierarchy = shard.hierarchy
    return attrs.evolve(
        config,
        hierarchy=hierarchy,
        seed=shard_seed(config.seed, shard.code),
        id_prefix=f"{shard.code}.",
        hotspots=tuple(s for s in config.hotspots if s.unit_id in hierarchy),
    )


def run_shard(
    shard: Shard, config: SimulationConfig, directory: str | PathLike[str] | None = None
) -> ShardResult:
    """Run one shard (see :func:`shard_config`); write its cases under ``directory`` if given.

    A :class:`~.region.GeneratedCity` or :class:`~.region.HierarchyFile` is built first, in
    the process that runs it.

    The run hands its cases over as it goes (:func:`~.run.simulate`'s ``sink``): they are
    written, a batch of row groups at a time, and digested, never all held at once.  The
    cyclic garbage collector is paused while the shard runs
    (:func:`~.run.collector_paused`).

    Raises:
        SimulationConfigError, UnknownRoutingKindError: As :func:`~.run.simulate`.
        ParquetExtraError: ``directory`` is given and pyarrow is not installed.
    """
    with collector_paused():
        return _run_shard(shard, config, directory)


def _run_shard(
    shard: Shard, config: SimulationConfig, directory: str | PathLike[str] | None
) -> ShardResult:
    """:func:`run_shard`, with the collector paused."""
    from ruian_governance.io.dataset import (  # noqa: PLC0415 - the parquet extra
        CaseDigest,
        CityWriter,
    )

    shard = shard.build()  # a GeneratedCity or HierarchyFile is built here, on the worker
    config = shard_config(config, shard)
    digest = CaseDigest(shard.hierarchy)
    count = [0]
    root = None if directory is None else Path(fspath(directory))
    with ExitStack() as stack:
        writer = None
        if root is not None:
            writer = stack.enter_context(
                CityWriter(
                    root, shard.code, hierarchy=shard.hierarchy,
                    lifecycles=simulation_lifecycles(config), digest=digest,
                )
            )  # fmt: skip

        def sink(batch: tuple[Case, ...]) -> None:
            count[0] += len(batch)
            if writer is None:
                digest.add(batch)
            else:
                writer.write(batch)  # and adds the batch to the digest from the rows written

        result = simulate(config, sink=sink, library=False)  # the dataset has every case
    files: list[tuple[str, str]] = []
    if root is not None:
        written = sorted(root.glob(f"*/city_code={shard.code}/town_id=*/*.parquet"))
        files = [
            (p.relative_to(root).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
            for p in written
        ]
    return ShardResult(
        code=shard.code,
        cases=count[0],
        reported=result.reported,
        commands=result.commands,
        digest=digest.hexdigest(),
        files=tuple(files),
    )


LOCAL_CLUSTER_SETTINGS: Mapping[str, object] = MappingProxyType(
    {
        "distributed.worker.profile.enabled": False,
        "distributed.worker.memory.monitor-interval": "1s",
        "distributed.admin.system-monitor.interval": "2s",
        "distributed.admin.tick.interval": "200ms",
    }
)
"""The Dask settings the ``LocalCluster`` of :func:`simulate_region` starts its workers with.

The workers' sampling profiler is off: it feeds the dashboard, which the cluster does not
start, and sampling the running shard's stack every 10 ms cost a province shard about 3% of
its CPU and the region about 4% of its wall time.  The processes' periodic checks run less
often: the memory monitor every second (Dask: 100 ms), the system monitor every 2 s (500 ms,
for the dashboard) and the event loops' tick every 200 ms (20 ms); on a 2-core machine they
share the cores with the shards, and a province-month's Dask half took 2.4% less wall time
with them (89.1 and 90.4 s against 91.1 and 92.8 s, alternated; ``benchmarks/bench_region.py``
measures the whole).  A design choice; a cluster of your own (``scheduler``) keeps its own
settings.
"""


def _distributed() -> Any:
    try:
        import distributed  # noqa: PLC0415 - the scale extra loads only when used
    except ModuleNotFoundError as missing:
        raise ScaleExtraError((missing.name or "distributed").partition(".")[0]) from None
    return distributed


def simulate_region(  # noqa: PLR0913 - the run, where it goes, and where it runs
    region: Region,
    config: SimulationConfig | None = None,
    *,
    directory: str | PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: RegionProgress | None = None,
) -> tuple[ShardResult, ...]:
    """Run every city of ``region``, one task per city; return their results in region order.

    Args:
        region: The cities.
        config: The configuration every shard runs (its ``hierarchy``, ``seed`` and
            ``id_prefix`` are the shard's, see :func:`shard_config`); default the defaults.
        directory: Where the shards write their cases as one dataset (see
            :mod:`ruian_governance.io.dataset`); default: nowhere.
        workers: Worker processes of the ``LocalCluster`` (default: one per core); ``0``
            runs the shards one by one in this process, without Dask.
        scheduler: The address of a running Dask scheduler (then ``workers`` is not given).
        progress: Called after each shard with (shards done, shards in all).

    Raises:
        ArgumentError: ``workers`` is not a whole number from 0, or given with ``scheduler``;
            ``directory`` already holds a dataset.
        ScaleExtraError: Dask is needed and not installed.
        SimulationConfigError, UnknownRoutingKindError: As :func:`~.run.simulate`, for the
            first shard that fails.
    """
    given: object = region
    if not isinstance(given, Region):
        msg = "region"
        raise ArgumentError(msg, region, "a Region")
    config = config or SimulationConfig()
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)):
        msg = "workers"
        raise ArgumentError(msg, workers, "a whole number from 0")
    if workers is not None and (workers < 0 or scheduler is not None):
        msg = "workers"
        raise ArgumentError(msg, workers, "a whole number from 0, without a scheduler")
    if directory is not None:
        root = Path(fspath(directory))
        if any(any((root / part).glob("*")) for part in ("cases", "history")):
            msg = "directory"
            reason = "a directory without a dataset (stale partitions would mix in)"
            raise ArgumentError(msg, str(directory), reason)
    base = attrs.evolve(config, hierarchy=None)  # each task carries its own shard
    total = len(region.cities)
    if workers == 0:
        results = []
        for done, shard in enumerate(region.cities, start=1):
            results.append(run_shard(shard, base, directory))
            if progress is not None:
                progress(done, total)
        return tuple(results)
    return _on_dask(
        region,
        config=base,
        directory=directory,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )


def _on_dask(  # noqa: PLR0913 - simulate_region's arguments, checked
    region: Region,
    *,
    config: SimulationConfig,
    directory: str | PathLike[str] | None,
    workers: int | None,
    scheduler: str | None,
    progress: RegionProgress | None,
) -> tuple[ShardResult, ...]:
    distributed = _distributed()
    target = None if directory is None else fspath(Path(fspath(directory)).absolute())
    cluster = None
    if scheduler is None:
        import dask  # noqa: PLC0415 - installed with distributed

        with dask.config.set(dict(LOCAL_CLUSTER_SETTINGS)):  # the workers start with them
            cluster = distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # no dashboard, and the scheduler's HTTP endpoints on a free port, not Dask's
                # 8787 (two clusters at once clashed on it; a dashboard address of ":0" would
                # import the dashboard, which threads starting clusters at once raced on)
                scheduler_kwargs={"dashboard_address": ":0"},
            )
    try:
        with distributed.Client(scheduler or cluster) as client:
            futures = {
                client.submit(run_shard, shard, config, target, key=f"shard-{shard.code}",
                              pure=False): i
                for i, shard in enumerate(region.cities)
            }  # fmt: skip
            results: list[ShardResult | None] = [None] * len(futures)
            for done, future in enumerate(distributed.as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if progress is not None:
                    progress(done, len(futures))
    finally:
        if cluster is not None:
            cluster.close()
    return tuple(r for r in results if r is not None)
