"""The errors of running a region of cities (issue 15)."""

from __future__ import annotations

from ruian_governance.errors._core import RuianGovernanceError


class ScaleExtraError(RuianGovernanceError, ImportError):
    """Running a region on Dask needs the ``scale`` extra, and ``module`` is missing.

    >>> print(ScaleExtraError("distributed"))  # doctest: +NORMALIZE_WHITESPACE
    Running a region on Dask needs the 'scale' extra (dask, distributed):
    pip install 'ruian-governance[scale]' (distributed is not installed)

    Added in 0.2.0.
    """

    def __init__(self, module: str) -> None:
        self.module = module
        super().__init__(
            "Running a region on Dask needs the 'scale' extra (dask, distributed): "
            f"pip install 'ruian-governance[scale]' ({module} is not installed)"
        )
