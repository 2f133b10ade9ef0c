"""The indicative budget in the journey: shown after check your answers, stored whole when the case is sent."""

from __future__ import annotations

from sqlalchemy import select

from portal import budgets
from portal.engine import Estimate, estimate, load_configuration
from portal.extensions import db
from portal.models import Case
from portal.models import Estimate as StoredEstimate
from portal.questionnaire import load_schema
from portal.selfassess import service
from tests.conftest import check_page, sign_in
from tests.engine.conftest import reference_document, reference_profile
from tests.journey.helpers import answer_all, post, start


def _sent_case(client, make_account, make_organisation):
    make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account())
    case_id = start(client)
    # Answers with real needs, so the budget has several lines.
    answer_all(client, case_id, choose=lambda q: _high(q))
    return case_id


def _high(question):
    from tests.journey.helpers import first_option

    values = [o.value for o in question.options]
    if question.id == "paying-for-care":
        return "no"
    if "a_lot" in values:
        return "a_lot"
    if "none" in values and question.id.endswith("-unpaid"):
        return "none"
    return first_option(question)


def test_estimate_page_explains_the_budget(client, make_account, make_organisation):
    case_id = _sent_case(client, make_account, make_organisation)
    check = client.get(f"/my/cases/{case_id}/check").get_data(as_text=True)
    assert f"/my/cases/{case_id}/estimate" in check
    page = check_page(client.get(f"/my/cases/{case_id}/estimate").get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "Your indicative budget" in text and "a week" in text and "a year" in text
    assert "only an indication" in text and "confirm the budget" in text
    rows = page.select(".app-allocation-summary tbody tr")
    assert len(rows) >= 8
    assert "Carrying out essential daily living tasks" in rows[0].get_text()
    assert "which could provide" in rows[0].get_text()
    assert page.select_one(".app-allocation-summary details")  # the reasons for a line
    assert page.select(".app-funding-split li")
    # The figure on the page is the engine's for these answers.
    case = db.session.scalar(select(Case).filter_by(public_id=case_id))
    result = budgets.run(load_schema(), service.stored_answers(case), case.organisation)
    assert budgets.format_money(result.total_weekly_pence) in text


def test_a_self_funder_sees_an_independent_personal_budget(client, make_account, make_organisation):
    make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account())
    case_id = start(client)
    answer_all(client, case_id, choose=lambda q: "yes" if q.id == "paying-for-care" else _high(q))
    page = check_page(client.get(f"/my/cases/{case_id}/estimate").get_data(as_text=True))
    assert page.h1.get_text(strip=True) == "Your Independent Personal Budget"
    assert "what the council would pay, at its own rates" in page.get_text()


def test_sending_stores_the_estimate_whole_and_it_recomputes_to_the_penny(
    client, make_account, make_organisation
):
    case_id = _sent_case(client, make_account, make_organisation)
    post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
    case = db.session.scalar(select(Case).filter_by(public_id=case_id))
    row = db.session.scalar(select(StoredEstimate).filter_by(case_id=case.id))
    assert row.purpose == "self_assessment" and row.snapshot_id is not None
    stored = Estimate.from_dict(row.result)
    assert stored.engine_version == row.engine_version and stored.config_hash == row.config_hash
    again = budgets.run(load_schema(), service.stored_answers(case), case.organisation)
    assert again == stored
    assert again.total_weekly_pence == row.total_weekly_pence > 0


def test_reference_figure_is_rendered_in_the_allocation_summary_layout(app):
    from flask import render_template_string

    result = estimate(reference_profile(), load_configuration(reference_document()))
    with app.test_request_context("/"):
        html = render_template_string(
            '{% include "components/allocation_summary.html" %}',
            lines=budgets.worded_lines(result),
            split=budgets.split_words(result),
        )
    page = check_page(
        f'<html lang="en" dir="ltr"><head><title>x</title></head><body><h1>x</h1>{html}</body></html>'
    )
    rows = [
        [" ".join(c.get_text(" ", strip=True).split()) for c in row.select("th, td")][:3]
        for row in page.select("tbody tr")
    ]
    got = [(r[0], r[1], r[2].split(" Why")[0]) for r in rows]
    assert got == [
        (
            "Carrying out essential daily living tasks",
            "Council",
            "£98.00 which could provide 7 hours per week",
        ),
        ("Carrying out household tasks", "Council", "£14.00 which could provide 1 hour per week"),
        ("Supplement for night time support", "—", "No allocation"),
        (
            "Staying safe, social activities and work",
            "Council",
            "£14.00 (3 hours of social activity with support from one carer), at 1 carer to 3 people",
        ),
        ("Weekly allocation for engaging in work, training, education or volunteering", "—", "No allocation"),
        ("Weekly childcare support", "—", "No allocation"),
        ("Weekly support with mental health", "NHS", "£14.00 which could provide 1 hour per week"),
        ("Weekly contingency allocation", "NHS", "£2.95 per week, which could provide 11 hours per year"),
        ("Weekly medication allocation", "NHS", "£98.00 which could provide 7 hours per week"),
    ]
    split = [li.get_text(strip=True) for li in page.select(".app-funding-split li")]
    assert split == ["52.29% Council = £126.00", "47.71% NHS = £114.95"]
    assert budgets.format_money(result.total_weekly_pence) == "£240.95"
