"""The demo is plausible: ages match client groups, and budgets sit in the range real ones have for similar people."""

from __future__ import annotations

import csv
import statistics
from datetime import date
from pathlib import Path
from random import Random

import pytest

from portal.demo import DEMO_PEOPLE, PERSONAS, demo_answers
from portal.demo_configs import DECISIONS, demo_document
from portal.engine import AREAS, NeedsProfile, demo_configuration, estimate, load_configuration
from portal.questionnaire.loader import load_schema

TRAINING = Path(__file__).resolve().parent / "engine" / "data" / "ras_cases_train.csv"
with TRAINING.open(encoding="utf-8", newline="") as _handle:
    ROWS = list(csv.DictReader(_handle))


def _profile(index: int) -> NeedsProfile:
    name, _, _, level, urgent = DEMO_PEOPLE[index]
    schema = load_schema()
    answers = demo_answers(schema, Random(index), level, urgent, PERSONAS[name])
    return NeedsProfile.from_mapping(schema.to_profile(answers).as_dict())


def _age(born: str, on: date = date(2026, 12, 1)) -> int:
    day = date.fromisoformat(born)
    return on.year - day.year - ((on.month, on.day) < (day.month, day.day))


def test_every_demo_person_has_a_persona():
    assert {person[0] for person in DEMO_PEOPLE} == set(PERSONAS)


@pytest.mark.parametrize("index", range(len(DEMO_PEOPLE)))
def test_a_demo_persons_age_matches_their_client_group(index):
    profile = _profile(index)
    assert (profile.client_group == "older_people") == (_age(DEMO_PEOPLE[index][1]) >= 65)


@pytest.mark.parametrize("index", range(len(DEMO_PEOPLE)))
def test_a_demo_budget_is_in_the_range_of_real_ones_for_similar_people(index):
    """Between the 5th and 95th percentile of the training file's actual costs for people of the same client
    group whose needs add up to within 3 points, under the shipped and every demo area's configuration."""
    profile = _profile(index)
    total = sum(profile.needs)
    similar = [
        float(r["actual_weekly_cost"]) * 100
        for r in ROWS
        if r["client_group"] == profile.client_group
        and abs(sum(int(r[f"need_{a}"]) for a in AREAS) - total) <= 3
    ]
    assert len(similar) >= 20
    low, *_, high = statistics.quantiles(similar, n=20)
    configs = [demo_configuration()] + [
        load_configuration(demo_document(decisions, slug, date(2026, 4, 1)))
        for slug, decisions in DECISIONS.items()
    ]
    for config in configs:
        pence = estimate(profile, config).total_weekly_pence
        assert low <= pence <= high, (DEMO_PEOPLE[index][0], config.label, pence / 100, low / 100, high / 100)
