"""In a real browser: the warning before a session ends (WCAG 2.2.1), and the language switch keeping the person
on the same question with JavaScript on and off (issue 13: "three answered, Polski shows the first")."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.browser.conftest import assert_accessible
from tests.browser.test_journey_browser import answer_page, register, submit


def _start(page, base: str) -> None:
    """Start an assessment for oneself and reach the first question."""
    page.goto(f"{base}/my/new")
    page.check("input[value=myself]")
    submit(page)
    page.fill("#date_of_birth-day", "1")
    page.fill("#date_of_birth-month", "1")
    page.fill("#date_of_birth-year", "1950")
    page.fill("#postcode", "NF1 1AA")
    submit(page)
    if "/questions/" not in page.url:  # from the task list, if the person's details lead there
        page.click("text=Carry on")
        page.wait_for_load_state()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_switching_language_keeps_the_question(live_server, browser, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    register(page, live_server)
    _start(page, live_server)
    for _ in range(3):
        answer_page(page)
        submit(page)
    assert "/questions/" in page.url
    here = re.search(r"/questions/[a-z0-9-]+", page.url).group(0)
    heading = page.locator("main h1").inner_text()

    with page.expect_navigation():
        page.click("#app-language-switcher a[lang=pl]")
    page.wait_for_load_state()
    assert here in page.url, f"expected {here}, got {page.url}"
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.locator("main h1").inner_text() != heading  # the same question, now in Polish

    with page.expect_navigation():
        page.click("#app-language-switcher a[lang=en]")
    assert here in page.url
    context.close()


def _set_idle_left(live_app, email: str, seconds: int) -> None:
    """Make the server's record of this person's session end in ``seconds``."""
    from portal.extensions import db
    from portal.models import Account, SessionRecord, utcnow

    with live_app.app_context():
        account_id = db.session.scalar(select(Account.id).filter_by(email=email))
        db.session.execute(
            update(SessionRecord)
            .where(SessionRecord.account_id == account_id, SessionRecord.ended_at.is_(None))
            .values(last_seen_at=utcnow() - timedelta(seconds=3600 - seconds))
        )
        db.session.commit()
        db.session.remove()


def _rearm(page, seconds: int) -> None:
    """Tell the page's script the new time left, as a fresh page from an htmx step would."""
    page.evaluate(
        """(seconds) => {
            const notice = document.getElementById('app-session-notice');
            notice.dataset.idleSecondsLeft = String(seconds);
            document.dispatchEvent(new CustomEvent('htmx:afterSettle'));
        }""",
        seconds,
    )


def test_the_warning_before_the_session_ends(live_server, live_app, browser):
    context = browser.new_context(bypass_csp=True)  # so axe-core can be injected
    page = context.new_page()
    email = register(page, live_server)
    page.goto(f"{live_server}/my/")
    notice = page.locator("main #app-session-notice")
    assert "you will be signed out at" in notice.inner_text()
    dialog = page.locator("dialog#app-timeout-dialog")
    assert not dialog.is_visible()

    # Three minutes and a few seconds left: the warning opens at three minutes (at least two, as 2.2.1 asks).
    _set_idle_left(live_app, email, 184)
    _rearm(page, 184)
    dialog.wait_for(state="visible", timeout=15_000)
    assert dialog.locator("#app-timeout-title-idle").is_visible()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Stay signed in"
    assert_accessible(page)

    # One action extends it: the server moves the idle limit on and the notice says the new time.
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden", timeout=10_000)
    status = page.evaluate("fetch('/account/session').then((r) => r.json())")
    assert status["idle_seconds_left"] > 59 * 60

    # Escape counts as "stay signed in" too.
    _set_idle_left(live_app, email, 183)
    _rearm(page, 183)
    dialog.wait_for(state="visible", timeout=15_000)
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden", timeout=10_000)
    assert page.evaluate("fetch('/account/session').then((r) => r.json())")["idle_seconds_left"] > 59 * 60

    # Left alone, the session ends and the dialog says so, and that nothing typed is lost.
    _set_idle_left(live_app, email, 4)
    _rearm(page, 4)
    page.locator("#app-timeout-title-ended").wait_for(state="visible", timeout=20_000)
    assert "Nothing you typed on this page is lost" in dialog.inner_text()
    # The script counts down on the browser's clock; the server agrees within a moment.
    for _ in range(20):
        status = page.evaluate("fetch('/account/session').then((r) => r.json())")
        if status == {"signed_in": False}:
            break
        page.wait_for_timeout(500)
    assert status == {"signed_in": False}
    context.close()


def _set_absolute_left(live_app, email: str, seconds: int) -> None:
    """Make the server's record of this person's session reach its absolute limit in ``seconds``."""
    from portal.extensions import db
    from portal.models import Account, SessionRecord, utcnow

    with live_app.app_context():
        account_id = db.session.scalar(select(Account.id).filter_by(email=email))
        db.session.execute(
            update(SessionRecord)
            .where(SessionRecord.account_id == account_id, SessionRecord.ended_at.is_(None))
            .values(last_seen_at=utcnow(), expires_at=utcnow() + timedelta(seconds=seconds))
        )
        db.session.commit()
        db.session.remove()


def test_the_warning_before_the_absolute_end(live_server, live_app, browser):
    """The absolute limit cannot be extended (decision 0012): the person is still warned at least two minutes
    before, told to save and that what they type is kept, and nothing offers to extend it."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    email = register(page, live_server)
    page.goto(f"{live_server}/my/")
    dialog = page.locator("dialog#app-timeout-dialog")

    _set_absolute_left(live_app, email, 184)
    page.evaluate(
        """(seconds) => {
            const notice = document.getElementById('app-session-notice');
            notice.dataset.absoluteSecondsLeft = String(seconds);
            document.dispatchEvent(new CustomEvent('htmx:afterSettle'));
        }""",
        184,
    )
    dialog.wait_for(state="visible", timeout=15_000)
    part = dialog.locator("[data-timeout-state=absolute]")
    assert part.is_visible() and not dialog.locator("[data-timeout-state=idle]").is_visible()
    assert "what you type is kept and shown to you again when you sign in" in part.inner_text()
    assert part.locator("[data-timeout-extend]").count() == 0
    assert page.evaluate("document.activeElement.textContent.trim()") == "Continue"
    assert_accessible(page)
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden", timeout=10_000)
    status = page.evaluate("fetch('/account/session').then((r) => r.json())")
    assert status["signed_in"] and status["absolute_seconds_left"] <= 184

    # At the end the dialog says the person was signed out and that nothing typed is lost.
    _set_absolute_left(live_app, email, 3)
    page.evaluate(
        """() => {
            document.getElementById('app-session-notice').dataset.absoluteSecondsLeft = '3';
            document.dispatchEvent(new CustomEvent('htmx:afterSettle'));
        }"""
    )
    page.locator("#app-timeout-title-ended").wait_for(state="visible", timeout=20_000)
    assert "Nothing you typed on this page is lost" in dialog.inner_text()
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_what_was_typed_survives_a_lost_session(live_server, browser, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    email = register(page, live_server)
    _start(page, live_server)
    while page.locator("main form textarea").count() == 0:  # on to a question that takes typing
        answer_page(page)
        submit(page)
    here = re.search(r"/my/cases/[0-9a-f]+/questions/[a-z0-9-]+", page.url).group(0)
    typed = "I can dress myself if my clothes are laid out the night before."
    page.locator("main form textarea").first.fill(typed)
    context.clear_cookies()  # the session is lost (ended, or the cookie dropped)

    page.locator("main form button[type=submit]").first.click()
    page.locator("#email").wait_for(timeout=15_000)  # the sign-in page, in place or loaded
    assert "Sign in again and we will show you what you typed" in page.locator("main").inner_text()
    page.fill("#email", email)
    page.fill("#password", "a long enough password")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert here in page.url
    assert page.locator("main form textarea").first.input_value() == typed
    assert "has not been saved yet" in page.locator("main").inner_text()
    context.close()
