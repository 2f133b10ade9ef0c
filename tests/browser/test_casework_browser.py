"""The assessor and approver journeys in a real browser: two assessors claiming at once, validation, a question
to the person, the Needs Profile, a budget above the limit, approval, and the letter the person downloads."""

from __future__ import annotations

import re
import subprocess

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_inclusion import reflow_problem

CARER = "carer@example.org"  # the demo carer sent the example cases


def signed_in(browser, base: str, email: str, **options):
    """A fresh context and page, signed in (CSP bypassed so axe can run)."""
    context = browser.new_context(bypass_csp=True, **options)
    page = context.new_page()
    sign_in(page, base, email, DEMO_PASSWORD)
    return context, page


def press(page, text: str) -> None:
    """Press a button by its text and wait for the next page."""
    with page.expect_navigation():
        page.get_by_role("button", name=text).first.click()


def test_casework_in_a_browser(live_server, live_app, browser, tmp_path):
    base = live_server
    first, a = signed_in(browser, base, "assessor@northfield.example.org")
    second, b = signed_in(browser, base, "second-assessor@northfield.example.org")

    # The queue, at risk first.
    a.goto(f"{base}/staff/queue")
    assert_accessible(a)
    rows = a.locator("tbody tr")
    assert rows.count() >= 3
    assert "Urgent" in rows.first.inner_text()
    a.goto(f"{base}/staff/queue?q=Margaret")
    assert_accessible(a)
    a.get_by_role("link", name=re.compile(r"CP-")).first.click()
    a.wait_for_load_state()
    case_url = a.url
    assert_accessible(a)

    # Two assessors press "claim" at the same moment: exactly one holds the case.
    b.goto(case_url)
    a.evaluate("document.querySelector(\"form[action$='/claim']\").requestSubmit()")
    b.evaluate("document.querySelector(\"form[action$='/claim']\").requestSubmit()")
    a.wait_for_url(case_url)
    b.wait_for_url(case_url)
    a.wait_for_load_state()
    b.wait_for_load_state()
    messages = [
        a.locator(".govuk-notification-banner").inner_text(),
        b.locator(".govuk-notification-banner").inner_text(),
    ]
    won = [("You have claimed" in m) for m in messages]
    assert sorted(won) == [False, True], messages
    holder = a if won[0] else b
    loser = b if won[0] else a
    assert "Someone else has already claimed" in (messages[1] if won[0] else messages[0])
    assert_accessible(loser)

    # Validate: an amendment needs a reason (error state), then saves.
    holder.goto(case_url + "/validate")
    assert_accessible(holder)
    holder.get_by_role("link", name=re.compile("Washing|wash", re.I)).first.click()
    holder.wait_for_load_state()
    assert_accessible(holder)
    holder.check("input[name=action][value=amend]")
    radios = holder.locator("input[name=answer]")
    current = holder.locator("input[name=answer]:checked")
    current_value = current.get_attribute("value") if current.count() else None
    for index in range(radios.count()):
        if radios.nth(index).get_attribute("value") != current_value:
            radios.nth(index).check()
            break
    press(holder, "Save")
    assert holder.locator(".govuk-error-summary").is_visible()
    assert_accessible(holder)
    holder.fill("#reason", "Seen at the home visit: needs help every morning.")
    press(holder, "Save")
    assert "/validate" in holder.url

    # Ask the person a question; the carer answers it on the status page.
    holder.goto(case_url)
    holder.get_by_role("button", name="Ask the person a question").click()
    holder.wait_for_load_state()
    assert_accessible(holder)
    holder.fill("#question", "Who helps at weekends?")
    press(holder, "Send the question")
    carer_context, carer = signed_in(browser, base, CARER)
    carer.goto(f"{base}/my/")
    carer.get_by_role("link", name=re.compile("View")).first.click()
    carer.wait_for_load_state()
    # Find the case that is waiting for an answer.
    carer.goto(f"{base}/my/")
    links = carer.locator("tbody tr")
    for index in range(links.count()):
        if "Waiting for your answer" in links.nth(index).inner_text():
            links.nth(index).get_by_role("link").click()
            carer.wait_for_load_state()
            break
    assert "Who helps at weekends?" in carer.content()
    assert_accessible(carer)
    carer.fill("#answer", "Her son, on Saturdays.")
    press(carer, "Send your answer")

    # The Needs Profile and eligibility.
    holder.goto(case_url + "/needs-profile")
    assert_accessible(holder)
    for area in ("hygiene", "nutrition", "dressing"):
        holder.check(f"input[name=cannot_achieve][value={area}]")
    holder.check("input[name=impairment][value=yes]")
    holder.check("input[name=wellbeing][value=yes]")
    press(holder, "Save the Needs Profile")
    assert "has been saved" in holder.content()

    # Agree with the rest of each section in one step (a full validation needs every answer checked).
    holder.goto(case_url + "/validate")
    assert_accessible(holder)
    assert "Answer " not in holder.content()  # the summary; "Answer n of N" is on each answer's page
    for _ in range(20):
        buttons = holder.get_by_role("button", name=re.compile("^Agree with the"))
        if buttons.count() == 0:
            break
        with holder.expect_navigation():
            buttons.first.click()
    assert holder.get_by_role("button", name=re.compile("^Agree with the")).count() == 0

    # Any question an amendment brought onto the path is answered by the holder (none may be left).
    from portal.extensions import db
    from portal.models import Account, Case
    from tests.practitioner.test_casework import _agree_with_the_rest

    with live_app.app_context():
        case = db.session.scalar(db.select(Case).filter_by(public_id=case_url.rstrip("/").rsplit("/", 1)[1]))
        _agree_with_the_rest(live_app, db.session.get(Account, case.holder_id), case)
        db.session.remove()

    # A budget above the assessor's limit, with a reason, goes to an approver.
    holder.goto(case_url + "/budget")
    assert_accessible(holder)
    holder.fill("#amount", "2500.00")
    press(holder, "Confirm the budget")
    assert holder.locator(".govuk-error-summary").is_visible()
    assert_accessible(holder)
    holder.fill("#reason", "Two carers are needed for every visit, day and night.")
    press(holder, "Confirm the budget")
    assert "has gone to a level" in holder.content()
    level = int(re.search(r"level (\d) approver", holder.content()).group(1))

    approver_email = (
        "senior-approver@northfield.example.org" if level == 4 else "approver@northfield.example.org"
    )
    approver_context, approver = signed_in(browser, base, approver_email)
    # What needs them, from their home page: the budget they can approve.
    approver.goto(f"{base}/staff/")
    approver.get_by_role("link", name=re.compile(r"Waiting for your approval \([1-9]")).click()
    approver.wait_for_load_state()
    assert_accessible(approver)
    approver.get_by_role("link", name=re.compile(r"CP-")).first.click()
    approver.wait_for_load_state()
    assert_accessible(approver)
    approve_url = approver.url
    # Returned first, with a reason: the holder sees it and the form keeps the figure and reasons.
    approver.check("input[name=outcome][value=return]")
    approver.fill("#reason", "Please add the night-time visits to the reasons.")
    press(approver, "Save")
    holder.goto(f"{base}/staff/")
    assert "Returned to you (1)" in holder.inner_text("main")
    holder.goto(case_url + "/budget")
    assert "Please add the night-time visits to the reasons." in holder.content()
    assert holder.input_value("#amount") == "2500"
    assert "Two carers are needed" in holder.input_value("#reason")
    assert_accessible(holder)
    press(holder, "Confirm the budget")
    assert "has gone to a level" in holder.content()
    approver.goto(approve_url)
    approver.check("input[name=outcome][value=approve]")
    press(approver, "Save")

    # The worker renders the letter; the carer reads the decision and downloads it.
    from portal.jobs import work

    with live_app.app_context():
        work(until_empty=True)
    carer.reload()
    assert "Two carers are needed for every visit" in carer.content()
    assert "£2,500.00" in carer.content()
    assert_accessible(carer)
    with carer.expect_download() as download:
        carer.get_by_role("link", name=re.compile("decision letter")).click()
    pdf = tmp_path / "letter.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "letter")], check=True
    )
    assert list(tmp_path.glob("letter*.png"))

    # The decision in Easy Read (issue 13): short sentences with pictures, accessible, and 320 px wide.
    status_url = carer.url.split("?")[0]
    carer.goto(status_url + "?easy_read=1")
    block = carer.locator(".app-easy-read--decision")
    assert block.is_visible() and block.locator("img").count() >= 1
    assert_accessible(carer)
    carer.set_viewport_size({"width": 320, "height": 900})
    assert reflow_problem(carer) is None, reflow_problem(carer)
    carer.goto(status_url + "?easy_read=0")

    for context in (first, second, carer_context, approver_context):
        context.close()
