"""Issue 14 point 7 (diagrams): routing drawn under Mermaid's edge limit, lifecycles from files."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import networkx as nx  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner, Result

from ruian_governance import (
    DISPUTE_LIFECYCLE,
    RULES_2021,
    LifecycleDefinition,
    generate_hierarchy,
    routing_graph,
    ruian_preset,
    to_document,
)
from ruian_governance.cli.commands import cli
from ruian_governance.io import (
    MERMAID_MAX_EDGES,
    aggregate_grids,
    lifecycle_to_dot,
    lifecycle_to_mermaid,
    routing_to_dot,
    routing_to_mermaid,
    town_routing_graph,
)
from ruian_governance.presets import RUIAN_TOWNS
from test_diagrams import _two_states


@cache
def _ruian(micro_grids: bool) -> nx.DiGraph[str]:
    return routing_graph(ruian_preset(), RULES_2021, micro_grids=micro_grids)


def run(*args: str | Path) -> Result:
    """Invoke the command line with ``args``."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def _mermaid_edges(text: str) -> int:
    return sum(1 for line in text.splitlines() if " --> " in line or " -->|" in line)


def _one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


# --------------------------------------------------------------------------- routing, aggregated


def test_the_detailed_anyang_graph_is_over_mermaids_limit() -> None:
    """The finding: Anyang drawn grid by grid has 618 edges, more than Mermaid's 500."""
    town = town_routing_graph(_ruian(False), "anyang")
    assert town.number_of_edges() == 618 > MERMAID_MAX_EDGES
    assert _mermaid_edges(routing_to_mermaid(town)) == 618


@pytest.mark.parametrize("micro_grids", [False, True], ids=["grids", "micro-grids"])
@pytest.mark.parametrize("town", [t.id for t in RUIAN_TOWNS])
def test_every_ruian_town_aggregated_stays_under_mermaids_limit(town: str, micro_grids: bool):
    """Every town of Rui'an, each village's grids (and micro-grids) one node: < 500 edges."""
    detail = town_routing_graph(_ruian(micro_grids), town, micro_grids=micro_grids)
    drawn = aggregate_grids(detail)
    text = routing_to_mermaid(drawn)
    assert _mermaid_edges(text) == drawn.number_of_edges() < MERMAID_MAX_EDGES
    assert _mermaid_edges(routing_to_mermaid(drawn, language="zh")) < MERMAID_MAX_EDGES


def test_aggregation_keeps_every_grid_and_every_hand_off() -> None:
    """Nothing is lost: the groups count every grid, the edges every hand-off of its kinds."""
    detail = town_routing_graph(_ruian(True), "xianjiang", micro_grids=True)
    before = nx.to_dict_of_dicts(detail)
    drawn = aggregate_grids(detail)
    assert nx.to_dict_of_dicts(detail) == before  # the input graph is only read
    kinds = nx.get_node_attributes(detail, "kind")
    groups = {n: d for n, d in drawn.nodes(data=True) if d["kind"] == "grids"}
    assert sum(d["grids"] for d in groups.values()) == sum(k == "grid" for k in kinds.values())
    micro = sum(k == "micro_grid" for k in kinds.values())
    assert micro > 0
    assert sum(d["micro_grids"] for d in groups.values()) == micro
    assert "grid" not in nx.get_node_attributes(drawn, "kind").values()
    inside = sum(1 for u, v in detail.edges if kinds[u] == kinds[v] == "grid") + sum(
        1 for u, v in detail.edges if kinds[u] == "micro_grid"
    )  # micro-grid -> grid: inside one group
    assert sum(c for _, _, c in drawn.edges(data="count")) == detail.number_of_edges() - inside
    for u, v, data in drawn.edges(data=True):
        assert data["kind"] == data["kinds"].split()[0]
        assert u != v
    for group, data in groups.items():
        village = group.removesuffix(".grids")
        assert drawn.nodes[village]["kind"] == "village"
        assert data["town"] == "xianjiang"
        assert drawn.has_edge(group, village)  # escalate to the village
        assert drawn.edges[group, village]["kinds"] == "escalate"


def test_aggregation_leaves_a_graph_without_grids_alone_and_a_lone_grid_as_it_is() -> None:
    """A grid that escalates to no unit of the graph stays a grid; other nodes are kept."""
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_node("room", kind="command_room", name="指挥室", name_en="Room")
    g.add_node("g1", kind="grid", name="第1网格", name_en="Grid 1")
    g.add_edge("g1", "room", kind="report", kinds="report")
    drawn = aggregate_grids(g)
    assert nx.to_dict_of_dicts(drawn) == {"room": {}, "g1": {"room": {"kind": "report",
                                          "kinds": "report", "count": 1}}}  # fmt: skip
    assert list(aggregate_grids(nx.DiGraph()).nodes) == []


def test_group_labels_are_bilingual_and_escaped() -> None:
    """Group names say how many grids, in both languages, through the shared text rules."""
    g = routing_graph(generate_hierarchy(towns=1, villages=1, grids=2, micro_grids=0), RULES_2021)
    drawn = aggregate_grids(town_routing_graph(g, "t0001"))
    assert '"2 grids of Village 1"' in routing_to_mermaid(drawn)
    village = next(n for n, kind in drawn.nodes(data="kind") if kind == "village")
    zh = f'"{drawn.nodes[village]["name"]}的2个网格"'
    assert zh in routing_to_mermaid(drawn, language="zh")
    assert "grids of Village 1" in routing_to_dot(drawn)


def test_cli_draws_each_town_aggregated_and_refuses_a_mermaid_over_the_limit() -> None:
    """Draw routing: aggregated by default; --detail over 500 edges is refused in Mermaid.

    The refusal is one error line naming the way out; --detail in DOT draws every grid.
    """
    result = run("diagram", "routing", "anyang")
    assert result.exit_code == 0, result.output
    assert 0 < _mermaid_edges(result.stdout) < MERMAID_MAX_EDGES
    refused = run("diagram", "routing", "anyang", "--detail")
    assert "618 edges" in _one_error_line(refused)
    assert "--format dot" in _one_error_line(refused)
    assert refused.stdout == ""
    dot = run("diagram", "routing", "anyang", "--detail", "--format", "dot")
    assert dot.exit_code == 0
    assert dot.stdout.count(" -> ") == 618
    micro = run("diagram", "routing", "xianjiang", "--micro-grids", "--language", "zh")
    assert micro.exit_code == 0
    assert "个微网格" in micro.stdout
    assert _mermaid_edges(micro.stdout) < MERMAID_MAX_EDGES


def test_cli_detail_of_a_small_town_is_drawn_in_mermaid(tmp_path: Path) -> None:
    """--detail is refused only over the limit: a small town is drawn grid by grid."""
    tiny = generate_hierarchy(towns=1, villages=2, grids=4, micro_grids=0, seed=0)
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(to_document(tiny)), encoding="utf-8")
    result = run("diagram", "routing", "t0001", "--hierarchy", path, "--detail")
    assert result.exit_code == 0, result.output
    assert result.stdout.count('["Grid ') == 4


# --------------------------------------------------------------------------- lifecycle from a file


def _custom() -> LifecycleDefinition:
    """A lifecycle of the user's own, not built in (``filed --grant--> granted``)."""
    return _two_states("Permit 许可", "Filed 已申请", "Granted 已批准", "file", "grant")


@pytest.mark.parametrize("definition", [DISPUTE_LIFECYCLE, _custom()], ids=["dispute", "custom"])
@pytest.mark.parametrize(("fmt", "language"), [("mermaid", "en"), ("mermaid", "zh"), ("dot", "zh")])
def test_cli_draws_a_lifecycle_from_its_document_file(
    tmp_path: Path, definition: LifecycleDefinition, fmt: str, language: str
) -> None:
    """Diagram lifecycle --lifecycle FILE draws what the library draws from the definition."""
    path = tmp_path / "lifecycle.json"
    path.write_text(json.dumps(to_document(definition), ensure_ascii=False), encoding="utf-8")
    result = run("diagram", "lifecycle", "--lifecycle", path, "--format", fmt,
                 "--language", language)  # fmt: skip
    assert result.exit_code == 0, result.output
    render = lifecycle_to_mermaid if fmt == "mermaid" else lifecycle_to_dot
    assert result.stdout == render(definition, language=language) + "\n"  # type: ignore[arg-type]


def test_cli_lifecycle_from_file_matches_the_built_in_key(tmp_path: Path) -> None:
    """The dispute document drawn from a file is the same text as ``diagram lifecycle dispute``."""
    path = tmp_path / "dispute.json"
    path.write_text(json.dumps(to_document(DISPUTE_LIFECYCLE)), encoding="utf-8")
    assert run("diagram", "lifecycle", "--lifecycle", path).stdout == (
        run("diagram", "lifecycle", "dispute").stdout
    )


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        (None, ("dispute", "--lifecycle", "{path}"), "one of them"),
        (None, (), "one of them"),
        (None, ("--lifecycle", "{dir}/missing.json"), "missing.json"),
        ("not json", ("--lifecycle", "{path}"), "not JSON"),
        (b"\xff\xfe", ("--lifecycle", "{path}"), "not UTF-8"),
        ('{"kind": "hierarchy"}', ("--lifecycle", "{path}"), "not a lifecycle"),
        ('{"kind": "lifecycle", "key": 5}', ("--lifecycle", "{path}"), "invalid"),
        ("[1, 2]", ("--lifecycle", "{path}"), "invalid"),
        ('{"kind": ["lifecycle"]}', ("--lifecycle", "{path}"), "not a lifecycle"),
    ],
)
def test_cli_bad_lifecycle_files_are_one_error_line(
    tmp_path: Path, content: str | bytes | None, args: tuple[str, ...], expected: str
) -> None:
    """A bad or missing file, both or neither of KEY and --lifecycle: one Error line, exit 2."""
    path = tmp_path / "lifecycle.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = run("diagram", "lifecycle", *(a.format(path=path, dir=tmp_path) for a in args))
    assert expected in _one_error_line(result)
    assert result.stdout == ""
