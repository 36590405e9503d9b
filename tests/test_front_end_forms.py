"""Issue 14 point 10 (finding 1): a posted command form read into typed command data.

The worked front end read form text by hand (``form_value``); :func:`read_command_form` reads
it by the trigger's data types and names every bad field in one ``FormError``.  Adversarial:
NaN, huge integers, other scripts' digits, control characters, unknown fields, missing required
keys, lists where one value is expected, values that are not text.
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from ruian_governance import EVENT_LIFECYCLE, Jurisdiction, Label, Transition, Trigger
from ruian_governance.errors import ArgumentError, FormError
from ruian_governance.lifecycles import DataSpec, read_command_form
from ruian_governance.problems import http_status, problem_details

FLAGGED = EVENT_LIFECYCLE.extend(
    key="flagged",
    triggers=[Trigger(key="mark", label=Label(en="mark", zh="标记"))],
    transitions=[
        Transition(trigger="mark", sources=["closed"], dest="closed",
                   roles={"command_room_operator"}, jurisdiction=Jurisdiction.HOLDER,
                   accepts={"urgent", "note"})
    ],
    data_specs={"urgent": DataSpec.flag()},
)  # fmt: skip


def _bad(state: str | None, trigger: str, form: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(FormError) as caught:
        read_command_form(EVENT_LIFECYCLE, state, trigger, form, **kwargs)
    return caught.value.fields


def test_values_are_read_by_their_data_types() -> None:
    """Integers, ids (commas, Chinese commas, spaces, repeated fields) and text are typed."""
    assert read_command_form(EVENT_LIFECYCLE, "closed", "evaluate",
                             {"stars": " 4 ", "comment": " 很好 "}) == {
        "comment": "很好", "stars": 4}  # fmt: skip
    data = read_command_form(
        EVENT_LIFECYCLE, "accepted", "dispatch",
        {"data.units": ["t1.s1，t1.s2、t1.s3", "t1.s4 t1.s5"], "data.note": "", "trigger": "x"},
        prefix="data.",
    )  # fmt: skip
    assert data == {"units": ("t1.s1", "t1.s2", "t1.s3", "t1.s4", "t1.s5")}
    assert read_command_form(EVENT_LIFECYCLE, "in_progress", "pause",
                             {"days": "+007", "reason": "等待检测"}) == {
        "days": 7, "reason": "等待检测"}  # fmt: skip
    assert read_command_form(EVENT_LIFECYCLE, None, "register", {"channel": "12345"}) == {
        "channel": "12345"
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [("on", True), ("TRUE", True), ("1", True), ("yes", True), ("off", False), ("0", False)],
)
def test_flags(text: str, value: bool) -> None:
    """HTML's ``on`` and the usual spellings of yes and no."""
    assert read_command_form(FLAGGED, "closed", "mark", {"urgent": text}) == {"urgent": value}


@pytest.mark.parametrize(
    "text",
    ["NaN", "nan", "inf", "1e3", "4.0", "0x4", "٤", "４", "²", "9" * 5000, "-9" * 20, "6", "0"],
)
def test_integers_that_are_not_in_range_or_not_ascii_digits(text: str) -> None:
    """NaN, floats, other digits, huge and out-of-range numbers: the field is named."""
    fields = _bad("closed", "evaluate", {"stars": text})
    assert fields == {"stars": "expected a whole number from 1 to 5"}


@pytest.mark.parametrize(
    "text", ["原因\n第二行", "a\x00b", "bell\x07", "\u202eevil", "\ud800", "x" * 2001]
)
def test_text_with_control_characters_or_too_long(text: str) -> None:
    """Control, bidirectional and lone surrogate characters, or too long: refused."""
    fields = _bad("accepted", "escalate", {"reason": text})
    assert fields == {"reason": "expected text of at most 2000 characters"}


def test_every_bad_field_is_named_at_once() -> None:
    """Missing required, unknown, a list for a scalar, not text, a bad flag: all named."""
    fields = _bad(
        "in_progress", "pause",
        {"days": ["1", "2"], "colour": "red", "__class__": "x", "data.x": "1"},
    )  # fmt: skip
    assert fields == {
        "days": "expected one value, got 2",
        "colour": "not a data key of pause",
        "__class__": "not a data key of pause",
        "data.x": "not a data key of pause",
        "reason": "required",
    }
    assert _bad("accepted", "dispatch", {"data.units": "", "units": "t1"}, prefix="data.") == {
        "data.units": "required"
    }
    assert _bad("accepted", "dispatch", {"units": 3}) == {
        "units": "expected text (a posted field), got int"
    }
    assert _bad("accepted", "dispatch", {"units": ["t1", None]})["units"].startswith("expected")
    with pytest.raises(FormError) as caught:
        read_command_form(FLAGGED, "closed", "mark", {"urgent": "maybe"})
    assert caught.value.fields == {"urgent": "expected a flag (true or false)"}


@pytest.mark.parametrize(
    "units", ["t1 " * 51, "x" * 300, "\x00", "\u202e"]
)  # fmt: skip
def test_ids_too_many_or_not_ids(units: str) -> None:
    """More ids than allowed, or text that is not ids."""
    assert _bad("accepted", "dispatch", {"units": units}) == {
        "units": "expected a list of 1 to 50 ids"
    }


def test_a_trigger_not_available_is_the_trigger_field() -> None:
    """An unknown trigger, one not available in the state, an opening given a state."""
    assert list(_bad("reported", "fly", {})) == ["trigger"]
    assert list(_bad("closed", "accept", {})) == ["trigger"]
    assert list(_bad(None, "accept", {})) == ["trigger"]


def test_bad_arguments() -> None:
    """Not a definition, not a mapping, not text: ArgumentError (a programming error)."""
    for args, kwargs in [
        ((object(), "closed", "evaluate", {}), {}),
        ((EVENT_LIFECYCLE, "closed", "evaluate", [("stars", "4")]), {}),
        ((EVENT_LIFECYCLE, "closed", "evaluate", {}), {"prefix": None}),
        ((EVENT_LIFECYCLE, 3, "evaluate", {}), {}),
        ((EVENT_LIFECYCLE, "closed", None, {}), {}),
    ]:
        with pytest.raises(ArgumentError):
            read_command_form(*args, **kwargs)


def test_a_form_error_is_problem_details_and_pickles() -> None:
    """422 with a ``fields`` member; a field name of any size is bounded; it pickles."""
    fields = _bad("closed", "evaluate", {"stars": "NaN", "x" * 10_000: "1"})
    error = FormError(fields)
    problem = problem_details(error)
    assert http_status(error) == 422
    assert problem["status"] == 422
    assert problem["type"] == "urn:ruian-governance:error:FormError"
    assert isinstance(problem["fields"], dict)
    assert problem["fields"]["stars"] == "expected a whole number from 1 to 5"
    assert all(len(name) <= 200 for name in error.fields)
    assert len(str(error)) < 2000
    again = pickle.loads(pickle.dumps(error))
    assert again.fields == error.fields
    assert str(again) == str(error)


def test_many_fields_are_bounded() -> None:
    """A form of 100,000 unknown fields is refused after a bounded number of them."""
    fields = _bad("closed", "evaluate", {f"f{i}": "1" for i in range(100_000)})
    assert len(fields) <= 201
