"""Open311 GeoReport v2: the spec's examples read, our writes shaped exactly like them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruian_governance import (
    EVENT_LIFECYCLE,
    RULES_2016,
    RULES_2021,
    DataError,
    Level,
    Report,
    SeverityTier,
    route,
)
from ruian_governance.errors import ArgumentError, Open311Error
from ruian_governance.io import (
    OPEN311_REQUEST_FIELDS,
    OPEN311_SERVICE_FIELDS,
    Open311Service,
    case_to_service_request,
    open311_address,
    open311_post_response,
    open311_services,
    parse_open311_errors,
    parse_open311_post_response,
    parse_open311_requests,
    parse_open311_services,
    report_from_service_request,
    report_to_service_request,
)
from world import HOUR, T0, build_world, open_case

SPEC = Path(__file__).parent / "fixtures" / "open311"
WORLD = build_world()
H = WORLD.h
AT = datetime(2025, 3, 3, 9, tzinfo=timezone(timedelta(hours=8)))


def spec(name: str) -> Any:
    """One of the spec's example answers."""
    return json.loads((SPEC / f"{name}.json").read_text(encoding="utf-8"))


def same_shape(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    """Assert ``ours`` has exactly the spec example's fields, each of a type the spec allows."""
    assert list(ours) == list(theirs) or set(ours) == set(theirs)
    for key, value in ours.items():
        example = theirs[key]
        if value is None or example is None:
            continue
        kinds = (int, float) if isinstance(example, int | float) else (type(example),)
        assert isinstance(value, kinds), (key, value, example)


# --------------------------------------------------------------------------- the spec's examples


def test_spec_service_list_is_read() -> None:
    """The spec's GET services example reads into services with its values."""
    read = parse_open311_services(spec("services"))
    assert [s.service_code for s in read] == ["001", "002", "003"]
    assert read[0] == Open311Service(
        service_code="001",
        service_name="Cans left out 24x7",
        description="Garbage or recycling cans that have been left out for more than 24 hours "
        "after collection. Violators will be cited.",
        metadata=True,
        type="realtime",
        keywords="lorem, ipsum, dolor",
        group="sanitation",
    )


def test_spec_service_requests_are_read() -> None:
    """The spec's GET requests example reads, with its statuses, notes and times."""
    first, second = parse_open311_requests(spec("service_requests"))
    assert (first.service_request_id, first.status, first.status_notes) == (
        "638344",
        "closed",
        "Duplicate request.",
    )
    assert first.agency_responsible == "Cambridge DPW"
    assert first.requested_datetime == datetime(2010, 4, 14, 14, 37, 38, tzinfo=UTC)
    assert first.expected_datetime is not None
    assert first.expected_datetime - first.requested_datetime == timedelta(days=1)
    assert (first.lat, first.long) == (37.762221815, -122.4651145)
    assert second.status == "open"
    assert second.status_notes is None


def test_numeric_ids_from_older_servers_are_read_as_text() -> None:
    """Servers that send ids and zip codes as numbers are read all the same."""
    data = spec("service_requests")
    data[0]["service_request_id"] = 638344
    data[0]["zipcode"] = 94122
    assert parse_open311_requests(data)[0].service_request_id == "638344"
    assert parse_open311_requests({"service_requests": data})[0].zipcode == "94122"


def test_spec_post_answers_are_read() -> None:
    """Both forms of the POST answer are read: with the new id, or with a token."""
    request_id, token, notice = parse_open311_post_response(spec("post_response"))
    assert (request_id, token) == ("293944", None)
    assert notice is not None
    assert notice.startswith("The City will inspect")
    assert parse_open311_post_response(spec("post_response_token")) == (None, "12345", None)


def test_spec_errors_are_read_as_typed_errors() -> None:
    """The spec's error format reads into Open311Error with code and description."""
    (error,) = parse_open311_errors(spec("errors"))
    assert isinstance(error, Open311Error)
    assert isinstance(error, ValueError)
    assert error.code == 403
    assert error.description.startswith("Invalid api_key")
    assert error.to_json() == spec("errors")


@pytest.mark.parametrize(
    ("reader", "data"),
    [
        (parse_open311_services, [{"service_code": "001"}]),
        (parse_open311_services, {"nope": 1}),
        (parse_open311_requests, [{"service_request_id": "1", "status": "pending"}]),
        (parse_open311_requests, [{"service_request_id": "1", "status": "open", "lat": "x"}]),
        (
            parse_open311_requests,
            [{"service_request_id": "1", "status": "open", "requested_datetime": "2010-04-14"}],
        ),
        (parse_open311_post_response, [{}]),
        (parse_open311_errors, [{"code": "x", "description": 3}]),
        (parse_open311_errors, []),
    ],
)
def test_bad_answers_are_data_errors_with_paths(reader: Any, data: Any) -> None:
    """Answers that break the spec's shapes give a DataError naming the JSON path."""
    with pytest.raises(DataError) as info:
        reader(data)
    assert all(p.startswith("$") for p in info.value.problems)


# --------------------------------------------------------------------------- what we write


@pytest.mark.parametrize("rules", [RULES_2016, RULES_2021], ids=["2016", "2021"])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_service_list_has_exactly_the_spec_fields(rules: Any, language: Any) -> None:
    """Our service list: one service per category, exactly the spec's fields and types."""
    listed = open311_services(rules, language=language)
    assert [s["service_code"] for s in listed] == list(rules.keys)
    example = spec("services")[0]
    for service in listed:
        same_shape(service, example)
        assert tuple(service) == OPEN311_SERVICE_FIELDS
        assert service["metadata"] is False
        assert service["type"] == "realtime"
        category = rules.category(service["service_code"])
        assert service["service_name"] == category.label.text(language)
        assert service["group"] == category.platform
        assert category.label.zh in service["keywords"]
    assert parse_open311_services(json.loads(json.dumps(listed)))[0].metadata is False


def _event_case() -> Any:
    case = open_case(WORLD, "event")
    case = WORLD.engine.apply(case, "accept", actor=WORLD["operator"], at=T0 + HOUR)
    return WORLD.engine.apply(
        case,
        "dispatch",
        actor=WORLD["operator"],
        at=T0 + 2 * HOUR,
        units=(WORLD.station("police_station"),),
    )


def test_case_as_service_request_has_exactly_the_spec_fields() -> None:
    """A case becomes a request with the spec's fields and types, mapped from the case."""
    case = _event_case()
    written = case_to_service_request(
        case, hierarchy=H, rules=RULES_2021, lifecycle=EVENT_LIFECYCLE
    )
    example = spec("service_requests")[0]
    same_shape(written, example)
    assert tuple(written) == OPEN311_REQUEST_FIELDS
    assert written["status"] == "open"
    assert written["agency_responsible"] == H.get(WORLD.station("police_station")).name
    assert written["expected_datetime"] == case.due_at.isoformat()
    assert written["requested_datetime"] == T0.isoformat()
    assert written["updated_datetime"] == (T0 + 2 * HOUR).isoformat()
    assert written["status_notes"] == "分流交办"
    assert written["address"] == open311_address(H, WORLD.grid)
    assert written["address_id"] == WORLD.grid
    (read,) = parse_open311_requests(json.loads(json.dumps([written], ensure_ascii=False)))
    assert read.expected_datetime == case.due_at
    assert read.service_request_id == case.id


def test_final_states_are_closed_and_notes_carry_reasons() -> None:
    """A rejected case (a final state) is closed; the notes give the rejection's reason."""
    case = open_case(WORLD, "event", case_id="C9")
    case = WORLD.engine.apply(
        case, "reject", actor=WORLD["operator"], at=T0 + HOUR, reason="重复上报"
    )
    assert case.state in EVENT_LIFECYCLE.final_states
    written = case_to_service_request(
        case, hierarchy=H, rules=RULES_2021, lifecycle=EVENT_LIFECYCLE, language="en"
    )
    assert written["status"] == "closed"
    assert written["status_notes"] == "reject: 重复上报"
    assert written["agency_responsible"] == H.get(case.unit_id).name_en


def test_case_needs_its_own_lifecycle() -> None:
    """Mapping a case with another lifecycle's definition is refused."""
    from ruian_governance import DISPUTE_LIFECYCLE

    with pytest.raises(ArgumentError, match="lifecycle"):
        case_to_service_request(
            _event_case(), hierarchy=H, rules=RULES_2021, lifecycle=DISPUTE_LIFECYCLE
        )


def test_report_as_service_request_names_its_route_handlers() -> None:
    """A report not yet a case is an open request addressed to its route's handlers."""
    report = Report(id="r7", grid_id=WORLD.grid, category="food_safety", at=AT)
    written = report_to_service_request(report, hierarchy=H, rules=RULES_2021)
    same_shape(written, spec("service_requests")[1])
    assert tuple(written) == OPEN311_REQUEST_FIELDS
    handlers = route(H, RULES_2021, report).handlers
    assert written["agency_responsible"] == "、".join(H.get(u).name for u in handlers)
    assert written["status"] == "open"
    assert written["expected_datetime"] is None


def test_post_answer_has_exactly_the_spec_fields() -> None:
    """Our answer to POST requests has the spec example's fields and types."""
    ours = open311_post_response("311-1", service_notice="已受理")
    (theirs,) = spec("post_response")
    same_shape(ours[0], theirs)
    assert parse_open311_post_response(ours) == ("311-1", None, "已受理")


def test_error_json_has_exactly_the_spec_fields() -> None:
    """Open311Error.to_json writes the spec's error format."""
    ours = Open311Error(404, "service_code 'x' not found").to_json()
    same_shape(ours[0], spec("errors")[0])


# --------------------------------------------------------------------------- reading a POST


def test_posted_request_becomes_a_report_that_routes() -> None:
    """A POST with service_code, address_id and description becomes a report; it routes."""
    form = {
        "service_code": "food_safety",
        "address_id": WORLD.grid,
        "description": "餐馆后厨脏乱",
        "email": "a@b.c",
        "lat": "27.78",
        "long": "120.65",
        "attribute[severity]": "larger",
    }
    report = report_from_service_request(
        form, hierarchy=H, rules=RULES_2021, request_id="311-1", at=AT
    )
    assert report == Report(
        id="311-1",
        grid_id=WORLD.grid,
        category="food_safety",
        severity=SeverityTier.LARGER,
        at=AT,
        description="餐馆后厨脏乱",
    )
    assert route(H, RULES_2021, report) == route(
        H,
        RULES_2021,
        Report(
            id="311-1", grid_id=WORLD.grid, category="food_safety", severity=SeverityTier.LARGER
        ),
    )


@pytest.mark.parametrize("language", ["zh", "en"])
def test_address_string_is_the_name_path(language: Any) -> None:
    """address_string may be the name path we write as address (either language)."""
    micro = H.units_at(Level.GRID)[-1]
    form = {
        "service_code": "petition",
        "address_string": open311_address(H, micro.id, language=language),
    }
    report = report_from_service_request(form, hierarchy=H, rules=RULES_2021, request_id="x", at=AT)
    assert report.grid_id == micro.id


def test_repeated_form_fields_take_the_first_value() -> None:
    """Fields given as lists (repeated form fields) take their first value."""
    form = {"service_code": ["petition"], "address_id": [WORLD.grid, "other"]}
    report = report_from_service_request(form, hierarchy=H, rules=RULES_2021, request_id="x", at=AT)
    assert report.grid_id == WORLD.grid


@pytest.mark.parametrize(
    ("form", "code", "words"),
    [
        ({"address_id": "g"}, 400, "service_code required"),
        ({"service_code": "nope", "address_id": "g"}, 404, "not found"),
        ({"service_code": "petition", "lat": "27.7", "long": "120.6"}, 400, "lat/long"),
        ({"service_code": "petition", "address_id": "nowhere"}, 400, "not a known grid"),
        ({"service_code": "petition", "address_id": "t0001"}, 400, "not a grid"),
        ({"service_code": "petition", "address_string": "月球"}, 400, "matches no grid"),
        ({"service_code": "petition", "address_string": "示范市/第1镇"}, 400, "matches no grid"),
        (
            {"service_code": "petition", "address_id": "x", "attribute[colour]": "red"},
            400,
            "unknown attributes",
        ),
        (
            {"service_code": "petition", "address_id": "x", "attribute[severity]": "huge"},
            400,
            "not one of",
        ),
        ({"service_code": {"a": 1}, "address_id": "x"}, 400, "must be text"),
    ],
)
def test_bad_posts_are_open311_errors(form: dict[str, Any], code: int, words: str) -> None:
    """Bad POSTs raise Open311Error with the spec's HTTP code and a clear description."""
    with pytest.raises(Open311Error) as info:
        report_from_service_request(form, hierarchy=H, rules=RULES_2021, request_id="x", at=AT)
    assert info.value.code == code
    assert words in info.value.description
    assert info.value.to_json()[0]["code"] == code


def test_naive_receipt_time_is_refused() -> None:
    """The time a request was received must be timezone-aware (an ArgumentError naming ``at``)."""
    with pytest.raises(ArgumentError, match=r"^at=.*timezone-aware"):
        report_from_service_request(
            {"service_code": "petition", "address_id": WORLD.grid},
            hierarchy=H,
            rules=RULES_2021,
            request_id="x",
            at=datetime(2025, 3, 3, 9),
        )


@given(
    grid=st.sampled_from([u.id for u in H.units_at(Level.GRID)]),
    code=st.sampled_from(RULES_2021.keys),
    description=st.text(max_size=30),
)
def test_every_posted_request_round_trips_as_an_open_request(
    grid: str, code: str, description: str
) -> None:
    """Invariant: a posted request becomes a report whose request form gives back its fields."""
    form = {"service_code": code, "address_id": grid, "description": description}
    report = report_from_service_request(form, hierarchy=H, rules=RULES_2021, request_id="p", at=AT)
    written = report_to_service_request(report, hierarchy=H, rules=RULES_2021)
    assert (written["service_code"], written["address_id"]) == (code, grid)
    assert written["description"] == (description.strip() or None)
    (read,) = parse_open311_requests([written])
    assert read.status == "open"
    assert read.requested_datetime == AT


_FORM_KEYS = st.sampled_from(
    [
        "service_code",
        "address_id",
        "address_string",
        "description",
        "lat",
        "long",
        "email",
        "attribute[severity]",
        "attribute[x]",
    ]
)
_FORM_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["petition", "food_safety", WORLD.grid, "larger", "x" * 100_000]),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@given(
    st.dictionaries(
        _FORM_KEYS | st.integers() | st.none() | st.binary(max_size=3) | st.just("jurisdiction_id"),
        _FORM_VALUES,
        max_size=6,
    )
)
def test_any_posted_form_gives_a_report_or_an_open311_error(form: dict[Any, Any]) -> None:
    """Invariant: any form, however malformed, gives a routable report or an Open311Error.

    Keys that are not text are drawn too (finding 11).
    """
    report: Report | None = None
    refusal: Open311Error | None = None
    try:
        report = report_from_service_request(
            form, hierarchy=H, rules=RULES_2021, request_id="p", at=AT
        )
    except Open311Error as error:
        refusal = error
    if refusal is not None:
        assert refusal.code in (400, 404)
        assert refusal.to_json()[0]["description"]
    else:
        assert report is not None
        assert report.category in RULES_2021.keys
        assert route(H, RULES_2021, report).report_id == "p"


@given(st.recursive(_FORM_VALUES, lambda inner: st.lists(inner, max_size=3), max_leaves=8))
def test_any_answer_is_read_or_refused_with_a_data_error(data: Any) -> None:
    """Invariant: the readers of server answers raise only DataError on junk."""
    for reader in (
        parse_open311_services,
        parse_open311_requests,
        parse_open311_post_response,
        parse_open311_errors,
    ):
        problems: tuple[str, ...] = ()
        try:
            reader(data)
        except DataError as error:
            problems = error.problems
        assert all(p.startswith("$") for p in problems)


def test_huge_values_are_clipped_in_error_descriptions() -> None:
    """An error caused by a huge value quotes only the start of it."""
    with pytest.raises(Open311Error) as info:
        report_from_service_request(
            {"service_code": "x" * 100_000, "address_id": WORLD.grid},
            hierarchy=H,
            rules=RULES_2021,
            request_id="x",
            at=AT,
        )
    assert len(info.value.description) < 200


# --------------------------------------------------------------------------- Trust findings


def test_a_case_solved_on_the_spot_is_closed_at_once() -> None:
    """Finding 16: a case at 办结 (solved on the spot) is "closed", not only once evaluated.

    Before: ``status`` stayed "open" until the case reached a final state (评价).
    """
    case = open_case(WORLD, "event", case_id="C8")
    case = WORLD.engine.apply(
        case, "solve_on_spot", actor=WORLD["worker"], at=T0 + HOUR, result="已当场调解"
    )
    assert case.state not in EVENT_LIFECYCLE.final_states
    written = case_to_service_request(
        case, hierarchy=H, rules=RULES_2021, lifecycle=EVENT_LIFECYCLE
    )
    assert written["status"] == "closed"
    assert written["status_notes"] == "就地解决: 已当场调解"


@pytest.fixture(scope="module")
def simulated() -> Any:
    """A small simulated city: cases of every lifecycle in every state the run reaches."""
    from ruian_governance import SimulationConfig, generate_hierarchy, simulate

    city = generate_hierarchy(towns=2, villages=4, grids=8, micro_grids=0, seed=2)
    return simulate(SimulationConfig(hierarchy=city, days=28, seed=5, reports_per_grid_per_day=2))


def test_status_is_closed_from_the_first_closing_state_on(simulated: Any) -> None:
    """Finding 16: for every simulated case, closed iff it reached a closing or final state."""
    definitions = {d.key: d for d in simulated.lifecycles}
    seen = set()
    for case in simulated.cases:
        definition = definitions[case.lifecycle]
        closing = {s.key for s in definition.states if s.closing}
        reached = any(r.dest in closing for r in case.history)
        expected = reached or case.state in definition.final_states
        written = case_to_service_request(
            case, hierarchy=simulated.hierarchy, rules=RULES_2021, lifecycle=definition
        )
        assert written["status"] == ("closed" if expected else "open"), case
        seen.add((case.lifecycle, reached and case.state not in definition.final_states))
    assert ("dispute", True) in seen  # e.g. completed -> reviewed -> analysed: closed
    assert ("event", True) in seen  # 办结, not yet evaluated


_POST = {"service_code": "petition", "address_id": WORLD.grid}


@pytest.mark.parametrize("jurisdiction", ["gotham", "CITY", "city.gov", ["other"], 7])
def test_an_unknown_jurisdiction_is_404(jurisdiction: Any) -> None:
    """Finding 16: a jurisdiction_id other than the city's is refused as the spec answers (404).

    Before: any jurisdiction_id was accepted.
    """
    from ruian_governance.io import open311_jurisdiction

    form = {**_POST, "jurisdiction_id": jurisdiction}
    with pytest.raises(Open311Error) as info:
        report_from_service_request(form, hierarchy=H, rules=RULES_2021, request_id="x", at=AT)
    assert info.value.code == 404
    with pytest.raises(Open311Error, match="404"):
        case_to_service_request(
            _event_case(), hierarchy=H, rules=RULES_2021, lifecycle=EVENT_LIFECYCLE,
            jurisdiction_id=jurisdiction,
        )  # fmt: skip
    report = Report(id="r7", grid_id=WORLD.grid, category="food_safety", at=AT)
    with pytest.raises(Open311Error, match="404"):
        report_to_service_request(
            report, hierarchy=H, rules=RULES_2021, jurisdiction_id=jurisdiction
        )
    with pytest.raises(Open311Error, match="404"):
        open311_jurisdiction(H, jurisdiction)


def test_the_citys_jurisdiction_or_none_is_served() -> None:
    """The city's id, or no jurisdiction_id at all, is the one jurisdiction served."""
    from ruian_governance.io import open311_jurisdiction

    assert open311_jurisdiction(H) == H.city.id == open311_jurisdiction(H, H.city.id)
    with pytest.raises(Open311Error, match="404"):
        open311_jurisdiction(H, "")  # an empty form field is read as no jurisdiction_id
    form = {**_POST, "jurisdiction_id": H.city.id}
    report = report_from_service_request(form, hierarchy=H, rules=RULES_2021, request_id="x", at=AT)
    assert report.grid_id == WORLD.grid


@pytest.mark.parametrize(
    "form",
    [
        {1: "x", **_POST},
        {None: "x", **_POST},
        {("a",): "x", **_POST},
        {b"service_code": "petition", **_POST},
    ],
)
def test_a_field_name_that_is_not_text_is_400(form: dict[Any, Any]) -> None:
    """Finding 11: a posted form with a key that is not text is refused (400).

    Before: ``key.startswith`` raised AttributeError.
    """
    with pytest.raises(Open311Error) as info:
        report_from_service_request(form, hierarchy=H, rules=RULES_2021, request_id="x", at=AT)
    assert info.value.code == 400


@pytest.mark.parametrize("form", [None, [("service_code", "petition")], "service_code=x", 3])
def test_a_form_that_is_not_a_mapping_is_an_argument_error(form: Any) -> None:
    """Finding 11: ``form`` must be a mapping; anything else is an ArgumentError naming it."""
    with pytest.raises(ArgumentError, match=r"^form="):
        report_from_service_request(form, hierarchy=H, rules=RULES_2021, request_id="x", at=AT)


@pytest.mark.parametrize("value", [b"petition", [b"x"], [[["petition"]]], {"a": 1}])
def test_field_values_that_are_not_text_are_400(value: Any) -> None:
    """Bytes and nested values in a form field are refused, never read as their first item."""
    form = {**_POST, "service_code": value}
    with pytest.raises(Open311Error) as info:
        report_from_service_request(form, hierarchy=H, rules=RULES_2021, request_id="x", at=AT)
    assert info.value.code == 400


# --------------------------------------------------------------------------- redaction (finding 17)


_PHONE, _ID_CARD, _LANDLINE = "13912345678", "33038119900101123X", "0577-65812345"


def _dispute_with_personal_data() -> Any:
    case = WORLD.engine.open(
        "dispute",
        case_id="D1",
        trigger="report",
        actor=WORLD["worker"],
        at=T0,
        location_id=WORLD.grid,
        category="neighbours",
        parties=("张三", "李四"),
        description=f"张三与李四因宅基地争执，张三电话{_PHONE}，身份证{_ID_CARD}，村委{_LANDLINE}",
    )
    return WORLD.engine.apply(
        case, "triage", actor=WORLD["operator"], at=T0 + HOUR, tier="simple",
        note=f"李四称张三({_PHONE})多次越界",
    )  # fmt: skip


def _personal(text: str) -> list[str]:
    return [p for p in ("张三", "李四", _PHONE, _ID_CARD, _LANDLINE, "65812345") if p in text]


def test_the_public_feed_masks_parties_phones_and_id_numbers() -> None:
    """Finding 17: Open311 description and status_notes carry no personal data by default.

    Before: dispute parties' names and phone numbers went verbatim into the public feed.
    """
    from ruian_governance import DISPUTE_LIFECYCLE

    case = _dispute_with_personal_data()
    written = case_to_service_request(
        case, hierarchy=H, rules=RULES_2021, lifecycle=DISPUTE_LIFECYCLE
    )
    assert _personal(json.dumps(written, ensure_ascii=False)) == []
    assert written["description"].startswith("***与***因宅基地争执")
    assert "***" in written["status_notes"]
    shown = case_to_service_request(
        case, hierarchy=H, rules=RULES_2021, lifecycle=DISPUTE_LIFECYCLE, redaction=None
    )
    assert _personal(shown["description"]) == ["张三", "李四", _PHONE, _ID_CARD, _LANDLINE,
                                               "65812345"]  # fmt: skip


def test_a_report_in_the_public_feed_masks_phone_and_id_numbers() -> None:
    """Finding 17: a report's description is masked too (it names no parties)."""
    report = Report(
        id="r8", grid_id=WORLD.grid, category="food_safety", at=AT,
        description=f"后厨脏乱，联系{_PHONE}",
    )  # fmt: skip
    written = report_to_service_request(report, hierarchy=H, rules=RULES_2021)
    assert written["description"] == "后厨脏乱，联系***"


@given(
    phone=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    before=st.text(alphabet="的了是在号码：:，, ", max_size=5),
    after=st.text(alphabet="的了是在号码：:，, ", max_size=5),
)
def test_any_mobile_number_in_free_text_is_masked(phone: str, before: str, after: str) -> None:
    """Invariant: every 11-digit mainland mobile number in text around it is masked."""
    from ruian_governance.io import STANDARD_REDACTION

    assert phone not in STANDARD_REDACTION.text(before + phone + after)
