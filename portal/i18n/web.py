"""Choosing the language of a request, and remembering a person's choice."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from portal.i18n import BY_CODE, DEFAULT, babel_locale, normalise

SESSION_KEY = "lang"


def current_code() -> str:
    """The language code of the current request (``en``, ``cy``, ``pl`` or ``ur``)."""
    return normalise(str(get_locale() or DEFAULT)) or DEFAULT


def select_locale() -> str:
    """The request's Babel locale, from its language: see :func:`choose_language` (English off a request)."""
    if not has_request_context():
        return babel_locale(DEFAULT)
    return babel_locale(choose_language())


def choose_language() -> str:
    """The request's language: an explicit ?lang=, the session, the account, then the browser."""
    chosen = normalise(request.args.get("lang"))
    if chosen:
        return chosen
    remembered = normalise(session.get(SESSION_KEY))
    if remembered:
        return remembered
    if getattr(current_user, "is_authenticated", False):
        account_locale = normalise(current_user.locale)
        if account_locale:
            return account_locale
    best = request.accept_languages.best_match(list(current_app.config["LANGUAGES"]))
    return best or DEFAULT


def easy_read() -> bool:
    """Whether the person chose the Easy Read wording (this session's choice, else their account's)."""
    if "easy_read" in session:
        return bool(session["easy_read"])
    return bool(getattr(current_user, "is_authenticated", False) and current_user.easy_read)


def remember_choice() -> None:
    """Keep an explicit ?lang= or ?easy_read= choice for this session only.

    A link (a plain GET, which any site can make a browser follow) never changes what is stored on the account:
    the language of letters and emails changes only when the person chooses it on their account page (a POST).
    """
    wanted = request.args.get("easy_read")
    if wanted in ("0", "1") and session.get("easy_read") != (wanted == "1"):
        session["easy_read"] = wanted == "1"
    chosen = normalise(request.args.get("lang"))
    if chosen and chosen in BY_CODE and session.get(SESSION_KEY) != chosen:
        session[SESSION_KEY] = chosen
