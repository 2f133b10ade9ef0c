"""The decision as the person reads it: on their status page, in an email, and in a letter (PDF) the worker renders.

One function builds what the decision says (:func:`decision_context`), so the page and the letter cannot drift.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import force_locale, gettext, lazy_gettext

from portal import budgets, vocabulary
from portal.case_record import current_validation, eligible_areas
from portal.extensions import db
from portal.i18n import babel_locale
from portal.jobs import handler
from portal.models import Account, Approval, Case, Decision, Document, Estimate, Job

OMBUDSMEN = {
    "council": lazy_gettext("the Local Government and Social Care Ombudsman"),
    "nhs": lazy_gettext("the Parliamentary and Health Service Ombudsman"),
}


def decision_context(case: Case, decision: Decision) -> dict[str, Any]:
    """Everything the decision says, worded in the current locale (call inside ``force_locale`` for a letter)."""
    stored = db.session.get(Estimate, decision.estimate_id)
    result = budgets.loaded(stored) if stored else None
    weeks = (
        result.total_yearly_pence / result.total_weekly_pence
        if result and result.total_weekly_pence
        else 52.18
    )
    lines = []
    funders: list[str] = []
    if result is not None:
        for line in budgets.worded_lines(result):
            if line.allocated:
                lines.append(
                    {
                        "label": line.title,
                        "funder_label": line.funder,
                        "detail": line.detail,
                        "amount_pence": next(x.amount_pence for x in result.lines if x.key == line.key),
                        "reasons": line.reasons,
                    }
                )
        funders = sorted({x.funder for x in result.lines if x.allocated and x.funder})
        difference = decision.confirmed_weekly_pence - result.total_weekly_pence
        if difference:
            # The confirmed figure is not the calculated one: show the difference so the lines add up.
            lines.append(
                {
                    "label": gettext("Adjustment agreed by your assessor"),
                    "funder_label": "",
                    "amount_pence": difference,
                    "reasons": (),
                    "detail": gettext(
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
    contribution = (
        gettext(
            "A financial assessment found that you pay %(amount)s a week towards this.",
            amount=budgets.format_money(decision.contribution_pence),
        )
        if decision.contribution_pence is not None
        else ""
    )
    validation = current_validation(case)
    eligible = eligible_areas((validation.practitioner_items or {}) if validation else {})
    return {
        "eligibility": None
        if eligible is None
        else {
            "eligible": bool(eligible),
            "outcomes": [str(vocabulary.AREA_NAMES[area]) for area in eligible],
        },
        "person_name": case.person.name,
        "reference": case.reference,
        "organisation": case.organisation,
        "decided_on": decision.created_at.date() if decision.outcome == "approved" else date.today(),
        "weekly_pence": decision.confirmed_weekly_pence,
        "yearly_pence": round(decision.confirmed_weekly_pence * weeks),
        "calculated_pence": result.total_weekly_pence if result else None,
        "lines": lines,
        "reasons": [decision.reason] if decision.reason else [],
        "reason_written_in": decision.reason_lang,
        "contribution_note": contribution,
        "review_rights": [
            {"funder_label": vocabulary.funder_name(f), "ombudsman": str(OMBUDSMEN[f])}
            for f in funders
            if f in OMBUDSMEN
        ],
        "signed_off_by": signed,
    }


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
        title = gettext("Decision about your personal budget")
        context = decision_context(case, decision)
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
