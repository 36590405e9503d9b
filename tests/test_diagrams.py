"""Lifecycle diagrams: Mermaid through transitions' own backend, and Graphviz DOT."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ruian_governance import (
    BUILTIN_LIFECYCLES,
    EVENT_LIFECYCLE,
    Jurisdiction,
    Label,
    LifecycleDefinition,
    State,
    Transition,
    Trigger,
)
from ruian_governance.io import lifecycle_to_dot, lifecycle_to_mermaid
from ruian_governance.io.render._text import dot_quote, mermaid_text
from ruian_governance.labels import Language

CASES = [(d, language) for d in BUILTIN_LIFECYCLES for language in ("en", "zh")]
IDS = [f"{d.key}-{language}" for d, language in CASES]


@pytest.mark.parametrize(("definition", "language"), CASES, ids=IDS)
def test_mermaid_names_every_state_and_transition(
    definition: LifecycleDefinition, language: Language
) -> None:
    """Every state appears with its label, and every transition as an arrow with its trigger."""
    text = lifecycle_to_mermaid(definition, language=language)
    lines = text.splitlines()
    assert "stateDiagram-v2" in lines
    for state in definition.states:
        assert f'  state "{mermaid_text(state.label.text(language))}" as {state.key}' in lines
    arrows = {}
    for line in lines:
        match = re.fullmatch(r"\s*(\S+) --> (\S+)(?:: (.*))?", line)
        if match:
            arrows[match[1], match[2]] = (match[3] or "").split(" | ")
    for transition in definition.transitions:
        label = mermaid_text(definition.trigger(transition.trigger).label.text(language))
        if transition.opening:
            assert label in arrows["[*]", definition.initial.key]
        for source in transition.sources:
            assert label in arrows[source, transition.dest or source], (source, transition)
    finals = {s.key for s in definition.states if s.final}
    assert {a for a, b in arrows if b == "[*]"} == finals


@pytest.mark.parametrize(("definition", "language"), CASES, ids=IDS)
def test_dot_names_every_state_and_transition(
    definition: LifecycleDefinition, language: Language
) -> None:
    """Every state is a node with its label; every transition an edge with its trigger."""
    text = lifecycle_to_dot(definition, language=language)
    assert text.startswith(f'digraph "{definition.key}" {{')
    assert text.endswith("}")
    for state in definition.states:
        border = ", peripheries=2" if state.final else ""
        assert f'  "{state.key}" [label="{state.label.text(language)}"{border}];' in text
    for transition in definition.transitions:
        label = definition.trigger(transition.trigger).label.text(language)
        for source in transition.sources:
            edge = f'  "{source}" -> "{transition.dest or source}" [label="{label}"];'
            assert edge in text
    edges = sum(len(t.sources) for t in definition.transitions) + 1
    assert text.count(" -> ") == edges


def test_mermaid_front_matter_and_title() -> None:
    """The title goes into valid YAML front matter; the default is the lifecycle's label.

    Quotes and backslashes are escaped as in a YAML double-quoted scalar; line breaks become
    spaces (the title is one line).
    """
    assert lifecycle_to_mermaid(EVENT_LIFECYCLE).startswith(
        '---\ntitle: "event closed loop"\n---\nstateDiagram-v2\n'
    )
    text = lifecycle_to_mermaid(EVENT_LIFECYCLE, title='the "loop" \\ 闭环\nnext')
    assert text.startswith('---\ntitle: "the \\"loop\\" \\\\ 闭环 next"\n---\n')


def _two_states(title: str, a: str, b: str, opening: str, go: str) -> LifecycleDefinition:
    """A lifecycle ``open -> a --go--> b`` with these (English and Chinese) labels."""
    return LifecycleDefinition(
        key="odd",
        label=Label(en=title, zh=title),
        states=(
            State(key="a", label=Label(en=a, zh=a), initial=True),
            State(key="b", label=Label(en=b, zh=b), final=True),
        ),
        triggers=(
            Trigger(key="open", label=Label(en=opening, zh=opening)),
            Trigger(key="go", label=Label(en=go, zh=go)),
        ),
        transitions=(
            Transition(
                trigger="open", sources=(), dest="a", roles={"grid_worker"},
                jurisdiction=Jurisdiction.ANY,
            ),
            Transition(
                trigger="go", sources=("a",), dest="b", roles={"grid_worker"},
                jurisdiction=Jurisdiction.ANY,
            ),
        ),
    )  # fmt: skip


def test_labels_that_would_break_mermaid_are_made_safe() -> None:
    """Quotes, colons and semicolons in labels are written by the shared rules.

    (A label cannot hold a line break since finding 13 of the Trust issue; the shared rules
    still handle one, see the HOSTILE texts below.)
    """
    definition = _two_states("odd", 'say "hi" there', "b", "open", "go: now; fast")
    text = lifecycle_to_mermaid(definition)
    assert '  state "say #quot;hi#quot; there" as a' in text
    assert "  a --> b: go#58; now#59; fast" in text
    dot = lifecycle_to_dot(definition)
    assert '"go: now; fast"' in dot
    assert '  "a" [label="say \\"hi\\" there"];' in dot


def test_docs_show_the_current_diagrams() -> None:
    """The integrators' page shows exactly the Mermaid text of the three built-in lifecycles."""
    page = (Path(__file__).parent.parent / "docs" / "integrators.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\{mermaid\}\n(.*?)\n```", page, re.DOTALL)
    expected = [lifecycle_to_mermaid(d, language="zh") for d in BUILTIN_LIFECYCLES]
    assert blocks == expected


# --------------------------------------------------------------------------- the shared text rules

HOSTILE = [
    'say "hi"',
    "back\\slash and a trailing one\\",
    '\\"already escaped\\"',
    "two\nlines\r\nand a carriage\rreturn",
    "brackets [a] (b) {c}",
    "<b>bold</b> & <br/> &lt;",
    "pipes | and # codes #quot; #35;",
    "go: now; fast",
    "网格员上报：占道经营；“引号”",
    "tabs\tand  double  spaces",
]


def _dot_unquote(quoted: str) -> str:
    r"""Read a DOT quoted string as Graphviz reads a label (\", \\ and \n)."""
    assert quoted[0] == quoted[-1] == '"'
    out, chars = [], iter(quoted[1:-1])
    for char in chars:
        assert char not in '"\n\r', quoted  # a bare quote or line break would end the string
        if char == "\\":
            out.append({"\\": "\\", '"': '"', "n": "\n"}[next(chars)])
        else:
            out.append(char)
    return "".join(out)


_MERMAID_DECODED = {
    "#35;": "#",
    "#38;": "&",
    "#quot;": '"',
    "#lt;": "<",
    "#gt;": ">",
    "#124;": "|",
    "#58;": ":",
    "#59;": ";",
}


@pytest.mark.parametrize("label", HOSTILE)
def test_dot_quote_keeps_any_label_one_dot_string(label: str) -> None:
    """A quoted label is one DOT string that Graphviz reads back as the label (line breaks kept)."""
    assert _dot_unquote(dot_quote(label)) == "\n".join(label.splitlines())


@pytest.mark.parametrize("label", HOSTILE)
def test_mermaid_text_leaves_no_syntax_characters(label: str) -> None:
    """Outside its codes, Mermaid text has no quote, pipe, colon, semicolon, <, >, & or #.

    Nor any line break.  Decoding the codes gives the label back, white space collapsed.
    """
    text = mermaid_text(label)
    codes = re.findall(r"#\w+;", text)
    assert not set('"|:;<>&#\n\r\t') & set("".join(re.split(r"#\w+;", text)))
    decoded = re.sub(r"#\w+;", lambda match: _MERMAID_DECODED[match[0]], text)
    assert decoded == " ".join(label.split())
    assert len(codes) == sum(label.count(c) for c in _MERMAID_DECODED.values())


def test_chinese_text_passes_both_rules_unchanged() -> None:
    """Chinese labels (without syntax characters) are written as they are."""
    assert mermaid_text("事件闭环 网格") == "事件闭环 网格"
    assert dot_quote("事件闭环") == '"事件闭环"'


@pytest.mark.parametrize("label", [text for text in HOSTILE if text.isprintable()])
def test_hostile_labels_cannot_break_any_diagram(label: str) -> None:
    """Lifecycle and routing diagrams with a hostile label keep their shape, line for line."""
    import networkx as nx

    from ruian_governance.io import routing_to_dot, routing_to_mermaid

    definition = _two_states(label, label, label, label, label)
    plain = _two_states("x", "x", "x", "x", "x")
    for render in (lifecycle_to_mermaid, lifecycle_to_dot):
        assert len(render(definition).splitlines()) == len(render(plain).splitlines())
    text = lifecycle_to_mermaid(definition)
    assert f'state "{mermaid_text(label)}" as a' in text
    assert f"a --> b: {mermaid_text(label)}" in text
    assert f"title: {dot_quote(' '.join(label.split()))}" in text
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load(text.split("---")[1])["title"] == " ".join(label.split())

    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_node(label, name=label, name_en=label, kind="grid")
    graph.add_node("b", name="b", name_en="b", kind="command_room")
    graph.add_edge(label, "b", kind="report", kinds="report")
    assert routing_to_mermaid(graph).splitlines()[1] == f'  n0["{mermaid_text(label)}"]'
    dot = routing_to_dot(graph).splitlines()
    assert len(dot) == 5
    assert dot[1] == f"  {dot_quote(label)} [label={dot_quote(label)}, shape=ellipse];"
