"""Errors as data: every library error gives RFC 9457 problem details with the right status."""

from __future__ import annotations

import inspect
import json
import math
from datetime import date, datetime

import pytest

from ruian_governance import (
    ArgumentError,
    RuianGovernanceError,
    builtin_engine,
    generate_hierarchy,
)
from ruian_governance import errors as errors_module
from ruian_governance.errors import Open311Error, RoleNotAllowedError, TransitionError
from ruian_governance.models import CHINA_STANDARD_TIME, Actor
from ruian_governance.problems import (
    PROBLEM_STATUSES,
    PROBLEM_TYPE_BASE,
    http_status,
    problem_details,
)

# The suggested status of every error class, by name; a class not listed (one added later) must
# have the status of its nearest listed base.
STATUS = {
    "RuianGovernanceError": 500,
    "ArgumentError": 400,
    "InvalidCursorError": 400,
    "AnalysisError": 400,
    "UnknownIdError": 404,
    "ConflictError": 409,
    "StoreBusyError": 503,
    "StoreCorruptError": 500,
    "StoreMismatchError": 500,
    "StoreReadOnlyError": 403,
    "InvalidActorError": 403,
    "RoleNotAllowedError": 403,
    "JurisdictionError": 403,
    "Open311Error": 404,  # the sample's own code
    "ScaleExtraError": 501,  # an ImportError: an optional extra the server lacks
    **dict.fromkeys(
        [
            "_RuleError", "HierarchyError", "DuplicateIdError", "MissingParentError",
            "ParentLevelError", "OrphanError", "CommandRoomError", "PlatformSetError",
            "StationPlacementError", "WorkerAssignmentError", "UnknownKindError",
            "CourtPlacementError",
            "CategoryTableError", "UnknownRoutingKindError", "RouteError", "UnknownCategoryError",
            "NoStationError", "NoDepartmentError", "DataError", "SimulationConfigError",
            "CalendarCoverageError", "LifecycleDefinitionError", "InitialStateError",
            "FinalStateExitError", "UnreachableStateError", "TrapStateError",
            "UnknownReferenceError", "DuplicateKeyError", "AmbiguousTransitionError",
            "TransitionError", "InvalidTransitionError", "GuardFailedError", "MissingDataError",
            "UnexpectedDataError", "TimeOrderError", "CaseStoreError", "ForgedHistoryError",
            "InvalidDataError", "FutureTimeError", "FormError", "BatchRefusedError",
        ],
        422,
    ),
}  # fmt: skip

ACTOR = Actor(person_id="p1", role="grid_worker", unit_id="t1.v001.g01")
SAMPLES: dict[str, object] = {
    "ids": ["b", "a"], "detail": "why", "id": "t9", "where": "hierarchy", "rules": "2021",
    "problems": ["$.a: bad"], "preset": "2021", "unknown": [("noise", "station kind", "zoo")],
    "category": "noise", "town_id": "t1", "severity": "ordinary", "station_kinds": ["police"],
    "department_kinds": ["ecology"], "what": "case", "argument": "days", "problem": "bad",
    "field": "days", "code": 404, "description": "unknown service", "day": date(1990, 1, 1),
    "calendar": "chinese", "lifecycle": "event", "keys": ["s"], "case_id": "E-1",
    "state": "reported", "trigger": "accept", "actor": ACTOR, "guard": "held_by_town",
    "missing": ["units"], "unexpected": ["x"], "expected": 3, "actual": 4, "seq": 2,
    "reason": "guard failed", "value": -1, "key": "stars", "message": "something happened",
    "module": "distributed", "fields": {"data.stars": "expected a whole number from 1 to 5"},
    "index": 2, "error": RuianGovernanceError("refused"),
}  # fmt: skip


def _error_classes() -> list[type[RuianGovernanceError]]:
    return [
        obj
        for obj in vars(errors_module).values()
        if inspect.isclass(obj) and issubclass(obj, RuianGovernanceError)
    ]


def _sample(cls: type[RuianGovernanceError]) -> RuianGovernanceError:
    """An instance of ``cls`` built from the sample value of each parameter, by name."""
    try:
        parameters = inspect.signature(cls).parameters
    except ValueError:  # no __init__ of its own: Exception's (a message)
        return cls("something happened")
    args: list[object] = []
    kwargs: dict[str, object] = {}
    for name, parameter in parameters.items():
        if parameter.kind is parameter.VAR_KEYWORD:
            kwargs.update(case_id="E-1", state="reported", trigger="accept", actor=ACTOR)
        elif parameter.kind is parameter.KEYWORD_ONLY:
            kwargs[name] = SAMPLES[name]
        elif parameter.kind is not parameter.VAR_POSITIONAL:
            args.append(SAMPLES[name])
    return cls(*args, **kwargs)


def _expected(cls: type) -> int:
    for base in cls.__mro__:
        if base.__name__ in STATUS:
            return STATUS[base.__name__]
    raise AssertionError(cls)


def _json(problem: dict[str, object]) -> str:
    """The problem as strict JSON text (no NaN) that UTF-8 can encode, as a web framework writes."""
    text = json.dumps(problem, ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")
    return text


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: cls.__name__)
def test_every_error_class_gives_json_problem_details_with_its_status(cls: type) -> None:
    """Each class of ruian_governance.errors: RFC 9457 members, its context, the right status."""
    error = _sample(cls)
    problem = problem_details(error)
    assert json.loads(_json(problem)) == problem
    assert list(problem)[:4] == ["type", "title", "status", "detail"]
    assert problem["type"] == PROBLEM_TYPE_BASE + cls.__name__
    assert problem["status"] == http_status(error) == _expected(cls)
    assert http_status(cls) == (400 if issubclass(cls, Open311Error) else _expected(cls))
    assert problem["detail"] == str(error)
    title = problem["title"]
    assert isinstance(title, str)
    assert title
    assert "Added in" not in title
    assert ":class:" not in title
    assert "``" not in title
    context = {k for k in vars(error) if not k.startswith("_") and k != "detail"}
    assert context <= set(problem)


def test_the_status_table_lists_every_class_of_today() -> None:
    """The test's table names every error class (a new one is checked by its nearest base)."""
    known = {cls.__name__ for cls in _error_classes()}
    assert known - set(STATUS) <= {"InvalidDataError", "FutureTimeError"}
    assert all(400 <= status <= 599 for _, status in PROBLEM_STATUSES)


def test_a_refused_command_names_the_case_the_trigger_and_the_actor() -> None:
    """An engine refusal: the actor is an object of its fields, the case and trigger are text."""
    h = generate_hierarchy(towns=1, villages=1, grids=1, micro_grids=0, seed=0)
    engine = builtin_engine(h)
    worker = Actor.of(h, next(p.id for p in h.people if p.posts[0].role == "grid_worker"))
    at = datetime(2025, 3, 3, 9, tzinfo=CHINA_STANDARD_TIME)
    case = engine.open("event", case_id="E-1", trigger="report", actor=worker, at=at,
                       location_id=worker.unit_id, category="noise")  # fmt: skip
    with pytest.raises(RoleNotAllowedError) as info:
        engine.apply(case, "accept", actor=worker, at=at)
    problem = problem_details(info.value)
    assert problem["status"] == 403
    assert problem["case_id"] == "E-1"
    assert problem["trigger"] == "accept"
    assert problem["actor"] == {
        "person_id": worker.person_id,
        "role": "grid_worker",
        "unit_id": worker.unit_id,
    }
    _json(problem)


class _Hostile:
    def __repr__(self) -> str:
        message = "no repr"
        raise RuntimeError(message)


def _deep(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "value",
    [
        _deep(100_000),
        "x" * 10_000_000,
        10**5000,
        math.nan,
        -math.inf,
        "lone \udcff surrogate",
        _Hostile(),
        {1: "a", (2, 3): [4], "k": {"deep": _deep(50)}},
        {3, "a", None},
        range(10**9),
        (i for i in range(3)),
        {"x" * 300: list(range(1000))},
        datetime(2025, 3, 3, tzinfo=CHINA_STANDARD_TIME),
        b"bytes",
    ],
    ids=lambda v: type(v).__name__,
)
def test_whatever_a_caller_passed_is_plain_bounded_json(value: object) -> None:
    """An ArgumentError's value (anything a careless caller passed) becomes short plain JSON."""
    problem = problem_details(ArgumentError("x", value, "something else"))
    text = _json(problem)
    assert len(text) < 20_000
    assert problem["status"] == 400


def test_hostile_context_in_a_refused_command_is_plain_json() -> None:
    """A refusal whose case id, state or actor is junk (the engine refuses junk) stays JSON."""
    error = TransitionError(case_id="E-1", state="reported", trigger="accept", actor=ACTOR)
    error.case_id, error.state = _Hostile(), _deep(10_000)  # type: ignore[assignment]
    error.trigger, error.actor = "\udcff" * 5000, _Hostile()
    problem = problem_details(error)
    _json(problem)
    assert problem["status"] == 422
    assert isinstance(problem["trigger"], str)
    assert len(problem["trigger"]) <= 1000


@pytest.mark.parametrize(("code", "status"), [(403, 403), (404, 404), (200, 400), ("x", 400)])
def test_open311_errors_keep_their_own_code(code: object, status: int) -> None:
    """An Open311Error's status is its GeoReport code when that is an error status."""
    error = Open311Error(code, "refused")  # type: ignore[arg-type]
    assert problem_details(error)["status"] == http_status(error) == status


@pytest.mark.parametrize("junk", [None, "error", 3, ValueError("x"), ValueError, object, int])
def test_what_is_not_a_library_error_is_an_argument_error(junk: object) -> None:
    """problem_details and http_status refuse anything but the library's errors, typed."""
    with pytest.raises(ArgumentError) as info:
        http_status(junk)  # type: ignore[arg-type]
    assert info.value.argument == "error"
    if not isinstance(junk, type):
        with pytest.raises(ArgumentError):
            problem_details(junk)  # type: ignore[arg-type]


@pytest.mark.parametrize("base", [None, 3, b"urn:"])
def test_a_type_base_that_is_not_text_is_refused(base: object) -> None:
    """type_base must be text."""
    with pytest.raises(ArgumentError) as info:
        problem_details(RuianGovernanceError("x"), type_base=base)  # type: ignore[arg-type]
    assert info.value.argument == "type_base"


def test_errors_of_the_command_line_have_problem_details_too() -> None:
    """Errors defined beside the tree (the command line's) are served alike."""
    from ruian_governance.cli import CliError, MissingExtraError

    assert problem_details(CliError("bad file"))["status"] == 500
    missing = problem_details(MissingExtraError("click"))
    assert missing["status"] == 501
    assert missing["module"] == "click"
