"""An organisation's admin chooses its assessment tools in a browser (decision 0015): the settings summary and the
tools page pass axe-core and reflow at 320 px; the choice is saved with JavaScript off."""

from __future__ import annotations

import pytest

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

# The demo partnership offers Section 117 aftercare; NHS Continuing Healthcare is a tool it has not turned on.
TOOL = "NHS Continuing Healthcare personal health budget"


def _save(page, base: str, *, on: bool) -> None:
    page.goto(f"{base}/staff/organisation/settings/tools")
    box = page.get_by_label(TOOL)
    box.check() if on else box.uncheck()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/organisation/settings")


def test_the_admin_turns_a_tool_on_and_the_pages_are_accessible(live_server, axe_page, browser):
    sign_in(axe_page, live_server, "admin@riverside.example.org", DEMO_PASSWORD)
    axe_page.goto(f"{live_server}/staff/organisation/settings")
    assert axe_page.get_by_role("heading", name="Assessment tools").is_visible()
    assert_accessible(axe_page)
    axe_page.get_by_role("link", name="Change Assessment tools").click()
    axe_page.wait_for_url("**/settings/tools")
    assert not axe_page.get_by_label(TOOL).is_checked()  # a new tool is off
    assert_accessible(axe_page)
    axe_page.set_viewport_size({"width": 320, "height": 800})
    assert axe_page.evaluate("document.documentElement.scrollWidth") <= 320
    axe_page.set_viewport_size({"width": 1280, "height": 800})

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "admin@riverside.example.org", DEMO_PASSWORD)
    _save(page, live_server, on=True)
    assert page.get_by_text("The assessment tools have been saved.").is_visible()
    axe_page.reload()
    assert axe_page.get_by_label(TOOL).is_checked()
    assert_accessible(axe_page)
    _save(page, live_server, on=False)  # back as it was, for the other browser tests on the same demo
    context.close()
