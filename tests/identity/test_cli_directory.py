"""``mibao directory`` as cron and an administrator run it: a real process, a throwaway instance, a real slapd."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import Runner, cli_runner
from tests.identity.conftest import PASSWORDS, PEOPLE, Slapd, free_port


@pytest.fixture
def configured(directory: Slapd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runner:
    for name, value in directory.env().items():
        monkeypatch.setenv(name, value)
    return cli_runner(tmp_path)            # after the settings: the runner passes on the environment it finds


def test_sync_prints_the_report_and_fails_when_an_entry_cannot_be_written(configured: Runner,
                                                                           directory: Slapd) -> None:
    first = configured("directory", "sync", "--as", "hr01")
    assert "created: chenjh, lina, wangzq, zhangwei, zhouming" in first.stdout
    assert "directory sync: 5 created, 0 updated, 0 disabled, 0 unchanged, 0 errors" in first.stdout
    assert "zhangwei     张伟  [hr, secrecy_office]  人力资源部" in configured("user", "list").stdout
    assert "0 created, 0 updated, 0 disabled, 5 unchanged, 0 errors" in configured("directory", "sync").stdout

    with directory.admin() as admin:
        admin.add(f"uid=li si,{PEOPLE}", ["inetOrgPerson"], {"uid": "li si", "cn": "李四", "sn": "李"})
        admin.delete(f"uid=lina,{PEOPLE}")
    failed = configured("directory", "sync", ok=False)
    assert failed.returncode == 1
    assert (f"error: uid=li si,{PEOPLE}: its user name 'li si' cannot name an account here" in failed.stderr)
    assert "1 entries could not be synced (listed above); the others were" in failed.stderr
    assert "disabled: lina" in failed.stdout                 # the good part was written all the same
    assert "0 created, 0 updated, 0 disabled, 4 unchanged, 1 errors" in configured("directory", "sync",
                                                                                   ok=False).stdout


def test_test_shows_who_the_directory_finds_and_never_the_password(configured: Runner) -> None:
    password = PASSWORDS["zhangwei"]
    found = configured("directory", "test", "zhangwei", "--password-stdin", stdin=f"{password}\n")
    assert f"found: uid=zhangwei,{PEOPLE}" in found.stdout
    assert "zhangwei: 张伟; mail zhangwei@example.com; department 人力资源部; employee number E0101" in found.stdout
    assert "roles from the groups: hr, secrecy_office" in found.stdout
    assert "password: accepted by the directory" in found.stdout
    assert password not in found.stdout + found.stderr
    chen = configured("directory", "test", "chenjh", "--password-stdin", stdin="not-it\n", ok=False)
    assert "roles from the groups: none (a new account gets employee)" in chen.stdout
    assert chen.returncode == 1 and "did not accept this password" in chen.stderr
    assert "not-it" not in chen.stdout + chen.stderr
    unknown = configured("directory", "test", "*", "--password-stdin", stdin="x\n", ok=False)
    assert "the directory has no single entry for '*'" in unknown.stderr


def test_without_a_directory_or_with_one_that_is_down_the_commands_say_so(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIBAO_LDAP_URL", raising=False)
    unconfigured = cli_runner(tmp_path)("directory", "sync", ok=False)
    assert unconfigured.returncode == 1 and "no directory is configured: set MIBAO_LDAP_URL" in unconfigured.stderr
    monkeypatch.setenv("MIBAO_LDAP_URL", f"ldap://127.0.0.1:{free_port()}")
    monkeypatch.setenv("MIBAO_LDAP_USER_BASE", PEOPLE)
    down = cli_runner(tmp_path)("directory", "sync", ok=False)
    assert down.returncode == 1 and "cannot reach the directory" in down.stderr and "nothing was changed" in down.stderr
    assert "Traceback" not in down.stderr
