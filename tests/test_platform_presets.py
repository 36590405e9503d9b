"""Platform presets say where their facts come from (issue 13, point 14)."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from ruian_governance import generate_hierarchy, presets
from ruian_governance.presets import (
    PLATFORMS_2016,
    PLATFORMS_2021,
    PLATFORMS_2022,
    RULES_2016,
    RULES_2021,
    RULES_2022,
    STATION_KINDS,
)
from ruian_governance.routing import check_rules, verify

_SOURCE = Path(presets.__file__).parent


def _docstrings(module: str) -> dict[str, str]:
    """The attribute docstrings (a string right after an assignment) of a presets module."""
    tree = ast.parse((_SOURCE / module).read_text(encoding="utf-8"))
    found = {}
    body = tree.body
    for node, after in itertools.pairwise(body):
        target = (
            node.targets[0]
            if isinstance(node, ast.Assign)
            else node.target
            if isinstance(node, ast.AnnAssign)
            else None
        )
        if (
            isinstance(target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            found[target.id] = after.value.value
    return found


def test_the_2022_reform_set_is_shipped_with_its_provenance_unverified() -> None:
    """13.14: 党建统领 / 经济生态 / 平安法治 / 公共服务, labelled as reported and unverified."""
    assert [k.label.zh for k in PLATFORMS_2022.platforms] == [
        "党建统领",
        "经济生态",
        "平安法治",
        "公共服务",
    ]
    assert PLATFORMS_2022.key == "2022"
    assert "unverified" in PLATFORMS_2022.label.en
    assert "未核实" in PLATFORMS_2022.label.zh
    known = {k.key for k in STATION_KINDS}
    for platform in PLATFORMS_2022.platforms:
        assert set(platform.station_kinds) <= known
    check_rules(RULES_2022, PLATFORMS_2022)


def test_the_design_choice_set_no_longer_claims_a_year_or_officialdom() -> None:
    """13.14: the unsourced "2021" set is relabelled a design choice (key kept for old runs)."""
    assert PLATFORMS_2021.key == "2021"  # stored hierarchies and --rules 2021 still read
    assert "2021" not in PLATFORMS_2021.label.en + PLATFORMS_2021.label.zh
    assert "design-choice" in PLATFORMS_2021.label.en
    assert "设计示例" in PLATFORMS_2021.label.zh
    assert "非官方" in PLATFORMS_2021.label.zh
    assert "2021" not in RULES_2021.label.en + RULES_2021.label.zh


@pytest.mark.parametrize(
    ("module", "name", "words"),
    [
        ("platforms.py", "PLATFORMS_2016", ("浙委办发〔2016〕69号", "Source")),
        ("platforms.py", "PLATFORMS_2021", ("design choice, not an official set", "Source")),
        ("platforms.py", "PLATFORMS_2022", ("not verified here", "Source")),
        ("platforms.py", "STATION_KINDS", ("Source", "design choice")),
        ("categories.py", "RULES_2016", ("Source",)),
        ("categories.py", "RULES_2021", ("Source", "design choice")),
        ("categories.py", "RULES_2022", ("Source", "not verified here")),
    ],
)
def test_every_preset_docstring_says_where_its_facts_come_from(
    module: str, name: str, words: tuple[str, ...]
) -> None:
    """13.14: each shipped preset's docstring names its source (official, reported, design)."""
    doc = _docstrings(module)[name]
    for word in words:
        assert word in doc, (name, word)


@pytest.mark.parametrize(
    ("preset", "rules"),
    [(PLATFORMS_2016, RULES_2016), (PLATFORMS_2021, RULES_2021), (PLATFORMS_2022, RULES_2022)],
)
def test_each_preset_routes_a_generated_city_without_gaps(preset, rules) -> None:  # type: ignore[no-untyped-def]
    """13.14: every shipped table routes every category of a city of its preset."""
    h = generate_hierarchy(towns=2, villages=2, grids=4, micro_grids=0, preset=preset, seed=3)
    report = verify(h, rules)
    assert report.ok, report.summary()


def test_the_command_line_offers_the_2022_table(tmp_path: Path) -> None:
    """13.14: ``--rules 2022`` routes a 2022 city; the run's summary reads it back."""
    import json

    from click.testing import CliRunner

    from ruian_governance import to_document
    from ruian_governance.cli.commands import cli

    h = generate_hierarchy(towns=1, villages=2, grids=4, micro_grids=0, preset=PLATFORMS_2022)
    (tmp_path / "h.json").write_text(json.dumps(to_document(h)), encoding="utf-8")
    runner = CliRunner()
    verified = runner.invoke(
        cli, ["verify", "--hierarchy", str(tmp_path / "h.json"), "--rules", "2022"]
    )
    assert verified.exit_code == 0, verified.output
    out = tmp_path / "run"
    args = ["simulate", "--hierarchy", str(tmp_path / "h.json"), "--rules", "2022", "--days", "2"]
    result = runner.invoke(cli, [*args, "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["rules"] == "2022"
    assert runner.invoke(cli, ["summary", str(out), "--json"]).exit_code == 0
    wrong = runner.invoke(
        cli, ["verify", "--hierarchy", str(tmp_path / "h.json"), "--rules", "2016"]
    )
    assert wrong.exit_code != 0  # a table of another preset is refused
