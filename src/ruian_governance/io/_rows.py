"""The history records of many cases as columns, made once for the tables and the digest.

:func:`record_columns` takes the records of a list of cases apart a column at a time (no call
per record), with the JSON text of each data tuple made once per object;
:func:`~ruian_governance.io.tables.history_table` builds its table from them, and
:func:`digest_rows` adds the same rows to a SHA-256, so a dataset writer that does both
(:class:`~ruian_governance.io.dataset.CityWriter` with a
:class:`~ruian_governance.io.dataset.CaseDigest`) makes each text once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from operator import attrgetter
from typing import Any

from ruian_governance.models import Case

from .converter import _record_data_text

__all__ = ["DIGEST_CASES", "digest_rows", "record_columns"]

DIGEST_CASES = 1_000
"""Cases digested in one text (a design choice: bounds the text, not the digest's meaning)."""

_TZINFO = attrgetter("tzinfo")


def record_columns(listed: Sequence[Case], texts: dict[int, str]) -> dict[str, list[Any]] | None:
    """The records of ``listed``, case by case and oldest first, as columns; ``None`` if off.

    The columns ``seq``, ``trigger``, ``source``, ``dest``, ``actor_person``, ``actor_role``,
    ``actor_unit``, ``fired_at`` (the records' times as they are) and ``data`` (the JSON text
    of each record's data, kept in ``texts`` by the data's identity: the engine shares equal
    data between records, and equal is not enough, ``1 == 1.0 == True``), and ``counts``, the
    number of records of each case.  Off: a case or record without its fields, or data that
    is not pairs of a key and a value.
    """
    try:
        histories = [case.history for case in listed]
        counts = [len(history) for history in histories]
        records = [record for history in histories for record in history]
        actors = [record.actor for record in records]
        values = [record.data for record in records]
        keys = list(map(id, values))
        for key, value in dict(zip(keys, values, strict=True)).items():  # each object once
            if key not in texts:
                texts[key] = _record_data_text(value)
        data = list(map(texts.__getitem__, keys))
        return {
            "counts": counts,
            "seq": [record.seq for record in records],
            "trigger": [record.trigger for record in records],
            "source": [record.source for record in records],
            "dest": [record.dest for record in records],
            "actor_person": [actor.person_id for actor in actors],
            "actor_role": [actor.role for actor in actors],
            "actor_unit": [actor.unit_id for actor in actors],
            "fired_at": [record.at for record in records],
            "data": data,
        }
    except (LookupError, AttributeError, TypeError, ValueError):
        return None


_TEXT_COLUMNS = ("trigger", "dest", "actor_person", "actor_role", "actor_unit")


def digest_rows(sha: Any, cases: Sequence[Case], rows: dict[str, list[Any]]) -> None:
    """Add ``cases`` and their records' ``rows`` (:func:`record_columns`) to ``sha``.

    :data:`DIGEST_CASES` cases at a time, one text of: a line per case (id, state, version,
    number of records), then each column of its records in order: sequence numbers,
    triggers, destinations, the actors' persons, roles and units, the UTC offsets of the
    times (the one offset when all share it, else each) and the data's JSON text (one a
    line); then the 10 bytes of each wall-clock time as :mod:`pickle` has them.  Every field
    of every case head and record is covered, in order (``source`` is the previous record's
    ``dest``).
    """
    counts = rows["counts"]
    end = 0
    for first in range(0, len(cases), DIGEST_CASES):
        batch = cases[first : first + DIGEST_CASES]
        start, end = end, end + sum(counts[first : first + DIGEST_CASES])
        heads = [f"{c.id}\t{c.state}\t{c.version}\t{len(c.history)}\n" for c in batch]
        times = rows["fired_at"][start:end]
        if (
            times
            and len(set(map(id, map(_TZINFO, times)))) == 1
            and (type(times[0].tzinfo) is timezone)
        ):
            zones = [datetime.utcoffset(times[0])]  # one fixed offset, as the set of offsets
        else:
            offsets = list(map(datetime.utcoffset, times))
            zones = offsets[:1] if len(set(offsets)) == 1 else offsets
        text = "\x1f".join((
            "".join(heads), "\t".join(map(str, rows["seq"][start:end])),
            *("\t".join(rows[name][start:end]) for name in _TEXT_COLUMNS),
            "\t".join(map(str, zones)), "\n".join(rows["data"][start:end]),
        ))  # fmt: skip
        sha.update(text.encode("utf-8", "surrogatepass"))
        sha.update(b"".join([at.__reduce__()[1][0] for at in times]))
