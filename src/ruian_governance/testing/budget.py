"""The state machines' documented budget, and running a machine at it: findings and reach.

Needs the optional extra: ``pip install 'ruian_governance[hypothesis]'``.

:data:`BUDGET` is the budget the documentation promises results at: 40 runs (Hypothesis
examples) of 30 steps each, the CI profile's size.  :func:`run_machine` runs a machine at a
budget, with a given seed or derandomized, and returns what it found (the failure, and the
shrunk command sequence when shrinking is on) or ``None``; :func:`reach` counts, over seeds,
the runs of a budget in which each transition of a lifecycle was taken (:func:`transitions`).
The figures of ``docs/testing.md`` come from these functions
(``python benchmarks/bench_machines.py``).

>>> from hypothesis import settings
>>> from ruian_governance.testing import EventMachine
>>> run_machine(EventMachine, seed=1, budget=settings(BUDGET, max_examples=3)) is None
True
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Literal, TypeAlias

import attrs
from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as seeded_by
from hypothesis.stateful import run_state_machine_as_test

from ruian_governance.errors import ArgumentError
from ruian_governance.lifecycles import LifecycleDefinition

from ._args import need_type
from ._shrink import origin, parse_run, recording, render, shrink_calls
from .machines import LifecycleMachine, _violated

__all__ = [
    "BUDGET",
    "Edge",
    "Finding",
    "check_machine",
    "reach",
    "run_machine",
    "steady_constants",
    "transitions",
]

BUDGET = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)
"""The documented budget: 40 runs of 30 steps (with the machines' default of at most 4 cases a run).

No deadline and no example database, so that a run's outcome depends only on its seed (or,
derandomized, on the machine).  Shrinking is on; Hypothesis' *explain* phase is off (on a
state machine it costs several times the shrinking, to annotate lines the shrunk sequence
already shows), and one failure is reported (the first found, shrunk), not one per distinct
failing line."""

Edge: TypeAlias = tuple[str, str | None, str]
"""A transition as the machines note it: ``(lifecycle, source state, trigger)``; the source is
``None`` for an opening transition."""


def transitions(definition: LifecycleDefinition) -> tuple[Edge, ...]:
    """Every transition of ``definition``: its openings, then each (source state, trigger) pair.

    In definition order; a transition from several states counts once per state.

    >>> from ruian_governance import HAZARD_LIFECYCLE
    >>> edges = transitions(HAZARD_LIFECYCLE)
    >>> len(edges), edges[0], edges[3]
    (22, ('hazard', None, 'find_in_covert_inspection'), ('hazard', 'discovered', 'assign'))
    """
    openings = [(definition.key, None, t.trigger) for t in definition.transitions if t.opening]
    pairs = [(definition.key, s, t.trigger) for t in definition.transitions for s in t.sources]
    return (*openings, *pairs)


@attrs.frozen(kw_only=True)
class Finding:
    """What a run of a machine found: the broken invariant and the commands that break it.

    Args:
        message: The failure's message (the first line names the invariant broken).
        steps: The failing command sequence as Hypothesis reports it (shrunk when the run
            shrank), without the invariant calls between the steps.
        seconds: How long the run took (wall-clock), finding and shrinking included.
        cpu_seconds: The processor time it took (this process's), a fairer figure on a
            shared machine.
        shrunk_by: ``"commands"`` (the command shrinker), ``"hypothesis"`` (Hypothesis'
            shrink phase) or ``""`` (not shrunk).
    """

    message: str
    steps: tuple[str, ...]
    seconds: float
    cpu_seconds: float = 0.0
    shrunk_by: str = ""

    def report(self) -> str:
        """The failure's message, then the failing command sequence, one line each.

        >>> print(Finding(message="broken", steps=("state = M()",), seconds=0.1).report())
        broken
        <BLANKLINE>
        state = M()
        """
        return "\n".join((self.message, "", *self.steps))


@contextmanager
def steady_constants() -> Iterator[None]:
    """Within this block, Hypothesis draws no constants from the modules loaded so far.

    Hypothesis (6.131 and later) draws about one integer in twenty from the constants it finds
    in the *local* modules loaded in the process (the project's own, not the standard library
    or site-packages), read anew whenever more modules are loaded.  A seeded or derandomized
    run's draws therefore depended on which of the package's modules a process had loaded
    before it: the same run took other transitions in a long test process than in a fresh
    interpreter (issue 16, point 4).  Here the local pool is empty, so the run depends on its
    seed (and Hypothesis' version) alone; the pool Hypothesis built is back afterwards.
    :func:`run_machine` and :func:`reach` run in this block; wrap your own
    ``run_state_machine_as_test`` in it for the same.  Not thread-safe (it swaps one function
    of Hypothesis' for the block's duration), and a no-op where Hypothesis has no such pool.

    >>> from hypothesis import given, seed, settings, strategies as st
    >>> drawn = []
    >>> @seed(3)
    ... @settings(max_examples=20, database=None)
    ... @given(st.integers(0, 1439))
    ... def minutes(minute):
    ...     drawn.append(minute)
    >>> with steady_constants():
    ...     minutes()
    >>> first, drawn[:] = list(drawn), []
    >>> with steady_constants():
    ...     minutes()
    >>> drawn == first
    True
    """
    try:
        from hypothesis.internal.conjecture import providers  # noqa: PLC0415 - private, may go
        from hypothesis.internal.constants_ast import Constants  # noqa: PLC0415
    except ImportError:  # pragma: no cover - a Hypothesis without local constants
        yield
        return
    original: Callable[[], object] | None = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if original is None or cache is None:  # pragma: no cover - another Hypothesis
        yield
        return
    empty = Constants()
    setattr(providers, "_get_local_constants", lambda: empty)  # noqa: B010 - no typed setter
    cache.clear()  # the permitted constants it kept were drawn from the process's pool
    try:
        yield
    finally:
        setattr(providers, "_get_local_constants", original)  # noqa: B010
        cache.clear()


def _machine_with_seed(machine: type[LifecycleMachine], value: int) -> type[LifecycleMachine]:
    seeded: type[LifecycleMachine] = type(machine.__name__, (machine,), {})
    return seeded_by(value)(seeded)


def run_machine(
    machine: type[LifecycleMachine],
    *,
    seed: int | None = None,
    budget: settings = BUDGET,
    shrink: bool = True,
    shrinker: Literal["commands", "hypothesis"] = "commands",
) -> Finding | None:
    """Run ``machine`` at a budget; return what it found, or ``None`` when every run passed.

    Args:
        machine: The machine class (configured as you like).
        seed: Hypothesis' seed for the runs (``None``: as ``budget`` says; derandomized
            settings give the same runs every time).
        budget: The settings to run at (default :data:`BUDGET`).
        shrink: Whether a failure is shrunk to a short command sequence (off, or a budget
            without Hypothesis' shrink phase: the first failing run is reported as found).
        shrinker: ``"commands"`` (the default): Hypothesis finds the failing run and the
            command shrinker shrinks it, replaying the commands it drew
            (``ruian_governance.testing._shrink``; where a machine's run cannot be replayed so,
            Hypothesis shrinks it instead); ``"hypothesis"``: Hypothesis' own shrink phase.

    Not thread-safe: the run swaps one function of Hypothesis' (:func:`steady_constants`) and
    the command shrinker keeps the run's draws in a list of the package's while it runs.

    Raises:
        ArgumentError: ``machine`` is not a :class:`LifecycleMachine` subclass, ``seed`` not an
            integer or ``None``, ``budget`` not Hypothesis ``settings``, ``shrink`` not a bool,
            or ``shrinker`` neither of the two.
        Exception: Anything but a broken invariant (``AssertionError``) the run raised.
    """
    _check_run(machine, seed, budget)
    need_type("shrink", shrink, bool)
    if shrinker not in ("commands", "hypothesis"):
        reason = "'commands' or 'hypothesis'"
        raise ArgumentError(argument="shrinker", value=shrinker, reason=reason)
    started, cpu = time.perf_counter(), time.process_time()
    shrink = shrink and Phase.shrink in budget.phases
    used = machine if seed is None else _machine_with_seed(machine, seed)
    derandomize = budget.derandomize and seed is None
    up_to_failure = [p for p in budget.phases if p is not Phase.shrink]

    def by_hypothesis(phases: Sequence[Phase]) -> Finding | None:
        error = _failure(used, settings(budget, phases=phases, derandomize=derandomize))
        if error is None:
            return None
        shrunk_by = "hypothesis" if Phase.shrink in phases else ""
        return _finding(_steps(error), str(error), started, cpu, shrunk_by)

    if not shrink:
        return by_hypothesis(up_to_failure)
    if shrinker == "hypothesis":
        return by_hypothesis(list(budget.phases))

    class Recorded(used):  # type: ignore[valid-type,misc]
        def __init__(self) -> None:
            drawn.clear()  # the last run's draws are kept
            super().__init__()

    Recorded.__name__ = used.__name__
    with recording() as drawn:
        error = _failure(Recorded, settings(budget, phases=up_to_failure, derandomize=derandomize))
    if error is None:
        return None
    calls = parse_run(machine, getattr(error, "__notes__", []), drawn)
    shrunk = None if calls is None else shrink_calls(machine, calls, origin(error))
    if shrunk is None:  # not a run the command shrinker can replay: Hypothesis shrinks it
        return by_hypothesis(list(budget.phases))
    steps = render(machine.__name__, shrunk.calls)
    return _finding(steps, shrunk.message, started, cpu, "commands")


def check_machine(
    machine: type[LifecycleMachine], *, seed: int | None = None, budget: settings = BUDGET
) -> None:
    """Run ``machine`` as :func:`run_machine` does; fail (``AssertionError``) on a finding.

    For a test of your own: the failure's message is the finding's :meth:`Finding.report`,
    its sequence shrunk by the command shrinker (a machine's own ``TestCase`` shrinks with
    Hypothesis' shrinker instead, which takes far longer on these machines).

    >>> from hypothesis import settings
    >>> from ruian_governance.testing import EventMachine
    >>> check_machine(EventMachine, seed=1, budget=settings(BUDGET, max_examples=3))

    Raises:
        AssertionError: The machine broke an invariant; the message shows how.
        ArgumentError: As :func:`run_machine` refuses its arguments.
    """
    finding = run_machine(machine, seed=seed, budget=budget)
    if finding is not None:
        _violated(finding.report())


def _check_run(machine: object, seed: object, budget: object) -> None:
    """Refuse a machine that is not a LifecycleMachine class, a seed not an int, a non-budget."""
    if not (isinstance(machine, type) and issubclass(machine, LifecycleMachine)):
        reason = "a LifecycleMachine subclass (a class, not an instance)"
        raise ArgumentError(argument="machine", value=machine, reason=reason)
    _check_seed(seed)
    need_type("budget", budget, settings)


def _check_seed(seed: object) -> None:
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ArgumentError(argument="seed", value=seed, reason="an integer or None")


def _failure(machine: type[LifecycleMachine], at: settings) -> AssertionError | None:
    """Run ``machine`` at ``at``: its failure (a broken invariant), or ``None``."""
    try:
        with steady_constants():
            run_state_machine_as_test(machine, settings=at)
    except AssertionError as error:
        return error
    return None


def _steps(error: AssertionError) -> tuple[str, ...]:
    """The failing sequence of Hypothesis' report (its notes), without the invariant calls."""
    return tuple(line for line in getattr(error, "__notes__", []) if _is_step(line))


def _finding(
    steps: tuple[str, ...], message: str, started: float, cpu: float, shrunk_by: str
) -> Finding:
    return Finding(
        message=message,
        steps=steps,
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu,
        shrunk_by=shrunk_by,
    )


def _is_step(line: str) -> bool:
    """Whether a line of Hypothesis' report is part of the failing sequence (not an invariant)."""
    if line.startswith(("state = ", "Draw ")):
        return True
    return line.startswith("state.") and not line.endswith("()")


def reach(
    machine: type[LifecycleMachine],
    *,
    seeds: Iterable[int],
    budget: settings = BUDGET,
) -> Mapping[Edge, int]:
    """In how many of the budget runs (one per seed) each transition was taken at least once.

    Counts every transition of the machine's lifecycles (:func:`transitions`); one not taken in
    any run counts 0.  The machine must pass (a failure raises, as :func:`run_machine` would
    report it).

    Raises:
        AssertionError: The machine broke an invariant.
        ArgumentError: As :func:`run_machine` refuses its arguments.
    """
    seeds = tuple(seeds)
    _check_run(machine, None, budget)
    for value in seeds:
        _check_seed(value)
    counts: dict[Edge, int] = {
        edge: 0 for definition in machine.lifecycles for edge in transitions(definition)
    }
    taken: set[Edge] = set()

    class Counting(machine):  # type: ignore[valid-type,misc]
        def teardown(self) -> None:
            taken.update(self.reached)
            super().teardown()

    Counting.__name__ = machine.__name__
    quick = settings(budget, phases=[Phase.explicit, Phase.generate], derandomize=False)
    for value in seeds:
        taken.clear()
        with steady_constants():
            run_state_machine_as_test(_machine_with_seed(Counting, value), settings=quick)
        for edge in taken:
            counts[edge] = counts.get(edge, 0) + 1
    return counts
