"""WCAG 1.4.10 on every page the crawl reaches: at 320 CSS pixels, with every <details> open, no page scrolls
sideways, in English and Urdu. Wide data tables may scroll inside their own box, but the estimate's breakdown
(the allocation summary) restacks instead (issue 13 item 6)."""

from __future__ import annotations

from collections import deque
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import sign_in

NARROW = {"width": 320, "height": 640}
SKIP = ("/static/", "/account/sign-out", "mailto:", "/healthz", "/download", ".pdf", ".json", ".yaml", ".csv")
ROLES = {
    "anonymous": None,
    "citizen": "citizen@example.org",
    "assessor": "assessor@northfield.example.org",
}

#: Open every <details>, then list what reaches past the right or left edge (a table box that scrolls by itself
#: is allowed, except the allocation summary, which must restack).
OVERFLOW_JS = """
() => {
  for (const d of document.querySelectorAll('details')) d.open = true;
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.parentElement && el.parentElement.closest('.app-table-container');
    if (box && !box.querySelector('.app-allocation-summary')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > width + 0.5 || r.left < -0.5) {
      out.push(el.tagName.toLowerCase() + ` ${Math.round(r.left)}-${Math.round(r.right)}px: `
        + (el.innerText || '').trim().slice(0, 40));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, offenders: out.slice(0, 5)};
}
"""


def overflow(page: Any) -> str | None:
    found = page.evaluate(OVERFLOW_JS)
    if found["scrollWidth"] <= NARROW["width"] and not found["offenders"]:
        return None
    return f"{page.url}: {found['scrollWidth']}px wide; {found['offenders']}"


def crawl(page: Any, base: str, limit: int) -> tuple[list[str], list[str]]:
    seen: set[str] = set()
    queue = deque([f"{base}/"])
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        assert response is not None and response.status < 500, url
        visited.append(url)
        if problem := overflow(page):
            problems.append(problem)
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"
        ):
            target = urldefrag(urljoin(url, href))[0]
            parsed = urlparse(target)
            if parsed.netloc != urlparse(base).netloc or "lang=" in (parsed.query or ""):
                continue
            if not any(part in target for part in SKIP) and target not in seen:
                queue.append(target)
    return visited, problems


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_scrolls_sideways_at_320_pixels_with_details_open(live_server, browser, role):
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    try:
        if ROLES[role]:
            sign_in(page, live_server, ROLES[role], DEMO_PASSWORD)
        visited, problems = crawl(page, live_server, limit=45)
        # The same pages in Urdu (right to left).
        for url in visited[:20]:
            page.goto(url + ("&" if "?" in url else "?") + "lang=ur")
            if problem := overflow(page):
                problems.append(problem)
        page.goto(f"{live_server}/?lang=en")
    finally:
        context.close()
    assert len(visited) >= 7
    assert not problems, "\n".join(problems)


def _complete_draft(app: Any) -> str:
    """A draft of the demo citizen's with every question answered, so it has an estimate page."""
    from datetime import date
    from random import Random

    from sqlalchemy import select

    from portal.demo import demo_answers
    from portal.extensions import db
    from portal.models import Account
    from portal.person_details import organisations_for_postcode
    from portal.questionnaire import storable
    from portal.selfassess import service

    with app.app_context():
        account = db.session.scalar(select(Account).filter_by(email=ROLES["citizen"]))
        case = service.start_for_self(account)
        case.person.date_of_birth = date(1948, 2, 14)
        case.person.postcode = "NF1 1AA"
        case.organisation_id = organisations_for_postcode("NF1 1AA")[0].id
        answers = demo_answers(service.schema(), Random(7), 3, False, None)
        case.answers = {key: storable(value) for key, value in answers.items()}
        db.session.commit()
        return case.public_id


def test_the_estimate_breakdown_restacks_at_320_pixels(live_server, live_app, browser):
    case_id = _complete_draft(live_app)
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    try:
        sign_in(page, live_server, ROLES["citizen"], DEMO_PASSWORD)
        for lang in ("en", "ur"):
            page.goto(f"{live_server}/my/cases/{case_id}/estimate?lang={lang}")
            assert page.locator(".app-allocation-summary details").count() > 0, page.url
            assert overflow(page) is None, overflow(page)
    finally:
        context.close()
