"""Urdu letters are never clipped (issue 13): Noto Nastaliq Urdu's letters rise and fall far beyond the line height
GOV.UK sets for Latin text, so in a box that cuts its content off (a form field, a container that scrolls) or paints
its own background (a button, a tag) their tops and tails were cut off or drawn outside the box.

The measure: for each such box on every page of the journey in Urdu (each error state too), at desktop width
and at 320 CSS pixels, where the ink of its text really is. The browser's own canvas measures the ink of the text
in the element's font (``actualBoundingBoxAscent``/``Descent``); the text's line boxes (a Range) give the baseline.
Ink more than a pixel outside the box is a finding."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_inclusion import ASSESSOR, NARROW, opened, register, staff, walk_journey

#: Boxes whose text must keep inside them: form fields, buttons, tags and any box that clips what overflows it.
MEASURE_JS = """
() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const BOXED = '.govuk-button, button, .govuk-tag, .govuk-input, .govuk-textarea, .govuk-select';
  const FIELDS = 'input:not([type=radio]):not([type=checkbox]):not([type=hidden]):not([type=file]), textarea, select';
  const hidden = (el) => el.closest('.govuk-visually-hidden, .govuk-skip-link, [hidden], dialog:not([open])')
    || (el.closest('details:not([open])') && !el.closest('summary'));  // a closed details shows only its summary
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const ink = (style, text) => {
    ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    return ctx.measureText(text);
  };
  const found = [];
  const check = (box, label, top, bottom, text) => {
    const above = box.top - top, below = bottom - box.bottom;
    if (above > 1 || below > 1) {
      found.push(`${label}: "${text.trim().slice(0, 30)}" ink ${Math.round(above)}px above the box, ${Math.round(below)}px below`);
    }
  };
  const innerBox = (el, style) => {
    const r = el.getBoundingClientRect();
    const bt = parseFloat(style.borderTopWidth), bb = parseFloat(style.borderBottomWidth);
    return {top: r.top + bt, bottom: r.bottom - bb};
  };
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || hidden(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 2 || rect.height <= 2) continue;  // nothing to see, or hidden from sight on purpose
    if (style.clip !== 'auto' || style.clipPath !== 'none') continue;
    if (el.matches(FIELDS)) {
      const text = el.tagName === 'SELECT' ? (el.selectedOptions[0] || {}).text || '' : el.value;
      if (!text.trim()) continue;
      // One line, centred in the content box (as Chrome lays out a text field).
      const m = ink(style, text);
      const inside = innerBox(el, style);
      const pt = parseFloat(style.paddingTop), pb = parseFloat(style.paddingBottom);
      const contentTop = inside.top + pt, contentHeight = inside.bottom - pb - contentTop;
      const lineHeight = parseFloat(style.lineHeight) || (m.fontBoundingBoxAscent + m.fontBoundingBoxDescent);
      const lineTop = el.tagName === 'TEXTAREA' ? contentTop : contentTop + (contentHeight - lineHeight) / 2;
      const baseline = lineTop + (lineHeight - m.fontBoundingBoxAscent - m.fontBoundingBoxDescent) / 2 + m.fontBoundingBoxAscent;
      check(inside, describe(el), baseline - m.actualBoundingBoxAscent, baseline + m.actualBoundingBoxDescent, text);
      continue;
    }
    const clips = style.overflowX !== 'visible' || style.overflowY !== 'visible';
    if (!clips && !el.matches(BOXED)) continue;
    const inside = clips ? innerBox(el, style) : rect;
    // Every text inside the box: its first line's ink top and its last line's ink bottom.
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      if (!text.trim() || hidden(node.parentElement)) continue;
      const parentStyle = getComputedStyle(node.parentElement);
      if (parentStyle.visibility === 'hidden' || parentStyle.display === 'none') continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      if (!lines.length) continue;
      const m = ink(parentStyle, text);
      const first = lines.reduce((a, b) => (b.top < a.top ? b : a));
      const last = lines.reduce((a, b) => (b.bottom > a.bottom ? b : a));
      const top = first.top + m.fontBoundingBoxAscent - m.actualBoundingBoxAscent;
      const bottom = last.bottom - m.fontBoundingBoxDescent + m.actualBoundingBoxDescent;
      check(inside, describe(el) + (node.parentElement === el ? '' : ' > ' + describe(node.parentElement)), top, bottom, text);
    }
  }
  return found;
}
"""

URDU_WORDS = "اردو میں لکھا گیا ہے"


def clipped(page: Any) -> list[str]:
    """What the measure finds on the page as it stands (fonts loaded, every text field holding Urdu)."""
    page.evaluate("() => document.fonts.ready")
    return page.evaluate(MEASURE_JS)


@pytest.mark.parametrize("width", [1280, NARROW["width"]], ids=["desktop", "320px"])
def test_no_urdu_letter_is_clipped(live_server, browser, width):
    found: dict[str, list[str]] = {}

    def measure(page: Any, label: str) -> None:
        # Type Urdu into the empty text fields, as a person would, without sending the form.
        page.evaluate(
            """(words) => { for (const field of document.querySelectorAll(
                   'main input[type=text]:not([inputmode=numeric]), main input[type=email], main textarea')) {
                 if (!field.value) field.value = words; } }""",
            URDU_WORDS,
        )
        if problems := clipped(page):
            found[f"{label} {page.url}"] = problems
        page.evaluate(
            """(words) => { for (const field of document.querySelectorAll('main input, main textarea')) {
                 if (field.value === words) field.value = ''; } }""",
            URDU_WORDS,
        )

    with opened(browser, viewport={"width": width, "height": 900}) as page:
        register(page, live_server, lang="ur")
        measure(page, "account")
        page.goto(f"{live_server}/?lang=ur")
        measure(page, "start")
        walk_journey(page, live_server, on_page=measure)
    assert not found, "\n".join(f"{where}: {problems}" for where, problems in found.items())


def test_the_measure_finds_clipped_letters(live_server, browser):
    """The measure can fail: a button squeezed to GOV.UK's Latin line height clips its Urdu words."""
    with opened(browser) as page:
        page.goto(f"{live_server}/?lang=ur")
        page.evaluate(
            """() => { const button = document.querySelector('main .govuk-button');
                       button.style.lineHeight = '1'; button.style.paddingTop = '0'; button.style.paddingBottom = '0'; }"""
        )
        assert any("govuk-button" in problem for problem in clipped(page))


def test_no_urdu_letter_is_clipped_on_staff_pages(live_server, browser):
    """Staff home, the queue, a case, its answers to check and its history, in Urdu, at desktop width and at
    320 CSS pixels."""
    found: dict[str, list[str]] = {}
    for width in (1280, NARROW["width"]):
        with staff(browser, live_server, ASSESSOR, viewport={"width": width, "height": 900}) as page:
            page.goto(f"{live_server}/staff/queue?lang=ur")
            case = page.locator("main a[href*='/staff/cases/']").first.get_attribute("href")
            for path in ("/staff/", "/staff/queue", case, f"{case}/validate", f"{case}/history"):
                response = page.goto(f"{live_server}{path}?lang=ur")
                assert response.status == 200, path
                if problems := clipped(page):
                    found[f"{width}px {page.url}"] = problems
    assert not found, "\n".join(f"{where}: {problems}" for where, problems in found.items())
