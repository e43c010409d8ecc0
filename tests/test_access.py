"""indicators.access: who may change data, from secrets.toml's tables and the environment."""

from __future__ import annotations

import tomllib

import pytest

from indicators.access import Access, local_user, settings, signed_in_user
from indicators.errors import InputError

TEAM_SECRETS = """
[auth]
redirect_uri = "https://indicators.example.org/oauth2callback"
cookie_secret = "a long random string"
client_id = "indicators"
client_secret = "s3cret"
server_metadata_url = "https://login.example.org/.well-known/openid-configuration"

[indicators]
editors = ["Editor@Example.org", "second@example.org"]
"""


def test_a_team_setup_as_the_readme_writes_it() -> None:
    access = settings(tomllib.loads(TEAM_SECRETS), {})
    assert access == Access(
        sign_in=True, editors=frozenset({"editor@example.org", "second@example.org"})
    )
    claims = {"email": "editor@example.org", "email_verified": True, "name": "E"}
    assert signed_in_user(access, claims).can_edit
    assert not signed_in_user(access, {"email": "someone@example.org"}).can_edit


def test_editors_from_the_environment_join_those_of_the_file() -> None:
    access = settings(
        tomllib.loads(TEAM_SECRETS), {"INDICATORS_EDITORS": "third@example.org\nfourth@x.org;"}
    )
    assert access.editors == {
        "editor@example.org",
        "second@example.org",
        "third@example.org",
        "fourth@x.org",
    }


@pytest.mark.parametrize("source", ["file", "env"])
def test_read_only_leaves_nobody_editing(source: str) -> None:
    secrets = tomllib.loads(TEAM_SECRETS)
    env = {}
    if source == "file":
        secrets["indicators"]["read_only"] = True
    else:
        env["INDICATORS_READ_ONLY"] = "1"
    access = settings(secrets, env)
    assert access.read_only
    assert not signed_in_user(access, {"email": "editor@example.org"}).can_edit
    assert not local_user(access, "Tanaka").can_edit


def test_without_sign_in_the_analyst_edits_under_the_name_given() -> None:
    access = settings({}, {"INDICATORS_EDITORS": "editor@example.org"})
    assert not access.sign_in
    user = local_user(access, "  田中　花子 ")
    assert (user.name, user.can_edit, user.email) == ("田中 花子", True, None)
    with pytest.raises(InputError, match="name"):
        local_user(access, " \t ")


@pytest.mark.parametrize(
    ("secrets", "env", "message"),
    [
        ({}, {"INDICATORS_READ_ONLY": "sometimes"}, "INDICATORS_READ_ONLY='sometimes'"),
        ({"indicators": {"read_only": "maybe"}}, {}, r"\[indicators\] read_only='maybe'"),
        ({}, {"INDICATORS_EDITORS": "editor"}, "'editor' is not an email address"),
        ({"indicators": {"editors": "a@x.org"}}, {}, None),  # one string is one address
        ({"indicators": {"editors": 3}}, {}, "expected a list of email addresses"),
        ({"indicators": {"editors": [3]}}, {}, "expected email addresses"),
        ({"indicators": "editors"}, {}, "must be a table"),
    ],
)
def test_a_wrong_setting_is_one_line(secrets: dict, env: dict, message: str | None) -> None:
    if message is None:
        assert settings(secrets, env).editors == {"a@x.org"}
        return
    with pytest.raises(InputError, match=message) as error:
        settings(secrets, env)
    assert "\n" not in str(error.value)


def test_an_unverified_email_is_not_an_editor() -> None:
    access = Access(sign_in=True, editors=frozenset({"editor@example.org"}))
    unverified = signed_in_user(access, {"email": "editor@example.org", "email_verified": False})
    assert (unverified.name, unverified.can_edit) == ("editor@example.org", False)


def test_a_provider_that_names_nobody_is_refused() -> None:
    with pytest.raises(InputError, match="neither an email nor a subject"):
        signed_in_user(Access(sign_in=True), {"email": "  ", "sub": ""})
