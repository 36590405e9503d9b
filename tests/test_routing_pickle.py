"""Routing rules and routers pickle with the standard pickle, and unpickling checks again.

Issue 15 asks that everything a task needs pickles; a router is what a worker routes with.
"""

from __future__ import annotations

import pickle

import pytest

from ruian_governance import (
    RULES_2016,
    RULES_2021,
    Category,
    Report,
    Router,
    RoutingRules,
    SeverityTier,
    generate_hierarchy,
    ruian_preset,
)
from ruian_governance.errors import RouteError, UnknownRoutingKindError
from ruian_governance.presets import RULES_2022


@pytest.mark.parametrize("rules", [RULES_2016, RULES_2021, RULES_2022])
def test_rules_round_trip_through_pickle(rules: RoutingRules) -> None:
    """A table unpickles equal, with the same categories found by key."""
    back = pickle.loads(pickle.dumps(rules))
    assert back == rules
    assert back.keys == rules.keys
    assert all(back.category(k) == rules.category(k) for k in rules.keys)


class _Forged:
    """Pickles as a table whose category names a platform kind its preset lacks."""

    def __init__(self, rules: RoutingRules, platform: str) -> None:
        self.rules, self.platform = rules, platform

    def __reduce__(self) -> tuple[object, ...]:
        build, (key, label, preset, categories) = self.rules.__reduce__()
        bad = [
            Category(
                key=c.key,
                label=c.label,
                platform=self.platform,
                station_kinds=c.station_kinds,
            )
            for c in categories
        ]
        return build, (key, label, preset, tuple(bad))


def test_a_forged_pickle_of_rules_is_checked_again() -> None:
    """A pickle naming a kind its preset lacks is refused as the constructor refuses it."""
    assert pickle.loads(pickle.dumps(_Forged(RULES_2016, RULES_2016.categories[0].platform)))
    data = pickle.dumps(_Forged(RULES_2016, "no_such_platform"))
    with pytest.raises(UnknownRoutingKindError):
        pickle.loads(data)


def _outcome(router: Router, report: Report) -> object:
    try:
        return router(report).hops
    except RouteError as error:
        return type(error), str(error)


def test_router_routes_the_same_after_pickle() -> None:
    """Every category and severity from every grid routes to the same hops (or error)."""
    hierarchy = generate_hierarchy(towns=2, villages=2, grids=2, micro_grids=0)
    router = Router(hierarchy, RULES_2021)
    back = pickle.loads(pickle.dumps(router))
    grids = sorted(router.grids)
    assert sorted(back.grids) == grids
    for n, grid in enumerate(grids):
        for key in RULES_2021.keys:
            for tier in SeverityTier:
                report = Report(id=f"r{n}", grid_id=grid, category=key, severity=tier)
                assert _outcome(back, report) == _outcome(router, report)


def test_router_of_the_ruian_preset_pickles() -> None:
    """The Rui'an preset's router unpickles with the same precomputed tails."""
    hierarchy = ruian_preset()
    router = Router(hierarchy, RULES_2021)
    back = pickle.loads(pickle.dumps(router))
    assert back.command_rooms == router.command_rooms
    assert back.town_grids == router.town_grids
