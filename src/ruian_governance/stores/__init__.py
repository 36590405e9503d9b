"""Case stores: cases and their append-only history, in memory or in SQLite."""

from __future__ import annotations

from .store import (
    STORE_SCHEMA_VERSION,
    CaseStore,
    MemoryCaseStore,
    SQLiteCaseStore,
    Synchronous,
)

__all__ = [
    "STORE_SCHEMA_VERSION",
    "CaseStore",
    "MemoryCaseStore",
    "SQLiteCaseStore",
    "Synchronous",
]
