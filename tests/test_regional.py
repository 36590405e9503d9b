"""The region's analysis over its dataset equals the in-memory analysis (issue 15 point 4).

A property test on small runs: any seed, days and number of cities, the DuckDB answers over
the partitioned Parquet dataset are the in-memory analysis of the same cases.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruian_governance import SimulationConfig, simulate
from ruian_governance.analysis import (
    DEFAULT_RULES,
    AssessmentRules,
    bundled_assessment,
    escalation_rate,
    on_time_rate,
    repeat_incidents,
    return_rate,
    satisfaction,
    time_to_close,
)
from ruian_governance.errors import AnalysisError, ArgumentError
from ruian_governance.io.dataset import dataset_files, partition_dir
from ruian_governance.sim.region import generate_region
from ruian_governance.sim.regional import RegionalAnalysis
from ruian_governance.sim.sharded import shard_config, simulate_region

pytest.importorskip("duckdb")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    days=st.integers(1, 12),
    cities=st.integers(1, 3),
    rate=st.sampled_from([0.25, 1.0]),
)
def test_dataset_analysis_equals_in_memory(seed: int, days: int, cities: int, rate: float) -> None:
    """Point 4: volumes, on-time, time to close, escalation, return, satisfaction agree."""
    region = generate_region(cities=cities, towns=2, villages=4, grids=8, seed=seed)
    config = SimulationConfig(days=days, seed=seed, reports_per_grid_per_day=rate)
    runs = [simulate(shard_config(config, shard)) for shard in region.cities]
    cases = [c for run in runs for c in run.cases]
    lifecycles = runs[0].lifecycles
    with tempfile.TemporaryDirectory() as root:
        simulate_region(region, config, workers=0, directory=root)
        with RegionalAnalysis(root, lifecycles=lifecycles) as duck:
            for lifecycle in (None, "event", "dispute", "hazard"):
                kw = {"lifecycle": lifecycle, "lifecycles": lifecycles}
                assert duck.on_time_rate(lifecycle=lifecycle) == on_time_rate(cases, **kw)
                assert duck.escalation_rate(lifecycle=lifecycle) == escalation_rate(cases, **kw)
                assert duck.satisfaction(lifecycle=lifecycle) == satisfaction(cases, **kw)
                assert duck.time_to_close(
                    percentiles=(10, 50, 90, 100), lifecycle=lifecycle
                ) == time_to_close(cases, percentiles=(10, 50, 90, 100), **kw)
            assert duck.return_rate() == return_rate(cases, lifecycles=lifecycles)
            for within, least in ((timedelta(days=2), 2), (timedelta(hours=30), 3)):
                assert duck.repeat_incidents(within=within, min_count=least) == repeat_incidents(
                    cases, within=within, min_count=least, lifecycles=lifecycles
                )
            assert duck.volumes("category") == dict(
                sorted(Counter(c.category for c in cases).items())
            )
            assert duck.volumes("lifecycle") == dict(
                sorted(Counter(c.lifecycle for c in cases).items())
            )
            towns: Counter[str] = Counter()
            for run in runs:
                h = run.hierarchy
                for c in run.cases:
                    town = h.town_of(c.location_id)
                    towns[h.city.id if town is None else town.id] += 1
            assert duck.volumes("town_id") == dict(sorted(towns.items()))
            assert duck.volumes("city_code") == {
                shard.code: len(run.cases)
                for shard, run in zip(region.cities, runs, strict=True)
                if run.cases
            }
        if len(runs) > 1 and runs[1].cases:
            with RegionalAnalysis(root, city=region.codes[1], lifecycles=lifecycles) as one:
                assert one.on_time_rate() == on_time_rate(runs[1].cases, lifecycles=lifecycles)


def test_refusals(tmp_path: Path) -> None:
    """Point 4: a directory without a dataset, a bad key or percentile, a bad partition."""
    with pytest.raises(ArgumentError, match="dataset"):
        RegionalAnalysis(tmp_path)
    with pytest.raises(ArgumentError):
        partition_dir(tmp_path, "cases", "../x", "t")
    with pytest.raises(ArgumentError):
        partition_dir(tmp_path, "other", "c", "t")
    with pytest.raises(ArgumentError):
        dataset_files(tmp_path, "other")
    region = generate_region(cities=1, towns=2, villages=4, grids=8, seed=1)
    simulate_region(region, SimulationConfig(days=2), workers=0, directory=tmp_path)
    with RegionalAnalysis(tmp_path) as duck:
        with pytest.raises(AnalysisError):
            duck.volumes("id; DROP TABLE cases")
        with pytest.raises(AnalysisError):
            duck.time_to_close(percentiles=(0,))
        with pytest.raises(AnalysisError):
            duck.repeat_incidents(min_count=1)
        with pytest.raises(AnalysisError):
            duck.repeat_incidents(within=timedelta(0))
    with RegionalAnalysis(tmp_path, city="nowhere'--") as none:
        assert none.on_time_rate().total == 0
        assert none.time_to_close() == {}


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    level=st.sampled_from(["grid", "village"]),
    correction=st.sampled_from(["benjamini-hochberg", "bonferroni"]),
)
def test_hotspots_of_one_city_equal_in_memory(seed: int, level: str, correction: str) -> None:
    """Point 4: a region of one city finds exactly what analysis.hotspots finds."""
    from ruian_governance.analysis import hotspots
    from ruian_governance.models import Level
    from ruian_governance.sim import PlantedHotspot

    region = generate_region(cities=1, towns=2, villages=4, grids=12, seed=seed)
    grid = next(u.id for u in region.cities[0].hierarchy.units if u.level is Level.GRID)
    spot = PlantedHotspot(unit_id=grid, category="public_order", factor=30.0)
    config = SimulationConfig(days=14, seed=seed, hotspots=(spot,))
    run = simulate(shard_config(config, region.cities[0]))
    with tempfile.TemporaryDirectory() as root:
        simulate_region(region, config, workers=0, directory=root)
        with RegionalAnalysis(root, lifecycles=run.lifecycles) as duck:
            found = duck.hotspots(region, level=Level(level), alpha=0.2, correction=correction)
    expected = hotspots(
        run.cases, run.hierarchy, level=Level(level), alpha=0.2, correction=correction,
        lifecycles=run.lifecycles,
    )  # fmt: skip
    assert found == expected


def test_hotspots_one_family_across_the_region() -> None:
    """Point 4: every city's tests form one family (m is the region's), planted one found."""
    from ruian_governance.analysis import adjusted_p_values, hotspots
    from ruian_governance.models import Level
    from ruian_governance.sim import PlantedHotspot

    region = generate_region(cities=3, towns=2, villages=4, grids=12, seed=11)
    grid = next(u.id for u in region.cities[1].hierarchy.units if u.level is Level.GRID)
    spot = PlantedHotspot(unit_id=grid, category="public_order", factor=40.0)
    config = SimulationConfig(days=21, seed=2, hotspots=(spot,))
    runs = [simulate(shard_config(config, s)) for s in region.cities]
    with tempfile.TemporaryDirectory() as root:
        simulate_region(region, config, workers=0, directory=root)
        with RegionalAnalysis(root, lifecycles=runs[0].lifecycles) as duck:
            found = duck.hotspots(region, alpha=0.05)
            with pytest.raises(AnalysisError):
                duck.hotspots(region, level=Level.TOWN)
            with pytest.raises(AnalysisError):
                duck.hotspots(region, correction="holm")
            with pytest.raises(AnalysisError):
                duck.hotspots(region, alpha=1.0)
    assert (grid, "public_order") in {(f.unit_id, f.category) for f in found}
    # the family: every city's tests at alpha just under 1 with Bonferroni give each p-value
    everything = [
        f
        for run in runs
        for f in hotspots(run.cases, run.hierarchy, alpha=0.999_999_999, correction="bonferroni",
                          lifecycles=run.lifecycles)
    ]  # fmt: skip
    assert {(f.unit_id, f.category) for f in found} <= {(f.unit_id, f.category) for f in everything}
    for f in found:  # the region's adjusted p-value is never below the city's own p-value
        assert f.adjusted >= f.p_value
    assert adjusted_p_values([0.01, 0.02], 2, "bonferroni") == [0.02, 0.04]
    with pytest.raises(AnalysisError):
        adjusted_p_values([0.01], 1, "holm")


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    days=st.integers(3, 10),
    cities=st.integers(1, 2),
    rate=st.sampled_from([0.5, 1.5]),
)
def test_bundled_assessment_over_the_dataset_equals_in_memory(
    seed: int, days: int, cities: int, rate: float
) -> None:
    """Point 4: each city's bundled assessment over the dataset equals the in-memory one.

    Scores, deductions, vetoes and panel findings: ``analysis.bundled_assessment`` of the same
    cases (by id; in the run's order the scores agree to rounding).
    """
    region = generate_region(cities=cities, towns=2, villages=4, grids=8, seed=seed)
    config = SimulationConfig(days=days, seed=seed, reports_per_grid_per_day=rate)
    runs = [simulate(shard_config(config, shard)) for shard in region.cities]
    lifecycles = runs[0].lifecycles
    findings = {
        shard.code: [(run.hierarchy.towns[0].id, "a panel finding 监督团发现")] * (seed % 3)
        for shard, run in zip(region.cities, runs, strict=True)
    }
    rules = AssessmentRules(
        deductions=DEFAULT_RULES.deductions, vetoes=DEFAULT_RULES.vetoes, finding_points=2.0
    )
    with tempfile.TemporaryDirectory() as root:
        simulate_region(region, config, workers=0, directory=root)
        with RegionalAnalysis(root, lifecycles=lifecycles) as duck:
            got = duck.bundled_assessment(region, rules=rules, findings=findings)
        with RegionalAnalysis(root, lifecycles=lifecycles, city=region.codes[0]) as one:
            only = one.bundled_assessment(region, rules=rules, findings=findings)
    expected = {
        shard.code: bundled_assessment(
            sorted(run.cases, key=lambda c: c.id), run.hierarchy, rules=rules,
            findings=findings[shard.code], lifecycles=lifecycles,
        )
        for shard, run in zip(region.cities, runs, strict=True)
        if run.cases
    }  # fmt: skip
    assert got == expected
    assert set(only) <= {region.codes[0]}
    assert only == {k: v for k, v in expected.items() if k == region.codes[0]}
    for shard, run in zip(region.cities, runs, strict=True):  # the run's own order: same scores
        if run.cases:
            in_order = bundled_assessment(
                run.cases, run.hierarchy, rules=rules, findings=findings[shard.code],
                lifecycles=lifecycles,
            )  # fmt: skip
            for a, b in zip(got[shard.code].towns, in_order.towns, strict=True):
                assert a.unit_id == b.unit_id
                assert a.score == pytest.approx(b.score)
