"""Write ``contract_templates/<id>/template.docx`` from ``tools/template_sources/<id>.py``.

Usage: ``python -m tools.build_templates [ID …]`` (all when no id is given). Each source module defines
``build() -> docx.document.Document``. Manifests and samples are edited by hand beside the DOCX.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from tools import template_sources

ROOT = Path(__file__).resolve().parents[1] / "contract_templates"


def main(ids: list[str]) -> None:
    names = ids or sorted(m.name for m in pkgutil.iter_modules(template_sources.__path__))
    for name in names:
        module = importlib.import_module(f"tools.template_sources.{name}")
        out = ROOT / name / "template.docx"
        out.parent.mkdir(parents=True, exist_ok=True)
        module.build().save(out)
        print(f"wrote {out.relative_to(ROOT.parent)}")


if __name__ == "__main__":
    main(sys.argv[1:])
