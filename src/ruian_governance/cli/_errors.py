"""The command line's errors: both in the library's hierarchy, neither needs click or rich."""

from __future__ import annotations

from ruian_governance.errors import RuianGovernanceError

__all__ = ["CliError", "MissingExtraError"]


class CliError(RuianGovernanceError):
    """A bad file or option given to the command line: shown as one ``Error:`` line, exit 2.

    >>> str(CliError("run: not a run directory"))
    'run: not a run directory'

    Added in 0.1.0.
    """


class MissingExtraError(CliError, ImportError):
    """The command line needs the ``cli`` extra (click and rich), and ``module`` is missing.

    >>> print(MissingExtraError("click"))  # doctest: +NORMALIZE_WHITESPACE
    the command line needs the 'cli' extra (click and rich):
    pip install 'ruian-governance[cli]' (click is not installed)

    Added in 0.1.0.
    """

    def __init__(self, module: str) -> None:
        self.module = module
        super().__init__(
            "the command line needs the 'cli' extra (click and rich): "
            f"pip install 'ruian-governance[cli]' ({module} is not installed)"
        )
