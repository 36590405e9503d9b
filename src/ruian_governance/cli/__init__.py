"""The ``ruian-governance`` command line (the ``cli`` extra: click and rich)."""

from __future__ import annotations

from .commands import main

__all__ = ["main"]
