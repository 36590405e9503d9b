"""The evening overdue sweep 督办: supervising late events and moving late disputes up.

Every evening the command rooms sweep :meth:`~ruian_governance.lifecycles.Engine.overdue` over
the open events and disputes.  An overdue event is supervised 督办 once by its holder, and by
the city centre (提级督办) when it is still late three days after its deadline; an overdue
dispute still in mediation (or transferred) is escalated one level 上移 once, else supervised
once by the centre.  Hazards have their own ladder (:mod:`.hazards`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ruian_governance.models import Case

from .state import Mechanism

__all__ = ["Supervision"]

_MEDIATING = frozenset({"people_mediation", "administrative_mediation", "court_mediation"})
_CITY_AFTER = timedelta(days=3)
_SWEPT = {  # the flags after which a sweep does nothing more to a case, whatever its state
    "event": frozenset({"supervised", "city_supervised"}),
    "dispute": frozenset({"supervised", "escalated"}),
}
_NEVER = frozenset({"never swept for good"})  # another lifecycle: always asked
_NONE: frozenset[str] = frozenset()


class Supervision(Mechanism):
    """The evening sweep of overdue events and disputes."""

    def sweep(self, now: datetime, _day: int) -> None:
        """Supervise or escalate every overdue open event and dispute, once each."""
        state, cast = self.state, self.cast
        flagged, sweepable = state.flags, state.sweepable
        due = []
        for case in state.due(now, hazards=False):
            if _SWEPT.get(case.lifecycle, _NEVER) <= flagged.get(case.id, _NONE):
                del sweepable[case.id]  # swept for good: never asked again (flags only grow)
            else:
                due.append(case)
        late = state.engine.overdue(due, now)
        for case in late:
            flags = state.flags.setdefault(case.id, set())
            if case.lifecycle == "dispute":
                self.dispute(now, case, flags)
                continue
            if "supervised" not in flags:
                flags.add("supervised")
                self.fire(case.id, "supervise", cast.holder(case), now, note="超期督办")
            elif (
                "city_supervised" not in flags
                and case.unit_id != cast.city
                and case.due_at is not None
                and now - case.due_at >= _CITY_AFTER
            ):
                flags.add("city_supervised")
                self.fire(case.id, "supervise", cast.centre, now, note="市级提级督办")

    def dispute(self, now: datetime, case: Case, flags: set[str]) -> None:
        """An overdue dispute moves up one level once if it can, else the centre supervises."""
        cast = self.cast
        movable = case.state == "transferred" or case.state in _MEDIATING
        if movable and "escalated" not in flags and case.unit_id != cast.city:
            flags.add("escalated")
            reason = "超期未化解，逐级上移"
            self.fire(case.id, "escalate", cast.mediator(case), now, reason=reason)
        elif "supervised" not in flags:
            flags.add("supervised")
            self.fire(case.id, "supervise", cast.centre, now, note="超期督办")
