"""Section 117 aftercare is not decided by the Care Act test: it meets the needs that arise from, or relate to,
the person's mental disorder, where aftercare reduces the risk of their condition getting worse and of going back
into hospital. The determination records which test it applied, and the rule reads it (portal/case_record.py)."""

from __future__ import annotations

import pytest

from portal.case_record import ELIGIBILITY_TESTS, SECTION_117, eligible_areas, funded_areas
from portal.tools import builtin_tools


def aftercare(arising: list[str], reduces_risk: str = "yes") -> dict:
    return {"eligibility": {"test": SECTION_117, "arising": arising, "reduces_risk": reduces_risk}}


def test_the_needs_arising_from_the_disorder_are_met() -> None:
    items = aftercare(["mental_health", "medication", "community", "night"])
    assert eligible_areas(items) == [
        "community",
        "mental_health",
        "medication",
        "night",
    ]  # the engine's order
    # Exactly these are funded: mental health and medication are not added by themselves, as under the Care Act.
    assert funded_areas(items) == ["community", "mental_health", "medication", "night"]


def test_one_area_is_enough_and_the_care_act_outcomes_do_not_count() -> None:
    """Under the Care Act, mental health alone never makes anyone eligible; aftercare for it is what s117 is for."""
    assert eligible_areas(aftercare(["mental_health"])) == ["mental_health"]
    care_act = {"eligibility": {"cannot_achieve": ["mental_health"], "impairment": "yes", "wellbeing": "yes"}}
    assert eligible_areas(care_act) == []


def test_nothing_is_met_when_aftercare_would_not_reduce_the_risk() -> None:
    assert eligible_areas(aftercare(["mental_health", "community"], reduces_risk="no")) == []
    assert funded_areas(aftercare(["mental_health"], reduces_risk="no")) == []
    assert eligible_areas(aftercare([])) == []


def test_unknown_keys_in_a_record_are_ignored() -> None:
    assert eligible_areas(aftercare(["mental_health", "carer_breaks", "flying", 3])) == ["mental_health"]
    assert eligible_areas({"eligibility": {"test": SECTION_117, "arising": "mental_health"}}) == []


def test_an_unknown_test_funds_nothing() -> None:
    assert eligible_areas({"eligibility": {"test": "astrology", "arising": ["mental_health"]}}) == []


@pytest.mark.parametrize(("key", "test"), [("adult_social_care", "care_act"), ("section_117", "section_117")])
def test_each_tool_names_its_test(key: str, test: str) -> None:
    tool = builtin_tools()[key]
    assert tool.eligibility_test == test
    assert tool.eligibility_test in ELIGIBILITY_TESTS


def test_a_manifest_naming_an_unknown_test_is_refused(tmp_path) -> None:
    import shutil
    from pathlib import Path

    from portal.tools import ToolError, load_tool

    source = Path(__file__).parent / "fixtures" / "tools" / "home_help"
    folder = tmp_path / "home_help"
    shutil.copytree(source, folder)
    manifest = folder / "tool.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + "eligibility_test: astrology\n", encoding="utf-8"
    )
    with pytest.raises(ToolError, match="eligibility_test: must be one of care_act, section_117"):
        load_tool(folder)
