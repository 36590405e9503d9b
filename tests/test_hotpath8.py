"""The hot path, eighth pass (issue 15: "cost per event at 1M events within 1.2x of the cost at 50k").

Memos that a large city outgrows are emptied and filled again rather than frozen when full.
"""

from __future__ import annotations

from typing import Any

import pytest

from ruian_governance.lifecycles import parts
from ruian_governance.lifecycles.parts import DataSpec


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Count the id checks the ids reader makes (each item of a tuple it has not memoised)."""
    asked: list[object] = []
    real = parts._is_id

    def is_id(item: Any) -> bool:
        asked.append(item)
        return real(item)

    monkeypatch.setattr(parts, "_is_id", is_id)
    return asked


def test_a_full_ids_memo_is_emptied_and_remembers_what_comes_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 15, 1M city: the ids reader's memo refills when full (it stopped adding at 4,096)."""
    monkeypatch.setattr(parts, "_SEEN_LIMIT", 3)
    asked = _counted(monkeypatch)
    read = DataSpec.ids(2).read
    for n in range(5):  # more distinct tuples than the memo holds
        value = (f"u{n}", "u9")
        assert read(value) is value
    del asked[:]
    last = ("u4", "u9")
    assert read(last) is last  # remembered after the memo was full: no item checked again
    assert asked == []
    assert read(["u4", "u9"]) == last  # a list is read as its tuple, from the memo too
    assert asked == []


@pytest.mark.parametrize(
    "hostile",
    [("ok", "bad id"), ("ok", None), ("ok", ["x"]), (), ("a", "b", "c"), ("a", float("nan"))],
)
def test_the_ids_memo_never_remembers_what_it_refused(
    monkeypatch: pytest.MonkeyPatch, hostile: tuple[Any, ...]
) -> None:
    """Issue 15, 1M city: refused values stay refused however full the memo is."""
    monkeypatch.setattr(parts, "_SEEN_LIMIT", 2)
    read = DataSpec.ids(2).read
    for n in range(5):
        assert read((f"v{n}",)) == (f"v{n}",)
    for _ in range(3):
        assert read(hostile) is None
        assert read(list(hostile)) is None
