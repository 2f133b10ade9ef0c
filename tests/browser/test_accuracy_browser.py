"""An organisation's admin tests accuracy in a browser: the report with its groups and explained outliers passes
axe-core, the outlier explanations open without JavaScript, and the public accountability record is accessible."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

CASES = Path(__file__).resolve().parent.parent / "engine" / "data" / "ras_cases_train.csv"


def test_the_accuracy_report_and_the_accountability_record_are_accessible(live_server, axe_page, tmp_path):
    lines = CASES.read_text(encoding="utf-8").splitlines()[:151]
    upload = tmp_path / "cases.csv"
    upload.write_text(
        "\n".join(
            [
                lines[0] + ",sex",
                *(line + ("," + ("female" if i % 2 else "male")) for i, line in enumerate(lines[1:])),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    sign_in(axe_page, live_server, "admin@riverside.example.org", DEMO_PASSWORD)
    axe_page.goto(f"{live_server}/staff/accuracy")
    axe_page.set_input_files("input[type=file]", str(upload))
    axe_page.get_by_role("button", name="Test accuracy").click()
    axe_page.wait_for_url("**/staff/accuracy/*")
    assert axe_page.get_by_role("heading", name="Accuracy for each group of people").is_visible()
    assert_accessible(axe_page)
    details = axe_page.locator("details").first
    details.locator("summary").click()
    assert details.locator(".govuk-details__text").is_visible()
    assert_accessible(axe_page)
    axe_page.goto(f"{live_server}/organisations/riverside/algorithmic-transparency")
    assert axe_page.get_by_role("heading", name="Tier 2: Tool specification").is_visible()
    assert "local cases" in axe_page.content()
    assert_accessible(axe_page)
    axe_page.set_viewport_size({"width": 320, "height": 800})
    assert axe_page.evaluate("document.documentElement.scrollWidth") <= 320
