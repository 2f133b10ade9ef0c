"""Staff pages: assessors, approvers, organisation admins, and the deployment administrator.

Every view here carries a :func:`portal.security.roles_required` marker; tests/test_permissions.py walks the
URL map and fails for any ``practitioner.*`` endpoint without one. The views live in modules by area:
``deployment`` (the deployment administrator), ``admin_staff`` and ``admin_settings`` (an organisation's admin),
``casework`` (the queue, a case, claims), ``validation_pages`` (validation, the Needs Profile), ``budget_pages``
(budgets and approvals), and an organisation's configuration:
``config_versions`` (versions, drafts, publishing, differences, uplift; with ``config_forms``, ``config_sections``
and ``config_words``), ``config_rates``, ``benchmarking``, ``accuracy`` and ``calibration``; ``decisions``
(closing a case, a decision without a budget, a correction as a new linked case).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, request
from flask_login import current_user, login_required

from portal.models import Case, Role

bp = Blueprint("practitioner", __name__, url_prefix="/staff")

STAFF = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN, Role.DEPLOYMENT_ADMIN)


@bp.before_request
@login_required
def require_sign_in() -> None:
    """Every staff page needs a signed-in account; each view then checks the role."""


def load_case(case_id: str) -> Case:
    """The case if it belongs to the member of staff's organisation, else 404; a page that shows it is audited.

    Every staff page that shows a case loads it here, and :func:`audit_views` writes the view to the audit trail
    once the page has been drawn, so no view can forget it (tests/practitioner/test_audit_views.py walks the URL
    map to prove it).
    """
    from portal.case_record import find_case_for_staff

    case = find_case_for_staff(current_user, case_id)
    if case is None:
        abort(404)
    g.viewed_case = case
    return case


@bp.after_request
def audit_views(response: Any) -> Any:
    """Write "case.viewed" for every page that showed a case's personal data to a member of staff."""
    case = g.pop("viewed_case", None)
    if case is not None and request.method == "GET" and response.status_code == 200:
        from portal.audit import record
        from portal.extensions import db

        record("case.viewed", actor=current_user, case=case, detail={"page": request.endpoint})
        db.session.commit()
    return response


from portal.practitioner import (  # noqa: E402,F401 - each module registers its views on bp
    accuracy,
    accuracy_exports,
    admin_settings,
    admin_staff,
    admin_tools,
    asking,
    benchmarking,
    budget_pages,
    calibration,
    casework,
    chc_pages,
    config_rates,
    config_versions,
    contact,
    decisions,
    deployment,
    phb_pages,
    phone,
    questions,
    records,
    reviews,
    section117_pages,
    validation_pages,
)
