"""A fresh instance without ``--demo``: the first people get passwords on the command line and can sign in."""

from __future__ import annotations

from pathlib import Path

from records.instance import Instance
from web import create_app

GOOD = "绿茶-轴承-钢球-2027"


def _signs_in(tmp_path: Path, user_id: str, password: str) -> bool:
    app = create_app({"MIBAO_INSTANCE": Instance.from_env(tmp_path / "instance"), "WARM_CONVERTERS": 0,
                      "WTF_CSRF_ENABLED": False, "TESTING": True, "MIBAO_RATE_LIMITS": False})
    try:
        response = app.test_client().post("/login", data={"username": user_id, "password": password})
        return response.status_code == 302
    finally:
        app.extensions["mibao"].close()


def test_the_first_accounts_get_passwords_and_sign_in(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    added = run("user", "add", "hr01", "--name", "李娜", "--role", "hr")
    assert added.returncode == 0, added.stderr
    assert not _signs_in(tmp_path, "hr01", GOOD)          # an account without a password cannot sign in

    piped = run("user", "password", "hr01", "--stdin", stdin=GOOD + "\n")
    assert piped.returncode == 0 and "hr01: password set" in piped.stdout
    assert _signs_in(tmp_path, "hr01", GOOD)

    with_password = run("user", "add", "sec01", "--name", "周敏", "--role", "secrecy_office", "--password-stdin",
                        stdin="钢球-保密柜-2031-蓝色\n")
    assert with_password.returncode == 0, with_password.stderr
    assert _signs_in(tmp_path, "sec01", "钢球-保密柜-2031-蓝色")


WEAK = [
    ("", "the password is empty"),
    ("short1!", "has 7 characters; use at least 10"),
    ("password123", "too easy to guess"),
    ("hr01hr01hr01", "too easy to guess"),       # the account's own id counts as guessable
]


def test_a_weak_password_is_refused_with_its_reason_and_nothing_changes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("user", "add", "hr01", "--name", "李娜", "--role", "hr").returncode == 0
    assert run("user", "password", "hr01", "--stdin", stdin=GOOD).returncode == 0
    for password, reason in WEAK:
        refused = run("user", "password", "hr01", "--stdin", stdin=password + "\n", ok=False)
        assert refused.returncode != 0, password
        assert reason in refused.stderr and "nothing was changed" in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
    assert _signs_in(tmp_path, "hr01", GOOD)               # the old password still works

    new_account = run("user", "add", "hr02", "--name", "王芳", "--role", "hr", "--password-stdin", stdin="password123",
                      ok=False)
    assert new_account.returncode != 0 and "too easy to guess" in new_account.stderr
    assert "hr02" not in run("user", "list").stdout          # not created without the password it was to have


def test_password_needs_an_existing_account_and_a_terminal_or_stdin(run) -> None:  # type: ignore[no-untyped-def]
    missing = run("user", "password", "nobody", "--stdin", stdin=GOOD, ok=False)
    assert missing.returncode != 0 and "there is no user 'nobody'" in missing.stderr
    assert run("user", "add", "hr01", "--name", "李娜", "--role", "hr").returncode == 0
    no_tty = run("user", "password", "hr01", stdin=GOOD, ok=False)
    assert no_tty.returncode != 0 and "pass --stdin" in no_tty.stderr
