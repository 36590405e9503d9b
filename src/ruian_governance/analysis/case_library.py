"""The similar-case library 类案库: completed disputes, queryable for later reference.

When a dispute is completed 办结, its electronic dossier 电子卷宗 joins the library, and users
look up similar cases by category, location (a unit and everything under it) and keywords.
The library is an index a case store keeps up to date (give it to
:class:`~ruian_governance.MemoryCaseStore` or :class:`~ruian_governance.SQLiteCaseStore` with
``indexes=``): it observes every stored case and files those that reached a library state.  A
refused command never reaches it.

>>> from ruian_governance import generate_hierarchy
>>> from ruian_governance.analysis import SimilarCaseLibrary
>>> library = SimilarCaseLibrary(generate_hierarchy(towns=2, villages=4, grids=8,
...                                                  micro_grids=0, seed=0))
>>> len(library), library.query(category="land")
(0, ())
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ruian_governance.lifecycles import DISPUTE_LIFECYCLE, LifecycleDefinition
from ruian_governance.models import Case, Hierarchy

__all__ = ["LibraryEntry", "SimilarCaseLibrary", "similar_disputes"]


def _reach(definition: LifecycleDefinition, start: set[str]) -> set[str]:
    """``start`` and every state reachable from it."""
    found = set(start)
    frontier = list(found)
    while frontier:
        state = frontier.pop()
        for t in definition.transitions:
            if state in t.sources and t.dest is not None and t.dest not in found:
                found.add(t.dest)
                frontier.append(t.dest)
    return found


def _filed_states(definition: LifecycleDefinition) -> frozenset[str]:
    """The closing states of ``definition`` and every state after one of them.

    A state after closing from which the case can close again (rework 重办 sends a closed event
    back to the command room) is not filed: the case is open again.
    """
    closing = {s.key for s in definition.states if s.closing}
    after = _reach(definition, closing) - closing
    reopened = {s for s in after if _reach(definition, {s}) & closing}
    return frozenset((closing | after) - reopened)


@attrs.frozen(kw_only=True)
class LibraryEntry:
    """A case as filed in the similar-case library.

    Args:
        case_id: The case's id.
        lifecycle: Its lifecycle key.
        category: Its category.
        location_id: Where the matter was.
        severity: Its tier, if any.
        text: The dossier text searched by keywords: every text value of its history.
        case: The case as last observed.
    """

    case_id: str
    lifecycle: str
    category: str
    location_id: str
    severity: str | None
    text: str
    case: Case = attrs.field(repr=False)


def _dossier_text(case: Case) -> str:
    parts: list[str] = [case.category]
    for record in case.history:
        for key, value in record.data:
            if key in {"case_id", "lifecycle", "location_id"}:
                continue
            if isinstance(value, str):
                parts.append(value)
    return "\n".join(parts).casefold()


class SimilarCaseLibrary:
    """The similar-case library 类案库: an index of completed cases.

    Args:
        hierarchy: Used to file each case under its location and every unit above it.
        lifecycles: The lifecycle definitions whose cases it files (default: disputes).  A case
            is filed once it has reached a closing state of its definition (``State.closing``,
            e.g. completed 办结), and re-filed in every state after that (for disputes: the
            review, analysis and evaluation stages).
    """

    def __init__(
        self,
        hierarchy: Hierarchy,
        *,
        lifecycles: Iterable[LifecycleDefinition] = (DISPUTE_LIFECYCLE,),
    ) -> None:
        self._hierarchy = hierarchy
        self._filed = {d.key: _filed_states(d) for d in lifecycles}
        self._entries: dict[str, LibraryEntry] = {}
        self._by_category: dict[str, set[str]] = {}
        self._by_unit: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, case_id: object) -> bool:
        return case_id in self._entries

    def observe(self, case: Case) -> None:
        """File ``case`` if it is of a filed lifecycle and in a library state; else ignore it.

        A case filed before is re-filed with its newer version.
        """
        filed = self._filed.get(case.lifecycle)
        if filed is None or case.state not in filed:
            return
        self.add(case)

    def add(self, case: Case) -> LibraryEntry:
        """File ``case`` (whatever its state) and return its entry.

        Raises:
            UnknownIdError: The case's location is not in the hierarchy.
        """
        units = [case.location_id, *(u.id for u in self._hierarchy.ancestors(case.location_id))]
        entry = LibraryEntry(
            case_id=case.id,
            lifecycle=case.lifecycle,
            category=case.category,
            location_id=case.location_id,
            severity=case.severity,
            text=_dossier_text(case),
            case=case,
        )
        self._entries[case.id] = entry
        self._by_category.setdefault(case.category, set()).add(case.id)
        for unit in units:
            self._by_unit.setdefault(unit, set()).add(case.id)
        return entry

    def entry(self, case_id: str) -> LibraryEntry | None:
        """Return the entry of ``case_id``, or ``None``."""
        return self._entries.get(case_id)

    def query(
        self,
        *,
        category: str | None = None,
        location_id: str | None = None,
        keywords: Iterable[str] = (),
    ) -> tuple[LibraryEntry, ...]:
        """Return the filed cases matching every given criterion, sorted by case id.

        Args:
            category: Only cases of this category.
            location_id: Only cases located at this unit or anywhere under it (a town finds
                every case in its villages and grids).
            keywords: Only cases whose dossier contains every keyword (case-insensitive
                substring match, so Chinese words work without segmentation).
        """
        ids: set[str] | None = None
        if category is not None:
            ids = set(self._by_category.get(category, ()))
        if location_id is not None:
            here = self._by_unit.get(location_id, set())
            ids = set(here) if ids is None else ids & here
        if ids is None:
            ids = set(self._entries)
        words = [k.casefold() for k in keywords]
        found = (self._entries[i] for i in sorted(ids))
        return tuple(e for e in found if all(w in e.text for w in words))


def similar_disputes(
    cases: Iterable[Case],
    hierarchy: Hierarchy,
    *,
    category: str | None = None,
    location_id: str | None = None,
    keywords: Iterable[str] = (),
) -> tuple[LibraryEntry, ...]:
    """Query the similar-case library 类案库 built from ``cases`` (completed disputes).

    The cases are filed in a :class:`SimilarCaseLibrary` as a case store's
    index would file them, then queried by category, place (a unit and everything under it) and
    keywords (all must appear in the dossier).
    """
    library = SimilarCaseLibrary(hierarchy)
    for case in cases:
        library.observe(case)
    return library.query(category=category, location_id=location_id, keywords=keywords)
