"""Property testing for users: Hypothesis strategies and state machines (the ``hypothesis`` extra).

:mod:`ruian_governance.testing.strategies` draws every public type (hierarchies, rule tables,
reports, lifecycle definitions, cases, command sequences); the state machines here
(:class:`EventMachine`, :class:`DisputeMachine`, :class:`HazardMachine` and the generic
:class:`LifecycleMachine`) fuzz a configuration and check the library's invariants, steered
toward the transitions a run has not taken; :mod:`ruian_governance.testing.budget` holds the
documented budget and runs a machine at it, and :mod:`ruian_governance.testing.plants` a
catalogue of planted wrong rules the machines must find.  Nothing else in the package imports
this subpackage, so the package works without Hypothesis.

Importing it registers the shipped strategies with Hypothesis (``st.from_type(Case)`` draws
valid cases, ``st.from_type(Hierarchy)`` hierarchies; see :mod:`._types`); an installed package
also registers them at Hypothesis' import, through its ``hypothesis`` entry point.
"""

from __future__ import annotations

from ._types import register
from .machines import (
    CaseObserver,
    DisputeMachine,
    EventMachine,
    HazardMachine,
    LifecycleMachine,
    default_hierarchy,
    within_jurisdiction,
)

register()  # st.from_type(Case), st.from_type(Hierarchy), ...: the shipped strategies

__all__ = [
    "CaseObserver",
    "DisputeMachine",
    "EventMachine",
    "HazardMachine",
    "LifecycleMachine",
    "default_hierarchy",
    "within_jurisdiction",
]
