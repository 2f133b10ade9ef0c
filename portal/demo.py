"""The one-command demo: example organisations, staff of every role, citizens, a mail sink and a worker.

Everything here is marked as demo data; none of it is a real person or a real organisation.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Account, Organisation, OrganisationKind, PostcodeDistrict, Role
from portal.security import hash_password

DEMO_OVERRIDES = ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "MAIL_SINK_ENABLED", "HSTS")
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed on start; demo accounts only


@dataclass(frozen=True)
class DemoOrganisation:
    """An example organisation."""

    slug: str
    name: str
    kind: OrganisationKind
    districts: tuple[str, ...]
    email: str
    phone: str
    staffed: bool


ORGANISATIONS = (
    DemoOrganisation(
        "northfield",
        "Northfield City Council",
        OrganisationKind.COUNCIL,
        ("NF1", "NF2", "NF3"),
        "adultcare@northfield.example.org",
        "0300 555 0101",
        True,
    ),
    DemoOrganisation(
        "riverside",
        "Riverside Health and Care Partnership",
        OrganisationKind.PARTNERSHIP,
        ("RV1", "RV2", "NF3"),
        "s117@riverside.example.org",
        "0300 555 0202",
        True,
    ),
    DemoOrganisation(
        "westmoor",
        "Westmoor County Council",
        OrganisationKind.COUNCIL,
        ("WM1", "WM2"),
        "care@westmoor.example.org",
        "0300 555 0303",
        False,
    ),
    DemoOrganisation(
        "eastbrook",
        "Eastbrook Integrated Care Board",
        OrganisationKind.ICB,
        ("EB1", "EB2"),
        "phb@eastbrook.example.org",
        "0300 555 0404",
        False,
    ),
)

# (role, approval level, e-mail local part) for each staffed organisation.
STAFF = (
    (Role.ASSESSOR, 2, "assessor"),
    (Role.APPROVER, 3, "approver"),
    (Role.APPROVER, 4, "senior-approver"),
    (Role.ADMIN, 4, "admin"),
)

CITIZENS = (
    ("citizen@example.org", "Alex Morgan"),
    ("carer@example.org", "Sam Patel"),
)
DEPLOYMENT_ADMIN = ("deployment-admin@example.org", "Dana Okafor")


def _account(
    email: str, name: str, role: Role, organisation: Organisation | None = None, level: int | None = None
) -> None:
    """Add an account unless one with this email exists."""
    if db.session.scalar(select(Account.id).filter_by(email=email)):
        return
    db.session.add(
        Account(
            email=email,
            name=name,
            role=role,
            organisation_id=organisation.id if organisation else None,
            approval_level=level,
            password_hash=hash_password(DEMO_PASSWORD),
        )
    )


def seed_demo() -> None:
    """Create the demo organisations and accounts; safe to run twice."""
    for spec in ORGANISATIONS:
        organisation = db.session.scalar(select(Organisation).filter_by(slug=spec.slug))
        if organisation is None:
            organisation = Organisation(
                slug=spec.slug,
                name=spec.name,
                kind=spec.kind,
                contact_email=spec.email,
                contact_phone=spec.phone,
                duty_phone=spec.phone,
                is_demo=True,
                shares_benchmarking=True,
            )
            organisation.postcode_districts = [PostcodeDistrict(district=d) for d in spec.districts]
            db.session.add(organisation)
            db.session.flush()
        if spec.staffed:
            for role, level, local in STAFF:
                _account(
                    f"{local}@{spec.slug}.example.org",
                    f"{spec.name.split()[0]} {local.replace('-', ' ').title()}",
                    role,
                    organisation,
                    level,
                )
    for email, name in CITIZENS:
        _account(email, name, Role.CITIZEN)
    _account(DEPLOYMENT_ADMIN[0], DEPLOYMENT_ADMIN[1], Role.DEPLOYMENT_ADMIN)
    db.session.commit()


def demo_accounts() -> list[tuple[str, str, str]]:
    """(email, role, organisation) for every demo account, for printing."""
    rows = db.session.execute(
        select(Account.email, Account.role, Organisation.name)
        .outerjoin(Organisation, Account.organisation_id == Organisation.id)
        .order_by(Organisation.name.nulls_first(), Account.email)
    ).all()
    return [(email, role.value, org or "") for email, role, org in rows]


def print_accounts() -> None:
    """Print the demo accounts and their shared password."""
    click.echo(f"\nDemo accounts (password for every one: {DEMO_PASSWORD})")
    for email, role, org in demo_accounts():
        click.echo(f"  {role:<17} {email:<45} {org}")


def run_demo(app: Flask, *, host: str, port: int, smtp_port: int) -> None:
    """Migrate, seed, start the mail sink and a worker thread, then serve until stopped."""
    from flask_migrate import upgrade

    from portal.config import DemoConfig
    from portal.jobs import work
    from portal.mail import start_sink

    # Plain HTTP on loopback: cookies cannot be Secure-only, and HSTS would stick to localhost.
    app.config.update({key: getattr(DemoConfig, key) for key in DEMO_OVERRIDES})
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=smtp_port, BASE_URL=f"http://{host}:{port}")
    with app.app_context():
        upgrade()
        seed_demo()
        print_accounts()
    sink = start_sink(app, "127.0.0.1", smtp_port)
    stop = threading.Event()

    def worker() -> Any:
        with app.app_context():
            work(stop=stop, poll_seconds=0.5)

    thread = threading.Thread(target=worker, name="demo-worker", daemon=True)
    thread.start()
    click.echo(f"\nThe portal is at http://{host}:{port}/  (emails are caught at /staff/mailbox)")
    click.echo("Press Ctrl+C to stop.\n")
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        stop.set()
        sink.stop()
