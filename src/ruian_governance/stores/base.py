"""The case store interface, and the write checks both stores share.

:class:`CaseStore` is the interface every store offers.  It is a protocol, so any class with
its members is a case store; a class that subclasses it explicitly also inherits
:meth:`CaseStore.open`, :meth:`CaseStore.apply`, :meth:`CaseStore.load` and the context
manager, written once here on top of the other members.  ``_BaseStore`` (private to this
subpackage) adds what :class:`~ruian_governance.stores.MemoryCaseStore` and
:class:`~ruian_governance.stores.SQLiteCaseStore` share: the indexes, cached look-ups of each
unit's town and each state's deadline, and the checks every write passes: a new case is
verified by :meth:`Engine.verify <ruian_governance.Engine.verify>` (its whole history re-run as
commands), a later version must keep the stored records and add only records that are legal
commands from the stored case.
"""

from __future__ import annotations

import hashlib
import json
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

import attrs
import cattrs

from ruian_governance._convert import json_encoder
from ruian_governance.errors import (
    ArgumentError,
    CaseStoreError,
    ConflictError,
    ForgedHistoryError,
    RuianGovernanceError,
    StoreCorruptError,
    UnknownIdError,
)
from ruian_governance.io import to_document
from ruian_governance.lifecycles import Engine
from ruian_governance.models import Actor, Case, CaseIndex, Clock, DataValue, HistoryRecord

from ._batch import CaseBatch
from ._checks import _checked_case, _command_time, _text, _version
from .queries import CaseLists, _Meanings

__all__ = ["STORE_SCHEMA_VERSION", "CaseStore"]

STORE_SCHEMA_VERSION = 3
"""The version of the SQLite layout this release writes (kept in ``PRAGMA user_version``).

Layout 2 adds the definitions' fingerprint and a checksum chain over each case's records;
layout 3 the list columns (opening, deadline and closing times, assignees) and their indexes.
"""

_WHERE = "the case store"
"""Where an unknown case id was looked up (the ``where`` of :class:`UnknownIdError`)."""


@runtime_checkable
class CaseStore(CaseLists, Protocol):
    """What every case store offers: writes with optimistic concurrency, reads and queries.

    Queries return tuples of cases sorted by case id (:meth:`overdue`: by deadline, then id);
    lists (:class:`~ruian_governance.stores.queries.CaseLists`: ``rows``, ``inbox``, ``count``,
    ``counts``) return pages of :class:`~ruian_governance.stores.queries.Row` without history.
    Stores are context managers; leaving the ``with`` block closes them.

    A class that subclasses :class:`CaseStore` explicitly inherits :meth:`open`,
    :meth:`apply`, :meth:`load`, ``__enter__`` and ``__exit__``, built on the other members.
    """

    @property
    def engine(self) -> Engine:
        """The engine that runs commands and replays histories for this store."""
        ...

    @property
    def clock(self) -> Clock | None:
        """The clock that tells the time of commands given without ``at=`` (or ``None``)."""
        ...

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        ...

    def close(self) -> None:
        """Release the store's resources (idempotent); the store is not used afterwards."""
        ...

    def __enter__(self) -> Self:
        """Return the store itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Case]: ...

    def __contains__(self, case_id: object) -> bool: ...

    def add(self, case: Case) -> Case:
        """Store a new case with its whole history, once :meth:`Engine.verify` accepts it.

        Returns the verified case (equal to ``case``).

        Raises:
            ArgumentError: ``case`` is not a :class:`~ruian_governance.Case`.
            ConflictError: A case with this id is already stored (``expected`` is ``None``).
            CaseStoreError: The case's version does not follow its history.
            UnknownIdError: The engine does not run its lifecycle, or its unit is unknown.
            ForgedHistoryError: Its history is not a run of legal commands, or the case
                contradicts it; nothing was written.
        """
        ...

    def save(self, case: Case, *, expected_version: int) -> Case:
        """Store ``case``, a later version of a stored case, if that is at ``expected_version``.

        Writes the case and only the history records after ``expected_version``, all or
        nothing.  The records up to ``expected_version`` must equal the stored ones, each new
        record must be the record its command makes when run again (every check of
        :meth:`Engine.apply`) on the stored case, and the case must equal the one those
        commands give.  Returns that case.

        Raises:
            ArgumentError: ``case`` is not a case, or ``expected_version`` not a whole number.
            UnknownIdError: No case with this id is stored.
            ConflictError: The stored case is at another version; nothing was written.
            CaseStoreError: ``case`` is not a later version with one record per version.
            ForgedHistoryError: A stored record was changed, a new record is not a legal
                command, or the case contradicts its records; nothing was written.
        """
        ...

    def open(self, lifecycle: str, *, at: datetime | None = None, **facts: Any) -> Case:
        """Open a case with :meth:`Engine.open` (at ``at``, or the clock's time) and add it.

        Raises:
            CaseStoreError: No ``at`` and no clock.
            ConflictError: A case with this id is already stored.
            TransitionError: The opening command was refused; nothing was written.
        """
        return self.add(self.engine.open(lifecycle, at=_command_time(self, at), **facts))

    def apply(
        self,
        case_id: str,
        expected_version: int,
        trigger: str,
        *,
        actor: Actor,
        at: datetime | None = None,
        **data: DataValue,
    ) -> Case:
        """Fire ``trigger`` on the stored case if it is at ``expected_version``, and save it.

        The command is checked by the engine first; the new case and its one new history
        record are then written with :meth:`save`, guarded by the version.

        Raises:
            CaseStoreError: No ``at`` and no clock.
            UnknownIdError: No case with this id is stored.
            ConflictError: The stored case is at another version; nothing was written.
            TransitionError: The command was refused; nothing was written.
        """
        case = self.get(case_id)
        if case.version != expected_version:
            raise ConflictError(case_id, expected_version, case.version)
        new = self.engine.apply(case, trigger, actor=actor, at=_command_time(self, at), **data)
        return self.save(new, expected_version=expected_version)

    def batch(self) -> CaseBatch:
        """Collect commands to write in one transaction, all or nothing (a ``with`` block).

        The commands take the arguments and pass the checks of the store's own; a refusal
        writes nothing (:class:`~ruian_governance.stores.CaseBatch`).  A read-only store
        raises :class:`~ruian_governance.errors.StoreReadOnlyError`.
        """
        ...

    def import_cases(self, cases: Iterable[Case]) -> int:
        """Add every case of ``cases`` (each verified, as by :meth:`add`) in one batch.

        Returns how many were added; on any refusal none is.
        """
        ...

    def get(self, case_id: str) -> Case:
        """Return the stored case, with its history.

        Raises:
            UnknownIdError: No case with this id is stored.
        """
        ...

    def load(self, case_id: str) -> Case:
        """Return the stored case verified again by :meth:`Engine.verify` (a checked replay).

        Every record is re-run as a command against the engine's hierarchy and lifecycles,
        and the stored case is compared with the rebuilt one.

        Raises:
            UnknownIdError: No case with this id is stored.
            ForgedHistoryError: The stored history is not a legal run, or the stored case
                differs from the one it gives.
        """
        return self.engine.verify(self.get(case_id))

    def history(self, case_id: str) -> tuple[HistoryRecord, ...]:
        """Return the case's history records, oldest first.

        Raises:
            UnknownIdError: No case with this id is stored.
        """
        ...

    def ids(self) -> tuple[str, ...]:
        """Return the ids of every stored case, sorted."""
        ...

    def by_state(self, state: str, *, lifecycle: str | None = None) -> tuple[Case, ...]:
        """Return the cases in ``state`` (of ``lifecycle`` only, when given)."""
        ...

    def by_unit(self, unit_id: str) -> tuple[Case, ...]:
        """Return the cases held by ``unit_id`` (their :attr:`Case.unit_id`)."""
        ...

    def by_town(self, town_id: str) -> tuple[Case, ...]:
        """Return the cases held by the town ``town_id`` or by any unit under it."""
        ...

    def overdue(self, now: datetime) -> tuple[Case, ...]:
        """Return the cases late at ``now``, as :meth:`Engine.overdue` would, by deadline.

        Paused time 挂起 is not late (:func:`~ruian_governance.lifecycles.is_late`): a case
        paused within the days granted is left out, one paused past its grant is listed.

        Raises:
            ArgumentError: ``now`` is not a timezone-aware datetime.
        """
        ...


def _canonical_json() -> Callable[[Any], str]:
    """The canonical JSON encoder: no spaces, Chinese text readable, no NaN or infinity.

    Built once (:func:`~ruian_governance._convert.json_encoder`: the C encoder when it writes
    what ``JSONEncoder.encode`` writes and refuses NaN, else ``encode``).
    """
    return json_encoder(separators=(",", ":"), allow_nan=False)


_json = _canonical_json()
"""Canonical JSON text: no spaces, Chinese text readable, no NaN or infinity."""


def _seed(case_id: str) -> bytes:
    """The start of a case's checksum chain: it binds the chain to the case's id."""
    return hashlib.sha256(b"ruian_governance case\0" + case_id.encode("utf-8")).digest()


def _link(chain: bytes, text: str) -> bytes:
    """The next link of a checksum chain: sha256 of the previous link and a record's JSON."""
    return hashlib.sha256(chain + text.encode("utf-8")).digest()


def _row_text(row: Sequence[Any]) -> bytes:
    """A case row's columns, each with its type and length, the text its checksum covers."""
    return "".join(
        "-" if v is None else f"{type(v).__name__[0]}{len(text := str(v))}:{text}" for v in row
    ).encode("utf-8")


def _row_sum(chain: bytes, text: bytes) -> bytes:
    """The checksum of a case row: its columns' JSON after its chain's last link."""
    return hashlib.sha256(chain + text).digest()


def fingerprint(engine: Engine) -> str:
    """The definitions' fingerprint: sha256 of the engine's hierarchy and lifecycles documents.

    The documents are :func:`~ruian_governance.io.to_document`'s, written as canonical JSON
    (sorted keys, no spaces) with the lifecycles in key order.  A store file records the
    fingerprint of the engine that created it and refuses any other.

    >>> from ruian_governance import builtin_engine, generate_hierarchy
    >>> h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0)
    >>> mark = fingerprint(builtin_engine(h))
    >>> mark == fingerprint(builtin_engine(h)), len(mark)
    (True, 64)
    """
    if not isinstance(engine, Engine):
        raise ArgumentError("engine", engine, "an Engine")  # noqa: EM101 - a name
    documents = {
        "hierarchy": to_document(engine.hierarchy),
        "lifecycles": [to_document(engine.lifecycles[k]) for k in sorted(engine.lifecycles)],
    }
    text = json.dumps(documents, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_VERSION, _HEAD, _CHAIN, _SUM, _SEQ, _RECORD, _RECORD_SUM = 12, 13, 14, 15, 16, 17, 18
_EXTRA_AT = 19
"""Positions in a row of ``_SELECT``: the case's columns, one history record's, layout 3's."""

_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, RecursionError)
"""What decoding stored (or about to be stored) JSON may raise; JSON and cattrs errors too."""


def _decoded(
    rows: Sequence[Any], converter: cattrs.Converter, chain: bytes | None = None, after: int = -1,
    *, sums: bool = True,
) -> Case:  # fmt: skip
    """The case of ``rows`` (records after ``after``, chained from ``chain``), rows checked.

    Raises:
        StoreCorruptError: The records are not ``after + 1`` to the row's version, a checksum
            fails (with ``sums``), or the JSON does not load.
    """
    first = rows[0]
    case_id, version = first[0], first[_VERSION]
    records = [(r[_SEQ], r[_RECORD], r[_RECORD_SUM]) for r in rows if r[_SEQ] is not None]
    seqs = [seq for seq, _, _ in records]
    if type(version) is not int or seqs != list(range(after + 1, version + 1)):
        detail = f"stored version {version!r} but history records {seqs[:3]}...{seqs[-1:]}"
        raise StoreCorruptError(case_id, detail)
    try:
        link = _seed(case_id) if chain is None else chain
        for seq, text, stored in records:
            link = _link(link, text)
            if sums and link != stored:
                raise StoreCorruptError(case_id, f"history record {seq} fails its checksum")
        if sums and (
            link != first[_CHAIN]
            or _row_sum(link, _row_text(first[:_CHAIN]) + _row_text(first[_EXTRA_AT:]))
            != first[_SUM]
        ):
            raise StoreCorruptError(case_id, "the case row fails its checksum")
        data = json.loads(first[_HEAD])
        data["history"] = [json.loads(text) for _, text, _ in records]
        case: Case = converter.structure(data, Case)
    except StoreCorruptError:
        raise
    except (*_UNREADABLE, cattrs.BaseValidationError) as error:
        raise StoreCorruptError(case_id, f"stored JSON does not load: {error}") from None
    return case


@attrs.frozen
class _Entry:
    """A case as stored: the (verified) case, its chain's last link and its row's checksum."""

    case: Case
    chain: bytes
    checksum: bytes


_FIELDS = tuple(a.name for a in attrs.fields(Case) if a.eq and a.name != "history")
"""The fields of a case compared with the one its records give (records one by one)."""


class _BaseStore(CaseStore):
    """What both stores share: the engine, the clock, the indexes, and the write checks.

    Private to this subpackage: the checks are the stores' own business, not an extension
    point.  Subclasses implement :meth:`_current` (the stored case and a token of its row) and
    :meth:`_commit` (write a verified case if the stored one is still the token's), and the
    reads of :class:`CaseStore`; :meth:`open`, :meth:`add`, :meth:`save` and :meth:`apply`
    are written here, once.
    """

    def __init__(
        self, engine: Engine, *, clock: Clock | None, indexes: Iterable[CaseIndex]
    ) -> None:
        if not isinstance(engine, Engine):
            raise ArgumentError("engine", engine, "an Engine")  # noqa: EM101 - a name
        if clock is not None and not isinstance(clock, Clock):
            raise ArgumentError("clock", clock, "a Clock or None")  # noqa: EM101 - a name
        given = tuple(indexes) if isinstance(indexes, Iterable) else (indexes,)
        if not all(isinstance(index, CaseIndex) for index in given):
            raise ArgumentError("indexes", indexes, "CaseIndex objects")  # noqa: EM101
        self._engine = engine
        self._clock = clock
        self._indexes: tuple[CaseIndex, ...] = given
        self._towns: dict[str, str | None] = {}
        self._running: dict[tuple[str, str], bool] = {}
        self._meanings = _Meanings(engine)

    @property
    def engine(self) -> Engine:
        """The engine that runs commands and verifies histories for this store."""
        return self._engine

    @property
    def clock(self) -> Clock | None:
        """The clock that tells the time of commands given without ``at=`` (or ``None``)."""
        return self._clock

    @property
    def indexes(self) -> tuple[CaseIndex, ...]:
        """The indexes told of every stored case, in the order they are told."""
        return self._indexes

    # ---------------------------------------------------------------- what a store writes

    def _writable(self) -> None:
        """Refuse a write before it starts (the SQLite store's read-only mode)."""

    @abstractmethod
    def _current(self, case_id: str) -> tuple[Case, Any]:
        """The stored case (verified) and a token naming the stored row, for :meth:`_commit`.

        Raises:
            UnknownIdError: No case with this id is stored.
        """

    @abstractmethod
    def _commit(self, case: Case, records: tuple[HistoryRecord, ...], base: Any) -> Case:
        """Write the verified ``case`` and its new ``records`` and tell the indexes.

        ``base`` is the token :meth:`_current` gave for the stored version the case follows,
        or ``None`` for a new case; the write happens only if that is still what is stored.

        Raises:
            ConflictError: The stored case is no longer ``base`` (or exists, for a new case).
        """

    @abstractmethod
    def _commit_batch(self, pending: Sequence[Any]) -> None:
        """Write every case of a batch in one go, each if its row is still the one read.

        Raises:
            ConflictError: A case's row changed since the batch read it (nothing is written).
        """

    def batch(self) -> CaseBatch:
        """Collect commands to write in one transaction (see :meth:`CaseStore.batch`)."""
        self._writable()
        return CaseBatch(self)

    def import_cases(self, cases: Iterable[Case]) -> int:
        """Add ``cases`` in one batch (see :meth:`CaseStore.import_cases`)."""
        with self.batch() as batch:
            for case in cases:
                batch.add(case)
        return len(batch)

    def open(self, lifecycle: str, *, at: datetime | None = None, **facts: Any) -> Case:
        """Open a case with :meth:`Engine.open` and add it (see :meth:`CaseStore.open`)."""
        self._writable()
        case = self._engine.open(lifecycle, at=_command_time(self, at), **facts)
        self._check_placed(case)
        return self._commit(case, case.history, None)

    def add(self, case: Case) -> Case:
        """Store a new case once the engine verified it (see :meth:`CaseStore.add`)."""
        self._writable()
        self._check_new(_checked_case(case))
        verified = self._engine.verify(case)
        return self._commit(verified, verified.history, None)

    def save(self, case: Case, *, expected_version: int) -> Case:
        """Store a later version of a stored case (see :meth:`CaseStore.save`)."""
        self._writable()
        new = self._new_records(_checked_case(case), expected_version)
        stored, base = self._current(case.id)
        made = self._later(stored, case, expected_version, new)
        return self._commit(made, made.history[expected_version + 1 :], base)

    def apply(
        self,
        case_id: str,
        expected_version: int,
        trigger: str,
        *,
        actor: Actor,
        at: datetime | None = None,
        **data: DataValue,
    ) -> Case:
        """Fire ``trigger`` on the stored case and save the result (see :meth:`CaseStore.apply`).

        The stored case is the engine's own (verified when read), so the engine's checks of
        the command are all a write needs.
        """
        self._writable()
        stored, base = self._current(_text(case_id, "case_id"))
        new = self._fired(stored, expected_version, trigger, actor, at, data)
        return self._commit(new, new.history[-1:], base)

    def _later(
        self, stored: Case, case: Case, expected_version: int, new: tuple[HistoryRecord, ...]
    ) -> Case:
        """``case`` made from ``stored`` at ``expected_version`` by its ``new`` records, checked."""
        if stored.version != expected_version:
            raise ConflictError(case.id, expected_version, stored.version)
        kept = case.history[: expected_version + 1]
        if kept != stored.history:
            pairs = enumerate(zip(kept, stored.history, strict=True))
            seq = next(i for i, (a, b) in pairs if a != b)
            raise ForgedHistoryError(case.id, seq, "it differs from the stored record")
        return self._follow(stored, new, case)

    def _fired(  # noqa: PLR0913, PLR0917 - apply's arguments, checked in one place
        self, stored: Case, expected_version: int, trigger: str, actor: Actor,
        at: datetime | None, data: dict[str, DataValue],
    ) -> Case:  # fmt: skip
        """``stored`` after the command, if it is at ``expected_version`` (the engine checks)."""
        if stored.version != _version(expected_version):
            raise ConflictError(stored.id, expected_version, stored.version)
        new = self._engine.apply(stored, trigger, actor=actor, at=_command_time(self, at), **data)
        self._check_placed(new)
        return new

    def _follow(self, stored: Case, new: tuple[HistoryRecord, ...], case: Case) -> Case:
        """The case the ``new`` records make from ``stored``, re-run as commands, if it is ``case``.

        ``case`` is compared field by field, its history aside (the caller knows it is
        ``stored``'s records and ``new``).

        Raises:
            ForgedHistoryError: A new record is not the record its command makes, or a field
                of ``case`` differs from the result.
        """
        made = stored
        for record in new:
            try:
                data = dict(record.data)
                made = self._engine.apply(
                    made, record.trigger, actor=record.actor, at=record.at, **data
                )
            except (RuianGovernanceError, TypeError, ValueError) as error:
                raise ForgedHistoryError(case.id, record.seq, str(error)) from error
            if made.history[-1] != record:
                reason = "it differs from the record its command makes"
                raise ForgedHistoryError(case.id, record.seq, reason)
        for field in _FIELDS:
            if getattr(made, field) != getattr(case, field):
                reason = f"its {field} differs from the one its history gives"
                raise ForgedHistoryError(case.id, None, reason)
        return made

    # ---------------------------------------------------------------- cached look-ups

    def _tell(self, case: Case) -> None:
        """Tell every index of ``case``, which was just stored."""
        for index in self._indexes:
            index.observe(case)

    def _town_of(self, unit_id: str) -> str | None:
        """The id of the town holding ``unit_id`` (``None``: the city's), cached."""
        try:
            return self._towns[unit_id]
        except KeyError:
            town = self._engine.hierarchy.town_of(unit_id)
            found = None if town is None else town.id
            self._towns[unit_id] = found
            return found

    def _deadline_runs(self, case: Case) -> bool:
        """Whether the case's deadline runs in its state (timed and not final), cached."""
        key = (case.lifecycle, case.state)
        try:
            return self._running[key]
        except KeyError:
            definition = self._engine.lifecycle(case.lifecycle)
            try:
                state = definition.state(case.state)
            except LookupError:
                raise UnknownIdError(
                    case.state, f"the states of lifecycle {case.lifecycle!r}"
                ) from None
            runs = state.timed and not state.final
            self._running[key] = runs
            return runs

    # ---------------------------------------------------------------- structural checks

    def _check_new(self, case: Case) -> None:
        """Check a case before it is first stored: one record per version, in sequence."""
        if case.version != len(case.history) - 1:
            raise CaseStoreError(
                case.id, f"version {case.version} does not fit {len(case.history)} records"
            )
        for seq, record in enumerate(case.history):
            if record.seq != seq:
                raise CaseStoreError(case.id, f"record {seq} has seq {record.seq}")
        self._check_placed(case)

    def _check_placed(self, case: Case) -> None:
        """Check that the case's state is one of its lifecycle's and its unit is known.

        Both answers are cached, so a known state and unit cost two dictionary lookups.
        """
        if (case.lifecycle, case.state) not in self._running:
            self._deadline_runs(case)
        if case.unit_id not in self._towns:
            self._town_of(case.unit_id)

    def _new_records(self, case: Case, expected_version: int) -> tuple[HistoryRecord, ...]:
        """The records ``case`` adds to version ``expected_version``, checked."""
        _version(expected_version)
        version = case.version
        history = case.history
        if expected_version < 0 or version <= expected_version:
            raise CaseStoreError(
                case.id,
                f"version {version} is not later than expected version {expected_version}",
            )
        if version != len(history) - 1:
            raise CaseStoreError(case.id, f"version {version} does not fit {len(history)} records")
        new = history[expected_version + 1 :]
        for seq, record in enumerate(new, start=expected_version + 1):
            if record.seq != seq:
                raise CaseStoreError(case.id, f"record {seq} has seq {record.seq}")
        self._check_placed(case)
        return new
