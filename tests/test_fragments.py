"""The layout's pieces rendered once (portal/fragments.py) read exactly as they would rendered afresh, in every
language and for everyone: a key that misses what a piece depends on would show one person's header to another."""

from __future__ import annotations

import re

import pytest

from portal import fragments
from portal.i18n import LANGUAGES
from portal.models import Role
from tests.conftest import sign_in

PIECES = {
    "header": re.compile(r'<a href="#main-content".*?</section>', re.S),
    "footer": re.compile(r"<footer.*?</footer>", re.S),
    "dialog": re.compile(r"<dialog.*?</dialog>", re.S),
}


def _pieces(html: str) -> dict[str, str]:
    found = {name: pattern.search(html) for name, pattern in PIECES.items()}
    return {name: match.group(0) if match else "" for name, match in found.items()}


@pytest.fixture
def people(app, make_account, make_organisation):
    council = make_organisation("Northfield")
    clients = {"nobody": app.test_client()}
    for role in (Role.CITIZEN, Role.ASSESSOR, Role.ADMIN):
        client = app.test_client()
        sign_in(client, make_account(role, organisation=None if role is Role.CITIZEN else council))
        clients[role.value] = client
    return clients


def test_every_piece_reads_as_rendered_afresh_in_every_language_for_everyone(app, people):
    kept = app.jinja_env.portal_fragments = {}
    for language in LANGUAGES:
        for who, client in people.items():
            # Rendered with whatever the people before left in the cache ...
            reused = _pieces(client.get(f"/?lang={language.code}").get_data(as_text=True))
            kept.clear()
            # ... and with nothing in it.
            afresh = _pieces(client.get(f"/?lang={language.code}").get_data(as_text=True))
            assert reused == afresh, (language.code, who)
            assert afresh["header"] and afresh["footer"], (language.code, who)
            assert bool(afresh["dialog"]) == (who != "nobody"), (language.code, who)


def test_the_pieces_say_who_is_signed_in_and_in_their_language(people):
    pages = {who: client.get("/").get_data(as_text=True) for who, client in people.items()}
    assert "Create an account" in pages["nobody"] and "Sign out" not in pages["nobody"]
    assert "Your assessments" in pages["citizen"] and "Staff home" not in pages["citizen"]
    assert "Staff home" in pages["assessor"] and "Your assessments" not in pages["assessor"]
    welsh = people["citizen"].get("/?lang=cy").get_data(as_text=True)
    assert _pieces(welsh)["footer"] != _pieces(pages["citizen"])["footer"]


def test_a_piece_is_rendered_once_and_then_reused(app, people):
    client = people["citizen"]
    client.get("/")
    kept = dict(app.jinja_env.portal_fragments)
    assert {key[0] for key in kept} == {
        "components/header.html",
        "components/footer.html",
        "components/session_dialog.html",
    }
    client.get("/my/")
    assert app.jinja_env.portal_fragments == kept
    assert all(app.jinja_env.portal_fragments[key] is html for key, html in kept.items())


def test_the_links_follow_the_path_the_portal_is_served_under(people):
    client = people["nobody"]
    client.get("/")  # the pieces for the portal at the root, kept
    html = client.get("/", base_url="http://localhost/care/").get_data(as_text=True)
    links = re.findall(r'href="([^"]+)"', _pieces(html)["footer"])
    assert "/care/privacy" in links
    assert all(link.startswith("/care/") for link in links)


def test_past_the_limit_pieces_are_rendered_each_time_and_not_kept(app, people, monkeypatch):
    monkeypatch.setattr(fragments, "LIMIT", 0)
    app.jinja_env.portal_fragments = {}
    for who in ("nobody", "citizen", "assessor"):
        html = people[who].get("/").get_data(as_text=True)
        assert _pieces(html)["header"] and _pieces(html)["footer"]
    assert app.jinja_env.portal_fragments == {}
    assert "Staff home" in people["assessor"].get("/").get_data(as_text=True)
