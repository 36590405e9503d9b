"""The 211 covert-inspection cycle 211平安暗访机制 as a value integrators schedule with.

The seed: "前2周开展暗访，后2周抓整改回访、责任追究" — in each cycle the first two weeks are
covert inspection 暗访, the last two weeks rectification revisits 整改回访 and accountability
责任追究.  :class:`InspectionCycle` holds the weeks of each phase and the date the first cycle
starts (configuration: the defaults are the seed's 2 + 2 weeks), and answers which cycle and
which day of it a date falls on, which phase that is and what may happen then.

>>> from datetime import date
>>> cycle = InspectionCycle(start=date(2025, 3, 3))
>>> cycle.days, cycle.day_of_cycle(date(2025, 3, 20)), cycle.phase(date(2025, 3, 20)).label.zh
(28, 17, '整改回访')
>>> sorted(cycle.activities(date(2025, 3, 4)))
['covert_inspection']
>>> cycle.revisit_window(date(2025, 3, 4))
(datetime.date(2025, 3, 17), datetime.date(2025, 3, 31))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType

import attrs

from ruian_governance._convert import LabelledEnum
from ruian_governance.errors import ArgumentError
from ruian_governance.labels import Label

from .clock import CHINA_STANDARD_TIME

__all__ = ["ACTIVITY_LABELS", "CYCLE_211", "CyclePhase", "InspectionCycle"]

_MAX_WEEKS = 52


class CyclePhase(LabelledEnum):
    """The two phases of a 211 cycle: covert inspection 暗访, then revisit 整改回访.

    >>> CyclePhase.INSPECTION.label.zh, sorted(CyclePhase.REVISIT.activities)
    ('暗访', ['accountability', 'rectification_check', 'revisit_ladder'])
    """

    INSPECTION = "inspection"
    REVISIT = "revisit"

    @property
    def activities(self) -> frozenset[str]:
        """What may happen in this phase (activity keys, see :data:`ACTIVITY_LABELS`)."""
        return _ACTIVITIES[self]


CyclePhase._labels_ = {
    CyclePhase.INSPECTION: Label(en="covert inspection", zh="暗访"),
    CyclePhase.REVISIT: Label(en="rectification revisit and accountability", zh="整改回访"),
}
_ACTIVITIES = {
    CyclePhase.INSPECTION: frozenset({"covert_inspection"}),
    CyclePhase.REVISIT: frozenset({"rectification_check", "revisit_ladder", "accountability"}),
}

ACTIVITY_LABELS: Mapping[str, Label] = MappingProxyType(
    {
        "covert_inspection": Label(en="covert inspection", zh="暗访"),
        "rectification_check": Label(en="rectification check on revisit", zh="整改回访验收"),
        "revisit_ladder": Label(en="circular and summons of overdue units", zh="通报约谈"),
        "accountability": Label(en="accountability", zh="责任追究"),
    }
)
"""The labels of the activity keys a phase allows (the seed's words; the keys are ours)."""


def _weeks(field: str) -> Callable[[object, object, object], None]:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_WEEKS:
            raise ArgumentError(field, value, f"a whole number of weeks from 1 to {_MAX_WEEKS}")

    return check


def _start(value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ArgumentError("start", value, "a date (not a datetime)")  # noqa: EM101 - a name
    return value


def _day(value: date | datetime) -> date:
    """The calendar day of a date, or of an aware datetime in China Standard Time."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ArgumentError("at", value, "a date or a timezone-aware datetime")  # noqa: EM101 - a name
        return value.astimezone(CHINA_STANDARD_TIME).date()
    if not isinstance(value, date):
        raise ArgumentError("at", value, "a date or a timezone-aware datetime")  # noqa: EM101 - a name
    return value


@attrs.frozen(kw_only=True)
class InspectionCycle:
    """A repeating covert-inspection cycle: inspection weeks, then revisit weeks.

    Args:
        start: The first day of the first cycle (a date; datetimes are read in China Standard
            Time).  Days before it belong to earlier cycles (negative indexes).
        inspection_weeks: Weeks of covert inspection 暗访 at the start of each cycle (the
            seed: 2).
        revisit_weeks: Weeks of rectification revisit 整改回访 and accountability 责任追究 that
            follow (the seed: 2).

    Raises:
        ArgumentError: A week count is not a whole number from 1 to 52, or ``start`` is not a
            date.
    """

    start: date = attrs.field(converter=_start)
    inspection_weeks: int = attrs.field(default=2, validator=_weeks("inspection_weeks"))
    revisit_weeks: int = attrs.field(default=2, validator=_weeks("revisit_weeks"))

    @property
    def inspection_days(self) -> int:
        """Days of covert inspection in each cycle."""
        return 7 * self.inspection_weeks

    @property
    def days(self) -> int:
        """Length of one cycle, in days."""
        return 7 * (self.inspection_weeks + self.revisit_weeks)

    def cycle_index(self, at: date | datetime) -> int:
        """Which cycle ``at`` falls in: 0 for the first, negative before ``start``.

        Raises:
            ArgumentError: ``at`` is neither a date nor an aware datetime.
        """
        return (_day(at) - self.start).days // self.days

    def day_of_cycle(self, at: date | datetime) -> int:
        """Which day of its cycle ``at`` falls on: 0 to :attr:`days` - 1.

        Raises:
            ArgumentError: ``at`` is neither a date nor an aware datetime.
        """
        return (_day(at) - self.start).days % self.days

    def phase(self, at: date | datetime) -> CyclePhase:
        """The phase ``at`` falls in: covert inspection, or revisit.

        Raises:
            ArgumentError: ``at`` is neither a date nor an aware datetime.
        """
        inspecting = self.day_of_cycle(at) < self.inspection_days
        return CyclePhase.INSPECTION if inspecting else CyclePhase.REVISIT

    def activities(self, at: date | datetime) -> frozenset[str]:
        """What may happen on ``at``: the activity keys of its phase (:data:`ACTIVITY_LABELS`).

        Raises:
            ArgumentError: ``at`` is neither a date nor an aware datetime.
        """
        return self.phase(at).activities

    def cycle_start(self, at: date | datetime) -> date:
        """The first day of the cycle ``at`` falls in.

        Raises:
            ArgumentError: ``at`` is neither a date nor an aware datetime.
        """
        return self.start + timedelta(days=self.cycle_index(at) * self.days)

    def inspection_window(self, at: date | datetime) -> tuple[date, date]:
        """The inspection weeks of ``at``'s cycle: first day, and the day after the last.

        Raises:
            ArgumentError: ``at`` is neither a date nor an aware datetime.
        """
        first = self.cycle_start(at)
        return first, first + timedelta(days=self.inspection_days)

    def revisit_window(self, at: date | datetime) -> tuple[date, date]:
        """The revisit weeks of ``at``'s cycle: first day, and the day after the last.

        A hazard found by covert inspection on ``at`` is revisited in this window.

        Raises:
            ArgumentError: ``at`` is neither a date nor an aware datetime.
        """
        first = self.cycle_start(at)
        return first + timedelta(days=self.inspection_days), first + timedelta(days=self.days)

    def next_revisit(self, at: date | datetime) -> date:
        """The first revisit day on or after ``at``: ``at`` itself in the revisit weeks.

        Raises:
            ArgumentError: ``at`` is neither a date nor an aware datetime.
        """
        day = _day(at)
        if self.phase(day) is CyclePhase.REVISIT:
            return day
        return self.revisit_window(day)[0]


CYCLE_211 = InspectionCycle(start=date(2025, 3, 3))
"""The seed's 211 cycle (2 weeks of covert inspection, 2 of revisit) from Monday 2025-03-03
(the start date is a design choice: integrators give their own)."""
