"""The rates of citizens' intake, duplicates and honest evaluation in a run.

:class:`IntakeRates` is the ``intake`` field of
:class:`~ruian_governance.SimulationConfig`; :mod:`.citizens` runs what it describes.  Every
default is a design choice of plausible size (the seed gives no measured rate): about a third of
events reported by citizens (app, 12345 hotline, walk-in window 一窗受理), a few percent of
duplicates 重复件 and withdrawals 撤件, a fifth of on-the-spot solutions spot-checked 抽查, rework
重办 once, and every reporter called back 回访.

>>> IntakeRates().channel_mix["hotline"], IntakeRates(duplicate=0.2).duplicate
(40.0, 0.2)
>>> IntakeRates(spot_check=2.0)
Traceback (most recent call last):
...
ruian_governance.errors.SimulationConfigError: simulation config intake.spot_check: must be a \
probability in [0, 1], got 2.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from ruian_governance.errors import SimulationConfigError
from ruian_governance.lifecycles import CITIZEN_CHANNELS

__all__ = ["IntakeRates"]


def _probability(field: str, value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 1
    ):
        raise SimulationConfigError(
            field=f"intake.{field}", problem=f"must be a probability in [0, 1], got {value!r}"
        )


def _mix(value: Mapping[str, float]) -> Mapping[str, float]:
    if not isinstance(value, Mapping):
        raise SimulationConfigError(field="intake.channel_mix", problem="must be a mapping")
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class IntakeRates:
    """How citizens report, how often reports duplicate, and how evaluation is checked.

    Args:
        citizens: Share of event reports made by citizens 群众来件 rather than grid workers.
        channel_mix: Weights of the citizen channels: ``app`` (the town's command room
            registers it), ``hotline`` (12345) and ``window`` (一窗受理; both at the centre).
        duplicate: Chance that a report repeats the latest open event of its grid (the room
            merges it 重复件合并 at triage); a report finding no such event is an ordinary one.
        withdraw: Share of citizens' reports withdrawn 撤件 before triage.
        spot_check: Share of on-the-spot solutions the command room spot-checks 抽查.
        spot_check_fails: Share of spot checks that fail (the case goes back to the room).
        rework_limit: How many times an unsatisfied rating sends a case back for rework 重办.
        callback: Share of reporters called back 回访 after closing.

    Raises:
        SimulationConfigError: A share out of [0, 1], an unknown channel, no positive channel
            weight, or a rework limit out of 0..10.
    """

    citizens: float = 0.3
    channel_mix: Mapping[str, float] = attrs.field(
        default=MappingProxyType({"app": 50.0, "hotline": 40.0, "window": 10.0}),
        converter=_mix,
        hash=False,
    )
    duplicate: float = 0.05
    withdraw: float = 0.02
    spot_check: float = 0.2
    spot_check_fails: float = 0.1
    rework_limit: int = 1
    callback: float = 1.0

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle as plain values (a read-only mapping does not pickle): for Dask workers."""
        values = {f.name: getattr(self, f.name) for f in attrs.fields(IntakeRates)}
        values["channel_mix"] = dict(self.channel_mix)
        return (_intake_rates, (values,))

    def __attrs_post_init__(self) -> None:
        for field in ("citizens", "duplicate", "withdraw", "spot_check", "spot_check_fails"):
            _probability(field, getattr(self, field))
        _probability("callback", self.callback)
        unknown = sorted(set(self.channel_mix) - set(CITIZEN_CHANNELS), key=str)
        weights = list(self.channel_mix.values())
        if (
            unknown
            or not weights
            or any(
                isinstance(w, bool)
                or not isinstance(w, int | float)
                or not math.isfinite(w)
                or w < 0
                for w in weights
            )
            or not sum(weights) > 0
        ):
            raise SimulationConfigError(
                field="intake.channel_mix",
                problem=f"needs non-negative weights of {sorted(CITIZEN_CHANNELS)}, "
                f"some positive (unknown: {unknown})",
            )
        limit = self.rework_limit
        if type(limit) is not int or not 0 <= limit <= 10:
            raise SimulationConfigError(
                field="intake.rework_limit", problem=f"must be 0 to 10, got {limit!r}"
            )


def _intake_rates(values: dict[str, object]) -> IntakeRates:
    """Rebuild pickled :class:`IntakeRates` (through its checks)."""
    return IntakeRates(**values)  # type: ignore[arg-type]
