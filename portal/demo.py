"""The one-command demo: example organisations, staff of every role, citizens, a mail sink and a worker.

Everything here is marked as demo data; none of it is a real person or a real organisation.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta
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
        True,
    ),
)

# (role, approval level, e-mail local part) for each staffed organisation.
STAFF = (
    (Role.ASSESSOR, 2, "assessor"),
    (Role.ASSESSOR, 2, "second-assessor"),
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


#: Tools a demo organisation offers besides its kind's defaults: the partnership offers Section 117 aftercare.
DEMO_TOOLS: dict[str, tuple[str, ...]] = {"riverside": ("section_117",)}


def _offer_demo_tools(organisation: Organisation) -> None:
    """Turn on the demo organisation's extra tools, leaving any choice its admin has made."""
    from portal.tool_service import SETTINGS_KEY

    chosen = dict((organisation.settings or {}).get(SETTINGS_KEY) or {})
    missing = [key for key in DEMO_TOOLS.get(organisation.slug, ()) if key not in chosen]
    if missing:
        organisation.settings = {
            **(organisation.settings or {}),
            SETTINGS_KEY: {**chosen, **dict.fromkeys(missing, True)},
        }


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
        _offer_demo_tools(organisation)
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


DEMO_PEOPLE = (
    # (name, date of birth, postcode, how much help: 0 none … 4 all the time, and whether urgent)
    ("Margaret Hughes", "1941-03-12", "NF1 2AB", 3, False),
    ("Tomasz Nowak", "1968-07-30", "NF2 4CD", 2, False),
    ("Aisha Rahman", "1990-11-05", "NF1 7EF", 4, True),
    ("Gwen Price", "1937-01-21", "RV1 3GH", 1, False),
    ("Daniel Osei", "1979-05-16", "RV2 8JK", 3, False),
    ("Ruth Levy", "1950-09-09", "NF3 1LM", 2, False),
)


def seed_demo_cases() -> None:
    """Example sent cases for the staff queues, sent by the demo carer for people they support.

    The citizen side sends them, as the carer would: its blueprint offers :func:`send_demo_cases` here when it is
    registered, so this core module does not import a front door.
    """
    from flask import current_app

    from portal.models import Case

    carer = db.session.scalar(select(Account).filter_by(email=CITIZENS[1][0]))
    if carer is None or db.session.scalar(select(Case.id).filter_by(created_by_id=carer.id)):
        return
    sender = current_app.extensions["portal.send_demo_case"]
    for index, (name, born, postcode, level, urgent) in enumerate(DEMO_PEOPLE):
        sender(carer, name, born, postcode, level, urgent, index)
    from portal.demo_nhs import seed_demo_nhs

    seed_demo_nhs()


#: What each demo person's answers say, so that the demo's budgets look like real ones: a client group that
#: matches the person's age (older people are 65 or over), needs in a few areas rather than all of them, and
#: estimates inside the range of the training file's actual costs for people like them (tests/test_demo_people.py
#: checks both). Questions not named are answered "none" or "no".
PERSONAS: dict[str, dict[str, Any]] = {
    "Margaret Hughes": {
        "main-reason": "older_people",
        "where-you-live": "own_home",
        "live-alone": "yes",
        "memory-thinking": "a_little",
        "getting-about": "a_lot",
        "eating-drinking": "some",
        "washing": "a_lot",
        "using-the-toilet": "some",
        "getting-dressed": "some",
        "medicines": "some",
        "keeping-home": "a_lot",
        "staying-safe": "a_little",
        "out-and-about": "some",
        "keeping-home-unpaid": "some",
        "has-unpaid-carer": "yes",
        "carer-can-continue": "yes",
        "carer-breaks": 2,
    },
    "Tomasz Nowak": {
        "main-reason": "physical_disability",
        "where-you-live": "own_home",
        "live-alone": "no",
        "getting-about": "cannot_without_help",
        "two-people-to-move": "yes",
        "washing": "a_lot",
        "using-the-toilet": "a_lot",
        "getting-dressed": "a_lot",
        "getting-dressed-unpaid": "about_half",
        "eating-drinking": "some",
        "keeping-home": "some",
        "out-and-about": "some",
        "work-learning": "a_little",
        "night-help": "sometimes",
    },
    "Aisha Rahman": {
        "main-reason": "learning_disability",
        "where-you-live": "supported_living",
        "engaging-with-support": "sometimes",
        "memory-thinking": "a_little",
        "eating-drinking": "some",
        "washing": "some",
        "medicines": "a_lot",
        "staying-safe": "a_lot",
        "keeping-home": "a_lot",
        "family-friends": "some",
        "out-and-about": "a_lot",
        "work-learning": "some",
        "night-help": "most_nights",
        "has-unpaid-carer": "yes",
    },
    "Gwen Price": {
        "main-reason": "older_people",
        "where-you-live": "own_home",
        "live-alone": "yes",
        "getting-about": "a_little",
        "washing": "a_little",
        "keeping-home": "some",
        "out-and-about": "a_little",
        "medicines": "a_little",
    },
    "Daniel Osei": {
        "main-reason": "mental_health",
        "where-you-live": "own_home",
        "live-alone": "yes",
        "harder-times": "yes",
        "harder-times-how-often": "every_few_months",
        "harder-times-more-support": "a_little_more",
        "mental-health": "a_lot",
        "family-friends": "some",
        "keeping-home": "some",
        "eating-drinking": "a_little",
        "medicines": "some",
        "out-and-about": "some",
        "work-learning": "some",
    },
    "Ruth Levy": {
        "main-reason": "older_people",
        "where-you-live": "family_home",
        "live-alone": "no",
        "memory-thinking": "a_lot",
        "eating-drinking": "some",
        "washing": "some",
        "using-the-toilet": "a_little",
        "getting-dressed": "some",
        "staying-safe": "a_lot",
        "medicines": "a_lot",
        "safe-on-own": "not_always",
        "night-help": "sometimes",
        "has-unpaid-carer": "yes",
        "carer-can-continue": "only_with_more_help",
        "carer-breaks": 4,
        "staying-safe-unpaid": "about_half",
    },
}


def demo_answers(
    schema: Any, rng: Any, level: int, urgent: bool, persona: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A complete, valid set of answers (deterministic for a seed): a persona's, else needs around ``level``."""
    from portal.questionnaire import QuestionType

    levels = ["none", "a_little", "some", "a_lot", "all_the_time"]
    answers: dict[str, Any] = {}
    for _ in range(200):
        question_id = schema.first_unanswered(answers)
        if question_id is None:
            break
        question = schema.question(question_id)
        values = [option.value for option in question.options]
        if persona is not None and question_id in persona:
            value = persona[question_id]
        elif question.type is QuestionType.SINGLE:
            if question_id == "paying-for-care":
                value = "no"
            elif question_id == "carer-can-continue" and urgent:
                value = next((v for v in values if "cannot" in v or v == "no"), values[-1])
            elif persona is not None:
                value = "none" if "none" in values else ("no" if "no" in values else values[0])
            elif "some" in values and "none" in values:
                value = levels[max(0, min(4, level + rng.choice((-1, 0, 0, 1))))]
            elif question_id.endswith("-unpaid"):
                value = rng.choice(values[:3])
            else:
                value = rng.choice(values)
        elif question.type is QuestionType.MULTIPLE:
            value = [values[0]]
        elif question.type is QuestionType.NUMBER:
            value = 0 if persona is not None else 2
        elif question.type is QuestionType.DATE:
            value = (date.today() - timedelta(days=20)).isoformat()  # "in the last 3 months"
        elif question_id == "contact-phone":
            value = "0113 496 0000"  # a drama number (Ofcom), never a real one
        else:
            value = next(
                (text for key, text in DEMO_TEXT if key in question_id),
                "Music, my garden and seeing my grandchildren.",
            )[: question.validation.max_length]
        parsed = schema.parse(question_id, value if not isinstance(value, int) else str(value))
        answers[question_id] = parsed.value if parsed.error is None else values[0]
    return answers


#: Free-text answers for the demo's example people, by a part of the question's id (the first that fits).
DEMO_TEXT: tuple[tuple[str, str], ...] = (
    ("relationship", "Daughter"),
    ("communication", "Large print, please, and a little more time to answer."),
    ("email", "sam.taylor@example.org"),
    ("name", "Sam Taylor"),
)


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
    from portal.demo_configs import seed_demo_configurations
    from portal.demo_section117 import seed_section117_demo
    from portal.jobs import start_recurring, work_in_lanes
    from portal.mail import start_sink

    # Plain HTTP on loopback: cookies cannot be Secure-only, and HSTS would stick to localhost.
    app.config.update({key: getattr(DemoConfig, key) for key in DEMO_OVERRIDES})
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=smtp_port, BASE_URL=f"http://{host}:{port}")
    with app.test_request_context():
        upgrade()
        seed_demo()
        seed_demo_configurations()
        seed_demo_cases()
        seed_section117_demo()
        print_accounts()
    sink = start_sink(app, "127.0.0.1", smtp_port)
    stop = threading.Event()

    def worker() -> Any:
        with app.app_context():
            start_recurring()  # the daily review reminders
            work_in_lanes(app, stop=stop, poll_seconds=0.5)

    thread = threading.Thread(target=worker, name="demo-worker", daemon=True)
    thread.start()
    click.echo(f"\nThe portal is at http://{host}:{port}/  (emails are caught at /staff/mailbox)")
    click.echo("Press Ctrl+C to stop.\n")
    try:
        # Not app.run(): Flask refuses to block inside its own CLI; serve with Werkzeug directly.
        from werkzeug.serving import run_simple

        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        stop.set()
        sink.stop()
