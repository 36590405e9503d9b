"""Strategies for lifecycle definitions: valid ones (small, or extensions) and broken ones.

Part of :mod:`ruian_governance.testing.strategies`, which re-exports every public name here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
from hypothesis import strategies as st

from ruian_governance.errors import (
    AmbiguousTransitionError,
    ArgumentError,
    DuplicateKeyError,
    FinalStateExitError,
    InitialStateError,
    LifecycleDefinitionError,
    TrapStateError,
    UnknownReferenceError,
    UnreachableStateError,
)
from ruian_governance.labels import Label
from ruian_governance.lifecycles import (
    Jurisdiction,
    LifecycleDefinition,
    Severity,
    State,
    Transition,
    Trigger,
)
from ruian_governance.models import BUILTIN_ROLES, Level
from ruian_governance.testing._args import check_bound, need_type, sampled

from .time import deadline_policies

__all__ = ["Breakage", "BrokenDefinition", "broken_lifecycle_definitions", "lifecycle_definitions"]


def _label(en: str, zh: str) -> Label:
    return Label(en=en, zh=zh)


_DATA_KEYS = ("reason", "result", "note")
_OPENERS = frozenset({"grid_worker", "micro_grid_worker", "grid_leader"})


def _role_pool(roles: Iterable[str] | None) -> tuple[str, ...]:
    pool = tuple(sorted(BUILTIN_ROLES if roles is None else roles))
    unknown = set(pool) - set(BUILTIN_ROLES)
    if unknown:
        reason = "built-in role keys; these are unknown"
        raise ArgumentError(argument="roles", value=sorted(unknown), reason=reason)
    if not pool:
        raise ArgumentError(argument="roles", value=pool, reason="some built-in role keys")
    return pool


def _transition(
    draw: st.DrawFn, pool: Sequence[str], trigger: str, source: str, dest: str | None
) -> Transition:
    return Transition(
        trigger=trigger,
        sources=(source,),
        dest=dest,
        roles=draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True)),
        jurisdiction=draw(st.sampled_from(Jurisdiction)),
        requires=draw(st.lists(st.sampled_from(_DATA_KEYS), max_size=1)),
        accepts=draw(st.lists(st.sampled_from(_DATA_KEYS), max_size=1)),
    )


def _small_definition(  # noqa: PLR0913 - the drawing context and every bound
    draw: st.DrawFn,
    *,
    key: str,
    pool: Sequence[str],
    min_states: int,
    max_states: int,
    max_finals: int,
    severities: bool | None,
) -> LifecycleDefinition:
    count = draw(st.integers(min_states, max_states), label="states")
    finals = draw(st.integers(1, min(max_finals, count - 1)), label="final_states")
    open_keys = [f"s{i}" for i in range(count - finals)]
    final_keys = [f"f{j}" for j in range(finals)]
    edges: list[tuple[str, str | None]] = []
    has_exit: set[str] = set()
    for i in range(1, len(open_keys)):  # a random tree from the initial state
        parent = open_keys[draw(st.integers(0, i - 1), label="parent")]
        edges.append((parent, open_keys[i]))
        has_exit.add(parent)
    for final in final_keys:  # every final state reached
        source = draw(st.sampled_from(open_keys), label="into_final")
        edges.append((source, final))
        has_exit.add(source)
    edges.extend(  # every leaf of the tree can finish
        (leaf, draw(st.sampled_from(final_keys), label="finish"))
        for leaf in open_keys
        if leaf not in has_exit
    )
    for _ in range(draw(st.integers(0, 3), label="extra_edges")):  # loops, shortcuts, stays
        source = draw(st.sampled_from(open_keys))
        dest = draw(st.one_of(st.none(), st.sampled_from(open_keys + final_keys)))
        edges.append((source, dest))
    transitions = [
        Transition(
            trigger="open",
            sources=(),
            dest="s0",
            roles=draw(
                st.lists(
                    st.sampled_from(sorted(_OPENERS & set(pool)) or pool),
                    min_size=1,
                    max_size=2,
                    unique=True,
                ),
                label="openers",
            ),
            jurisdiction=draw(st.sampled_from([Jurisdiction.LOCATION, Jurisdiction.ANY])),
        ),
        *(_transition(draw, pool, f"t{n}", source, dest) for n, (source, dest) in enumerate(edges)),
    ]
    with_severities = draw(st.booleans(), label="severities") if severities is None else severities
    tiers = ("ordinary", "larger", "major") if with_severities else ()
    return LifecycleDefinition(
        key=key,
        label=_label(key, f"生成的流程{key}"),
        states=[
            State(key=k, label=_label(k, f"状态{k}"), initial=k == "s0", final=k in final_keys)
            for k in open_keys + final_keys
        ],
        triggers=[
            Trigger(key=t.trigger, label=_label(t.trigger, f"操作{t.trigger}")) for t in transitions
        ],
        transitions=transitions,
        severities=[Severity(key=k, label=_label(k, f"等级{k}")) for k in tiers],
        deadlines=draw(deadline_policies(severities=tiers), label="deadlines"),
        holder_level=draw(st.sampled_from([Level.TOWN, Level.VILLAGE]), label="holder_level"),
    )


def _extension(draw: st.DrawFn, base: LifecycleDefinition, key: str) -> LifecycleDefinition:
    pool = sorted(base.role_keys)
    open_states = [s.key for s in base.states if not s.final]
    all_states = [s.key for s in base.states]
    extra = f"extra_{draw(st.integers(0, 9), label='extra')}"
    while extra in all_states:
        extra += "_"
    states = [State(key=extra, label=_label(extra, "新增状态"))]
    transitions = [
        _transition(draw, pool, f"enter_{extra}", draw(st.sampled_from(open_states)), extra),
        _transition(draw, pool, f"leave_{extra}", extra, draw(st.sampled_from(all_states))),
    ]
    if draw(st.booleans(), label="extra_final"):
        states.append(State(key=f"{extra}_final", label=_label("ended", "终结"), final=True))
        transitions.append(
            _transition(draw, pool, f"end_{extra}", draw(st.sampled_from(open_states)),
                        f"{extra}_final")
        )  # fmt: skip
    extended = base.extend(
        key=key,
        states=states,
        triggers=[Trigger(key=t.trigger, label=_label(t.trigger, "新增操作")) for t in transitions],
        transitions=transitions,
    )
    if draw(st.booleans(), label="allow"):
        trigger = draw(st.sampled_from(sorted({t.trigger for t in base.transitions})))
        extended = extended.allow(trigger, draw(st.sampled_from(pool)))
    return extended


def lifecycle_definitions(  # noqa: PLR0913 - keyword-only bounds, as in Hypothesis' own strategies
    *,
    base: LifecycleDefinition | st.SearchStrategy[LifecycleDefinition] | None = None,
    min_states: int = 2,
    max_states: int = 6,
    max_finals: int = 2,
    roles: Iterable[str] | None = None,
    severities: bool | None = None,
    key: str | None = None,
) -> st.SearchStrategy[LifecycleDefinition]:
    """Generate valid :class:`~ruian_governance.LifecycleDefinition` objects, built directly.

    Without ``base``: a small random definition with states ``s0`` (initial) ... and final
    states ``f0`` ...: a random tree of transitions from the initial state, every final state
    entered, every leaf able to finish, plus a few extra loops, shortcuts and stays; an opening
    trigger ``open`` for grid roles; random roles, jurisdictions and required data; optionally
    severities with a drawn deadline policy.  With ``base``: an extension of it (e.g. of a
    built-in lifecycle) by one extra state entered from and leaving to existing states, maybe
    an extra final state, and maybe one more role allowed on an existing trigger.

    Args:
        base: A definition (or strategy of them) to extend instead of drawing from scratch.
        min_states: Fewest states of a small definition (at least 2: one initial, one final).
        max_states: Most states of a small definition.
        max_finals: Most final states of a small definition.
        roles: Built-in role keys the transitions of a small definition draw from.
        severities: With severity tiers ``ordinary / larger / major`` always, never, or either.
        key: The key of the drawn definition (default: ``"drawn"``, or the key of ``base``).

    Raises:
        ArgumentError: Bounds that make no definition, unknown roles, an empty key or a
            ``base`` that is not a definition.

    >>> from hypothesis import given
    >>> from ruian_governance import EVENT_LIFECYCLE
    >>> @given(lifecycle_definitions(base=EVENT_LIFECYCLE, key="event_plus"))
    ... def test_extensions_keep_the_built_in_states(definition):
    ...     assert {s.key for s in EVENT_LIFECYCLE.states} < {s.key for s in definition.states}
    >>> test_extensions_keep_the_built_in_states()
    """
    check_bound("min_states", min_states, 2)
    check_bound("max_states", max_states, min_states)
    check_bound("max_finals", max_finals, 1)
    pool = _role_pool(roles)
    if key is not None and not key:
        raise ArgumentError(argument="key", value=key, reason="a non-empty key")
    if base is not None and not isinstance(base, st.SearchStrategy):
        need_type("base", base, LifecycleDefinition)
    bases = base if isinstance(base, st.SearchStrategy) or base is None else st.just(base)

    @st.composite
    def build(draw: st.DrawFn) -> LifecycleDefinition:
        if bases is not None:
            base_drawn = draw(bases, label="base")
            return _extension(draw, base_drawn, base_drawn.key if key is None else key)
        return _small_definition(
            draw,
            key="drawn" if key is None else key,
            pool=pool,
            min_states=min_states,
            max_states=max_states,
            max_finals=max_finals,
            severities=severities,
        )

    return build()


class Breakage(enum.Enum):
    """One way a lifecycle definition is broken, and the error the validator raises for it."""

    DUPLICATE_STATE = "duplicate_state"
    UNKNOWN_STATE = "unknown_state"
    NO_ROLES = "no_roles"
    NO_INITIAL_STATE = "no_initial_state"
    TWO_INITIAL_STATES = "two_initial_states"
    EXIT_FROM_FINAL_STATE = "exit_from_final_state"
    AMBIGUOUS_TRANSITION = "ambiguous_transition"
    UNREACHABLE_STATE = "unreachable_state"
    TRAP_STATE = "trap_state"

    @property
    def error(self) -> type[LifecycleDefinitionError]:
        """The :class:`~ruian_governance.LifecycleDefinitionError` subclass it must raise."""
        return _BREAKAGE_ERRORS[self]


_BREAKAGE_ERRORS: Mapping[Breakage, type[LifecycleDefinitionError]] = {
    Breakage.DUPLICATE_STATE: DuplicateKeyError,
    Breakage.UNKNOWN_STATE: UnknownReferenceError,
    Breakage.NO_ROLES: UnknownReferenceError,
    Breakage.NO_INITIAL_STATE: InitialStateError,
    Breakage.TWO_INITIAL_STATES: InitialStateError,
    Breakage.EXIT_FROM_FINAL_STATE: FinalStateExitError,
    Breakage.AMBIGUOUS_TRANSITION: AmbiguousTransitionError,
    Breakage.UNREACHABLE_STATE: UnreachableStateError,
    Breakage.TRAP_STATE: TrapStateError,
}


@attrs.frozen(kw_only=True)
class BrokenDefinition:
    """The arguments of a lifecycle definition broken in one named way.

    Args:
        breakage: How it is broken.
        arguments: Keyword arguments for :class:`~ruian_governance.LifecycleDefinition`.
        original: The valid definition it was made from.
    """

    breakage: Breakage
    arguments: Mapping[str, Any] = attrs.field(repr=False)
    original: LifecycleDefinition = attrs.field(repr=False)

    def build(self) -> LifecycleDefinition:
        """Construct the definition, which raises ``self.breakage.error``.

        Raises:
            LifecycleDefinitionError: Always (the subclass named by the breakage).
        """
        return LifecycleDefinition(**self.arguments)


def _arguments(d: LifecycleDefinition) -> dict[str, Any]:
    return {
        "key": d.key,
        "label": d.label,
        "states": d.states,
        "triggers": d.triggers,
        "transitions": d.transitions,
        "severities": d.severities,
        "deadlines": d.deadlines,
        "holder_level": d.holder_level,
        "roles": d.roles,
    }


def _break(draw: st.DrawFn, d: LifecycleDefinition, breakage: Breakage) -> dict[str, Any]:  # noqa: PLR0911 - one way per breakage
    args = _arguments(d)
    states: tuple[State, ...] = d.states
    open_states = [s for s in states if not s.final]
    final_states = [s for s in states if s.final]
    moves = [t for t in d.transitions if not t.opening]
    pool = sorted(d.role_keys)

    def new_trigger(name: str) -> tuple[Trigger, ...]:
        return (*d.triggers, Trigger(key=name, label=_label(name, "坏操作")))

    def edge(trigger: str, source: str | None, dest: str | None) -> Transition:
        return Transition(
            trigger=trigger,
            sources=() if source is None else (source,),
            dest=dest,
            roles=(draw(st.sampled_from(pool)),),
            jurisdiction=Jurisdiction.ANY,
        )

    if breakage is Breakage.DUPLICATE_STATE:
        return {**args, "states": (*states, draw(st.sampled_from(states)))}
    if breakage is Breakage.UNKNOWN_STATE:
        source = draw(st.sampled_from(open_states)).key
        return {
            **args,
            "triggers": new_trigger("go_nowhere"),
            "transitions": (*d.transitions, edge("go_nowhere", source, "no_such_state")),
        }
    if breakage is Breakage.NO_ROLES:
        victim = draw(st.sampled_from(d.transitions))
        return {
            **args,
            "transitions": tuple(
                attrs.evolve(t, roles=()) if t is victim else t for t in d.transitions
            ),
        }
    if breakage is Breakage.NO_INITIAL_STATE:
        return {**args, "states": tuple(attrs.evolve(s, initial=False) for s in states)}
    if breakage is Breakage.TWO_INITIAL_STATES:
        candidates = [s for s in states if not s.initial]
        second = draw(st.sampled_from(candidates))
        return {
            **args,
            "states": tuple(attrs.evolve(s, initial=True) if s is second else s for s in states),
        }
    if breakage is Breakage.EXIT_FROM_FINAL_STATE:
        final = draw(st.sampled_from(final_states)).key
        return {
            **args,
            "triggers": new_trigger("reopen_final"),
            "transitions": (*d.transitions, edge("reopen_final", final, d.initial.key)),
        }
    if breakage is Breakage.AMBIGUOUS_TRANSITION:
        copied = draw(st.sampled_from(moves))
        source = draw(st.sampled_from(copied.sources))
        return {
            **args,
            "transitions": (*d.transitions, edge(copied.trigger, source, None)),
        }
    name = "orphan" if breakage is Breakage.UNREACHABLE_STATE else "trap"
    while any(s.key == name for s in states):
        name += "_"
    extra = State(key=name, label=_label(name, "坏状态"))
    if breakage is Breakage.UNREACHABLE_STATE:
        new = edge(f"leave_{name}", name, draw(st.sampled_from(final_states)).key)
    else:  # TRAP_STATE
        new = edge(f"enter_{name}", draw(st.sampled_from(open_states)).key, name)
    return {
        **args,
        "states": (*states, extra),
        "triggers": new_trigger(new.trigger),
        "transitions": (*d.transitions, new),
    }


def broken_lifecycle_definitions(
    *,
    definitions: st.SearchStrategy[LifecycleDefinition] | None = None,
    breakages: Iterable[Breakage] = tuple(Breakage),
) -> st.SearchStrategy[BrokenDefinition]:
    """Generate lifecycle definitions broken in exactly one named way, for testing validators.

    Each draw takes a valid definition and breaks it by one :class:`Breakage` (a duplicated
    state, a transition to an unknown state or without roles, no or two initial states, an
    exit from a final state, two transitions for one state and trigger, an unreachable state,
    a trap state), chosen so that the validator's first failing rule is that one: building it
    always raises ``breakage.error``.

    Args:
        definitions: The valid definitions to break (default: :func:`lifecycle_definitions`).
        breakages: The ways to break them.

    Raises:
        ArgumentError: ``breakages`` is empty, or ``definitions`` is not a strategy.

    >>> import pytest
    >>> from hypothesis import given
    >>> @given(broken_lifecycle_definitions())
    ... def test_the_validator_rejects_every_breakage(broken):
    ...     with pytest.raises(broken.breakage.error):
    ...         broken.build()
    >>> test_the_validator_rejects_every_breakage()
    """
    chosen = sampled(breakages, "breakages")
    valid = lifecycle_definitions() if definitions is None else definitions
    need_type("definitions", valid, st.SearchStrategy)

    @st.composite
    def build(draw: st.DrawFn) -> BrokenDefinition:
        original = draw(valid, label="definition")
        breakage = draw(chosen, label="breakage")
        return BrokenDefinition(
            breakage=breakage, arguments=_break(draw, original, breakage), original=original
        )

    return build()
