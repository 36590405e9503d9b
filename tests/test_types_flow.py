"""Issue 14 point 5: types that flow: typed loads, kinds read from documents, from_type.

``st.from_type`` draws the shipped strategies once ``ruian_governance.testing`` is imported
(valid cases the engine verifies, hierarchies), and ``loads`` / ``from_document`` are typed
by overloads (checked with mypy on a small module).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ruian_governance.testing  # noqa: F401 - registers the strategies
from ruian_governance import (
    Actor,
    Case,
    Hierarchy,
    LifecycleDefinition,
    Report,
    builtin_engine,
    dumps,
    from_document,
    loads,
    to_document,
)
from ruian_governance.errors import DataError, UnknownIdError
from ruian_governance.routing import RoutingRules
from ruian_governance.testing import default_hierarchy

ENGINE = builtin_engine(default_hierarchy())
QUICK = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


@QUICK
@given(st.from_type(Case))
def test_from_type_draws_cases_the_engine_verifies(case: Case) -> None:
    """Point 5: st.from_type(Case) draws valid cases (today: nonsense from the fields)."""
    assert ENGINE.verify(case) == case
    assert loads(dumps(case)) == case
    assert loads(dumps(case), Case) == case


@QUICK
@given(st.from_type(Hierarchy))
def test_from_type_draws_hierarchies(hierarchy: Hierarchy) -> None:
    """Point 5: st.from_type(Hierarchy) works (today it raises)."""
    assert hierarchy.towns
    assert from_document(to_document(hierarchy), Hierarchy) == hierarchy


@QUICK
@given(
    st.from_type(Actor), st.from_type(Report), st.from_type(RoutingRules),
    st.from_type(LifecycleDefinition),
)  # fmt: skip
def test_from_type_draws_the_other_shipped_types(
    actor: Actor, report: Report, rules: RoutingRules, lifecycle: LifecycleDefinition
) -> None:
    """Point 5: actors hold their posts, reports and rules load back, definitions build."""
    person = ENGINE.hierarchy.person(actor.person_id)
    assert any((p.role, p.unit_id) == (actor.role, actor.unit_id) for p in person.posts)
    assert loads(dumps(report)) == report
    assert loads(dumps(rules), RoutingRules) == rules
    assert lifecycle.initial


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('{"format_version": 1, "id": "r1"}', DataError),  # no kind
        ('{"format_version": 1, "kind": 3}', DataError),
        ('{"format_version": 1, "kind": null}', DataError),
        ('[{"kind": "report"}]', DataError),
        ('"report"', DataError),
        ("NaN", DataError),
        ("not json", DataError),
        ('{"format_version": 1, "kind": "no_such_kind"}', UnknownIdError),
        ('{"format_version": 1, "kind": "report", "id": "r1"}', DataError),  # fields missing
    ],
)
def test_loads_without_a_kind_refuses_what_names_none(text: str, error: type[Exception]) -> None:
    """Point 5: loads(text) reads the kind the document names; else a typed error."""
    with pytest.raises(error):
        loads(text)


def test_loads_and_from_document_are_typed(tmp_path: Path) -> None:
    """Point 5: mypy sees loads(text, Case) and from_document(doc, Case) as Case."""
    module = tmp_path / "typed_use.py"
    module.write_text(
        textwrap.dedent("""
        from typing import Any, assert_type
        from ruian_governance import Case, Hierarchy, from_document, loads

        def use(text: str, doc: dict[str, Any]) -> None:
            assert_type(loads(text, Case), Case)
            assert_type(from_document(doc, Case), Case)
            assert_type(from_document(doc, Hierarchy), Hierarchy)
            assert_type(loads(text), Any)
    """)
    )
    root = Path(__file__).parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(module)],
        capture_output=True, text=True, cwd=root, check=False,
        env={"PYTHONPATH": str(root / "src"), "MYPYPATH": str(root / "src"), "PATH": ""},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
