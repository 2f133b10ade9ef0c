"""The deployment administrator's pages: organisations, their first admins, and the demo mailbox."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import EmailField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from portal.accounts import issue_password_link
from portal.audit import record
from portal.extensions import db
from portal.forms import MESSAGES, Form, RadioInput, SubmitInput, TextArea, TextInput, error_summary
from portal.models import Account, Organisation, OrganisationKind, PostcodeDistrict, ReceivedEmail, Role
from portal.practitioner import STAFF, bp
from portal.security import roles_required

# An outward code: one or two letters, a digit, then a digit or letter (e.g. LS6, SW1A, M1).
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def parse_districts(raw: str) -> list[str]:
    """Split a list of postcode districts on commas, spaces or new lines, normalised and de-duplicated."""
    seen: dict[str, None] = {}
    for part in re.split(r"[\s,;]+", raw.upper()):
        if part:
            seen[part] = None
    return list(seen)


class OrganisationForm(Form):
    """A new organisation and its first admin."""

    name = StringField(
        lazy_gettext("Organisation name"),
        widget=TextInput(),
        validators=[
            InputRequired(message=lazy_gettext("Enter the organisation's name")),
            Length(max=200, message=lazy_gettext("The name must be 200 characters or fewer")),
        ],
    )
    kind = RadioField(
        lazy_gettext("What kind of organisation is it?"),
        widget=RadioInput(),
        choices=[
            (OrganisationKind.COUNCIL.value, lazy_gettext("A council")),
            (OrganisationKind.ICB.value, lazy_gettext("An NHS integrated care board")),
            (OrganisationKind.PARTNERSHIP.value, lazy_gettext("A partnership of a council and the NHS")),
        ],
        validators=[InputRequired(message=lazy_gettext("Select what kind of organisation it is"))],
    )
    contact_email = EmailField(
        lazy_gettext("Contact email address for the public"),
        widget=TextInput(),
        validators=[
            InputRequired(message=lazy_gettext("Enter a contact email address")),
            Email(message=MESSAGES["EMAIL_INVALID"], check_deliverability=False),
            Length(max=254, message=MESSAGES["EMAIL_INVALID"]),
        ],
    )
    contact_phone = StringField(
        lazy_gettext("Contact phone number"),
        widget=TextInput(),
        validators=[
            Optional(),
            Length(max=40, message=lazy_gettext("The phone number must be 40 characters or fewer")),
        ],
    )
    districts = TextAreaField(
        lazy_gettext("Postcode districts it serves"),
        widget=TextArea(),
        description=lazy_gettext(
            "The first part of the postcode, separated by commas, for example LS1, LS2, LS6"
        ),
        validators=[
            Optional(),
            Length(max=5000, message=lazy_gettext("The list must be 5000 characters or fewer")),
        ],
    )
    admin_name = StringField(
        lazy_gettext("First admin's full name"),
        widget=TextInput(),
        validators=[
            InputRequired(message=lazy_gettext("Enter the first admin's full name")),
            Length(max=200, message=lazy_gettext("The name must be 200 characters or fewer")),
        ],
    )
    admin_email = EmailField(
        lazy_gettext("First admin's email address"),
        widget=TextInput(),
        description=lazy_gettext("We will email them a link to set their password."),
        validators=[
            InputRequired(message=lazy_gettext("Enter the first admin's email address")),
            Email(message=MESSAGES["EMAIL_INVALID"], check_deliverability=False),
            Length(max=254, message=MESSAGES["EMAIL_INVALID"]),
        ],
    )
    submit = SubmitField(lazy_gettext("Create organisation"), widget=SubmitInput())

    def validate_name(self, field: StringField) -> None:
        """Organisation names are unique on a deployment."""
        exists = db.session.scalar(
            select(Organisation.id).where(func.lower(Organisation.name) == field.data.lower())
        )
        if exists:
            raise ValidationError(gettext("An organisation with this name already exists"))

    def validate_districts(self, field: TextAreaField) -> None:
        """Every district must look like the first part of a UK postcode."""
        bad = [d for d in parse_districts(field.data or "") if not _DISTRICT.match(d)]
        if bad:
            raise ValidationError(
                gettext(
                    "These are not postcode districts: %(list)s. Use the first part of a postcode, like LS6",
                    list=", ".join(bad[:5]),
                )
            )

    def validate_admin_email(self, field: EmailField) -> None:
        """The admin's email must not already have an account."""
        exists = db.session.scalar(
            select(Account.id).where(func.lower(Account.email) == field.data.strip().lower())
        )
        if exists:
            raise ValidationError(MESSAGES["EMAIL_TAKEN"])


def _slugify(name: str) -> str:
    """A URL-safe short name for an organisation."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50] or "organisation"
    candidate, n = slug, 2
    while db.session.scalar(select(Organisation.id).filter_by(slug=candidate)):
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


@bp.route("/")
@roles_required(*STAFF)
def home() -> str:
    """The staff home page: who you are, your organisation and what you can do."""
    from portal.models import Case, CaseStatus

    drafts = []
    if current_user.role in (
        Role.ASSESSOR,
        Role.APPROVER,
        Role.ADMIN,
    ):  # a manager's own review with the person
        drafts = db.session.scalars(
            select(Case)
            .where(
                Case.created_by_id == current_user.id,
                Case.status == CaseStatus.DRAFT,
                Case.holder_id == current_user.id,
            )
            .order_by(Case.id.desc())
        ).all()
    from portal.practitioner import worklist

    mine = (
        worklist.needs_me(current_user)
        if current_user.role in (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)
        else None
    )
    emails = EmailsForm(data={"emails": "on" if current_user.staff_emails else "off"})
    from portal import chc, section117, tool_service
    from portal.tools import DEFAULT_TOOL

    with_the_person = tool_service.with_the_person(current_user.organisation)
    return render_template(
        "practitioner/home.html",
        drafts=drafts,
        mine=mine,
        emails=emails,
        with_the_person=with_the_person,
        tool_names={tool.key: tool_service.name_of(tool) for tool in with_the_person},
        default_tool=DEFAULT_TOOL,
        transition_applies=chc.transition_applies(current_user.organisation),
        pooled_split_applies=section117.pooled_split_applies(current_user.organisation),
    )


class EmailsForm(Form):
    """Whether to be emailed when something needs you."""

    emails = RadioField(
        lazy_gettext("Email me when something needs me"),
        widget=RadioInput(),
        choices=[("on", lazy_gettext("Yes")), ("off", lazy_gettext("No"))],
        description=lazy_gettext("The email has no personal details in it, only a link to sign in."),
        validators=[InputRequired(message=lazy_gettext("Select yes or no"))],
    )
    submit = SubmitField(lazy_gettext("Save"), widget=SubmitInput())


@bp.route("/notifications", methods=["POST"])
@roles_required(Role.ASSESSOR, Role.APPROVER, Role.ADMIN)
def notifications() -> Any:
    """Turn the "something needs you" emails on or off; anything else posted changes nothing."""
    from portal.practitioner import worklist

    form = EmailsForm()
    if form.validate_on_submit():
        worklist.set_staff_emails(current_user, form.emails.data == "on")
        flash(
            gettext("We will email you when something needs you.")
            if form.emails.data == "on"
            else gettext("We will not email you. What needs you is still listed here."),
            "success",
        )
    return redirect(url_for(".home") + "#notifications", code=303)


@bp.route("/organisations")
@roles_required(Role.DEPLOYMENT_ADMIN)
def organisations() -> str:
    """Every organisation on this deployment."""
    rows = db.session.execute(
        select(Organisation, func.count(Account.id))
        .outerjoin(Account, Account.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    ).all()
    return render_template("practitioner/organisations.html", rows=rows)


@bp.route("/organisations/new", methods=["GET", "POST"])
@roles_required(Role.DEPLOYMENT_ADMIN)
def new_organisation() -> Any:
    """Create an organisation and its first admin, who is emailed a link to set a password."""
    form = OrganisationForm()
    if form.validate_on_submit():
        organisation = Organisation(
            name=form.name.data,
            slug=_slugify(form.name.data),
            kind=OrganisationKind(form.kind.data),
            contact_email=form.contact_email.data.strip().lower(),
            contact_phone=form.contact_phone.data or "",
        )
        organisation.postcode_districts = [
            PostcodeDistrict(district=d) for d in parse_districts(form.districts.data or "")
        ]
        db.session.add(organisation)
        db.session.flush()
        admin = Account(
            email=form.admin_email.data.strip().lower(),
            name=form.admin_name.data,
            role=Role.ADMIN,
            organisation_id=organisation.id,
            approval_level=4,
        )
        db.session.add(admin)
        db.session.flush()
        issue_password_link(admin, purpose="setup")
        record(
            "organisation.created",
            actor=current_user,
            organisation=organisation,
            detail={"name": organisation.name, "first_admin": admin.email},
        )
        db.session.commit()
        flash(
            gettext(
                "%(name)s has been created. We have emailed %(email)s a link to set a password.",
                name=organisation.name,
                email=admin.email,
            ),
            "success",
        )
        return redirect(url_for("practitioner.organisations"), code=303)
    return render_template("practitioner/organisation_new.html", form=form, errors=error_summary(form))


@bp.route("/mailbox")
@roles_required(Role.DEPLOYMENT_ADMIN)
def mailbox() -> str:
    """What the demo's local mail sink has caught (only where the sink is switched on)."""
    if not current_app.config.get("MAIL_SINK_ENABLED"):
        abort(404)
    messages = db.session.scalars(select(ReceivedEmail).order_by(ReceivedEmail.id.desc()).limit(200)).all()
    return render_template("practitioner/mailbox.html", messages=messages)


@bp.route("/mailbox/<int:message_id>")
@roles_required(Role.DEPLOYMENT_ADMIN)
def mailbox_message(message_id: int) -> str:
    """One message the demo's mail sink caught."""
    if not current_app.config.get("MAIL_SINK_ENABLED"):
        abort(404)
    message = db.session.get(ReceivedEmail, message_id) or abort(404)
    return render_template("practitioner/mailbox_message.html", message=message)
