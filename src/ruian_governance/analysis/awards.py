"""The 平安鼎 award ladder over consecutive safe years, and the three rates 三率 from surveys.

Source: Zhejiang practice (public government and press pages): a county that is rated safe
(平安县/市) year after year earns the 平安鼎 ladder, 3 consecutive years a tripod 平安鼎, 6 a
copper tripod 铜鼎, 9 silver 银鼎, 12 gold 金鼎, 15 a one-star gold tripod 一星金鼎, then one more
star every 3 years.  The "three rates" 三率 are survey figures, not case figures: the public's
sense-of-safety satisfaction 安全感满意度, awareness of the safety campaign 知晓率 and
participation in it 参与率; the library takes them as inputs (:class:`ThreeRates`) and shows
them beside the case-based figures (:func:`beside_cases`).  Whether a year was safe is an input
too: the rating is the province's, not something the cases decide.

>>> from ruian_governance.analysis import ping_an_ding
>>> [ping_an_ding(n).label.zh if ping_an_ding(n) else None for n in (2, 3, 6, 9, 12, 15, 18)]
[None, '平安鼎', '铜鼎', '银鼎', '金鼎', '一星金鼎', '二星金鼎']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ruian_governance.errors import AnalysisError
from ruian_governance.labels import Label

from .rates import Rate
from .summary import Summary, rate_json

__all__ = [
    "AwardRung",
    "ThreeRates",
    "beside_cases",
    "consecutive_safe_years",
    "ping_an_ding",
]

_NUMERALS = "一二三四五六七八九十"
_BASE = (
    (3, Label(en="tripod", zh="平安鼎")),
    (6, Label(en="copper tripod", zh="铜鼎")),
    (9, Label(en="silver tripod", zh="银鼎")),
    (12, Label(en="gold tripod", zh="金鼎")),
)


@attrs.frozen(kw_only=True)
class AwardRung:
    """A rung of the 平安鼎 ladder.

    Args:
        years: The consecutive safe years it takes (3, 6, 9, ...).
        label: Its name (平安鼎, 铜鼎, 银鼎, 金鼎, 一星金鼎, 二星金鼎, ...).
        stars: The stars on the gold tripod (0 below 15 years).
    """

    years: int
    label: Label
    stars: int = 0


def _whole(name: str, value: object, low: int) -> int:
    if type(value) is not int or value < low:
        raise AnalysisError(name, f"expected a whole number >= {low}, got {value!r}")
    return value


def ping_an_ding(consecutive_years: int) -> AwardRung | None:
    """The highest rung earned by ``consecutive_years`` safe years, or ``None`` below three.

    Raises:
        AnalysisError: ``consecutive_years`` is not a whole number >= 0.

    >>> ping_an_ding(17).label.en, ping_an_ding(17).years, ping_an_ding(17).stars
    ('one-star gold tripod', 15, 1)
    """
    years = _whole("consecutive_years", consecutive_years, 0)
    if years < 3:
        return None
    if years < 15:
        rung_years, label = next(r for r in reversed(_BASE) if r[0] <= years)
        return AwardRung(years=rung_years, label=label)
    stars = (years - 15) // 3 + 1
    star = _NUMERALS[stars - 1] if stars <= len(_NUMERALS) else str(stars)
    en = f"{'one' if stars == 1 else stars}-star gold tripod"
    return AwardRung(
        years=15 + 3 * (stars - 1), label=Label(en=en, zh=f"{star}星金鼎"), stars=stars
    )


def consecutive_safe_years(safe: Mapping[int, bool], *, up_to: int) -> int:
    """How many years up to ``up_to`` (inclusive) were rated safe in a row (a gap breaks it).

    ``safe`` maps a year to whether it was rated safe (平安县/市); a missing year is not safe.

    Raises:
        AnalysisError: A year is not a whole number, a verdict not a bool, or ``up_to`` not a
            whole number.

    >>> consecutive_safe_years({2019: True, 2020: False, 2021: True, 2022: True}, up_to=2022)
    2
    """
    _whole("up_to", up_to, -(10**6))
    given: object = safe
    if not isinstance(given, Mapping):
        argument = "safe"
        raise AnalysisError(argument, f"expected a mapping of years to verdicts, got {given!r}")
    for year, verdict in given.items():
        _whole("year", year, -(10**6))
        if not isinstance(verdict, bool):
            argument = "safe"
            raise AnalysisError(argument, f"expected True or False for {year}, got {verdict!r}")
    count, year = 0, up_to
    while safe.get(year, False):
        count += 1
        year -= 1
    return count


def _share(_: object, attribute: attrs.Attribute[Rate], value: object) -> None:
    ok = (
        isinstance(value, Rate)
        and type(value.count) is int
        and type(value.total) is int
        and 0 <= value.count <= value.total
    )
    if not ok:
        raise AnalysisError(
            attribute.name, f"expected a Rate of respondents (0 <= count <= total), got {value!r}"
        )


@attrs.frozen(kw_only=True)
class ThreeRates:
    """The three rates 三率 from a public survey (inputs: respondents answering yes of all).

    Args:
        sense_of_safety: Sense-of-safety satisfaction 安全感满意度.
        awareness: Awareness of the safety campaign 知晓率.
        participation: Participation in it 参与率.

    Raises:
        AnalysisError: A rate is not a :class:`~ruian_governance.analysis.Rate` of whole numbers
            with ``0 <= count <= total``.

    >>> from ruian_governance.analysis import Rate
    >>> str(ThreeRates(sense_of_safety=Rate(count=969, total=1000), awareness=Rate(
    ...     count=880, total=1000), participation=Rate(count=610, total=1000)).sense_of_safety)
    '96.9% (969/1000)'
    """

    sense_of_safety: Rate = attrs.field(validator=_share)
    awareness: Rate = attrs.field(validator=_share)
    participation: Rate = attrs.field(validator=_share)


_SURVEY = (
    ("sense_of_safety", Label(en="sense-of-safety satisfaction", zh="安全感满意度")),
    ("awareness", Label(en="awareness", zh="知晓率")),
    ("participation", Label(en="participation", zh="参与率")),
)


def beside_cases(survey: ThreeRates, summary: Summary) -> list[dict[str, Any]]:
    """The three survey rates beside the case-based figure nearest to each, as rows.

    Sense of safety sits beside the evaluations' satisfaction 满意率 (4-5 stars); awareness and
    participation have no case-based counterpart (``None``).  Each row: ``key``, ``label``
    (Chinese), ``survey`` and ``cases`` (``{"count", "total", "value"}`` or ``None``).

    Raises:
        AnalysisError: ``survey`` is not :class:`ThreeRates`.
    """
    given: object = survey
    if not isinstance(given, ThreeRates):
        argument = "survey"
        raise AnalysisError(argument, f"expected ThreeRates, got {given!r}")
    nearest = {"sense_of_safety": summary.satisfaction}
    rows = []
    for key, label in _SURVEY:
        case_rate = nearest.get(key)
        rows.append(
            {
                "key": key,
                "label": label.zh,
                "survey": rate_json(getattr(survey, key)),
                "cases": None if case_rate is None else rate_json(case_rate),
            }
        )
    return rows
