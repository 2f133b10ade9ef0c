"""The decision as the person reads it: on their status page, in an email, and in a letter (PDF) the worker renders.

One function builds what the decision says (:func:`decision_context`), so the page and the letter cannot drift.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import force_locale, gettext, lazy_gettext

from portal import aftercare_words, budgets, tool_service, vocabulary
from portal.case_record import (
    ELIGIBILITY_OUTCOMES,
    current_validation,
    determination,
    eligible_areas,
    own_estimate,
    person_answers,
    validated_answers,
)
from portal.decision_easy_read import decision_lines
from portal.extensions import db
from portal.i18n import babel_locale
from portal.i18n.schema_text import Words
from portal.jobs import handler
from portal.models import (
    Account,
    Approval,
    Case,
    Decision,
    Document,
    Estimate,
    Job,
    OrganisationKind,
    Validation,
)
from portal.questionnaire import Voice
from portal.questions_web import display_answer

OMBUDSMEN = {
    "council": lazy_gettext("the Local Government and Social Care Ombudsman"),
    "nhs": lazy_gettext("the Parliamentary and Health Service Ombudsman"),
}


#: Who pays for an organisation's decisions when a decision has no budget lines to say (no eligible needs).
ORGANISATION_FUNDERS = {
    OrganisationKind.COUNCIL: ("council",),
    OrganisationKind.ICB: ("nhs",),
    OrganisationKind.PARTNERSHIP: ("council", "nhs"),
}


def _organisation_funders(case: Case) -> tuple[str, ...]:
    """The funders of the case's organisation, for the ombudsman of a decision without a budget."""
    return ORGANISATION_FUNDERS.get(case.organisation.kind, ()) if case.organisation else ()


def _asking_again(case: Case) -> dict[str, Any]:
    """How to ask for the decision to be looked at again (its web address), or, for the outcome of looking again,
    what was asked about and how it ended."""
    from portal.asking_again import asked_about, request_for
    from portal.mail import link_to

    asked = request_for(case)
    first = asked_about(case)
    if asked is None or first is None:
        return {
            "ask_again_link": link_to("selfassess.ask_again", case_id=case.public_id),
            "looked_again": None,
        }
    return {
        "ask_again_link": "",
        "looked_again": {
            "outcome": asked.outcome,
            "asked_about": first.reference,
            "asked_on": asked.asked_at.date(),
        },
    }


def changed_answers(case: Case, validation: Validation | None, words: Words) -> list[dict[str, str]]:
    """The answers the assessor changed, each with the person's answer, the new one and the assessor's reason."""
    items = (validation.items if validation else None) or {}
    amended = {q: item for q, item in items.items() if item.get("action") == "amend"}
    if not amended:
        return []
    schema = tool_service.schema_of(case)
    person = person_answers(case)
    validated = validated_answers(case, validation)
    changed = []
    for question_id in schema.path(validated):
        if question_id not in amended:
            continue
        question = schema.question(question_id)
        changed.append(
            {
                "question": words.question(question, "summary") or words.question(question, "title"),
                "person": display_answer(question, person.get(question_id), words),
                "assessor": display_answer(question, validated.get(question_id), words),
                "reason": str(amended[question_id].get("reason", "")),
            }
        )
    return changed


def needs_not_eligible(case: Case, validation: Validation | None, eligible: list[str] | None) -> list[str]:
    """The outcomes where the validated answers show a need that was not found eligible, worded."""
    if eligible is None:
        return []
    profile = tool_service.schema_of(case).to_profile(validated_answers(case, validation))
    return [
        str(vocabulary.AREA_NAMES[area])
        for area in ELIGIBILITY_OUTCOMES
        if area not in eligible and _positive(profile.get(f"need_{area}"))
    ]


def _positive(value: object) -> bool:
    """A need level above none (the profile's values are numbers, or missing)."""
    return isinstance(value, int | float) and value > 0


def eligibility_words(words: Words) -> dict[str, str]:
    """What eligibility means and what was found, in the reader's voice and language: worded here and only here.

    Keyed as a tool's own ``eligibility`` wording (portal/tools, decision 0015): ``heading``; ``eligible``, before
    the list of outcomes the person cannot achieve; ``not_met``; ``not_eligible_needs``, before the list of needs
    found that are not eligible; ``no_budget``, the headline of a decision without a budget. These are the Care Act
    2014 words, for the person ("your needs") or for a carer reading about them ("the needs of Sam"); a tool with
    its own test (Section 117 aftercare, NHS Continuing Healthcare) words its own in their place.
    """
    if words.easy_read:
        return _eligibility_easy_read(words)
    if words.voice == Voice.CARER:
        name = words.name
        return {
            "heading": gettext("Eligibility for care and support"),
            "eligible": gettext(
                "The needs of %(name)s meet the national eligibility criteria of the Care Act 2014. "
                "%(name)s cannot achieve these outcomes without help:",
                name=name,
            ),
            "not_met": gettext(
                "The needs of %(name)s do not meet the national eligibility criteria of the Care Act 2014. "
                "The council can still give %(name)s information and advice.",
                name=name,
            ),
            "not_eligible_needs": gettext(
                "The assessor found %(name)s needs some help with these, but they are not eligible needs: to be "
                "eligible, needs must come from an illness or disability, stop the person achieving at least two "
                "of the ten outcomes in the regulations, and have a significant impact on their well-being.",
                name=name,
            ),
            "no_budget": gettext(
                "The needs of %(name)s are not eligible for care and support from the council, so there is no "
                "personal budget.",
                name=name,
            ),
        }
    return {
        "heading": gettext("Your eligibility for care and support"),
        "eligible": gettext(
            "Your needs meet the national eligibility criteria of the Care Act 2014. "
            "You cannot achieve these outcomes without help:"
        ),
        "not_met": gettext(
            "Your needs do not meet the national eligibility criteria of the Care Act 2014. "
            "The council can still give you information and advice."
        ),
        "not_eligible_needs": gettext(
            "Your assessor found you need some help with these, but they are not eligible needs: to be eligible, "
            "needs must come from an illness or disability, stop you achieving at least two of the ten outcomes "
            "in the regulations, and have a significant impact on your well-being."
        ),
        "no_budget": gettext(
            "Your needs are not eligible for care and support from the council, so there is no personal budget."
        ),
    }


def _eligibility_easy_read(words: Words) -> dict[str, str]:
    """The Care Act's eligibility in Easy Read: short sentences, "the rules" for the national criteria."""
    if words.voice == Voice.CARER:
        name = words.name
        return {
            "heading": gettext("Can %(name)s get care and support?", name=name),
            "eligible": gettext(
                "The needs of %(name)s meet the rules for care and support. %(name)s needs help to do these things:",
                name=name,
            ),
            "not_met": gettext(
                "The needs of %(name)s do not meet the rules for care and support. The council can still give "
                "%(name)s advice.",
                name=name,
            ),
            "not_eligible_needs": gettext(
                "The assessor found %(name)s needs some help with these things. But the rules say the council does "
                "not have to pay for this help.",
                name=name,
            ),
            "no_budget": gettext(
                "The council will not give %(name)s money for care. This is because the needs of %(name)s do not "
                "meet the rules.",
                name=name,
            ),
        }
    return {
        "heading": gettext("Can you get care and support?"),
        "eligible": gettext(
            "Your needs meet the rules for care and support. You need help to do these things:"
        ),
        "not_met": gettext(
            "Your needs do not meet the rules for care and support. The council can still give you advice."
        ),
        "not_eligible_needs": gettext(
            "The assessor found you need some help with these things. But the rules say the council does not have "
            "to pay for this help."
        ),
        "no_budget": gettext(
            "The council will not give you money for care. This is because your needs do not meet the rules."
        ),
    }


def decision_context(case: Case, decision: Decision, words: Words | None = None) -> dict[str, Any]:
    """Everything the decision says, worded in the current locale (call inside ``force_locale`` for a letter).

    A decision without a budget (no eligible needs) has no lines and no amounts: its reasons, the needs found
    and the advice of Care Act 2014 section 13 instead. With a budget, the lines always add up to it: a figure
    other than the calculated one is a line of its own, with its amount.
    """
    words = words or Words(voice=Voice.PERSON, name=case.person.name, domain=tool_service.of(case).domain)
    carer = words.voice == Voice.CARER
    stored = db.session.get(Estimate, decision.estimate_id)
    result = budgets.loaded(stored) if stored else None
    has_budget = decision.confirmed_weekly_pence is not None
    weeks = (
        result.total_yearly_pence / result.total_weekly_pence
        if result and result.total_weekly_pence
        else 52.18
    )
    lines = []
    funders: list[str] = []
    if result is not None and has_budget:
        for line in budgets.worded_lines(result, tool=tool_service.of(case)):
            if line.allocated:
                lines.append(
                    {
                        "key": line.key,
                        "label": line.title,
                        "funder_label": line.funder,
                        "detail": line.detail,
                        "amount_pence": next(x.amount_pence for x in result.lines if x.key == line.key),
                        "reasons": line.reasons,
                    }
                )
        funders = sorted({x.funder for x in result.lines if x.allocated and x.funder})
        difference = (decision.confirmed_weekly_pence or 0) - result.total_weekly_pence
        if difference:
            # The confirmed figure is not the calculated one: show the difference so the lines add up.
            lines.append(
                {
                    "label": gettext("Adjustment agreed by the assessor")
                    if carer
                    else gettext("Adjustment agreed by your assessor"),
                    "funder_label": "",
                    "amount_pence": difference,
                    "reasons": (),
                    "detail": gettext(
                        "The assessor set a different budget from the calculated one. The reasons are below."
                    )
                    if carer
                    else gettext(
                        "Your assessor set a different budget from the calculated one. The reasons are below."
                    ),
                }
            )
    approvals = db.session.scalars(
        db.select(Approval).filter_by(decision_id=decision.id).order_by(Approval.id)
    ).all()
    signed = [
        {"level": a.level, "name": db.session.get(Account, a.account_id).name, "on": a.created_at.date()}
        for a in approvals
        if a.outcome in ("confirmed", "approved")
    ]
    contribution = ""
    if decision.contribution_pence is not None:
        amount = budgets.format_money(decision.contribution_pence)
        contribution = (
            gettext(
                "A financial assessment found that %(name)s pays %(amount)s a week towards this.",
                name=words.name,
                amount=amount,
            )
            if carer
            else gettext(
                "A financial assessment found that you pay %(amount)s a week towards this.", amount=amount
            )
        )
    validation = current_validation(case)
    eligible = eligible_areas(determination(case, validation))
    tool = tool_service.of(case)
    tool_words = tool_service.words_of(tool, words)  # in the reader's voice, Easy Read or not
    own = own_estimate(case)
    own_pence = own.total_weekly_pence if own is not None else None
    decided_on = decision.created_at.date() if decision.outcome == "approved" else date.today()
    aftercare = aftercare_words.decision_words(
        case, decided_on, result, lines, stored.split_basis if stored else None
    )
    if aftercare["aftercare"] is not None and result is not None:  # the review rights follow who pays
        funders = sorted(set(funders) | {share.funder for share in result.split})
    return {
        "has_budget": has_budget,
        "changed_answers": changed_answers(case, validation, words),
        "not_eligible": needs_not_eligible(case, validation, eligible),
        "own_pence": own_pence,
        "own_difference_pence": decision.confirmed_weekly_pence - own_pence
        if has_budget and own_pence is not None
        else None,
        "eligibility": None
        if eligible is None
        else {
            "eligible": bool(eligible),
            "outcomes": [budgets.area_name(area, tool) for area in eligible],
        },
        "carer": carer,
        "name": words.name,
        # The Care Act's words, or the tool's own (decision 0015) where it has them.
        "eligibility_words": {
            **eligibility_words(words),
            **{k.split(".", 1)[1]: v for k, v in tool_words.items() if k.startswith("eligibility.")},
        },
        "tool_words": tool_words,
        "charging": tool.charging,
        "icb_decision": tool.eligibility_test == "icb_decision",  # the NHS decided, not the council
        "person_name": case.person.name,
        "address_lines": case.person.postal_address(),
        "reference": case.reference,
        "organisation": case.organisation,
        "decided_on": decided_on,
        "weekly_pence": decision.confirmed_weekly_pence,
        "yearly_pence": round(decision.confirmed_weekly_pence * weeks) if has_budget else None,
        "calculated_pence": result.total_weekly_pence if result else None,
        "lines": lines,
        "reasons": [decision.reason] if decision.reason else [],
        "reason_written_in": decision.reason_lang,
        "contribution_note": contribution,
        "review_rights": [
            {"funder_label": vocabulary.funder_name(f), "ombudsman": str(OMBUDSMEN[f])}
            for f in (funders or _organisation_funders(case))
            if f in OMBUDSMEN
        ],
        **_asking_again(case),
        "signed_off_by": signed,
    } | aftercare


@handler("decision_letter")
def render_decision_letter(job: Job) -> dict[str, Any]:
    """Render the decision letter in one language and keep it with the case (safe to run twice)."""
    from portal.pdf import render_pdf

    decision = db.session.get(Decision, job.payload["decision_id"])
    if decision is None:
        raise LookupError(f"decision {job.payload['decision_id']} is missing")
    case = db.session.get(Case, decision.case_id)
    lang = job.payload.get("lang", "en")
    with force_locale(babel_locale(lang)):
        context = decision_context(case, decision)
        title = (
            gettext("Decision about your personal health budget")  # the NHS's name for it
            if context["icb_decision"]
            else gettext("Decision about your personal budget")
        )
        if job.payload.get("easy_read"):
            # The letter is addressed to the person: "you", whoever else reads it.
            context["easy_read"] = decision_lines(
                weekly_pence=context["weekly_pence"],
                changed=bool(context["changed_answers"]),
                voice=Voice.PERSON,
                name=context["person_name"],
                icb=context["icb_decision"],
                aftercare=context["aftercare"] is not None,
            )
    pdf = render_pdf("decision_letter.html", lang=lang, title=title, **context)
    filename = f"decision-{case.reference}-{lang}.pdf"
    existing = db.session.scalar(
        db.select(Document).filter_by(case_id=case.id, kind="decision_letter", lang=lang, filename=filename)
    )
    if existing is not None:
        existing.content = pdf
    else:
        db.session.add(
            Document(case_id=case.id, kind="decision_letter", lang=lang, filename=filename, content=pdf)
        )
    db.session.commit()
    return {"bytes": len(pdf), "lang": lang}
