"""The citizen and carer side: a person's own assessments and those of the people they care for."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, PersonLink, Role

bp = Blueprint("selfassess", __name__, url_prefix="/my")


@bp.before_request
@login_required
def require_citizen() -> None:
    """Only citizen accounts use these pages; staff have their own."""
    if current_user.role != Role.CITIZEN:
        abort(403)


def cases_for(account_id: int) -> list[Case]:
    """Every case of a person this account acts for (themselves included), newest first."""
    person_ids = select(PersonLink.person_id).where(PersonLink.account_id == account_id)
    return list(
        db.session.scalars(
            select(Case).where(Case.person_id.in_(person_ids)).order_by(Case.created_at.desc())
        )
    )


@bp.route("/")
def dashboard() -> str:
    """Your assessments, and those of people you care for."""
    return render_template("selfassess/dashboard.html", cases=cases_for(current_user.id))
