"""The errors of what a front end asks: page cursors."""

from __future__ import annotations

from ruian_governance.errors._core import ArgumentError


class InvalidCursorError(ArgumentError):
    """A page cursor was not made by this library for this query (edited, forged, foreign).

    ``argument`` is ``"cursor"``, ``value`` the cursor given and ``reason`` what is wrong with
    it; a front end answers 400 and starts again from the first page.

    >>> InvalidCursorError("abc", "its checksum fails").argument
    'cursor'

    Added in 0.2.0.
    """

    def __init__(self, value: object, reason: str) -> None:
        super().__init__("cursor", value, f"a cursor of this query ({reason})")
