"""A case's history and exports: the story staff read, the raw audit trail, and a decided case as JSON.

Moved out of :mod:`portal.practitioner.casework` to keep each module small; the endpoints keep their names.
"""

from __future__ import annotations

import json

from flask import Response, abort, render_template

from portal import case_record
from portal.extensions import db
from portal.models import Estimate, Role
from portal.practitioner import bp, load_case
from portal.practitioner import service as work
from portal.questionnaire import NOTES_KEY, notes_of
from portal.security import roles_required

CASEWORKERS = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)
_case = load_case


# -- history and export -------------------------------------------------------------------------------


@bp.route("/cases/<case_id>/history")
@roles_required(*CASEWORKERS)
def history(case_id: str) -> str:
    """The case's story: who did what, when and why, in words; who looked at it, apart."""
    from portal.practitioner import history as story

    found = _case(case_id)
    entries, views = story.story(found)
    return render_template("practitioner/history.html", case=found, entries=entries, views=views)


@bp.route("/cases/<case_id>/history.json")
@roles_required(*CASEWORKERS)
def history_export(case_id: str) -> Response:
    """The raw audit trail of the case, as recorded, for export."""
    from portal.practitioner import history as story

    found = _case(case_id)
    body = {"format": "care-portal/audit-trail/1", "reference": found.reference, "events": story.raw(found)}
    response = Response(json.dumps(body, indent=2, default=str), mimetype="application/json")
    response.headers["Content-Disposition"] = f"attachment; filename={found.reference}-audit.json"
    return response


@bp.route("/cases/<case_id>/export.json")
@roles_required(*CASEWORKERS)
def export(case_id: str) -> Response:
    """A decided case as JSON for the council's case-management system."""
    found = _case(case_id)
    decision = case_record.final_decision(found)
    if decision is None:
        abort(404)
    validation = case_record.current_validation(found)
    sent = case_record.latest_snapshot(found).answers or {}
    stored = db.session.get(Estimate, decision.estimate_id)
    body = {
        "format": "care-portal/decided-case/1",
        "reference": found.reference,
        "organisation": found.organisation.name if found.organisation else None,
        "person": {
            "name": found.person.name,
            "date_of_birth": found.person.date_of_birth.isoformat() if found.person.date_of_birth else None,
            "postcode": found.person.postcode,
            "nhs_number": found.person.nhs_number or None,
        },
        "questionnaire_version": case_record.latest_snapshot(found).questionnaire_version,
        # The notes kept with the answers ("Add note") apart from them: every key of the answers is a question.
        "answers_sent": {k: v for k, v in sent.items() if k != NOTES_KEY},
        "notes_sent": notes_of(sent),
        "validation": {
            "path": validation.path_taken,
            "items": validation.items,
            "needs_profile": validation.practitioner_items,
        }
        if validation
        else None,
        "needs_profile": dict(work.schema(found).to_profile(case_record.validated_answers(found))),
        "estimate": stored.result if stored else None,
        "decision": {
            "confirmed_weekly_pence": decision.confirmed_weekly_pence,
            "reason": decision.reason,
            "contribution_pence": decision.contribution_pence,
            "required_level": decision.required_level,
            "decided_at": decision.created_at.isoformat(),
        },
    }
    response = Response(json.dumps(body, indent=2, default=str), mimetype="application/json")
    response.headers["Content-Disposition"] = f"attachment; filename={found.reference}.json"
    return response
