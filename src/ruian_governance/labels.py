r"""Bilingual labels, and the one rule of what an id, a name or a label may hold.

Every level, role, platform, station kind and state has an English name and a Chinese label.

>>> from ruian_governance import Label
>>> label = Label(en="grid worker", zh="网格员")
>>> label.text("zh"), label.text("en"), str(label)
('网格员', 'grid worker', 'grid worker 网格员')

Ids and names are checked here, once, because :class:`Label` is the lowest layer that needs
the rule; every model uses it through :mod:`ruian_governance._convert`'s validators.

- An **id** (a unit, person, role, kind, preset, category, lifecycle, state, trigger or
  severity key) is 1 to :data:`IDENTIFIER_MAX` printable characters without spaces: no
  control or format character (NUL, tab, line breaks, bidirectional marks, overrides and
  isolates, zero-width characters), no lone surrogate, no private-use or unassigned code point,
  no white space.  Ids are compared, indexed, stored and printed; two ids that look alike
  must be equal.
- A **name or label** is 1 to :data:`TEXT_MAX` characters (``name_en`` may be empty) without
  control characters (NUL, tab and line breaks included: a name is one line), lone
  surrogates, line or paragraph separators, or bidirectional marks, overrides and isolates
  (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069).  Chinese, spaces (also U+3000),
  punctuation, emoji and private-use characters (some rare characters 生僻字 live there) are
  welcome.
- **Free text** (a report's description) may hold anything but a lone surrogate, up to
  :data:`FREE_TEXT_MAX` characters; whoever displays it escapes it.

Refusing beats escaping here (design choice): a governance record is read by people who act on
it, and a name that prints as something else (a right-to-left override turning ``exe.txt``
around, a NUL ending it early in C tools, a line break forging a second log line) is a forged
record; no real unit, person or label needs those characters, and escaping would have to be
done by every output (CLI, HTML report, Open311, diagrams, logs) while a refusal at
construction is done once.  Lone surrogates cannot be written as UTF-8 at all.

>>> check_identifier("t0001.v001", "id")
't0001.v001'
>>> check_identifier("a\u202eb", "id")
Traceback (most recent call last):
...
ruian_governance.errors.ArgumentError: id='a\u202eb': expected an id of printable characters, not...
>>> check_text("安阳街道 第1网格", "name")
'安阳街道 第1网格'
"""

from __future__ import annotations

import re
from typing import Literal, TypeAlias

import attrs

from ruian_governance.errors import ArgumentError

__all__ = [
    "FREE_TEXT_MAX",
    "IDENTIFIER_MAX",
    "TEXT_MAX",
    "Label",
    "Language",
    "check_free_text",
    "check_identifier",
    "check_text",
]

Language: TypeAlias = Literal["en", "zh"]
"""The label languages the library writes: English (``"en"``) or Chinese (``"zh"``)."""

IDENTIFIER_MAX = 200
"""The longest id, in characters (design choice: the longest generated id is under 60)."""

TEXT_MAX = 500
"""The longest name or label, in characters (design choice: an official name is under 100)."""

FREE_TEXT_MAX = 100_000
"""The longest free text (a report's description), in characters (design choice)."""

_REFUSED_IN_TEXT = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""Control characters (C0, DEL, C1), line and paragraph separators, bidirectional marks,
embeddings, overrides and isolates, and surrogates: what a name or label may not hold."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def _at(value: str, index: int) -> str:
    return f"U+{ord(value[index]):04X} at index {index}"


def check_identifier(value: object, field: str) -> str:
    """Return ``value`` if it is an id (see the module's rule), else raise :class:`ArgumentError`.

    Args:
        value: The candidate id.
        field: The field or argument name the error gives.

    Raises:
        ArgumentError: ``value`` is not a string of 1 to :data:`IDENTIFIER_MAX` printable
            characters without spaces; the message names the first offending character.
    """
    if (
        isinstance(value, str)
        and 0 < len(value) <= IDENTIFIER_MAX
        and value.isprintable()
        and " " not in value
    ):
        return value
    if not isinstance(value, str):
        reason = "an id (a string)"
    elif not value:
        reason = "a non-empty id"
    elif len(value) > IDENTIFIER_MAX:
        reason = f"an id of at most {IDENTIFIER_MAX} characters"
    else:
        index = next(i for i, c in enumerate(value) if c == " " or not c.isprintable())
        reason = f"an id of printable characters, not {_at(value, index)}"
    raise ArgumentError(field, value, reason)


def check_text(value: object, field: str, *, empty: bool = False) -> str:
    """Return ``value`` if it is a name or label (see the module's rule), else raise.

    Args:
        value: The candidate text.
        field: The field or argument name the error gives.
        empty: Whether ``""`` is allowed (an optional English name).

    Raises:
        ArgumentError: ``value`` is not a string of 1 (0 with ``empty``) to :data:`TEXT_MAX`
            characters, or holds a refused character (named in the message).
    """
    if isinstance(value, str) and (0 if empty else 1) <= len(value) <= TEXT_MAX:
        if value.isprintable():  # the fast path: most names are
            return value
        found = _REFUSED_IN_TEXT.search(value)
        if found is None:
            return value
        where = _at(value, found.start())
        reason = f"text without control or bidirectional characters, not {where}"
    elif not isinstance(value, str):
        reason = "text (a string)"
    elif not value:
        reason = "a non-empty string"
    else:
        reason = f"text of at most {TEXT_MAX} characters"
    raise ArgumentError(field, value, reason)


def check_free_text(value: object, field: str) -> str:
    """Return ``value`` if it is free text (see the module's rule), else raise.

    Raises:
        ArgumentError: ``value`` is not a string of at most :data:`FREE_TEXT_MAX` characters,
            or holds a lone surrogate (which cannot be written as UTF-8).
    """
    if isinstance(value, str) and len(value) <= FREE_TEXT_MAX:
        found = _SURROGATE.search(value)
        if found is None:
            return value
        reason = f"text without lone surrogates, not {_at(value, found.start())}"
    elif not isinstance(value, str):
        reason = "text (a string)"
    else:
        reason = f"text of at most {FREE_TEXT_MAX} characters"
    raise ArgumentError(field, value, reason)


def _text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_text(value, attribute.name)


@attrs.frozen(kw_only=True)
class Label:
    """An English name with its Chinese label.

    Both are names as the module's rule says: one line of 1 to :data:`TEXT_MAX` characters,
    without control or bidirectional characters.

    Args:
        en: The English name, as used in code and English documents.
        zh: The Chinese label, as used in Rui'an's own documents.

    Raises:
        ArgumentError: A text is empty, too long, not a string or holds a refused character.
    """

    en: str = attrs.field(validator=_text)
    zh: str = attrs.field(validator=_text)

    def text(self, language: Language = "en") -> str:
        """Return the label in ``language`` (``"en"`` or ``"zh"``)."""
        return self.zh if language == "zh" else self.en

    def __str__(self) -> str:
        return f"{self.en} {self.zh}"
