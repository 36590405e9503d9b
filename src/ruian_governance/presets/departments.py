"""The city departments 职能部门 the generators create (:class:`DepartmentSpec`).

Where the facts come from: the number (22) is the seed article's, the departments that took part
in Rui'an's complex-dispute application; which 22 bureaus they are is not published, so the list
is a design choice: bureaus a county-level city has, including every department kind the shipped
category tables name.  The kind keys are free keys that the category tables refer to.  The
``court`` entry stands for the court's part in the dispute application as one of the 22; the
court's judicial acts (confirming a mediation agreement 司法确认) belong to the
:class:`~ruian_governance.models.Court` unit and its tribunals (:mod:`.courts`).

>>> from ruian_governance.presets import DEFAULT_DEPARTMENTS
>>> len(DEFAULT_DEPARTMENTS), DEFAULT_DEPARTMENTS[0].name
(22, '公安局')
"""

from __future__ import annotations

import attrs

from ruian_governance._convert import identifier, text, text_or_empty

__all__ = ["DEFAULT_DEPARTMENTS", "DepartmentSpec"]


@attrs.frozen(kw_only=True)
class DepartmentSpec:
    """A city department for the generators: its kind key and its names (an id and names)."""

    department_kind: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text)
    name_en: str = attrs.field(validator=text_or_empty)


def _dept(kind: str, zh: str, en: str) -> DepartmentSpec:
    return DepartmentSpec(department_kind=kind, name=zh, name_en=en)


DEFAULT_DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    _dept("public_security", "公安局", "Public Security Bureau"),
    _dept("justice", "司法局", "Justice Bureau"),
    _dept("petitions", "信访局", "Petitions Bureau"),
    _dept("market_supervision", "市场监督管理局", "Market Supervision Administration"),
    _dept("law_enforcement", "综合行政执法局", "Comprehensive Law Enforcement Bureau"),
    _dept("natural_resources", "自然资源和规划局", "Natural Resources and Planning Bureau"),
    _dept("housing", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    _dept("ecology", "生态环境分局", "Ecology and Environment Branch"),
    _dept("human_resources", "人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    _dept("civil_affairs", "民政局", "Civil Affairs Bureau"),
    _dept("emergency_management", "应急管理局", "Emergency Management Bureau"),
    _dept("fire_rescue", "消防救援大队", "Fire and Rescue Brigade"),
    _dept("health", "卫生健康局", "Health Bureau"),
    _dept("education", "教育局", "Education Bureau"),
    _dept("transport", "交通运输局", "Transport Bureau"),
    _dept("agriculture", "农业农村局", "Agriculture and Rural Affairs Bureau"),
    _dept("water", "水利局", "Water Resources Bureau"),
    _dept("commerce", "商务局", "Commerce Bureau"),
    _dept("court", "人民法院", "People's Court"),
    _dept("procuratorate", "人民检察院", "People's Procuratorate"),
    _dept("finance", "财政局", "Finance Bureau"),
    _dept("culture_tourism", "文化和广电旅游体育局", "Culture, Radio, Tourism and Sports Bureau"),
)
"""22 city departments 职能部门, as many as took part in Rui'an's dispute application (the count
is the seed article's; the choice of bureaus is a design choice)."""
