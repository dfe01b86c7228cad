"""The MIBAO_LDAP_* settings: read once, refused with a message naming the variable when they are wrong."""

from __future__ import annotations

import pytest

from records.directory import DirectorySettings

BASE = {"MIBAO_LDAP_URL": "ldaps://dc1.example.com", "MIBAO_LDAP_USER_BASE": "ou=people,dc=example,dc=com"}


def test_no_url_means_no_directory() -> None:
    assert DirectorySettings.from_env({}) is None
    assert DirectorySettings.from_env({"MIBAO_LDAP_USER_BASE": "ou=people,dc=example,dc=com"}) is None


def test_the_defaults_are_openldap_and_the_password_is_never_shown() -> None:
    settings = DirectorySettings.from_env({**BASE, "MIBAO_LDAP_BIND_PASSWORD": " s3cret "})
    assert settings is not None
    assert (settings.user_filter, settings.id_attr, settings.name_attr, settings.mail_attr) == (
        "(uid={username})", "uid", "cn", "mail")
    assert settings.bind_password == " s3cret "            # a secret is taken as it is, spaces and all
    assert "s3cret" not in repr(settings)


def test_an_active_directory_configuration() -> None:
    settings = DirectorySettings.from_env({
        **BASE, "MIBAO_LDAP_USER_FILTER": "(&(objectCategory=person)(objectClass=user)(sAMAccountName={username}))",
        "MIBAO_LDAP_ID_ATTR": "sAMAccountName", "MIBAO_LDAP_DEPARTMENT_ATTR": "department",
        "MIBAO_LDAP_IDENTIFIER_ATTR": "employeeID", "MIBAO_LDAP_MEMBER_OF_ATTR": "memberOf",
        "MIBAO_LDAP_GROUP_ROLES": "CN=HR Staff,OU=Groups,DC=example,DC=com=hr;保密办=secrecy_office"})
    assert settings is not None and settings.member_of_attr == "memberOf"
    assert settings.group_roles == (("CN=HR Staff,OU=Groups,DC=example,DC=com", "hr"), ("保密办", "secrecy_office"))
    # A DN key matches the group's DN whatever its case and spacing; a plain key matches the group's common name.
    assert settings.roles_for(["cn=hr staff, ou=groups, dc=example, dc=com"]) == ("hr",)
    assert settings.roles_for(["CN=保密办,OU=Groups,DC=example,DC=com", "CN=HR Staff,OU=Other,DC=example,DC=com"]) \
        == ("secrecy_office",)
    assert settings.managed_roles == {"hr", "secrecy_office"}


@pytest.mark.parametrize(("env", "message"), [
    ({"MIBAO_LDAP_USER_BASE": ""}, "MIBAO_LDAP_USER_BASE must be"),
    ({"MIBAO_LDAP_BIND_DN": "cn=mibao,dc=example,dc=com"}, "MIBAO_LDAP_BIND_PASSWORD must be"),
    ({"MIBAO_LDAP_URL": "ldap://dc1.example.com"}, "would send passwords in clear"),
    ({"MIBAO_LDAP_URL": "http://dc1.example.com"}, "must be ldap://host"),
    ({"MIBAO_LDAP_USER_FILTER": "(uid=*)"}, "with {username} where the name goes"),
    ({"MIBAO_LDAP_GROUP_ROLES": "committee=committee", "MIBAO_LDAP_GROUP_BASE": "ou=g"}, "follows the posts"),
    ({"MIBAO_LDAP_GROUP_ROLES": "hr=admin", "MIBAO_LDAP_GROUP_BASE": "ou=g"}, "not group=role"),
    ({"MIBAO_LDAP_GROUP_ROLES": "hr"}, "needs to know where the groups are"),
    ({"MIBAO_LDAP_ID_ATTR": "uid)(cn=*"}, "MIBAO_LDAP_ID_ATTR is"),
    ({"MIBAO_LDAP_TIMEOUT": "0"}, "MIBAO_LDAP_TIMEOUT is"),
    ({"MIBAO_LDAP_START_TLS": "maybe"}, "MIBAO_LDAP_START_TLS is"),
])
def test_a_wrong_setting_stops_the_start_naming_it(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("{", r"\{")):
        DirectorySettings.from_env({**BASE, **env})


def test_plain_ldap_is_accepted_with_start_tls_on_this_machine_or_when_said_so() -> None:
    for extra in ({"MIBAO_LDAP_START_TLS": "1"}, {"MIBAO_LDAP_ALLOW_PLAINTEXT": "1"}):
        assert DirectorySettings.from_env({**BASE, "MIBAO_LDAP_URL": "ldap://dc1.example.com", **extra})
    assert DirectorySettings.from_env({**BASE, "MIBAO_LDAP_URL": "ldap://127.0.0.1:3890"})
