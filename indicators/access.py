"""Who may change data: sign-in, the editors list and read-only mode, decided from settings.

Three ways the dashboard runs:

* **one analyst's machine** (no sign-in configured): whoever uses it may upload and
  review, under a name they give once per session;
* **a team** (an ``[auth]`` section in ``secrets.toml``, any OpenID Connect provider):
  everyone signs in; the editors listed in the configuration may change data, everyone
  else views;
* **a shared screen** (``read_only``): nobody changes anything, signed in or not.

The settings come from the ``[indicators]`` table of ``secrets.toml`` and from the
environment (``INDICATORS_EDITORS``, ``INDICATORS_READ_ONLY``); this module only decides,
the dashboard (``app_pages/auth.py``) asks Streamlit who is signed in.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from indicators.errors import InputError

Role = Literal["editor", "viewer"]

#: A name given without sign-in is cut to this length (it is a label in the logs).
MAX_NAME = 80
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# Editors may be listed by comma, semicolon or whitespace (one per line in a .env file).
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Access:
    """How this dashboard is configured: sign-in or not, who edits, read-only or not."""

    sign_in: bool
    editors: frozenset[str] = frozenset()
    read_only: bool = False


@dataclass(frozen=True)
class User:
    """Someone using the dashboard, as the logs record them.

    ``name`` is what a change is recorded under: the email when signed in, otherwise the
    name given for the session; never empty.
    """

    name: str
    role: Role
    email: str | None = None
    display_name: str | None = None

    @property
    def can_edit(self) -> bool:
        return self.role == "editor"


def email_key(email: str) -> str:
    """An email as compared with the editors list: trimmed, case-folded.

    >>> email_key("  Editor@Example.ORG ")
    'editor@example.org'
    """
    return unicodedata.normalize("NFKC", email).strip().casefold()


def _flag(name: str, raw: object) -> bool:
    """A yes/no setting; a wrong one is a one-line error (never read as either)."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"{name}={raw!r}: expected 1 or 0 (true or false)")


def _emails(name: str, raw: object) -> set[str]:
    """Editor emails from a list or a string of them; anything else is a one-line error."""
    if isinstance(raw, str):
        items: Iterable[object] = _SEPARATORS.split(raw)
    elif isinstance(raw, list | tuple):
        items = raw
    else:
        raise InputError(f"{name}: expected a list of email addresses, got {raw!r}")
    found = set()
    for item in items:
        if not isinstance(item, str):
            raise InputError(f"{name}: expected email addresses, got {item!r}")
        if item.strip():
            if "@" not in item:
                raise InputError(f"{name}: {item.strip()!r} is not an email address")
            found.add(email_key(item))
    return found


def settings(secrets: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Access:
    """The access settings from ``secrets.toml`` (as a mapping) and the environment.

    Sign-in is configured by an ``[auth]`` section. Editors are the union of
    ``[indicators] editors`` and ``INDICATORS_EDITORS``; read-only holds if either
    ``[indicators] read_only`` or ``INDICATORS_READ_ONLY`` says so.

    >>> settings({}, {})
    Access(sign_in=False, editors=frozenset(), read_only=False)
    >>> a = settings({"auth": {"client_id": "x"}, "indicators": {"editors": ["A@x.org"]}},
    ...              {"INDICATORS_EDITORS": "b@x.org, c@x.org", "INDICATORS_READ_ONLY": "0"})
    >>> a.sign_in, sorted(a.editors), a.read_only
    (True, ['a@x.org', 'b@x.org', 'c@x.org'], False)
    >>> settings({}, {"INDICATORS_READ_ONLY": "maybe"})
    Traceback (most recent call last):
    indicators.errors.InputError: INDICATORS_READ_ONLY='maybe': expected 1 or 0 (true or false)
    """
    environ = os.environ if environ is None else environ
    section = secrets.get("indicators") or {}
    if not isinstance(section, Mapping):
        raise InputError("secrets.toml: [indicators] must be a table")
    editors = _emails("[indicators] editors", section.get("editors", []))
    editors |= _emails("INDICATORS_EDITORS", environ.get("INDICATORS_EDITORS", ""))
    read_only = _flag("[indicators] read_only", section.get("read_only", False))
    read_only |= _flag("INDICATORS_READ_ONLY", environ.get("INDICATORS_READ_ONLY", ""))
    return Access(
        sign_in=bool(secrets.get("auth")), editors=frozenset(editors), read_only=read_only
    )


def signed_in_user(access: Access, claims: Mapping[str, Any]) -> User:
    """The user an identity provider signed in, from the claims of their ID token.

    An editor is one whose email is on the editors list, unless the provider says the
    email is not verified (anyone could type someone else's address into an
    unverified account) or the dashboard is read-only.

    >>> team = Access(sign_in=True, editors=frozenset({"editor@example.org"}))
    >>> signed_in_user(team, {"email": "Editor@example.org", "email_verified": True}).role
    'editor'
    >>> signed_in_user(team, {"email": "editor@example.org", "email_verified": False}).role
    'viewer'
    >>> signed_in_user(team, {"email": "viewer@example.org", "name": "V"})
    User(name='viewer@example.org', role='viewer', email='viewer@example.org', display_name='V')
    >>> signed_in_user(team, {"sub": "248289761001"}).name  # no email claim: the subject
    '248289761001'
    """
    raw_email = claims.get("email")
    email = email_key(raw_email) if isinstance(raw_email, str) and raw_email.strip() else None
    verified = claims.get("email_verified") is not False
    editor = email is not None and verified and email in access.editors and not access.read_only
    display = claims.get("name")
    name = email or str(claims.get("sub") or display or "").strip()
    if not name:  # a provider that names nobody: refuse rather than log an empty author
        raise InputError("the identity provider returned neither an email nor a subject")
    return User(
        name=name,
        role="editor" if editor else "viewer",
        email=email,
        display_name=str(display) if display else None,
    )


def clean_name(text: str) -> str | None:
    """A name typed by the analyst, as the logs will keep it; ``None`` if it is blank.

    >>> clean_name("  Tanaka \\n Hanako ")
    'Tanaka Hanako'
    >>> clean_name("   ") is None
    True
    """
    name = " ".join(unicodedata.normalize("NFKC", text).split())[:MAX_NAME]
    return name or None


def local_user(access: Access, name: str) -> User:
    """The analyst of a dashboard without sign-in: an editor unless it is read-only.

    >>> local_user(Access(sign_in=False), "Tanaka")
    User(name='Tanaka', role='editor', email=None, display_name=None)
    >>> local_user(Access(sign_in=False, read_only=True), "Tanaka").can_edit
    False
    """
    cleaned = clean_name(name)
    if cleaned is None:
        raise InputError("a name is needed for the log")
    return User(name=cleaned, role="viewer" if access.read_only else "editor")
