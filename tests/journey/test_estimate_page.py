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
    assert "Everyday tasks like washing, dressing and eating" in rows[0].get_text()
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
    # The plain titles; the figures are exactly the published reference's.
    assert got == [
        (
            "Everyday tasks like washing, dressing and eating",
            "Council",
            "£98.00 which could provide 7 hours per week",
        ),
        ("Keeping the home clean and safe", "Council", "£14.00 which could provide 1 hour per week"),
        ("Help at night", "—", "No allocation"),
        (
            "Getting out, seeing people and staying safe",
            "Council",
            "£14.00 for 3 hours of activities in a group, sharing a carer with 2 other people",
        ),
        ("Work, learning or volunteering", "—", "No allocation"),
        ("Looking after a child", "—", "No allocation"),
        ("Support with mental health", "NHS", "£14.00 which could provide 1 hour per week"),
        ("Extra for when needs change", "NHS", "£2.95 per week, set aside for 11 hours of extra help a year"),
        ("Help with medicines", "NHS", "£98.00 which could provide 7 hours per week"),
    ]
    split = [" ".join(li.get_text().split()) for li in page.select(".app-funding-split li")]
    assert split == ["Council pays £126.00 (52%)", "NHS pays £114.95 (48%)"]
    assert budgets.format_money(result.total_weekly_pence) == "£240.95"


def _night_answers(question):
    """High needs, help at night "Sometimes", with family helping with about half of it."""
    if question.id == "night-help":
        return "sometimes"
    if question.id == "night-who-helps":
        return ["family_or_friends"]
    if question.id == "night-unpaid":
        return "about_half"
    return _high(question)


def test_the_estimate_reads_plainly_for_a_lay_person(client, make_account, make_organisation):
    import re

    make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account())
    case_id = start(client)
    answer_all(client, case_id, choose=_night_answers)
    page = check_page(client.get(f"/my/cases/{case_id}/estimate").get_data(as_text=True))
    case = db.session.scalar(select(Case).filter_by(public_id=case_id))
    result = budgets.run(load_schema(), service.stored_answers(case), case.organisation)

    # A short plain summary comes first, in amounts rounded sensibly (no pence).
    summary = page.select_one(".app-estimate-summary")
    assert summary is not None
    first = page.select_one("main h1").find_next(["p", "div"])
    assert summary in [first, *first.parents] or first in summary.descendants
    said = summary.get_text(" ", strip=True)
    assert f"About {budgets.about_money(result.total_weekly_pence)} a week" in said
    assert not re.search(r"£[\d,]+\.\d\d", said)
    assert "Most of it is for" in said or "The biggest part is for" in said
    assert budgets.about_money(49120) == "£490" and budgets.about_money(2554200) == "£26,000"

    text = " ".join(page.get_text(" ", strip=True).split())
    # No jargon, no over-precise figures, nothing worth £0.00.
    for jargon in ("contingency allocation", "carer to", "Supplement for", "1 people"):
        assert jargon not in text
    assert not re.search(r"\d+\.\d+%", text)
    assert "£0.00" not in text
    # Every reason quotes the person's own answer, as they gave it.
    night = next(
        row for row in page.select(".app-allocation-summary tbody tr") if "Help at night" in row.th.get_text()
    )
    reasons = night.select("details li")
    assert reasons and "“Sometimes”" in reasons[0].get_text()
    assert "You said help is needed at night" not in text
    assert any("“About half of it”" in li.get_text() for li in reasons)
    # The night line counts the family's share of the help at night.
    without = budgets.run(
        load_schema(), {**service.stored_answers(case), "night-unpaid": "none"}, case.organisation
    )
    assert result.line("night").amount_pence < without.line("night").amount_pence


def test_right_to_left_pages_isolate_every_amount_and_percentage(client, make_account, make_organisation):
    case_id = _sent_case(client, make_account, make_organisation)
    html = client.get(f"/my/cases/{case_id}/estimate?lang=ur").get_data(as_text=True)
    page = check_page(html, lang="ur")
    main = page.select_one("main")
    amounts = [node for node in main.find_all(string=True) if "£" in node or "%" in node]
    assert len(amounts) > 20
    for node in amounts:
        assert node.find_parent(attrs={"dir": "ltr"}) is not None, repr(node)


def test_right_to_left_pages_isolate_the_reference(client, make_account, make_organisation):
    case_id = _sent_case(client, make_account, make_organisation)
    case = db.session.scalar(select(Case).filter_by(public_id=case_id))
    for url in (f"/my/cases/{case_id}/", "/my/"):
        page = check_page(client.get(f"{url}?lang=ur").get_data(as_text=True), lang="ur")
        found = [n for n in page.select_one("main").find_all(string=True) if case.reference in n]
        assert found, url
        assert all(n.find_parent(attrs={"dir": "ltr"}) is not None for n in found), url
