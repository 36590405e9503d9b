"""Property tests over random command sequences on all three built-in lifecycles.

The sequences come from the package's own strategies (``ruian_governance.testing.strategies``):
legal commands found by walking the engine, mixed with commands wrong in one named way.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruian_governance import ConflictError, MemoryCaseStore, TransitionError
from ruian_governance.analysis import SimilarCaseLibrary
from ruian_governance.errors import InvalidTransitionError
from ruian_governance.testing.strategies import Fault, command_sequences
from world import World, build_world, open_case

LIFECYCLES = ("event", "dispute", "hazard")


@pytest.fixture(scope="module")
def world() -> World:
    """The shared test world (built once per module)."""
    return build_world()


@given(data=st.data(), lifecycle=st.sampled_from(LIFECYCLES))
def test_rejected_commands_change_nothing_and_accepted_ones_append_one_record(
    world: World, data: st.DataObject, lifecycle: str
) -> None:
    """Invariants on random command sequences.

    A refused command leaves the case equal to before; an accepted one appends exactly one
    record (sequence number = position, time never decreasing) and adds one to the version;
    a final state is never left; replaying the history gives back the case.
    """
    engine = world.engine
    finals = engine.lifecycle(lifecycle).final_states
    case = open_case(world, lifecycle)
    steps = data.draw(
        command_sequences(engine=engine, case=case, max_size=30, faults=list(Fault)),
        label="steps",
    )
    for step in steps:
        before = (case.state, case.version, case.history, case.unit_id, case.assignees,
                  case.due_at, case.severity)  # fmt: skip
        refusal: TransitionError | None = None
        try:
            new = step.apply(engine, case)
        except TransitionError as error:
            refusal = error
        if refusal is not None:
            assert step.fault is not None, f"a legal command was refused: {refusal}"
            assert before == (case.state, case.version, case.history, case.unit_id,
                              case.assignees, case.due_at, case.severity)  # fmt: skip
            if case.state in finals:
                assert isinstance(refusal, InvalidTransitionError)
            continue
        assert step.fault is None, f"an illegal command ({step.fault}) was accepted"
        assert case.state not in finals, "a final state was left"
        assert new.version == case.version + 1
        assert new.history[:-1] == case.history
        record = new.history[-1]
        assert record.seq == len(case.history)
        assert record.source == case.state
        assert record.dest == new.state
        assert record.at >= case.history[-1].at
        case = new
    ats = [r.at for r in case.history]
    assert ats == sorted(ats)
    assert engine.replay(case.history) == case


@given(data=st.data())
def test_dispute_escalation_never_skips_a_level(world: World, data: st.DataObject) -> None:
    """Invariant: after triage, the holding unit only ever moves to its direct parent.

    A village case goes to the town before it can reach the city; only escalate moves it.
    """
    h = world.h
    case = open_case(world, "dispute")
    steps = data.draw(command_sequences(engine=world.engine, case=case, max_size=30))
    for step in steps:
        new = step.apply(world.engine, case)
        if new.unit_id != case.unit_id and step.trigger != "triage":
            assert step.trigger == "escalate"
            parent = h.parent(case.unit_id)
            assert parent is not None
            assert new.unit_id == parent.id
            assert h.unit(new.unit_id).level.depth == h.unit(case.unit_id).level.depth - 1
        case = new


@given(data=st.data())
def test_refused_commands_leave_the_store_and_the_library_unchanged(
    world: World, data: st.DataObject
) -> None:
    """Invariant: a refused command changes neither the stored case nor the library.

    An accepted one is stored, and filed in the similar-case library once the dispute is
    completed (and only then).
    """
    library = SimilarCaseLibrary(world.h)
    store = MemoryCaseStore(world.engine, indexes=[library])
    case = store.add(open_case(world, "dispute"))
    steps = data.draw(
        command_sequences(engine=world.engine, case=case, max_size=30, faults=list(Fault))
    )
    for step in steps:
        entry = library.entry(case.id)
        try:
            case = store.apply(case.id, case.version, step.trigger, actor=step.actor,
                               at=step.at, **step.data)  # fmt: skip
        except (TransitionError, ConflictError):
            assert step.fault is not None
            assert store.get(case.id) is case
            assert library.entry(case.id) is entry
            continue
        assert store.get(case.id) is case
        filed = library.entry(case.id)
        if case.state in {"completed", "reviewed", "analysed", "evaluated"}:
            assert filed is not None
            assert filed.case is case
        else:
            assert filed is None
