"""The shipped strategies registered with Hypothesis, so ``st.from_type`` draws valid values.

Importing :mod:`ruian_governance.testing` registers them (``st.register_type_strategy``), and
so does Hypothesis itself at its import, through the ``hypothesis`` entry point this package
declares (``_hypothesis_setup_hook``), when the package is installed.  Without them,
``st.from_type(Case)`` would build a case from its fields' types (a case no engine made:
nonsense) and ``st.from_type(Hierarchy)`` would fail.

- :class:`~ruian_governance.Hierarchy`: :func:`~.strategies.hierarchies`;
- :class:`~ruian_governance.Case`: :func:`~.strategies.cases`, freshly opened by the
  built-in engine of :func:`~.machines.default_hierarchy` (design choice: one small world);
- :class:`~ruian_governance.Actor` and :class:`~ruian_governance.Report`: posts and reports of
  that hierarchy; :class:`~ruian_governance.RoutingRules`: rule tables of its platform preset;
  :class:`~ruian_governance.LifecycleDefinition`: :func:`~.strategies.lifecycle_definitions`.

A user's own registration for one of these types replaces the library's (Hypothesis keeps the
last one registered).
"""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

from ruian_governance.lifecycles import Engine, LifecycleDefinition, builtin_engine
from ruian_governance.models import Actor, Case, Hierarchy
from ruian_governance.routing import Report, RoutingRules

from .machines import default_hierarchy
from .strategies import (
    actors,
    cases,
    hierarchies,
    lifecycle_definitions,
    reports,
    routing_rules,
)

__all__ = ["register"]


@cache
def _engine() -> Engine:
    return builtin_engine(default_hierarchy())


def register() -> None:
    """Register the library's strategies for its types with Hypothesis (idempotent)."""
    st.register_type_strategy(Hierarchy, st.deferred(hierarchies))
    st.register_type_strategy(Case, st.deferred(lambda: cases(engine=_engine())))
    st.register_type_strategy(Actor, st.deferred(lambda: actors(hierarchy=_engine().hierarchy)))
    st.register_type_strategy(Report, st.deferred(lambda: reports(hierarchy=_engine().hierarchy)))
    st.register_type_strategy(
        RoutingRules, st.deferred(lambda: routing_rules(preset=_engine().hierarchy.preset))
    )
    st.register_type_strategy(LifecycleDefinition, st.deferred(lifecycle_definitions))


def _hypothesis_setup_hook() -> None:
    """What Hypothesis calls at its import (the ``hypothesis`` entry point): :func:`register`."""
    register()
