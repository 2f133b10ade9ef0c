"""What pages and cookies give away: who has an account, names in the session cookie, and direction
controls typed into names (issue 18's findings; each test failed before its fix)."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Account, AuditEvent, OutboxMessage, Role
from tests.conftest import csrf_from, sign_in
from tests.journey.helpers import answer_all, post, start

RLO = "\u202e"
NEW_STAFF = "/staff/organisation/staff/new"


def _add_staff(client, name, email):
    token = csrf_from(client.get(NEW_STAFF).get_data(as_text=True))
    return client.post(
        NEW_STAFF,
        data={"csrf_token": token, "name": name, "email": email, "role": "assessor", "approval_level": "2"},
    )


def _session(app, client) -> dict:
    """The session's values: kept on the server (portal/sessions.py); the cookie is only a random token."""
    from portal.models import SessionRecord
    from portal.sessions import _hash

    cookie = client.get_cookie("portal_session")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie.value)
    db.session.expire_all()
    record = db.session.scalar(select(SessionRecord).filter_by(token_hash=_hash(cookie.value)))
    return app.session_interface.serializer.loads(record.data)


def test_adding_staff_puts_no_name_or_email_in_the_session_cookie(
    app, client, make_account, make_organisation
):
    organisation = make_organisation()
    sign_in(client, make_account(Role.ADMIN, organisation=organisation, level=4))
    response = _add_staff(client, "Nia Newstart", "nia.newstart@northfield.example.org")
    assert response.status_code == 303
    stored = json.dumps(_session(app, client))
    assert "_flashes" in stored  # a message waits for the next page...
    assert "Nia" not in stored and "newstart" not in stored  # ...without the name or the address
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We have emailed the address you entered" in page and "Nia Newstart" in page  # on the list


def test_adding_staff_with_an_address_that_has_an_account_says_nothing_on_screen(
    app, client, make_account, make_organisation
):
    council = make_organisation("Northfield City Council")
    elsewhere = make_organisation("Westmoor County Council")
    admin = make_account(Role.ADMIN, organisation=council, level=4)
    citizen = make_account(email="alex@example.org", name="Alex Citizen")
    other_staff = make_account(
        Role.ASSESSOR, organisation=elsewhere, level=2, email="sam@westmoor.example.org"
    )
    sign_in(client, admin)
    answers = []
    for email in ("someone.new@example.org", citizen.email.upper(), other_staff.email):
        response = _add_staff(client, "Someone", email)
        assert response.status_code == 303
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append(re.sub(r"\s+", " ", page[page.index("govuk-notification-banner") :][:600]))
        assert "already" not in page
    assert answers[0] == answers[1] == answers[2]
    # Only the new address became staff; the holders of the others are told by email.
    staff = db.session.scalars(select(Account.email).filter_by(organisation_id=council.id)).all()
    assert sorted(staff) == sorted([admin.email, "someone.new@example.org"])
    told = db.session.scalars(select(OutboxMessage).filter_by(kind="staff_email_taken")).all()
    assert sorted(message.to_address for message in told) == sorted([citizen.email, other_staff.email])
    assert "Northfield City Council" in told[0].body_text
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).filter_by(action="staff.add_refused"))
        == 2
    )


def test_someone_already_on_the_staff_list_is_said_to_be(client, make_account, make_organisation):
    council = make_organisation()
    admin = make_account(Role.ADMIN, organisation=council, level=4)
    colleague = make_account(Role.ASSESSOR, organisation=council, level=2)
    sign_in(client, admin)
    response = _add_staff(client, "Again", colleague.email.upper())
    assert response.status_code == 200
    assert "already on your staff list" in response.get_data(as_text=True)


# -- direction controls in names ------------------------------------------------------------------------


def _isolated(html: str) -> bool:
    """Every right-to-left override sits inside a FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE pair."""
    inside = re.findall("\u2068[^\u2068\u2069]*\u2069", html)
    return html.count(RLO) > 0 and html.count(RLO) == sum(part.count(RLO) for part in inside)


def test_direction_controls_in_names_stay_inside_them_on_staff_pages(
    app, client, make_account, make_organisation
):
    council = make_organisation("Northfield City Council", districts=("NF1",))
    admin = make_account(Role.ADMIN, organisation=council, level=4)
    tricky = make_account(Role.ASSESSOR, organisation=council, level=2, name=f"Sam {RLO}exe.txt\u2069\u2066")
    citizen = make_account(name=f"Alex {RLO}nosrep")
    person_client = app.test_client()
    sign_in(person_client, citizen)
    case_id = start(person_client, carer_for=f"Jo {RLO}eoJ")
    answer_all(person_client, case_id)
    assert post(person_client, f"/my/cases/{case_id}/send", {"confirm": "y"}).status_code == 303

    sign_in(client, admin)
    for url in (
        "/staff/organisation/staff",
        f"/staff/organisation/staff/{tricky.public_id}",
        f"/staff/organisation/staff/{tricky.public_id}/deactivate",
        "/staff/queue",
    ):
        html = client.get(url).get_data(as_text=True)
        assert _isolated(html), url
        # Isolates balanced: a mark of the name's own cannot close ours early.
        opened = sum(html.count(mark) for mark in "\u2066\u2067\u2068")
        assert opened == html.count("\u2069")
    assessor = app.test_client()
    sign_in(assessor, tricky)
    from portal.models import Case

    case = db.session.scalar(select(Case).filter_by(public_id=case_id))
    html = assessor.get(f"/staff/cases/{case.public_id}").get_data(as_text=True)
    assert _isolated(html)


def test_ordinary_values_are_untouched(app):
    from portal.formatting import isolate_bidi

    assert isolate_bidi("Alex Morgan") == "Alex Morgan"
    assert isolate_bidi("محمد علی") == "محمد علی"  # right-to-left text is not a control
    assert isolate_bidi(3) == 3


def test_names_are_escaped_on_staff_pages(client, make_account, make_organisation):
    council = make_organisation()
    admin = make_account(Role.ADMIN, organisation=council, level=4)
    make_account(Role.ASSESSOR, organisation=council, level=2, name='<img src=x onerror="alert(1)">Eve')
    sign_in(client, admin)
    html = client.get("/staff/organisation/staff").get_data(as_text=True)
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;Eve" in html
    assert "<img src=x" not in html
