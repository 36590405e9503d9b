"""Diagrams: lifecycles and routing as Mermaid or DOT text."""
