"""Issue 14 point 10 (finding 5): a case's display values in a language, from the library.

The worked front end looked up each unit's name (with its own fallback for organisations) and
each record's trigger label; :func:`case_view` gives names and labels in ``zh`` or ``en``, the id
where the hierarchy or the definition does not know a key, and plain JSON.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import attrs
import jsonschema
import pytest

from ruian_governance import (
    CHINA_STANDARD_TIME,
    EVENT_LIFECYCLE,
    HAZARD_LIFECYCLE,
    RULES_2021,
    Case,
)
from ruian_governance.errors import ArgumentError
from ruian_governance.io import CaseView, case_view, json_schema
from small_city import CITY, ENGINE, GRID, OPERATOR, ROOM, STATION, TOWN, WORKER

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA_STANDARD_TIME)


def _case() -> Case:
    case = ENGINE.open("event", case_id="E1", trigger="report", actor=WORKER, at=T0,
                       location_id=GRID, category="food_safety", severity="ordinary",
                       description="后厨卫生差")  # fmt: skip
    case = ENGINE.apply(case, "accept", actor=OPERATOR, at=T0 + timedelta(hours=1))
    return ENGINE.apply(case, "dispatch", actor=OPERATOR, at=T0 + timedelta(hours=2),
                        units=(STATION.id,))  # fmt: skip


def test_names_and_labels_in_chinese_and_english() -> None:
    """Units, people, roles, states, triggers, severity and category, in both languages."""
    case = _case()
    zh = case_view(case, hierarchy=CITY, lifecycle=EVENT_LIFECYCLE, rules=RULES_2021)
    assert (zh.state_label, zh.lifecycle_label) == (
        EVENT_LIFECYCLE.state("dispatched").label.zh, EVENT_LIFECYCLE.label.zh)  # fmt: skip
    assert zh.assignee_names == (STATION.name,)  # an organisation by its name
    assert zh.holder_name == TOWN.name
    assert zh.category_label == "食品安全"
    assert zh.severity_label == EVENT_LIFECYCLE.severity("ordinary").label.zh
    assert [r.trigger_label for r in zh.history] == [
        EVENT_LIFECYCLE.trigger(t).label.zh for t in ("report", "accept", "dispatch")
    ]
    assert zh.history[0].source_label is None
    assert zh.history[2].unit_name == ROOM.name
    assert zh.history[2].person_name == CITY.person(OPERATOR.person_id).name
    assert zh.history[2].role_label == CITY.role("command_room_operator").label.zh
    assert zh.history[2].data == {"units": (STATION.id,)}
    en = case_view(case, hierarchy=CITY, lifecycle=EVENT_LIFECYCLE, language="en")
    assert en.history[1].trigger_label == "accept"
    assert en.category_label == "food_safety"  # no rules: the key
    assert en.location_name.startswith(CITY.city.name_en or CITY.city.name)


def test_unknown_keys_fall_back_to_ids() -> None:
    """A unit, person or role the hierarchy does not know is shown by its id."""
    case = _case()
    forged = attrs.evolve(case, assignees=("gone.unit",), location_id="gone.grid")
    view = case_view(forged, hierarchy=CITY, lifecycle=EVENT_LIFECYCLE)
    assert view.assignee_names == ("gone.unit",)
    assert view.location_name == "gone.grid"


def test_view_as_json() -> None:
    """Plain JSON, valid against the view's schema."""
    view = case_view(_case(), hierarchy=CITY, lifecycle=EVENT_LIFECYCLE, rules=RULES_2021)
    document = view.to_json()
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document
    jsonschema.validate(document, json_schema(CaseView))
    assert document["history"][2]["data"] == {"units": [STATION.id]}


def test_bad_arguments() -> None:
    """Another lifecycle, another language, not a case: ArgumentError."""
    case = _case()
    for kwargs in (
        {"lifecycle": HAZARD_LIFECYCLE},
        {"lifecycle": EVENT_LIFECYCLE, "language": "fr"},
        {"lifecycle": object()},
    ):
        with pytest.raises(ArgumentError):
            case_view(case, hierarchy=CITY, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        case_view(object(), hierarchy=CITY, lifecycle=EVENT_LIFECYCLE)  # type: ignore[arg-type]
