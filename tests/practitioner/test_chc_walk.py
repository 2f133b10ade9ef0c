"""An adult NHS Continuing Healthcare case from start to decision letter, through the pages: started with the person,
answered question by question, validated, its budget all NHS-funded, and a letter that says it is free and never
mentions a contribution or a financial assessment."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from portal import chc
from portal.case_record import AwaitingIcbDecision
from portal.extensions import db
from portal.jobs import work
from portal.models import Case, CaseStatus, Document, OrganisationKind, Role
from portal.organisation_rules import Limit, OrganisationRules
from portal.practitioner import service
from tests.conftest import csrf_from, sign_in

CHOSEN = {
    "main-reason": "physical",
    "need-breathing": "a_lot",
    "unpaid-breathing": "some",
    "night": "every_night",
}


def _pdf_text(content: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True, timeout=30)
    return " ".join(out.stdout.decode().split())


def test_a_continuing_healthcare_case_from_start_to_letter(app, make_organisation, make_account):
    icb = make_organisation("Southmere Integrated Care Board", kind=OrganisationKind.ICB, districts=("SM1",))
    icb.settings = {
        "tools": {"continuing_healthcare": True},
        **OrganisationRules(limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()}).to_settings(),
    }
    db.session.commit()
    assessor = make_account(Role.ASSESSOR, organisation=icb, level=2, name="Nia Nurse")
    client = app.test_client()
    sign_in(client, assessor)

    url = "/staff/assess/new?tool=continuing_healthcare"
    page = client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(page),
            "name": "Peter Okonkwo",
            "date_of_birth": ["2", "4", "1958"],
            "postcode": "SM1 1AA",
            "address_line_1": "1 Mill Lane",
            "town": "Southmere",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    asked = []
    while match := re.search(r"/staff/assess/([0-9a-f]{32})/questions/([a-z0-9-]+)", location):
        question_id = match.group(2)
        page = client.get(location).get_data(as_text=True)
        options = re.findall(r'name="answer" type="radio" value="([^"]+)"', page) or re.findall(
            r'type="radio"[^>]*name="answer"[^>]*value="([^"]+)"', page
        )
        value = CHOSEN.get(question_id, options[0] if options else "Staying at home")
        response = client.post(location, data={"csrf_token": csrf_from(page), "answer": value, "submit": "y"})
        assert response.status_code == 303, (question_id, response.get_data(as_text=True)[:800])
        asked.append(question_id)
        location = response.headers["Location"]
    assert asked[0] == "main-reason" and "need-breathing" in asked and "what-matters" in asked
    case = db.session.scalar(select(Case).filter_by(person_name="Peter Okonkwo"))
    finish = client.get(f"/staff/assess/{case.public_id}/finish").get_data(as_text=True)
    assert client.post(location, data={"csrf_token": csrf_from(finish)}).status_code == 303
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == CaseStatus.CLAIMED and case.tool_key == "continuing_healthcare"

    from tests.practitioner.test_casework import _agree_with_the_rest

    _agree_with_the_rest(app, assessor, case)
    result = service.recalculate(case)
    assert {line.funder for line in result.lines if line.funder} == {"nhs"}
    assert [(s.funder, str(s.percent)) for s in result.split] == [("nhs", "100.00")]
    with pytest.raises(AwaitingIcbDecision):  # eligibility is the ICB's decision, not yet recorded
        service.confirm_budget(assessor, case, confirmed_pence=result.total_weekly_pence, reason="")
    chc.record_eligibility(
        assessor, case, eligible=True, decided_on=date.today(), today=date.today(), reasons="Panel decision"
    )
    db.session.commit()
    assert (
        service.recalculate(case).total_weekly_pence == result.total_weekly_pence
    )  # every area, as assessed
    decision = service.confirm_budget(assessor, case, confirmed_pence=result.total_weekly_pence, reason="")
    assert decision.outcome == "approved"

    work(until_empty=True)
    letter = db.session.scalar(select(Document).filter_by(case_id=case.id, kind="decision_letter", lang="en"))
    assert letter is not None
    words = _pdf_text(letter.content)
    assert "Health care tasks by trained carers" in words
    assert "NHS Continuing Healthcare is free." in words
    for never in ("financial assessment", "contribution", "means test"):
        assert never not in words.lower(), never
