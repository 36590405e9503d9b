"""Write the shipped JSON Schema files from the models: ``python tools/regenerate_schemas.py``."""

from __future__ import annotations

import json
from pathlib import Path

from ruian_governance.io import DOCUMENT_KINDS, document_schema

OUT = Path(__file__).resolve().parent.parent / "src" / "ruian_governance" / "io" / "schema_files"


def main() -> None:
    """Regenerate every document schema file."""
    OUT.mkdir(exist_ok=True)
    for kind in DOCUMENT_KINDS:
        path = OUT / f"{kind}.schema.json"
        text = json.dumps(document_schema(kind), ensure_ascii=False, indent=2) + "\n"
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
