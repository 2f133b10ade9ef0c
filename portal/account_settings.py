"""The account page's changes: the language of letters and emails, the password, the email address (confirmed
by a link sent to it), and closing the account. Views are form -> :mod:`portal.account_service` -> redirect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SubmitField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from portal import account_service, sessions, throttle
from portal.accounts import NewPasswordMixin, _new_password_field
from portal.extensions import db
from portal.forms import (
    MESSAGES,
    Form,
    PasswordInput,
    RadioInput,
    SubmitInput,
    TextInput,
    error_summary,
)
from portal.i18n import LANGUAGES
from portal.models import Role
from portal.security import roles_required

bp = Blueprint("account_settings", __name__, url_prefix="/account")


class _CurrentPasswordMixin:
    """Changes that matter need the current password, so an unattended signed-in screen is not enough."""

    def validate_current(self, field: PasswordField) -> None:
        # Under the sign-in limits (portal/throttle.py), so a borrowed session cannot guess its way to the
        # password, the email address or closing the account.
        outcome = throttle.attempt_sign_in(current_user.email, field.data or "")
        if outcome.wait > timedelta(0):
            minutes = max(1, -(-int(outcome.wait.total_seconds()) // 60))
            raise ValidationError(
                ngettext(
                    "There have been too many wrong passwords. Wait %(num)d minute and try again.",
                    "There have been too many wrong passwords. Wait %(num)d minutes and try again.",
                    minutes,
                )
            )
        if outcome.account is None or outcome.account.id != current_user.id:
            raise ValidationError(gettext("Your current password is not right. Check it and try again"))


def _current_field() -> PasswordField:
    return PasswordField(
        lazy_gettext("Your current password"),
        widget=PasswordInput(),
        validators=[InputRequired(message=MESSAGES["PASSWORD_REQUIRED"]), Length(max=200)],
    )


class LanguageForm(Form):
    """The language of letters and emails, and Easy Read, stored on the account."""

    language = RadioField(
        lazy_gettext("Which language should we write to you in?"),
        widget=RadioInput(),
        validators=[InputRequired(message=lazy_gettext("Select the language for letters and emails"))],
    )
    easy_read = BooleanField(lazy_gettext("Use Easy Read when I sign in"), widget=GovCheckboxInput())
    submit = SubmitField(lazy_gettext("Save language"), widget=SubmitInput())


class ChangePasswordForm(_CurrentPasswordMixin, NewPasswordMixin, Form):
    """Change the password while signed in."""

    current = _current_field()
    password = _new_password_field(lazy_gettext("New password"))
    confirm = PasswordField(lazy_gettext("Type your new password again"), widget=PasswordInput())
    submit = SubmitField(lazy_gettext("Change password"), widget=SubmitInput())


class ChangeEmailForm(_CurrentPasswordMixin, Form):
    """Ask to change the email address; a link goes to the new one."""

    email = EmailField(
        lazy_gettext("New email address"),
        widget=TextInput(),
        validators=[
            InputRequired(message=MESSAGES["EMAIL_REQUIRED"]),
            Length(max=254, message=MESSAGES["EMAIL_INVALID"]),
            Email(message=MESSAGES["EMAIL_INVALID"], check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", "type": "email"},
    )
    current = _current_field()
    submit = SubmitField(lazy_gettext("Send a link to the new address"), widget=SubmitInput())

    def validate_email(self, field: EmailField) -> None:
        if field.data and field.data.strip().lower() == current_user.email.lower():
            raise ValidationError(gettext("This is already your email address. Enter a different one"))


class ConfirmForm(Form):
    """One button, for a change that a link alone must not make (mail scanners open links)."""

    submit = SubmitField(lazy_gettext("Confirm my new email address"), widget=SubmitInput())


class CloseAccountForm(_CurrentPasswordMixin, Form):
    """Close the account, with the current password."""

    current = _current_field()
    submit = SubmitField(lazy_gettext("Close my account"), widget=SubmitInput())


def _language_form(**kwargs: Any) -> LanguageForm:
    form = LanguageForm(**kwargs)
    form.language.choices = [(language.code, language.own_name) for language in LANGUAGES]
    return form


@bp.before_request
def require_sign_in() -> Any:
    """Every page here is the signed-in person's own, except confirming a new address from the emailed link."""
    if request.endpoint != "account_settings.confirm_email" and not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    return None


@bp.route("/language", methods=["POST"])
def language() -> Any:
    """Save the language of letters and emails (a switch at the top of a page changes only this visit)."""
    form = _language_form()
    if form.validate_on_submit() and account_service.choose_language(
        current_user, form.language.data, bool(form.easy_read.data)
    ):
        db.session.commit()
        flash(gettext("We will write to you in the language you chose."), "success")
        return redirect(url_for("accounts.overview"), code=303)
    return render_template("accounts/overview.html", form=form, errors=error_summary(form)), 400


def overview_form() -> LanguageForm:
    """The language form as the account page shows it, filled from the account."""
    return _language_form(data={"language": current_user.locale, "easy_read": current_user.easy_read})


@bp.route("/password", methods=["GET", "POST"])
def change_password() -> Any:
    """Change the password: other sessions end; this one starts again under a new token."""
    form = ChangePasswordForm()
    form.account = current_user._get_current_object()
    if form.validate_on_submit():
        account = form.account
        account_service.change_password(account, str(form.password.data))
        db.session.commit()
        sessions.begin(account)
        flash(gettext("Your password has been changed. Other devices have been signed out."), "success")
        return redirect(url_for("accounts.overview"), code=303)
    return render_template("accounts/change_password.html", form=form, errors=error_summary(form))


@bp.route("/email", methods=["GET", "POST"])
def change_email() -> Any:
    """Ask for a link at the new address; the address changes only when it is confirmed."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        new_email = str(form.email.data or "").strip().lower()
        account_service.request_email_change(current_user, new_email)
        db.session.commit()
        return render_template("accounts/email_sent.html", email=new_email)
    return render_template("accounts/change_email.html", form=form, errors=error_summary(form))


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> Any:
    """Confirm the new address from the emailed link (a button, so opening the link changes nothing)."""
    row = account_service.pending_email_change(token)
    if row is None:
        return render_template("accounts/link_expired.html"), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        changed = account_service.confirm_email_change(row)
        db.session.commit()
        if changed:
            flash(gettext("Your email address has been changed."), "success")
        else:
            flash(
                gettext("Your email address could not be changed. Try again from your account page."), "info"
            )
        target = "accounts.overview" if current_user.is_authenticated else "accounts.sign_in"
        return redirect(url_for(target), code=303)
    return render_template("accounts/confirm_email.html", form=form, new_email=row.new_email)


@bp.route("/close", methods=["GET", "POST"])
@roles_required(Role.CITIZEN)  # staff accounts are closed by their organisation's admin
def close() -> Any:
    """Close a citizen's account, saying first what happens to sent cases and to everything else."""
    form = CloseAccountForm()
    cases = account_service.cases_of(current_user)
    if form.validate_on_submit():
        account_service.close_account(current_user._get_current_object())
        db.session.commit()
        sessions.end("closed")
        flash(gettext("Your account has been closed. We have sent you an email to confirm it."), "success")
        return redirect(url_for("pages.start"), code=303)
    return render_template(
        "accounts/close.html",
        form=form,
        errors=error_summary(form),
        sent=[case for case in cases if case.status.value != "draft" or case.sent_at is not None],
        drafts=[case for case in cases if case.status.value == "draft" and case.sent_at is None],
    )
