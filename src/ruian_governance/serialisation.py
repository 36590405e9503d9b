"""Plain-JSON data in and out, through one configured cattrs converter.

There is no global converter: :func:`make_converter` returns a new one configured by
:func:`configure_converter`, which users may also apply to a converter of their own and then
extend.  Documents carry a ``format_version``; older versions are migrated by registered
migrations, newer or unknown ones are refused.

>>> from ruian_governance import hierarchy_from_dict, hierarchy_to_dict, ruian_preset
>>> h = ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23,
...                  micro_grid_workers=0)
>>> data = hierarchy_to_dict(h)
>>> data["format_version"], data["units"][1]["name"]
(1, '安阳街道')
>>> hierarchy_from_dict(data) == h
True
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import cattrs
from cattrs.preconf.json import make_converter as _make_json_converter

from .errors import DataError, RuianGovernanceError
from .hierarchy import Hierarchy

__all__ = [
    "FORMAT_VERSION",
    "MIGRATIONS",
    "Migration",
    "configure_converter",
    "hierarchy_from_dict",
    "hierarchy_to_dict",
    "make_converter",
    "migrate",
]

FORMAT_VERSION = 1
"""The ``format_version`` every document written by this release carries."""

Migration: TypeAlias = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns a document of one format version into the next (it must not mutate its argument)."""

MIGRATIONS: Mapping[tuple[str, int], Migration] = {}
"""Registered migrations, by (document kind, version migrated from)."""


def _strict(tp: type[Any]) -> Callable[[Any, type[Any]], Any]:
    def structure(value: Any, _: type[Any]) -> Any:
        # bool is an int in Python, but never a valid int or str in our documents.
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            msg = f"expected {tp.__name__}, got {type(value).__name__}"
            raise TypeError(msg)
        return value

    return structure


def configure_converter(converter: cattrs.Converter) -> None:
    """Configure ``converter`` for the library's models.

    Strings, integers and floats are taken only as they are (no silent ``"5"`` -> ``5``);
    sets become sorted lists so that output is deterministic; enums go by value.
    """
    for tp in (str, int, bool):
        converter.register_structure_hook(tp, _strict(tp))

    def unstructure_set(value: frozenset[Any] | set[Any]) -> list[Any]:
        items = [converter.unstructure(v) for v in value]
        return sorted(items, key=str)

    converter.register_unstructure_hook_func(
        lambda tp: getattr(tp, "__origin__", tp) in (frozenset, set), unstructure_set
    )
    converter.register_unstructure_hook(enum.Enum, lambda e: e.value)


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """Return a new JSON-ready converter configured for the library's models.

    Args:
        detailed_validation: Collect every problem with its path (slower); without it the
            first problem raises bare.

    >>> from ruian_governance import Label, make_converter
    >>> make_converter().unstructure(Label(en="grid", zh="网格"))
    {'en': 'grid', 'zh': '网格'}
    """
    converter = _make_json_converter(
        forbid_extra_keys=True, detailed_validation=detailed_validation
    )
    configure_converter(converter)
    return converter


_CONVERTER = make_converter()
_FAST_CONVERTER = make_converter(detailed_validation=False)


def migrate(
    data: Mapping[str, Any],
    kind: str,
    migrations: Mapping[tuple[str, int], Migration] = MIGRATIONS,
) -> dict[str, Any]:
    """Bring a document of ``kind`` up to :data:`FORMAT_VERSION`.

    Raises:
        DataError: The version is missing, newer than this release, or has no migration.
    """
    if not isinstance(data, Mapping):
        raise DataError(kind, [f"$: expected an object, got {type(data).__name__}"])
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise DataError(kind, [f"$.format_version: expected an integer, got {version!r}"])
    if version > FORMAT_VERSION:
        problem = f"$.format_version: {version} is newer than this release ({FORMAT_VERSION})"
        raise DataError(kind, [problem])
    document = dict(data)
    while version < FORMAT_VERSION:
        step = migrations.get((kind, version))
        if step is None:
            raise DataError(kind, [f"$.format_version: no migration from version {version}"])
        document = step(document)
        version += 1
        document["format_version"] = version
    return document


def hierarchy_to_dict(
    hierarchy: Hierarchy, *, converter: cattrs.Converter | None = None
) -> dict[str, Any]:
    """Return ``hierarchy`` as plain JSON-compatible data with a ``format_version``."""
    data: dict[str, Any] = (converter or _CONVERTER).unstructure(hierarchy)
    return {"format_version": FORMAT_VERSION, **data}


def hierarchy_from_dict(
    data: Mapping[str, Any], *, converter: cattrs.Converter | None = None
) -> Hierarchy:
    """Load a hierarchy written by :func:`hierarchy_to_dict` (migrating older versions).

    Raises:
        DataError: The data is not a hierarchy document; each problem names its JSON path.
        HierarchyError: The data is well formed but breaks a structural rule.
    """
    document = migrate(data, "hierarchy")
    document.pop("format_version")
    hierarchy: Hierarchy = structure(document, Hierarchy, converter=converter, what="hierarchy")
    return hierarchy


def structure(
    data: Any,
    cls: type[Any],
    *,
    converter: cattrs.Converter | None = None,
    what: str | None = None,
) -> Any:
    """Structure ``data`` as ``cls``, turning cattrs' errors into a :class:`DataError`.

    Without a converter of the caller's, good data takes a fast path and only bad data is
    structured again with detailed validation, to name the path of every problem.
    """
    if converter is None:
        try:
            return _FAST_CONVERTER.structure(data, cls)
        except RuianGovernanceError:
            raise
        except Exception:
            converter = _CONVERTER
    try:
        return (converter or _CONVERTER).structure(data, cls)
    except (cattrs.BaseValidationError, cattrs.ForbiddenExtraKeysError) as error:
        ours = _our_error(error)
        if ours is not None:
            # A model's own validation (e.g. a hierarchy rule) refused well-formed data.
            raise ours from None
        raise DataError(what or cls.__name__, cattrs.transform_error(error, path="$")) from None
    except RuianGovernanceError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as error:
        raise DataError(what or cls.__name__, [f"$: {error}"]) from None


def _our_error(error: BaseException) -> RuianGovernanceError | None:
    """Find an error of ours that a model's constructor raised inside cattrs' error groups."""
    if isinstance(error, RuianGovernanceError):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = _our_error(inner)
        if found is not None:
            return found
    return None
