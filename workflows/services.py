"""What the engine's operations need from outside: the instance folder, templates, converter, PKI, company."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from documents import TemplateCatalog
from records.blobs import BlobStore, FolderBlobs
from records.instance import Instance
from signing import Converter, ConvertOptions, Pki
from signing.pki import KeyStore

if TYPE_CHECKING:
    from workflows.template_versions import TemplateSource

__all__ = ["COMPANY_DEFAULTS", "Services"]

# The company profile that fills every agreement's employer fields unless config.toml says otherwise.
COMPANY_DEFAULTS = {
    "company_name": "聊城示例轴承有限公司",
    "company_credit_code": "91371500MA3C8K2X7D",
    "legal_representative": "孙建国",
    "company_address": "山东省聊城市经济技术开发区黄山南路 86 号",
    "arbitration_place": "聊城市",
}


@dataclass
class Services:
    instance: Instance
    catalog: TemplateCatalog = field(default_factory=TemplateCatalog)
    warm_converters: int = 1
    _converter: Converter | None = None
    _pki: Pki | None = None
    _blobs: BlobStore | None = None
    _keys: KeyStore | None = None
    _template_sessions: sessionmaker[Session] | None = None

    @property
    def company(self) -> dict[str, Any]:
        profile = dict(COMPANY_DEFAULTS)
        profile["company_name"] = self.instance.company_name
        config = self.instance.root / "config.toml"
        if config.is_file():
            raw = tomllib.loads(config.read_text(encoding="utf-8"))
            profile.update({k: v for k, v in raw.items() if k in COMPANY_DEFAULTS})
        return profile

    @property
    def converter(self) -> Converter:
        if self._converter is None:
            self._converter = Converter(ConvertOptions(workdir=self.instance.work_dir,
                                                       warm_instances=self.warm_converters))
        return self._converter

    @property
    def pki(self) -> Pki:
        if self._pki is None:
            self._pki = Pki.open(self._keys or self.instance.pki_dir)
        return self._pki

    def use_keys(self, store: KeyStore) -> None:
        """Sign with the PKI in ``store`` (the shared database) instead of the instance folder's."""
        self._keys = store

    @property
    def documents_dir(self) -> Path:
        return self.instance.documents_dir

    @property
    def blobs(self) -> BlobStore:
        """Where documents' files are: the instance folder unless the composition root chose the database."""
        if self._blobs is None:
            self._blobs = FolderBlobs(self.documents_dir)
        return self._blobs

    def use_blobs(self, store: BlobStore) -> None:
        self._blobs = store

    def use_template_versions(self, sessions: sessionmaker[Session]) -> None:
        """Prepare documents from each template's active version in ``sessions``' database (not the packaged one)."""
        self._template_sessions = sessions

    def template_source(self, template_id: str) -> TemplateSource:
        """The version of ``template_id`` a document prepared now is made from (``workflows.template_versions``)."""
        from workflows.template_versions import active_source, packaged_source

        if self._template_sessions is None:
            return packaged_source(self.catalog.get(template_id))
        with self._template_sessions() as session:
            return active_source(session, self.catalog, template_id)

    def close(self) -> None:
        if self._converter is not None:
            self._converter.close()
            self._converter = None
