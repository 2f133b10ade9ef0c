"""The person's PDFs (answers and estimate) carry what a person or a council would file."""

from __future__ import annotations

import io

import pikepdf
from sqlalchemy import select

from portal import budgets
from portal.extensions import db
from portal.models import Case
from portal.questionnaire import load_schema
from portal.selfassess import service
from tests.conftest import sign_in
from tests.journey.helpers import answer_all, start
from tests.journey.test_estimate_page import _night_answers
from tests.test_pdf import pdftotext


def _text(data: bytes) -> str:
    return " ".join(pdftotext(data).split())


def _tagged(data: bytes) -> None:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.Root.MarkInfo.Marked
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang)


def test_pdfs_carry_the_person_the_council_and_who_filled_it_in(client, make_account, make_organisation):
    make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account(name="Jo Carer"))
    case_id = start(client, carer_for="Sam Lee", authority="best_interests")
    answer_all(client, case_id, choose=_night_answers)
    case = db.session.scalar(select(Case).filter_by(public_id=case_id))

    for url in (f"/my/cases/{case_id}/answers.pdf", f"/my/cases/{case_id}/estimate.pdf"):
        response = client.get(url)
        assert response.status_code == 200
        _tagged(response.data)
        text = _text(response.data)
        assert "Sam Lee" in text
        assert "14 February 1948" in text  # date of birth
        assert "Northfield City Council" in text
        assert "Jo Carer" in text and "Daughter" in text  # who filled it in, and their relationship
        assert "acting in their best interests" in text  # on what authority

    estimate = _text(client.get(f"/my/cases/{case_id}/estimate.pdf").data)
    result = budgets.run(load_schema(), service.stored_answers(case), case.organisation)
    # The range, in exact figures, and the reasons, quoting the answers.
    assert budgets.format_money(result.range_low_pence) in estimate
    assert budgets.format_money(result.range_high_pence) in estimate
    assert "“Sometimes”" in estimate
    assert budgets.format_money(result.total_weekly_pence) in estimate


def test_the_estimate_pdf_shows_no_markup_as_text(client, make_account, make_organisation):
    make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account())
    case_id = start(client)
    answer_all(client, case_id, choose=_night_answers)
    text = _text(client.get(f"/my/cases/{case_id}/estimate.pdf?lang=ur").data)
    assert "<bdi" not in text and "&lt;" not in text and "£" in text


def test_the_estimate_pdf_has_easy_read_when_it_is_on(client, make_account, make_organisation):
    make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account())
    case_id = start(client)
    answer_all(client, case_id)
    plain = _text(client.get(f"/my/cases/{case_id}/estimate.pdf?easy_read=0").data)
    easy = _text(client.get(f"/my/cases/{case_id}/estimate.pdf?easy_read=1").data)
    assert "It is not the final amount." in easy and "It is not the final amount." not in plain
