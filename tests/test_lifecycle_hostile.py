"""Hostile inputs to the engine's entry points: a typed error or a correct case, nothing else.

The Trust issue's hostile-input suite for the engine (findings 2, 4, 5 and 11): one or two
arguments of a valid ``open``, ``apply``, ``allowed``, ``verify``, ``replay`` or ``overdue``
call are replaced by a value of the wrong type (None, numbers, NaN, bytes, containers), a
deep (100,000 levels) or huge value, a string with control, bidirectional or surrogate
characters, or a valid value spoiled by one such character; a case or a history record gets
one such field.  The answer is a :class:`~ruian_governance.RuianGovernanceError`, or a
correct result, and the case given is left as it was.

``python tests/test_lifecycle_hostile.py [examples]`` prints, per entry point, how many inputs
were tried (200 each by default) and how each was answered.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruian_governance import Case, Engine, FixedClock, HistoryRecord
from ruian_governance.errors import RuianGovernanceError
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, Jurisdiction
from test_boundary import _expand, _mutations
from world import HOUR, T0, build_world, open_case

WORLD = build_world()
ENGINE = WORLD.engine
OPENED = open_case(WORLD, "event")
ACCEPTED = ENGINE.apply(OPENED, "accept", actor=WORLD["operator"], at=T0 + HOUR)
LATE = T0 + 30 * HOUR

OPEN_ARGUMENTS: dict[str, Any] = {
    "lifecycle": "event",
    "case_id": "E9",
    "trigger": "report",
    "actor": WORLD["worker"],
    "at": T0,
    "location_id": WORLD.grid,
    "category": "noise",
    "severity": "ordinary",
    "parties": ("张三",),
    "description": "积水 water on the road",
}
APPLY_ARGUMENTS: dict[str, Any] = {
    "case": ACCEPTED,
    "trigger": "dispatch",
    "actor": WORLD["operator"],
    "at": T0 + 2 * HOUR,
    "units": (WORLD.station("police_station"),),
    "note": "请尽快处理",
}


def _open(**changes: Any) -> object:
    arguments = {**OPEN_ARGUMENTS, **changes}
    return ENGINE.open(arguments.pop("lifecycle"), **arguments)


def _apply(**changes: Any) -> object:
    arguments = {**APPLY_ARGUMENTS, **changes}
    return ENGINE.apply(arguments.pop("case"), arguments.pop("trigger"), **arguments)


def _allowed(**changes: Any) -> object:
    arguments = {"case": ACCEPTED, "actor": WORLD["operator"], **changes}
    return ENGINE.allowed(arguments["case"], arguments["actor"])


def _case_field(**changes: Any) -> object:
    return ENGINE.verify(attrs.evolve(ACCEPTED, **changes))


def _record_field(**changes: Any) -> object:
    last = attrs.evolve(ACCEPTED.history[-1], **changes)
    return ENGINE.verify(attrs.evolve(ACCEPTED, history=(*ACCEPTED.history[:-1], last)))


def _replay(**changes: Any) -> object:
    return ENGINE.replay(changes.get("history", ACCEPTED.history))


def _overdue(**changes: Any) -> object:
    arguments = {"cases": [ACCEPTED], "now": LATE, **changes}
    return ENGINE.overdue(arguments["cases"], arguments["now"])


def _engine(**changes: Any) -> object:
    arguments = {"lifecycles": BUILTIN_LIFECYCLES, "clock": FixedClock(at=T0), **changes}
    arguments["future_tolerance"] = arguments.get("future_tolerance", HOUR)
    return Engine(WORLD.h, **arguments)


def _in_jurisdiction(**changes: Any) -> object:
    arguments = {"rule": Jurisdiction.HOLDER, "case": ACCEPTED, "actor": WORLD["operator"]}
    arguments.update(changes)
    return ENGINE.in_jurisdiction(arguments["rule"], arguments["case"], arguments["actor"])


record = ACCEPTED.history[-1]
ENTRY_POINTS: dict[str, tuple[Callable[..., object], dict[str, Any]]] = {
    "Engine.open": (_open, OPEN_ARGUMENTS),
    "Engine.apply": (_apply, APPLY_ARGUMENTS),
    "Engine.allowed": (_allowed, {"case": ACCEPTED, "actor": WORLD["operator"]}),
    "Engine.verify (a field of the case)": (
        _case_field,
        {a.name: getattr(ACCEPTED, a.name) for a in attrs.fields(Case) if a.init},
    ),
    "Engine.verify (a field of a record)": (
        _record_field,
        {a.name: getattr(record, a.name) for a in attrs.fields(HistoryRecord)},
    ),
    "Engine.replay": (_replay, {"history": ACCEPTED.history}),
    "Engine.overdue": (_overdue, {"cases": [ACCEPTED], "now": LATE}),
    "Engine": (
        _engine,
        {"lifecycles": BUILTIN_LIFECYCLES, "clock": None, "future_tolerance": HOUR},
    ),
    "Engine.in_jurisdiction": (
        _in_jurisdiction,
        {"rule": Jurisdiction.HOLDER, "case": ACCEPTED, "actor": WORLD["operator"]},
    ),
}

OUTCOMES: defaultdict[str, Counter[str]] = defaultdict(Counter)
"""Per entry point, how many inputs were answered each way (see :func:`outcome_table`)."""


def _correct(result: object) -> bool:
    """A result of the right kind: a case the engine made (and verifies), triggers, cases..."""
    if isinstance(result, Case):
        return ENGINE.verify(attrs.evolve(result)) == result
    if isinstance(result, tuple):
        return all(isinstance(r, str | Case) for r in result)
    return isinstance(result, bool | Engine)


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
@given(data=st.data())
def test_hostile_arguments_give_a_typed_error_or_a_correct_result(
    name: str, data: st.DataObject
) -> None:
    """Findings 2, 4, 5 and 11: a typed error or a correct result; the case is left as it was."""
    call, base = ENTRY_POINTS[name]
    fields = data.draw(
        st.lists(st.sampled_from(sorted(base)), min_size=1, max_size=2, unique=True),
        label="fields",
    )
    changes = {field: _expand(data.draw(_mutations(base[field]), label=field)) for field in fields}
    before = (ACCEPTED.history, ACCEPTED.version, ACCEPTED.state, ACCEPTED.assignees)
    try:
        result = call(**changes)
    except RuianGovernanceError as error:
        message = str(error)  # the message is built, however odd the value
        outcome = f"refused ({type(error).__name__})"
        assert message
    else:
        assert _correct(result), result
        outcome = "accepted"
    assert (ACCEPTED.history, ACCEPTED.version, ACCEPTED.state, ACCEPTED.assignees) == before
    OUTCOMES[name][outcome] += 1


def test_the_valid_calls_are_accepted() -> None:
    """Each entry point's valid call gives a correct result (the suite's starting point)."""
    for call, _ in ENTRY_POINTS.values():
        assert _correct(call())


def outcome_table() -> str:
    """The inputs tried per entry point and how they were answered, as a Markdown table."""
    rows = ["| entry point | inputs tried | accepted | refused with |", "|---|---:|---:|---|"]
    for name, counts in sorted(OUTCOMES.items()):
        refusals = sorted((k[9:-1], n) for k, n in counts.items() if k != "accepted")
        shown = ", ".join(f"{kind} {n}" for kind, n in refusals)
        rows.append(f"| {name} | {counts.total()} | {counts['accepted']} | {shown} |")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover - the report's table: python ... [examples]
    examples = int((sys.argv[1:] or ["200"])[0])
    run = settings(max_examples=examples, deadline=None, database=None)(
        test_hostile_arguments_give_a_typed_error_or_a_correct_result
    )
    for entry in sorted(ENTRY_POINTS):
        run(entry)
    print(outcome_table())
