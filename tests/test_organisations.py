"""The deployment administrator creates organisations and their first admins; the demo mailbox."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.jobs import work
from portal.mail import SinkHandler
from portal.models import Account, AuditEvent, Organisation, Role
from tests.conftest import csrf_from, sign_in

FORM = {
    "name": "Southmere Borough Council",
    "kind": "council",
    "contact_email": "care@southmere.example.org",
    "contact_phone": "0300 555 0999",
    "districts": "sm1, SM2\nsm2 SM10",
    "admin_name": "Jo Admin",
    "admin_email": "jo@southmere.example.org",
}


def test_create_organisation_with_first_admin_who_sets_a_password(client, make_account, smtp_server):
    deployment_admin = make_account(Role.DEPLOYMENT_ADMIN)
    sign_in(client, deployment_admin)
    token = csrf_from(client.get("/staff/organisations/new").get_data(as_text=True))
    response = client.post("/staff/organisations/new", data={"csrf_token": token, **FORM})
    assert response.status_code == 303
    organisation = db.session.scalar(select(Organisation).filter_by(name="Southmere Borough Council"))
    assert [d.district for d in organisation.postcode_districts] == ["SM1", "SM10", "SM2"]
    admin = db.session.scalar(select(Account).filter_by(email="jo@southmere.example.org"))
    assert (
        admin.role == Role.ADMIN and admin.organisation_id == organisation.id and admin.password_hash is None
    )
    event = db.session.scalar(select(AuditEvent).filter_by(action="organisation.created"))
    assert event.actor_id == deployment_admin.id and event.organisation_id == organisation.id

    work(until_empty=True)
    (message,) = smtp_server.messages
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Southmere Borough Council" in body
    link = re.search(r"http://localhost(/account/reset-password/\S+)", body).group(1)
    fresh = client.application.test_client()
    page = fresh.get(link).get_data(as_text=True)
    assert "Set your password" in page
    token = csrf_from(page)
    response = fresh.post(
        link,
        data={"csrf_token": token, "password": "a new admin password", "confirm": "a new admin password"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"


def test_bad_organisation_form_explains_each_problem(client_request, client, make_account, make_organisation):
    make_organisation("Southmere Borough Council")
    taken = make_account(email="taken@example.org")
    sign_in(client, make_account(Role.DEPLOYMENT_ADMIN))
    page = client_request.post(
        "practitioner.new_organisation",
        {**FORM, "kind": "pirate-ship", "districts": "LS6, 12345, <b>", "admin_email": taken.email},
        _errors=True,
    )
    errors = {a["href"]: a.get_text(strip=True) for a in page.select(".govuk-error-summary a")}
    assert errors["#name"] == "An organisation with this name already exists"
    assert "#kind" in errors
    assert errors["#districts"].startswith("These are not postcode districts: 12345, <B>")
    assert "already uses this email address" in errors["#admin_email"]
    assert page.select_one("#contact_email")["value"] == FORM["contact_email"]


def test_organisation_admins_cannot_create_organisations(client, make_account, make_organisation):
    admin = make_account(Role.ADMIN, organisation=make_organisation(), level=4)
    sign_in(client, admin)
    assert client.get("/staff/organisations/new").status_code == 403
    response = client.post("/staff/organisations/new", data=FORM)
    assert response.status_code in (303, 403)  # refused either for the missing token or the role
    assert db.session.scalar(select(Organisation).filter_by(name=FORM["name"])) is None


def test_demo_mailbox_shows_what_the_sink_caught(app, client, make_account):
    import asyncio
    import concurrent.futures
    from types import SimpleNamespace

    raw = (
        b"From: portal@example.org\r\nTo: alex@example.org\r\nSubject: Hello Alex\r\n"
        b"Message-ID: <abc@example.org>\r\n\r\nYour link: http://localhost/account/reset-password/xyz\r\n"
    )
    envelope = SimpleNamespace(content=raw, mail_from="portal@example.org", rcpt_tos=["alex@example.org"])
    # In a thread of its own: the browser tests' Playwright may hold this thread's event loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        reply = pool.submit(asyncio.run, SinkHandler(app).handle_DATA(None, None, envelope)).result()
    assert reply.startswith("250")
    sign_in(client, make_account(Role.DEPLOYMENT_ADMIN))
    listing = client.get("/staff/mailbox").get_data(as_text=True)
    assert "Hello Alex" in listing
    message_id = re.search(r"/staff/mailbox/(\d+)", listing).group(1)
    page = client.get(f"/staff/mailbox/{message_id}").get_data(as_text=True)
    assert "&lt;abc@example.org&gt;" in page
    assert 'href="http://localhost/account/reset-password/xyz"' in page
    assert client.get("/staff/mailbox/99999").status_code == 404
