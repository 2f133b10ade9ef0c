"""Staff pages: assessors, approvers, organisation admins, and the deployment administrator.

Every view here carries a :func:`portal.security.roles_required` marker; tests/test_permissions.py walks the
URL map and fails for any ``practitioner.*`` endpoint without one. The views live in modules by area:
``deployment`` (the deployment administrator), ``admin_staff`` and ``admin_settings`` (an organisation's admin),
``casework`` (the queue, validation, the Needs Profile, budgets and approvals), and an organisation's configuration:
``config_versions`` (versions, drafts, publishing, differences, uplift; with ``config_forms``, ``config_sections``
and ``config_words``), ``config_rates``, ``benchmarking``, ``accuracy`` and ``calibration``; ``decisions``
(closing a case, a decision without a budget, a correction as a new linked case).
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from portal.models import Role

bp = Blueprint("practitioner", __name__, url_prefix="/staff")

STAFF = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN, Role.DEPLOYMENT_ADMIN)


@bp.before_request
@login_required
def require_sign_in() -> None:
    """Every staff page needs a signed-in account; each view then checks the role."""


from portal.practitioner import (  # noqa: E402,F401 - each module registers its views on bp
    accuracy,
    accuracy_exports,
    admin_settings,
    admin_staff,
    benchmarking,
    calibration,
    casework,
    config_rates,
    config_versions,
    decisions,
    deployment,
    phone,
)
