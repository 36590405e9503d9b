"""What the command line reads: JSON files, hierarchies, rule tables; one line per problem.

Private to the command line (needs click): every subcommand takes a hierarchy file the same
way, ``--hierarchy FILE`` (default: the Rui'an preset), and a shipped rule table by
``--rules 2016|2021|2022`` (2016 official, 2022 reported and unverified, 2021 a design choice).
"""

from __future__ import annotations

import json
import reprlib
from pathlib import Path
from typing import Any

import click

from ruian_governance.errors import DataError
from ruian_governance.io import from_document
from ruian_governance.models import Hierarchy
from ruian_governance.presets import RULES_2016, RULES_2021, RULES_2022, ruian_preset
from ruian_governance.routing import RoutingRules

from ._errors import CliError

__all__ = [
    "RULES",
    "SHOWN_PROBLEMS",
    "document",
    "hierarchy_option",
    "json_option",
    "json_text",
    "load_hierarchy",
    "load_json",
    "problems_line",
    "rules_for",
    "rules_option",
    "shown",
]

RULES = {"2016": RULES_2016, "2021": RULES_2021, "2022": RULES_2022}
SHOWN_PROBLEMS = 3
_REPR = reprlib.Repr()
_REPR.maxlevel = 2

hierarchy_option = click.option(
    "--hierarchy", "hierarchy_path", type=click.Path(dir_okay=False, path_type=Path),
    help="A hierarchy JSON file (default: the Rui'an preset).",
)  # fmt: skip
rules_option = click.option(
    "--rules",
    type=click.Choice(sorted(RULES)),
    help="Rule table: 2016 official, 2022 reported (unverified), 2021 a design choice "
    "(default: the preset's).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def shown(value: object) -> str:
    """A value read from a user's file, for a message: short and never deep."""
    try:
        text = _REPR.repr(value)
    except (ValueError, RecursionError):  # an integer too long to write
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def problems_line(error: DataError) -> str:
    """A document's problems in one line: the first few, and how many more."""
    listed = "; ".join(error.problems[:SHOWN_PROBLEMS])
    more = len(error.problems) - SHOWN_PROBLEMS
    return f"invalid {error.what}: {listed}" + (f" (and {more} more)" if more > 0 else "")


def json_text(data: Any, indent: int | None = None) -> str:
    r"""JSON text with Chinese readable; ``\u`` escapes if it holds what UTF-8 cannot encode."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a file written elsewhere
        return json.dumps(data, indent=indent)
    return text


def load_json(path: Path) -> Any:
    """The JSON in ``path``; text that is not UTF-8 JSON is one :class:`CliError` line."""
    with path.open(encoding="utf-8") as stream:
        try:
            return json.load(stream)
        except UnicodeDecodeError:
            msg = f"{path}: not UTF-8 text"
            raise CliError(msg) from None
        except RecursionError:
            msg = f"{path}: not JSON: nested too deeply"
            raise CliError(msg) from None
        except ValueError as error:  # json.JSONDecodeError, an integer too long to read
            msg = f"{path}: not JSON: {error}"
            raise CliError(msg) from None


def load_hierarchy(path: Path | None) -> Hierarchy:
    """The hierarchy in ``path`` (default: the Rui'an preset)."""
    if path is None:
        return ruian_preset()
    data = load_json(path)
    if isinstance(data, dict) and data.get("kind") not in (None, "hierarchy"):
        msg = f"{path}: a {shown(data.get('kind'))} document, not a hierarchy"
        raise CliError(msg)
    hierarchy: Hierarchy = document(path, data, Hierarchy)
    return hierarchy


def document(path: Path, data: Any, kind: type[Any] | str) -> Any:
    """Load a document read from ``path``; a bad one is one line naming the file."""
    try:
        return from_document(data, kind)
    except DataError as error:
        msg = f"{path}: {problems_line(error)}"
        raise CliError(msg) from None


def rules_for(hierarchy: Hierarchy, choice: str | None) -> RoutingRules:
    """The shipped rule table chosen, or the one of the hierarchy's platform preset."""
    if choice is None:
        return RULES.get(hierarchy.preset.key, RULES_2021)
    return RULES[choice]
