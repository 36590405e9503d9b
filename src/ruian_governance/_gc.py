"""Settings of Python's cyclic garbage collector that nested blocks, in any thread, share.

Private, at the root so that every layer that pauses the collector shares one mechanism
(``sim.run.collector_paused`` and ``collections_eased``, and ``io.bulk``'s JSON parsing):
with a copy each, a block ending in one thread restored the collector while a block of
another was still going on.

>>> import gc
>>> before = gc.isenabled()
>>> with gc_paused():
...     with gc_paused():
...         gc.isenabled()
...     gc.isenabled()
False
False
>>> gc.isenabled() == before
True
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs

__all__ = ["gc_paused", "young_collections_at_least"]

_lock = threading.Lock()  # guards the saved settings below


@attrs.define
class _SharedSetting:
    """A setting of the collector shared by nested blocks.

    The first block to start saves it and changes it; the last to end restores what was
    saved (also after an error).
    """

    save: Callable[[], Any]
    restore: Callable[[Any], None]
    saved: list[Any] = attrs.field(factory=list)  # what to restore, one per block going on

    @contextmanager
    def block(self, change: Callable[[Any], None]) -> Iterator[None]:
        with _lock:
            if not self.saved:
                self.saved.append(self.save())
                change(self.saved[0])
            else:
                self.saved.append(self.saved[0])
        try:
            yield
        finally:
            with _lock:
                saved = self.saved.pop()
                if not self.saved:
                    self.restore(saved)


def _enable_if(was_enabled: bool) -> None:
    if was_enabled:
        gc.enable()


_THRESHOLD = _SharedSetting(gc.get_threshold, lambda saved: gc.set_threshold(*saved))
_ENABLED = _SharedSetting(gc.isenabled, _enable_if)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the collector meanwhile; the last of the nested blocks restores it."""
    with _ENABLED.block(lambda _: gc.disable()):
        yield


@contextmanager
def young_collections_at_least(allocations: int) -> Iterator[None]:
    """Collect the youngest generation at most every ``allocations`` allocations meanwhile.

    A threshold already higher is kept; the first of the nested blocks sets it, the last
    restores it.
    """

    def ease(threshold: tuple[int, ...]) -> None:
        first, *rest = threshold
        gc.set_threshold(max(first, allocations), *rest)

    with _THRESHOLD.block(ease):
        yield
