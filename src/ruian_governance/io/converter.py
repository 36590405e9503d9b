"""The converter: plain JSON in and out of every model, through one configured cattrs converter.

There is no global converter: :func:`make_converter` returns a new one configured by
:func:`configure_converter`, which users may also apply to a converter of their own and then
extend.  Every public model converts: hierarchies and their units and people, routing rules,
reports and routes, lifecycle definitions, cases and their history records.

- Datetimes are ISO 8601 text with a UTC offset; a naive datetime is refused on load.
- Enums go by value; sets become sorted lists; Chinese text stays as it is.
- Guards and effects of a lifecycle are code: they are written as their key and label, and
  resolved on load by key in a :class:`CodeRegistry` (default :data:`BUILTIN_CODE`, the guards
  and effects of the built-in lifecycles).  A deadline policy's working-day calendar is not
  written; loaded policies use :data:`~ruian_governance.models.CHINESE_WORKDAYS`.

:func:`structure` loads data as a model and turns every problem into a
:class:`~ruian_governance.errors.DataError` naming its JSON path; the documents of
:mod:`ruian_governance.io.documents` load through it.

>>> from ruian_governance import Label
>>> make_converter().unstructure(Label(en="grid", zh="网格"))
{'en': 'grid', 'zh': '网格'}
"""

from __future__ import annotations

import datetime
import enum
import json
import reprlib
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter as _make_json_converter
from cattrs.v import format_exception

from ruian_governance._convert import json_encoder
from ruian_governance.errors import ArgumentError, DataError, RuianGovernanceError
from ruian_governance.lifecycles import BUILTIN_LIFECYCLES, Effect, Guard, LifecycleDefinition
from ruian_governance.models import AdminUnit, DataValue, DeadlinePolicy, HistoryRecord

__all__ = ["BUILTIN_CODE", "MAX_NESTING", "CodeRegistry", "configure_converter", "make_converter"]

_T = TypeVar("_T")


# --------------------------------------------------------------------------- code by key


def _no_duplicates(items: Iterable[Guard] | Iterable[Effect], what: str) -> None:
    seen: dict[str, object] = {}
    for item in items:
        if seen.setdefault(item.key, item) != item:
            reason = f"one {what} per key (two different {what}s share this key)"
            raise ArgumentError("lifecycles", item.key, reason)  # noqa: EM101 - a name


def _guard_map(value: Mapping[str, Guard]) -> Mapping[str, Guard]:
    return MappingProxyType(dict(value))


def _effect_map(value: Mapping[str, Effect]) -> Mapping[str, Effect]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class CodeRegistry:
    """The guards and effects a converter resolves by key when it loads lifecycle definitions.

    Guards and effects hold Python callables, which JSON cannot carry: a lifecycle document
    names them by key (with their label), and loading takes the registry's object of that key.

    Args:
        guards: Guards by key.
        effects: Effects by key.

    >>> from ruian_governance import EVENT_LIFECYCLE
    >>> code = CodeRegistry.of(EVENT_LIFECYCLE)
    >>> code.guards["stars_1_to_5"].label.zh
    '1-5星'
    """

    guards: Mapping[str, Guard] = attrs.field(converter=_guard_map)
    effects: Mapping[str, Effect] = attrs.field(converter=_effect_map)

    @classmethod
    def of(cls, *lifecycles: LifecycleDefinition) -> CodeRegistry:
        """Collect every guard and effect the transitions of ``lifecycles`` use.

        Raises:
            ArgumentError: Two different guards (or effects) share a key.
        """
        guards = [g for d in lifecycles for t in d.transitions for g in t.guards]
        effects = [e for d in lifecycles for t in d.transitions for e in t.effects]
        _no_duplicates(guards, "guard")
        _no_duplicates(effects, "effect")
        return cls(guards={g.key: g for g in guards}, effects={e.key: e for e in effects})

    def merge(self, other: CodeRegistry) -> CodeRegistry:
        """Return a registry with the entries of both (``other`` wins on a shared key)."""
        return CodeRegistry(
            guards={**self.guards, **other.guards}, effects={**self.effects, **other.effects}
        )


BUILTIN_CODE: CodeRegistry = CodeRegistry.of(*BUILTIN_LIFECYCLES)
"""The guards and effects of the three built-in lifecycles, by key."""


# --------------------------------------------------------------------------- the converter


class _HookError(RuianGovernanceError):
    """A JSON value one of our structure hooks refuses.

    :func:`structure` turns it into a :class:`~ruian_governance.errors.DataError` naming the
    value's path; only a converter used directly on a lone value lets it out.
    """


class _RefusedError(_HookError, ValueError):
    """A value our hooks refuse; its message is shown as the problem at the value's path."""


class _WrongTypeError(_HookError, TypeError):
    """A scalar of the wrong JSON type; cattrs names it an invalid type at the value's path."""


_REPR = reprlib.Repr()
_REPR.maxlevel = 2  # junk may nest 100,000 deep: never recurse into it


def _short(value: object, limit: int = 40) -> str:
    """A value for an error message: its repr, clipped, never deep (junk may be anything)."""
    try:
        text = repr(value) if isinstance(value, str | int | float | None) else _REPR.repr(value)
    except (ValueError, RecursionError):  # an int too long to write, a hostile __repr__
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


MAX_NESTING = 64
"""How deep a document may nest (the library's own documents nest fewer than 10 levels)."""


def _json_problems(data: Any, limit: int = MAX_NESTING) -> list[str]:
    """The first problem found that makes ``data`` no plain JSON value, with its path.

    Objects must have text keys, values be objects, arrays, text, numbers, booleans or null,
    and nothing may nest deeper than ``limit``.  The walk uses no recursion, so 100,000 levels
    of nesting are reported, not a ``RecursionError``.
    """
    stack: list[tuple[Any, str, int]] = [(data, "$", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str | bool | int | float) or value is None:
            continue
        if depth >= limit and isinstance(value, Mapping | list | tuple):
            return [f"{path}: nested more than {limit} levels deep"]
        if isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    return [f"{path}: keys must be text, got {_short(key)}"]
                stack.append((item, f"{path}.{key}", depth + 1))
        elif isinstance(value, list | tuple):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
        else:
            return [f"{path}: {type(value).__name__} is not a JSON value"]
    return []


def _strict(tp: type[Any]) -> Callable[[Any, type[Any]], Any]:
    def structure(value: Any, _: type[Any]) -> Any:
        # bool is an int in Python, but never a valid int or str in our documents.
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            msg = f"expected {tp.__name__}, got {type(value).__name__}"
            raise _WrongTypeError(msg)
        return value

    return structure


def _structure_float(value: Any, _: type[Any]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"expected float, got {type(value).__name__}"
        raise _WrongTypeError(msg)
    return float(value)


def _structure_datetime(value: Any, _: type[Any]) -> datetime.datetime:
    if not isinstance(value, str):
        msg = f"expected an ISO 8601 date-time string, got {type(value).__name__}"
        raise _RefusedError(msg)
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        msg = f"not an ISO 8601 date-time: {_short(value)}"
        raise _RefusedError(msg) from None
    if parsed.utcoffset() is None:
        msg = f"naive date-time {_short(value)}: a UTC offset is required"
        raise _RefusedError(msg)
    return parsed


def _unstructure_datetime(value: datetime.datetime) -> str:
    return value.isoformat()


def _structure_data_value(value: Any, _: Any) -> DataValue:
    if isinstance(value, str | bool) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    msg = f"expected text, an integer, a boolean or a list of ids, got {type(value).__name__}"
    raise _RefusedError(msg)


_RECORD_DATA = typing.get_type_hints(HistoryRecord)["data"]
"""The type of :attr:`HistoryRecord.data`: sorted ``(key, value)`` pairs."""


def _structure_record_data(value: Any, _: Any) -> tuple[tuple[str, DataValue], ...]:
    if not isinstance(value, Mapping):
        msg = f"expected an object of data values, got {type(value).__name__}"
        raise _RefusedError(msg)
    pairs: list[tuple[str, DataValue]] = []
    for key, item in value.items():
        if not isinstance(key, str):
            msg = f"data keys must be text, got {_short(key)}"
            raise _RefusedError(msg)
        try:
            pairs.append((key, _structure_data_value(item, None)))
        except _RefusedError as error:
            msg = f"{_short(key)}: {error}"
            raise _RefusedError(msg) from None
    return tuple(sorted(pairs))


def _unstructure_record_data(value: tuple[tuple[str, DataValue], ...]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in value}


_DATA_JSON = json_encoder(separators=(", ", ": "), allow_nan=True)
"""What ``json.dumps(value, ensure_ascii=False)`` writes, with the C encoder made once."""


def _record_data_text(data: tuple[tuple[str, Any], ...]) -> str:
    """A record's data as a JSON object in text (a lone surrogate escaped).

    JSON writes a tuple as it writes a list, so the pairs go into a dict as they are (in C);
    data that is not pairs goes the unstructuring way, which refuses it as it always did.
    """
    try:
        value = dict(data)
    except (TypeError, ValueError):  # not pairs: the same error as before
        value = _unstructure_record_data(data)
    text = _DATA_JSON(value)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (from elsewhere): escaped
            text = json.dumps(value)
    return text


def _by_key(
    registry: Mapping[str, _T], what: str
) -> tuple[Callable[[Any, Any], _T], Callable[[Any], dict[str, Any]]]:
    def structure(value: Any, _: Any) -> _T:
        key = value.get("key") if isinstance(value, Mapping) else value
        if not isinstance(key, str):
            msg = f"expected a {what} object with a string key, got {type(value).__name__}"
            raise _RefusedError(msg)
        try:
            return registry[key]
        except KeyError:
            msg = f"unknown {what} {_short(key)}: not in the code registry"
            raise _RefusedError(msg) from None

    def unstructure(value: Any) -> dict[str, Any]:
        return {"key": value.key, "label": {"en": value.label.en, "zh": value.label.zh}}

    return structure, unstructure


def configure_converter(converter: cattrs.Converter, *, code: CodeRegistry | None = None) -> None:
    """Configure ``converter`` for the library's models.

    - Strings, integers, floats and booleans are taken only as they are (no silent
      ``"5"`` -> ``5``).
    - Datetimes are ISO 8601 strings; loading refuses naive ones (no UTC offset).
    - Sets become sorted lists, so output is deterministic; enums go by value.
    - A history record's data is an object (values: text, integers, booleans or lists of ids);
      the record keeps it as sorted ``(key, value)`` pairs.
    - Guards and effects are ``{"key", "label"}`` objects, resolved on load by key in ``code``.
    - A deadline policy is its limits, steps and counts; its calendar and office hours are
      not written.

    Args:
        converter: The converter to configure (e.g. a ``cattrs.Converter()`` of your own).
        code: Where guards and effects are found by key (default :data:`BUILTIN_CODE`).
    """
    code = BUILTIN_CODE if code is None else code
    for tp in (str, int, bool):
        converter.register_structure_hook(tp, _strict(tp))
    converter.register_structure_hook(float, _structure_float)

    def unstructure_set(value: frozenset[Any] | set[Any]) -> list[Any]:
        items = [converter.unstructure(v) for v in value]
        return sorted(items, key=str)

    converter.register_unstructure_hook_func(
        lambda tp: getattr(tp, "__origin__", tp) in (frozenset, set), unstructure_set
    )
    converter.register_unstructure_hook(enum.Enum, lambda e: e.value)
    converter.register_structure_hook(datetime.datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime.datetime, _unstructure_datetime)
    converter.register_structure_hook_func(lambda tp: tp == _RECORD_DATA, _structure_record_data)
    converter.register_unstructure_hook_func(
        lambda tp: tp == _RECORD_DATA, _unstructure_record_data
    )
    guard_in, guard_out = _by_key(code.guards, "guard")
    effect_in, effect_out = _by_key(code.effects, "effect")
    # Guards and effects are (un)structured by key, through the code registry.
    converter.register_structure_hook_func(lambda tp: tp is Guard, guard_in)
    converter.register_unstructure_hook_func(lambda tp: tp is Guard, guard_out)
    converter.register_structure_hook_func(lambda tp: tp is Effect, effect_in)
    converter.register_unstructure_hook_func(lambda tp: tp is Effect, effect_out)
    converter.register_structure_hook(
        DeadlinePolicy,
        make_dict_structure_fn(
            DeadlinePolicy,
            converter,
            calendar=override(omit=True),
            hours=override(omit=True),
            _cattrs_forbid_extra_keys=True,
        ),
    )
    converter.register_unstructure_hook(
        DeadlinePolicy,
        make_dict_unstructure_fn(
            DeadlinePolicy, converter, calendar=override(omit=True), hours=override(omit=True)
        ),
    )
    # A unit without coordinates is written as before (no "centroid" key).
    converter.register_unstructure_hook(
        AdminUnit,
        make_dict_unstructure_fn(
            AdminUnit,
            converter,
            centroid=override(omit_if_default=True, unstruct_hook=_point_list),
        ),
    )


def _point_list(point: tuple[float, float] | None) -> list[float] | None:
    """A centroid as JSON writes it: ``[lat, long]``."""
    return None if point is None else list(point)


def make_converter(
    *, detailed_validation: bool = True, code: CodeRegistry | None = None
) -> cattrs.Converter:
    """Return a new JSON-ready converter configured for the library's models.

    Args:
        detailed_validation: Collect every problem with its path (slower); without it the
            first problem raises bare.
        code: Where guards and effects are found by key (default :data:`BUILTIN_CODE`).

    >>> from ruian_governance import Label
    >>> from ruian_governance.io import make_converter
    >>> make_converter().unstructure(Label(en="grid", zh="网格"))
    {'en': 'grid', 'zh': '网格'}
    """
    converter = _make_json_converter(
        forbid_extra_keys=True, detailed_validation=detailed_validation
    )
    configure_converter(converter, code=code)
    return converter


_CONVERTER = make_converter()
_FAST_CONVERTER = make_converter(detailed_validation=False)


def unstructure(obj: Any, *, converter: cattrs.Converter | None = None) -> Any:
    """Unstructure ``obj`` with ``converter`` (default: the library's own converter)."""
    return (converter or _CONVERTER).unstructure(obj)


# --------------------------------------------------------------------------- structuring

_PROBLEM_LIMIT = 300
"""Longest problem line kept in a DataError (junk values can be huge)."""


def _type_name(tp: Any) -> str:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return " or ".join(_type_name(arg) for arg in typing.get_args(tp))
    if tp is type(None):
        return "null"
    return str(getattr(tp, "__name__", tp))


def _format(error: BaseException, tp: type[Any] | None) -> str:
    if isinstance(error, _RefusedError) or _is_refusal(error):
        return str(error)
    if isinstance(error, ValueError | TypeError) and typing.get_origin(tp) in (
        typing.Union,
        types.UnionType,
    ):
        return f"invalid value for type, expected {_type_name(tp)}"
    return format_exception(error, tp)


def _is_refusal(error: BaseException) -> bool:
    """Whether a model's constructor refused one value (an :class:`ArgumentError`)."""
    return isinstance(error, ArgumentError)


def _clip(problem: str) -> str:
    if len(problem) <= _PROBLEM_LIMIT:
        return problem
    return problem[: _PROBLEM_LIMIT - 3] + "..."


def structure(
    data: Any,
    cls: type[Any],
    *,
    converter: cattrs.Converter | None = None,
    what: str | None = None,
) -> Any:
    """Structure ``data`` as ``cls``, turning every problem into a :class:`DataError`.

    Without a converter of the caller's, good data takes a fast path and only bad data is
    structured again with detailed validation, to name the path of every problem.  A model's
    constructor refusing one value (an :class:`ArgumentError`) is reported at the value's
    path; data that is no plain JSON value (keys that are not text, objects that are not JSON,
    nesting deeper than :data:`MAX_NESTING`) is named by its path.  Errors of a model's own rules
    about the whole (a ``HierarchyError``, ...) pass as they are.
    """
    name = what or cls.__name__
    if converter is None:
        try:
            return _FAST_CONVERTER.structure(data, cls)
        except (_HookError, ArgumentError):  # bad data: structure again to find the paths
            converter = _CONVERTER
        except RuianGovernanceError:
            raise
        except Exception:
            converter = _CONVERTER
    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, cattrs.ForbiddenExtraKeysError) as error:
        ours = _our_error(error)
        if ours is not None:
            # A model's own rule about the whole (e.g. a hierarchy rule) refused the data.
            raise ours from None
        try:
            problems = cattrs.transform_error(error, path="$", format_exception=_format)
        except Exception:
            problems = _json_problems(data) or [f"$: {type(error).__name__}"]
        raise DataError(name, [_clip(p) for p in problems]) from None
    except (_HookError, ArgumentError) as error:  # the top-level constructor refused a value
        raise DataError(name, [_clip(f"$: {error}")]) from None
    except RuianGovernanceError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, RecursionError) as error:
        problems = _json_problems(data) or [f"$: {_short(str(error), 200)}"]
        raise DataError(name, [_clip(p) for p in problems]) from None


def _our_error(error: BaseException) -> RuianGovernanceError | None:
    """Find an error of ours that a model's constructor raised inside cattrs' error groups."""
    if isinstance(error, RuianGovernanceError):
        return None if isinstance(error, _HookError) or _is_refusal(error) else error
    for inner in getattr(error, "exceptions", ()):
        found = _our_error(inner)
        if found is not None:
            return found
    return None
