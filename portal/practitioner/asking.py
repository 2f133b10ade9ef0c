"""Staff and a request to look at a decision again: what the person asked and the files they added, shown on
the case page, and each file to download (never shown inline).

Who may take the request is the lifecycle's rule (``Condition.INDEPENDENT`` in :mod:`portal.cases`): the case
page offers the claim only to someone who neither confirmed nor approved the decision asked about, and says why
to anyone else.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import abort, send_file
from flask_login import current_user

from portal import asking_again, cases
from portal.models import Account, Case, CaseStatus, Role
from portal.practitioner import bp, load_case
from portal.security import roles_required

CASEWORKERS = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)


@bp.app_template_global()
def reconsideration_of(case: Case) -> dict[str, Any] | None:
    """For a staff page: the request a reconsideration case carries, its files, the decision asked about, and
    whether the member of staff signed in made or approved that decision (so cannot take this one)."""
    asked = asking_again.request_for(case)
    if asked is None:
        return None
    from portal.extensions import db

    deciders = cases.first_deciders(case)
    return {
        "request": asked,
        "asked_by": db.session.get(Account, asked.asked_by_id),
        "asked_about": asking_again.asked_about(case),
        "files": asking_again.evidence(case),
        "not_you": current_user.id in deciders and case.status == CaseStatus.SENT,
    }


@bp.route("/cases/<case_id>/evidence/<document_id>")
@roles_required(*CASEWORKERS)
def evidence(case_id: str, document_id: str) -> Any:
    """A file the person added, to download (an attachment, never shown in the page; its type as its content)."""
    found = load_case(case_id)  # another organisation's case is a 404
    item = asking_again.evidence_file(found, document_id)
    if item is None:
        abort(404)
    response = send_file(
        BytesIO(item.content),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
