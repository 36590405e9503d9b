"""The errors of courts, disputes and hazards: a court placed outside the tree."""

from __future__ import annotations

from ruian_governance.errors._core import HierarchyError

__all__ = ["CourtPlacementError"]


class CourtPlacementError(
    HierarchyError, rule="court, tribunal or shared court outside the city's tree"
):
    """A court 法院, people's tribunal 人民法庭 or shared court 共享法庭 does not fit the tree.

    More than one basic-level court, a court of another city, a tribunal not seated in (or
    serving something else than) towns of the city's court, or a shared court not in a town or
    village, or run by a tribunal that does not serve its town.

    Added in 0.2.0.
    """
