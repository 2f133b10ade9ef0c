"""An organisation's admin: its staff (add, change role and level, deactivate leavers and reactivate them).

The rules (one account per email address, an admin never demotes or deactivates themselves, an organisation
always keeps an active admin) live in :mod:`portal.staff_service`; these views parse the forms, call it and
word its refusals. A member of staff is looked up by public id *and* the admin's organisation, so another
organisation's staff are a 404, never a 403 that would confirm they exist.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import EmailField, RadioField, StringField, SubmitField
from wtforms.validators import AnyOf, Email, InputRequired, Length, ValidationError

from portal import staff_service
from portal.extensions import db
from portal.forms import MESSAGES, Form, RadioInput, SubmitInput, TextInput, error_summary
from portal.models import Account, Role
from portal.organisation_rules import LEVELS
from portal.practitioner import bp
from portal.practitioner.admin import ROLE_NAMES, clean_text, own_organisation, render
from portal.security import roles_required

PER_PAGE = 25
MAX_PAGE = 10_000  # a page number beyond this is clamped, not sent to the database as a vast OFFSET


# Forms ---------------------------------------------------------------------------------------------------


def _role_field() -> RadioField:
    return RadioField(
        lazy_gettext("Role"),
        widget=RadioInput(),
        choices=[(role.value, ROLE_NAMES[role.value]) for role in staff_service.STAFF_ROLES],
        validate_choice=False,
        validators=[
            InputRequired(message=lazy_gettext("Select their role")),
            AnyOf(
                [role.value for role in staff_service.STAFF_ROLES], message=lazy_gettext("Select their role")
            ),
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
        """Someone already on the staff list (which the admin can see) is not added twice.

        An address with an account elsewhere is dealt with by :func:`staff_service.add`, without saying so.
        """
        if staff_service.on_staff_list(current_user.organisation_id, field.data or ""):
            raise ValidationError(gettext("This email address is already on your staff list"))


class ChangeStaffForm(Form):
    """A member of staff's role and approval level."""

    role = _role_field()
    approval_level = _level_field()
    submit = SubmitField(lazy_gettext("Save changes"), widget=SubmitInput())


class ConfirmForm(Form):
    """A button, with its CSRF token, to confirm an action."""

    submit = SubmitField(lazy_gettext("Confirm"), widget=SubmitInput())


def refusal_text(refused: staff_service.StaffRefused) -> str:
    """A rule's refusal in words."""
    if refused.code == "own_admin_role":
        return str(gettext("You cannot remove your own admin role. Ask another admin to do it"))
    if refused.code == "own_account":
        return str(gettext("You cannot deactivate your own account. Ask another admin to do it"))
    return str(
        gettext(
            "%(name)s is the only active admin. Make someone else an admin first", name=refused.member.name
        )
    )


def _member(public_id: str) -> Account:
    """A member of the admin's own organisation's staff; anyone else is "not found"."""
    found = staff_service.member(current_user.organisation_id, public_id)
    if found is None:
        abort(404)
    return found


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


# Views ---------------------------------------------------------------------------------------------------


@bp.route("/organisation/staff")
@roles_required(Role.ADMIN)
def admin_staff() -> str:
    """The organisation's staff, active first, by name."""
    organisation = own_organisation()
    stmt = staff_service.listing(organisation.id)
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
    return render(
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
    organisation = own_organisation()
    form = NewStaffForm()
    if form.validate_on_submit():
        staff_service.add(
            current_user,
            organisation,
            name=form.name.data or "",
            email=form.email.data or "",
            role=Role(form.role.data),
            level=int(form.approval_level.data),
        )
        db.session.commit()
        # The session cookie is signed, not encrypted: a flash message must carry no name or email address.
        # The same words whether or not the address already had an account elsewhere.
        flash(
            gettext(
                "We have emailed the address you entered. If it is new to the portal, the person is now on "
                "your staff list and the email has a link to set their password."
            ),
            "success",
        )
        return redirect(url_for("practitioner.admin_staff"), code=303)
    return render("staff_new.html", form=form, errors=error_summary(form))


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
        try:
            changed = staff_service.change(
                current_user, member, role=Role(form.role.data), level=int(form.approval_level.data)
            )
        except staff_service.StaffRefused as refused:
            db.session.rollback()
            form.role.errors = [*form.role.errors, refusal_text(refused)]
        else:
            if changed:
                db.session.commit()
                flash(gettext("The changes to %(name)s have been saved.", name=member.name), "success")
            else:
                db.session.rollback()
                flash(gettext("You did not change anything."), "info")
            return redirect(url_for("practitioner.admin_staff_member", public_id=member.public_id), code=303)
    return render(
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
    if form.validate_on_submit():
        try:
            changed = staff_service.set_active(current_user, member, active=activate)
        except staff_service.StaffRefused:
            db.session.rollback()
            member = _member(public_id)
        else:
            if changed:
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
            else:
                db.session.rollback()
            return redirect(url_for("practitioner.admin_staff_member", public_id=member.public_id), code=303)
    refused = staff_service.refusal(current_user, member, active=activate)
    blocked = refusal_text(refused) if refused else None
    errors = (
        {"titleText": gettext("There is a problem"), "errorList": [{"text": blocked, "href": "#problem"}]}
        if blocked
        else None
    )
    return render(
        "staff_status.html",
        member=member,
        form=form,
        activate=activate,
        problem=blocked,
        errors=errors,
        held_cases=0 if activate else staff_service.held_cases(member),
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
