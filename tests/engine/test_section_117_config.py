"""The Section 117 aftercare configuration: seed 000's allocation summary, line by line, with its funders.

Its lines are the published summary's, in its order, with the same funders, kinds and areas as the reference
configuration of PRODUCT.md; given the reference's prices and hours it reproduces the pinned reference figure
(£240.95 a week, 52.29% council and 47.71% NHS) to the penny.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from portal.engine import estimate, load_configuration

from .conftest import make_profile, reference_document, reference_profile

CONFIG = Path(__file__).resolve().parents[2] / "portal" / "tools" / "section_117" / "configuration.yaml"

#: Seed 000's allocation summary: (line key, published title, funder).
SEED_LINES = [
    ("daily_living", "Carrying out essential daily living tasks", "council"),
    ("household", "Carrying out household tasks", "council"),
    ("night", "Supplement for night time support", "council"),
    ("social", "Staying safe & social activities & work", "council"),
    (
        "work_learning",
        "Weekly allocation for engaging in work, training, education or volunteering",
        "council",
    ),
    ("childcare", "Weekly childcare support", "council"),
    ("mental_health", "Weekly support with mental health", "nhs"),
    ("contingency", "Weekly contingency allocation", "nhs"),
    ("medication", "Weekly medication allocation", "nhs"),
]


def section_117_document() -> dict[str, Any]:
    text = CONFIG.read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    assert isinstance(document, dict)
    return document


def test_the_lines_are_the_published_summary_in_its_order() -> None:
    lines = section_117_document()["lines"]
    assert [(line["key"], line["title"], line["funder"]) for line in lines] == SEED_LINES
    config = load_configuration(section_117_document())
    assert [(spec.key, spec.funder) for spec in config.lines] == [
        (key, funder) for key, _t, funder in SEED_LINES
    ]


def test_the_lines_group_the_areas_as_the_reference_does() -> None:
    """Same kinds, areas, sources and funders as the pinned reference configuration."""
    ours = section_117_document()["lines"]
    reference = reference_document()["lines"]
    keep = ("key", "funder", "kind", "areas", "source")
    assert [{k: line.get(k) for k in keep} for line in ours] == [
        {k: line.get(k) for k in keep} for line in reference
    ]


def test_no_carer_breaks_and_no_pooled_split_of_its_own() -> None:
    """The published summary has no carer-breaks line; a partnership's pooled split is set apart from this file."""
    document = section_117_document()
    assert document["carer_breaks"] is None
    assert document["pooled_split"] is None
    result = estimate(make_profile(carer_breaks_weeks=6, need_mental_health=2), load_configuration(document))
    assert [line.key for line in result.lines] == [key for key, _t, _f in SEED_LINES]


def test_with_the_reference_prices_it_gives_the_pinned_figure() -> None:
    document = section_117_document()
    reference = reference_document()
    document["rates"] = reference["rates"]  # every rate £14.00
    document["model"] = reference["model"]  # 1, 3, 4 or 7 hours a week by level, no interactions
    document["contingency"] = {"kind": "mental_health", "hours_per_year": 11}
    config = load_configuration(document)
    result = estimate(reference_profile(), config)
    assert [(line.key, line.funder, line.amount_pence) for line in result.lines] == [
        ("daily_living", "council", 9800),
        ("household", "council", 1400),
        ("night", None, 0),
        ("social", "council", 1400),
        ("work_learning", None, 0),
        ("childcare", None, 0),
        ("mental_health", "nhs", 1400),
        ("contingency", "nhs", 295),
        ("medication", "nhs", 9800),
    ]
    assert result.line("social").group_hours == 3 and result.line("social").ratio == 3
    assert result.line("contingency").hours_per_year == 11
    assert [(s.funder, s.amount_pence, str(s.percent)) for s in result.split] == [
        ("council", 12600, "52.29"),
        ("nhs", 11495, "47.71"),
    ]
    assert result.total_weekly_pence == 24095


def test_the_shipped_rates_give_a_budget() -> None:
    config = load_configuration(section_117_document())
    profile = reference_profile()
    ours = estimate(profile, config)
    assert ours.total_weekly_pence > 0
    assert ours.config_label == "Section 117 aftercare (example rates, not real)"
    assert {share.funder for share in ours.split} == {"council", "nhs"}
