"""``python -m ruian_governance``: the same as the ``ruian-governance`` command."""

from __future__ import annotations

from ruian_governance.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
