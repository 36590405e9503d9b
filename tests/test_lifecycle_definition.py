"""Lifecycle definitions: structural validation, extension, export, and the shared machine."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruian_governance import (
    BUILTIN_LIFECYCLES,
    EVENT_LIFECYCLE,
    Jurisdiction,
    Label,
    LifecycleDefinition,
    Role,
    State,
    Transition,
    Trigger,
    UnitKind,
)
from ruian_governance.errors import (
    AmbiguousTransitionError,
    DuplicateKeyError,
    FinalStateExitError,
    InitialStateError,
    LifecycleDefinitionError,
    TrapStateError,
    UnknownReferenceError,
    UnreachableStateError,
)


def lab(text: str) -> Label:
    """A label with the same text in both languages."""
    return Label(en=text, zh=text)


def st_(key: str, **flags: bool) -> State:
    """A state labelled with its key."""
    return State(key=key, label=lab(key), **flags)


def tr(
    trigger: str, sources: tuple[str, ...], dest: str | None, roles: Any = "grid_worker"
) -> Transition:
    """A transition any grid worker may fire anywhere."""
    return Transition(
        trigger=trigger, sources=sources, dest=dest, roles=roles, jurisdiction=Jurisdiction.ANY
    )


def define(states: list[State], transitions: list[Transition], **extra: Any) -> LifecycleDefinition:
    """A definition named demo declaring every trigger its transitions use."""
    triggers = sorted({t.trigger for t in transitions})
    return LifecycleDefinition(
        key="demo",
        label=lab("demo"),
        states=states,
        triggers=[Trigger(key=t, label=lab(t)) for t in triggers],
        transitions=transitions,
        **extra,
    )


GOOD_STATES = [st_("a", initial=True), st_("b"), st_("z", final=True)]
GOOD_TRANSITIONS = [tr("go", ("a",), "b"), tr("end", ("b",), "z")]


def test_a_valid_definition_builds() -> None:
    """A well-formed definition builds and compiles its table."""
    d = define(GOOD_STATES, GOOD_TRANSITIONS)
    assert d.next_state("a", "go") == "b"
    assert d.initial.key == "a"
    assert d.final_states == {"z"}


@pytest.mark.parametrize(
    ("states", "transitions", "error", "keys"),
    [
        (
            [st_("a"), st_("z", final=True)],
            [tr("end", ("a",), "z")],
            InitialStateError,
            ("<none>",),
        ),
        (
            [st_("a", initial=True), st_("b", initial=True), st_("z", final=True)],
            [tr("end", ("a", "b"), "z")],
            InitialStateError,
            ("a", "b"),
        ),
        (
            [*GOOD_STATES],
            [*GOOD_TRANSITIONS, tr("reopen", ("z",), "a")],
            FinalStateExitError,
            ("z/reopen",),
        ),
        (
            [*GOOD_STATES, st_("island")],
            [*GOOD_TRANSITIONS, tr("leave", ("island",), "z")],
            UnreachableStateError,
            ("island",),
        ),
        (
            [*GOOD_STATES, st_("stuck")],
            [*GOOD_TRANSITIONS, tr("fall", ("a",), "stuck"), tr("spin", ("stuck",), None)],
            TrapStateError,
            ("stuck",),
        ),
        (
            [*GOOD_STATES],
            [*GOOD_TRANSITIONS, tr("go", ("a",), "nowhere")],
            UnknownReferenceError,
            ("nowhere",),
        ),
        (
            [*GOOD_STATES],
            [*GOOD_TRANSITIONS, tr("fly", ("a",), "z", roles="pilot")],
            UnknownReferenceError,
            ("pilot",),
        ),
        ([*GOOD_STATES, st_("a")], GOOD_TRANSITIONS, DuplicateKeyError, ("a",)),
        (
            [*GOOD_STATES],
            [*GOOD_TRANSITIONS, tr("go", ("a",), "z")],
            AmbiguousTransitionError,
            ("a/go",),
        ),
    ],
    ids=[
        "no-initial",
        "two-initials",
        "exit-from-final",
        "unreachable",
        "trap",
        "unknown-state",
        "unknown-role",
        "duplicate-state",
        "ambiguous",
    ],
)
def test_each_structural_rule_has_its_error(
    states: list[State],
    transitions: list[Transition],
    error: type[LifecycleDefinitionError],
    keys: tuple[str, ...],
) -> None:
    """Each broken rule raises its own subclass, naming the offending keys, and builds nothing."""
    with pytest.raises(error) as info:
        define(states, transitions)
    assert info.value.keys == keys
    assert info.value.lifecycle == "demo"
    assert isinstance(info.value, ValueError)


def test_unknown_trigger_is_refused() -> None:
    """A transition whose trigger is not declared is an unknown reference."""
    with pytest.raises(UnknownReferenceError) as info:
        LifecycleDefinition(
            key="demo", label=lab("demo"), states=GOOD_STATES,
            triggers=[Trigger(key="go", label=lab("go"))], transitions=GOOD_TRANSITIONS,
        )  # fmt: skip
    assert info.value.keys == ("end",)


def test_opening_transition_must_lead_to_the_initial_state() -> None:
    """An opening transition (no sources) into another state breaks the initial-state rule."""
    with pytest.raises(InitialStateError):
        define(GOOD_STATES, [*GOOD_TRANSITIONS, tr("open", (), "b")])


def test_roles_added_by_a_lifecycle_are_known() -> None:
    """A lifecycle may introduce roles of its own; its transitions may then name them."""
    pilot = Role(key="pilot", label=lab("pilot"), unit_kinds={UnitKind.GRID})
    d = define(
        GOOD_STATES, [*GOOD_TRANSITIONS, tr("fly", ("a",), "z", roles="pilot")], roles=[pilot]
    )
    assert "pilot" in d.role_keys


def test_extend_adds_a_state_and_keeps_the_checks() -> None:
    """extend() returns a validated copy; a broken extension raises like any definition."""
    extended = EVENT_LIFECYCLE.extend(
        key="event_archived",
        states=[State(key="archived", label=lab("archived"), final=True)],
        triggers=[Trigger(key="archive", label=lab("archive"))],
        transitions=[
            Transition(trigger="archive", sources=("closed",), dest="archived",
                       roles={"command_room_operator"}, jurisdiction=Jurisdiction.HOLDER)
        ],
    )  # fmt: skip
    assert extended.next_state("closed", "archive") == "archived"
    assert EVENT_LIFECYCLE.next_state("closed", "archive") is None
    with pytest.raises(UnreachableStateError):
        EVENT_LIFECYCLE.extend(states=[State(key="limbo", label=lab("limbo"), final=True)])


def test_extend_can_remove_a_trigger() -> None:
    """remove_triggers drops a side path, e.g. solving on the spot."""
    strict = EVENT_LIFECYCLE.extend(key="strict", remove_triggers=["solve_on_spot"])
    assert strict.next_state("reported", "solve_on_spot") is None
    assert "solve_on_spot" not in {t.key for t in strict.triggers}


def test_allow_adds_a_role_to_a_trigger() -> None:
    """allow() lets another role fire a trigger; an unknown trigger is refused."""
    d = EVENT_LIFECYCLE.allow("close", "centre_officer", "village_cadre")
    transition = d.transition("verified", "close")
    assert transition is not None
    assert "village_cadre" in transition.roles
    with pytest.raises(UnknownReferenceError):
        EVENT_LIFECYCLE.allow("teleport", "grid_worker")


@pytest.mark.parametrize("definition", BUILTIN_LIFECYCLES, ids=lambda d: d.key)
def test_every_state_trigger_and_severity_is_bilingual(definition: LifecycleDefinition) -> None:
    """Every state, trigger and severity carries an English name and a Chinese label."""
    for item in (*definition.states, *definition.triggers, *definition.severities):
        assert item.label.en
        assert any("\u4e00" <= ch <= "\u9fff" for ch in item.label.zh)


@pytest.mark.parametrize("definition", BUILTIN_LIFECYCLES, ids=lambda d: d.key)
def test_export_as_data_matches_the_structure(definition: LifecycleDefinition) -> None:
    """to_dict() lists every state and transition, and the machine's markup agrees with it."""
    data = definition.to_dict()
    assert [s["key"] for s in data["states"]] == [s.key for s in definition.states]
    assert len(data["transitions"]) == len(definition.transitions)
    machine_edges = {(t["source"], t["trigger"], t["dest"]) for t in data["machine"]["transitions"]}
    table_edges = {(s, t.trigger, t.dest or s) for t in definition.transitions for s in t.sources}
    assert machine_edges == table_edges


@pytest.mark.parametrize("definition", BUILTIN_LIFECYCLES, ids=lambda d: d.key)
def test_shared_machine_has_no_models_attached(definition: LifecycleDefinition) -> None:
    """The definition's shared transitions machine keeps no model after reference checks."""
    for state in definition.states:
        for trigger in definition.triggers:
            definition.reference_next(state.key, trigger.key)
    assert definition.machine.models == []


@given(data=st.data())
def test_compiled_table_agrees_with_the_transitions_machine(data: st.DataObject) -> None:
    """Invariant: on random trigger sequences, the table and the shared machine always agree."""
    definition = data.draw(st.sampled_from(BUILTIN_LIFECYCLES))
    triggers = [t.key for t in definition.triggers]
    state = definition.initial.key
    for trigger in data.draw(st.lists(st.sampled_from(triggers), max_size=30)):
        expected = definition.reference_next(state, trigger)
        assert definition.next_state(state, trigger) == expected
        if expected is not None:
            state = expected
    assert definition.machine.models == []


def test_definitions_are_values() -> None:
    """Definitions built alike are equal and hash alike; a changed deadline makes them differ."""
    from ruian_governance import Deadline, DeadlinePolicy
    from ruian_governance.lifecycles import EVENT_DEADLINES, event_lifecycle

    assert event_lifecycle() == EVENT_LIFECYCLE
    assert hash(event_lifecycle()) == hash(EVENT_LIFECYCLE)
    shorter = DeadlinePolicy(
        by_severity={**EVENT_DEADLINES.by_severity, "ordinary": Deadline(days=2)},
        limits=EVENT_DEADLINES.limits,
    )
    assert event_lifecycle(deadlines=shorter) != EVENT_LIFECYCLE


@pytest.mark.parametrize("definition", BUILTIN_LIFECYCLES, ids=lambda d: d.key)
def test_the_compiled_table_is_a_public_read_only_view(definition: LifecycleDefinition) -> None:
    """The table maps (state, trigger) to (dest, transition) and cannot be changed.

    It agrees with the definition's look-ups, entry by entry.
    """
    table = definition.table
    assert len(table) == sum(len(t.sources) for t in definition.transitions)
    for (state, trigger), (dest, transition) in table.items():
        assert definition.next_state(state, trigger) == dest
        assert definition.transition(state, trigger) is transition
        assert dest == (transition.dest or state)
    with pytest.raises(TypeError):
        table[next(iter(table))] = next(iter(table.values()))  # type: ignore[index]


def test_unknown_keys_are_refused_with_unknown_id_error() -> None:
    """Looking up a state, trigger or severity a definition lacks raises UnknownIdError."""
    from ruian_governance import UnknownIdError

    for lookup in (EVENT_LIFECYCLE.state, EVENT_LIFECYCLE.trigger, EVENT_LIFECYCLE.severity):
        with pytest.raises(UnknownIdError, match="lifecycle 'event'"):
            lookup("nowhere")
