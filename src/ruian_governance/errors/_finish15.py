"""The errors of writing many commands at once: a refused batch (issue 15, bulk paths)."""

from __future__ import annotations

from ruian_governance.errors._cases import CaseStoreError
from ruian_governance.errors._core import RuianGovernanceError

__all__ = ["BatchRefusedError"]


class BatchRefusedError(CaseStoreError):
    """A command of a batch was refused, so nothing of the batch was written.

    ``index`` is the refused command's place in the batch (from 0), ``case_id`` its case
    (``None`` when the case's id was not known yet) and ``error`` the refusal itself (also the
    ``__cause__``): a :class:`~ruian_governance.ConflictError` for a stale version or an id
    given twice, a :class:`~ruian_governance.TransitionError` for a refused command, and so on.

    >>> from ruian_governance.errors import ConflictError
    >>> error = BatchRefusedError(2, "E1", ConflictError("E1", 3, 4))
    >>> error.index, error.case_id, type(error.error).__name__
    (2, 'E1', 'ConflictError')
    >>> print(error)
    case store, case 'E1': command 2 of the batch refused (ConflictError: case 'E1':
    expected version 3, found 4; re-read and retry); nothing was written

    Added in 0.2.0.
    """

    def __init__(self, index: int, case_id: str | None, error: RuianGovernanceError) -> None:
        self.index = index
        self.error = error
        detail = f"command {index} of the batch refused ({type(error).__name__}: {error})"
        super().__init__(case_id, f"{detail}; nothing was written")
