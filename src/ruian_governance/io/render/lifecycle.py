"""Diagrams of lifecycles: Mermaid state diagrams and Graphviz DOT, as plain text.

:func:`lifecycle_to_mermaid` draws through ``transitions``' own Mermaid support (its
``diagrams_mermaid.Graph`` backend, which needs no Graphviz), from a diagram machine built from
the definition with bilingual labels.  The text is then completed where that backend stops
short: the title goes into valid Mermaid front matter (``title: ...``), opening triggers label
the start arrow, and final states get their end arrow (``--> [*]``).

:func:`lifecycle_to_dot` writes Graphviz DOT text directly (no ``graphviz`` package needed).
Routing graphs have their own renderers: :func:`~ruian_governance.routing_to_mermaid` and
:func:`~ruian_governance.routing_to_dot`.

>>> from ruian_governance import EVENT_LIFECYCLE
>>> text = lifecycle_to_mermaid(EVENT_LIFECYCLE, language="zh")
>>> for line in text.splitlines()[:5]:
...     print(line)
---
title: "事件闭环"
---
stateDiagram-v2
  direction LR
>>> "reported --> accepted: 受理" in text, "closed --> [*]" not in text
(True, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transitions.extensions.diagrams import GraphMachine
from transitions.extensions.diagrams_mermaid import Graph

from ruian_governance.labels import Language
from ruian_governance.lifecycles import LifecycleDefinition

from ._text import dot_quote, mermaid_text

__all__ = ["lifecycle_to_dot", "lifecycle_to_mermaid"]


class _LabelledGraph(Graph):
    """transitions' Mermaid graph, labelling each state with our bilingual label."""

    def __init__(self, machine: Any, labels: Mapping[str, str]) -> None:
        self._labels = labels
        super().__init__(machine)

    def _convert_state_attributes(self, state: dict[str, Any]) -> str:
        return self._labels.get(state["name"], state["name"])


def _diagram_machine(definition: LifecycleDefinition, language: Language, title: str) -> Any:
    return GraphMachine(
        model=None,
        states=[s.key for s in definition.states],
        initial=definition.initial.key,
        transitions=[
            {
                "trigger": t.trigger,
                "source": list(t.sources),
                "dest": t.dest or "=",
                "label": mermaid_text(definition.trigger(t.trigger).label.text(language)),
            }
            for t in definition.transitions
            if not t.opening
        ],
        auto_transitions=False,
        graph_engine="mermaid",
        title=title,
    )


def lifecycle_to_mermaid(
    definition: LifecycleDefinition, *, language: Language = "en", title: str | None = None
) -> str:
    """Render a lifecycle as a Mermaid state diagram (``stateDiagram-v2``).

    States are labelled with their names, transitions with their triggers' names, in
    ``language``; transitions between the same two states share one arrow (``a | b``).  The
    start arrow carries the opening triggers; final states lead to the end (``[*]``).

    Args:
        definition: The lifecycle.
        language: ``"en"`` or ``"zh"`` labels.
        title: The diagram's title (default: the lifecycle's label).

    >>> from ruian_governance import HAZARD_LIFECYCLE
    >>> text = lifecycle_to_mermaid(HAZARD_LIFECYCLE)
    >>> [line.strip() for line in text.splitlines() if "[*]" in line]
    ['[*] --> discovered: found in a covert inspection | found in a routine check | found on \
grid patrol', 'closed --> [*]']
    """
    heading = " ".join((title if title is not None else definition.label.text(language)).split())
    labels = {s.key: mermaid_text(s.label.text(language)) for s in definition.states}
    machine = _diagram_machine(definition, language, mermaid_text(heading))
    graph = _LabelledGraph(machine, labels)
    lines = str(graph.get_graph(title=mermaid_text(heading)).source).splitlines()
    initial = definition.initial.key
    openings = " | ".join(
        mermaid_text(definition.trigger(t.trigger).label.text(language))
        for t in definition.transitions
        if t.opening
    )
    body: list[str] = []
    for line in lines[3:]:
        if line.strip() == f"[*] --> {initial}" and openings:
            line = f"{line}: {openings}"  # noqa: PLW2901 - the line, completed
        body.append(line)
    body += [f"  {s.key} --> [*]" for s in definition.states if s.final]
    # The title is YAML front matter, read by a YAML parser, not Mermaid text: a quoted DOT
    # string is also a YAML double-quoted scalar of the same text (the same escapes).
    title_line = f"---\ntitle: {dot_quote(heading)}\n---"
    return "\n".join([title_line, *body])


def lifecycle_to_dot(
    definition: LifecycleDefinition, *, language: Language = "en", title: str | None = None
) -> str:
    """Render a lifecycle as Graphviz DOT text (a ``digraph``, left to right).

    A point marks the start; the opening triggers label its arrow.  Final states have a double
    border; transitions that stay in their state (e.g. supervision 督办) are loops.

    Args:
        definition: The lifecycle.
        language: ``"en"`` or ``"zh"`` labels.
        title: The graph's label (default: the lifecycle's label).

    >>> from ruian_governance import DISPUTE_LIFECYCLE
    >>> text = lifecycle_to_dot(DISPUTE_LIFECYCLE, language="zh")
    >>> text.splitlines()[0], '"agreement" -> "completed" [label="办结"];' in text
    ('digraph "dispute" {', True)
    """
    heading = title if title is not None else definition.label.text(language)
    lines = [
        f"digraph {dot_quote(definition.key)} {{",
        f"  label={dot_quote(heading)};",
        "  rankdir=LR;",
        "  node [shape=box, style=rounded];",
        '  "__start__" [shape=point, label=""];',
    ]
    for state in definition.states:
        border = ", peripheries=2" if state.final else ""
        lines.append(
            f"  {dot_quote(state.key)} [label={dot_quote(state.label.text(language))}{border}];"
        )
    openings = " | ".join(
        definition.trigger(t.trigger).label.text(language)
        for t in definition.transitions
        if t.opening
    )
    lines.append(
        f'  "__start__" -> {dot_quote(definition.initial.key)} [label={dot_quote(openings)}];'
    )
    for transition in definition.transitions:
        label = dot_quote(definition.trigger(transition.trigger).label.text(language))
        for source in transition.sources:
            dest = transition.dest or source
            lines.append(f"  {dot_quote(source)} -> {dot_quote(dest)} [label={label}];")
    lines.append("}")
    return "\n".join(lines)
