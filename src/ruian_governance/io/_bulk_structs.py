"""The shapes msgspec decodes a hierarchy document into, for :mod:`ruian_governance.io.bulk`.

msgspec (the ``scale`` extra) parses the JSON text straight into these structs, checking in C
what the models' converters and validators check by type: the keys of each unit, person and
post (no key missing, none extra), the levels and employments (the enums' values), ids and
names as text within their lengths, and a centroid of two numbers in range (not a flag, not
infinite).  What is left to check is that the text is printable (a column at a time, in
:mod:`~ruian_governance.io.bulk`).  The small parts of the document (the preset, the centre,
the organisations, roles and courts) are decoded as plain JSON values and structured by the
ordinary converter.  A document these shapes refuse goes down the ordinary path.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

import msgspec

from ruian_governance.labels import IDENTIFIER_MAX, TEXT_MAX
from ruian_governance.models import Employment, Level

__all__ = ["ABSENT", "SMALL_PARTS", "DocumentRow", "PersonRow", "PostRow", "UnitRow"]

ABSENT: Final = object()
"""The value of a small part the document does not give (its model's default applies)."""

SMALL_PARTS: Final = (
    "preset", "centre", "command_rooms", "platforms", "stations", "departments", "roles",
    "courts", "tribunals", "shared_courts",
)  # fmt: skip
"""The hierarchy's fields other than ``units`` and ``people`` (tested against the model)."""

Id = Annotated[str, msgspec.Meta(min_length=1, max_length=IDENTIFIER_MAX)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=TEXT_MAX)]
NameEn = Annotated[str, msgspec.Meta(max_length=TEXT_MAX)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]


class UnitRow(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An :class:`~ruian_governance.models.AdminUnit` as the document writes it."""

    id: Id
    name: Name
    level: Level
    parent_id: Id | None = None
    name_en: NameEn = ""
    centroid: tuple[Latitude, Longitude] | None = None


class PostRow(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A :class:`~ruian_governance.models.Post` as the document writes it."""

    role: Id
    unit_id: Id
    employment: Employment | None = None


class PersonRow(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A :class:`~ruian_governance.models.Person` as the document writes it."""

    id: Id
    name: Name
    posts: list[PostRow]


class DocumentRow(msgspec.Struct, forbid_unknown_fields=True):
    """A hierarchy document: the two big lists as rows, the small parts as plain JSON values."""

    format_version: Any
    units: list[UnitRow]
    people: list[PersonRow] = []
    kind: Any = "hierarchy"
    preset: Any = ABSENT
    centre: Any = ABSENT
    command_rooms: Any = ABSENT
    platforms: Any = ABSENT
    stations: Any = ABSENT
    departments: Any = ABSENT
    roles: Any = ABSENT
    courts: Any = ABSENT
    tribunals: Any = ABSENT
    shared_courts: Any = ABSENT


decoder: Final = msgspec.json.Decoder(DocumentRow)
"""Decodes JSON text (``str`` or ``bytes``) into a :class:`DocumentRow`."""

Error: Final = msgspec.MsgspecError
"""What the decoder raises for text it refuses (not JSON, or not of these shapes)."""
