"""The public pages render properly in every language."""

from __future__ import annotations

import pytest

from portal.i18n import LANGUAGES
from portal.pages import INFO_PAGES

PUBLIC = (
    "pages.start",
    *(f"pages.{name}" for name in INFO_PAGES),
    "accounts.sign_in",
    "accounts.register",
    "accounts.forgotten_password",
)


@pytest.mark.parametrize("endpoint", PUBLIC)
@pytest.mark.parametrize("lang", [language.code for language in LANGUAGES])
def test_public_page_in_every_language(client_request, endpoint, lang):
    page = client_request.get(endpoint, _lang=lang, _query=f"lang={lang}")
    switcher = page.select(".app-language-switcher a")
    # The switcher offers the other three languages, each named in its own language and marked with its lang.
    assert sorted(a["lang"] for a in switcher) == sorted(code.code for code in LANGUAGES if code.code != lang)
    assert page.select_one(".app-language-switcher [aria-current]")["lang"] == lang
    footer_links = {a.get_text(strip=True) for a in page.select("footer a")}
    assert len(footer_links) == 5


def test_language_choice_is_remembered_and_keeps_the_place(client):
    response = client.get("/privacy?lang=cy")
    assert 'lang="cy"' in response.get_data(as_text=True)
    # Without ?lang the session remembers it.
    assert 'lang="cy"' in client.get("/cookies").get_data(as_text=True)
    html = client.get("/cookies").get_data(as_text=True)
    assert 'href="/cookies?lang=en"' in html  # the switcher keeps the person on the same page


def test_urdu_is_right_to_left_with_its_own_stylesheet(client):
    html = client.get("/?lang=ur").get_data(as_text=True)
    assert '<html lang="ur" dir="rtl"' in html
    assert "app-rtl.css" in html
    assert "app-rtl.css" not in client.get("/?lang=en").get_data(as_text=True)


def test_browser_language_is_used_when_nothing_was_chosen(client):
    html = client.get("/", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert 'lang="pl"' in html


def test_unknown_language_falls_back_to_english(client):
    html = client.get("/?lang=xx").get_data(as_text=True)
    assert 'lang="en"' in html


def test_contact_page_lists_organisations(client_request, make_organisation):
    make_organisation("Northfield City Council")
    page = client_request.get("pages.contact")
    assert "Northfield City Council" in page.get_text()
    assert page.select_one('a[href="mailto:care@northfield-city-council.example.org"]')


def test_missing_page_is_a_proper_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_healthz(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["database"] == {"ok": True} and body["jobs"]["ok"]


def test_english_is_british_english(app):
    from datetime import date

    from flask_babel import refresh

    from portal.formatting import format_day, format_money

    with app.test_request_context("/?lang=en"):
        assert format_day(date(2026, 11, 23)) == "23 November 2026"
        assert format_money(24095) == "£240.95"
    with app.test_request_context("/?lang=pl"):
        refresh()  # the fixture's shared app context would otherwise keep the English locale
        assert format_day(date(2026, 11, 23)) == "23 listopada 2026"


def test_kept_url_builders_build_what_werkzeug_compiles(app):
    """The tests keep Werkzeug's URL builders between apps (tests/conftest.py): every route of this app builds
    the same URL, with and without query values, as a builder compiled for it alone."""
    from werkzeug.routing import IntegerConverter
    from werkzeug.routing.rules import Rule

    compiled = Rule._compile_builder.compiled
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 100
    for rule in rules:
        values = {
            name: 7 if isinstance(rule._converters.get(name), IntegerConverter) else f"v-{name}"
            for name in rule.arguments
            if name not in (rule.defaults or {})
        }
        for unknown, built in ((False, rule._build), (True, rule._build_unknown)):
            fresh = compiled(rule, unknown).__get__(rule, None)
            extra = {"q": "a b"} if unknown else {}
            assert built(**values, **extra) == fresh(**values, **extra), rule.rule
