"""An organisation's admin: its staff (add, change role and level, deactivate leavers) and its settings.

Every view here is for :attr:`Role.ADMIN` only and works inside the admin's own organisation: a member of
staff is looked up by public id *and* organisation, so another organisation's staff are a 404, never a 403
that would confirm they exist. The rules part of the settings (urgent-risk wording, proportionate
validation, approval limits) is read and written only through :class:`OrganisationRules`. Every change is
audited with what it was before and after.

Changes that depend on the rest of the organisation (the last active admin; settings JSON written whole)
first lock the organisation's row, so two admins saving at once on PostgreSQL are serialised rather than
both passing a check or one silently undoing the other's change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import EmailField, Field, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, Email, InputRequired, Length, Optional, StopValidation, ValidationError

from portal.accounts import issue_password_link
from portal.audit import record
from portal.extensions import db
from portal.formatting import format_money
from portal.forms import MESSAGES, CharacterCount, Form, RadioInput, SubmitInput, TextInput, error_summary
from portal.i18n import LANGUAGES
from portal.models import Account, Case, CaseStatus, Organisation, Role
from portal.money import (
    AmountError,
    amount_message,
    parse_percent,
    parse_pounds,
    percent_for_input,
    pounds_for_input,
    weekly_budget_maximum,
)
from portal.practitioner import bp
from portal.practitioner.rules import LEVELS, Limit, OrganisationRules, ValidationRule
from portal.security import roles_required

STAFF_ROLES = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)
PER_PAGE = 25
MAX_PAGE = 10_000  # a page number beyond this is clamped, not sent to the database as a vast OFFSET
WORDING_MAX = 1000
MAX_PERCENT_OVER = Decimal(1000)

ROLE_NAMES = {
    Role.ASSESSOR.value: lazy_gettext("Assessor"),
    Role.APPROVER.value: lazy_gettext("Approver"),
    Role.ADMIN.value: lazy_gettext("Organisation admin"),
}
ROLE_HINTS = {
    Role.ASSESSOR.value: lazy_gettext(
        "Works the queue: checks answers with the person and confirms budgets within their limit"
    ),
    Role.APPROVER.value: lazy_gettext("Also signs off budgets above an assessor's limit, or returns them"),
    Role.ADMIN.value: lazy_gettext("Also adds staff and changes the organisation's settings"),
}
# The NHS personal health budget governance framework's levels of sign-off (level 1 is the person's own).
LEVEL_MEANINGS = {
    2: lazy_gettext("Clinical or professional decisions, by the professional or a service manager"),
    3: lazy_gettext("Higher organisational accountability: the care plan and how the budget was set"),
    4: lazy_gettext("The highest: commissioning, quality and finance sign-off"),
}

# Control characters a browser never needs to send (tab and newline are kept); lone surrogates cannot be stored.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(value: Any) -> Any:
    """Typed text as it should be stored: no control characters, one kind of new line, NFC, trimmed."""
    if not isinstance(value, str):
        return value
    value = _UNWANTED.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", value).strip()


# Amounts --------------------------------------------------------------------------------------------


def _weekly_pounds(text: str | None) -> int | None:
    """A weekly amount (a limit, the light check's maximum): never above what one person's budget may be."""
    return parse_pounds(text, maximum=weekly_budget_maximum())


class AmountField(StringField):
    """Text that must parse as an amount; what was typed is kept for the page, the parsed value is ``value``.

    ``messages`` maps an :class:`AmountError` code (and ``required``) to what the admin is told: a string,
    or a function of the error for a message that names the bound. A code it leaves out is worded by
    :func:`portal.money.amount_message`.
    """

    def __init__(
        self,
        label: Any = None,
        *,
        parse: Any,
        messages: dict[str, Any],
        required: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", TextInput())
        super().__init__(label, **kwargs)
        self.parse = parse
        self.messages = messages
        self.required = required
        self.value: Any = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        """A posted form without this field means it was left blank (not "keep what was there")."""
        self.data = valuelist[0] if valuelist else ""

    def pre_validate(self, form: Any) -> None:
        self.value = None
        try:
            self.value = self.parse(self.data)
        except AmountError as error:
            message = self.messages.get(error.code)
            if message is None:
                message = amount_message(error)
            elif callable(message):
                message = message(error)
            raise StopValidation(str(message)) from None
        if self.value is None and self.required:
            raise StopValidation(str(self.messages["required"]))


# Forms ---------------------------------------------------------------------------------------------------


def _role_field() -> RadioField:
    return RadioField(
        lazy_gettext("Role"),
        widget=RadioInput(),
        choices=[(role.value, ROLE_NAMES[role.value]) for role in STAFF_ROLES],
        validate_choice=False,
        validators=[
            InputRequired(message=lazy_gettext("Select their role")),
            AnyOf([role.value for role in STAFF_ROLES], message=lazy_gettext("Select their role")),
        ],
    )


def _level_field() -> RadioField:
    return RadioField(
        lazy_gettext("Approval level"),
        widget=RadioInput(),
        description=lazy_gettext(
            "The level of the NHS personal health budget governance framework they sign off at. "
            "Level 1 is the person's own decisions."
        ),
        choices=[(str(level), lazy_gettext("Level %(level)d", level=level)) for level in LEVELS],
        validate_choice=False,
        validators=[
            InputRequired(message=lazy_gettext("Select their approval level")),
            AnyOf([str(level) for level in LEVELS], message=lazy_gettext("Select their approval level")),
        ],
    )


class NewStaffForm(Form):
    """A new member of staff, who is emailed a link to set their password."""

    name = StringField(
        lazy_gettext("Full name"),
        widget=TextInput(),
        filters=[clean_text],
        validators=[
            InputRequired(message=lazy_gettext("Enter their full name")),
            Length(max=200, message=lazy_gettext("The name must be 200 characters or fewer")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    email = EmailField(
        lazy_gettext("Email address"),
        widget=TextInput(),
        description=lazy_gettext("We will email them a link to set their password."),
        validators=[
            InputRequired(message=lazy_gettext("Enter their email address")),
            Length(max=254, message=MESSAGES["EMAIL_INVALID"]),
            Email(message=MESSAGES["EMAIL_INVALID"], check_deliverability=False),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "type": "email"},
    )
    role = _role_field()
    approval_level = _level_field()
    submit = SubmitField(lazy_gettext("Add member of staff"), widget=SubmitInput())

    def validate_email(self, field: EmailField) -> None:
        """One account per email address, across the whole deployment."""
        exists = db.session.scalar(
            select(Account.id).where(func.lower(Account.email) == field.data.strip().lower())
        )
        if exists:
            raise ValidationError(gettext("An account already uses this email address"))


class ChangeStaffForm(Form):
    """A member of staff's role and approval level."""

    role = _role_field()
    approval_level = _level_field()
    submit = SubmitField(lazy_gettext("Save changes"), widget=SubmitInput())


class ConfirmForm(Form):
    """A button, with its CSRF token, to confirm an action."""

    submit = SubmitField(lazy_gettext("Confirm"), widget=SubmitInput())


_PHONE = re.compile(r"\+?[0-9 ()\-]+")


def _check_phone(form: Any, field: Field) -> None:
    """A phone number: digits with optional spaces, brackets, hyphens and a leading +, 10 to 15 digits."""
    if not field.data:
        return
    digits = sum(ch.isdigit() for ch in field.data)
    if not _PHONE.fullmatch(field.data) or not 10 <= digits <= 15:
        raise ValidationError(gettext("Enter a phone number, like 01632 960 001 or +44 808 157 0192"))


def _phone_field(label: Any, description: Any = None) -> StringField:
    return StringField(
        label,
        widget=TextInput(),
        description=description,
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=40, message=lazy_gettext("The phone number must be 40 characters or fewer")),
            _check_phone,
        ],
        render_kw={"autocomplete": "off", "type": "tel"},
    )


def normalise_website(text: str | None) -> str:
    """A website address with its scheme ("www.example.org" becomes "https://www.example.org").

    Raises ValueError unless it is an http or https address with a plausible host name.
    """
    raw = (text or "").strip()
    if not raw:
        return ""
    if "://" not in raw:
        raw = f"https://{raw}"
    if any(ch.isspace() for ch in raw) or len(raw) > 300:
        raise ValueError("website")
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise ValueError("website") from None
    host = parts.hostname or ""
    if (
        parts.scheme.lower() not in ("http", "https")
        or parts.username
        or parts.password
        or not re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", host)
    ):
        raise ValueError("website")
    return raw


class ContactsForm(Form):
    """How the public and the organisation's partners reach it."""

    contact_email = EmailField(
        lazy_gettext("Contact email address"),
        widget=TextInput(),
        description=lazy_gettext("Shown to people whose case is with you, and on letters."),
        validators=[
            InputRequired(message=lazy_gettext("Enter a contact email address")),
            Length(max=254, message=MESSAGES["EMAIL_INVALID"]),
            Email(message=MESSAGES["EMAIL_INVALID"], check_deliverability=False),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "type": "email"},
    )
    contact_phone = _phone_field(lazy_gettext("Contact phone number (optional)"))
    duty_phone = _phone_field(
        lazy_gettext("Duty team phone number (optional)"),
        lazy_gettext(
            "For people who may not be safe today. If you leave it blank, we show the contact number."
        ),
    )
    website = StringField(
        lazy_gettext("Website (optional)"),
        widget=TextInput(),
        description=lazy_gettext("For example, https://www.example.gov.uk/adult-social-care"),
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=300, message=lazy_gettext("The website address must be 300 characters or fewer")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "type": "url"},
    )
    submit = SubmitField(lazy_gettext("Save contacts"), widget=SubmitInput())

    def validate_website(self, field: StringField) -> None:
        """An http or https address."""
        try:
            normalise_website(field.data)
        except ValueError:
            raise ValidationError(
                gettext("Enter the website address in the correct format, like https://www.example.gov.uk")
            ) from None


class UrgentWordingForm(Form):
    """The organisation's own words for someone who may not be safe today, one box per language."""

    submit = SubmitField(lazy_gettext("Save wording"), widget=SubmitInput())


for _language in LANGUAGES:
    setattr(
        UrgentWordingForm,
        f"wording_{_language.code}",
        TextAreaField(
            _language.own_name,  # the language's own name: data, not a string to translate
            widget=CharacterCount(),
            filters=[clean_text],
            validators=[
                Optional(),
                Length(
                    max=WORDING_MAX,
                    message=lazy_gettext(
                        "The wording in %(language)s must be %(max)d characters or fewer",
                        language=_language.own_name,
                        max=WORDING_MAX,
                    ),
                ),
            ],
        ),
    )


class ValidationRuleForm(Form):
    """Proportionate validation: the light-check maximum and the share still checked in full."""

    light_max = AmountField(
        lazy_gettext("Light check for estimates up to"),
        description=lazy_gettext(
            "A case not at risk whose own estimate is at most this much a week may be confirmed with a "
            "lighter check. Leave it blank to check every case in full."
        ),
        parse=_weekly_pounds,
        messages={
            "format": lazy_gettext("Enter the light check maximum in pounds, like 300 or 300.50"),
            "decimals": lazy_gettext("Enter the light check maximum to the nearest penny, like 300.50"),
            "negative": lazy_gettext("The light check maximum must be £0 or more"),
            "too_large": lambda error: gettext(
                "The light check maximum must be %(maximum)s or less", maximum=format_money(error.limit)
            ),
        },
        filters=[clean_text],
        render_kw={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"},
    )
    full_check_percent = AmountField(
        lazy_gettext("Share still checked in full"),
        description=lazy_gettext(
            "The percentage of light-check cases, chosen at random, that still get a full validation. "
            "A whole number from 0 to 100."
        ),
        parse=lambda text: parse_percent(text, maximum=Decimal(100), whole=True),
        required=True,
        messages={
            "required": lazy_gettext("Enter the share still checked in full, from 0 to 100"),
            "format": lazy_gettext("Enter the share still checked in full as a number, like 10"),
            "decimals": lazy_gettext("Enter the share still checked in full as a whole number, like 10"),
            "negative": lazy_gettext("The share still checked in full must be 0 or more"),
            "too_large": lazy_gettext("The share still checked in full must be 100 or less"),
        },
        filters=[clean_text],
        render_kw={"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"},
    )
    submit = SubmitField(lazy_gettext("Save rule"), widget=SubmitInput())


class LimitsForm(Form):
    """Each level's approval limit: an amount a week, a percentage above the calculated figure, or both."""

    submit = SubmitField(lazy_gettext("Save limits"), widget=SubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        """Each field on its own, then: a higher level's limit is never below a lower level's."""
        if not super().validate(extra_validators):
            return False
        ok = True
        for kind in ("weekly", "percent"):
            below: tuple[int, Any] | None = None
            for level in LEVELS:
                field = getattr(self, f"{kind}_{level}")
                if field.value is None:
                    continue
                if below is not None and field.value < below[1]:
                    lower = below[1]
                    field.errors.append(
                        gettext(
                            "Level %(level)d's weekly amount must be at least level %(lower)d's, %(amount)s",
                            level=level,
                            lower=below[0],
                            amount=format_money(lower),
                        )
                        if kind == "weekly"
                        else gettext(
                            "Level %(level)d's percentage must be at least level %(lower)d's, %(percent)s%%",
                            level=level,
                            lower=below[0],
                            percent=percent_for_input(lower),
                        )
                    )
                    ok = False
                below = (level, field.value)
        return ok


for _level in LEVELS:
    setattr(
        LimitsForm,
        f"weekly_{_level}",
        AmountField(
            lazy_gettext("Weekly amount (optional)"),
            parse=_weekly_pounds,
            messages={
                "format": lazy_gettext(
                    "Enter level %(level)d's weekly amount in pounds, like 500 or 500.50", level=_level
                ),
                "decimals": lazy_gettext(
                    "Enter level %(level)d's weekly amount to the nearest penny, like 500.50", level=_level
                ),
                "negative": lazy_gettext("Level %(level)d's weekly amount must be £0 or more", level=_level),
                "too_large": lambda error, level=_level: gettext(
                    "Level %(level)d's weekly amount must be %(maximum)s or less",
                    level=level,
                    maximum=format_money(error.limit),
                ),
            },
            filters=[clean_text],
            render_kw={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"},
        ),
    )
    setattr(
        LimitsForm,
        f"percent_{_level}",
        AmountField(
            lazy_gettext("Percentage above the calculated budget (optional)"),
            parse=lambda text: parse_percent(text, maximum=MAX_PERCENT_OVER),
            messages={
                "format": lazy_gettext(
                    "Enter level %(level)d's percentage as a number, like 10 or 12.5", level=_level
                ),
                "decimals": lazy_gettext(
                    "Enter level %(level)d's percentage with no more than 2 decimal places, like 12.5",
                    level=_level,
                ),
                "negative": lazy_gettext("Level %(level)d's percentage must be 0 or more", level=_level),
                "too_large": lazy_gettext("Level %(level)d's percentage must be 1000 or less", level=_level),
            },
            filters=[clean_text],
            render_kw={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"},
        ),
    )


def percent_text(number: Decimal | int | None) -> str:
    """A percentage for reading, in the page's locale (10, 12.5)."""
    if number is None:
        return ""
    return str(format_decimal(Decimal(number).normalize(), format="#,##0.##"))


# Helpers -------------------------------------------------------------------------------------------------


def _organisation(*, lock: bool = False) -> Organisation:
    """The admin's own organisation; with ``lock``, its row is locked (PostgreSQL) and read afresh."""
    stmt = select(Organisation).where(Organisation.id == current_user.organisation_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    organisation = db.session.scalar(stmt)
    if organisation is None:
        abort(404)
    return organisation


def _member(public_id: str) -> Account:
    """A member of the admin's own organisation's staff; anyone else is "not found"."""
    member = db.session.scalar(
        select(Account).where(
            Account.public_id == public_id,
            Account.organisation_id == current_user.organisation_id,
            Account.role.in_(STAFF_ROLES),
        )
    )
    if member is None:
        abort(404)
    return member


def _other_active_admins(organisation_id: int, member: Account) -> int:
    """How many active admins the organisation has besides ``member``."""
    return int(
        db.session.scalar(
            select(func.count(Account.id)).where(
                Account.organisation_id == organisation_id,
                Account.role == Role.ADMIN,
                Account.is_active.is_(True),
                Account.id != member.id,
            )
        )
        or 0
    )


def _render(template: str, **context: Any) -> str:
    """Render an admin page with the shared wording for roles and levels."""
    return render_template(
        f"practitioner/admin/{template}",
        role_names=ROLE_NAMES,
        role_hints=ROLE_HINTS,
        level_meanings=LEVEL_MEANINGS,
        **context,
    )


def _page_number() -> int:
    """The ``page`` query value: 1 for anything that is not a number, at most :data:`MAX_PAGE`."""
    raw = request.args.get("page", "")
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return MAX_PAGE if len(raw) > 6 else min(max(int(raw), 1), MAX_PAGE)


def _page_items(current: int, pages: int) -> list[dict[str, Any]]:
    """GOV.UK pagination items: first, last and the pages either side of the current one, with ellipses."""
    wanted = sorted({1, pages, current - 1, current, current + 1} & set(range(1, pages + 1)))
    items: list[dict[str, Any]] = []
    previous = 0
    for number in wanted:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append(
            {
                "number": number,
                "href": url_for("practitioner.admin_staff", page=number),
                "current": number == current,
                "visuallyHiddenText": gettext("Page %(number)d", number=number),
            }
        )
        previous = number
    return items


# Staff ---------------------------------------------------------------------------------------------------


@bp.route("/organisation/staff")
@roles_required(Role.ADMIN)
def admin_staff() -> str:
    """The organisation's staff, active first, by name."""
    organisation = _organisation()
    stmt = (
        select(Account)
        .where(Account.organisation_id == organisation.id, Account.role.in_(STAFF_ROLES))
        .order_by(Account.is_active.desc(), func.lower(Account.name), Account.id)
    )
    page = _page_number()
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    if pagination.pages and page > pagination.pages:
        page = pagination.pages
        pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    paging = None
    if pagination.pages > 1:
        paging = {
            "items": _page_items(page, pagination.pages),
            "landmarkLabel": gettext("Pages of staff"),
        }
        if pagination.has_prev:
            paging["previous"] = {
                "href": url_for("practitioner.admin_staff", page=page - 1),
                "text": gettext("Previous page"),
            }
        if pagination.has_next:
            paging["next"] = {
                "href": url_for("practitioner.admin_staff", page=page + 1),
                "text": gettext("Next page"),
            }
    return _render(
        "staff.html",
        organisation=organisation,
        members=pagination.items,
        pagination=pagination,
        paging=paging,
    )


@bp.route("/organisation/staff/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_new_staff() -> Any:
    """Add a member of staff; they are emailed a link to set their password."""
    organisation = _organisation()
    form = NewStaffForm()
    if form.validate_on_submit():
        member = Account(
            email=form.email.data.strip().lower(),
            name=form.name.data,
            role=Role(form.role.data),
            organisation_id=organisation.id,
            approval_level=int(form.approval_level.data),
            password_hash=None,
        )
        db.session.add(member)
        db.session.flush()
        issue_password_link(member, purpose="setup")
        record(
            "staff.created",
            actor=current_user,
            organisation=organisation,
            detail={
                "account": member.public_id,
                "after": {
                    "name": member.name,
                    "email": member.email,
                    "role": member.role.value,
                    "approval_level": member.approval_level,
                    "is_active": True,
                },
            },
        )
        db.session.commit()
        flash(
            gettext(
                "%(name)s has been added. We have emailed %(email)s a link to set a password.",
                name=member.name,
                email=member.email,
            ),
            "success",
        )
        return redirect(url_for("practitioner.admin_staff"), code=303)
    return _render("staff_new.html", form=form, errors=error_summary(form))


def _held_cases(member: Account) -> int:
    """How many open cases the member holds."""
    return int(
        db.session.scalar(
            select(func.count(Case.id)).where(
                Case.holder_id == member.id,
                Case.status.not_in((CaseStatus.DECIDED, CaseStatus.WITHDRAWN, CaseStatus.DRAFT)),
            )
        )
        or 0
    )


@bp.route("/organisation/staff/<public_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_staff_member(public_id: str) -> Any:
    """One member of staff: change their role and approval level; links to deactivate or reactivate."""
    member = _member(public_id)
    form = ChangeStaffForm(
        data={
            "role": member.role.value,
            "approval_level": str(member.approval_level) if member.approval_level else None,
        }
    )
    if form.validate_on_submit():
        organisation = _organisation(lock=True)
        db.session.refresh(member)
        new_role = Role(form.role.data)
        new_level = int(form.approval_level.data)
        if member.role == Role.ADMIN and new_role != Role.ADMIN:
            if member.id == current_user.id:
                form.role.errors.append(
                    gettext("You cannot remove your own admin role. Ask another admin to do it")
                )
            elif member.is_active and _other_active_admins(organisation.id, member) == 0:
                form.role.errors.append(
                    gettext(
                        "%(name)s is the only active admin. Make someone else an admin first",
                        name=member.name,
                    )
                )
        if not form.errors:
            before = {"role": member.role.value, "approval_level": member.approval_level}
            after = {"role": new_role.value, "approval_level": new_level}
            if before != after:
                member.role = new_role
                member.approval_level = new_level
                record(
                    "staff.changed",
                    actor=current_user,
                    organisation=organisation,
                    detail={"account": member.public_id, "before": before, "after": after},
                )
                db.session.commit()
                flash(gettext("The changes to %(name)s have been saved.", name=member.name), "success")
            else:
                db.session.rollback()
                flash(gettext("You did not change anything."), "info")
            return redirect(url_for("practitioner.admin_staff_member", public_id=member.public_id), code=303)
        db.session.rollback()
    return _render(
        "staff_member.html",
        member=member,
        form=form,
        errors=error_summary(form),
        is_self=member.id == current_user.id,
    )


def _status_change(public_id: str, *, activate: bool) -> Any:
    """Confirm, then deactivate (ending their sessions) or reactivate a member of staff."""
    member = _member(public_id)
    form = ConfirmForm()
    if member.is_active == activate:
        # Already done (a second click, or another admin got there first): nothing to confirm.
        return redirect(url_for("practitioner.admin_staff_member", public_id=member.public_id), code=303)

    def problem() -> str | None:
        if activate:
            return None
        if member.id == current_user.id:
            return gettext("You cannot deactivate your own account. Ask another admin to do it")
        if member.role == Role.ADMIN and _other_active_admins(member.organisation_id or 0, member) == 0:
            return gettext(
                "%(name)s is the only active admin. Make someone else an admin first", name=member.name
            )
        return None

    if form.validate_on_submit():
        organisation = _organisation(lock=True)
        db.session.refresh(member)
        blocked = problem()
        if blocked is None and member.is_active != activate:
            member.is_active = activate
            if not activate:
                member.session_version += 1  # every session they have ends now
            record(
                "staff.reactivated" if activate else "staff.deactivated",
                actor=current_user,
                organisation=organisation,
                detail={
                    "account": member.public_id,
                    "before": {"is_active": not activate},
                    "after": {"is_active": activate},
                },
            )
            db.session.commit()
            flash(
                gettext("%(name)s's account has been reactivated.", name=member.name)
                if activate
                else gettext(
                    "%(name)s's account has been deactivated. They have been signed out and cannot sign in.",
                    name=member.name,
                ),
                "success",
            )
            return redirect(url_for("practitioner.admin_staff_member", public_id=member.public_id), code=303)
        db.session.rollback()
        member = _member(public_id)
    blocked = problem()
    errors = (
        {"titleText": gettext("There is a problem"), "errorList": [{"text": blocked, "href": "#problem"}]}
        if blocked
        else None
    )
    return _render(
        "staff_status.html",
        member=member,
        form=form,
        activate=activate,
        problem=blocked,
        errors=errors,
        held_cases=0 if activate else _held_cases(member),
    )


@bp.route("/organisation/staff/<public_id>/deactivate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_deactivate_staff(public_id: str) -> Any:
    """Deactivate a leaver: they are signed out everywhere and can no longer sign in."""
    return _status_change(public_id, activate=False)


@bp.route("/organisation/staff/<public_id>/reactivate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_reactivate_staff(public_id: str) -> Any:
    """Let a deactivated member of staff sign in again."""
    return _status_change(public_id, activate=True)


# Settings ------------------------------------------------------------------------------------------------


def _contacts(organisation: Organisation) -> dict[str, str]:
    return {
        "contact_email": organisation.contact_email or "",
        "contact_phone": organisation.contact_phone or "",
        "duty_phone": organisation.duty_phone or "",
        "website": organisation.website or "",
    }


def _limits_json(rules: OrganisationRules) -> dict[str, Any]:
    return {str(level): rules.limits.get(level, Limit()).to_json() for level in LEVELS}


def _save_rules(
    organisation: Organisation, section: str, before: Any, after: Any, rules: OrganisationRules
) -> bool:
    """Store the rules (keeping any other settings) and audit the change; False if nothing changed."""
    if before == after:
        return False
    organisation.settings = {**(organisation.settings or {}), **rules.to_settings()}
    record(
        "organisation.settings_changed",
        actor=current_user,
        organisation=organisation,
        detail={"section": section, "before": before, "after": after},
    )
    return True


def _saved(changed: bool, message: str) -> Any:
    """Commit (or not), say so, and go back to the settings summary."""
    if changed:
        db.session.commit()
        flash(message, "success")
    else:
        db.session.rollback()
        flash(gettext("You did not change anything."), "info")
    return redirect(url_for("practitioner.admin_settings"), code=303)


@bp.route("/organisation/settings")
@roles_required(Role.ADMIN)
def admin_settings() -> str:
    """A summary of the organisation's settings, each part with a link to change it."""
    organisation = _organisation()
    rules = OrganisationRules.from_settings(organisation.settings)
    limits = [
        {
            "level": level,
            "weekly_pence": rules.limits.get(level, Limit()).weekly_pence,
            "percent": percent_text(rules.limits.get(level, Limit()).percent_over),
        }
        for level in LEVELS
    ]
    return _render(
        "settings.html",
        organisation=organisation,
        rules=rules,
        limits=limits,
        languages=LANGUAGES,
        full_check_percent=percent_text(rules.validation.full_check_percent),
    )


@bp.route("/organisation/settings/contacts", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_contacts() -> Any:
    """The organisation's contact email, phone numbers and website."""
    organisation = _organisation()
    form = ContactsForm(data=_contacts(organisation))
    if form.validate_on_submit():
        organisation = _organisation(lock=True)
        before = _contacts(organisation)
        after = {
            "contact_email": form.contact_email.data.strip().lower(),
            "contact_phone": form.contact_phone.data or "",
            "duty_phone": form.duty_phone.data or "",
            "website": normalise_website(form.website.data),
        }
        changed = before != after
        if changed:
            for key, value in after.items():
                setattr(organisation, key, value)
            record(
                "organisation.settings_changed",
                actor=current_user,
                organisation=organisation,
                detail={"section": "contacts", "before": before, "after": after},
            )
        return _saved(changed, gettext("The contacts have been saved."))
    return _render("settings_contacts.html", form=form, errors=error_summary(form))


@bp.route("/organisation/settings/urgent-wording", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_urgent_wording() -> Any:
    """What a person who may not be safe today is told to do, in each language the portal speaks."""
    organisation = _organisation()
    rules = OrganisationRules.from_settings(organisation.settings)
    form = UrgentWordingForm(
        data={f"wording_{lang.code}": rules.urgent_wording.get(lang.code, "") for lang in LANGUAGES}
    )
    if form.validate_on_submit():
        organisation = _organisation(lock=True)
        rules = OrganisationRules.from_settings(organisation.settings)
        wording = {
            lang.code: text
            for lang in LANGUAGES
            if (text := getattr(form, f"wording_{lang.code}").data or "")
        }
        # Wording in a language the portal no longer offers is kept, not silently dropped.
        offered = {lang.code for lang in LANGUAGES}
        wording.update({code: text for code, text in rules.urgent_wording.items() if code not in offered})
        new_rules = replace(rules, urgent_wording=wording)
        changed = _save_rules(
            organisation,
            "urgent_wording",
            dict(rules.urgent_wording),
            dict(new_rules.urgent_wording),
            new_rules,
        )
        return _saved(changed, gettext("The urgent-risk wording has been saved."))
    return _render(
        "settings_wording.html",
        form=form,
        errors=error_summary(form),
        languages=LANGUAGES,
        max_length=WORDING_MAX,
    )


@bp.route("/organisation/settings/validation", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_validation() -> Any:
    """Proportionate validation: which cases may have a lighter check, and the share still checked in full."""
    organisation = _organisation()
    rules = OrganisationRules.from_settings(organisation.settings)
    form = ValidationRuleForm(
        data={
            "light_max": pounds_for_input(rules.validation.light_max_weekly_pence),
            "full_check_percent": str(rules.validation.full_check_percent),
        }
    )
    if form.validate_on_submit():
        organisation = _organisation(lock=True)
        rules = OrganisationRules.from_settings(organisation.settings)
        new_rules = replace(
            rules,
            validation=ValidationRule(
                light_max_weekly_pence=form.light_max.value,
                full_check_percent=int(form.full_check_percent.value),
            ),
        )
        changed = _save_rules(
            organisation, "validation", rules.validation.to_json(), new_rules.validation.to_json(), new_rules
        )
        return _saved(changed, gettext("The proportionate validation rule has been saved."))
    return _render("settings_validation.html", form=form, errors=error_summary(form))


@bp.route("/organisation/settings/approval-limits", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_limits() -> Any:
    """What each level of sign-off may approve: an amount a week, a percentage above the calculation, or both."""
    organisation = _organisation()
    rules = OrganisationRules.from_settings(organisation.settings)
    data: dict[str, str] = {}
    for level in LEVELS:
        limit = rules.limits.get(level, Limit())
        data[f"weekly_{level}"] = pounds_for_input(limit.weekly_pence)
        data[f"percent_{level}"] = percent_for_input(limit.percent_over)
    form = LimitsForm(data=data)
    if form.validate_on_submit():
        organisation = _organisation(lock=True)
        rules = OrganisationRules.from_settings(organisation.settings)
        limits = dict(rules.limits)
        for level in LEVELS:
            limits[level] = Limit(
                weekly_pence=getattr(form, f"weekly_{level}").value,
                percent_over=getattr(form, f"percent_{level}").value,
            )
        new_rules = replace(rules, limits=limits)
        changed = _save_rules(
            organisation, "approval_limits", _limits_json(rules), _limits_json(new_rules), new_rules
        )
        return _saved(changed, gettext("The approval limits have been saved."))
    return _render(
        "settings_limits.html",
        form=form,
        errors=error_summary(form),
        levels=LEVELS,
    )
