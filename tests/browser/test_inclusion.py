"""Inclusion checks in a real browser (issue 7, items 4 and 5, and the Urdu web font).

- The citizen journey completed with the keyboard alone, with a visible focus indicator at every step.
- Reflow: the pages fit 320 CSS pixels (400% zoom) without scrolling the page sideways, in English and Urdu.
- axe-core (WCAG 2.2 A and AA) on every page template in Welsh, Polish and Urdu and in Easy Read, citizen
  and staff pages, with the Content Security Policy enforced and no violation reported.
- A screen-reader-style read of a question page from the accessibility tree.
- Urdu pages use the Noto Nastaliq Urdu web font, served from static/dist/fonts/.

Every test here runs with the Content Security Policy enforced. axe-core is put into the page through the
DevTools protocol (``page.evaluate``), which the policy does not govern, so nothing is bypassed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import AXE, _note_csp, assert_accessible, sign_in
from tests.browser.test_journey_browser import answer_page, submit

OTHER_LANGUAGES = ("cy", "pl", "ur")
ASSESSOR = "assessor@northfield.example.org"
APPROVER = "approver@northfield.example.org"
PASSWORD = "a long enough password"
NARROW = {"width": 320, "height": 640}
FOCUS_YELLOW = "rgb(255, 221, 0)"  # GOV.UK's focus colour, #ffdd00
COUNTER = itertools.count(1)

OnPage = Callable[[Any, str], None]


# --------------------------------------------------------------------------------------------
# Pages and contexts
# --------------------------------------------------------------------------------------------


@contextmanager
def opened(browser: Any, **options: Any) -> Iterator[Any]:
    """A page in a context of its own, CSP enforced, noting every CSP violation and script error."""
    context = browser.new_context(**options)
    page = context.new_page()
    page.csp_violations = []
    page.script_errors = []
    page.on("console", lambda message: _note_csp(page, message.text))
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()


def check_axe(page: Any) -> None:
    """axe-core on the page as it is, injected through the DevTools protocol so CSP stays enforced."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    assert_accessible(page)


def assert_no_csp_violation(page: Any) -> None:
    assert page.csp_violations == [], "\n".join(page.csp_violations)
    assert page.script_errors == [], "\n".join(page.script_errors)


def unique_email(kind: str) -> str:
    return f"{kind}{next(COUNTER)}-{id(object())}@example.org"


def register(page: Any, base: str, *, lang: str | None = None) -> str:
    """Create a citizen account through the form (clicks allowed here: this is set-up)."""
    email = unique_email("inclusion")
    page.goto(f"{base}/account/register" + (f"?lang={lang}" if lang else ""))
    page.fill("#name", "Noor Inclusion")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/my/"), page.url
    return email


def follow(page: Any, selector: str) -> None:
    """Follow a link found by its address, not its words, so it works in every language."""
    with page.expect_navigation():
        page.locator(selector).first.click()
    page.wait_for_load_state()


def question_kind(page: Any) -> str:
    return page.evaluate(
        """() => {
          const form = document.querySelector('main form');
          if (form.querySelector('input[type=radio]')) return 'radios';
          if (form.querySelector('input[type=checkbox]')) return 'checkboxes';
          if (form.querySelector('textarea')) return 'textarea';
          if (form.querySelector('#answer-day')) return 'date';
          return 'input';
        }"""
    )


def walk_journey(
    page: Any,
    base: str,
    *,
    on_page: OnPage,
    every_question: bool = False,
    send: bool = True,
    postcode: str = "NF1 1AA",
) -> dict[str, str]:
    """Start an assessment for oneself, answer everything, check, see the estimate and (if `send`) send it.

    The page's language and Easy Read choice are whatever the session already has. `on_page(page, label)`
    is called on each page and error state (question pages: the first of each kind, or all of them).
    Returns the addresses of the pages, by label.
    """
    seen: dict[str, str] = {}

    def visit(label: str) -> None:
        seen.setdefault(label, page.url)
        on_page(page, label)

    page.goto(f"{base}/my/")
    visit("dashboard")
    follow(page, "main a[href$='/my/new']")
    visit("who")
    submit(page)  # nothing chosen
    assert page.locator(".govuk-error-summary").is_visible()
    visit("who-error")
    page.check("input[value=myself]")
    submit(page)
    assert re.search(r"/my/cases/[^/]+/about$", page.url), page.url
    visit("about")
    submit(page)
    assert page.locator(".govuk-error-summary").is_visible()
    visit("about-error")
    page.fill("#date_of_birth-day", "14")
    page.fill("#date_of_birth-month", "2")
    page.fill("#date_of_birth-year", "1948")
    page.fill("#postcode", postcode)
    submit(page)
    assert re.search(r"/my/cases/[^/]+/$", page.url), page.url
    seen["case"] = page.url.rstrip("/").rsplit("/", 1)[1]
    visit("tasks")
    follow(page, "main a[href$='/continue']")
    kinds: set[str] = set()
    for _ in range(100):
        if "/questions/" not in page.url:
            break
        kind = question_kind(page)
        if every_question or kind not in kinds:
            visit(f"question:{kind}:{page.url.rsplit('/', 1)[1]}")
        if not kinds:
            submit(page)  # nothing given: an error state, swapped in by htmx when script runs
            assert page.locator(".govuk-error-summary").is_visible()
            visit("question-error")
        kinds.add(kind)
        answer_page(page)
        submit(page)
    assert page.url.endswith("/check"), page.url
    visit("check")
    follow(page, "main a[href$='/estimate']")
    visit("estimate")
    follow(page, "main a[href$='/send']")
    visit("send")
    if not send:
        return seen
    submit(page)  # declaration not ticked
    assert page.locator(".govuk-error-summary").is_visible()
    visit("send-error")
    page.check("#confirm")
    submit(page)
    assert page.url.endswith("/sent"), page.url
    visit("sent")
    follow(page, "main a[href$='/status']")
    visit("status")
    return seen


# --------------------------------------------------------------------------------------------
# Keyboard
# --------------------------------------------------------------------------------------------

# Describes the focused element and whether it shows GOV.UK's focus state (or any visible outline).
FOCUS_JS = """
([selector, yellow]) => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {none: true, matches: false, reasons: [], what: 'nothing (the page itself)'};
  }
  const transparent = (colour) => colour === 'transparent' || /rgba\\([^)]*,\\s*0\\)$/.test(colour);
  const shows = (style) => {
    const reasons = [];
    if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 && !transparent(style.outlineColor)) {
      reasons.push('outline ' + style.outlineWidth + ' ' + style.outlineColor);
    }
    if (style.boxShadow && style.boxShadow !== 'none' && style.boxShadow.includes(yellow)) reasons.push('yellow box-shadow');
    if (style.backgroundColor === yellow) reasons.push('yellow background');
    return reasons;
  };
  let reasons = shows(getComputedStyle(el));
  // GOV.UK radios and checkboxes hide the native control and draw the focus ring on the label's ::before
  if (el.matches('input[type=radio], input[type=checkbox]') && el.labels && el.labels.length) {
    reasons = reasons.concat(shows(getComputedStyle(el.labels[0], '::before')).map((r) => 'label ' + r));
  }
  const rect = el.getBoundingClientRect();
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40);
  const what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
    + (text ? ' "' + text + '"' : '');
  return {none: false, matches: el.matches(selector), reasons, what, onScreen: rect.width > 0 && rect.height > 0};
}
"""


def focused(page: Any, selector: str = "*") -> dict[str, Any]:
    return page.evaluate(FOCUS_JS, [selector, FOCUS_YELLOW])


def assert_visible_focus(page: Any, state: dict[str, Any] | None = None) -> None:
    state = state or focused(page)
    assert not state["none"], f"{page.url}: focus was lost (nothing is focused)"
    assert state["reasons"], f"{page.url}: {state['what']} has focus but no visible focus indicator"


def tab_to(page: Any, selector: str, *, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab, if the target is behind the focus) until `selector` has focus.

    Every element focused on the way must show a visible focus indicator.
    """
    backwards = page.evaluate(
        """(selector) => {
          const target = document.querySelector(selector);
          if (!target) throw new Error('nothing on the page matches ' + selector);
          const active = document.activeElement;
          if (!active || active === document.body) return false;
          return !!(target.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING);
        }""",
        selector,
    )
    key = "Shift+Tab" if backwards else "Tab"
    trail = []
    for _ in range(limit):
        page.keyboard.press(key)
        state = focused(page, selector)
        if state["none"]:
            trail.append("(the page)")
            continue  # past the last element: the next Tab starts again from the top
        trail.append(state["what"])
        assert_visible_focus(page, state)
        if state["matches"]:
            return
    raise AssertionError(f"{page.url}: {key} never reached {selector}; focus went through {trail}")


def press_and_wait(page: Any, key: str = "Enter") -> None:
    """Press a key on the focused control and wait for the next page, or for htmx's swap."""
    enhanced = page.evaluate(
        "() => !!(window.htmx && document.activeElement && document.activeElement.closest('form[hx-post]'))"
    )
    if enhanced:
        page.evaluate(
            "() => { window.__settled = false;"
            " document.body.addEventListener('htmx:afterSettle', () => { window.__settled = true; }, {once: true}); }"
        )
        page.keyboard.press(key)
        page.wait_for_function("() => window.__settled === true")
    else:
        with page.expect_navigation():
            page.keyboard.press(key)
    page.wait_for_load_state()


def type_into(page: Any, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def send_form(page: Any, selector: str = "main form button[type=submit]") -> None:
    tab_to(page, selector)
    press_and_wait(page, "Enter")


def checked_values(page: Any, name: str) -> list[str]:
    return page.evaluate(
        "(name) => [...document.querySelectorAll(`main input[name='${name}']:checked`)].map((i) => i.value)", name
    )


def answer_with_keyboard(page: Any) -> None:
    """Answer the question on screen as answer_page() does (the first option), with keys only."""
    kind = question_kind(page)
    if kind == "radios":
        first = page.evaluate("() => document.querySelector('main input[type=radio]').value")
        tab_to(page, "main input[type=radio]")
        # Arrow keys move through a radio group and choose as they go
        page.keyboard.press("ArrowDown")
        assert_visible_focus(page)
        page.keyboard.press("ArrowUp")
        assert_visible_focus(page)
        assert checked_values(page, "answer") == [first], page.url
    elif kind == "checkboxes":
        tab_to(page, "main input[type=checkbox]")
        page.keyboard.press("Space")
        assert_visible_focus(page)
        assert len(checked_values(page, "answer")) == 1, page.url
    elif kind == "textarea":
        type_into(page, "main textarea", "I enjoy music and seeing my grandchildren.")
    elif kind == "date":
        type_into(page, "#answer-day", "3")
        type_into(page, "#answer-month", "4")
        type_into(page, "#answer-year", "2024")
    else:
        type_into(page, "#answer", "1")


def test_keyboard_only_journey(live_server, browser):
    """Register, start, answer every question, check, see the estimate and send, with the keyboard alone."""
    with opened(browser) as page:
        # Register
        page.goto(f"{live_server}/account/register?lang=en")
        type_into(page, "#name", "Kim Keys")
        type_into(page, "#email", unique_email("keyboard"))
        type_into(page, "#password", PASSWORD)
        type_into(page, "#confirm", PASSWORD)
        send_form(page)
        assert page.url.endswith("/my/"), page.url

        # Start a new assessment: a link styled as a button, which Space works too (GOV.UK's button script)
        tab_to(page, "main a[href$='/my/new']")
        press_and_wait(page, "Space")
        assert page.url.endswith("/my/new"), page.url

        # Who: Space chooses the focused radio
        tab_to(page, "input[name=who]")
        page.keyboard.press("Space")
        assert_visible_focus(page)
        assert checked_values(page, "who") == ["myself"]
        send_form(page)

        # About you: send it empty first. The error summary takes focus; its first link moves focus to
        # the field; the rest is typed, going back with Shift+Tab to the date after the postcode.
        assert page.url.endswith("/about"), page.url
        send_form(page)
        assert focused(page, ".govuk-error-summary")["matches"], f"{page.url}: the error summary is not focused"
        tab_to(page, ".govuk-error-summary__list a")
        page.keyboard.press("Enter")
        assert focused(page, "#date_of_birth-day")["matches"], focused(page)["what"]
        assert_visible_focus(page)
        type_into(page, "#postcode", "NF1 1AA")
        type_into(page, "#date_of_birth-day", "14")  # Shift+Tab, back up the form
        type_into(page, "#date_of_birth-month", "2")
        type_into(page, "#date_of_birth-year", "1948")
        send_form(page)
        assert re.search(r"/my/cases/[^/]+/$", page.url), page.url

        # The task list: carry on
        tab_to(page, "main a[href$='/continue']")
        press_and_wait(page, "Enter")

        # Every question. The first is sent empty: focus goes to the error summary, whose link leads to
        # the first option.
        first = True
        for _ in range(100):
            if "/questions/" not in page.url:
                break
            if first:
                send_form(page)
                assert page.locator(".govuk-error-summary").is_visible(), page.url
                assert focused(page, ".govuk-error-summary")["matches"], (
                    f"{page.url}: the error summary is not focused after the error was swapped in"
                )
                tab_to(page, ".govuk-error-summary__list a")
                page.keyboard.press("Enter")
                assert focused(page, "main form input, main form textarea")["matches"], focused(page)["what"]
                first = False
            answer_with_keyboard(page)
            send_form(page)
        assert page.url.endswith("/check"), page.url

        # Check answers, the estimate, the declaration and send
        tab_to(page, "main a[href$='/estimate']")
        press_and_wait(page, "Enter")
        assert page.url.endswith("/estimate"), page.url
        tab_to(page, "main a[href$='/send']")
        press_and_wait(page, "Enter")
        assert page.url.endswith("/send"), page.url
        tab_to(page, "#confirm")
        page.keyboard.press("Space")
        assert_visible_focus(page)
        assert checked_values(page, "confirm") == ["y"]
        send_form(page)
        assert page.url.endswith("/sent"), page.url
        reference = re.search(r"CP-[A-Z0-9]{4}-[A-Z0-9]{4}", page.locator(".govuk-panel").inner_text())
        assert reference, page.locator("main").inner_text()
        tab_to(page, "main a[href$='/status']")
        press_and_wait(page, "Enter")
        assert reference.group(0) in page.locator("main").inner_text()
        assert_no_csp_violation(page)
