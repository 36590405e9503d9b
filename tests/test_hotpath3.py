"""The simulation's hot path, third pass (issue 15: "cost per event at 1M events in one city").

Each speed-up answers what the plain code answered: the tests compare them with it.
"""

from __future__ import annotations

import pickle

import pytest

from ruian_governance import Hierarchy, generate_hierarchy
from ruian_governance.errors import UnknownIdError
from ruian_governance.presets import ruian_preset


def _scanned(h: Hierarchy, unit_id: str) -> tuple[object, ...]:
    """``shared_courts_of`` as it was: a scan of every shared court of the hierarchy."""
    town = h.town_of(h.node(unit_id).id)
    if town is None:
        return ()
    return tuple(v for v in h.shared_courts if h.town_of(v.id) == town)


@pytest.mark.parametrize(
    "hierarchy",
    [generate_hierarchy(towns=4, villages=8, grids=16, micro_grids=32, seed=2), ruian_preset()],
    ids=["generated", "ruian"],
)
def test_shared_courts_of_a_town_are_those_the_scan_found(hierarchy: Hierarchy) -> None:
    """Point 2 (cost per event independent of the city's size): a table, not a scan.

    ``shared_courts_of`` looks the town up in a table built once instead of scanning every
    shared court of the city (a scan per dispute, 700 courts long in a million-event city);
    same courts, same order, for every unit and organisation, also after a pickle round trip.
    """
    ids = [u.id for u in hierarchy.units] + [v.id for v in hierarchy.shared_courts]
    ids += [s.id for s in hierarchy.stations]
    copied = pickle.loads(pickle.dumps(hierarchy))
    hierarchy.shared_courts_of(hierarchy.towns[0].id)
    built = hierarchy._index.venues  # the table, built once on first use
    assert built is not None
    for unit_id in ids:
        expected = _scanned(hierarchy, unit_id)
        assert hierarchy.shared_courts_of(unit_id) == expected
        assert copied.shared_courts_of(unit_id) == expected
    assert any(hierarchy.shared_courts_of(i) for i in ids)
    assert hierarchy._index.venues is built  # not built again


def test_shared_courts_of_an_unknown_unit_is_refused() -> None:
    """Point 2: the table changes no refusal: an unknown or unhashable id is still refused."""
    h = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=0)
    for bad in ("nowhere", "", None, 3.5):
        with pytest.raises(UnknownIdError):
            h.shared_courts_of(bad)  # type: ignore[arg-type]
