"""The agreement templates: one folder per agreement (template.docx, manifest.toml, sample.json)."""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent
