"""Cases as JSON lines: one case document per line (the simulation's ``cases.jsonl``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO

from ruian_governance.errors import DataError
from ruian_governance.models import Case

from .converter import make_converter
from .documents import from_document, to_document

__all__ = ["read_cases", "write_cases"]


def write_cases(cases: Iterable[Case], stream: IO[str]) -> int:
    """Write ``cases`` to ``stream`` as JSON lines, one case document per line; return the count.

    Each line is the case's document (:func:`~ruian_governance.to_document`: ``format_version``,
    ``kind``, then the fields the library's converter writes), with ``ensure_ascii=False`` so
    Chinese text stays readable.
    """
    converter = make_converter(detailed_validation=False)
    n = 0
    for case in cases:
        stream.write(json.dumps(to_document(case, converter=converter), ensure_ascii=False))
        stream.write("\n")
        n += 1
    return n


def read_cases(stream: IO[str]) -> Iterator[Case]:
    """Read cases written by :func:`write_cases` (older document versions are migrated).

    Raises:
        DataError: A line is not a case document (the message names the line).
    """
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as error:
            raise DataError(what="case", problems=[f"line {number}: {error}"]) from None
        try:
            case: Case = from_document(data, "case")
        except DataError as error:
            raise DataError(
                what="case", problems=[f"line {number}: {p}" for p in error.problems]
            ) from None
        yield case
