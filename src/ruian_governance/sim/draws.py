"""The random draws of a run, all from the run's private ``random.Random``.

Each function takes the generator explicitly and draws in a fixed order, so that the same seed
gives the same run.

>>> import random
>>> rng = random.Random(0)
>>> pick(rng, cumulative([1.0, 0.0, 3.0])) in (0, 2), poisson(rng, 0.0)
(True, 0)
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterable
from datetime import datetime, timedelta

__all__ = ["cumulative", "office_time", "person_name", "pick", "poisson", "stars"]

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def cumulative(weights: Iterable[float]) -> tuple[float, ...]:
    """Return the running sums of ``weights`` (what :func:`pick` draws from).

    >>> cumulative([1, 2, 3])
    (1.0, 3.0, 6.0)
    """
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return tuple(out)


def pick(rng: random.Random, cumulative: tuple[float, ...]) -> int:
    """Draw an index with probability proportional to its weight (one ``random()`` call)."""
    # the first bound above x (bisect_right), or the last index if none is
    i = bisect_right(cumulative, rng.random() * cumulative[-1])
    return i if i < len(cumulative) else len(cumulative) - 1


def poisson(rng: random.Random, expected: float) -> int:
    """A Poisson-distributed count with mean ``expected`` (normal approximation above 50)."""
    if expected <= 0:
        return 0
    if expected > 50:
        return max(0, round(rng.gauss(expected, math.sqrt(expected))))
    limit = math.exp(-expected)
    k, p = 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


_STARS_ON_TIME = cumulative((1, 1, 2, 6, 14))
_STARS_LATE = cumulative((2, 4, 5, 5, 4))


def office_time(rng: random.Random, day_start: datetime) -> datetime:
    """A time between 08:00 and 20:00 of the day, to the second."""
    return day_start + timedelta(seconds=8 * 3600 + int(rng.random() * 12 * 3600))


def person_name(rng: random.Random) -> str:
    """A two-character Chinese name: a common surname and a common given name."""
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def stars(rng: random.Random, closed_at: datetime, due_at: datetime | None) -> int:
    """An evaluation 评价 of 1-5 stars: mostly 4-5 when closed on time, spread out when late.

    On time is before the deadline ``due_at``, or always when there is none.
    """
    on_time = due_at is None or closed_at < due_at
    return 1 + pick(rng, _STARS_ON_TIME if on_time else _STARS_LATE)
