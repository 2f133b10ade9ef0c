"""Choosing the language of a request, and remembering a person's choice."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import Environment

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


def install_template_gettext(env: Environment) -> None:
    """Templates' ``_``, ``gettext`` and ``ngettext`` find the request's catalogue once, not once per sentence.

    Flask-Babel's own callables look up the context, the domain and the locale (formatting the locale's name)
    for every sentence: about a quarter of a question page's template time, measured. The catalogue found is
    kept on Flask-Babel's per-request context beside the locale and domain it was found for, so a
    ``force_locale`` (letters in the person's language) or a changed domain finds the right one again.
    """
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )


def _catalogue() -> Any:
    """The request's default-domain catalogue (Flask-Babel's answer, remembered for this locale and domain)."""
    context = _babel_context()
    if context is None:
        return get_translations()
    locale = getattr(context, "babel_locale", None)
    domain = getattr(context, "babel_domain", None)
    kept = getattr(context, "portal_catalogue", None)
    if kept is not None and kept[0] is locale and kept[1] is domain and locale is not None:
        return kept[2]
    catalogue = get_translations()  # sets babel_locale (and babel_domain) on the context when first asked
    context.portal_catalogue = (
        getattr(context, "babel_locale", None),
        getattr(context, "babel_domain", None),
        catalogue,
    )
    return catalogue


def _babel_context() -> Any:
    """Flask-Babel's per-request namespace, or None outside an application context."""
    return g.get("_flask_babel") if has_app_context() else None
