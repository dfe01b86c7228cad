"""DOCX → PDF through LibreOffice.

A cold ``soffice --convert-to pdf`` costs ~1.4 s per document; a LibreOffice kept running behind
``unoserver`` converts in ~0.2 s (PITFALLS). :class:`Converter` therefore keeps one or more warm
LibreOffice processes (one per core is the useful maximum: conversion is CPU-bound inside LibreOffice),
starts them on first use, restarts one that died, bounds every conversion with a timeout, and falls back
to a one-shot ``soffice`` when the warm path cannot be had. Output is PDF/A-2b.

A warm LibreOffice's memory grows with every document (bench/scale.py: +160 MB over 150 agreements), so after
``restart_after`` conversions a fresh one is started beside it — the old one converts meanwhile — and takes its
place; the old one is stopped.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path

from signing.errors import ConversionError

__all__ = ["ConvertOptions", "Converter"]

log = logging.getLogger(__name__)

# LibreOffice's PDF export: SelectPdfVersion=2 is PDF/A-2b.
_PDF_FILTER_OPTIONS = ["SelectPdfVersion=2"]
_PDF_FILTER_JSON = '{"SelectPdfVersion":{"type":"long","value":"2"}}'


@dataclass(frozen=True)
class ConvertOptions:
    workdir: Path                       # LibreOffice profiles and scratch files live here
    timeout_s: float = 60.0             # one conversion, warm or cold
    start_timeout_s: float = 60.0       # the first start of LibreOffice takes ~10 s
    warm_instances: int = 1             # 0 = always one-shot soffice
    restart_after: int = 30             # conversions after which a warm LibreOffice is replaced; 0 = never
    soffice: str | None = None          # path of soffice; found on PATH when None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host):  # type: ignore[no-untyped-def]
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn


class _WarmOffice:
    """One unoserver process (which owns one LibreOffice) on a private port and profile."""

    def __init__(self, opts: ConvertOptions, index: int, generation: int = 0) -> None:
        self.opts = opts
        # A replacement runs beside its predecessor, so it needs the other of two profiles.
        self.profile = opts.workdir / f"lo-profile-{index}{'b' if generation % 2 else ''}"
        self.index, self.generation = index, generation
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.conversions = 0
        self.in_use = False             # these two under Converter._lock
        self.retired = False

    def _proxy(self, timeout: float) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(f"http://127.0.0.1:{self.port}", allow_none=True,
                                         transport=_TimeoutTransport(timeout))

    def start(self) -> None:
        self.stop()
        self.port, uno_port = _free_port(), _free_port()
        cmd = [sys.executable, "-m", "unoserver.server", "--interface", "127.0.0.1",
               "--port", str(self.port), "--uno-port", str(uno_port),
               "--user-installation", str(self.profile),
               "--conversion-timeout", str(int(self.opts.timeout_s) + 5), "--quiet"]
        if self.opts.soffice:
            cmd += ["--executable", self.opts.soffice]
        log.info("starting LibreOffice (unoserver on port %s)", self.port)
        # A session of its own, so stop() can kill LibreOffice with its launcher.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + self.opts.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ConversionError(f"LibreOffice (unoserver) exited at start with code {self.proc.returncode}")
            try:
                self._proxy(2).info()
                return
            except (OSError, xmlrpc.client.Error):
                time.sleep(0.2)
        self.stop()
        raise ConversionError(f"LibreOffice did not start within {self.opts.start_timeout_s:.0f} s")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def convert(self, docx: bytes) -> bytes:
        if not self.alive():
            self.start()
        result = self._proxy(self.opts.timeout_s).convert(
            None, xmlrpc.client.Binary(docx), None, "pdf", None, _PDF_FILTER_OPTIONS, True, None, None)
        if not isinstance(result, xmlrpc.client.Binary):
            raise ConversionError("LibreOffice returned no PDF")
        return bytes(result.data)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None


class Converter:
    """Thread-safe DOCX → PDF converter; share one per process and :meth:`close` it at exit."""

    def __init__(self, opts: ConvertOptions) -> None:
        self.opts = opts
        opts.workdir.mkdir(parents=True, exist_ok=True)
        self._soffice = opts.soffice or shutil.which("soffice") or shutil.which("libreoffice")
        warm = opts.warm_instances if importlib.util.find_spec("uno") is not None else 0
        if opts.warm_instances and not warm:
            log.warning("python3-uno is not importable here: converting with one-shot soffice (slow)")
        self._idle: queue.Queue[_WarmOffice] = queue.Queue()
        self._offices = [_WarmOffice(opts, i) for i in range(warm)]
        for office in self._offices:
            self._idle.put(office)
        self._lock = threading.Lock()
        self._closed = False
        self._replacing: list[threading.Thread] = []
        self.restarts = 0               # warm LibreOffices replaced after ``restart_after`` conversions

    def convert(self, docx: bytes) -> bytes:
        """Return the PDF for ``docx``; raises :class:`ConversionError` with what went wrong."""
        if self._soffice is None:
            raise ConversionError("LibreOffice is not installed (no soffice on PATH); "
                                  "run scripts/bootstrap or apt-get install libreoffice-writer-nogui")
        if not self._offices:
            return self._convert_once(docx)
        office = self._take()
        try:
            return self._convert_warm(office, docx)
        finally:
            self._give_back(office)

    def _take(self) -> _WarmOffice:
        while True:
            office = self._idle.get()
            with self._lock:
                if not office.retired:      # a retired one was stopped when its replacement took over
                    office.in_use = True
                    return office

    def _give_back(self, office: _WarmOffice) -> None:
        office.conversions += 1
        if office.conversions == self.opts.restart_after:
            thread = threading.Thread(target=self._replace, args=(office,), name="mibao-lo-restart", daemon=True)
            with self._lock:
                self._replacing = [t for t in self._replacing if t.is_alive()] + [thread]
            thread.start()
        with self._lock:
            office.in_use = False
            if not office.retired:
                self._idle.put(office)
                return
        office.stop()

    def _replace(self, old: _WarmOffice) -> None:
        """Start a fresh LibreOffice beside ``old`` (which keeps converting meanwhile), then put it in its place."""
        log.info("replacing LibreOffice after %d conversions", old.conversions)
        fresh = _WarmOffice(self.opts, old.index, old.generation + 1)
        try:
            if not self._closed:
                fresh.start()
        except (ConversionError, OSError) as exc:
            log.warning("could not start a fresh LibreOffice (%s); the running one goes on", exc)
            old.conversions = 0             # try again after as many conversions
            return
        stop_old = False
        with self._lock:
            closed = self._closed
            if not closed:
                self._offices[self._offices.index(old)] = fresh
                old.retired = True
                stop_old = not old.in_use   # else it is stopped when its conversion gives it back
                self._idle.put(fresh)
                self.restarts += 1
        if closed:
            fresh.stop()
        elif stop_old:
            old.stop()

    def _convert_warm(self, office: _WarmOffice, docx: bytes) -> bytes:
        # A LibreOffice that died (or hung and was killed) gets one restart. A fault from a freshly started
        # office means the input is at fault; any other failure falls back to a one-shot soffice rather
        # than failing the user's request.
        for attempt in (1, 2):
            try:
                pdf = office.convert(docx)
                _check_pdf(pdf)
                return pdf
            except xmlrpc.client.Fault as exc:
                if attempt == 2:
                    detail = exc.faultString.strip().splitlines()[-1][-200:]
                    raise ConversionError(f"LibreOffice could not convert the document ({detail}); "
                                          "open it in Word or LibreOffice to check it") from None
                log.warning("warm LibreOffice failed: %s", exc.faultString.strip()[-200:])
            except (OSError, xmlrpc.client.Error, ConversionError) as exc:
                log.warning("warm LibreOffice failed (attempt %d): %s", attempt, exc)
            office.stop()
        return self._convert_once(docx)

    def _convert_once(self, docx: bytes) -> bytes:
        assert self._soffice is not None
        with tempfile.TemporaryDirectory(dir=self.opts.workdir) as tmp:
            src = Path(tmp) / "document.docx"
            src.write_bytes(docx)
            profile = Path(tmp) / "profile"
            cmd = [self._soffice, "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation={profile.as_uri()}",
                   "--convert-to", f"pdf:writer_pdf_Export:{_PDF_FILTER_JSON}", "--outdir", tmp, str(src)]
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            try:
                out, _ = proc.communicate(timeout=self.opts.timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise ConversionError(f"LibreOffice did not finish converting within {self.opts.timeout_s:.0f} s "
                                      "and was stopped; try again, or check the document for huge images") from None
            target = Path(tmp) / "document.pdf"
            if proc.returncode != 0 or not target.exists():
                how = (f"was killed by signal {-proc.returncode}" if proc.returncode < 0
                       else f"exited with code {proc.returncode}")
                detail = out.decode("utf-8", "replace").strip()[-300:]
                raise ConversionError(f"LibreOffice {how} without producing a PDF"
                                      + (f": {detail}" if detail else "")
                                      + "; the document may be damaged — open it in Word or LibreOffice to check")
            pdf = target.read_bytes()
        _check_pdf(pdf)
        return pdf

    def close(self) -> None:
        with self._lock:
            self._closed = True
            replacing = list(self._replacing)
        for thread in replacing:            # a LibreOffice being started must not outlive us
            thread.join(self.opts.start_timeout_s + 5)
        for office in self._offices:
            office.stop()

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_pdf(pdf: bytes) -> None:
    if not pdf.startswith(b"%PDF-") or b"%%EOF" not in pdf[-1024:]:
        raise ConversionError("LibreOffice produced an incomplete PDF")
