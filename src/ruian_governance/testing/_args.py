"""Argument checks shared by the strategies and the state machines (private to ``testing``).

Each check raises :class:`~ruian_governance.errors.ArgumentError` at once, when a strategy or a
machine is built, never when it is drawn from or run.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from ruian_governance.errors import ArgumentError

__all__ = ["check_bound", "need_type", "sampled"]


def check_bound(name: str, value: int, low: int) -> None:
    """Refuse ``value`` unless it is an integer (not a bool) of at least ``low``.

    >>> check_bound("max_towns", 0, 1)
    Traceback (most recent call last):
    ruian_governance.errors.ArgumentError: max_towns=0: expected an integer >= 1
    """
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ArgumentError(argument=name, value=value, reason=f"an integer >= {low}")


def need_type(name: str, value: object, kind: type | tuple[type, ...]) -> None:
    """Refuse ``value`` unless it is an instance of ``kind``.

    >>> need_type("hierarchy", "h", dict)
    Traceback (most recent call last):
    ruian_governance.errors.ArgumentError: hierarchy='h': expected an instance of dict, not str
    """
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        reason = f"an instance of {names}, not {type(value).__name__}"
        raise ArgumentError(argument=name, value=value, reason=reason)


def sampled(value: Any, name: str) -> st.SearchStrategy[Any]:
    """``value`` itself if it is a strategy, else ``st.sampled_from`` of its (some) items.

    >>> sampled([], "counts")
    Traceback (most recent call last):
    ruian_governance.errors.ArgumentError: counts=(): expected a non-empty collection or a strategy
    """
    if isinstance(value, st.SearchStrategy):
        return value
    items = tuple(value)
    if not items:
        reason = "a non-empty collection or a strategy"
        raise ArgumentError(argument=name, value=items, reason=reason)
    return st.sampled_from(items)
