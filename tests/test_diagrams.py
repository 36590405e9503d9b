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
from ruian_governance.labels import Language

CASES = [(d, language) for d in BUILTIN_LIFECYCLES for language in ("en", "zh")]
IDS = [f"{d.key}-{language}" for d, language in CASES]


def _mermaid_label(text: str) -> str:
    return " ".join(text.replace('"', "'").replace(":", "：").replace(";", "；").split())


@pytest.mark.parametrize(("definition", "language"), CASES, ids=IDS)
def test_mermaid_names_every_state_and_transition(
    definition: LifecycleDefinition, language: Language
) -> None:
    """Every state appears with its label, and every transition as an arrow with its trigger."""
    text = lifecycle_to_mermaid(definition, language=language)
    lines = text.splitlines()
    assert "stateDiagram-v2" in lines
    for state in definition.states:
        assert f'  state "{_mermaid_label(state.label.text(language))}" as {state.key}' in lines
    arrows = {}
    for line in lines:
        match = re.fullmatch(r"\s*(\S+) --> (\S+)(?:: (.*))?", line)
        if match:
            arrows[match[1], match[2]] = (match[3] or "").split(" | ")
    for transition in definition.transitions:
        label = _mermaid_label(definition.trigger(transition.trigger).label.text(language))
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
    """The title goes into valid front matter; the default is the lifecycle's label."""
    assert lifecycle_to_mermaid(EVENT_LIFECYCLE).startswith(
        '---\ntitle: "event closed loop"\n---\nstateDiagram-v2\n'
    )
    assert lifecycle_to_mermaid(EVENT_LIFECYCLE, title='the "loop"').startswith(
        "---\ntitle: \"the 'loop'\"\n---\n"
    )


def test_labels_that_would_break_mermaid_are_made_safe() -> None:
    """Quotes, colons, semicolons and newlines in labels cannot break the Mermaid syntax."""
    lab = Label
    definition = LifecycleDefinition(
        key="odd",
        label=lab(en="odd", zh="odd"),
        states=(
            State(key="a", label=lab(en='say "hi"\nthere', zh="甲"), initial=True),
            State(key="b", label=lab(en="b", zh="乙"), final=True),
        ),
        triggers=(
            Trigger(key="open", label=lab(en="open", zh="开")),
            Trigger(key="go", label=lab(en="go: now; fast", zh="走")),
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
    text = lifecycle_to_mermaid(definition)
    assert "  state \"say 'hi' there\" as a" in text
    assert "  a --> b: go： now； fast" in text
    assert '"go: now; fast"' in lifecycle_to_dot(definition)


def test_docs_show_the_current_diagrams() -> None:
    """The integrators' page shows exactly the Mermaid text of the three built-in lifecycles."""
    page = (Path(__file__).parent.parent / "docs" / "integrators.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\{mermaid\}\n(.*?)\n```", page, re.DOTALL)
    expected = [lifecycle_to_mermaid(d, language="zh") for d in BUILTIN_LIFECYCLES]
    assert blocks == expected
