"""The stores' canonical JSON: the C encoder built once writes what JSONEncoder writes (issue 15).

Point 5: the batch write encodes every record with an encoder made once; the stored bytes must
be those the standard encoder writes, and what it refuses must be refused the same way.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruian_governance.stores import base

STANDARD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_the_same_text_as_the_standard_encoder(value: Any) -> None:
    """Point 5: any JSON value is written byte for byte as JSONEncoder.encode writes it."""
    assert base._json(value) == STANDARD.encode(value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {"a": [float("-inf")]}, object()])
def test_the_same_refusals(value: Any) -> None:
    """Point 5: NaN, infinities and what JSON cannot hold are refused with the same error."""
    with pytest.raises((ValueError, TypeError)) as expected:
        STANDARD.encode(value)
    with pytest.raises(type(expected.value)) as got:
        base._json(value)
    assert str(got.value) == str(expected.value)


def _standard(encode: Any) -> bool:
    return getattr(encode, "__func__", None) is json.JSONEncoder.encode


def test_without_the_c_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point 5: without a usable C encoder (another Python), the standard encoder is used."""
    assert not _standard(base._json)  # this Python's C encoder is used
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    assert _standard(base._canonical_json())


def test_a_c_encoder_of_other_arguments_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point 5: a C encoder that would write NaN, or takes other arguments, is not used."""
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]

    def lenient(*args: Any) -> Any:
        return make(*args[:-1], True)  # writes NaN

    monkeypatch.setattr(json.encoder, "c_make_encoder", lenient)
    assert _standard(base._canonical_json())

    def broken(*args: Any) -> Any:
        return make(*args[:-2])  # another signature: refused by the C code

    monkeypatch.setattr(json.encoder, "c_make_encoder", broken)
    assert _standard(base._canonical_json())
