"""Commands on agreements: list templates, render, sign, verify, export the root certificate."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli import context
from cli.files import read_bytes, read_json
from documents import TemplateCatalog, prepare_agreement
from records.storage import write_atomic
from signing import sign_document, verify_pdf

_path = click.Path(path_type=Path, dir_okay=False)
_existing = click.Path(path_type=Path, dir_okay=False, exists=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON (id, titles, parties in signing order).")
def templates(as_json: bool) -> None:
    """List the agreement templates."""
    manifests = TemplateCatalog().all()
    if as_json:
        click.echo(json.dumps([m.summary() for m in manifests], ensure_ascii=False, indent=2))
        return
    for m in manifests:
        parties = " → ".join(p.role for p in m.parties)
        click.echo(f"{m.id:24} {m.title['zh']}  ({m.title['en']})  [{parties}]")


@click.command()
@click.argument("template_id")
@click.option("--data", "data_file", type=_existing, required=True, help="JSON file with the fill data.")
@click.option("--out", type=_path, required=True, help="Where to write the PDF, ready for signing.")
@click.option("--docx-out", type=_path, help="Also keep the filled DOCX here.")
def render(template_id: str, data_file: Path, out: Path, docx_out: Path | None) -> None:
    """Render TEMPLATE_ID with the data into a marked PDF with one signature field per party."""
    manifest = TemplateCatalog().get(template_id)
    data = read_json(data_file)
    inst = context.instance()
    with context.converter(inst, warm_instances=0) as conv:
        prepared = prepare_agreement(manifest, data, converter=conv)
    write_atomic(out, prepared.pdf)
    if docx_out:
        write_atomic(docx_out, prepared.docx)
    click.echo(f"{out}: {manifest.title['zh']} {prepared.document_id}, "
               f"to be signed by {', '.join(p.role for p in manifest.parties)}")


@click.command()
@click.argument("pdf", type=_existing)
@click.option("--party", required=True, help="The party's role = the signature field, e.g. company, employee.")
@click.option("--name", required=True, help="The signer's name (for company: the company's name).")
@click.option("--id", "identifier", help="A unique identifier for the person (employee number, ID number).")
@click.option("--out", type=_path, required=True)
def sign(pdf: Path, party: str, name: str, identifier: str | None, out: Path) -> None:
    """Sign PDF as PARTY; the first signature certifies, the last one adds the document timestamp."""
    inst = context.instance()
    pki = context.pki(inst)
    identity = pki.company(name) if party == "company" else pki.person(name, identifier)
    signed = sign_document(read_bytes(pdf), pki=pki, identity=identity, field_name=party)
    write_atomic(out, signed)
    click.echo(f"{out}: signed by {name} as {party}")


@click.command()
@click.argument("pdf", type=_existing)
@click.option("--json", "as_json", is_flag=True, help='Print {"ok": …, "signatures": […], "problems": […]}.')
@click.option("--trust", type=_existing, multiple=True, help="Also trust this root certificate (PEM or DER).")
def verify(pdf: Path, as_json: bool, trust: tuple[Path, ...]) -> None:
    """Verify every signature; exit 0 only when all are intact, valid, trusted and nothing disallowed changed."""
    inst = context.instance()
    roots = [context.pki(inst).root_certificate_pem(), *(read_bytes(p) for p in trust)]
    verdict = verify_pdf(read_bytes(pdf), trust_roots=roots)
    if as_json:
        click.echo(json.dumps(verdict.to_json(), ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(verdict.describe())
    raise click.exceptions.Exit(0 if verdict.ok else 1)


@click.group()
def ca() -> None:
    """The embedded certificate authority."""


@ca.command("export-root")
@click.argument("out", type=_path)
def export_root(out: Path) -> None:
    """Write the root CA certificate (PEM), to trust it in a PDF reader or pdfsig."""
    inst = context.instance()
    write_atomic(out, context.pki(inst).root_certificate_pem())
    click.echo(f"{out}: root certificate of {inst.root}")
