"""A region of cities and its sharded run (issue 15 points 1 and 2).

Point 1: shards with id namespaces (real codes where known), ids never collide across shards.
Point 2: the run is one task per city; a shard's output depends on (seed, code) only, so it is
the same one by one without Dask and on Dask with 1 or 2 workers, byte for byte; what a task
needs pickles with the standard pickle.
"""

from __future__ import annotations

import pickle
import threading
from pathlib import Path

import attrs
import pytest

from ruian_governance import SimulationConfig, generate_hierarchy, simulate
from ruian_governance.errors import ArgumentError, SimulationConfigError
from ruian_governance.presets import PLATFORMS_2016, RULES_2016
from ruian_governance.sim.region import (
    RUIAN_CODE,
    WENZHOU_CODES,
    CityShard,
    Region,
    generate_region,
    namespaced,
    shard_seed,
)
from ruian_governance.sim.sharded import (
    LOCAL_CLUSTER_SETTINGS,
    run_shard,
    shard_config,
    simulate_region,
)

SMALL = {"towns": 2, "villages": 4, "grids": 8}


@pytest.fixture(scope="module")
def region() -> Region:
    """Three small generated cities."""
    return generate_region(cities=3, seed=5, **SMALL)


def _ids(shard: CityShard) -> set[str]:
    h = shard.hierarchy
    nodes = (*h.units, h.centre, *h.command_rooms, *h.platforms, *h.stations, *h.departments)
    return {n.id for n in (*nodes, *h.people)}


def test_codes_real_then_generated() -> None:
    """Point 1: Wenzhou's real codes first (Rui'an 330381 among them), then generated ones."""
    region = generate_region(cities=14, towns=2, villages=2, grids=2, seed=0)
    assert region.codes[:12] == tuple(sorted(WENZHOU_CODES))
    assert RUIAN_CODE in region.codes
    assert region.codes[12:] == ("g0001", "g0002")
    assert region.city(RUIAN_CODE).name == "瑞安市"


def test_ids_never_collide(region: Region) -> None:
    """Point 1: generated cities share thousands of ids; namespaced shards share none."""
    plain = [generate_hierarchy(seed=s, micro_grids=0, **SMALL) for s in (1, 2)]
    assert {p.id for p in plain[0].people} & {p.id for p in plain[1].people}
    seen: set[str] = set()
    for shard in region.cities:
        ids = _ids(shard)
        assert all(i.startswith(shard.code + ".") for i in ids)
        assert not ids & seen
        seen |= ids


def test_case_ids_never_collide(region: Region) -> None:
    """Point 1: the cases of two shards carry their codes, so they never share an id."""
    config = SimulationConfig(days=3, seed=1)
    ids = [{c.id for c in simulate(shard_config(config, shard)).cases} for shard in region.cities]
    assert all(ids)
    assert not ids[0] & ids[1]
    assert not ids[1] & ids[2]
    assert all(i[1:].startswith(region.cities[0].code + ".") for i in ids[0])


def test_id_prefix_changes_ids_only() -> None:
    """Point 1: a prefixed run is the same run, its ids aside.

    The mechanisms read a case's lifecycle from its id's first letter: the hazard revisit and
    the evening sweep must still find theirs.
    """
    h = generate_hierarchy(seed=3, micro_grids=0, **SMALL)
    config = SimulationConfig(hierarchy=h, days=30, seed=4, reports_per_grid_per_day=1.0)
    plain = simulate(config)
    prefixed = simulate(attrs.evolve(config, id_prefix="330381."))

    def shape(run: object) -> list[tuple[str, str, tuple[str, ...]]]:
        cases = run.cases  # type: ignore[attr-defined]
        return [(c.lifecycle, c.state, tuple(r.trigger for r in c.history)) for c in cases]

    assert shape(prefixed) == shape(plain)
    assert prefixed.commands == plain.commands
    assert [c.id for c in prefixed.cases] == [c.id[0] + "330381." + c.id[1:] for c in plain.cases]


def test_shard_refuses_foreign_ids() -> None:
    """Point 1: a shard whose hierarchy has an id outside its namespace is refused."""
    h = generate_hierarchy(seed=0, micro_grids=0, **SMALL)
    with pytest.raises(ArgumentError, match="namespace"):
        CityShard(code="g0001", hierarchy=h)
    with pytest.raises(ArgumentError, match="dot"):
        namespaced(h, "33.03")
    with pytest.raises(ArgumentError):
        namespaced(h, "a b")
    shard = CityShard(code="g0001", hierarchy=namespaced(h, "g0001"))
    with pytest.raises(ArgumentError, match="distinct codes"):
        Region(cities=[shard, shard])
    with pytest.raises(ArgumentError, match="at least one"):
        Region(cities=[])
    with pytest.raises(ArgumentError):
        Region(cities=["g0001"])  # type: ignore[list-item]
    with pytest.raises(ArgumentError):
        generate_region(cities=0)
    with pytest.raises(ArgumentError):
        generate_region(cities=True)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="at least 2"):
        generate_region(cities=2, codes=["330381"])


def test_namespaced_is_a_valid_equal_shape() -> None:
    """Point 1: namespacing keeps the shape: same names, levels, kinds and posts' roles."""
    h = generate_hierarchy(seed=0, micro_grids=8, **SMALL)
    n = namespaced(h, RUIAN_CODE)
    assert len(n) == len(h)
    assert [(u.name, u.level) for u in n.units] == [(u.name, u.level) for u in h.units]
    assert [p.posts[0].role for p in n.people] == [p.posts[0].role for p in h.people]
    assert (
        n.town_of(f"{RUIAN_CODE}.{h.units[-1].id}").id
        == f"{RUIAN_CODE}.{h.town_of(h.units[-1].id).id}"
    )  # type: ignore[union-attr]


def test_shard_seed_depends_on_seed_and_code_only() -> None:
    """Point 2: the seed is a pure function of (seed, code), stable across processes."""
    assert shard_seed(0, "330381") == 2455797366829026365  # SHA-256: the same in every process
    assert shard_seed(0, "330381") == shard_seed(0, "330381")
    assert len({shard_seed(s, c) for s in (0, 1) for c in ("330381", "330382")}) == 4


def test_config_pickles() -> None:
    """Point 2: a configuration pickles with the standard pickle (rules, mappings, hierarchy)."""
    h = generate_hierarchy(seed=0, micro_grids=0, preset=PLATFORMS_2016, **SMALL)
    config = SimulationConfig(
        hierarchy=h, rules=RULES_2016, days=2, seed=9, capacities={"police_station": 3}
    )
    again = pickle.loads(pickle.dumps(config))
    assert again == config
    assert again.rules is RULES_2016
    assert again.hierarchy == h
    assert simulate(again).cases == simulate(config).cases


def test_id_prefix_checked() -> None:
    """Point 1: the id prefix is an id (or empty)."""
    for bad in ("a b", 5, None, "x\x00"):
        with pytest.raises(SimulationConfigError, match="id_prefix"):
            SimulationConfig(id_prefix=bad)  # type: ignore[arg-type]


def test_one_by_one_equals_alone(region: Region, tmp_path: Path) -> None:
    """Point 2: the region run one by one gives each shard what it gives alone."""
    config = SimulationConfig(days=3, seed=2)
    results = simulate_region(region, config, workers=0, directory=tmp_path / "a")
    alone = run_shard(region.cities[2], config, tmp_path / "b")
    assert results[2] == alone
    smaller = Region(cities=region.cities[1:])
    assert simulate_region(smaller, config, workers=0)[1].digest == results[2].digest


@pytest.mark.parametrize("workers", [1, 2])
def test_dask_equals_one_by_one(region: Region, tmp_path: Path, workers: int) -> None:
    """Point 2: on a LocalCluster of 1 or 2 workers, byte-identical files and equal runs."""
    pytest.importorskip("distributed")
    config = SimulationConfig(days=3, seed=2)
    plain = simulate_region(region, config, workers=0, directory=tmp_path / "plain")
    seen: list[tuple[int, int]] = []
    dask = simulate_region(
        region,
        config,
        workers=workers,
        directory=tmp_path / "dask",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert dask == plain
    assert seen == [(1, 3), (2, 3), (3, 3)]
    for relative, _ in plain[0].files:
        assert (tmp_path / "dask" / relative).read_bytes() == (
            tmp_path / "plain" / relative
        ).read_bytes()


def test_two_local_clusters_at_once_start_without_a_port_clash(region: Region) -> None:
    """Point 2: two ``simulate_region`` calls at once each start a LocalCluster, no warning.

    Two threads, as two test workers or two callers of a service.  The cluster's HTTP server
    took Dask's fixed port 8787 and the second cluster warned that the port was in use (an
    error under this suite's warnings filter, as in any caller's that turns warnings into
    errors); each now takes a free port.
    """
    pytest.importorskip("distributed")
    config = SimulationConfig(days=1, seed=2)
    smaller = Region(cities=region.cities[:1])
    found: list[object] = []

    def run() -> None:
        try:  # the suite's filter makes Dask's port warning an error
            found.append(simulate_region(smaller, config, workers=1)[0].digest)
        except Exception as error:  # the test reports what went wrong
            found.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    plain = simulate_region(smaller, config, workers=0)[0].digest
    assert found == [plain, plain]


def test_the_local_cluster_starts_its_workers_without_the_sampling_profiler(
    region: Region, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Points 1-2 (speed-up): the workers of simulate_region's LocalCluster do not sample.

    The Dask settings are in force while the cluster starts its workers (which copy them),
    and the caller's settings are as they were afterwards.
    """
    distributed = pytest.importorskip("distributed")
    import dask

    seen: list[object] = []

    class StartedError(Exception):
        """Raised where the cluster would start, so that nothing runs."""

    keys = sorted(LOCAL_CLUSTER_SETTINGS)

    def cluster(*args: object, **kwargs: object) -> None:
        seen.append({key: dask.config.get(key) for key in keys})
        seen.append((kwargs["dashboard_address"], kwargs["scheduler_kwargs"]))
        raise StartedError

    before = {key: dask.config.get(key) for key in keys}
    monkeypatch.setattr(distributed, "LocalCluster", cluster)
    with pytest.raises(StartedError):
        simulate_region(region, SimulationConfig(days=1, seed=2), workers=2)
    assert seen == [dict(LOCAL_CLUSTER_SETTINGS), (None, {"dashboard_address": ":0"})]
    assert LOCAL_CLUSTER_SETTINGS["distributed.worker.profile.enabled"] is False
    assert {key: dask.config.get(key) for key in keys} == before


def test_bad_arguments(region: Region) -> None:
    """Point 2: workers and scheduler are checked before anything runs."""
    with pytest.raises(ArgumentError):
        simulate_region(region, workers=-1)
    with pytest.raises(ArgumentError):
        simulate_region(region, workers=True)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        simulate_region(region, workers=1, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(ArgumentError):
        simulate_region("region", workers=0)  # type: ignore[arg-type]


def test_hotspots_of_other_cities_left_out(region: Region) -> None:
    """Point 2: a region's planted hotspot applies to its own city only."""
    from ruian_governance.sim import PlantedHotspot

    grid = next(u.id for u in region.cities[0].hierarchy.units if u.level.value == "grid")
    spot = PlantedHotspot(unit_id=grid, category="public_order", factor=5.0)
    config = SimulationConfig(days=2, hotspots=(spot,))
    assert shard_config(config, region.cities[0]).hotspots == (spot,)
    assert shard_config(config, region.cities[1]).hotspots == ()
    assert attrs.evolve(shard_config(config, region.cities[1]), hotspots=()).id_prefix == (
        region.cities[1].code + "."
    )


def test_cli_simulate_region(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Point 2: ``simulate-region`` writes the dataset and region.json; options are checked."""
    import json

    from ruian_governance.cli import main

    out = tmp_path / "region"
    args = ["simulate-region", "--out", str(out), "--cities", "2", "--towns", "2"]
    args += ["--villages", "4", "--grids", "8", "--days", "2", "--workers", "0"]
    assert main(args) == 0
    written = json.loads((out / "region.json").read_text(encoding="utf-8"))
    assert [s["code"] for s in written["shards"]] == ["330302", "330303"]
    assert "cases ->" in capsys.readouterr().out
    assert main(args) == 2  # the directory already holds a dataset
    assert main([*args[:-2], "--workers", "1", "--scheduler", "tcp://127.0.0.1:1"]) == 2


def test_stale_dataset_refused(region: Region, tmp_path: Path) -> None:
    """Point 4: a directory that already holds a dataset is refused before anything runs."""
    simulate_region(region, SimulationConfig(days=1), workers=0, directory=tmp_path)
    before = sorted(p.stat().st_mtime_ns for p in tmp_path.rglob("*.parquet"))
    with pytest.raises(ArgumentError, match="without a dataset"):
        simulate_region(region, SimulationConfig(days=1), workers=0, directory=tmp_path)
    assert sorted(p.stat().st_mtime_ns for p in tmp_path.rglob("*.parquet")) == before


def test_lazy_shards_equal_built_ones(region: Region, tmp_path: Path) -> None:
    """Point 2: a city the worker builds (generated, or read from a file) runs the same."""
    from ruian_governance.io import dumps
    from ruian_governance.sim.region import GeneratedCity, HierarchyFile

    lazy = generate_region(cities=3, seed=5, lazy=True, **SMALL)
    assert all(isinstance(c, GeneratedCity) for c in lazy.cities)
    assert pickle.loads(pickle.dumps(lazy)) == lazy
    config = SimulationConfig(days=3, seed=2)
    assert simulate_region(lazy, config, workers=0) == simulate_region(region, config, workers=0)
    plain = generate_hierarchy(seed=0, micro_grids=0, **SMALL)
    path = tmp_path / "h.json"
    path.write_text(dumps(plain), encoding="utf-8")
    from_file = HierarchyFile(code="g0009", path=str(path))
    built = CityShard(code="g0009", hierarchy=namespaced(plain, "g0009"))
    assert from_file.build() == built
    assert run_shard(from_file, config) == run_shard(built, config)
    spaced = tmp_path / "spaced.json"
    spaced.write_text(dumps(built.hierarchy), encoding="utf-8")
    assert HierarchyFile(code="g0009", path=str(spaced)).build() == built
    with pytest.raises(ArgumentError):
        GeneratedCity(code="a.b")
    with pytest.raises(ArgumentError):
        Region(cities=[from_file, built])  # one code twice
