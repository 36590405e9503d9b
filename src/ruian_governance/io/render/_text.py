"""Text in diagrams: the one DOT quoting rule and the one Mermaid escaping rule.

Every label, title and id the renderers write goes through :func:`dot_quote` (Graphviz DOT) or
:func:`mermaid_text` (Mermaid), so a hostile label (quotes, backslashes, newlines, brackets,
``<>``, ``#``, ``|``, ``:``, ``;``) cannot break either syntax, and both diagrams of a lifecycle
or a routing graph treat it the same way.  Chinese text passes unchanged.  Both write a label's
invisible characters (controls, bidirectional overrides, lone surrogates) as :func:`printable`
does, the one rule by which everything the library shows a person is made safe to print.
"""

from __future__ import annotations

import unicodedata

__all__ = ["dot_quote", "mermaid_text", "printable"]

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


def _escaped(char: str) -> str:
    if char.isprintable() or char == "\t" or unicodedata.category(char) == "Zs":
        return char  # spaces (全角空格 included) and tabs do not break a line
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: object) -> str:
    r"""Return ``text`` safe to show on one line of a terminal, a log or a page.

    Control characters (NUL, line breaks, escape sequences; tabs are kept), format characters
    (bidirectional overrides such as U+202E, zero-width characters), line and paragraph
    separators, private use and unassigned code points and lone surrogates are written as
    ``\uXXXX`` (``\UXXXXXXXX`` above U+FFFF); all other text, Chinese and spaces included,
    passes unchanged.  The command line shows every name, label, id and message through it.

    >>> print(printable("瑞安市\u202eevil\n\x00"))
    瑞安市\u202eevil\u000a\u0000
    >>> print(printable("\ud800 and 全角　空格"))
    \ud800 and 全角　空格
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(map(_escaped, text))


def dot_quote(text: str) -> str:
    r"""Return ``text`` as a quoted DOT string (an id or a label).

    Backslashes and double quotes are escaped; a line break becomes DOT's ``\n`` (a centred
    line break in a label).  Brackets, ``<>`` and Chinese text need nothing inside quotes.

    >>> print(dot_quote('say "hi" \\ 你好\nthere'))
    "say \"hi\" \\ 你好\nthere"
    """
    lines = "\n".join(map(printable, text.splitlines()))
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
    return printable(" ".join(text.split())).translate(_MERMAID_CODES)
