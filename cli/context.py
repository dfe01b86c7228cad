"""What commands share: the instance folder, its PKI and a converter, built on demand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from records.instance import Instance
from signing import Converter, ConvertOptions, Pki


def instance() -> Instance:
    return Instance.from_env()


def pki(inst: Instance) -> Pki:
    return Pki.open(inst.pki_dir)


@contextmanager
def converter(inst: Instance, warm_instances: int) -> Iterator[Converter]:
    """One-shot commands use a cold soffice (~1 s); batches pay the ~5 s warm start once."""
    with Converter(ConvertOptions(workdir=inst.work_dir, warm_instances=warm_instances)) as conv:
        yield conv
