"""Language and Easy Read switches change this session only; letters and emails follow the account's choice,
made on the account page (issue 13 item 2, issue 18 finding)."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Account
from tests.conftest import sign_in


def _account(email: str) -> Account:
    db.session.expire_all()
    return db.session.scalar(select(Account).filter_by(email=email))


def test_a_link_with_lang_and_easy_read_changes_only_this_session(client, make_account):
    account = make_account(email="alex@example.org")
    sign_in(client, account)
    page = client.get("/my/?lang=cy&easy_read=1").get_data(as_text=True)
    assert 'lang="cy"' in page
    assert 'lang="cy"' in client.get("/my/").get_data(as_text=True)  # kept for the session
    stored = _account("alex@example.org")
    assert stored.locale == "en" and stored.easy_read is False  # letters and emails stay in English

    other = client.application.test_client()
    sign_in(other, account)
    assert 'lang="en"' in other.get("/my/").get_data(as_text=True)


def test_the_switch_links_keep_the_page_and_its_place(client, make_account):
    sign_in(client, make_account())
    html = client.get("/my/new?x=1").get_data(as_text=True)
    assert 'href="/my/new?x=1&amp;lang=pl"' in html
