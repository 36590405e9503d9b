"""Property tests of the hierarchy, using the package's own strategies."""

from __future__ import annotations

import json

from hypothesis import given

from ruian_governance import Hierarchy, Level
from ruian_governance.io import from_document, to_document
from ruian_governance.testing.strategies import hierarchies


@given(hierarchies())
def test_generated_hierarchies_always_validate(h: Hierarchy) -> None:
    """Invariant: rebuilding any generated hierarchy from its parts validates again."""
    rebuilt = Hierarchy(
        preset=h.preset,
        units=list(h.units),
        centre=h.centre,
        command_rooms=list(h.command_rooms),
        platforms=list(h.platforms),
        stations=list(h.stations),
        departments=list(h.departments),
        people=list(h.people),
        courts=list(h.courts),
        tribunals=list(h.tribunals),
        shared_courts=list(h.shared_courts),
    )
    assert rebuilt == h


@given(hierarchies())
def test_json_round_trip_is_identity(h: Hierarchy) -> None:
    """Invariant: to dict, through json text, and back gives an equal hierarchy."""
    text = json.dumps(to_document(h), ensure_ascii=False)
    assert from_document(json.loads(text), Hierarchy) == h


@given(hierarchies())
def test_every_ancestor_chain_ends_at_the_city(h: Hierarchy) -> None:
    """Invariant: every unit's ancestors climb one level at a time and end at the city."""
    for unit in h.units:
        chain = h.ancestors(unit.id)
        assert [u.level.depth for u in chain] == list(range(unit.level.depth - 1, -1, -1))
        if chain:
            assert chain[-1] == h.city


@given(hierarchies())
def test_town_of_agrees_with_ancestors(h: Hierarchy) -> None:
    """Invariant: town_of() (an O(1) table) equals the town found by climbing the tree."""
    for unit in h.units:
        climbed = [u for u in (unit, *h.ancestors(unit.id)) if u.level is Level.TOWN]
        assert h.town_of(unit.id) == (climbed[0] if climbed else None)
