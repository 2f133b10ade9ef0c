"""The validation service's own refusals and records, called directly (the pages word them; these hold the rules).

Found by the mutation run on the staff services: deleting the refusal of an unknown action, of an amendment
without a reason, of a page drawn before someone else changed the validation, or of a case with no validation,
failed no test, because the forms refuse first; and nothing checked what an agreement records, or that an
answer left over from a branch the person did not take counts as never asked.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Snapshot, Validation
from portal.practitioner.validation_service import (
    Conflict,
    UnchangedAmendment,
    agree_with_section,
    save_practitioner_items,
    still_to_check,
    validate_answer,
    validation_rows,
)
from tests.practitioner.test_validation_flow import claimed, refreshed  # noqa: F401 - the fixture

QUESTION = "has-unpaid-carer"  # the person answered "no"


def validation_of(case) -> Validation:
    db.session.expire_all()
    return db.session.scalar(select(Validation).filter_by(case_id=case.id))


def committed_items(case) -> dict:
    """The validation's items as another connection sees them: only what was committed."""
    with db.engine.connect() as connection:
        return connection.execute(select(Validation.items).where(Validation.case_id == case.id)).scalar_one()


def attempt(how: str, account, case, *, version: int, section: str = "about-you"):
    """One of the three validating moves: an answer agreed, a section agreed, or the Needs Profile's items."""
    if how == "answer":
        return validate_answer(account, case, QUESTION, action="agree", expected_version=version)
    if how == "section":
        return agree_with_section(account, case, section, expected_version=version)
    return save_practitioner_items(account, case, {"risks": "Falls"}, expected_version=version)


MOVES = ["answer", "section", "needs_profile"]


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)))


def test_an_unknown_action_is_refused_and_saves_nothing(staff, claimed):  # noqa: F811
    version = validation_of(claimed).version
    with pytest.raises(ValueError, match="unknown action"):
        validate_answer(staff["assessor"], claimed, QUESTION, action="approve", expected_version=version)
    assert committed_items(claimed) == {}


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_amendment_needs_a_reason(staff, claimed, reason):  # noqa: F811
    version = validation_of(claimed).version
    with pytest.raises(ValueError, match="needs a reason"):
        validate_answer(
            staff["assessor"],
            claimed,
            QUESTION,
            action="amend",
            value="yes",
            reason=reason,
            expected_version=version,
        )
    assert committed_items(claimed) == {}


def test_an_amendment_to_the_persons_own_answer_is_refused(staff, claimed):  # noqa: F811
    version = validation_of(claimed).version
    with pytest.raises(UnchangedAmendment):
        validate_answer(
            staff["assessor"],
            claimed,
            QUESTION,
            action="amend",
            value="no",
            reason="Checked",
            expected_version=version,
        )


def test_a_page_drawn_before_someone_else_changed_the_validation_saves_nothing(staff, claimed):  # noqa: F811
    drawn = validation_of(claimed).version
    validate_answer(staff["assessor"], claimed, "main-reason", action="agree", expected_version=drawn)
    with pytest.raises(Conflict):
        validate_answer(
            staff["assessor"], refreshed(claimed), QUESTION, action="agree", expected_version=drawn
        )
    assert set(committed_items(claimed)) == {"main-reason"}
    with pytest.raises(Conflict):
        agree_with_section(staff["assessor"], refreshed(claimed), "about-you", expected_version=drawn)
    with pytest.raises(Conflict):
        save_practitioner_items(
            staff["assessor"], refreshed(claimed), {"risks": "Falls"}, expected_version=drawn
        )
    assert validation_of(claimed).practitioner_items in (None, {})


def test_a_case_without_a_validation_is_a_conflict(staff, claimed):  # noqa: F811
    version = validation_of(claimed).version
    db.session.delete(validation_of(claimed))
    db.session.commit()
    with pytest.raises(Conflict):
        validate_answer(
            staff["assessor"], refreshed(claimed), QUESTION, action="agree", expected_version=version
        )
    with pytest.raises(Conflict):
        agree_with_section(staff["assessor"], refreshed(claimed), "about-you", expected_version=version)
    with pytest.raises(Conflict):
        save_practitioner_items(staff["assessor"], refreshed(claimed), {}, expected_version=version)


def test_what_an_amendment_records_and_commits(staff, claimed):  # noqa: F811
    version = validation_of(claimed).version
    validate_answer(
        staff["assessor"],
        claimed,
        QUESTION,
        action="amend",
        value="yes",
        reason="  Her daughter visits daily  ",
        note="  Every evening ",
        expected_version=version,
    )
    item = committed_items(claimed)[QUESTION]
    assert {k: item[k] for k in ("action", "reason", "note", "by", "value")} == {
        "action": "amend",
        "reason": "Her daughter visits daily",
        "note": "Every evening",
        "by": staff["assessor"].id,
        "value": "yes",
    }
    assert validation_of(claimed).version == version + 1
    [event] = events("validation.answer")
    assert event.detail["question"] == QUESTION and event.detail["before"] is None
    assert event.detail["after"] == item and event.reason == "Her daughter visits daily"


def test_an_agreement_keeps_no_value_of_its_own(staff, claimed):  # noqa: F811
    validate_answer(
        staff["assessor"],
        claimed,
        QUESTION,
        action="agree",
        value="yes",
        expected_version=validation_of(claimed).version,
    )
    item = committed_items(claimed)[QUESTION]
    assert item["action"] == "agree" and "value" not in item


def test_agreeing_with_a_section_records_each_answer_left_to_check_and_nothing_else(staff, claimed):  # noqa: F811
    rows = validation_rows(refreshed(claimed))
    section = rows[0].section
    first = rows[0].id
    validate_answer(
        staff["assessor"], claimed, first, action="agree", expected_version=validation_of(claimed).version
    )
    expected = [
        r.id for r in validation_rows(refreshed(claimed)) if r.section == section and r.state == "to_check"
    ]
    assert expected, "the section has answers left to check"
    agreed = agree_with_section(
        staff["assessor"], refreshed(claimed), section, expected_version=validation_of(claimed).version
    )
    assert agreed == expected
    items = committed_items(claimed)
    assert set(items) == {first, *expected}
    assert all(items[q]["action"] == "agree" and items[q]["by"] == staff["assessor"].id for q in expected)
    assert [e.detail["question"] for e in events("validation.answer")] == [first, *expected]
    assert all(e.detail["section"] == section for e in events("validation.answer")[1:])
    version_before_again = validation_of(claimed).version
    again = agree_with_section(
        staff["assessor"], refreshed(claimed), section, expected_version=version_before_again
    )
    assert again == [], "nothing left to agree with in that section"
    assert validation_of(claimed).version == version_before_again, "agreeing with nothing makes no page stale"
    assert not set(still_to_check(refreshed(claimed))) & {first, *expected}


def test_the_practitioners_items_are_committed_and_audited(staff, claimed):  # noqa: F811
    version = validation_of(claimed).version
    save_practitioner_items(staff["assessor"], claimed, {"risks": "Falls at night"}, expected_version=version)
    with db.engine.connect() as connection:
        saved = connection.execute(
            select(Validation.practitioner_items).where(Validation.case_id == claimed.id)
        ).scalar_one()
    assert saved == {"risks": "Falls at night"}
    [event] = events("validation.needs_profile")
    assert event.detail == {"before": {}, "after": {"risks": "Falls at night"}}


def test_the_practitioners_items_changed_again_record_what_was_there_before(staff, claimed):  # noqa: F811
    first = {"risks": "Falls at night"}
    save_practitioner_items(
        staff["assessor"], claimed, first, expected_version=validation_of(claimed).version
    )
    second = {"risks": "Falls at night and on the stairs"}
    save_practitioner_items(
        staff["assessor"], refreshed(claimed), second, expected_version=validation_of(claimed).version
    )
    assert [event.detail for event in events("validation.needs_profile")] == [
        {"before": {}, "after": first},
        {"before": first, "after": second},
    ]


def test_an_answer_left_from_a_branch_the_person_did_not_take_was_never_asked(staff, claimed):  # noqa: F811
    """The person's answers keep "carer-breaks" from before they said nobody helps them: when the assessor
    amends that to yes, the follow-on is for the assessor to answer, not an answer of the person's to agree with."""
    snapshot = db.session.scalar(select(Snapshot).filter_by(case_id=claimed.id))
    snapshot.answers = {**snapshot.answers, "carer-breaks": 4}
    db.session.commit()
    validate_answer(
        staff["assessor"],
        refreshed(claimed),
        QUESTION,
        action="amend",
        value="yes",
        reason="Her daughter visits daily",
        expected_version=validation_of(claimed).version,
    )
    rows = {row.id: row for row in validation_rows(refreshed(claimed))}
    assert (rows["carer-breaks"].state, rows["carer-breaks"].asked) == ("to_answer", False)
    assert "carer-breaks" in still_to_check(refreshed(claimed))


def test_a_change_of_mind_records_what_was_there_before(staff, claimed):  # noqa: F811
    validate_answer(
        staff["assessor"], claimed, QUESTION, action="agree", expected_version=validation_of(claimed).version
    )
    agreed = committed_items(claimed)[QUESTION]
    validate_answer(
        staff["assessor"],
        refreshed(claimed),
        QUESTION,
        action="amend",
        value="yes",
        reason="Her daughter visits daily",
        expected_version=validation_of(claimed).version,
    )
    first, second = events("validation.answer")
    assert first.detail["before"] is None
    assert second.detail["before"] == agreed


def test_a_refused_stale_page_leaves_nothing_for_a_later_commit_to_save(staff, claimed):  # noqa: F811
    """A page drawn before someone else's change is refused; whatever the request commits afterwards (its
    session record, say) must not carry the lifecycle's half-made move with it."""
    from portal.models import Case

    def case_version() -> int:
        with db.engine.connect() as connection:
            return connection.execute(select(Case.version).where(Case.id == claimed.id)).scalar_one()

    drawn = validation_of(claimed).version
    validate_answer(staff["assessor"], claimed, "main-reason", action="agree", expected_version=drawn)
    before = case_version()
    for how in MOVES:
        with pytest.raises(Conflict):
            attempt(how, staff["assessor"], refreshed(claimed), version=drawn)
        db.session.commit()  # what the rest of the request would do
        assert case_version() == before


@pytest.mark.parametrize("how", MOVES)
def test_a_validation_changed_between_reading_and_saving_is_a_conflict(staff, claimed, monkeypatch, how):  # noqa: F811
    """Someone saves the same validation after this request read it and before it writes: the version column
    refuses the write, the request is told of a conflict, and nothing half-done is left for a later commit."""
    from sqlalchemy import update

    from portal.practitioner import validation_service

    real = validation_service.current_validation

    def racing(case):
        found = real(case)
        db.session.execute(
            update(Validation)
            .where(Validation.id == found.id)
            .values(version=Validation.version + 1)
            .execution_options(synchronize_session=False)
        )
        return found

    version = validation_of(claimed).version
    section = validation_rows(refreshed(claimed))[0].section
    monkeypatch.setattr(validation_service, "current_validation", racing)
    case = refreshed(claimed)
    with pytest.raises(Conflict):
        attempt(how, staff["assessor"], case, version=version, section=section)
    db.session.commit()  # the rest of the request commits (its session record): nothing of this goes with it
    monkeypatch.undo()
    assert committed_items(claimed) == {} and validation_of(claimed).practitioner_items in (None, {})
    assert validation_of(claimed).version == version


@pytest.mark.parametrize("how", MOVES)
def test_only_the_holder_validates(staff, claimed, how):  # noqa: F811
    from portal.cases import NotAllowed

    version = validation_of(claimed).version
    section = validation_rows(refreshed(claimed))[0].section
    with pytest.raises(NotAllowed):
        attempt(how, staff["assessor2"], refreshed(claimed), version=version, section=section)
    assert committed_items(claimed) == {} and validation_of(claimed).version == version
