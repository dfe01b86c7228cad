"""A real OpenLDAP server (Debian's slapd) for the directory tests.

One server per test process (each xdist worker has its own), on a free port of 127.0.0.1, with its own
configuration and database under the run's temporary folder: the machine's own slapd service, if any, is never
used. Before each test its tree is put back to seed.ldif, through OpenLDAP's own client (ldapadd).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.orm import Session, sessionmaker

from records.db import make_session_factory
from records.directory import DirectorySettings
from tests.db import BACKENDS, database

if TYPE_CHECKING:
    import ldap3

SUFFIX = "dc=example,dc=com"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
ADMIN_DN, ADMIN_PASSWORD = f"cn=admin,{SUFFIX}", "admin-secret"
SERVICE_DN, SERVICE_PASSWORD = f"cn=mibao,ou=services,{SUFFIX}", "service-secret"
PASSWORDS = {"zhangwei": "zhang-Wei-2026", "zhouming": "zhou-Ming-2026", "chenjh": "chen-JH-2026",
             "wangzq": "wang-ZQ-2026", "lina": "li-Na-2026"}
# One key as a DN, one as a common name; the committee group is not mapped (posts come from appointments).
GROUP_ROLES = f"cn=hr,{GROUPS}=hr; secrecy=secrecy_office"
SEED = Path(__file__).with_name("seed.ldif")

# The service account may read people and groups; people may read too (as in most companies); anonymous
# connections may only bind. Nobody reads a password.
CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {root}/slapd.pid
argsfile {root}/slapd.args

database mdb
maxsize 67108864
suffix "{suffix}"
rootdn "{admin}"
rootpw {admin_password}
directory {root}/data
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
"""


@dataclass(frozen=True)
class Slapd:
    url: str

    def env(self, **extra: str) -> dict[str, str]:
        """The MIBAO_LDAP_* settings for this server, as an administrator would write them."""
        return {"MIBAO_LDAP_URL": self.url, "MIBAO_LDAP_BIND_DN": SERVICE_DN,
                "MIBAO_LDAP_BIND_PASSWORD": SERVICE_PASSWORD, "MIBAO_LDAP_USER_BASE": PEOPLE,
                "MIBAO_LDAP_GROUP_BASE": GROUPS, "MIBAO_LDAP_GROUP_ROLES": GROUP_ROLES, "MIBAO_LDAP_TIMEOUT": "5",
                **{f"MIBAO_LDAP_{k}": v for k, v in extra.items()}}

    @contextmanager
    def admin(self) -> Iterator[ldap3.Connection]:
        """A connection as the directory's administrator: how the tests change the directory."""
        import ldap3  # here, not above: records.directory_ldap imports it first (quietly, see there)

        conn = ldap3.Connection(ldap3.Server(self.url, get_info=ldap3.NONE), user=ADMIN_DN, password=ADMIN_PASSWORD,
                                auto_bind=True, raise_exceptions=True)
        try:
            yield conn
        finally:
            conn.unbind()

    def client(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([tool, "-x", "-H", self.url, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD, *args],
                              capture_output=True, text=True, timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _started(process: subprocess.Popen[bytes], port: int) -> bool:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    if shutil.which("slapd") is None or shutil.which("ldapadd") is None:
        message = "slapd and ldap-utils are not installed (scripts/bootstrap installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("slapd")
    (root / "data").mkdir()
    conf = root / "slapd.conf"
    conf.write_text(CONFIG.format(root=root, suffix=SUFFIX, admin=ADMIN_DN, admin_password=ADMIN_PASSWORD))
    # Loaded offline first: slapd 2.5.13 crashed (SIGSEGV) on a search of a database nothing was ever written to.
    loaded = subprocess.run(["slapadd", "-f", str(conf), "-l", str(SEED)], capture_output=True, text=True, timeout=60)
    assert loaded.returncode == 0, loaded.stderr
    for _attempt in range(3):            # another process may take the free port before slapd does
        port = free_port()
        with open(root / "slapd.log", "ab") as log:
            # -d 0: stay in the foreground (a child the fixture can stop), logging nothing but errors.
            process = subprocess.Popen(["slapd", "-f", str(conf), "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"],
                                       stdout=log, stderr=subprocess.STDOUT)
        if _started(process, port):
            break
        process.kill()
        process.wait()
    else:
        pytest.fail(f"slapd did not start: {(root / 'slapd.log').read_text(errors='replace')[-2000:]}")
    yield Slapd(url=f"ldap://127.0.0.1:{port}")
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def directory(slapd: Slapd) -> Slapd:
    """The server with seed.ldif's tree, as it was before any test changed it."""
    wiped = slapd.client("ldapdelete", "-r", SUFFIX)
    assert wiped.returncode == 0, wiped.stderr
    seeded = slapd.client("ldapadd", "-f", str(SEED))
    assert seeded.returncode == 0, seeded.stderr
    return slapd


@pytest.fixture
def settings(directory: Slapd) -> DirectorySettings:
    found = DirectorySettings.from_env(directory.env())
    assert found is not None
    return found


@pytest.fixture(params=BACKENDS)
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with database(str(request.param), tmp_path) as engine:
        yield make_session_factory(engine)
