"""The argument checks of a store's writes, shared by the store and its batches."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ruian_governance.errors import ArgumentError, CaseStoreError, ForgedHistoryError
from ruian_governance.models import Case, Clock, HistoryRecord

__all__: list[str] = []


class _Clocked(Protocol):
    """What tells a command's time: a store's clock."""

    @property
    def clock(self) -> Clock | None: ...


def _command_time(store: _Clocked, at: datetime | None) -> datetime:
    """The time of a command: ``at`` if given, else the time of the store's clock."""
    if at is not None:
        return at
    clock = store.clock
    if clock is None:
        raise CaseStoreError(None, "give the command's time (at=...) or a clock")
    return clock.now()


def _text(value: object, argument: str) -> str:
    """``value`` if it is a string SQLite can hold (UTF-8), else :class:`ArgumentError`."""
    if isinstance(value, str) and _encodes(value):
        return value
    raise ArgumentError(argument, value, "a text (str) without lone surrogates")


def _encodes(value: str) -> bool:
    """Whether UTF-8 can encode ``value`` (no lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _version(value: object) -> int:
    """``value`` if it is a version number (an ``int``, not a ``bool``), else refused."""
    if type(value) is not int:
        raise ArgumentError("expected_version", value, "a whole number (int)")  # noqa: EM101
    return value


def _checked_case(case: object) -> Case:
    """``case`` if it is a :class:`Case` with a tuple of history records, else refused."""
    if not isinstance(case, Case):
        raise ArgumentError("case", case, "a Case")  # noqa: EM101 - a name
    history: object = case.history
    if type(history) is not tuple or not all(type(r) is HistoryRecord for r in history):
        raise ForgedHistoryError(case.id, None, "its history is not a tuple of HistoryRecords")
    return case


# --------------------------------------------------------------------------- what a file records
