"""Who may use what, over the whole URL map: generated from ``app.url_map``, so a new route is covered.

Every route is requested, GET and POST (with a valid CSRF token), as every role of one council, the same
roles of another council, a citizen who is a stranger to the case, and someone not signed in, with real ids
of the first council's records (a case sent through the pages, a configuration draft, an accuracy report, a
member of staff, a letter, a caught email). For each request:

- never a 500;
- not signed in: a public page, or sent to sign in;
- signed in with a role the route does not allow: 403 or 404;
- the right role but another council's (or another citizen's) record: 403 or 404;
- nobody outside the first council and the case's own citizen ever sees its person's name, the case
  reference, its staff's addresses or its draft's label, on any page;
- a file posted where a text field is expected: 400, on every route that takes a POST.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from flask import url_for
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Case,
    ConfigurationVersion,
    Document,
    Job,
    ReceivedEmail,
    Role,
)
from tests.conftest import csrf_from, sign_in
from tests.journey.helpers import answer_all, post, start

PERSON = "Zebedee Quixotic-Ownername"
DRAFT_LABEL = "Northfield secret draft 2099"
STAFF_EMAIL = "sam.secretive@northfield.example.org"

PUBLIC = {
    "static",
    "pages.start",
    "pages.privacy",
    "pages.accessibility",
    "pages.cookies",
    "pages.contact",
    "pages.complaints",
    "pages.healthz",
    "pages.accountability",
    "pages.accountability_pdf",
    "pages.open_figures",
    "pages.open_figures_csv",
    "accounts.sign_in",
    "accounts.register",
    "accounts.forgotten_password",
    "accounts.reset_password",
    "accounts.sign_out",
    # Confirming a new email address is done from the emailed link, signed in or not.
    "account_settings.confirm_email",
    # How long the session has left (JSON for the timeout warning): says "not signed in" to anyone else.
    "sessions.status",
    "sessions.stay_signed_in",
}
# Signed-in pages for any role.
ANY_ACCOUNT = {
    "accounts.overview",
    "account_settings.language",
    "account_settings.change_password",
    "account_settings.change_email",
}
# The deployment's own mailbox (the demo's SMTP sink) shows every caught email to the deployment admin.
SEES_EVERY_EMAIL = {"practitioner.mailbox", "practitioner.mailbox_message"}

ACTORS = (
    "anonymous",
    "citizen",
    "stranger",
    "assessor",
    "approver",
    "admin",
    "deployment_admin",
    "other_assessor",
    "other_admin",
)
OWN_COUNCIL = {"assessor", "approver", "admin"}


@pytest.fixture
def world(app, make_account, make_organisation):
    """Two councils with staff, a sent case and records of the first, and everyone's accounts."""
    north = make_organisation("Northfield City Council", districts=("NF1",))
    west = make_organisation("Westmoor County Council", districts=("WM1",))
    accounts = {
        "citizen": make_account(email="owner@example.org", name=PERSON),
        "stranger": make_account(email="stranger@example.org", name="Stranger Danger"),
        "assessor": make_account(Role.ASSESSOR, organisation=north, level=2, email=STAFF_EMAIL),
        "approver": make_account(Role.APPROVER, organisation=north, level=3),
        "admin": make_account(Role.ADMIN, organisation=north, level=4),
        "deployment_admin": make_account(Role.DEPLOYMENT_ADMIN),
        "other_assessor": make_account(Role.ASSESSOR, organisation=west, level=4),
        "other_admin": make_account(Role.ADMIN, organisation=west, level=4),
    }
    owner = app.test_client()
    sign_in(owner, accounts["citizen"])
    case_id = start(owner)
    answer_all(owner, case_id)
    assert post(owner, f"/my/cases/{case_id}/send", {"confirm": "y"}).status_code == 303
    case = db.session.scalar(select(Case).filter_by(public_id=case_id))
    stranger = app.test_client()
    sign_in(stranger, accounts["stranger"])
    start(stranger)  # a case of the stranger's own, so their pages have something in them

    letter = Document(case_id=case.id, kind="letter", lang="en", filename="letter.pdf", content=b"%PDF-1.4 x")
    config = _shipped(DRAFT_LABEL)
    draft = ConfigurationVersion(
        organisation_id=north.id,
        label=DRAFT_LABEL,
        content_hash=config.content_hash,
        content=config.to_yaml(),
        status="draft",
    )
    caught = ReceivedEmail(
        mail_from="a@example.org", rcpt_to="b@example.org", subject="Hello", body_text="Hi"
    )
    db.session.add_all([letter, draft, caught])
    db.session.commit()

    admin = app.test_client()
    sign_in(admin, accounts["admin"])
    from tests.practitioner.test_configuration_pages import csv_bytes

    token = csrf_from(admin.get("/staff/accuracy").get_data(as_text=True))
    uploaded = admin.post(
        "/staff/accuracy",
        data={"csrf_token": token, "version": "", "cases": (io.BytesIO(csv_bytes(30)), "cases.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303, uploaded.status_code
    from portal.jobs import work

    work(until_empty=True)
    job = db.session.scalar(select(Job).where(Job.kind.like("%accuracy%")).order_by(Job.id.desc()))
    assert job is not None

    from portal import section117

    detention = section117.record_detention(
        accounts["assessor"],
        case.person,
        north,
        section="3",
        detained_on=date(2025, 1, 6),
        discharged_on=None,
        responsible_council="Northfield City Council",
        responsible_icb="NHS Northfield ICB",
    )
    split = section117.propose_agreed_split(
        accounts["assessor"],
        case.person,
        north,
        council_percent="60",
        effective_from=date.today(),
        reason="Agreed",
    )
    values = {
        "detention_id": detention.public_id,
        "split_id": split.public_id,
        "case_id": case.public_id,
        "question_id": next(iter(case.answers)) if case.answers else "living-situation",
        "document_id": letter.public_id,
        "version_id": draft.public_id,
        "section": "general",
        "kind": "daily_living",
        "job_id": job.id,
        "message_id": caught.id,
        "public_id": accounts["assessor"].public_id,
        "organisation_id": north.public_id,
        "slug": north.slug,
        "token": "not-a-real-token",
        "filename": "dist/app.css",
        "step_name": "assessed-needs",
    }
    secrets = [PERSON, case.reference, STAFF_EMAIL, DRAFT_LABEL]
    return {"accounts": accounts, "values": values, "secrets": secrets}


def _shipped(label: str) -> Any:
    from portal import version_service

    return version_service.configuration(None).with_changes(label=label)


def _routes(app) -> list[tuple[str, str, set[str]]]:
    """(endpoint, URL with the first council's ids, methods) for every rule."""
    routes = []
    # Routes that remove a record go last, so the others still find it.
    destructive = ("delete", "forget", "deactivate")
    for rule in sorted(
        app.url_map.iter_rules(), key=lambda r: (any(word in r.endpoint for word in destructive), r.rule)
    ):
        methods = {m for m in rule.methods or () if m in ("GET", "POST")}
        routes.append((rule.endpoint, rule, methods))
    return routes


def _client_for(app, world, actor):
    client = app.test_client()
    if actor != "anonymous":
        assert sign_in(client, world["accounts"][actor]).status_code == 303
    return client


def _token(client) -> str:
    for url in ("/account/sign-out", "/account/sign-in"):
        response = client.get(url)
        if response.status_code == 200:
            return csrf_from(response.get_data(as_text=True))
    raise AssertionError("no page with a CSRF token")


def _allowed(app, endpoint: str, actor: str, account: Any) -> bool:
    """Whether the actor's role may use the endpoint at all (ownership aside)."""
    if endpoint in PUBLIC:
        return True
    if actor == "anonymous":
        return False
    if endpoint in ANY_ACCOUNT:
        return True
    if endpoint.startswith("selfassess."):
        return account.role == Role.CITIZEN
    roles = getattr(app.view_functions[endpoint], "allowed_roles", None)
    assert roles, f"{endpoint} declares no roles"
    return account.role in roles


def _owns(actor: str, endpoint: str, rule) -> bool:
    """Whether the URL's ids belong to the actor (or the actor's council)."""
    if not rule.arguments or endpoint in PUBLIC:
        return True
    if endpoint.startswith("selfassess."):
        return actor == "citizen"
    if endpoint.startswith("practitioner.benchmarking_similar") or endpoint in SEES_EVERY_EMAIL:
        return actor == "deployment_admin"
    return actor in OWN_COUNCIL


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_as_everyone(app, world, actor):
    account = world["accounts"].get(actor)
    client = _client_for(app, world, actor)
    token = _token(client)
    problems = []
    for endpoint, rule, methods in _routes(app):
        with app.test_request_context():
            url = url_for(endpoint, **{name: world["values"][name] for name in rule.arguments})
        allowed = _allowed(app, endpoint, actor, account)
        owns = _owns(actor, endpoint, rule)
        for method in sorted(methods):
            if method == "POST" and endpoint == "accounts.sign_out" and actor != "anonymous":
                continue  # it would end this actor's session for the rest of the walk
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
            status = response.status_code
            where = f"{method} {url} as {actor}: {status}"
            if status >= 500:
                problems.append(where)
                continue
            if not allowed:
                expected = {302} if actor == "anonymous" else {403, 404}
                if status not in expected:
                    problems.append(f"{where}, expected {sorted(expected)}")
                if actor == "anonymous" and not response.headers.get("Location", "").startswith(
                    "/account/sign-in"
                ):
                    problems.append(f"{where}, not sent to sign in")
            elif not owns and status not in (403, 404):
                problems.append(f"{where}, another's record")
            insider = actor in OWN_COUNCIL or actor == "citizen" or endpoint in SEES_EVERY_EMAIL
            if not insider and status < 400:
                body = (
                    response.get_data(as_text=True)
                    if response.mimetype.startswith(("text/", "application/json"))
                    else ""
                )
                leaked = [secret for secret in world["secrets"] if secret in body]
                if leaked:
                    problems.append(f"{where}, shows {leaked}")
        # Sessions must survive the walk (nothing above signs this actor out).
    if actor != "anonymous":
        assert client.get("/account/").status_code == 200, f"{actor} was signed out during the walk"
    assert problems == []


@pytest.mark.parametrize(
    "actor", ["anonymous", "citizen", "assessor", "approver", "admin", "deployment_admin"]
)
def test_a_file_where_text_is_expected_is_refused_on_every_route(app, world, actor):
    client = _client_for(app, world, actor)
    token = _token(client)
    problems = []
    for endpoint, rule, methods in _routes(app):
        if "POST" not in methods or (endpoint == "accounts.sign_out" and actor != "anonymous"):
            continue
        with app.test_request_context():
            url = url_for(endpoint, **{name: world["values"][name] for name in rule.arguments})
        uploads = getattr(app.view_functions[endpoint], "upload_fields", frozenset())
        field = "name" if "name" not in uploads else "not_an_upload"
        response = client.post(
            url,
            data={
                "csrf_token": token,
                field: (io.BytesIO(b"x"), "x.txt"),
                "email": (io.BytesIO(b"y"), "y.txt"),
            },
            content_type="multipart/form-data",
        )
        if response.status_code != 400:
            problems.append(f"POST {url} as {actor}: {response.status_code}")
    assert problems == []


def test_the_walk_covers_every_route(app):
    endpoints = {endpoint for endpoint, _, _ in _routes(app)}
    assert len(endpoints) > 80
    unknown_args = {
        name
        for _, rule, _ in _routes(app)
        for name in rule.arguments
        if name
        not in {
            "case_id",
            "question_id",
            "document_id",
            "version_id",
            "section",
            "kind",
            "job_id",
            "message_id",
            "public_id",
            "organisation_id",
            "slug",
            "token",
            "filename",
            "step_name",
            "detention_id",
            "split_id",
        }
    }
    # A route with a new kind of id needs a real value in ``world``: this fails until it has one.
    assert unknown_args == set()


def test_markers_are_real(app, world):
    """The walk's secrets do appear for those entitled to them, so their absence elsewhere means something."""
    insider = _client_for(app, world, "assessor")
    html = insider.get(f"/staff/cases/{world['values']['case_id']}").get_data(as_text=True)
    assert PERSON in html and world["secrets"][1] in html
    admin = _client_for(app, world, "admin")
    assert STAFF_EMAIL in admin.get("/staff/organisation/staff").get_data(as_text=True)
    assert DRAFT_LABEL in admin.get("/staff/configuration").get_data(as_text=True)
    assert re.search(r"Zebedee", _client_for(app, world, "citizen").get("/my/").get_data(as_text=True))


@pytest.mark.parametrize("actor", ["anonymous", "citizen", "admin", "deployment_admin"])
def test_every_post_without_its_csrf_token_is_refused(app, world, actor):
    """A form posted without the session's token changes nothing: the person is sent back to try again
    (or, for an endpoint a script calls, refused with a 4xx)."""
    from portal.models import AuditEvent

    client = _client_for(app, world, actor)
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    problems = []
    for endpoint, rule, methods in _routes(app):
        if "POST" not in methods:
            continue
        with app.test_request_context():
            url = url_for(endpoint, **{name: world["values"][name] for name in rule.arguments})
        for data in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data=data)
            sent_back = response.status_code == 303 and response.headers["Location"] == url
            # A page is sent back to try again; a script's endpoint (JSON) answers 400 or 403 instead.
            if not (sent_back or response.status_code in (400, 403)):
                problems.append(f"POST {url} as {actor} with {data}: {response.status_code}")
    assert problems == []
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
    if actor != "anonymous":
        assert client.get("/account/").status_code == 200  # not even signed out


@pytest.mark.parametrize("actor", ["anonymous", "citizen", "admin"])
def test_a_nul_character_is_refused_on_every_route(app, world, actor):
    """PostgreSQL cannot store a NUL: the request guard refuses one in a query or a form field everywhere."""
    client = _client_for(app, world, actor)
    token = _token(client)
    problems = []
    for endpoint, rule, methods in _routes(app):
        if endpoint == "accounts.sign_out" and actor != "anonymous":
            continue
        with app.test_request_context():
            url = url_for(endpoint, **{name: world["values"][name] for name in rule.arguments})
        if "GET" in methods and client.get(f"{url}?q=a%00b").status_code != 400:
            problems.append(f"GET {url}?q=a%00b as {actor}")
        if "POST" in methods:
            response = client.post(
                url, data={"csrf_token": token, "name": "a\x00b", "email": "a\x00@example.org"}
            )
            if response.status_code != 400:
                problems.append(f"POST {url} as {actor}: {response.status_code}")
    assert problems == []
