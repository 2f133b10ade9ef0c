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

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import AXE, _note_csp, assert_accessible, sign_in
from tests.browser.test_journey_browser import answer_page

OTHER_LANGUAGES = ("cy", "pl", "ur")
ASSESSOR = "assessor@northfield.example.org"
APPROVER = "approver@northfield.example.org"
PASSWORD = "a long enough password"
NARROW = {"width": 320, "height": 640}
FOCUS_YELLOW = "rgb(255, 221, 0)"  # GOV.UK's focus colour, #ffdd00

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


def unnamed_groups(page: Any) -> list[str]:
    """Fieldsets (radios, checkboxes, a date's day, month and year) that a screen reader would announce with
    no name: their legend is missing or empty. axe-core does not look for this; WCAG 1.3.1 and 3.3.2 do."""
    found = page.evaluate(
        """() => [...document.querySelectorAll('main fieldset')].filter((fieldset) => {
              const legend = fieldset.querySelector(':scope > legend');
              return !legend || !legend.textContent.trim();
            }).map((fieldset) => {
              const control = fieldset.querySelector('input, select, textarea');
              return 'a fieldset with no legend, around ' + (control ? control.outerHTML.slice(0, 90) : 'nothing');
            })"""
    )
    return [f"{page.url}: {problem}" for problem in found]


def assert_no_csp_violation(page: Any) -> None:
    assert page.csp_violations == [], "\n".join(page.csp_violations)
    assert page.script_errors == [], "\n".join(page.script_errors)


def unique_email(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:12]}@example.org"


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


# Forms htmx enhances (it reads hx-post or data-hx-post: the Nu checker accepts only the second)
HTMX_FORM = "form[hx-post], form[data-hx-post]"
SETTLED_JS = (
    "() => { window.__settled = false;"
    " document.body.addEventListener('htmx:afterSettle', () => { window.__settled = true; }, {once: true}); }"
)


def submit(page: Any, button: str = "main form button[type=submit]") -> None:
    """Press a form's submit button and wait for the next page, or for htmx's swap (as
    tests/browser/test_journey_browser.py's submit does, for either spelling of htmx's attributes)."""
    target = page.locator(button).first
    enhanced = target.evaluate(f"(b) => !!(window.htmx && b.closest({HTMX_FORM!r}))")
    if enhanced:
        page.evaluate(SETTLED_JS)
        target.click()
        page.wait_for_function("() => window.__settled === true")
    else:
        with page.expect_navigation():
            target.click()
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
    for field in ("#date_of_birth-day", "#date_of_birth-month", "#date_of_birth-year", "#postcode"):
        page.fill(field, "")  # a person's own details are filled in from their last assessment
    submit(page)
    assert page.locator(".govuk-error-summary").is_visible()
    visit("about-error")
    page.fill("#date_of_birth-day", "14")
    page.fill("#date_of_birth-month", "2")
    page.fill("#date_of_birth-year", "1948")
    page.fill("#postcode", postcode)
    submit(page)
    # "About you" goes straight on to its questions; the task list is one link away.
    assert "/questions/" in page.url, page.url
    seen["case"] = page.url.split("/my/cases/", 1)[1].split("/", 1)[0]
    page.goto(f"{base}/my/cases/{seen['case']}/")
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
    assert state["onScreen"], f"{page.url}: {state['what']} has focus but takes up no space on the screen"


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
        f"() => !!(window.htmx && document.activeElement && document.activeElement.closest({HTMX_FORM!r}))"
    )
    if enhanced:
        page.evaluate(SETTLED_JS)
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
        "(name) => [...document.querySelectorAll(`main input[name='${name}']:checked`)].map((i) => i.value)",
        name,
    )


def answer_with_keyboard(page: Any) -> None:
    """Answer the question on screen as answer_page() does (the first option), with keys only."""
    kind = question_kind(page)
    if kind == "radios":
        values = page.evaluate(
            "() => [...document.querySelectorAll('main input[type=radio]')].map((r) => r.value)"
        )
        tab_to(page, "main input[type=radio]")  # lands on the first radio, or the last going backwards
        # Arrow keys move through a radio group, choosing as they go (and wrapping round at the ends)
        for key in ("ArrowDown", "ArrowUp"):
            page.keyboard.press(key)
            assert_visible_focus(page)
        for _ in values:
            if checked_values(page, "answer") == values[:1]:
                break
            page.keyboard.press("ArrowDown")
            assert_visible_focus(page)
        assert checked_values(page, "answer") == values[:1], page.url
    elif kind == "checkboxes":
        tab_to(page, "main input[type=checkbox]")
        page.keyboard.press("Space")
        assert_visible_focus(page)
        assert len(checked_values(page, "answer")) == 1, page.url
    elif kind == "textarea":
        type_into(page, "main textarea", "Music and my friends.")
    elif kind == "date":
        recent = date.today() - timedelta(days=10)  # "in the last 3 months" refuses older dates
        type_into(page, "#answer-day", str(recent.day))
        type_into(page, "#answer-month", str(recent.month))
        type_into(page, "#answer-year", str(recent.year))
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

        # About you: send it empty first, and the error summary takes focus (where its links lead is
        # test_error_summary_links_lead_to_the_field's business). Then type, going back with Shift+Tab to
        # the date after the postcode.
        assert page.url.endswith("/about"), page.url
        send_form(page)
        assert focused(page, ".govuk-error-summary")["matches"], (
            f"{page.url}: the error summary is not focused"
        )
        type_into(page, "#postcode", "NF1 1AA")
        type_into(page, "#date_of_birth-day", "14")  # Shift+Tab, back up the form
        type_into(page, "#date_of_birth-month", "2")
        type_into(page, "#date_of_birth-year", "1948")
        send_form(page)
        # "About you" goes straight on to its questions.
        assert "/questions/" in page.url, page.url

        # Every question. The first is sent empty: focus goes to the error summary.
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
                # Its link leads to the first option (a radio group, whose first radio has the group's id)
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


def test_error_summary_links_lead_to_the_field(live_server, browser, citizen):
    """Following an error summary link with the keyboard puts focus on the field to correct (GOV.UK's
    error summary script focuses the element the link names, so that must be the first input)."""
    problems = []

    def follow_first_error(where: str) -> None:
        assert page.locator(".govuk-error-summary").is_visible(), page.url
        tab_to(page, ".govuk-error-summary__list a")
        href = page.evaluate("() => document.activeElement.getAttribute('href')")
        page.keyboard.press("Enter")
        state = focused(page, "input:not([type=hidden]), textarea, select")
        if not state["matches"]:
            problems.append(f"{where}: the link {href} left the focus on {state['what']}, not on a field")
        else:
            assert_visible_focus(page, state)

    with opened(browser, storage_state=citizen["state"]) as page:
        page.goto(f"{live_server}/my/new?lang=en")
        submit(page)
        follow_first_error("who (radios)")
        page.check("input[value=myself]")
        submit(page)
        for field in ("#date_of_birth-day", "#date_of_birth-month", "#date_of_birth-year", "#postcode"):
            page.fill(field, "")
        submit(page)
        follow_first_error("about you (date of birth)")
        # A date question, answered already: clear it and send
        page.goto(f"{live_server}/my/cases/{citizen['case']}/questions/hospital-leaving-date")
        for part in ("day", "month", "year"):
            page.fill(f"#answer-{part}", "")
        submit(page)
        follow_first_error("a date question")
    assert not problems, "\n".join(problems)


def test_after_an_htmx_step_focus_starts_at_the_new_question(live_server, browser, citizen):
    """htmx swaps the next question in without a page load. As after a page load, focus must start before
    the new question (the page, <main> or its heading), not on a control after it."""
    with opened(browser, storage_state=citizen["state"]) as page:
        page.goto(f"{live_server}/my/cases/{citizen['case']}/questions/main-reason?lang=en")
        tab_to(page, "main form button[type=submit]")
        press_and_wait(page, "Enter")
        assert "/questions/" in page.url and not page.url.endswith("/main-reason"), page.url
        state = page.evaluate(
            """() => {
              const active = document.activeElement;
              const first = document.querySelector('main form input:not([type=hidden]), main form textarea');
              if (!active || active === document.body || active.matches('main, main h1, main legend')) return null;
              if (first && (first.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_PRECEDING)) return null;
              return active.outerHTML.slice(0, 120);
            }"""
        )
        assert state is None, (
            f"{page.url}: after the swap, focus was left on {state}, past the new question: a keyboard or "
            "screen reader user starts after the question they have not yet heard"
        )


# --------------------------------------------------------------------------------------------
# Shared set-up: one citizen account with a complete draft and a sent case
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def citizen(live_server, browser) -> dict[str, Any]:
    """One registered citizen with a complete, unsent draft and a sent case (both for NF1, Northfield).

    The journeys are walked at 320 CSS pixels wide, and every page (each question too) is checked for
    reflow on the way: test_every_journey_page_reflows reports what was found.
    """
    reflow: list[str] = []

    def on_page(page: Any, label: str) -> None:
        if problem := reflow_problem(page):
            reflow.append(f"{label}: {problem}")

    with opened(browser, viewport=NARROW) as page:
        register(page, live_server, lang="en")
        draft = walk_journey(page, live_server, on_page=on_page, every_question=True, send=False)
        sent = walk_journey(page, live_server, on_page=on_page)
        state = page.context.storage_state()
    return {
        "state": state,
        "case": draft["case"],  # complete, not sent
        "draft": draft,
        "status": sent["status"],
        "sent": sent["case"],
        "reflow": reflow,
    }


@contextmanager
def staff(browser: Any, base: str, email: str, **options: Any) -> Iterator[Any]:
    """A signed-in member of staff. Whatever language the test chose is put back to English after, as
    ?lang= is remembered on the account and other tests use these demo accounts."""
    with opened(browser, **options) as page:
        sign_in(page, base, email, DEMO_PASSWORD)
        try:
            yield page
        finally:
            page.goto(f"{base}/staff/?lang=en")


# --------------------------------------------------------------------------------------------
# Reflow at 320 CSS pixels
# --------------------------------------------------------------------------------------------

OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.parentElement && el.parentElement.closest('.app-table-container')) continue;  // may scroll itself
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > width + 0.5 || r.left < -0.5) {
      const parent = el.parentElement.getBoundingClientRect();
      if (parent.right > width + 0.5 || parent.left < -0.5) continue;  // its parent is reported already
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
        + ` from ${Math.round(r.left)} to ${Math.round(r.right)}px: "${(el.innerText || '').trim().slice(0, 50)}"`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, offenders: out.slice(0, 6)};
}
"""


def reflow_problem(page: Any) -> str | None:
    page.wait_for_load_state()
    found = page.evaluate(OVERFLOW_JS)
    if found["scrollWidth"] <= NARROW["width"]:
        return None
    return f"{page.url}: the page is {found['scrollWidth']}px wide; too wide: {found['offenders']}"


def test_pages_reflow_at_320_css_pixels(live_server, browser, citizen):
    """WCAG 1.4.10: at 320 CSS pixels wide (1280px at 400% zoom) nothing makes the page scroll sideways."""
    problems: list[str] = []

    def check(page: Any, url: str) -> None:
        page.goto(url)
        if problem := reflow_problem(page):
            problems.append(problem)

    draft = citizen["draft"]
    question = next(url for label, url in draft.items() if label.startswith("question:radios"))
    with opened(browser, viewport=NARROW) as page:
        for lang in ("en", "ur"):
            for path in ("/", "/account/sign-in"):
                check(page, f"{live_server}{path}?lang={lang}")
            page.goto(f"{live_server}/account/register?lang={lang}")
            page.fill("#email", "not an email")
            submit(page)
            assert page.locator(".govuk-error-summary").is_visible()
            if problem := reflow_problem(page):
                problems.append(problem)
    with opened(browser, viewport=NARROW, storage_state=citizen["state"]) as page:
        for lang in ("en", "ur"):
            for url in (draft["tasks"], question, draft["check"], draft["estimate"], citizen["status"]):
                check(page, f"{url}?lang={lang}")
    with staff(browser, live_server, ASSESSOR, viewport=NARROW) as page:
        for lang in ("en", "ur"):
            check(page, f"{live_server}/staff/queue?lang={lang}")
            check(page, f"{live_server}/staff/cases/{citizen['sent']}?lang={lang}")
    assert not problems, "\n".join(problems)


def test_every_journey_page_reflows(citizen):
    """Every page and error state of the citizen journey at 320 CSS pixels, each question included (in
    English: the Urdu pages are checked in test_pages_reflow_at_320_css_pixels and the walks below)."""
    assert not citizen["reflow"], "\n".join(citizen["reflow"])


# --------------------------------------------------------------------------------------------
# axe-core in Welsh, Polish and Urdu, and in Easy Read, with CSP enforced
# --------------------------------------------------------------------------------------------


def assert_language(page: Any, lang: str) -> None:
    assert page.get_attribute("html", "lang") == lang, page.url
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ur" else "ltr"), page.url


class PageChecks:
    """axe-core on each page (CSP enforced), its language, and fieldsets with no legend (noted, reported at
    the end, so that one such page does not hide what axe would say about the rest)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.unnamed: list[str] = []

    def __call__(self, page: Any) -> None:
        assert_language(page, self.lang)
        check_axe(page)
        for problem in unnamed_groups(page):
            if problem not in self.unnamed:
                self.unnamed.append(problem)

    def error_state(self, page: Any, button: str = "main form button[type=submit]") -> None:
        submit(page, button)
        assert page.locator(".govuk-error-summary").is_visible(), page.url
        self(page)


@pytest.mark.parametrize("variant", [*OTHER_LANGUAGES, "easy-read"])
def test_journeys_are_accessible_in_every_language_and_easy_read(live_server, browser, variant):
    """Every page template and error state of the citizen journey, in the language chosen once with ?lang=
    (or in Easy Read, chosen once with ?easy_read=1): zero axe violations and no CSP violation.

    In Welsh and Urdu the staff then take the case to a decision in the same language: queue, case, claim,
    validate (and one answer), Needs Profile, budget, history, asking the person, approvals and approving, with
    their error states; and the person reads the decision on their status page.
    """
    lang = "en" if variant == "easy-read" else variant
    check = PageChecks(lang)
    pictures: list[str] = []
    kinds: set[str] = set()

    def on_page(page: Any, label: str) -> None:
        if label.startswith("question:"):
            if variant == "easy-read":
                pictures.append(label)
                assert page.locator("main img.app-easy-read-picture").count() == 1, page.url
            kind = label.split(":")[1]
            if kind in kinds:
                return  # the same template as one checked already (in Easy Read, only its picture differs)
            kinds.add(kind)
        check(page)

    with opened(browser) as page:
        page.goto(f"{live_server}/account/register?lang={lang}")
        check(page)
        register(page, live_server, lang=lang)
        if variant == "easy-read":
            page.goto(f"{live_server}/my/?easy_read=1")
            assert page.locator("a[href*='easy_read=0']").count() == 1  # the way back is offered
        seen = walk_journey(page, live_server, on_page=on_page, every_question=variant == "easy-read")
        page.goto(f"{live_server}/account/?lang={lang}")
        check(page)
        assert_no_csp_violation(page)
        state = page.context.storage_state()
    if variant == "easy-read":
        assert len(pictures) > 20
    if lang in ("cy", "ur"):
        take_to_a_decision(browser, live_server, seen["case"], check)
        with opened(browser, storage_state=state) as page:
            page.goto(f"{live_server}/my/cases/{seen['case']}/status?lang={lang}")
            assert page.locator("main .govuk-panel").count(), "the decision is not shown"
            check(page)
            assert_no_csp_violation(page)
    assert not check.unnamed, "\n".join(check.unnamed)


def _agree_with_the_rest_of(case_id: str) -> None:
    """Agree with every answer still to check, as the holder would, through the live app's own service."""
    from portal.extensions import db
    from portal.models import Account, Case
    from tests.browser.conftest import _LIVE
    from tests.practitioner.test_casework import _agree_with_the_rest

    app = _LIVE["app"]
    with app.app_context():
        found = db.session.scalar(db.select(Case).filter_by(public_id=case_id))
        _agree_with_the_rest(app, db.session.get(Account, found.holder_id), found)
        db.session.remove()


def take_to_a_decision(browser: Any, base: str, case: str, check: PageChecks) -> None:
    """An assessor claims and works the case and confirms a budget above their limit; an approver approves it.
    Every page and error state on the way goes through `check`."""
    lang = check.lang
    with staff(browser, base, ASSESSOR) as page:
        for path in ("/staff/", "/staff/queue", f"/staff/cases/{case}"):
            page.goto(f"{base}{path}?lang={lang}")
            check(page)
        submit(page, "main form[action$='/claim'] button[type=submit]")
        check(page)  # the case, claimed
        for path in ("validate", "history", "ask"):
            page.goto(f"{base}/staff/cases/{case}/{path}")
            check(page)
        check.error_state(page)  # an empty question to the person
        page.goto(f"{base}/staff/cases/{case}/validate")
        follow(page, "main table a[href*='/validate/']")
        check(page)
        check.error_state(page)  # neither agreed nor amended
        page.goto(f"{base}/staff/cases/{case}/needs-profile")
        check(page)
        check.error_state(page)  # impairment and well-being not answered
        for area in ("hygiene", "nutrition", "dressing"):
            page.check(f"input[name=cannot_achieve][value={area}]")
        page.check("input[name=impairment][value=yes]")
        page.check("input[name=wellbeing][value=yes]")
        submit(page)
        check(page)
        _agree_with_the_rest_of(case)  # a full validation needs every answer checked before the budget
        page.goto(f"{base}/staff/cases/{case}/budget")
        check(page)
        page.fill("#amount", "lots")
        check.error_state(page)  # not an amount of money
        page.fill("#amount", "2500.00")
        check.error_state(page)  # a different figure needs reasons
        page.fill("#reason", "Two carers are needed for every visit, day and night.")
        submit(page)
        check(page)  # waiting for approval
        assert_no_csp_violation(page)
    for approver in (APPROVER, "senior-approver@northfield.example.org"):
        with staff(browser, base, approver) as page:
            page.goto(f"{base}/staff/approvals?lang={lang}")
            check(page)
            link = f"main a[href$='/staff/cases/{case}/approve']"
            if not page.locator(link).count():
                continue  # above this approver's level: the senior approver's
            follow(page, link)
            check(page)
            check.error_state(page)  # no outcome chosen
            page.check("input[name=outcome][value=approve]")
            submit(page)
            check(page)
            assert_no_csp_violation(page)
            return
    pytest.fail(f"no approver was offered case {case} to approve")


# --------------------------------------------------------------------------------------------
# The accessibility tree, as a screen reader reads it
# --------------------------------------------------------------------------------------------


def test_question_page_reads_well_in_the_accessibility_tree(live_server, browser, citizen):
    with opened(browser, storage_state=citizen["state"]) as page:
        page.goto(f"{live_server}/my/new?lang=en")
        page.check("input[value=myself]")
        submit(page)
        page.fill("#date_of_birth-day", "1")
        page.fill("#date_of_birth-month", "1")
        page.fill("#date_of_birth-year", "1950")
        page.fill("#postcode", "NF2 1AA")
        submit(page)
        if "/questions/" not in page.url:
            follow(page, "main a[href$='/continue']")
        assert "/questions/" in page.url
        question = page.locator("main h1").inner_text().strip()
        tree = page.locator("body").aria_snapshot()
        # The page's one heading of level 1 is the question ...
        assert re.findall(r'- heading "([^"]*)" \[level=1\]', tree) == [question], tree
        # ... and the radio group carries the question as its name, with its options inside it
        group = re.search(r'- group "([^"]*)":\n((?:\s+- .*\n?)+)', tree)
        assert group, tree
        assert group.group(1) == question, tree
        assert "- radio " in group.group(2), tree
        # No option chosen: the error is announced (an alert) and takes focus, and the group says what is wrong
        submit(page)
        tree = page.locator("body").aria_snapshot()
        alert = re.search(r"- alert:\n((?:\s+- .*\n?)+)", tree)
        assert alert, tree
        error = page.locator(".govuk-error-summary__list a").first.inner_text().strip()
        assert error in alert.group(1), tree
        assert page.evaluate("() => !!document.activeElement.closest('.govuk-error-summary')"), (
            "the error summary does not have focus"
        )
        assert page.title().startswith("Error:")
        described = page.locator("main fieldset").get_attribute("aria-describedby") or ""
        assert any(part.endswith("-error") for part in described.split()), described
        assert_no_csp_violation(page)


# --------------------------------------------------------------------------------------------
# The Urdu web font
# --------------------------------------------------------------------------------------------


def test_urdu_pages_use_the_nastaliq_web_font(live_server, browser):
    fonts: list[str] = []
    with opened(browser) as page:
        page.on("request", lambda request: fonts.append(request.url) if "/fonts/" in request.url else None)
        page.goto(f"{live_server}/?lang=en")
        page.wait_for_load_state("networkidle")
        assert fonts == [], "an English page downloaded the Urdu font"
        page.goto(f"{live_server}/?lang=ur")
        page.wait_for_load_state("networkidle")
        page.evaluate("() => document.fonts.ready")
        family = page.evaluate("() => getComputedStyle(document.querySelector('main h1')).fontFamily")
        assert family.startswith('"Noto Nastaliq Urdu"'), family
        assert page.evaluate("() => document.fonts.check('16px \"Noto Nastaliq Urdu\"')")
        assert page.evaluate("() => document.fonts.check('16px \"Noto Nastaliq Urdu\"', 'اردو')")
        loaded = page.evaluate(
            "() => [...document.fonts].filter((f) => f.family.replace(/\"/g, '') === 'Noto Nastaliq Urdu'"
            " && f.status === 'loaded').length"
        )
        assert loaded >= 1
        assert any(
            url.endswith(".woff2") and "/static/dist/fonts/noto-nastaliq-urdu-arabic-" in url for url in fonts
        )
        # Nastaliq's tall letters get room: running text has a line height of at least 1.8
        ratio = page.evaluate(
            """() => { const s = getComputedStyle(document.querySelector('main .govuk-body'));
                       return parseFloat(s.lineHeight) / parseFloat(s.fontSize); }"""
        )
        assert ratio >= 1.75, ratio
        # Words marked as another language (the switcher's "English") keep the deployment's own font
        english = page.evaluate(
            "() => getComputedStyle(document.querySelector('.app-language-switcher [lang=en]')).fontFamily"
        )
        assert not english.startswith('"Noto Nastaliq Urdu"'), english
        assert_no_csp_violation(page)
