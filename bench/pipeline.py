"""Benchmark: agreements through render → convert → mark → company + employee signatures → verify.

Usage: ``.venv/bin/python bench/pipeline.py [-n 20] [--template nda] [--workers 2]``

Prints a table of per-stage medians (one agreement at a time, warm LibreOffice, keys and fonts cached), then
measures throughput with ``--workers`` processes, each with its own warm LibreOffice, and prints as its last
line one JSON object:

- ``render_ms``  validate the data and fill the DOCX
- ``convert_ms`` LibreOffice DOCX → PDF/A
- ``evidence_ms`` evidence page and embedded files (source DOCX, fill data, preparation record)
- ``mark_ms``    level marks, footer, signature fields
- ``sign_ms``    one signature with its Chinese stamp, B-T with the internal TSA (median over both parties)
- ``pipeline_ms`` render + convert + evidence + mark + both signatures: producing one signed agreement
- ``verify_ms``  verification, per signature (a document's verification time / its signatures)
- ``verify_cpu_ms`` the same in this process's CPU time: what verification costs when it has a core to itself
  (on a shared machine ``verify_ms`` also counts the time other work held the cores)
- ``docs_per_s`` signed agreements per second with all workers (verification included)
- ``pipeline_over_convert`` ``pipeline_ms`` / ``convert_ms``
- ``load_avg_1m`` the machine's one-minute load average after the sequential runs (above ~0.5, other work
  is inflating the figures)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from documents import TemplateCatalog, render_docx, validate_data
from documents.produce import evidence_meta, new_document_id, signature_slots
from signing import Converter, ConvertOptions, Pki, attach_evidence, mark_document, sign_document, verify_pdf


class Pipeline:
    def __init__(self, template_id: str, workdir: Path) -> None:
        self.manifest = TemplateCatalog().get(template_id)
        self.sample = json.loads(self.manifest.sample_path.read_text(encoding="utf-8"))
        self.template = self.manifest.docx_path.read_bytes()
        self.converter = Converter(ConvertOptions(workdir=workdir / "lo", warm_instances=1))
        self.pki = Pki.open(workdir / "pki")
        self.roots = [self.pki.root_certificate_pem()]
        self.company = self.pki.company("聊城示例轴承有限公司")
        self.person = self.pki.person("张伟", "E1001")

    def run(self) -> dict[str, float]:
        t: dict[str, float] = {}
        clock = time.perf_counter
        start = clock()
        ctx = validate_data(self.manifest, self.sample) | {"document_id": new_document_id()}
        docx = render_docx(self.template, ctx)
        t["render_ms"] = clock() - start
        s = clock()
        pdf = self.converter.convert(docx)
        t["convert_ms"] = clock() - s
        s = clock()
        meta = evidence_meta(self.manifest, ctx, prepared_at=datetime.now(UTC))
        pdf = attach_evidence(pdf, docx=docx, data=ctx, meta=meta)
        t["evidence_ms"] = clock() - s
        s = clock()
        pdf = mark_document(pdf, document_id=ctx["document_id"], level=ctx["secret_level"],
                            slots=signature_slots(self.manifest))
        t["mark_ms"] = clock() - s
        signs = []
        for party in self.manifest.parties:
            identity = self.company if party.role == "company" else self.person
            s = clock()
            pdf = sign_document(pdf, pki=self.pki, identity=identity, field_name=party.role)
            signs.append(clock() - s)
        t["sign_ms"] = statistics.median(signs)
        t["pipeline_ms"] = clock() - start
        s, cpu = clock(), time.process_time()
        verdict = verify_pdf(pdf, trust_roots=self.roots)
        if not verdict.ok:
            raise SystemExit(f"verification failed: {verdict.problems}")
        t["verify_ms"] = (clock() - s) / max(len(verdict.signatures), 1)
        t["verify_cpu_ms"] = (time.process_time() - cpu) / max(len(verdict.signatures), 1)
        return {k: v * 1000 for k, v in t.items()}

    def close(self) -> None:
        self.converter.close()


def _worker(args: tuple[str, str, int, Any, Any]) -> None:
    template_id, workdir, count, ready, go = args
    pipe = Pipeline(template_id, Path(workdir))
    pipe.run()                                  # warm up LibreOffice and caches before the clock starts
    ready.release()
    go.wait()
    for _ in range(count):
        pipe.run()
    pipe.close()


def throughput(template_id: str, workers: int, per_worker: int, root: Path) -> float:
    ctx = mp.get_context("spawn")
    ready, go = ctx.Semaphore(0), ctx.Event()
    procs = [ctx.Process(target=_worker, args=((template_id, str(root / f"w{i}"), per_worker, ready, go),))
             for i in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    start = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"worker failed with exit code {p.exitcode}")
    return workers * per_worker / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=20, help="agreements per measurement (default 20)")
    parser.add_argument("--template", default="nda")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pipe = Pipeline(args.template, root / "seq")
        for _ in range(2):
            pipe.run()                          # warm-up: LibreOffice start, key and font caches
        runs = [pipe.run() for _ in range(args.n)]
        load = os.getloadavg()[0]  # the machine is shared: other work inflates every figure
        pipe.close()
        result = {k: round(statistics.median(r[k] for r in runs), 1) for k in runs[0]}
        print(f"{args.n} × {args.template}, medians (ms)")
        for key, value in result.items():
            print(f"  {key:12} {value:8.1f}")
        result["docs_per_s"] = round(throughput(args.template, args.workers, args.n, root), 2)
        print(f"  {'docs_per_s':12} {result['docs_per_s']:8.2f}  ({args.workers} workers)")
        result["pipeline_over_convert"] = round(result["pipeline_ms"] / result["convert_ms"], 2)
        result["load_avg_1m"] = round(load, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
