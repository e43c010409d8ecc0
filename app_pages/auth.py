"""Sign-in and roles in the dashboard: the sign-in screen, who is using it, who may edit.

Not a page. :func:`gate` runs before anything else (``common.start``): when sign-in is
configured (an ``[auth]`` section in ``secrets.toml``, any OpenID Connect provider,
through ``st.login``) and nobody is signed in, it shows the sign-in screen and nothing
else. The decisions themselves are :mod:`indicators.access`'s.

A page that changes data asks :func:`editor` (inline: it explains why not, or asks the
analyst's name, and returns ``None``) or :func:`require_editor` (a page that only edits),
and records the change under ``user.name``: the signed-in email, or without sign-in the
name the analyst gave. That name is kept in the session only: not in the URL, whose
links are shared (whoever opens one would act under it), nor in a cookie, which
Streamlit can read but not set without a custom component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st
from streamlit.errors import StreamlitAuthError

from indicators import access
from indicators.errors import InputError
from indicators.i18n import t

if TYPE_CHECKING:
    from app_pages.common import Context

#: Session key of the name given without sign-in (the session's only record of it).
NAME_KEY = "_user_name"


def _secrets() -> dict[str, object]:
    """``secrets.toml`` as a mapping; empty when there is none (one analyst's machine)."""
    if not st.secrets.load_if_toml_exists():
        return {}
    return st.secrets.to_dict()


def settings(lang: str) -> access.Access:
    """The access settings; a wrong one stops the app with its one line."""
    try:
        return access.settings(_secrets())
    except InputError as error:
        st.error(f"{t('auth_settings_wrong', lang)}: {error}")
        st.stop()


def _signed_in() -> bool:
    return bool(st.user.get("is_logged_in"))


def gate(lang: str) -> access.Access:
    """Stop at the sign-in screen when sign-in is configured and nobody is signed in."""
    config = settings(lang)
    if not config.sign_in or _signed_in():
        return config
    st.title(t("app_title", lang))
    st.subheader(t("signin_title", lang))
    st.write(t("signin_body", lang))
    if st.button(t("signin_button", lang), type="primary", icon=":material/login:"):
        try:
            st.login()
        except StreamlitAuthError as error:  # [auth] incomplete: say which part
            st.error(f"{t('auth_settings_wrong', lang)}: {error}")
    st.stop()


def current_user(ctx: Context) -> access.User | None:
    """Who is using the dashboard: the signed-in user, or the analyst under the name
    given this session; ``None`` while nobody is signed in or no name was given yet."""
    config = settings(ctx.lang)
    if config.sign_in:
        if not _signed_in():
            return None
        try:
            return access.signed_in_user(config, st.user.to_dict())
        except InputError as error:
            st.error(f"{ctx.t('auth_settings_wrong')}: {error}")
            st.stop()
    name = st.session_state.get(NAME_KEY)
    return access.local_user(config, name) if name else None


def can_edit(ctx: Context) -> bool:
    """Whether this user may change data (upload, review, define indicators).

    With sign-in: a listed editor. Without: anyone, once they give a name (see
    :func:`editor`). Never on a read-only dashboard.
    """
    config = settings(ctx.lang)
    if config.read_only:
        return False
    if not config.sign_in:
        return True
    user = current_user(ctx)
    return user is not None and user.can_edit


def editor(ctx: Context) -> access.User | None:
    """The user a change is recorded under, or ``None`` after saying why there is none:
    a read-only screen, a viewer, or (without sign-in) a name not yet given, which it
    asks for here; call it where the editing widgets would go."""
    config = settings(ctx.lang)
    if config.read_only:
        st.info(ctx.t("read_only_note"), icon=":material/visibility:")
        return None
    user = current_user(ctx)
    if config.sign_in:
        if user is None or not user.can_edit:
            st.info(ctx.t("viewer_note"), icon=":material/visibility:")
            return None
        return user
    if user is None:
        _ask_name(ctx)
    return user


def require_editor(ctx: Context) -> access.User:
    """:func:`editor` for a page that only edits: stops the page when there is none."""
    user = editor(ctx)
    if user is None:
        st.stop()
    return user


def _ask_name(ctx: Context) -> None:
    """The analyst's name, asked once per session (kept in the session state)."""
    with st.form("user_name", border=False):
        typed = st.text_input(
            ctx.t("your_name"),
            max_chars=access.MAX_NAME,
            help=ctx.t("your_name_help"),
            key="user_name_input",
        )
        given = st.form_submit_button(ctx.t("name_ok"), key="user_name_ok")
    if not given:
        st.caption(ctx.t("name_needed"))
        return
    name = access.clean_name(typed)
    if name is None:
        st.warning(ctx.t("name_needed"))
        return
    st.session_state[NAME_KEY] = name
    st.rerun()


def sidebar(ctx: Context) -> None:
    """Who is working, and sign out (or change the name given)."""
    config = settings(ctx.lang)
    user = current_user(ctx)
    with st.sidebar:
        st.divider()
        if config.read_only:
            st.caption(f":material/visibility: {ctx.t('read_only')}")
        if config.sign_in and user is not None:
            role = ctx.t("role_editor" if user.can_edit else "role_viewer")
            st.caption(f":material/person: {ctx.t('signed_in_as', name=_md(user.name), role=role)}")
            if st.button(ctx.t("signout_button"), icon=":material/logout:", key="signout"):
                st.logout()
        elif user is not None:
            st.caption(f":material/person: {ctx.t('working_as', name=_md(user.name))}")
            if st.button(ctx.t("change_name"), key="change_name"):
                del st.session_state[NAME_KEY]
                st.rerun()


def _md(text: str) -> str:
    """A name or email shown in Markdown as written (they come from outside)."""
    from app_pages.common import md  # common imports this module: import on use

    return md(text)
