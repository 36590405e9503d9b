"""The ``ruian-governance`` command line (the ``cli`` extra: click and rich).

Importing this package needs neither: :func:`main` loads the commands
(:mod:`ruian_governance.cli.commands`, which raises :class:`MissingExtraError` without the
extra) and, without the extra, prints one line saying how to install it and returns 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ._errors import CliError, MissingExtraError

__all__ = ["CliError", "MissingExtraError", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ruian-governance`` console script; returns the exit code.

    Bad files and options print one ``Error:`` line and return 2, never a traceback.
    """
    try:
        from .commands import run  # noqa: PLC0415 - click and rich load only to run commands
    except MissingExtraError as error:
        sys.stderr.write(f"Error: {error}\n")
        return 2
    return run(argv)
