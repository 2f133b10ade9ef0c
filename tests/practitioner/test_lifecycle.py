"""The case lifecycle (portal/cases.py): the table, who may make each move, and that the services refuse by
themselves whatever a page offers. Each rule here has a test that fails when its line is deleted."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal import cases
from portal.cases import FINAL, OPEN, TRANSITIONS, Condition, Move, NotAllowed, Relation
from portal.extensions import db
from portal.models import AuditEvent, Case, CaseKind, CaseStatus, Decision, Role, Validation
from portal.organisation_rules import Limit, OrganisationRules
from portal.practitioner import service
from tests.conftest import csrf_from, sign_in
from tests.practitioner.test_casework import PASSWORD, _agree_with_the_rest, refreshed, staff_client

S = CaseStatus


def test_the_table_covers_every_move_and_final_is_final():
    assert {t.move for t in TRANSITIONS} == set(Move)
    assert not [t for t in TRANSITIONS if t.source in FINAL], "nothing moves a decided or withdrawn case"
    assert OPEN.isdisjoint(FINAL) and S.DRAFT not in OPEN
    # Every status but the final ones has a way on, and every status can be reached.
    assert {t.source for t in TRANSITIONS} == set(S) - FINAL
    assert {t.target for t in TRANSITIONS} | {S.DRAFT} == set(S)


@pytest.mark.parametrize(
    ("move", "source", "target", "who"),
    [
        (Move.SEND, S.DRAFT, S.SENT, {Relation.PERSON, Relation.CARER}),
        (Move.SEND, S.DRAFT, S.CLAIMED, {Relation.HOLDER}),
        (Move.TAKE_BACK, S.SENT, S.DRAFT, {Relation.PERSON, Relation.CARER}),
        (Move.CLAIM, S.SENT, S.CLAIMED, {Relation.ASSESSOR}),
        (Move.VALIDATE, S.CLAIMED, S.CLAIMED, {Relation.HOLDER}),
        (Move.CONFIRM, S.CLAIMED, S.WAITING_FOR_APPROVAL, {Relation.HOLDER}),
        (Move.DECIDE, S.CLAIMED, S.DECIDED, {Relation.HOLDER}),
        (Move.APPROVE, S.WAITING_FOR_APPROVAL, S.DECIDED, {Relation.SIGNATORY}),
        (Move.RETURN, S.WAITING_FOR_APPROVAL, S.CLAIMED, {Relation.SIGNATORY}),
    ],
)
def test_who_makes_each_move(move, source, target, who):
    rows = [t for t in cases.transitions_for(move, source) if t.target == target]
    assert len(rows) == 1 and rows[0].actors == frozenset(who)


def test_conditions_of_the_table():
    claim = cases.transitions_for(Move.CLAIM, S.SENT)[0]
    assert Condition.UNHELD in claim.conditions
    assert Condition.UNHELD in cases.transitions_for(Move.TAKE_BACK, S.SENT)[0].conditions
    # Asked online when someone with an account acts for the person, who answers; otherwise asked by phone,
    # letter or in person, and the member of staff holding the case records the answer.
    ask = {t.conditions: t.actors for t in cases.transitions_for(Move.ASK, S.CLAIMED)}
    assert ask == {
        frozenset({Condition.REACHABLE}): frozenset({Relation.HOLDER}),
        frozenset({Condition.OFFLINE}): frozenset({Relation.HOLDER}),
    }
    answer = {t.conditions: t.actors for t in cases.transitions_for(Move.ANSWER, S.WAITING_FOR_PERSON)}
    assert answer == {
        frozenset(): frozenset({Relation.PERSON, Relation.CARER}),
        frozenset({Condition.OFFLINE}): frozenset({Relation.HOLDER}),
    }
    assert all(t.target == S.CLAIMED for t in cases.transitions_for(Move.ANSWER, S.WAITING_FOR_PERSON))
    assert Condition.REASON in cases.transitions_for(Move.RETURN, S.WAITING_FOR_APPROVAL)[0].conditions
    staff_withdrawals = [
        t for t in TRANSITIONS if t.move == Move.WITHDRAW and Relation.PERSON not in t.actors
    ]
    assert staff_withdrawals and all(Condition.REASON in t.conditions for t in staff_withdrawals)


def _claimed(app, staff, case, who="assessor"):
    assert service.claim(staff[who], case)
    _agree_with_the_rest(app, staff[who], refreshed(case))
    return refreshed(case)


def _decided(app, staff, sent_case):
    case = _claimed(app, staff, sent_case)
    case.organisation.settings = OrganisationRules(
        limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()}
    ).to_settings()
    db.session.commit()
    result = service.recalculate(refreshed(case))
    service.confirm_budget(
        staff["assessor"], refreshed(case), confirmed_pence=result.total_weekly_pence, reason=""
    )
    case = refreshed(case)
    assert case.status == S.DECIDED
    return case


def test_relations(app, staff, sent_case, citizen, make_account):
    case = refreshed(sent_case)
    assert cases.relations(citizen, case) == {Relation.PERSON}
    assert cases.relations(staff["assessor"], case) == {Relation.ASSESSOR}
    assert cases.relations(staff["approver"], case) == {Relation.MANAGER}
    assert cases.relations(staff["outsider"], case) == frozenset()
    assert cases.relations(staff["outsider_admin"], case) == frozenset()
    stranger = make_account(email="stranger@example.org")
    assert cases.relations(stranger, case) == frozenset()
    staff["assessor2"].is_active = False
    db.session.commit()
    assert cases.relations(staff["assessor2"], case) == frozenset(), "a deactivated account has no relation"
    case = _claimed(app, staff, case)
    assert cases.relations(staff["assessor"], case) == {Relation.HOLDER, Relation.ASSESSOR}
    assert cases.allowed_moves(staff["assessor"], case) >= {
        Move.VALIDATE,
        Move.ASK,
        Move.RELEASE,
        Move.DECIDE,
    }
    assert Move.CLAIM not in cases.allowed_moves(staff["assessor2"], case)


def test_a_decided_case_is_final(app, staff, sent_case, citizen):
    case = _decided(app, staff, sent_case)
    assert cases.is_final(case)
    for account in (staff["assessor"], staff["approver"], staff["admin"], citizen):
        assert cases.allowed_moves(account, case) == frozenset()
    validation = db.session.scalar(select(Validation).filter_by(case_id=case.id))
    before = (validation.version, dict(validation.practitioner_items or {}), dict(validation.items))
    with pytest.raises(NotAllowed):
        service.save_practitioner_items(
            staff["assessor"],
            case,
            {"eligibility": {"cannot_achieve": []}},
            expected_version=validation.version,
        )
    question_id = next(iter(validation.items))
    with pytest.raises(NotAllowed):
        service.validate_answer(
            staff["assessor"], case, question_id, action="agree", expected_version=validation.version
        )
    # The former holder's pages refuse too (the service decides, the page only passes the form on).
    client = staff_client(app, staff["assessor"])
    token = csrf_from(client.get("/staff/assess/new").get_data(as_text=True))  # any page with a form
    profile = client.post(
        f"/staff/cases/{case.public_id}/needs-profile",
        data={"csrf_token": token, "impairment": "no", "wellbeing": "no", "version": str(validation.version)},
    )
    agree = client.post(
        f"/staff/cases/{case.public_id}/validate/{question_id}",
        data={"csrf_token": token, "action": "agree", "version": str(validation.version)},
    )
    assert (profile.status_code, agree.status_code) == (403, 403)
    db.session.expire_all()
    validation = db.session.scalar(select(Validation).filter_by(case_id=case.id))
    assert (validation.version, dict(validation.practitioner_items or {}), dict(validation.items)) == before
    assert refreshed(case).status == S.DECIDED


def test_only_the_holder_changes_a_case(app, staff, sent_case):
    case = _claimed(app, staff, sent_case)
    validation = db.session.scalar(select(Validation).filter_by(case_id=case.id))
    question_id = next(iter(validation.items))
    other = staff_client(app, staff["assessor2"])
    token = csrf_from(other.get("/staff/assess/new").get_data(as_text=True))  # any page with a form
    version = str(validation.version)
    posts = {
        f"/validate/{question_id}": {"action": "agree", "version": version},
        "/needs-profile": {"impairment": "yes", "wellbeing": "yes", "version": version},
        "/budget": {"amount": "100.00", "reason": "x"},
        "/ask": {"question": "Hello?"},
        "/release": {},
        "/close": {"reason": "duplicate"},
    }
    for path, data in posts.items():
        response = other.post(f"/staff/cases/{case.public_id}{path}", data={"csrf_token": token, **data})
        assert response.status_code == 403, path
    with pytest.raises(NotAllowed):
        service.ask_person(staff["assessor2"], refreshed(case), "Hello?")
    with pytest.raises(NotAllowed):
        service.confirm_budget(staff["assessor2"], refreshed(case), confirmed_pence=100, reason="x")
    case = refreshed(case)
    assert (case.status, case.holder_id) == (S.CLAIMED, staff["assessor"].id)
    assert db.session.scalar(select(Decision).filter_by(case_id=case.id)) is None


def test_every_staff_form_refuses_a_post_without_its_csrf_token(app, staff, sent_case):
    app.config["WTF_CSRF_ENABLED"] = True
    case = _claimed(app, staff, sent_case)
    client = staff_client(app, staff["assessor"])
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("practitioner.") and "POST" in (rule.methods or ())
    ]
    assert len(rules) > 20
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    for rule in rules:
        values = {
            name: case.public_id
            if name == "case_id"
            else (1 if "Int" in type(rule._converters[name]).__name__ else "x")
            for name in rule.arguments
        }
        url = rule.build(values, append_unknown=False)[1]
        response = client.post(url, data={"submit": "1", "reason": "x", "action": "agree"})
        # Refused: the CSRF handler sends the person back to the same page, or the request guard says 400/404.
        refused = response.status_code in (400, 404) or (
            response.status_code == 303 and response.location.split("?")[0].endswith(url)
        )
        assert refused, (rule.endpoint, response.status_code, response.location)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events, "nothing was done"
    assert refreshed(case).status == S.CLAIMED


def _pending(app, staff, sent_case, *, confirmer="assessor"):
    case = _claimed(app, staff, sent_case, confirmer)
    result = service.recalculate(case)
    service.confirm_budget(
        staff[confirmer], case, confirmed_pence=result.total_weekly_pence * 3, reason="Complex needs"
    )
    case = refreshed(case)
    assert case.status == S.WAITING_FOR_APPROVAL
    return case


def test_nobody_approves_their_own_budget(app, staff, sent_case):
    case = _pending(app, staff, sent_case)
    confirmer = staff["assessor"]
    confirmer.role, confirmer.approval_level = Role.APPROVER, 4  # promoted while it waited
    db.session.commit()
    assert Relation.SIGNATORY not in cases.relations(confirmer, case)
    with pytest.raises(NotAllowed):
        service.approve(confirmer, case, approved=True)
    assert cases.can(staff["senior"], case, Move.APPROVE)


def test_an_assessor_never_approves_even_at_a_high_level(app, staff, sent_case, make_account, org):
    case = _pending(app, staff, sent_case)
    high = make_account(Role.ASSESSOR, organisation=org, level=4, email="high@northfield.example.org")
    with pytest.raises(NotAllowed):
        service.approve(high, case, approved=True)
    client = staff_client(app, high)
    assert client.get(f"/staff/cases/{case.public_id}/approve").status_code == 403
    assert refreshed(case).status == S.WAITING_FOR_APPROVAL


def test_the_approval_level_boundary(app, staff, sent_case):
    case = _pending(app, staff, sent_case)
    decision = db.session.scalar(select(Decision).filter_by(case_id=case.id, outcome="pending"))
    decision.required_level = 3
    db.session.commit()
    assert cases.can(staff["approver"], case, Move.APPROVE), "level 3 signs off a level 3 budget"
    decision.required_level = 4
    db.session.commit()
    assert not cases.can(staff["approver"], case, Move.APPROVE), "level 3 cannot sign off a level 4 budget"
    with pytest.raises(NotAllowed):
        service.approve(staff["approver"], case, approved=True)


def test_returning_needs_a_reason_and_goes_back_to_the_holder(app, staff, sent_case):
    case = _pending(app, staff, sent_case)
    with pytest.raises(ValueError):
        service.approve(staff["senior"], case, approved=False, reason=" ")
    service.approve(staff["senior"], case, approved=False, reason="Check the nights")
    case = refreshed(case)
    assert (case.status, case.holder_id) == (S.CLAIMED, staff["assessor"].id)


def test_the_person_withdraws_before_a_decision(app, staff, sent_case, citizen):
    client = app.test_client()
    sign_in(client, citizen, PASSWORD)
    page = client.get(f"/my/cases/{sent_case.public_id}/status").get_data(as_text=True)
    assert f"/my/cases/{sent_case.public_id}/withdraw" in page
    token = csrf_from(client.get(f"/my/cases/{sent_case.public_id}/withdraw").get_data(as_text=True))
    response = client.post(
        f"/my/cases/{sent_case.public_id}/withdraw", data={"csrf_token": token, "reason": "We moved away"}
    )
    assert response.status_code == 303
    case = refreshed(sent_case)
    assert case.status == S.WITHDRAWN
    event = db.session.scalar(select(AuditEvent).filter_by(case_id=case.id, action="case.withdrawn"))
    assert event is not None and event.reason == "We moved away"
    assert cases.allowed_moves(citizen, case) == frozenset()
    assert not service.claim(staff["assessor"], case)
    assert client.get(f"/my/cases/{case.public_id}/withdraw").status_code == 403


def test_staff_close_a_duplicate_with_a_reason(app, staff, sent_case, citizen):
    case = _claimed(app, staff, sent_case)
    with pytest.raises(ValueError):
        service.close(staff["assessor"], case, reason="")
    client = staff_client(app, staff["assessor"])
    token = csrf_from(client.get(f"/staff/cases/{case.public_id}/close").get_data(as_text=True))
    client.post(
        f"/staff/cases/{case.public_id}/close", data={"csrf_token": token, "reason": "Same as CP-AAAA-2222"}
    )
    case = refreshed(case)
    assert case.status == S.WITHDRAWN and case.closed_reason == "Same as CP-AAAA-2222"
    person = app.test_client()
    sign_in(person, citizen, PASSWORD)
    assert "Same as CP-AAAA-2222" in person.get(f"/my/cases/{case.public_id}/status").get_data(as_text=True)


def test_a_correction_is_a_new_linked_case_whose_decision_is_in_force(app, staff, sent_case, citizen):
    first = _decided(app, staff, sent_case)
    first_decision = db.session.scalar(select(Decision).filter_by(case_id=first.id))
    assert cases.decision_in_force(first) == (first, first_decision)
    assert not cases.may_start_linked(citizen, first, CaseKind.CORRECTION)
    assert not cases.may_start_linked(staff["outsider"], first, CaseKind.CORRECTION)
    client = staff_client(app, staff["assessor2"])
    token = csrf_from(client.get(f"/staff/cases/{first.public_id}/correct").get_data(as_text=True))
    response = client.post(
        f"/staff/cases/{first.public_id}/correct", data={"csrf_token": token, "reason": "Wrong night support"}
    )
    assert response.status_code == 303
    correction = db.session.scalar(select(Case).filter_by(follows_id=first.id))
    assert correction.kind == CaseKind.CORRECTION
    assert (correction.status, correction.holder_id) == (S.CLAIMED, staff["assessor2"].id)
    # While the correction is open, the first decision stays in force and the first case is untouched.
    assert cases.decision_in_force(correction) == (first, first_decision)
    assert refreshed(first).status == S.DECIDED
    result = service.recalculate(correction)
    service.confirm_budget(
        staff["assessor2"], correction, confirmed_pence=result.total_weekly_pence - 100, reason="Corrected"
    )
    correction = refreshed(correction)
    assert correction.status == S.DECIDED
    in_force = cases.decision_in_force(first)
    assert in_force is not None and in_force[0].id == correction.id
    assert [c.id for c in cases.chain(correction)] == [first.id, correction.id]


def test_a_decision_without_a_budget(app, staff, sent_case):
    case = _claimed(app, staff, sent_case)
    validation = db.session.scalar(select(Validation).filter_by(case_id=case.id))
    with pytest.raises(ValueError):
        service.decide_not_eligible(staff["assessor"], case, reason="No eligible needs")
    service.save_practitioner_items(
        staff["assessor"],
        case,
        {"eligibility": {"cannot_achieve": ["nutrition"], "impairment": "yes", "wellbeing": "yes"}},
        expected_version=validation.version,
    )
    decision = service.decide_not_eligible(staff["assessor"], refreshed(case), reason="Only one outcome")
    assert decision.confirmed_weekly_pence is None and decision.outcome == "approved"
    assert refreshed(case).status == S.DECIDED


def test_every_staff_page_that_shows_a_case_audits_the_view(app, staff, sent_case):
    """Walk the URL map: every staff GET page about a case that answers 200 has written "case.viewed" for itself."""
    case = _claimed(app, staff, sent_case)
    question_id = next(iter(db.session.scalar(select(Validation).filter_by(case_id=case.id)).items))
    client = staff_client(app, staff["assessor"])
    shown = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("practitioner.") or "GET" not in (rule.methods or ()):
            continue
        if "case_id" not in rule.arguments:
            continue
        values = dict.fromkeys(rule.arguments, "")
        values.update(case_id=case.public_id, question_id=question_id)
        url = rule.build(values, append_unknown=False)[1]
        before = db.session.scalar(select(func.count(AuditEvent.id)).filter_by(action="case.viewed"))
        response = client.get(url)
        if response.status_code != 200:
            continue
        shown.append(rule.endpoint)
        db.session.expire_all()
        views = db.session.scalars(
            select(AuditEvent).filter_by(action="case.viewed", case_id=case.id).order_by(AuditEvent.id.desc())
        ).all()
        assert len(views) == before + 1 and views[0].detail["page"] == rule.endpoint, rule.endpoint
        assert views[0].actor_id == staff["assessor"].id
    assert {"practitioner.case", "practitioner.validate_answer", "practitioner.history"} <= set(shown)
    assert len(shown) >= 7


def test_the_lifecycle_document_is_generated_from_the_table():
    from pathlib import Path

    document = Path(__file__).resolve().parents[2] / "docs" / "lifecycle.md"
    assert document.read_text(encoding="utf-8") == cases.document(), (
        "run: python -m portal.cases > docs/lifecycle.md"
    )
