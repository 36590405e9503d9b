"""Rui'an's 23 towns and streets 乡镇/街道, as the generators take them (:class:`TownSpec`).

Where the facts come from: the number (23) is the seed article's; the names are Rui'an's
township-level divisions since the 2016 adjustment, as reported in Zhejiang's press (Wenzhou
Daily, 2016-01-06, on the provincial approval).  The ids and English names are a design choice
(the pinyin of the Chinese name, with "Subdistrict", "Town" or "Township").

>>> from ruian_governance.presets import RUIAN_TOWNS
>>> len(RUIAN_TOWNS), RUIAN_TOWNS[0].name, RUIAN_TOWNS[0].name_en
(23, '安阳街道', 'Anyang Subdistrict')
"""

from __future__ import annotations

import attrs

from ruian_governance._convert import identifier, text, text_or_empty

__all__ = ["RUIAN_ORIGIN", "RUIAN_TOWNS", "TownSpec"]

RUIAN_ORIGIN: tuple[float, float] = (27.78, 120.65)
"""About where Rui'an's city centre lies (Anyang Subdistrict 安阳街道), ``(lat, long)`` in degrees.

Rounded from public maps (a design choice for placing generated grids,
``ruian_preset(origin=RUIAN_ORIGIN)``), not a surveyed point.  Added in 0.2.0."""


@attrs.frozen(kw_only=True)
class TownSpec:
    """The id stem and names of one town or street for the generators.

    Checked as ids and names are (:mod:`ruian_governance.labels`): an ``ArgumentError`` names
    a bad field.
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text)
    name_en: str = attrs.field(validator=text_or_empty)


def _towns(suffix_zh: str, suffix_en: str, names: str) -> tuple[TownSpec, ...]:
    """Towns from ``"安阳 anyang, 玉海 yuhai, ..."``: Chinese stem and pinyin id, suffixed."""
    pairs = (pair.split() for pair in names.split(","))
    return tuple(
        TownSpec(id=slug, name=f"{zh}{suffix_zh}", name_en=f"{slug.capitalize()} {suffix_en}")
        for zh, slug in pairs
    )


RUIAN_TOWNS: tuple[TownSpec, ...] = (
    *_towns(
        "街道",
        "Subdistrict",
        "安阳 anyang, 玉海 yuhai, 锦湖 jinhu, 潘岱 pandai, 东山 dongshan, 上望 shangwang, "
        "莘塍 xincheng, 汀田 tingtian, 飞云 feiyun, 仙降 xianjiang, 南滨 nanbin, 云周 yunzhou",
    ),
    *_towns(
        "镇",
        "Town",
        "塘下 tangxia, 陶山 taoshan, 桐浦 tongpu, 湖岭 huling, 林川 linchuan, 马屿 mayu, "
        "曹村 caocun, 高楼 gaolou, 平阳坑 pingyangkeng",
    ),
    *_towns("乡", "Township", "芳庄 fangzhuang, 北麂 beiji"),
)
"""Rui'an's 23 township-level divisions since the 2016 adjustment: 12 streets 街道, 9 towns 镇 and
2 townships 乡 (Wenzhou Daily, 2016-01-06, on the provincial approval; the count of 23 is also the
seed article's)."""
