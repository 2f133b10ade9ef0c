"""The demo's ICB: NHS personal health budgets for adult Continuing Healthcare and children's Continuing Care.

Eastbrook Integrated Care Board's staff hold example cases: an adult whose Decision Support Tool and eligibility
are recorded and whose budget is part way through its sign-offs; an adult waiting for the ICB's decision; a young
person approaching 18, whose adult eligibility is still to be decided in principle; and a child of 13 about to be
flagged to adult services. Dates are counted from today, so the young person is always approaching 18. Everything
goes through the services (portal/phb.py, portal/chc.py), so the demo obeys the same rules as real use. Safe to
run twice. None of these people is real.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from portal import chc, phb
from portal.extensions import db
from portal.models import Account, Authority, Case, CaseStatus, Organisation, Person, Snapshot, utcnow
from portal.phb import PhbForm, Step
from portal.tools import Tool, builtin_tools

ICB_SLUG = "eastbrook"
ADULT, CHILD = chc.ADULT_TOOL, chc.CHILD_TOOL


def _years_ago(today: date, years: int, days: int = 0) -> date:
    """A date of birth ``years`` and ``days`` before today (29 February falls back to the 28th)."""
    try:
        born = today.replace(year=today.year - years)
    except ValueError:
        born = today.replace(year=today.year - years, day=28)
    return born - timedelta(days=days)


def _staff(organisation: Organisation, local: str) -> Account:
    account = db.session.scalar(select(Account).filter_by(email=f"{local}@{organisation.slug}.example.org"))
    assert account is not None, f"the demo ICB has no {local}"
    return account


def _answers(tool: Tool, chosen: dict[str, Any]) -> dict[str, Any]:
    """Every question on the path answered: ``chosen`` where given, else the first option (a text left empty)."""
    answers: dict[str, Any] = {}
    for _ in range(3):  # the path depends on the answers: settle it
        for question_id in tool.schema.path(answers):
            question = tool.schema.question(question_id)
            if question_id in chosen:
                answers[question_id] = chosen[question_id]
            elif question.options:
                answers.setdefault(question_id, question.options[0].value)
    on_path = set(tool.schema.path(answers))
    return {key: value for key, value in answers.items() if key in on_path}


def _case(
    organisation: Organisation,
    creator: Account,
    name: str,
    born: date,
    postcode: str,
    *,
    holder: Account | None,
    tool: Tool,
    chosen: dict[str, Any],
) -> Case:
    """A case taken by the ICB's staff with the person (no account acts for them), sent, held or in the queue."""
    person = Person(name=name, date_of_birth=born, postcode=postcode, created_by_id=creator.id)
    db.session.add(person)
    db.session.flush()
    case = Case(
        person_id=person.id,
        organisation_id=organisation.id,
        created_by_id=creator.id,
        holder_id=holder.id if holder else None,
        status=CaseStatus.CLAIMED if holder else CaseStatus.SENT,
        person_name=name,
        sent_at=utcnow(),
        tool_key=tool.key,
        tool_version=tool.version,
        questionnaire_version=tool.schema.version,
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(
        Snapshot(
            case_id=case.id,
            answers=_answers(tool, chosen),
            questionnaire_version=tool.schema.version,
            completed_by_id=creator.id,
            authority=Authority.BEST_INTERESTS,
        )
    )
    db.session.flush()
    return case


def seed_demo_nhs(today: date | None = None) -> None:
    """The ICB's example cases, once."""
    today = today or date.today()
    icb = db.session.scalar(select(Organisation).filter_by(slug=ICB_SLUG))
    if icb is None or db.session.scalar(select(Case.id).filter_by(organisation_id=icb.id)):
        return
    settings = dict(icb.settings or {})
    settings["tools"] = {**settings.get("tools", {}), ADULT: True, CHILD: True}
    icb.settings = settings
    tools = builtin_tools()
    adult_tool, child_tool = tools[ADULT], tools[CHILD]
    assessor, approver, senior = (_staff(icb, local) for local in ("assessor", "approver", "senior-approver"))
    week_ago = today - timedelta(days=7)

    adult = _case(
        icb,
        assessor,
        "Peter Okonkwo",
        date(1958, 4, 2),
        "EB1 4QR",
        holder=assessor,
        tool=adult_tool,
        chosen={
            "main-reason": "physical",
            "where-you-live": "own_home",
            "live-alone": "no",
            "two-people": "yes",
            "need-breathing": "a_lot",
            "unpaid-breathing": "some",
            "need-drug-therapies": "a_lot",
            "need-mobility": "some",
            "need-skin": "some",
            "need-personal-care": "a_lot",
            "unpaid-personal-care": "about_half",
            "need-daily-life": "some",
            "unpaid-daily-life": "most",
            "night": "every_night",
            "unpaid-night": "about_half",
            "carer-breaks": "two",
            "what-matters": "Staying at home with my daughter, and getting to the allotment on fine days.",
        },
    )
    chc.record_assessment(
        assessor,
        adult,
        {
            **dict.fromkeys(chc.DOMAINS, "low"),
            "breathing": "severe",
            "mobility": "high",
            "drug_therapies": "severe",
            "skin": "moderate",
            "cognition": "no_needs",
        },
        completed_on=week_ago,
        today=today,
        note="Multidisciplinary team meeting with Peter and his daughter. The team recommended eligibility.",
    )
    chc.record_eligibility(
        approver,
        adult,
        eligible=True,
        decided_on=today - timedelta(days=3),
        today=today,
        reasons="The nature, complexity and intensity of Peter's breathing and symptom control needs show a "
        "primary health need.",
    )
    phb.sign_off(
        assessor, adult, Step.ASSESSED_NEEDS, signed_on=week_ago, today=today, note="Agreed with Peter"
    )
    phb.sign_off(approver, adult, Step.INDICATIVE_BUDGET, signed_on=today - timedelta(days=2), today=today)
    phb.sign_off(
        assessor,
        adult,
        Step.PHB_METHOD,
        by_person=True,
        phb_form=PhbForm.DIRECT_PAYMENT,
        signed_on=today,
        today=today,
        note="Peter wants to employ his own personal assistants.",
    )

    waiting = _case(
        icb,
        assessor,
        "Irene Walsh",
        date(1944, 10, 19),
        "EB2 1AA",
        holder=None,
        tool=adult_tool,
        chosen={
            "main-reason": "older_age",
            "need-cognition": "a_lot",
            "need-nutrition": "some",
            "night": "some_nights",
        },
    )
    chc.record_assessment(
        senior,
        waiting,
        {
            **{key: "moderate" for key in chc.DOMAINS if "moderate" in chc.DOMAINS[key]},
            "altered_states": "low",
        },
        completed_on=today - timedelta(days=1),
        today=today,
    )

    # A young person with children's Continuing Care, four months from 18: adult eligibility in principle is due.
    young = _case(
        icb,
        assessor,
        "Jordan Bell",
        _years_ago(today, 17, 245),
        "EB1 9ZZ",
        holder=assessor,
        tool=child_tool,
        chosen={
            "main-reason": "physical",
            "need-breathing": "all_the_time",
            "unpaid-breathing": "some",
            "need-altered-states": "some",
            "need-daily-life": "some",
            "night": "awake",
            "carer-breaks": "four",
            "what-matters": "Finishing college, and going to football with my friends.",
        },
    )
    phb.sign_off(assessor, young, Step.ASSESSED_NEEDS, signed_on=today - timedelta(days=30), today=today)
    # A child of 13, about to be flagged to adult services at 14.
    _case(
        icb,
        assessor,
        "Maya Singh",
        _years_ago(today, 13, 300),
        "EB2 5LP",
        holder=None,
        tool=child_tool,
        chosen={
            "main-reason": "learning_disability",
            "need-behaviour": "a_lot",
            "need-communication": "some",
        },
    )
    db.session.commit()
