"""The pages every public service needs: start, privacy, accessibility, cookies, contact, complaints."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from flask_babel import gettext
from sqlalchemy import select

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


@bp.route("/organisations/<slug>/algorithmic-transparency")
def accountability(slug: str) -> str:
    """An organisation's accountability record for the budget tool (public; no sign-in)."""
    from portal.accountability import record

    return render_template("pages/accountability.html", record=record(_organisation(slug)))


@bp.route("/organisations/<slug>/algorithmic-transparency.pdf")
def accountability_pdf(slug: str) -> Any:
    """The same record as an accessible PDF to download."""
    from portal.accountability import record
    from portal.i18n.web import current_code
    from portal.pdf import pdf_response, render_pdf

    organisation = _organisation(slug)
    data = record(organisation)
    pdf = render_pdf(
        "answers.html",
        lang=current_code(),
        title=data["name"],
        notes=[gettext("Algorithmic transparency record, generated from the configuration in force today.")],
        sections=[
            {
                "title": (gettext("Tier 1: %(title)s") if s["tier"] == 1 else gettext("Tier 2: %(title)s"))
                % {"title": s["title"]},
                "rows": s["rows"],
            }
            for s in data["sections"]
        ],
    )
    return pdf_response(pdf, f"algorithmic-transparency-{organisation.slug}.pdf")


@bp.route("/organisations/<slug>/decisions-and-challenges")
def open_figures(slug: str) -> str:
    """How often the organisation's decisions are asked about again and how that ends, by month (public)."""
    from portal import open_figures as figures

    organisation = _organisation(slug)
    return render_template(
        "pages/open_figures.html",
        organisation=organisation,
        headings=figures.headings(),
        rows=figures.rows(organisation),
        smallest=figures.MIN_SHOWN,
    )


@bp.route("/organisations/<slug>/decisions-and-challenges.csv")
def open_figures_csv(slug: str) -> Any:
    """The same figures as CSV."""
    from flask import Response

    from portal import open_figures as figures

    organisation = _organisation(slug)
    return Response(
        figures.as_csv(organisation),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=decisions-and-challenges-{organisation.slug}.csv",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _organisation(slug: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug[:64]))
    if organisation is None:
        abort(404)
    return organisation


@bp.route("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    """For a load balancer and monitoring: the database and the job queue (see portal/health.py)."""
    from portal.health import report

    return report()
