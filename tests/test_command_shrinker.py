"""The command shrinker (issue 16, point 3): a failing run cut down by replaying its draws.

``run_machine`` lets Hypothesis find a failing run, then shrinks it as a list of rule calls,
each replayed on a fresh machine with the values it drew (``testing._shrink``).  These tests
hold it to what the issue asks (short sequences, quickly) and to what makes it trustworthy:
the shrunk sequence fails the same check, a replayed command is used only where its strategy
could have drawn it, and what it cannot replay is left to Hypothesis.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from ruian_governance import EVENT_LIFECYCLE, ArgumentError, Engine, RuianGovernanceError
from ruian_governance.testing import EventMachine, _shrink, machines
from ruian_governance.testing._context import make_context
from ruian_governance.testing._walk import Fault, admitted, fault_holds
from ruian_governance.testing._world import default_hierarchy
from ruian_governance.testing.budget import (
    BUDGET,
    _failure,
    check_machine,
    reach,
    run_machine,
)
from ruian_governance.testing.plants import PLANTS, plant
from ruian_governance.testing.strategies import cases, commands


def _recorded(machine: type[Any], seed: int) -> tuple[tuple[_shrink.Call, ...], Any]:
    """The calls of ``machine``'s first failing run at ``seed``, and the failure's origin."""
    from hypothesis import Phase
    from hypothesis import seed as seeded

    class Recorded(machine):  # type: ignore[misc]
        def __init__(self) -> None:
            drawn.clear()
            super().__init__()

    Recorded.__name__ = machine.__name__
    quick = settings(BUDGET, phases=[Phase.explicit, Phase.generate])
    with _shrink.recording() as drawn:
        error = _failure(seeded(seed)(Recorded), quick)
    assert error is not None
    calls = _shrink.parse_run(machine, [*error.__notes__], drawn)
    assert calls is not None
    return calls, _shrink.origin(error)


@pytest.mark.parametrize("planted", PLANTS, ids=[p.key for p in PLANTS])
def test_every_plant_shrinks_by_its_commands_to_a_few_calls_that_fail_its_check(
    planted: Any,
) -> None:
    """Every plant, seed 0: shrunk by the command shrinker to at most 4 rule calls.

    The failure is still the plant's (one of its expected message fragments).
    """
    finding = run_machine(planted.machine(), seed=0)
    assert finding is not None
    assert finding.shrunk_by == "commands"
    assert any(fragment in finding.message for fragment in planted.expect), finding.message
    calls = [line for line in finding.steps if line.startswith("state.")]
    assert 1 <= len(calls) <= 4, finding.steps
    assert finding.steps[0] == f"state = {planted.machine().__name__}()"


def test_a_shrunk_run_replays_to_the_same_failure_and_is_no_longer_than_the_run() -> None:
    """The shrunk calls, replayed on a fresh machine, fail with the same origin and message.

    They are no more calls (nor draws) than the run found.
    """
    machine = plant("lost_assignee").machine()
    calls, wanted = _recorded(machine, 0)
    shrunk = _shrink.shrink_calls(machine, calls, wanted)
    assert shrunk is not None
    again = _shrink._replay(machine, shrunk.calls, wanted)
    assert again == (shrunk.calls, shrunk.message)
    assert len(shrunk.calls) <= len(calls)
    assert sum(len(c.draws) for c in shrunk.calls) <= sum(len(c.draws) for c in calls)


def test_the_command_shrinker_is_deterministic() -> None:
    """The same seed gives the same shrunk sequence and message."""
    machine = plant("skipped_level").machine()
    first, second = run_machine(machine, seed=1), run_machine(machine, seed=1)
    assert first is not None
    assert second is not None
    assert (first.message, first.steps) == (second.message, second.steps)


def test_a_replay_passes_over_what_it_does_not_admit_and_ends_a_walk_when_none_is_left() -> None:
    """The replay hands back the next recorded value its admission check admits.

    Values of other labels and unadmitted ones are dropped on the way; a command asked for
    when none is left is ``None`` (the walk stops).
    """
    first, second = object(), object()
    data = _shrink._Replayed(
        (("command", first), ("commands", 2), ("command", second), ("via_save", True))
    )
    assert data.draw(None, label="command", admit=lambda value: value is second) is second
    assert data.draw(None, label="command") is None
    assert data.used == [("command", second), ("command", None)]
    with pytest.raises(RuianGovernanceError):
        data.draw(None, label="via_save")  # dropped on the way: none left


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_forged_actor_is_not_admitted_where_the_drawn_command_is(data: st.DataObject) -> None:
    """Invariant: a drawn legal command is admitted on its case, the same one by nobody is not."""
    case = data.draw(cases(engine=_ENGINE, lifecycle="event"))
    legal = data.draw(commands(engine=_ENGINE, case=case))
    if legal is None:
        return
    assert admitted(_CTX, case, legal)
    nobody = attrs.evolve(legal.actor, person_id="p9999999", unit_id="city.centre", role="nobody")
    assert not admitted(_CTX, case, attrs.evolve(legal, actor=nobody))


@pytest.mark.parametrize(
    "values",
    [
        [("case_id", "C9")],  # a case the run never opened
        [("case_id", 7)],  # not even an id
        [("case_id", None)],
        [("case_id", "OPENED"), ("commands", -1)],
        [("case_id", "OPENED"), ("commands", 10**9)],
        [("case_id", "OPENED"), ("commands", float("nan"))],
        [("case_id", "OPENED"), ("commands", True)],
        [("case_id", "OPENED"), ("commands", "2")],
        [("deeper", 0)],  # not the label the rule draws first
    ],
    ids=[
        "unknown-case",
        "int-id",
        "none-id",
        "negative",
        "huge",
        "nan",
        "bool",
        "str",
        "wrong-label",
    ],
)
def test_a_value_its_strategy_could_not_draw_is_not_a_reproduction(
    values: list[tuple[str, Any]],
) -> None:
    """A forged call slipped into a failing run makes the replay refuse the run.

    An unknown case id, a count out of bounds, a value of another label: without the forged
    call the run fails the same way, with it the replay is no reproduction.
    """
    machine = plant("stale_version").machine()
    calls, wanted = _recorded(machine, 0)
    shrunk = _shrink.shrink_calls(machine, calls, wanted)
    assert shrunk is not None
    assert len(shrunk.calls) >= 2
    opened = _shrink._case_of(shrunk.calls[0])
    draws = tuple((label, opened if value == "OPENED" else value) for label, value in values)
    forged = _shrink.Call("legal_command", draws)
    assert _shrink._replay(machine, shrunk.calls, wanted) is not None
    assert _shrink._replay(machine, (shrunk.calls[0], forged, *shrunk.calls[1:]), wanted) is None


def test_a_report_and_draws_that_do_not_match_are_not_parsed() -> None:
    """parse_run refuses draws that do not match the report, and rules with other arguments."""
    report = [
        "state = EventMachine()",
        "Draw 1 (case_id): 'C1'",
        "state.legal_command(data=data(...))",
    ]
    assert _shrink.parse_run(EventMachine, report, [("case_id", "C1")]) == (
        _shrink.Call("legal_command", (("case_id", "C1"),)),
    )
    assert _shrink.parse_run(EventMachine, report, []) is None
    assert _shrink.parse_run(EventMachine, report, [("commands", 1)]) is None
    assert _shrink.parse_run(EventMachine, report, [("case_id", "C1"), ("commands", 1)]) is None
    other = ["state = EventMachine()", "state.legal_command(n=3)"]
    assert _shrink.parse_run(EventMachine, other, []) is None


def _left_to_hypothesis(
    machine: type[Any], seed: int, rule_line: str, expect: tuple[str, ...]
) -> None:
    """The failing run at ``seed`` holds the user's rule, and Hypothesis shrank the finding."""
    unshrunk = run_machine(machine, seed=seed, shrink=False)
    assert unshrunk is not None
    assert any(line.startswith(rule_line) for line in unshrunk.steps)
    finding = run_machine(machine, seed=seed)
    assert finding is not None
    assert any(fragment in finding.message for fragment in expect)
    assert finding.shrunk_by == "hypothesis"


def test_a_machine_whose_rules_take_other_arguments_is_left_to_hypothesis() -> None:
    """A rule with an argument other than ``data`` is left to Hypothesis' shrinker.

    It cannot be replayed from the draws; run_machine falls back and still finds the plant.
    """
    planted = plant("time_backwards")

    class WithCounter(planted.machine()):  # type: ignore[misc]
        @rule(n=st.integers(0, 3))
        def count(self, n: int) -> None:
            self.counted = n

    _left_to_hypothesis(WithCounter, 1, "state.count(n=", planted.expect)


def test_the_hypothesis_shrinker_is_still_there_and_a_bad_shrinker_is_refused() -> None:
    """shrinker="hypothesis" runs Hypothesis' shrink phase; anything else is an ArgumentError."""
    finding = run_machine(plant("deadline_before_opening").machine(), seed=0, shrinker="hypothesis")
    assert finding is not None
    assert finding.shrunk_by == "hypothesis"
    unshrunk = run_machine(plant("deadline_before_opening").machine(), seed=0, shrink=False)
    assert unshrunk is not None
    assert unshrunk.shrunk_by == ""
    no_phase = settings(BUDGET, phases=[Phase.explicit, Phase.generate])
    found = run_machine(plant("deadline_before_opening").machine(), seed=0, budget=no_phase)
    assert found is not None
    assert found.shrunk_by == ""  # a budget without Hypothesis' shrink phase shrinks nothing
    for bad in ("Commands", "", None, 3, "delta"):
        with pytest.raises(ArgumentError) as raised:
            run_machine(EventMachine, seed=0, shrinker=bad)  # type: ignore[arg-type]
        assert isinstance(raised.value, RuianGovernanceError)


_ENGINE = Engine(default_hierarchy(), [EVENT_LIFECYCLE])
_CTX = make_context(_ENGINE, None, None, None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_drawn_faulty_command_holds_its_fault_and_a_legal_one_holds_none(
    data: st.DataObject,
) -> None:
    """Invariant: a drawn faulty command holds its fault on its case; a legal one holds none.

    Every command ``commands(..., legal=False)`` draws is wrong in its fault's way on the case
    it was drawn for (``fault_holds``), and a legal one is never "faulty".
    """
    case = data.draw(cases(engine=_ENGINE, lifecycle="event"))
    faulty = data.draw(commands(engine=_ENGINE, case=case, faults=tuple(Fault), legal=False))
    assert faulty is not None
    assert fault_holds(_CTX, case, faulty), faulty
    legal = data.draw(commands(engine=_ENGINE, case=case))
    if legal is not None:
        assert not fault_holds(_CTX, case, legal)


def test_check_machine_fails_with_the_shrunk_sequence_and_passes_a_sound_machine() -> None:
    """check_machine raises AssertionError showing the message and the shrunk steps."""
    planted = plant("widened_jurisdiction")
    finding = run_machine(planted.machine(), seed=0)
    assert finding is not None
    with pytest.raises(AssertionError) as raised:
        check_machine(planted.machine(), seed=0)
    text = str(raised.value)
    assert text == finding.report()
    assert text.startswith(finding.message)
    assert f"state = {planted.machine().__name__}()" in text
    assert any(line.startswith("state.") for line in text.splitlines()[2:])
    check_machine(EventMachine, seed=0, budget=settings(BUDGET, max_examples=3))


@pytest.mark.parametrize(
    ("given", "argument"),
    [
        ({"machine": "EventMachine"}, "machine"),
        ({"machine": None}, "machine"),
        ({"machine": int}, "machine"),
        ({"machine": EventMachine()}, "machine"),
        ({"seed": "0"}, "seed"),
        ({"seed": float("nan")}, "seed"),
        ({"seed": 1.0}, "seed"),
        ({"seed": True}, "seed"),
        ({"budget": None}, "budget"),
        ({"budget": {"max_examples": 3}}, "budget"),
        ({"shrink": "yes"}, "shrink"),
        ({"shrink": None}, "shrink"),
    ],
    ids=lambda value: repr(value)[:40] if not isinstance(value, dict) else "-".join(value),
)
def test_a_careless_call_is_refused_with_an_argument_error(
    given: dict[str, Any], argument: str
) -> None:
    """A careless argument to run_machine, check_machine or reach is an ArgumentError.

    A non-machine, a non-int seed, a non-budget and a non-bool shrink are refused before
    anything runs.
    """
    call = {"machine": EventMachine, "seed": 0, **given}
    machine = call.pop("machine")
    for run in (run_machine, check_machine):
        kwargs = dict(call)
        if run is check_machine:
            kwargs.pop("shrink", None)
            if argument == "shrink":
                continue
        with pytest.raises(ArgumentError) as raised:
            run(machine, **kwargs)
        assert raised.value.argument == argument
    if argument in ("machine", "seed", "budget"):
        seeds = [call.get("seed", 0)]
        with pytest.raises(ArgumentError):
            reach(machine, seeds=seeds, budget=call.get("budget", BUDGET))


def test_a_machine_that_cannot_be_built_again_is_not_shrunk_and_does_not_crash() -> None:
    """A replay whose machine raises when built is no reproduction (shrink_calls gives None)."""
    base = plant("stale_version").machine()

    class Fragile(base):  # type: ignore[misc,valid-type]
        broken = False

        def __init__(self) -> None:
            if type(self).broken:
                message = "no second machine"
                raise RuntimeError(message)
            super().__init__()

    calls, wanted = _recorded(Fragile, 0)
    Fragile.broken = True
    assert _shrink.shrink_calls(Fragile, calls, wanted) is None


def test_a_rule_drawing_past_the_recording_is_left_to_hypothesis() -> None:
    """A user's rule drawing through ``data.draw`` itself is left to Hypothesis' shrinker.

    Its draws are not recorded, so the run is not parsed; the finding is still the plant's.
    """
    planted = plant("time_backwards")

    class Drawing(planted.machine()):  # type: ignore[misc]
        @rule(data=st.data())
        def note_a_number(self, data: st.DataObject) -> None:
            self.number = data.draw(st.integers(0, 3), label="number")

    _left_to_hypothesis(Drawing, 0, "state.note_a_number(", planted.expect)


def test_an_initialize_rule_is_replayed_first_and_kept() -> None:
    """A machine with an ``@initialize`` rule is shrunk by its commands, the rule kept first.

    Hypothesis runs every initializer before any other rule; so does a replay, and the
    shrinker never deletes one.
    """
    planted = plant("widened_jurisdiction")

    class Prepared(planted.machine()):  # type: ignore[misc]
        @initialize()
        def prepare(self) -> None:
            self.prepared = True

    finding = run_machine(Prepared, seed=0)
    assert finding is not None
    assert any(fragment in finding.message for fragment in planted.expect)
    assert finding.shrunk_by == "commands"
    calls = [line for line in finding.steps if line.startswith("state.")]
    assert calls[0] == "state.prepare()"
    assert len(calls) >= 2


def test_a_count_run_out_of_is_the_simplest_its_strategy_can_draw_or_no_replay() -> None:
    """A walk whose recorded count was dropped fires none only where its strategy draws 0.

    ``open_case`` draws 0-8 commands after its dive, so a missing count is 0; a
    ``legal_command`` draws 1-4, so a missing count is not a value it could draw.
    """
    opening = _shrink._Replayed(())
    assert opening.draw(machines._OPEN_COMMANDS, label="commands") == 0
    walk = _shrink._Replayed(())
    with pytest.raises(RuianGovernanceError):
        walk.draw(machines._LEGAL_COMMANDS, label="commands")
