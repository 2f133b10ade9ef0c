"""The pages every public service needs: start, privacy, accessibility, cookies, contact, complaints."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select, text

from portal.extensions import db
from portal.models import Organisation

bp = Blueprint("pages", __name__)

INFO_PAGES = ("privacy", "accessibility", "cookies", "contact", "complaints")


@bp.route("/")
def start() -> str:
    """The start page."""
    return render_template("pages/start.html")


@bp.route("/privacy")
def privacy() -> str:
    """The privacy notice."""
    return render_template("pages/privacy.html")


@bp.route("/accessibility")
def accessibility() -> str:
    """The accessibility statement."""
    return render_template("pages/accessibility.html")


@bp.route("/cookies")
def cookies() -> str:
    """The cookies we set (only essential ones)."""
    return render_template("pages/cookies.html")


@bp.route("/contact")
def contact() -> str:
    """How to contact each organisation on the portal."""
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("pages/contact.html", organisations=organisations)


@bp.route("/complaints")
def complaints() -> str:
    """How to complain, and the ombudsmen."""
    return render_template("pages/complaints.html")


@bp.route("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """For a load balancer: the process is up and the database answers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}, 200
