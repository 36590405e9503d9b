"""The command shrinker: a failing run's rule calls cut down by replaying what they drew.

Hypothesis shrinks a state machine's run by editing its choice sequence and running the machine
again from the start: a thousand runs or more for the machines of this package, most of them
spent re-drawing commands whose choices shifted (issue 16, point 3).  The machines' rules draw
whole commands (:class:`~ruian_governance.testing.Step`), case openings and counts, one value
per ``Draw`` line of the report; this module keeps those values from the failing run and
shrinks the run as a list of rule calls, each with the values it drew, replaying candidates on
a fresh machine with the values handed back in order (no Hypothesis run, no strategy drawn):

1. runs of rule calls are deleted (halves, quarters, ..., single calls), as delta debugging
   does;
2. within a call, a drawn command is replaced by ``None`` (the walk or dive stops there), a
   drawn value is deleted (the next one of the same label is used), and a drawn count or dive
   position is lowered.

A candidate counts only if its replay fails the same way (the same exception type raised from
the same lines of the machine, :func:`origin`), and a replayed value is used only where its
strategy could have drawn it (the machine's ``_admit``: a legal command the engine accepts
there, a faulty one still wrong in its fault's way; a case id among the run's cases; a number
within its strategy's bounds), so the shrunk sequence is one a run could have drawn and breaks
the same check.  The machine's own invariants and checks run at every replayed step as in a
run.  Machines whose rules draw other than through ``data`` (or whose failure the replay does
not reproduce) are left to Hypothesis' shrinker (``run_machine`` falls back).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import hypothesis
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.vendor.pretty import pretty

from . import _values
from ._values import Inadmissible
from ._walk import Step

__all__ = ["Call", "Shrunk", "origin", "parse_run", "recording", "render", "shrink_calls"]

Origin = tuple[type[BaseException], tuple[tuple[str, int], ...]]
"""How a failure is told from another: its exception type and the innermost lines it came from."""

_DRIVERS = (
    str(Path(hypothesis.__file__).parent),
    str(Path(__file__).parent / "budget.py"),
    __file__,
)
"""Files whose frames drive a run rather than belong to the machine (Hypothesis, this module)."""

_ENDS: dict[str, Any] = {"command": None, "stale_command": None, "commands": 0}
"""What a replayed call draws when its recorded values of a label run out: the walk stops."""

_DIVE_TARGETS = 64
"""Dive positions a shrink tries instead of a drawn one (those past a lifecycle's are refused)."""

_MOST_REPLAYS = 3000
"""A bound on the replays of one shrink (deterministic; about a second or two of a shrink)."""

_DRAW = re.compile(r"Draw \d+ \((?P<label>[^)]*)\): ")
_CALL = re.compile(r"state\.(?P<rule>\w+)\((?P<args>.*)\)$")


@attrs.frozen
class Call:
    """One rule call of a run: the rule's name and the values it drew, in order, by label."""

    rule: str
    draws: tuple[tuple[str, Any], ...]
    args: str = "data=data(...)"


@attrs.frozen
class Shrunk:
    """A shrunk failing run: its rule calls, the failure's message, and the replays it took."""

    calls: tuple[Call, ...]
    message: str
    replays: int


def origin(error: BaseException) -> Origin:
    """The exception's type and the (file, line) of its two innermost frames in the machine.

    Frames of Hypothesis and of the driver are left out, and only those after the last of
    them count, so that a failure raised in a run and the same failure raised in a replay
    have the same origin (Hypothesis tells failures apart by their type and place alike).
    """
    frames = traceback.extract_tb(error.__traceback__)
    inner: list[tuple[str, int]] = []
    for frame in frames:
        if frame.filename.startswith(_DRIVERS):
            inner = []
        else:
            inner.append((frame.filename, frame.lineno or 0))
    return type(error), tuple(inner[-2:])


@contextmanager
def recording() -> Iterator[list[tuple[str, Any]]]:
    """Within this block the machines' draws are kept, in order, in the list it gives.

    A machine built in the block should empty the list when it starts (the last run's draws
    are then the list's).  Not thread-safe, as Hypothesis' own run is not.
    """
    kept: list[tuple[str, Any]] = []
    _values.RECORDED.append(kept)
    try:
        yield kept
    finally:
        _values.RECORDED.remove(kept)


def _rule_names(machine: type[RuleBasedStateMachine]) -> tuple[set[str], set[str]]:
    state = machine.setup_state()
    rules = {r.function.__name__ for r in state.rules}
    return rules, {r.function.__name__ for r in state.initializers}


def parse_run(
    machine: type[RuleBasedStateMachine], report: Sequence[str], drawn: Sequence[tuple[str, Any]]
) -> tuple[Call, ...] | None:
    """The rule calls of a failing run, from Hypothesis' report of it and the values it drew.

    ``report`` is the run's lines as Hypothesis reports them (``Draw 3 (command): ...`` lines
    and ``state.rule(data=data(...))`` lines); ``drawn`` the values the machine drew, in
    order (the steering's ``goal`` draws are not kept: a replay does not steer).  ``None``
    where the two do not match, or a rule takes arguments other than ``data``: such a run is
    left to Hypothesis' shrinker.
    """
    rules, initializers = _rule_names(machine)
    values = iter(drawn)
    calls: list[Call] = []
    pending: list[tuple[str, Any]] = []
    for line in report:
        if found := _DRAW.match(line):
            label = found["label"]
            if label == "goal":
                continue
            value = next(values, None)
            if value is None or value[0] != label:
                return None
            pending.append(value)
            continue
        found = _CALL.match(line)
        if found is None or found["rule"] not in rules | initializers:
            continue  # the machine's name, an invariant, the teardown
        if found["args"] not in ("", "data=data(...)"):
            return None
        calls.append(Call(found["rule"], tuple(pending), found["args"]))
        pending = []
    if pending or next(values, None) is not None:
        return None
    return tuple(calls)


class _Replayed:
    """Stands in for a rule's ``data``: hands back a call's recorded values by label."""

    def __init__(self, draws: tuple[tuple[str, Any], ...]) -> None:
        self._draws = draws
        self._at = 0
        self.used: list[tuple[str, Any]] = []

    def draw(
        self, strategy: Any, label: str | None = None, admit: Callable[[Any], bool] | None = None
    ) -> Any:
        """The next recorded value of ``label`` that ``admit`` (if given) admits.

        Values passed over on the way (of other labels, or not admitted) are dropped.
        """
        draws = self._draws
        while self._at < len(draws):
            kept, value = draws[self._at]
            self._at += 1
            if kept == label and (admit is None or value is None or admit(value)):
                _within(strategy, value)
                self.used.append((kept, value))
                return value
        if label in _ENDS:
            value = _ENDS[label]
            _within(strategy, value)  # a walk of legal commands fires at least one
            self.used.append((label, value))
            return value
        message = f"no {label} value left to replay"
        raise Inadmissible(message)


def _within(strategy: Any, value: Any) -> None:
    """Refuse ``value`` where ``strategy`` (one of a few plain kinds) could not draw it."""
    inner = getattr(strategy, "wrapped_strategy", strategy)
    elements = getattr(inner, "elements", None)
    if isinstance(elements, tuple | list) and value not in elements:
        message = f"{value!r} is not among {elements!r}"
        raise Inadmissible(message)
    start, end = getattr(inner, "start", None), getattr(inner, "end", None)
    if isinstance(start, int) and isinstance(end, int):
        number = isinstance(value, int) and not isinstance(value, bool)
        if not number or not start <= value <= end:
            message = f"{value!r} is not a whole number within {start}..{end}"
            raise Inadmissible(message)


def _replay(
    machine: type[RuleBasedStateMachine], calls: Sequence[Call], wanted: Origin
) -> tuple[tuple[Call, ...], str] | None:
    """Replay ``calls`` on a fresh machine: the calls as used up to a failure of ``wanted``.

    ``None`` when the replay passes, fails otherwise, or uses a value where its strategy could
    not have drawn it.
    """
    used: list[Call] = []
    try:
        m = machine()
        m._replaying = True  # type: ignore[attr-defined]  # the LifecycleMachine's admission
        pending = list(m._initialize_rules_to_run)
        rules = {r.function.__name__: r for r in (*m.rules, *pending)}
        _invariants(m, initializing=bool(pending))
        for call in calls:
            rule = rules.get(call.rule)
            if rule is None or not all(p(m) for p in rule.preconditions):
                return None
            if rule in pending:
                pending.remove(rule)
            elif pending:  # Hypothesis runs every initializer first
                return None
            data = _Replayed(call.draws)
            try:
                if rule.arguments:
                    rule.function(m, data=data)
                else:
                    rule.function(m)
            finally:
                used.append(Call(call.rule, tuple(data.used), call.args))
            _invariants(m, initializing=bool(pending))
        m.teardown()
    except Inadmissible:
        return None
    except AssertionError as error:
        return (tuple(used), str(error)) if origin(error) == wanted else None
    except Exception:  # any other failure is not the one being shrunk
        return None
    return None


def _invariants(m: RuleBasedStateMachine, *, initializing: bool) -> None:
    """Check the machine's invariants as Hypothesis does after each step."""
    for invar in m.invariants:
        if initializing and not invar.check_during_init:
            continue
        if all(p(m) for p in invar.preconditions):
            invar.function(m)


def _score(calls: Sequence[Call]) -> tuple[int, int, int, int]:
    """Smaller is simpler: fewer calls, fewer draws, fewer commands, lower numbers."""
    draws = [value for call in calls for _, value in call.draws]
    commands = sum(isinstance(v, Step) for v in draws)
    numbers = sum(v for v in draws if isinstance(v, int) and not isinstance(v, bool))
    return len(calls), len(draws), commands, numbers


def _case_of(call: Call) -> str | None:
    """The id of the case a call opened or acted on (its first draw), if any."""
    if not call.draws:
        return None
    label, value = call.draws[0]
    if label == "case_id" and isinstance(value, str):
        return value
    case = getattr(value, "case", None) if label == "case" else None
    found = getattr(case, "id", None)
    return found if isinstance(found, str) else None


def _case_ids(calls: Sequence[Call]) -> set[str]:
    return {cid for c in calls if (cid := _case_of(c)) is not None}


def _merged(first: Call, second: Call) -> Call | None:
    """``first`` with ``second``'s commands in its walk: one rule call fewer to read.

    Only where both act on one case and ``second`` is a walk of legal commands
    (``legal_command``).  ``first``'s last ``commands`` count grows by ``second``'s commands
    (a replay refuses a count past its strategy's bound, and the merge with it).
    """
    case_id = _case_of(first)
    if second.rule != "legal_command" or case_id is None or _case_of(second) != case_id:
        return None
    counts = [i for i, (label, _) in enumerate(first.draws) if label == "commands"]
    if not counts:
        return None
    at = counts[-1]
    walk = [d for d in first.draws[at + 1 :] if d[1] is not None]
    added = [d for d in second.draws[1:] if d[0] == "command" and d[1] is not None]
    total = ("commands", len([d for d in walk if d[0] == "command"]) + len(added))
    return attrs.evolve(first, draws=(*first.draws[:at], total, *walk, *added))


def _edits(call: Call) -> Iterator[Call]:
    """Simpler versions of one call: a command stopped at, a value dropped, a number lowered."""
    draws = call.draws
    for i in reversed(range(len(draws))):
        label, value = draws[i]
        if isinstance(value, Step) and label in _ENDS:
            yield attrs.evolve(call, draws=(*draws[:i], (label, None)))
        if i:  # the first value (the case, or its id) stays
            yield attrs.evolve(call, draws=draws[:i] + draws[i + 1 :])
        if label == "deeper":  # another dive target (a dive that ends where it stops)
            for other in range(_DIVE_TARGETS):
                if other != value:
                    yield attrs.evolve(call, draws=(*draws[:i], (label, other), *draws[i + 1 :]))
        elif isinstance(value, int) and not isinstance(value, bool) and value > 0:
            for lower in range(min(value, 8)):
                yield attrs.evolve(call, draws=(*draws[:i], (label, lower), *draws[i + 1 :]))


def shrink_calls(
    machine: type[RuleBasedStateMachine], calls: Sequence[Call], wanted: Origin
) -> Shrunk | None:
    """Shrink a failing run's ``calls`` (see the module); ``None`` if their replay passes."""
    first = _replay(machine, calls, wanted)
    if first is None:
        return None
    shrinking = _Shrinking(machine, wanted, *first)
    improved = True
    while improved and shrinking.replays < _MOST_REPLAYS:
        improved = shrinking.delete_runs()
        improved |= shrinking.delete_cases()
        improved |= shrinking.merge()
        improved |= shrinking.edit()
    return Shrunk(calls=shrinking.best, message=shrinking.message, replays=shrinking.replays)


class _Shrinking:
    """One shrink: the best failing calls so far, and the passes that try to make them simpler."""

    def __init__(
        self,
        machine: type[RuleBasedStateMachine],
        wanted: Origin,
        best: tuple[Call, ...],
        message: str,
    ) -> None:
        self.machine, self.wanted = machine, wanted
        self.best, self.message = best, message
        self.score = _score(best)
        self.replays = 1
        self.initializers = _rule_names(machine)[1]

    def attempt(self, candidate: Sequence[Call]) -> bool:
        """Replay ``candidate`` (if simpler); keep it if it fails the same way."""
        if self.replays >= _MOST_REPLAYS or _score(candidate) >= self.score:
            return False
        self.replays += 1
        found = _replay(self.machine, candidate, self.wanted)
        if found is None or (score := _score(found[0])) >= self.score:
            return False
        (self.best, self.message), self.score = found, score
        return True

    def delete_runs(self) -> bool:
        """Delete runs of calls: halves, quarters, ..., single calls (never an initializer)."""
        improved = False
        size = max(1, len(self.best) // 2)
        while size >= 1:
            start = len(self.best) - size
            while start >= 0:
                best = self.best
                if not any(c.rule in self.initializers for c in best[start : start + size]):
                    improved |= self.attempt((*best[:start], *best[start + size :]))
                start = min(start, len(self.best) - size) - 1
            size //= 2
        return improved

    def delete_cases(self) -> bool:
        """Delete a case: its opening and every call on it."""
        improved = False
        for case_id in sorted(_case_ids(self.best), reverse=True):
            kept = tuple(c for c in self.best if _case_of(c) != case_id)
            gone = (c for c in self.best if _case_of(c) == case_id)
            if kept and not any(c.rule in self.initializers for c in gone):
                improved |= self.attempt(kept)
        return improved

    def merge(self) -> bool:
        """Fire a walk's commands in the call before it on the same case (:func:`_merged`)."""
        improved = False
        for index in reversed(range(len(self.best) - 1)):
            best = self.best
            if index < len(best) - 1 and (merged := _merged(best[index], best[index + 1])):
                improved |= self.attempt((*best[:index], merged, *best[index + 2 :]))
        return improved

    def edit(self) -> bool:
        """Simplify single calls (:func:`_edits`), the first simpler one of each kept."""
        improved = False
        for index in reversed(range(len(self.best))):
            if index >= len(self.best):
                continue
            for edited in _edits(self.best[index]):
                best = self.best
                if self.attempt((*best[:index], edited, *best[index + 1 :])):
                    improved = True
                    break
        return improved


def render(name: str, calls: Sequence[Call]) -> tuple[str, ...]:
    """The calls as Hypothesis reports a run: ``state = Name()``, ``Draw`` and rule lines."""
    lines = [f"state = {name}()"]
    count = 0
    for call in calls:
        for label, value in call.draws:
            count += 1
            lines.append(f"Draw {count} ({label}): {pretty(value)}")
        lines.append(f"state.{call.rule}({call.args})")
    return tuple(lines)
