"""Hypothesis strategies for the library's types, for users' own property tests.

Needs the optional extra: ``pip install 'ruian_governance[hypothesis]'``.  Nothing else in the
package imports this subpackage, so the package works without Hypothesis.

Every strategy builds valid values directly (``@st.composite``), never by filtering; takes
keyword-only arguments, checks them at once (a bad argument raises when the strategy is built,
not when it is drawn from, with :class:`~ruian_governance.errors.ArgumentError`) and accepts
sub-strategies where a part may vary.  One module per topic; every name is re-exported here:

- the "141" structure (``structure``): :func:`hierarchies`, :func:`units`, :func:`actors`;
- routing (``routing``): :func:`categories`, :func:`routing_rules`, :func:`reports`;
- time (``time``): :func:`datetimes` (biased towards the Spring Festival 春节 and National Day 国庆
  holidays and their make-up workdays 调休), :func:`clocks`, :func:`deadlines`,
  :func:`deadline_policies`;
- lifecycles (``lifecycles``): :func:`lifecycle_definitions` (small random ones, or extensions
  of a given one) and :func:`broken_lifecycle_definitions` (each broken in one named
  :class:`Breakage`);
- cases and commands (``casework``): :func:`cases`, :func:`command_data`, :func:`commands` and
  :func:`command_sequences`, which walk the engine (legal commands, the walk the state machines
  share) and mix in commands refused for one named :class:`Fault`.

>>> from hypothesis import given
>>> from ruian_governance.testing.strategies import hierarchies
>>> @given(hierarchies(max_towns=2))
... def test_city_is_root(h):
...     assert h.parent(h.city.id) is None
>>> test_city_is_root()
"""

from __future__ import annotations

from .casework import (
    DEFAULT_DATA_VALUES,
    DataValues,
    Fault,
    Step,
    cases,
    command_data,
    command_sequences,
    commands,
)
from .lifecycles import (
    Breakage,
    BrokenDefinition,
    broken_lifecycle_definitions,
    lifecycle_definitions,
)
from .routing import categories, reports, routing_rules
from .structure import actors, hierarchies, units
from .time import HOLIDAY_PERIODS, clocks, datetimes, deadline_policies, deadlines

__all__ = [
    "DEFAULT_DATA_VALUES",
    "HOLIDAY_PERIODS",
    "Breakage",
    "BrokenDefinition",
    "DataValues",
    "Fault",
    "Step",
    "actors",
    "broken_lifecycle_definitions",
    "cases",
    "categories",
    "clocks",
    "command_data",
    "command_sequences",
    "commands",
    "datetimes",
    "deadline_policies",
    "deadlines",
    "hierarchies",
    "lifecycle_definitions",
    "reports",
    "routing_rules",
    "units",
]
