"""The errors of what a front end reads: posted command forms."""

from __future__ import annotations

from collections.abc import Mapping

from ruian_governance.errors._core import RuianGovernanceError, _clipped_repr, _shown


class FormError(RuianGovernanceError, ValueError):
    """A posted form could not be read into command data; ``fields`` names each bad field.

    ``fields`` maps each bad field's name (as posted, e.g. ``"data.stars"``) to what is wrong
    with it (missing, unknown, not a whole number, more than one value, ...): every bad field
    at once, so a front end marks each input of the form.  Problem details carry it as the
    ``fields`` member; the suggested HTTP status is 422.

    >>> FormError({"data.stars": "expected a whole number from 1 to 5"}).fields
    {'data.stars': 'expected a whole number from 1 to 5'}

    Added in 0.2.0.
    """

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields: dict[str, str] = {str(k): str(v) for k, v in fields.items()}
        shown = _shown(f"{_clipped_repr(k)}: {v}" for k, v in self.fields.items())
        super().__init__(f"the form has bad fields: {shown}")
