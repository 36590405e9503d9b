"""The ``ruian-governance`` command.

For now a demo that builds the Rui'an preset and prints a summary of it.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence

from .hierarchy import Hierarchy, Level
from .presets import ruian_preset


def summarise(hierarchy: Hierarchy) -> str:
    """Return a bilingual text summary of a hierarchy: counts by level, organisations, people.

    >>> from ruian_governance import generate_hierarchy
    >>> print(summarise(generate_hierarchy(towns=1, villages=1, grids=2, micro_grids=2)))
    ... # doctest: +ELLIPSIS
    示范市 Example City, platform preset 2021 基层治理四平台(2021)
      city 市: 1, town / street 镇/街道: 1, village / community 村/社区: 1, grid 网格: 2, ...
    ...
    """
    city, preset = hierarchy.city, hierarchy.preset
    lines = [f"{city.name} {city.name_en}, platform preset {preset.key} {preset.label.zh}"]
    lines.append(
        "  "
        + ", ".join(
            f"{level.label.en} {level.label.zh}: {len(hierarchy.units_at(level))}"
            for level in Level
        )
    )
    lines.append(
        f"  command rooms 综合信息指挥室: {len(hierarchy.command_rooms)}, "
        f"platforms 平台: {len(hierarchy.platforms)}, "
        f"stations 职能站所: {len(hierarchy.stations)}, "
        f"departments 职能部门: {len(hierarchy.departments)}"
    )
    roles = Counter(post.role for person in hierarchy.people for post in person.posts)
    lines.append(f"  people: {len(hierarchy.people)}")
    for key, count in sorted(roles.items(), key=lambda item: -item[1]):
        role = hierarchy.role(key)
        lines.append(f"    {role.label.en} {role.label.zh}: {count}")
    lines.append("  platforms of each town:")
    lines.extend(
        f"    {kind.label.zh} {kind.label.en}: "
        + ", ".join(hierarchy.preset.station_kind(s).label.zh for s in kind.station_kinds)
        for kind in hierarchy.preset.platforms
    )
    lines.append("  towns and streets 镇/街道:")
    lines.extend(
        f"    {town.name} {town.name_en}: {len(hierarchy.children(town.id))} villages"
        for town in hierarchy.towns
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ruian-governance`` console script."""
    parser = argparse.ArgumentParser(
        prog="ruian-governance",
        description="Build the Rui'an preset hierarchy and print a summary of it.",
    )
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    args = parser.parse_args(argv)
    sys.stdout.write(summarise(ruian_preset(seed=args.seed)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
