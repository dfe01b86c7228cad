"""The instance folder: all state of one installation (database, keys, generated files) lives under it.

``./instance`` by default; the environment variable ``MIBAO_INSTANCE`` names another. Every command and the
web app resolve it here, so tests and parallel runs simply point at different folders.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_COMPANY", "Instance"]

DEFAULT_COMPANY = "聊城示例轴承有限公司"


@dataclass(frozen=True)
class Instance:
    root: Path
    company_name: str = DEFAULT_COMPANY

    @classmethod
    def from_env(cls, root: str | os.PathLike[str] | None = None) -> Instance:
        """The instance at ``root``, else ``$MIBAO_INSTANCE``, else ``./instance``; created if missing.

        An optional ``config.toml`` in it may set ``company_name``.
        """
        path = Path(root or os.environ.get("MIBAO_INSTANCE") or "instance").resolve()
        path.mkdir(parents=True, exist_ok=True)
        config: dict[str, object] = {}
        if (path / "config.toml").is_file():
            config = tomllib.loads((path / "config.toml").read_text(encoding="utf-8"))
        return cls(root=path, company_name=str(config.get("company_name", DEFAULT_COMPANY)))

    @property
    def pki_dir(self) -> Path:
        return self.root / "pki"

    @property
    def work_dir(self) -> Path:
        """Scratch space: LibreOffice profiles and temporary conversion files."""
        return self.root / "work"

    @property
    def documents_dir(self) -> Path:
        return self.root / "documents"
