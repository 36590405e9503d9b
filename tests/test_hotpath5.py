"""The simulation's hot path, fifth pass (issue 15: "events per second per core at least 6,000").

Each speed-up answers what the plain code answered: the tests compare them with it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruian_governance.io import converter


def _unstructured_text(data: Any) -> str:
    """The history table's data text as it was: through ``_unstructure_record_data``."""
    value = converter._unstructure_record_data(data)
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value)
    return text


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.lists(st.text(max_size=5), max_size=3).map(tuple),
    st.lists(st.text(max_size=5), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=8), _VALUES), max_size=6).map(tuple))
def test_record_data_text_is_the_unstructured_text(data: tuple[tuple[str, Any], ...]) -> None:
    """Issue 15 (events per CPU second): the data text is the unstructuring way's text.

    The history table's data text is built from the pairs as they are (a dict of them, tuples
    written as JSON arrays), for any values, NaN and repeated keys included.
    """
    assert converter._record_data_text(data) == _unstructured_text(data)


@pytest.mark.parametrize(
    "data",
    [(("a", ("\ud800", "中")),), (("n", float("nan")), ("n", 1)), (("x", ["中"]), ("y", (1, 2.5)))],
)
def test_record_data_text_of_surrogates_nan_and_repeats(data: tuple[tuple[str, Any], ...]) -> None:
    """Issue 15: a lone surrogate (escaped), NaN, a repeated key and lists give the old text."""
    assert converter._record_data_text(data) == _unstructured_text(data)


@pytest.mark.parametrize("data", [5, None, ("abc",), (("a", 1, 2),), (1,), ((["k"], 1),)])
def test_record_data_text_refuses_what_is_not_pairs_as_before(data: Any) -> None:
    """Issue 15: data that is not pairs fails as the unstructuring way failed.

    A case built by hand: the same error type and message.
    """
    with pytest.raises((TypeError, ValueError)) as before:
        _unstructured_text(data)
    with pytest.raises(type(before.value)) as now:
        converter._record_data_text(data)
    assert str(now.value) == str(before.value)
