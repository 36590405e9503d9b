"""A hostile caller of the run's shared state (sim.state.RunState), which mechanisms use.

Every refusal is a typed error of the package and changes nothing: no case is held, no id
number is used up, no command is counted.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from ruian_governance import SimulationConfig, generate_hierarchy
from ruian_governance.errors import ArgumentError, RuianGovernanceError, UnknownIdError
from ruian_governance.models import Hierarchy, Level
from ruian_governance.presets import with_staff
from ruian_governance.sim.state import RunState

NOW = datetime(2025, 3, 3, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def staffed() -> Hierarchy:
    """A small staffed city (as a run staffs its hierarchy)."""
    return with_staff(generate_hierarchy(towns=1, villages=2, grids=4, micro_grids=0, seed=0))


def _state(h: Hierarchy) -> RunState:
    return RunState(SimulationConfig(hierarchy=h, days=1, seed=1), h)


def _untouched(state: RunState) -> None:
    assert len(state.store) == 0
    assert (state.commands, state.finished, dict(state.open), dict(state.sweepable)) == (
        0,
        [],
        {},
        {},
    )


@pytest.mark.parametrize("config", [None, "config", 3, {"days": 1}, math.nan])
def test_a_state_needs_a_configuration(staffed: Hierarchy, config: object) -> None:
    """Anything but a SimulationConfig is an ArgumentError, not an AttributeError."""
    with pytest.raises(ArgumentError):
        RunState(config, staffed)  # type: ignore[arg-type]


@pytest.mark.parametrize("hierarchy", [None, "hierarchy", 3, {"units": []}])
def test_a_state_needs_a_hierarchy(hierarchy: object) -> None:
    """Anything but a Hierarchy is an ArgumentError."""
    with pytest.raises(ArgumentError):
        RunState(SimulationConfig(days=1), hierarchy)  # type: ignore[arg-type]


@pytest.mark.parametrize("lifecycle", ["incident", "", None, 1, ("event",), "EVENT"])
def test_open_case_refuses_a_lifecycle_it_does_not_number(
    staffed: Hierarchy, lifecycle: object
) -> None:
    """A lifecycle other than event, dispute or hazard: ArgumentError, not KeyError."""
    state = _state(staffed)
    with pytest.raises(ArgumentError):
        state.open_case(lifecycle)  # type: ignore[arg-type]
    _untouched(state)


def test_a_refused_opening_uses_up_no_id_number(staffed: Hierarchy) -> None:
    """The engine refuses the opening: the next case still takes number 1."""
    state = _state(staffed)
    grid = staffed.units_at(Level.GRID)[0].id
    with pytest.raises(RuianGovernanceError):
        state.open_report("event", NOW, grid, "no-such-category-\x00")
    with pytest.raises(RuianGovernanceError):
        state.open_report("event", datetime(2025, 3, 3, 9), grid, "public_order")  # naive
    _untouched(state)
    case_id = state.open_report("event", NOW, grid, "public_order")
    assert case_id.endswith("0000001")
    assert list(state.open) == [case_id]


@pytest.mark.parametrize("grid", ["nowhere", "", None, ["g"], math.nan])
def test_open_report_refuses_a_place_without_a_grid_worker(
    staffed: Hierarchy, grid: object
) -> None:
    """An unknown or unhashable grid: UnknownIdError, not KeyError or TypeError."""
    state = _state(staffed)
    with pytest.raises(UnknownIdError):
        state.open_report("event", NOW, grid, "public_order")  # type: ignore[arg-type]
    _untouched(state)
