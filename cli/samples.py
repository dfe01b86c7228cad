"""``mibao samples``: render every template from its sample, have every party sign, verify, write the PDFs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from cli import context
from documents import TemplateCatalog, prepare_agreement
from documents.manifest import Manifest
from records.storage import write_atomic
from signing import sign_document, verify_pdf

# Who signs for a role when the sample names nobody for it.
_DEMO_SIGNERS = {"host": "赵敏", "secrecy_office": "周保密", "liaison": "孙立", "department_head": "钱进",
                 "committee_chair": "陈总"}


def signer_name(manifest: Manifest, role: str, data: dict[str, object], company: str) -> str:
    """The person who signs as ``role``: the company itself, the ``<role>_name`` field of the data, or a demo name."""
    if role == "company":
        return str(data.get("company_name") or company)
    value = data.get(f"{role}_name")
    return str(value) if isinstance(value, str) and value else _DEMO_SIGNERS.get(role, "演示用户")


@click.command()
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for the signed PDFs (default: <instance>/samples).")
def samples(out: Path | None) -> None:
    """Render, sign by every party and verify every template's sample agreement."""
    inst = context.instance()
    out = out or inst.root / "samples"
    pki = context.pki(inst)
    root = pki.root_certificate_pem()
    catalog = TemplateCatalog()
    failures = 0
    with context.converter(inst, warm_instances=1) as conv:
        for manifest in catalog.all():
            started = time.perf_counter()
            data = json.loads(manifest.sample_path.read_text(encoding="utf-8"))
            pdf = prepare_agreement(manifest, data, converter=conv).pdf
            for party in manifest.parties:
                name = signer_name(manifest, party.role, data, inst.company_name)
                identity = pki.company(name) if party.role == "company" else pki.person(name)
                pdf = sign_document(pdf, pki=pki, identity=identity, field_name=party.role)
            target = out / f"{manifest.id}.pdf"
            write_atomic(target, pdf)
            verdict = verify_pdf(pdf, trust_roots=[root])
            failures += not verdict.ok
            click.echo(f"{'ok ' if verdict.ok else 'BAD'} {target}  {manifest.title['zh']}  "
                       f"{len(verdict.signatures)} signatures  {time.perf_counter() - started:.2f} s"
                       + ("" if verdict.ok else f"  {'; '.join(verdict.problems)}"))
    click.echo(f"{len(catalog.all())} agreements in {out}; root certificate: mibao ca export-root root.pem")
    if failures:
        raise click.ClickException(f"{failures} agreements did not verify")
