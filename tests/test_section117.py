"""The rules of Section 117 (portal/section117.py), each refusing by itself: which sections give the right, which
bodies are responsible (the latest qualifying detention fixes them), how entitlement ends (jointly, with the person,
never automatically), what counts as aftercare, and how its cost is split."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from portal import section117 as s117
from portal.cases import NotAllowed
from portal.engine import apportion, demo_configuration, estimate
from portal.extensions import db
from portal.models import Case, CaseStatus, OrganisationKind, Person, Role

TODAY = date(2026, 12, 7)


@pytest.fixture
def pool(make_organisation):
    return make_organisation("Riverside Partnership", kind=OrganisationKind.PARTNERSHIP)


@pytest.fixture
def people(make_account, pool, make_organisation):
    other = make_organisation("Westmoor County Council")
    return {
        "assessor": make_account(Role.ASSESSOR, organisation=pool, level=2),
        "assessor2": make_account(Role.ASSESSOR, organisation=pool, level=2),
        "approver": make_account(Role.APPROVER, organisation=pool, level=3),
        "admin": make_account(Role.ADMIN, organisation=pool, level=4),
        "outsider": make_account(Role.ADMIN, organisation=other, level=4),
        "citizen": make_account(),
    }


@pytest.fixture
def person(app):
    row = Person(name="Daniel Osei")
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def case(person, pool, people):
    row = Case(
        person_id=person.id,
        organisation_id=pool.id,
        status=CaseStatus.CLAIMED,
        created_by_id=people["assessor"].id,
        holder_id=people["assessor"].id,
    )
    db.session.add(row)
    db.session.commit()
    return row


def detain(people, person, pool, *, section="3", start=date(2024, 1, 10), end=date(2024, 3, 1), **kw):
    values = {"responsible_council": "Riverside Borough Council", "responsible_icb": "NHS Riverside ICB"}
    values.update(kw)
    return s117.record_detention(
        people["assessor"],
        person,
        pool,
        section=section,
        detained_on=start,
        discharged_on=end,
        today=TODAY,
        **values,
    )


def refused(code, call, *args, **kwargs):
    with pytest.raises(s117.Refused) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value
    return caught.value


# -- which sections give the right ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("3", "3"), ("s.37", "37"), ("Section 45a", "45A"), ("47/49", "47"), ("S48", "48"), ("37/41", "37")],
)
def test_qualifying_sections_are_read_as_staff_type_them(typed, stored):
    assert s117.qualifying_section(typed) == stored


@pytest.mark.parametrize("typed", ["2", "section 4", "5(2)", "35", "136", "7", "17"])
def test_other_sections_give_no_right_to_aftercare(typed):
    assert refused("not_qualifying", s117.qualifying_section, typed).field == "section"


def test_a_section_that_is_not_one_is_refused():
    refused("unknown", s117.qualifying_section, "hospital")
    refused("required", s117.qualifying_section, "  ")


def test_a_detention_under_section_2_is_not_recorded(people, person, pool):
    refused("not_qualifying", detain, people, person, pool, section="2")
    assert s117.detentions(person, pool) == []


# -- detentions and who is responsible ------------------------------------------------------------------


def test_entitlement_runs_from_discharge_and_the_bodies_come_from_the_detention(people, person, pool):
    detain(people, person, pool)
    assert s117.standing(person, pool, date(2024, 2, 1)).state == "detained"
    now = s117.standing(person, pool, date(2024, 3, 1))
    assert now.entitled and now.council == "Riverside Borough Council" and now.icb == "NHS Riverside ICB"
    assert s117.standing(person, pool, date(2024, 1, 9)).state == "none"


def test_a_later_qualifying_detention_fixes_the_responsible_bodies_again(people, person, pool):
    """R (Worcestershire CC) v Secretary of State [2023] UKSC 31."""
    detain(people, person, pool)
    detain(
        people,
        person,
        pool,
        section="37/41",
        start=date(2025, 5, 1),
        end=date(2025, 9, 1),
        responsible_council="Westmoor County Council",
        responsible_icb="NHS Westmoor ICB",
    )
    assert s117.standing(person, pool, date(2025, 4, 30)).council == "Riverside Borough Council"
    during = s117.standing(person, pool, date(2025, 6, 1))
    assert during.state == "detained"  # the duty from the first detention ended when the second began
    after = s117.standing(person, pool, date(2025, 9, 2))
    assert after.entitled and after.council == "Westmoor County Council" and after.icb == "NHS Westmoor ICB"


def test_detention_dates_must_be_possible(people, person, pool):
    refused("in_future", detain, people, person, pool, start=TODAY + timedelta(days=1), end=None)
    refused("in_future", detain, people, person, pool, end=TODAY + timedelta(days=1))
    refused("before_detention", detain, people, person, pool, start=date(2024, 3, 1), end=date(2024, 2, 1))
    refused("required", detain, people, person, pool, start=None)
    detain(people, person, pool)
    refused("overlaps", detain, people, person, pool, start=date(2024, 2, 1), end=date(2024, 4, 1))


def test_both_responsible_bodies_are_named(people, person, pool):
    assert (
        refused("required", detain, people, person, pool, responsible_council=" ").field
        == "responsible_council"
    )
    assert refused("required", detain, people, person, pool, responsible_icb="").field == "responsible_icb"
    refused("too_long", detain, people, person, pool, responsible_icb="x" * 201)


def test_a_discharge_is_recorded_once_and_not_before_the_detention(people, person, pool):
    detention = detain(people, person, pool, end=None)
    refused(
        "before_detention",
        s117.record_discharge,
        people["assessor"],
        detention,
        discharged_on=date(2023, 1, 1),
    )
    refused(  # asked on the test's own day: with today's date it would stop refusing once TODAY + 1 came
        "in_future",
        s117.record_discharge,
        people["assessor"],
        detention,
        discharged_on=TODAY + timedelta(1),
        today=TODAY,
    )
    refused(
        "in_future",
        s117.record_discharge,
        people["assessor"],
        detention,
        discharged_on=date.today() + timedelta(1),
    )
    s117.record_discharge(people["assessor"], detention, discharged_on=date(2024, 4, 1), today=TODAY)
    assert s117.standing(person, pool, date(2024, 4, 1)).entitled
    refused("already_discharged", s117.record_discharge, people["assessor"], detention, discharged_on=TODAY)


def test_only_staff_of_the_organisation_record_detentions(people, person, pool):
    for who in ("outsider", "citizen"):
        with pytest.raises(NotAllowed):
            s117.record_detention(
                people[who],
                person,
                pool,
                section="3",
                detained_on=date(2024, 1, 1),
                discharged_on=None,
                responsible_council="A",
                responsible_icb="B",
                today=TODAY,
            )
    people["assessor"].is_active = False
    with pytest.raises(NotAllowed):
        detain(people, person, pool)


# -- ending entitlement ---------------------------------------------------------------------------------


def end(people, person, pool, who="approver", **kw):
    values = {
        "ended_on": date(2026, 6, 1),
        "reasons": "Settled for two years; no longer needs aftercare services.",
        "council_decided_by": "Jo Smith, team manager",
        "icb_decided_by": "Dr Lee, ICB mental health lead",
        "person_involved": True,
        "person_view": "Agrees.",
        "today": TODAY,
    }
    values.update(kw)
    return s117.end_entitlement(people[who], person, pool, **values)


def test_entitlement_never_ends_by_itself(people, person, pool):
    detain(people, person, pool)
    assert s117.standing(person, pool, date(2060, 1, 1)).entitled


def test_ending_is_a_joint_decision_made_with_the_person_and_recorded_with_reasons(people, person, pool):
    detain(people, person, pool)
    refused("without_person", end, people, person, pool, person_involved=False)
    assert refused("required", end, people, person, pool, reasons=" ").field == "reasons"
    assert refused("required", end, people, person, pool, council_decided_by="").field == "council_decided_by"
    assert refused("required", end, people, person, pool, icb_decided_by="").field == "icb_decided_by"
    refused("not_entitled", end, people, person, pool, ended_on=date(2024, 2, 1))  # still detained then
    refused("in_future", end, people, person, pool, ended_on=TODAY + timedelta(days=1))
    with pytest.raises(NotAllowed):
        end(people, person, pool, who="assessor")  # a manager records it
    with pytest.raises(NotAllowed):
        end(people, person, pool, who="outsider")
    ending = end(people, person, pool)
    assert ending.person_involved and ending.council_decided_by and ending.icb_decided_by
    assert s117.standing(person, pool, date(2026, 5, 31)).entitled
    assert s117.standing(person, pool, date(2026, 6, 1)).state == "ended"
    refused("not_entitled", end, people, person, pool, ended_on=date(2026, 7, 1))


def test_a_new_qualifying_detention_after_an_ending_gives_the_right_again(people, person, pool):
    detain(people, person, pool)
    end(people, person, pool, ended_on=date(2025, 1, 1))
    detain(people, person, pool, start=date(2026, 1, 5), end=date(2026, 2, 1))
    assert s117.standing(person, pool, date(2026, 3, 1)).entitled


# -- is this aftercare ---------------------------------------------------------------------------------------


def test_a_case_is_aftercare_only_while_entitlement_is_in_force_with_its_organisation(
    people, person, pool, case, make_organisation
):
    assert not s117.is_aftercare(case, TODAY)
    detain(people, person, pool)
    assert s117.is_aftercare(case, TODAY)
    assert not s117.is_aftercare(case, date(2024, 2, 1))  # still detained
    other = make_organisation("Northfield City Council")
    case.organisation_id = other.id
    db.session.commit()
    db.session.refresh(case)
    assert not s117.is_aftercare(case, TODAY)


def test_section_117_applies_where_the_organisation_offers_it_to_its_care_and_support_cases(
    app, people, person, pool, case
):
    from portal.tool_service import SETTINGS_KEY

    with app.test_request_context():
        assert not s117.applies_to(case)  # the partnership does not offer the Section 117 tool
        pool.settings = {SETTINGS_KEY: {"section_117": True}}
        db.session.commit()
        assert s117.applies_to(case)
        for key, applies in (
            ("section_117", True),
            ("continuing_healthcare", False),
            ("continuing_care", False),
        ):
            case.tool_key = key
            assert s117.applies_to(case) is applies, key
        case.tool_key = "adult_social_care"
        case.organisation_id = None
        db.session.commit()
        db.session.refresh(case)
        assert not s117.applies_to(case)


def test_a_detention_on_record_keeps_section_117_in_reach_but_never_on_nhs_care(
    app, people, person, pool, case
):
    with app.test_request_context():
        detain(people, person, pool)  # recorded while the partnership offered the tool
        assert s117.applies_to(case) and s117.is_aftercare(case, TODAY)
        case.tool_key = "continuing_healthcare"  # NHS care, free to the person, is never called aftercare
        assert not s117.applies_to(case) and not s117.is_aftercare(case, TODAY)
        assert s117.free_to_person(case)


def test_what_a_case_aftercare_covers_is_recorded_only_for_aftercare(people, person, pool, case):
    keys = ("daily_living", "household", "medication")
    values = {
        "line_keys": keys,
        "not_aftercare": ["household"],
        "not_aftercare_reason": "Cleaning help for a physical illness unrelated to the mental disorder.",
        "top_up_pence": 4500,
        "top_up_paid_by": "His sister",
        "top_up_accommodation": "A room at Elm House, his preferred care home.",
    }
    refused("not_aftercare_case", s117.save_case_aftercare, people["assessor"], case, **values)
    detain(people, person, pool, end=date.today() - timedelta(days=10))
    refused(
        "unknown_line",
        s117.save_case_aftercare,
        people["assessor"],
        case,
        **{**values, "not_aftercare": ["x"]},
    )
    refused(
        "required",
        s117.save_case_aftercare,
        people["assessor"],
        case,
        **{**values, "not_aftercare_reason": ""},
    )
    refused(
        "required", s117.save_case_aftercare, people["assessor"], case, **{**values, "top_up_paid_by": ""}
    )
    refused(
        "required",
        s117.save_case_aftercare,
        people["assessor"],
        case,
        **{**values, "top_up_accommodation": ""},
    )
    refused(
        "not_positive", s117.save_case_aftercare, people["assessor"], case, **{**values, "top_up_pence": -1}
    )
    with pytest.raises(NotAllowed):
        s117.save_case_aftercare(people["outsider"], case, **values)
    row = s117.save_case_aftercare(people["assessor"], case, **values)
    assert row.not_aftercare == ["household"] and row.top_up_pence == 4500
    case.status = CaseStatus.DECIDED
    db.session.commit()
    refused("case_final", s117.save_case_aftercare, people["assessor"], case, **values)


# -- funding splits ---------------------------------------------------------------------------------------


def test_apportion_shares_the_whole_budget_to_the_penny():
    result = estimate(_profile(), demo_configuration())
    shared = apportion(result, Fraction(575, 1000))
    council, nhs = shared.split
    assert council.funder == "council" and nhs.funder == "nhs"
    assert council.amount_pence + nhs.amount_pence == result.total_weekly_pence
    assert council.amount_pence == (result.total_weekly_pence * 575 + 500) // 1000
    assert council.percent + nhs.percent == Decimal("100.00")
    assert shared.lines == result.lines
    only_council = apportion(result, Fraction(1))
    assert [s.funder for s in only_council.split] == ["council"]
    with pytest.raises(ValueError):
        apportion(result, Fraction(3, 2))


def _profile():
    from tests.engine.conftest import reference_profile

    return reference_profile()


def test_a_pooled_split_is_recorded_by_the_partnership_admin_from_today_on(people, pool, make_organisation):
    def pooled(who="admin", organisation=pool, **kw):
        values = {
            "council_percent": "57.5",
            "effective_from": TODAY,
            "reason": "Pooled budget agreement",
            "today": TODAY,
        }
        values.update(kw)
        return s117.record_pooled_split(people[who], organisation, **values)

    for who in ("approver", "outsider", "assessor"):
        with pytest.raises(NotAllowed):
            pooled(who)
    refused("in_past", pooled, effective_from=TODAY - timedelta(days=1))
    refused("out_of_range", pooled, council_percent="100")
    refused("out_of_range", pooled, council_percent="0")
    refused("not_a_percent", pooled, council_percent="half")
    refused("too_precise", pooled, council_percent="57.555")
    refused("required", pooled, reason="")
    council = make_organisation("Plain Council")
    admin = people["admin"]
    admin.organisation_id = council.id
    db.session.commit()
    refused("not_partnership", pooled, organisation=council)
    admin.organisation_id = pool.id
    db.session.commit()
    first = pooled()
    later = pooled(council_percent="60", effective_from=date(2027, 4, 1))
    assert s117.pooled_split_in_force(pool, TODAY) == first
    assert s117.pooled_split_in_force(pool, date(2027, 3, 31)) == first
    assert s117.pooled_split_in_force(pool, date(2027, 4, 1)) == later
    assert s117.pooled_split_in_force(pool, TODAY - timedelta(days=1)) is None
    assert s117.pooled_splits(pool) == [later, first]  # the history is kept
    # Typed as the Polish and Welsh pages show it (57,5%), read by the one parser of percentages.
    assert pooled(council_percent="57,5 %", effective_from=date(2027, 9, 1)).council_percent == Decimal(
        "57.50"
    )
    refused("not_a_percent", pooled, council_percent="57,555", effective_from=date(2027, 10, 1))
    refused("not_a_percent", pooled, council_percent="1e1", effective_from=date(2027, 10, 1))


def test_an_agreed_split_needs_a_reason_and_another_managers_approval(people, person, pool):
    def propose(who="assessor", **kw):
        values = {
            "council_percent": "70",
            "effective_from": TODAY,
            "reason": "Mostly social care needs",
            "today": TODAY,
        }
        values.update(kw)
        return s117.propose_agreed_split(people[who], person, pool, **values)

    refused("required", propose, reason=" ")
    refused("in_past", propose, effective_from=TODAY - timedelta(days=1))
    refused("out_of_range", propose, council_percent="101")
    with pytest.raises(NotAllowed):
        propose("outsider")
    split = propose("approver")
    with pytest.raises(NotAllowed):
        s117.decide_agreed_split(people["approver"], split, approve=True, today=TODAY)  # not their own
    with pytest.raises(NotAllowed):
        s117.decide_agreed_split(people["assessor2"], split, approve=True, today=TODAY)  # a manager
    refused(
        "required", s117.decide_agreed_split, people["admin"], split, approve=False, reason="", today=TODAY
    )
    assert s117.agreed_split_in_force(person, pool, TODAY) is None  # proposed is not agreed
    refused(
        "start_passed",
        s117.decide_agreed_split,
        people["admin"],
        split,
        approve=True,
        today=TODAY + timedelta(1),
    )
    s117.decide_agreed_split(people["admin"], split, approve=True, today=TODAY)
    assert s117.agreed_split_in_force(person, pool, TODAY) == split
    refused("already_decided", s117.decide_agreed_split, people["admin"], split, approve=False, reason="x")


def test_the_split_in_force_on_the_day_is_the_one_used(people, person, pool, case):
    detain(people, person, pool)
    result = estimate(_profile(), demo_configuration())
    assert s117.split_for(case, TODAY).kind == "lines"
    s117.record_pooled_split(
        people["admin"], pool, council_percent="57.5", effective_from=TODAY, reason="Pool", today=TODAY
    )
    s117.record_pooled_split(
        people["admin"],
        pool,
        council_percent="60",
        effective_from=date(2027, 4, 1),
        reason="Review",
        today=TODAY,
    )
    shared, basis = s117.funded(case, result, TODAY)
    assert basis.to_dict() == {
        "kind": "pooled",
        "council_percent": "57.50",
        "nhs_percent": "42.50",
        "effective_from": TODAY.isoformat(),
        "reference": "",
    }
    assert shared.split[0].amount_pence == (result.total_weekly_pence * 575 + 500) // 1000
    assert s117.funded(case, result, date(2027, 4, 1))[1].council_percent == Decimal("60.00")
    split = s117.propose_agreed_split(
        people["assessor"],
        person,
        pool,
        council_percent="80",
        effective_from=TODAY,
        reason="Agreed",
        today=TODAY,
    )
    s117.decide_agreed_split(people["approver"], split, approve=True, today=TODAY)
    assert s117.split_for(case, TODAY).kind == "agreed"
    assert s117.funded(case, result, TODAY)[0].split[0].percent == Decimal("80.00")


def test_a_pooled_split_applies_only_to_aftercare(people, person, pool, case):
    s117.record_pooled_split(
        people["admin"], pool, council_percent="57.5", effective_from=TODAY, reason="Pool", today=TODAY
    )
    assert s117.split_for(case, TODAY).kind == "lines"


# -- a split as people read it --------------------------------------------------------------------------------


def test_a_share_of_a_split_is_shown_as_agreed_in_the_locale(app):
    from flask_babel import force_locale

    from portal.formatting import format_share

    with app.test_request_context():
        assert format_share(Decimal("57.50")) == "57.5%"  # never rounded to 58%
        assert format_share(Decimal("42.50")) == "42.5%"
        assert format_share("60.00") == "60%"
        assert format_share(Decimal("52.29")) == "52.29%"
        assert format_share(Decimal("52.29"), whole=True) == "52%"  # what the lines come to, read plainly
        with force_locale("pl"):
            assert format_share(Decimal("57.50")) == "57,5%"


def test_the_split_in_words_says_the_agreed_percentages_not_those_of_rounded_pence(app):
    from dataclasses import replace

    from flask_babel import force_locale

    from portal.budgets import split_words

    small = replace(estimate(_profile(), demo_configuration()), total_weekly_pence=101)
    shared = apportion(small, Fraction(575, 1000))  # 58p and 43p: 57.43% of the pence
    basis = {"kind": "pooled", "council_percent": "57.50", "nhs_percent": "42.50"}
    with app.test_request_context():
        words = [w.striptags() for w in split_words(shared, basis)]
        assert words == ["Council pays £0.58 (57.5%)", "NHS pays £0.43 (42.5%)"]
        each_line = [w.striptags() for w in split_words(shared)]
        assert each_line == ["Council pays £0.58 (57%)", "NHS pays £0.43 (43%)"]
        with force_locale("pl"):
            assert "(57,5%)" in split_words(shared, basis)[0].striptags()
