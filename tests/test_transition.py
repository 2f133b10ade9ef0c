"""The milestones of the move from children's Continuing Care to adult NHS Continuing Healthcare, at the boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.transition import Stage, age_on, approaching, birthday, milestones, stage

BORN = date(2009, 6, 15)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2023, 6, 14), Stage.NOT_YET),
        (date(2023, 6, 15), Stage.FLAG),  # the 14th birthday
        (date(2025, 6, 14), Stage.FLAG),
        (date(2025, 6, 15), Stage.CHECKLIST),  # the 16th
        (date(2026, 6, 14), Stage.CHECKLIST),
        (date(2026, 6, 15), Stage.DECISION),  # the 17th
        (date(2027, 6, 14), Stage.DECISION),
        (date(2027, 6, 15), Stage.ADULT),  # the 18th
    ],
)
def test_each_stage_starts_on_its_birthday(today, expected):
    assert stage(BORN, today) == expected


def test_the_milestones_are_the_birthdays():
    marks = milestones(BORN)
    assert (marks.flag_on, marks.checklist_from, marks.decision_from, marks.adult_on) == (
        date(2023, 6, 15),
        date(2025, 6, 15),
        date(2026, 6, 15),
        date(2027, 6, 15),
    )
    assert marks.next_on(date(2026, 6, 14)) == (Stage.DECISION, date(2026, 6, 15))
    assert marks.next_on(date(2026, 6, 15)) == (Stage.ADULT, date(2027, 6, 15))
    assert marks.next_on(date(2027, 6, 15)) is None


def test_born_on_29_february():
    born = date(2008, 2, 29)
    assert birthday(born, 18) == date(2026, 3, 1)  # 2026 has no 29 February
    assert birthday(born, 16) == date(2024, 2, 29)  # 2024 has one
    assert stage(born, date(2026, 2, 28)) == Stage.DECISION
    assert stage(born, date(2026, 3, 1)) == Stage.ADULT
    assert age_on(born, date(2025, 2, 28)) == 16 and age_on(born, date(2025, 3, 1)) == 17


def test_the_list_runs_from_half_a_year_before_14_to_the_18th_birthday():
    first = milestones(BORN).flag_on - timedelta(days=183)
    assert not approaching(BORN, first - DAY)
    assert approaching(BORN, first)
    assert approaching(BORN, date(2027, 6, 14))
    assert not approaching(BORN, date(2027, 6, 15))


def test_it_is_pure():
    import ast
    from pathlib import Path

    import portal.transition

    tree = ast.parse(Path(portal.transition.__file__).read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "dataclasses", "datetime", "enum"}
