"""The errors of lifecycle definitions, commands on cases, the engine's checks and the stores."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NotRequired, TypedDict, Unpack

from ruian_governance.errors._core import (
    RuianGovernanceError,
    _r,
    _rule_message,
    _RuleError,
)

# --------------------------------------------------------------------------- lifecycle definitions


class LifecycleDefinitionError(_RuleError, rule="lifecycle definition rule"):
    """A lifecycle definition broke one of its structural rules.

    Each rule has its own subclass; ``keys`` holds every offending state, trigger or role key
    found for that rule, and ``lifecycle`` the key of the definition.

    Added in 0.1.0.
    """

    def __init__(self, lifecycle: str, keys: Iterable[str], detail: str = "") -> None:
        self.lifecycle = lifecycle
        self.keys: tuple[str, ...] = tuple(sorted(keys))
        self.detail = detail
        super().__init__(
            f"lifecycle {_r(lifecycle)}: {_rule_message(self.rule, self.keys, detail)}"
        )


class InitialStateError(LifecycleDefinitionError, rule="exactly one initial state is needed"):
    """A lifecycle has no initial state, or more than one.

    Added in 0.1.0.
    """


class FinalStateExitError(LifecycleDefinitionError, rule="final states have no exits"):
    """A transition leaves a final state.

    Added in 0.1.0.
    """


class UnreachableStateError(
    LifecycleDefinitionError, rule="states unreachable from the initial state"
):
    """A state cannot be reached from the initial state.

    Added in 0.1.0.
    """


class TrapStateError(
    LifecycleDefinitionError, rule="non-final states that cannot reach a final state"
):
    """A non-final state from which no final state can be reached.

    Added in 0.1.0.
    """


class UnknownReferenceError(
    LifecycleDefinitionError, rule="unknown states, triggers, roles or severities"
):
    """A transition names a state, trigger, role or severity the definition does not know.

    Added in 0.1.0.
    """


class DuplicateKeyError(LifecycleDefinitionError, rule="duplicate keys"):
    """Two states, triggers or severities of a lifecycle share a key.

    Added in 0.1.0.
    """


class AmbiguousTransitionError(
    LifecycleDefinitionError, rule="more than one transition for the same state and trigger"
):
    """Two transitions fire on the same trigger from the same state.

    Keys are rendered ``state/trigger``.

    Added in 0.1.0.
    """


# --------------------------------------------------------------------------- commands on cases


class _Command(TypedDict):
    """The refused command a :class:`TransitionError` names: case, state, trigger, actor."""

    case_id: str
    state: str
    trigger: str
    actor: NotRequired[object]


class TransitionError(RuianGovernanceError):
    """A command on a case was refused; the case and every index are left as they were.

    ``case_id``, ``state``, ``trigger`` and ``actor`` (an
    :class:`~ruian_governance.Actor`, or ``None``) say which command was refused.

    Added in 0.1.0.
    """

    reason: str = "command refused"

    def __init_subclass__(cls, *, reason: str = "", **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if reason:
            cls.reason = reason

    def __init__(self, *, detail: str = "", **command: Unpack[_Command]) -> None:
        self.case_id = command["case_id"]
        self.state = command["state"]
        self.trigger = trigger = command["trigger"]
        self.actor = command.get("actor")
        self.detail = detail
        case_id, state, trigger = (_r(v) for v in (self.case_id, self.state, trigger))
        message = f"case {case_id} in state {state}: {trigger} refused: {self.reason}"
        if self.actor is not None:  # an Actor says who; anything else is shown clipped
            try:
                who = str(self.actor) if hasattr(self.actor, "person_id") else None
            except Exception:  # a hostile actor whose text fails
                who = None
            message += f" (actor {who if who and len(who) <= 200 else _r(self.actor)})"
        super().__init__(f"{message}: {detail}" if detail else message)


class InvalidTransitionError(TransitionError, ValueError, reason="not available in this state"):
    """The trigger is unknown, or not available in the case's current state. Added in 0.1.0."""


class InvalidActorError(
    TransitionError, PermissionError, reason="the actor does not hold this post"
):
    """The actor does not hold the post (person, role, unit) they claim. Added in 0.1.0."""


class RoleNotAllowedError(TransitionError, PermissionError, reason="role not allowed"):
    """The actor's role may not fire this trigger. Added in 0.1.0."""


class JurisdictionError(
    TransitionError, PermissionError, reason="actor outside the case's jurisdiction"
):
    """The actor's unit lies outside the case's jurisdiction for this trigger.

    For example a station that was not assigned the case, or a town acting in another town.

    Added in 0.1.0.
    """


class GuardFailedError(TransitionError, ValueError, reason="guard failed"):
    """A guard of the transition said no; ``guard`` is its key. Added in 0.1.0."""

    def __init__(self, *, guard: str, detail: str = "", **command: Unpack[_Command]) -> None:
        self.guard = guard
        super().__init__(detail=f"{guard}: {detail}" if detail else guard, **command)


class MissingDataError(TransitionError, ValueError, reason="required data missing"):
    """The trigger requires data the command did not give (``missing``). Added in 0.1.0."""

    def __init__(self, *, missing: Iterable[str], **command: Unpack[_Command]) -> None:
        self.missing: tuple[str, ...] = tuple(sorted(missing))
        super().__init__(detail=", ".join(self.missing), **command)


class UnexpectedDataError(TransitionError, ValueError, reason="unexpected data"):
    """The command gave data the trigger does not take (``unexpected``). Added in 0.1.0."""

    def __init__(self, *, unexpected: Iterable[str], **command: Unpack[_Command]) -> None:
        self.unexpected: tuple[str, ...] = tuple(sorted(unexpected))
        super().__init__(detail=", ".join(self.unexpected), **command)


class TimeOrderError(TransitionError, ValueError, reason="time out of order"):
    """The command's time is naive, or earlier than the case's last record. Added in 0.1.0."""


class ConflictError(RuianGovernanceError, RuntimeError):
    """Optimistic concurrency: the case changed since the caller read it.

    ``expected`` is the version the caller read (``None`` when adding a new case), ``actual``
    the version stored (``None`` when no case is stored under ``case_id``).

    Added in 0.1.0.
    """

    def __init__(self, case_id: str, expected: int | None, actual: int | None) -> None:
        self.case_id = case_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"case {_r(case_id)}: expected version {expected}, found {actual}; re-read and retry"
        )


class CaseStoreError(RuianGovernanceError, ValueError):
    """A case store refused a request, or found stored data that does not hold together.

    For example saving a case whose version does not follow its history, asking for overdue
    cases at a naive time, or a stored case whose history rows do not match its version.
    ``case_id`` names the case (``None`` when the request concerns no one case) and ``detail``
    says what is wrong.

    Added in 0.1.0.
    """

    def __init__(self, case_id: str | None, detail: str) -> None:
        self.case_id = case_id
        self.detail = detail
        where = "case store" if case_id is None else f"case store, case {_r(case_id)}"
        super().__init__(f"{where}: {detail}")


# --------------------------------------------------------------------------- engine (Trust)


class ForgedHistoryError(RuianGovernanceError, ValueError):
    """A record is not a legal command, or the case contradicts its history. Added in 0.2.0.

    ``seq`` is the record (``None``: a field of the case), ``reason`` which check refused it
    (that refusal is the ``__cause__``).
    """

    def __init__(self, case_id: object, seq: int | None, reason: str) -> None:
        self.case_id, self.seq, self.reason = case_id, seq, reason
        where = "the case" if seq is None else f"history record {_r(seq)}"
        where = f"case {_r(case_id)}: {where}"
        super().__init__(f"{where} does not follow from the rules: {reason}")


class InvalidDataError(TransitionError, ValueError, reason="data of the wrong type"):
    """A data value (``key``) is not of its declared type (``expected``). Added in 0.2.0."""

    def __init__(self, *, key: str, expected: str, **command: Unpack[_Command]) -> None:
        self.key, self.expected = key, expected
        super().__init__(detail=f"{key}: expected {expected}", **command)


class FutureTimeError(TimeOrderError, reason="time ahead of the clock"):
    """The command's time is beyond the engine's clock plus its tolerance. Added in 0.2.0."""


# --------------------------------------------------------------------------- stores (Trust)


class StoreCorruptError(CaseStoreError):
    """A store file or its rows are damaged (not a store, a checksum fails). Added in 0.2.0."""


class StoreMismatchError(CaseStoreError):
    """A store file was written with other definitions or another layout. Added in 0.2.0."""


class StoreBusyError(CaseStoreError, TimeoutError):
    """Another connection held the store file's lock past the timeout. Added in 0.2.0."""


class StoreReadOnlyError(CaseStoreError, PermissionError):
    """A write on a store opened read-only, or on a file that cannot be written. Added in 0.2.0."""
