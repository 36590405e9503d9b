"""Bilingual labels.

Every level, role, platform, station kind and state has an English name and a Chinese label.

>>> from ruian_governance import Label
>>> label = Label(en="grid worker", zh="网格员")
>>> label.text("zh"), label.text("en"), str(label)
('网格员', 'grid worker', 'grid worker 网格员')
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import attrs

from ruian_governance.errors import ArgumentError

__all__ = ["Label", "Language"]

Language: TypeAlias = Literal["en", "zh"]
"""The label languages the library writes: English (``"en"``) or Chinese (``"zh"``)."""


def _text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ArgumentError(attribute.name, value, "a non-empty string")


@attrs.frozen(kw_only=True)
class Label:
    """An English name with its Chinese label.

    Args:
        en: The English name, as used in code and English documents.
        zh: The Chinese label, as used in Rui'an's own documents.
    """

    en: str = attrs.field(validator=_text)
    zh: str = attrs.field(validator=_text)

    def text(self, language: Language = "en") -> str:
        """Return the label in ``language`` (``"en"`` or ``"zh"``)."""
        return self.zh if language == "zh" else self.en

    def __str__(self) -> str:
        return f"{self.en} {self.zh}"
