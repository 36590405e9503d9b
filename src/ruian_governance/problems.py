"""Errors as data: every library error as RFC 9457 problem details, with an HTTP status.

A front end catches :class:`~ruian_governance.errors.RuianGovernanceError` and answers with
:func:`problem_details`: a plain dict with the members of `RFC 9457
<https://www.rfc-editor.org/rfc/rfc9457>`_ (``type``, ``title``, ``status``, ``detail``)
and the error's context fields as extension members, every value plain JSON.  The status is a
suggestion, one rule for the whole tree (:data:`PROBLEM_STATUSES`): 404 for an unknown id, 409
for a stale version, 403 for a refused actor, role or jurisdiction, 422 for refused data and
commands, 400 for a bad argument, 503 for a busy store.

>>> from ruian_governance import ConflictError
>>> problem_details(ConflictError("E-1", expected=3, actual=4))
... # doctest: +NORMALIZE_WHITESPACE
{'type': 'urn:ruian-governance:error:ConflictError',
 'title': 'Optimistic concurrency: the case changed since the caller read it.',
 'status': 409,
 'detail': "case 'E-1': expected version 3, found 4; re-read and retry",
 'case_id': 'E-1', 'expected': 3, 'actual': 4}

Errors are the ground floor of the package and stay small: this module reads them (their
classes, docstrings and attributes) from one layer up, so :mod:`ruian_governance.errors` needs
no code for it and an error class added there gets its problem details and status unasked.
"""

from __future__ import annotations

import enum
import inspect
import itertools
import math
import re
import reprlib
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

import attrs

from ruian_governance.errors import (
    AnalysisError,
    ArgumentError,
    ConflictError,
    Open311Error,
    RouteError,
    RuianGovernanceError,
    StoreCorruptError,
    StoreMismatchError,
    TransitionError,
    UnknownIdError,
)

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_STATUSES",
    "PROBLEM_TYPE_BASE",
    "http_status",
    "problem_details",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
"""The media type of a problem details document (RFC 9457, section 3)."""

PROBLEM_TYPE_BASE = "urn:ruian-governance:error:"
"""The default start of a problem's ``type``, followed by the error's class name."""

PROBLEM_STATUSES: tuple[tuple[type[BaseException], int], ...] = (
    (ConflictError, 409),  # a stale version: re-read and retry
    (TimeoutError, 503),  # a store file locked past the timeout (StoreBusyError)
    (StoreCorruptError, 500),  # the server's stored data is damaged
    (StoreMismatchError, 500),  # the server's store was written with other definitions
    (PermissionError, 403),  # the actor's post, role or jurisdiction; a read-only store
    (ArgumentError, 400),  # a bad argument
    (AnalysisError, 400),  # an analysis asked for what it cannot compute
    (UnknownIdError, 404),  # no such unit, person, case, lifecycle, document kind
    (ImportError, 501),  # an optional extra the server lacks
    (ValueError, 422),  # data, documents, definitions, rules, refused commands
    (TransitionError, 422),  # a refused command (every kind not listed above)
    (RouteError, 422),  # a report that cannot be routed
)
"""The suggested HTTP status of each kind of error: the first entry the error is an instance of
wins (so ``StoreBusyError``, a ``CaseStoreError`` and a ``TimeoutError``, is 503); an
:class:`~ruian_governance.errors.Open311Error` has its own ``code`` (400 for the class, or a code
that is no error status); anything else 500."""

_RESERVED = frozenset({"type", "title", "status", "detail", "instance"})
_DEPTH, _ITEMS, _TEXT, _DETAIL = 4, 100, 1_000, 2_000
_SAFE_INT = 2**53  # larger integers lose digits in JavaScript: given as text
_ROLE = re.compile(r":[\w:]+:`~?(?:[^`<]*<)?([^`>]*)>?`")
_REPR = reprlib.Repr()  # bounded: a deep list, a huge text or integer is shown in a few steps
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlong = 2, 200, 200, 200


def http_status(error: RuianGovernanceError | type[RuianGovernanceError]) -> int:
    """The suggested HTTP status of an error (or error class), by :data:`PROBLEM_STATUSES`.

    >>> from ruian_governance import UnknownIdError
    >>> from ruian_governance.errors import RoleNotAllowedError, StoreBusyError
    >>> http_status(UnknownIdError("t9")), http_status(RoleNotAllowedError)
    (404, 403)
    >>> http_status(StoreBusyError)
    503

    Raises:
        ArgumentError: ``error`` is neither a library error nor a library error class.
    """
    given: object = error  # checked: a careless caller passes anything
    cls = given if isinstance(given, type) else type(given)
    if not issubclass(cls, RuianGovernanceError):
        argument = "error"
        raise ArgumentError(argument, given, "a RuianGovernanceError or one of its classes")
    if issubclass(cls, Open311Error):  # GeoReport v2 gives each of its errors a status
        code: object = getattr(given, "code", None)
        return code if type(code) is int and 400 <= code <= 599 else 400
    for kind, status in PROBLEM_STATUSES:
        if issubclass(cls, kind):
            return status
    return 500


def problem_details(
    error: RuianGovernanceError, *, type_base: str = PROBLEM_TYPE_BASE
) -> dict[str, object]:
    """The error as RFC 9457 problem details: a plain dict, ready for ``json.dumps``.

    - ``type``: ``type_base`` followed by the error's class name (point ``type_base`` at your
      own documentation of the errors, if you publish one);
    - ``title``: the first sentence of the class's docstring, the same for every error of that
      class;
    - ``status``: the suggested HTTP status (:func:`http_status`);
    - ``detail``: the error's message (it contains the error's own ``detail`` attribute, if it
      has one, which is therefore not repeated);
    - then each attribute the error keeps about its context (``id``, ``where``, ``case_id``,
      ``problems``, ``actor``, ...), as plain JSON: texts, numbers, booleans, ``None``, lists
      and objects; an actor as an object of its fields, an enum by its value, a time in ISO
      8601.  A value from elsewhere (an ``ArgumentError``'s ``value``: whatever the caller
      passed) is made plain too, bounded: at most 4 levels, 100 items a level and 1,000
      characters a text, integers beyond 2**53 and floats that are not finite as text, text
      that UTF-8 cannot encode (a lone surrogate) escaped, anything else by its short repr.

    >>> from ruian_governance import UnknownIdError
    >>> problem_details(UnknownIdError("t9", "hierarchy"), type_base="https://example.org/e/")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'type': 'https://example.org/e/UnknownIdError',
     'title': 'No entity with this id exists where it was looked up.',
     'status': 404, 'detail': "unknown id 't9' in hierarchy", 'id': 't9', 'where': 'hierarchy'}

    Raises:
        ArgumentError: ``error`` is not a library error, or ``type_base`` is not text.
    """
    given: tuple[object, object] = (error, type_base)  # checked: callers pass anything
    if not isinstance(given[0], RuianGovernanceError):
        argument = "error"
        raise ArgumentError(argument, given[0], "a RuianGovernanceError")
    if not isinstance(given[1], str):
        argument = "type_base"
        raise ArgumentError(argument, given[1], "text (a URI the class name completes)")
    cls = type(error)
    problem: dict[str, object] = {
        "type": _text(type_base + cls.__name__, _TEXT),
        "title": _title(cls),
        "status": http_status(error),
        "detail": _text(_message(error), _DETAIL),
    }
    for name, value in vars(error).items():
        if isinstance(name, str) and not name.startswith("_") and name not in _RESERVED:
            problem[name] = _plain(value, _DEPTH)
    return problem


def _title(cls: type) -> str:
    """The first sentence of the class's (or its nearest documented base's) docstring."""
    doc = inspect.getdoc(cls) or cls.__name__
    first = " ".join(doc.split("\n\n", 1)[0].split())
    first = first.split(" Added in ", 1)[0]
    first = _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1], first).replace("``", "")
    return _text(first, _TEXT)


def _message(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # a subclass whose message fails is still reported, by its class
        return type(error).__name__


def _text(text: str, limit: int) -> str:
    """``text`` with what UTF-8 cannot encode escaped, clipped to ``limit`` characters."""
    text = text[: limit + 1]  # a 10 MB text is not read to its end
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: shown as its \\udcxx escape
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short(value: object) -> str:
    try:
        shown = _REPR.repr(value)
    except Exception:  # a value whose repr fails is still reported, by its type
        shown = f"<{type(value).__name__} object>"
    return _text(shown, 200)


def _plain(value: object, depth: int) -> object:
    """``value`` as plain JSON data, bounded (see :func:`problem_details`)."""
    try:
        return _scalar(value) if _is_scalar(value) else _container(value, depth)
    except Exception:  # a hostile value (failing iteration, keys, comparisons or methods)
        return _short(value)


_SCALARS = (type(None), bool, enum.Enum, int, float, str, datetime, date, time, timedelta)


def _is_scalar(value: object) -> bool:
    return isinstance(value, _SCALARS)


def _scalar(value: object) -> object:  # noqa: PLR0911 - one return per kind of value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):
        return _plain(value.value, 0)
    if isinstance(value, int):
        return int(value) if -_SAFE_INT <= value <= _SAFE_INT else _short(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else str(float(value))
    if isinstance(value, str):
        return _text(str.__str__(value), _TEXT)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (datetime, date, time)):
        return _text(value.isoformat(), 200)
    return _short(value)


def _container(value: object, depth: int) -> object:
    if depth <= 0:
        return _short(value)
    cls = type(value)
    if attrs.has(cls):
        fields = attrs.fields(cls)[:_ITEMS]
        return {f.name: _plain(getattr(value, f.name), depth - 1) for f in fields}
    if isinstance(value, Mapping):
        return {
            _text(key, 200) if isinstance(key, str) else _short(key): _plain(item, depth - 1)
            for key, item in itertools.islice(value.items(), _ITEMS)
        }
    if isinstance(value, (list, tuple)):
        return [_plain(item, depth - 1) for item in value[:_ITEMS]]
    if isinstance(value, (set, frozenset)):
        return [_plain(item, depth - 1) for item in sorted(value, key=_short)[:_ITEMS]]
    return _short(value)
