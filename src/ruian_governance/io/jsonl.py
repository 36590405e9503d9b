"""Cases as JSON lines: one case document per line (the simulation's ``cases.jsonl``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO

from ruian_governance.errors import DataError
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Case

from .converter import make_converter
from .documents import Redaction, from_document, to_document

__all__ = ["read_cases", "write_cases"]

_CASE = "case"


def write_cases(
    cases: Iterable[Case], stream: IO[str], *, redaction: Redaction | None = None
) -> int:
    r"""Write ``cases`` to ``stream`` as JSON lines, one case document per line; return the count.

    Each line is the case's document (:func:`~ruian_governance.to_document`: ``format_version``,
    ``kind``, then the fields the library's converter writes), with ``ensure_ascii=False`` so
    Chinese text stays readable (a line with text the stream cannot encode, such as a lone
    surrogate, is written with ``\u`` escapes instead).  ``redaction`` masks personal data (see
    :class:`~ruian_governance.io.Redaction`); by default the cases are written exactly, so that
    :func:`read_cases` gives them back equal.
    """
    converter = make_converter(detailed_validation=False)
    n = 0
    for case in cases:
        document = to_document(case, converter=converter, redaction=redaction)
        try:
            stream.write(json.dumps(document, ensure_ascii=False) + "\n")
        except UnicodeEncodeError:  # text the stream cannot encode (a lone surrogate): escaped
            stream.write(json.dumps(document) + "\n")
        n += 1
    return n


def read_cases(stream: IO[str], *, engine: Engine | None = None) -> Iterator[Case]:
    """Read cases written by :func:`write_cases` (older document versions are migrated).

    Each case must agree with its history, and with ``engine``'s replay of it when an engine
    is given (see :func:`~ruian_governance.from_document`).

    Raises:
        DataError: A line is not a case document, or not UTF-8 text, or its case contradicts
            its history (the message names the line).
    """
    lines = iter(stream)
    number = 0
    while True:
        number += 1
        try:
            line = next(lines)
        except StopIteration:
            return
        except UnicodeDecodeError as error:
            problem = f"line {number}: not UTF-8 text ({error.reason}, at or after this line)"
            raise DataError(_CASE, [problem]) from None
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except RecursionError:
            problem = f"line {number}: not JSON (nested too deeply)"
            raise DataError(_CASE, [problem]) from None
        except ValueError as error:
            problem = f"line {number}: not JSON ({str(error)[:80]})"
            raise DataError(_CASE, [problem]) from None
        try:
            case: Case = from_document(data, _CASE, engine=engine)
        except DataError as error:
            problems = [f"line {number}: {p}" for p in error.problems]
            raise DataError(_CASE, problems) from None
        yield case
