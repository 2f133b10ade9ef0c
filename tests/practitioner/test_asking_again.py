"""Asking for a decision to be looked at again (issue 16 item 5): the request with reasons and files checked by
their content, who may ask and who may take it, the pages of both sides, and the outcome as a new decision."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from portal import asking_again, cases
from portal.asking_again import MAX_FILE_BYTES, EvidenceProblem
from portal.cases import NotAllowed
from portal.extensions import db
from portal.models import (
    AuditEvent,
    CaseKind,
    CaseStatus,
    Decision,
    EvidenceFile,
    OutboxMessage,
    Reconsideration,
    Snapshot,
    Validation,
)
from portal.practitioner import service
from tests.conftest import check_page, csrf_from, sign_in
from tests.practitioner.test_casework import refreshed, staff_client
from tests.practitioner.test_lifecycle import _decided

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
HTML = b"<html><script>alert(1)</script></html>"


# -- files, by their content -------------------------------------------------------------------------------


def test_files_are_known_by_their_content_not_their_name():
    assert asking_again.check_file("letter.pdf", PDF).content_type == "application/pdf"
    assert asking_again.check_file("photo.png", PNG).content_type == "image/png"
    assert asking_again.check_file("photo.jpeg", JPEG).content_type == "image/jpeg"
    renamed = asking_again.check_file("C:\\Users\\sam\\scan.pdf", PNG)
    assert (renamed.content_type, renamed.filename) == ("image/png", "scan.png"), "a PNG called .pdf is a PNG"
    for name, data, code in [
        ("page.pdf", HTML, "wrong_type"),
        ("empty.pdf", b"", "empty"),
        ("big.pdf", PDF + b"0" * MAX_FILE_BYTES, "too_large"),
    ]:
        with pytest.raises(EvidenceProblem) as problem:
            asking_again.check_file(name, data)
        assert (problem.value.code, problem.value.filename) == (code, name)
    assert asking_again.check_file("big.pdf", PDF + b"0" * (MAX_FILE_BYTES - len(PDF))).data, (
        "the limit is allowed"
    )
    with pytest.raises(EvidenceProblem) as problem:
        asking_again.check_files([("a.pdf", PDF)] * (asking_again.MAX_FILES + 1))
    assert problem.value.code == "too_many"
    assert asking_again.safe_name("../../\x00etc/passwd", "application/pdf") == "passwd.pdf"


# -- the service -------------------------------------------------------------------------------------------


def test_asking_again_sends_a_linked_case_with_what_was_decided(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    linked = asking_again.ask_again(
        citizen,
        decided,
        reason="My night-time needs were missed.",
        considered="The letter from my GP.",
        files=[("gp.pdf", PDF), ("photo.jpg", JPEG)],
    )
    linked = refreshed(linked)
    assert (linked.kind, linked.status, linked.follows_id) == (
        CaseKind.RECONSIDERATION,
        CaseStatus.SENT,
        decided.id,
    )
    assert linked.holder_id is None and linked.sent_at is not None
    asked = db.session.scalar(select(Reconsideration).filter_by(case_id=linked.id))
    assert (asked.reason, asked.considered, asked.outcome) == (
        "My night-time needs were missed.",
        "The letter from my GP.",
        "",
    )
    files = db.session.scalars(select(EvidenceFile).filter_by(case_id=linked.id)).all()
    assert [(f.filename, f.content_type, f.size) for f in files] == [
        ("gp.pdf", "application/pdf", len(PDF)),
        ("photo.jpg", "image/jpeg", len(JPEG)),
    ]
    first_snapshot = db.session.scalar(select(Snapshot).filter_by(case_id=decided.id))
    copy = db.session.scalar(select(Snapshot).filter_by(case_id=linked.id))
    assert copy.answers == first_snapshot.answers
    first_checks = db.session.scalar(select(Validation).filter_by(case_id=decided.id))
    checks = db.session.scalar(select(Validation).filter_by(case_id=linked.id))
    assert (checks.items, checks.practitioner_items) == (first_checks.items, first_checks.practitioner_items)
    assert refreshed(decided).status == CaseStatus.DECIDED, "the decided case is never changed"
    assert cases.decision_in_force(decided)[0].id == decided.id, "the decided budget stays meanwhile"
    assert db.session.scalar(select(AuditEvent).filter_by(case_id=linked.id, action="reconsideration.asked"))
    receipt = db.session.scalar(select(OutboxMessage).filter_by(kind="reconsideration_asked"))
    assert receipt.to_address == citizen.email and linked.reference in receipt.subject


def test_asking_again_refuses_by_itself(app, staff, sent_case, citizen, make_account):
    decided = _decided(app, staff, sent_case)
    stranger = make_account(email="stranger@example.org")
    with pytest.raises(NotAllowed):
        asking_again.ask_again(stranger, decided, reason="x")
    with pytest.raises(NotAllowed):
        asking_again.ask_again(staff["outsider"], decided, reason="x")
    with pytest.raises(ValueError):
        asking_again.ask_again(citizen, decided, reason="x", how="pigeon")
    with pytest.raises(ValueError):
        asking_again.ask_again(citizen, decided, reason="   ")
    with pytest.raises(ValueError):
        asking_again.ask_again(citizen, decided, reason="x" * 4001)
    with pytest.raises(EvidenceProblem):
        asking_again.ask_again(citizen, decided, reason="x", files=[("page.pdf", HTML)])
    assert db.session.scalar(select(Reconsideration)) is None, "nothing written by a refusal"
    asking_again.ask_again(citizen, decided, reason="x")
    with pytest.raises(NotAllowed):
        asking_again.ask_again(citizen, refreshed(decided), reason="again")


# -- the person's pages ------------------------------------------------------------------------------------


def _person(app, citizen):
    client = app.test_client()
    sign_in(client, citizen)
    return client


def _post(client, url, data, files=()):
    token = csrf_from(client.get(url).get_data(as_text=True))
    body = {"csrf_token": token, **data}
    if files:
        body["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    # Built here so that the body the test client spools to a temporary file (above 500 KB) is closed after.
    builder = EnvironBuilder(path=url, method="POST", data=body, content_type="multipart/form-data")
    environ = builder.get_environ()
    try:
        response = client.open(environ)
        response.get_data()
        return response
    finally:
        environ["wsgi.input"].close()
        builder.close()


def test_the_decision_offers_asking_again_beside_the_complaints_procedure(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    client = _person(app, citizen)
    page = check_page(client.get(f"/my/cases/{decided.public_id}/status").get_data(as_text=True))
    link = page.find("a", href=f"/my/cases/{decided.public_id}/ask-again")
    assert link is not None
    text = page.get_text(" ", strip=True)
    assert "Complaints (England) Regulations 2009" in text
    assert "Local Government and Social Care Ombudsman" in text
    form = check_page(client.get(f"/my/cases/{decided.public_id}/ask-again").get_data(as_text=True))
    assert form.find("input", attrs={"type": "file", "name": "evidence"}) is not None
    assert "Complaints (England) Regulations 2009" in form.get_text(" ", strip=True)


def test_bad_input_is_explained_beside_the_field_and_nothing_typed_is_lost(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    client = _person(app, citizen)
    url = f"/my/cases/{decided.public_id}/ask-again"
    cases_to_try = [
        ({"reason": "", "considered": "My GP's letter"}, (), "reason", "Enter why the decision"),
        ({"reason": "Missed my nights", "considered": ""}, [("page.pdf", HTML)], "evidence", "must be a PDF"),
        (
            {"reason": "Missed my nights", "considered": ""},
            [("scan.pdf", PDF + b"0" * (MAX_FILE_BYTES + 10))],
            "evidence",
            "larger than 5 MB",
        ),
        ({"reason": "Missed my nights", "considered": ""}, [("empty.png", b"")], "evidence", "is empty"),
    ]
    for data, files, field, words in cases_to_try:
        response = _post(client, url, data, files)
        assert response.status_code == 200, words
        page = check_page(response.get_data(as_text=True), errors=True)
        summary = page.select_one(".govuk-error-summary").get_text(" ", strip=True)
        assert words in summary
        assert words in page.select_one(f"#{field}-error").get_text(" ", strip=True), "beside the field"
        assert page.find("textarea", attrs={"name": "reason"}).get_text() == data["reason"]
        assert page.find("textarea", attrs={"name": "considered"}).get_text() == data["considered"]
        if files:
            assert "Choose them again" in page.get_text(" ", strip=True)
    assert db.session.scalar(select(Reconsideration)) is None


def test_the_person_asks_and_sees_their_request(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    client = _person(app, citizen)
    response = _post(
        client,
        f"/my/cases/{decided.public_id}/ask-again",
        {"reason": "My night-time needs were missed.", "considered": "My GP's letter"},
        [("gp letter.pdf", PDF)],
    )
    assert response.status_code == 303
    linked = db.session.scalar(select(Reconsideration)).case_id
    from portal.models import Case

    linked = db.session.get(Case, linked)
    assert response.headers["Location"].endswith(f"/my/cases/{linked.public_id}/status")
    page = check_page(client.get(response.headers["Location"]).get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "My night-time needs were missed." in text and "gp letter.pdf" in text
    assert decided.reference in text and "stays in place until the new decision" in text
    # The decided case now points to the request under way, and asking again is not offered twice.
    first = check_page(client.get(f"/my/cases/{decided.public_id}/status").get_data(as_text=True))
    assert first.find("a", href=f"/my/cases/{decided.public_id}/ask-again") is None
    assert first.find("a", href=f"/my/cases/{linked.public_id}/status") is not None
    again = client.get(f"/my/cases/{decided.public_id}/ask-again")
    assert again.status_code == 303 and again.headers["Location"].endswith(
        f"/my/cases/{linked.public_id}/status"
    )


def test_the_page_is_only_for_who_acts_for_the_person(app, staff, sent_case, citizen, make_account):
    decided = _decided(app, staff, sent_case)
    url = f"/my/cases/{decided.public_id}/ask-again"
    stranger = _person(app, make_account(email="stranger@example.org"))
    assert stranger.get(url).status_code == 404
    assert staff_client(app, staff["assessor2"]).get(url).status_code == 403
    assert app.test_client().get(url).status_code in (302, 303)
    open_case = _person(app, citizen)
    # A case not yet decided cannot be asked about.
    from portal.models import Case

    other = Case(
        person_id=decided.person_id, organisation_id=decided.organisation_id, created_by_id=citizen.id
    )
    other.status = CaseStatus.SENT
    db.session.add(other)
    db.session.commit()
    assert open_case.get(f"/my/cases/{other.public_id}/ask-again").status_code == 403


# -- staff ------------------------------------------------------------------------------------------------


def test_staff_see_the_request_and_download_its_files_safely(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    linked = asking_again.ask_again(citizen, decided, reason="Missed my nights", files=[("scan.pdf", PNG)])
    client = staff_client(app, staff["assessor2"])
    page = check_page(client.get(f"/staff/cases/{linked.public_id}").get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "Missed my nights" in text and decided.reference in text
    link = page.find("a", string="scan.png")
    assert link is not None and page.find("button", string=lambda s: s and "Claim" in s) is not None
    download = client.get(link["href"])
    assert download.status_code == 200 and download.data == PNG
    assert download.mimetype == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # The first decider is told why they cannot take it, and is offered no claim.
    first = check_page(
        staff_client(app, staff["assessor"]).get(f"/staff/cases/{linked.public_id}").get_data(as_text=True)
    )
    assert "someone else must take it" in first.get_text(" ", strip=True)
    assert first.find("button", string=lambda s: s and "Claim" in s) is None
    assert not service.claim(staff["assessor"], refreshed(linked))
    # Another organisation's staff and citizens get nothing.
    assert staff_client(app, staff["outsider"]).get(link["href"]).status_code == 404
    assert _person(app, citizen).get(link["href"]).status_code == 403
    assert client.get(f"/staff/cases/{linked.public_id}/evidence/{'0' * 32}").status_code == 404


def _decide_again(app, staff, linked, *, pence=None, reason="Looked again with your GP's letter."):
    from portal.organisation_rules import Limit, OrganisationRules

    assert service.claim(staff["assessor2"], refreshed(linked))
    case = refreshed(linked)
    case.organisation.settings = OrganisationRules(
        limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()}
    ).to_settings()
    db.session.commit()
    result = service.recalculate(case)
    return service.confirm_budget(
        staff["assessor2"],
        refreshed(linked),
        confirmed_pence=result.total_weekly_pence if pence is None else pence,
        reason=reason,
    )


def test_a_changed_outcome_is_a_new_decision_and_the_person_is_told(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    first = db.session.scalar(select(Decision).filter_by(case_id=decided.id))
    linked = asking_again.ask_again(citizen, decided, reason="Missed my nights")
    new = _decide_again(app, staff, linked, pence=first.confirmed_weekly_pence + 5_000)
    asked = db.session.scalar(select(Reconsideration))
    assert (asked.outcome, asked.days_taken) == ("changed", 0) and asked.decided_at is not None
    assert cases.decision_in_force(decided) == (refreshed(linked), new)
    assert db.session.get(Decision, first.id).confirmed_weekly_pence == first.confirmed_weekly_pence, "kept"
    email = db.session.scalar(select(OutboxMessage).filter_by(kind="reconsideration_decided"))
    assert "changed it" in email.body_text
    page = check_page(
        _person(app, citizen).get(f"/my/cases/{linked.public_id}/status").get_data(as_text=True)
    )
    text = page.get_text(" ", strip=True)
    assert "looked at again and changed" in text and "Looked again with your GP's letter." in text
    assert page.find("a", href=f"/my/cases/{linked.public_id}/ask-again") is None, (
        "then the complaints procedure"
    )
    assert "Complaints (England) Regulations 2009" in text


def test_an_upheld_outcome_still_needs_reasons(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    first = db.session.scalar(select(Decision).filter_by(case_id=decided.id))
    linked = asking_again.ask_again(citizen, decided, reason="Missed my nights")
    with pytest.raises(ValueError):
        _decide_again(app, staff, linked, pence=first.confirmed_weekly_pence, reason=" ")
    db.session.rollback()
    client = staff_client(app, staff["assessor2"])
    url = f"/staff/cases/{linked.public_id}/budget"
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(
        url, data={"csrf_token": token, "amount": f"{first.confirmed_weekly_pence / 100:.2f}", "reason": ""}
    )
    page = check_page(response.get_data(as_text=True), errors=True)
    assert "the person asked for the decision to be looked at again" in page.get_text(" ", strip=True)
    service.confirm_budget(
        staff["assessor2"],
        refreshed(linked),
        confirmed_pence=first.confirmed_weekly_pence,
        reason="Still right.",
    )
    assert db.session.scalar(select(Reconsideration)).outcome == "upheld"


def test_staff_record_a_request_made_by_phone_or_post(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    url = f"/staff/cases/{decided.public_id}/ask-again"
    client = staff_client(app, staff["assessor2"])
    case_page = check_page(client.get(f"/staff/cases/{decided.public_id}").get_data(as_text=True))
    assert case_page.find("a", href=url) is not None
    response = _post(client, url, {"reason": "She rang: the night care was missed.", "considered": ""})
    page = check_page(response.get_data(as_text=True), errors=True)
    assert "Select how the person asked" in page.select_one("#how-error").get_text(" ", strip=True)
    assert (
        page.find("textarea", attrs={"name": "reason"}).get_text() == "She rang: the night care was missed."
    )
    response = _post(
        client,
        url,
        {"how": "post", "reason": "Her letter: the night care was missed.", "considered": ""},
        [("letter.jpg", JPEG)],
    )
    assert response.status_code == 303
    asked = db.session.scalar(select(Reconsideration))
    event = db.session.scalar(select(AuditEvent).filter_by(action="reconsideration.asked"))
    assert (asked.asked_by_id, event.detail["how"]) == (staff["assessor2"].id, "post")
    assert staff_client(app, staff["outsider"]).get(url).status_code == 404
    assert _person(app, citizen).get(url).status_code == 403
    assert client.get(url).status_code == 403, "already being looked at again"


def test_a_carer_asks_in_their_own_voice(app, staff, sent_case, citizen, make_account):
    from portal.models import Authority, PersonLink

    decided = _decided(app, staff, sent_case)
    carer = make_account(email="carer-of-alex@example.org", name="Chris Morgan")
    db.session.add(PersonLink(account_id=carer.id, person_id=decided.person_id, authority=Authority.CONSENT))
    db.session.commit()
    client = _person(app, carer)
    page = check_page(client.get(f"/my/cases/{decided.public_id}/status").get_data(as_text=True))
    name = decided.person.name
    assert f"lowered the budget for {name}" in page.get_text(" ", strip=True)
    response = _post(
        client, f"/my/cases/{decided.public_id}/ask-again", {"reason": "Nights missed", "considered": ""}
    )
    assert response.status_code == 303
    status = check_page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"The budget for {name} of" in status.get_text(" ", strip=True)
    assert db.session.scalar(select(Reconsideration)).asked_by_id == carer.id


def test_the_letter_says_how_to_ask_online_by_phone_or_post_and_then_how_it_ended(
    app, staff, sent_case, citizen
):
    from portal.letters import decision_context
    from portal.pdf import render_pdf_html

    decided = _decided(app, staff, sent_case)
    first = db.session.scalar(select(Decision).filter_by(case_id=decided.id))
    with app.test_request_context():
        context = decision_context(decided, first)
        html = render_pdf_html("decision_letter.html", lang="en", title="Decision", **context)
    assert context["ask_again_link"].endswith(f"/my/cases/{decided.public_id}/ask-again")
    assert context["ask_again_link"] in html and "Or phone us, or write to us" in html
    assert "Complaints (England) Regulations 2009" in html
    linked = asking_again.ask_again(citizen, decided, reason="Missed my nights")
    new = _decide_again(app, staff, linked, pence=first.confirmed_weekly_pence + 1_000)
    with app.test_request_context():
        context = decision_context(refreshed(linked), new)
        html = render_pdf_html("decision_letter.html", lang="en", title="Decision", **context)
    assert context["looked_again"]["outcome"] == "changed" and context["ask_again_link"] == ""
    assert f"look again at our decision {decided.reference}" in " ".join(html.split())
    assert "To ask online" not in html and "ombudsman" in html


def test_a_decision_without_a_budget_still_names_the_ombudsman(app, staff, sent_case):
    from portal.letters import decision_context

    decided = _decided(app, staff, sent_case)
    decision = db.session.scalar(select(Decision).filter_by(case_id=decided.id))
    decision.confirmed_weekly_pence = None
    with app.test_request_context():
        rights = decision_context(decided, decision)["review_rights"]
    assert [r["ombudsman"] for r in rights] == ["the Local Government and Social Care Ombudsman"]
    db.session.rollback()
