"""What changed in a review when only eligibility differs: the same answers, the same need in every area, but an
area found eligible one time and not the other. The person is told that eligibility changed (which area, which
way), and a line that moved only because of it says so, rather than showing as a change in need."""

from __future__ import annotations

import pytest
from flask import render_template_string

from portal import budgets, changes, tool_service, vocabulary
from portal.case_record import final_decision, validated_answers
from portal.engine import ELIGIBLE_KEYS
from portal.engine.result import NEED_LEVEL
from portal.extensions import db
from portal.models import Decision
from tests.practitioner.test_lifecycle import _decided


@pytest.fixture
def decided(app, staff, sent_case):
    return _decided(app, staff, sent_case)


def _run(case, eligible):
    tool = tool_service.of(case)
    return budgets.run(
        tool_service.schema_of(case), validated_answers(case), case.organisation, eligible=eligible, tool=tool
    )


def _funded_area(result):
    """An area with a need that is funded, and the line it is on."""
    reason = next(r for r in result.reasons if r.effect == NEED_LEVEL and r.field.startswith("need_"))
    return reason.field.removeprefix("need_"), reason.line


def _with_estimate(case, decision, result):
    """The decision as if it had been confirmed on ``result``."""
    stored = budgets.store(case, result, purpose="validated")
    decision.estimate_id = stored.id
    decision.confirmed_weekly_pence = result.total_weekly_pence
    db.session.commit()


def _shown(changed):
    return render_template_string(
        '{% include "components/what_changed.html" %}',
        changed=changed,
        level_words=vocabulary.NEED_LEVEL_WORDS,
    )


def test_a_line_that_moved_only_because_an_area_is_no_longer_eligible(app, decided):
    before_decision = final_decision(decided)
    then = changes.decided_estimate(before_decision)
    area, line_key = _funded_area(then)
    now = _run(decided, [key for key in ELIGIBLE_KEYS if key != area])
    answers = validated_answers(decided)
    with app.test_request_context():
        changed = changes.compare(
            decided,
            before_decision,
            answers,
            now,
            now_decision=Decision(confirmed_weekly_pence=now.total_weekly_pence),
        )
        row = next(r for r in changed.areas if r.area == area)
        assert (row.level_then, row.unpaid_then) == (row.level_now, row.unpaid_now)
        assert not row.changed, "the need is the same"
        assert (row.eligible_then, row.eligible_now) == (True, False) and row.eligibility_changed
        line = next(line for line in changed.lines if line.key == line_key)
        assert line.moved and line.eligibility_only
        assert changed.eligibility_words == [f"Found eligible last time, not now: {row.name}."]
        page = _shown(changed)
    assert f"Found eligible last time, not now: {row.name}." in page
    assert "Eligibility changed" in page
    assert "Moved" not in page, "the money moved because of eligibility, not a change in need"
    assert "the help needed is the same as last time" in page


def test_an_area_found_eligible_now_and_not_last_time(app, decided):
    before_decision = final_decision(decided)
    area, line_key = _funded_area(changes.decided_estimate(before_decision))
    _with_estimate(decided, before_decision, _run(decided, [key for key in ELIGIBLE_KEYS if key != area]))
    now = _run(decided, list(ELIGIBLE_KEYS))
    with app.test_request_context():
        changed = changes.compare(
            decided,
            before_decision,
            validated_answers(decided),
            now,
            now_decision=Decision(confirmed_weekly_pence=now.total_weekly_pence),
        )
        line = next(line for line in changed.lines if line.key == line_key)
        assert line.moved and line.eligibility_only
        name = next(r for r in changed.areas if r.area == area).name
        assert changed.eligibility_words == [f"Found eligible now, not last time: {name}."]


def test_the_same_lines_with_an_eligibility_that_makes_no_difference(app):
    """Found eligible or not in an area where the person has no need: the lines are the same, nothing moved."""
    from portal.engine import demo_configuration, estimate
    from tests.engine.conftest import reference_profile

    config = demo_configuration()
    then = estimate(reference_profile(), config, eligible=list(ELIGIBLE_KEYS))
    now = estimate(reference_profile(), config, eligible=[key for key in ELIGIBLE_KEYS if key != "childcare"])
    with app.test_request_context():
        lines = changes.lines_then_and_now(then, now)
        assert [line.key for line in lines if line.moved or line.eligibility_only] == []
        changed = changes.WhatChanged(
            areas=[], lines=lines, total_then_pence=0, total_now_pence=0, decided_now=True
        )
        page = _shown(changed)
    assert "Moved" not in page and "Eligibility changed" not in page


def test_a_change_in_need_on_the_line_is_not_put_down_to_eligibility(app):
    """Eligibility changed in one area of a line and the need changed in another: the line moved as any other."""
    from portal.engine import demo_configuration, estimate
    from tests.engine.conftest import make_profile

    config = demo_configuration()
    then = estimate(make_profile(need_hygiene=2, need_dressing=3), config)
    now = estimate(
        make_profile(need_hygiene=2, need_dressing=2),
        config,
        eligible=[key for key in ELIGIBLE_KEYS if key != "hygiene"],
    )
    same_need = estimate(
        make_profile(need_hygiene=2, need_dressing=3),
        config,
        eligible=[key for key in ELIGIBLE_KEYS if key != "hygiene"],
    )
    with app.test_request_context():
        line = next(line for line in changes.lines_then_and_now(then, now) if line.key == "daily_living")
        assert line.moved and not line.eligibility_only
        line = next(
            line for line in changes.lines_then_and_now(then, same_need) if line.key == "daily_living"
        )
        assert line.moved and line.eligibility_only
        undecided = estimate(make_profile(need_hygiene=2, need_dressing=3), config)
        for line in changes.lines_then_and_now(same_need, undecided, now_decided=False):
            assert not line.eligibility_only, "nothing is found eligible or not until a determination"
