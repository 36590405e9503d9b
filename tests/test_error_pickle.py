"""Every public error pickles and comes back whole (a house-wide bug; issue 15, Dask).

Before the fix, an error whose ``__init__`` takes other arguments than its message (all but a
few) could be pickled but not unpickled: ``pickle`` called ``cls(*args)`` with the message.
"""

from __future__ import annotations

import inspect
import pickle

import pytest

from ruian_governance import errors as errors_module
from ruian_governance.errors import RuianGovernanceError
from test_problems import _sample

PUBLIC = [
    getattr(errors_module, name)
    for name in errors_module.__all__
    if inspect.isclass(getattr(errors_module, name))
    and issubclass(getattr(errors_module, name), RuianGovernanceError)
]


def test_every_name_of_the_package_is_covered() -> None:
    """The list below is every class of ``errors.__all__`` (53 today, all errors)."""
    assert len(PUBLIC) == len(errors_module.__all__)


@pytest.mark.parametrize("cls", PUBLIC, ids=lambda cls: cls.__name__)
def test_an_error_round_trips_through_pickle(cls: type[RuianGovernanceError]) -> None:
    """Type, message, ``args``, every attribute and the notes come back, at every protocol."""
    error = _sample(cls)
    error.add_note("raised on a Dask worker")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(error, protocol=protocol))
        assert type(back) is cls
        assert str(back) == str(error)
        assert back.args == error.args
        assert back.__notes__ == ["raised on a Dask worker"]
        assert set(vars(back)) == set(vars(error))
        for name, value in vars(error).items():
            assert _same(getattr(back, name), value), name


def _same(a: object, b: object) -> bool:
    """Equal, or (exceptions compare by identity) errors of one type and message."""
    if isinstance(b, BaseException):
        return type(a) is type(b) and str(a) == str(b)
    return a == b


def test_the_command_line_errors_pickle_too() -> None:
    """The CLI's errors derive from the root, so they pickle the same way."""
    from ruian_governance.cli import CliError, MissingExtraError

    for error in (_sample(CliError), _sample(MissingExtraError)):
        back = pickle.loads(pickle.dumps(error))
        assert (type(back), str(back), vars(back)) == (type(error), str(error), vars(error))


def test_a_subclass_outside_the_library_pickles() -> None:
    """A user's subclass with its own ``__init__`` is rebuilt the same way (module level)."""
    back = pickle.loads(pickle.dumps(_MineError(3)))
    assert (back.count, str(back)) == (3, "3 things")


class _MineError(RuianGovernanceError):
    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(f"{count} things")
