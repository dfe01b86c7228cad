"""Signing in against a real OpenLDAP server: the right password finds the person and their roles; anything else
is None, and a directory that cannot be asked is an error of its own (never "wrong password")."""

from __future__ import annotations

import dataclasses
import socket
import threading

import pytest

from records.directory import DirectorySettings, DirectoryUnavailable, authenticate
from tests.identity.conftest import GROUPS, PASSWORDS, PEOPLE, Slapd, free_port


def test_the_right_password_gives_the_person_with_the_roles_of_their_groups(settings: DirectorySettings) -> None:
    person = authenticate(settings, "zhangwei", PASSWORDS["zhangwei"])
    assert person is not None
    assert (person.dn, person.username, person.name, person.email, person.department, person.identifier) == (
        f"uid=zhangwei,{PEOPLE}", "zhangwei", "张伟", "zhangwei@example.com", "人力资源部", "E0101")
    assert sorted(person.groups) == [f"cn=hr,{GROUPS}", f"cn=secrecy,{GROUPS}"]
    assert person.roles == ("hr", "secrecy_office")               # the mapping's order
    # displayName wins over cn; a group the mapping does not name gives nothing; no mail is None.
    wang = authenticate(settings, "wangzq", PASSWORDS["wangzq"])
    lina = authenticate(settings, "lina", PASSWORDS["lina"])
    assert wang is not None and (wang.name, wang.roles) == ("王志强（工艺）", ())
    assert lina is not None and (lina.name, lina.email) == ("李娜", None)
    chen = authenticate(settings, " chenjh ", PASSWORDS["chenjh"])
    assert chen is not None and chen.groups == (f"cn=committee,{GROUPS}",) and chen.roles == ()


@pytest.mark.parametrize(("username", "password"), [
    ("zhangwei", "wrong"),
    ("zhangwei", PASSWORDS["lina"]),         # another person's password
    ("zhangwei", ""),                        # would be an "unauthenticated bind": refused before any bind
    ("", ""),
    ("nobody", "whatever"),
    ("zhangwei ", "zhang-wei-2026"),         # passwords are exact
])
def test_anything_but_the_right_password_is_none(settings: DirectorySettings, username: str, password: str) -> None:
    assert authenticate(settings, username, password) is None


@pytest.mark.parametrize("username", ["*", "zhang*", "*)(uid=*", "zhangwei)(|(uid=*", "*)(|(objectClass=*)",
                                      "zhangwei\\", "zhangwei\x00"])
def test_a_name_is_never_filter_syntax(settings: DirectorySettings, username: str) -> None:
    # Unescaped, "zhang*" would match zhangwei's entry alone, and his password would then sign in "zhang*".
    assert authenticate(settings, username, PASSWORDS["zhangwei"]) is None


def test_a_name_matching_several_entries_is_none(settings: DirectorySettings, directory: Slapd) -> None:
    with directory.admin() as admin:             # a second zhangwei, outside ou=people
        admin.add(f"uid=zhangwei,{GROUPS}", ["inetOrgPerson"],
                  {"cn": "张伟", "sn": "张", "userPassword": PASSWORDS["zhangwei"]})
    wide = dataclasses.replace(settings, user_base="dc=example,dc=com")
    assert authenticate(wide, "zhangwei", PASSWORDS["zhangwei"]) is None
    assert authenticate(settings, "zhangwei", PASSWORDS["zhangwei"]) is not None


def test_a_directory_that_cannot_be_asked_says_what_to_check(settings: DirectorySettings) -> None:
    down = dataclasses.replace(settings, url=f"ldap://127.0.0.1:{free_port()}")
    with pytest.raises(DirectoryUnavailable, match=r"cannot reach the directory at ldap://127\.0\.0\.1.*MIBAO_LDAP_URL"):
        authenticate(down, "zhangwei", PASSWORDS["zhangwei"])
    refused = dataclasses.replace(settings, bind_password="not-the-service-password")
    with pytest.raises(DirectoryUnavailable, match=r"refused the service account .*MIBAO_LDAP_BIND_PASSWORD") as caught:
        authenticate(refused, "zhangwei", PASSWORDS["zhangwei"])
    assert "not-the-service-password" not in str(caught.value)
    nowhere = dataclasses.replace(settings, user_base="ou=staff,dc=example,dc=com")
    with pytest.raises(DirectoryUnavailable, match=r"noSuchObject.*MIBAO_LDAP_USER_BASE"):
        authenticate(nowhere, "zhangwei", PASSWORDS["zhangwei"])


def test_a_server_that_hangs_up_is_unavailable_not_a_wrong_password(settings: DirectorySettings) -> None:
    # A listener that accepts and closes at once, like a server going down in the middle of an answer.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        hang_up = threading.Thread(target=lambda: listener.accept()[0].close())
        hang_up.start()
        closing = dataclasses.replace(settings, url=f"ldap://127.0.0.1:{listener.getsockname()[1]}", timeout=2)
        with pytest.raises(DirectoryUnavailable, match="cannot reach the directory"):
            authenticate(closing, "zhangwei", PASSWORDS["zhangwei"])
        hang_up.join()
