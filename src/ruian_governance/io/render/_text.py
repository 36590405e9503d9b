"""Text in diagrams: the one DOT quoting rule and the one Mermaid escaping rule.

Every label, title and id the renderers write goes through :func:`dot_quote` (Graphviz DOT) or
:func:`mermaid_text` (Mermaid), so a hostile label (quotes, backslashes, newlines, brackets,
``<>``, ``#``, ``|``, ``:``, ``;``) cannot break either syntax, and both diagrams of a lifecycle
or a routing graph treat it the same way.  Chinese text passes unchanged.
"""

from __future__ import annotations

__all__ = ["dot_quote", "mermaid_text"]

_DOT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"})

_MERMAID_CODES = str.maketrans(
    {
        "#": "#35;",
        "&": "#38;",
        '"': "#quot;",
        "<": "#lt;",
        ">": "#gt;",
        "|": "#124;",
        ":": "#58;",
        ";": "#59;",
    }
)


def dot_quote(text: str) -> str:
    r"""Return ``text`` as a quoted DOT string (an id or a label).

    Backslashes and double quotes are escaped; a line break becomes DOT's ``\n`` (a centred
    line break in a label).  Brackets, ``<>`` and Chinese text need nothing inside quotes.

    >>> print(dot_quote('say "hi" \\ 你好\nthere'))
    "say \"hi\" \\ 你好\nthere"
    """
    lines = "\n".join(text.splitlines())
    return '"' + lines.translate(_DOT_ESCAPES) + '"'


def mermaid_text(text: str) -> str:
    r"""Return ``text`` safe inside any Mermaid label, title or quoted name.

    Runs of white space (line breaks included) become one space, since a line break ends a
    Mermaid statement; the characters Mermaid's syntax uses (``"``, ``|``, ``:``, ``;``, ``<``,
    ``>``, ``&``, and ``#``, which starts a code) are written as Mermaid's entity codes
    (``#quot;``, ``#124;``...), which Mermaid shows as the characters themselves.

    >>> mermaid_text('go: "now";\n<fast> | 快')
    'go#58; #quot;now#quot;#59; #lt;fast#gt; #124; 快'
    """
    return " ".join(text.split()).translate(_MERMAID_CODES)
