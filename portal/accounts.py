"""Accounts: register, sign in and out, and reset a forgotten password by an emailed one-time link."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select, update
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from portal import passwords, sessions, throttle
from portal.audit import record
from portal.extensions import db
from portal.forms import MESSAGES, Form, PasswordInput, SubmitInput, TextInput, error_summary
from portal.i18n.web import current_code
from portal.mail import link_to, queue_email
from portal.models import Account, Case, CaseStatus, PasswordToken, PersonLink, Role, utcnow
from portal.security import hash_password, local_path

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _new_password_field(label: Any) -> PasswordField:
    """A new-password field with the portal's length rules."""
    return PasswordField(
        label,
        widget=PasswordInput(),
        validators=[
            InputRequired(message=MESSAGES["PASSWORD_REQUIRED"]),
            Length(min=10, message=MESSAGES["PASSWORD_SHORT"]),
            Length(max=200, message=MESSAGES["PASSWORD_LONG"]),
        ],
        description=lazy_gettext("Use 10 characters or more. A few unrelated words together work well."),
    )


class NewPasswordMixin:
    """Checks shared by every form that sets a password."""

    def validate_password(self, field: PasswordField) -> None:
        """Refuse a common, breached or easily guessed password (NCSC guidance: see :mod:`portal.passwords`)."""
        if not field.data:
            return
        personal = [getattr(getattr(self, name, None), "data", "") or "" for name in ("name", "email")]
        account = getattr(self, "account", None)
        if account is not None:
            personal += [account.name, account.email]
        problem = passwords.problem(field.data, personal)
        if problem:
            raise ValidationError(problem)

    def validate_confirm(self, field: PasswordField) -> None:
        """The two passwords must match."""
        if field.data != self.password.data:  # type: ignore[attr-defined]
            raise ValidationError(MESSAGES["PASSWORD_MISMATCH"])


def _email_field() -> EmailField:
    """An email address field, GOV.UK-worded errors."""
    return EmailField(
        lazy_gettext("Email address"),
        widget=TextInput(),
        validators=[
            InputRequired(message=MESSAGES["EMAIL_REQUIRED"]),
            Length(max=254, message=MESSAGES["EMAIL_INVALID"]),
            Email(message=MESSAGES["EMAIL_INVALID"], check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", "type": "email"},
    )


class RegisterForm(NewPasswordMixin, Form):
    """Create a citizen account."""

    name = StringField(
        lazy_gettext("Your full name"),
        widget=TextInput(),
        validators=[
            InputRequired(message=MESSAGES["NAME_REQUIRED"]),
            Length(max=200, message=lazy_gettext("Your name must be 200 characters or fewer")),
        ],
        render_kw={"autocomplete": "name", "spellcheck": "false"},
    )
    email = _email_field()
    password = _new_password_field(lazy_gettext("Create a password"))
    confirm = PasswordField(lazy_gettext("Type your password again"), widget=PasswordInput())
    submit = SubmitField(lazy_gettext("Create account"), widget=SubmitInput())


class SignInForm(Form):
    """Sign in with email and password."""

    email = _email_field()
    password = PasswordField(
        lazy_gettext("Password"),
        widget=PasswordInput(),
        validators=[InputRequired(message=MESSAGES["PASSWORD_REQUIRED"]), Length(max=200)],
    )
    submit = SubmitField(lazy_gettext("Sign in"), widget=SubmitInput())


class ForgottenPasswordForm(Form):
    """Ask for a reset link."""

    email = _email_field()
    submit = SubmitField(lazy_gettext("Send me a link"), widget=SubmitInput())


class ResetPasswordForm(NewPasswordMixin, Form):
    """Choose a new password."""

    password = _new_password_field(lazy_gettext("New password"))
    confirm = PasswordField(lazy_gettext("Type your new password again"), widget=PasswordInput())
    submit = SubmitField(lazy_gettext("Save new password"), widget=SubmitInput())


class SignOutForm(Form):
    """Signing out is a POST with a CSRF token, so no other site can sign a person out."""

    submit = SubmitField(lazy_gettext("Sign out"), widget=SubmitInput())


def _find_account(email: str | None) -> Account | None:
    """The account with this email address, ignoring case."""
    if not email:
        return None
    return db.session.scalar(select(Account).where(func.lower(Account.email) == email.strip().lower()))


def _token_hash(token: str) -> str:
    """Only a hash of a one-time token is stored, so a database leak does not leak working links."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_password_link(account: Account, purpose: str = "reset") -> str:
    """Create a one-time set/reset link for the account and queue the email, in the caller's transaction."""
    token = secrets.token_urlsafe(32)
    cfg = current_app.config
    end_password_links(account)  # only the newest link works
    lifetime = (
        timedelta(days=cfg["SETUP_LINK_DAYS"])
        if purpose == "setup"
        else timedelta(hours=cfg["RESET_LINK_HOURS"])
    )
    db.session.add(
        PasswordToken(
            account_id=account.id,
            token_hash=_token_hash(token),
            purpose=purpose,
            expires_at=utcnow() + lifetime,
        )
    )
    link = link_to("accounts.reset_password", token=token)
    queue_email(
        account.email,
        "password_setup" if purpose == "setup" else "password_reset",
        account.locale,
        name=account.name,
        link=link,
        hours=cfg["RESET_LINK_HOURS"],
        days=cfg["SETUP_LINK_DAYS"],
        organisation=account.organisation.name if account.organisation else "",
    )
    return token


def end_password_links(account: Account) -> None:
    """Make every unused set/reset link of ``account`` stop working (in the caller's transaction)."""
    db.session.execute(
        update(PasswordToken)
        .where(PasswordToken.account_id == account.id, PasswordToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _valid_token(token: str) -> PasswordToken | None:
    """The unused, unexpired token row for ``token``, or None."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(select(PasswordToken).filter_by(token_hash=_token_hash(token)))
    if row is None or row.used_at is not None or row.expires_at < utcnow() or not row.account.is_active:
        return None
    return row


def home_for(account: Account) -> str:
    """Where an account lands after signing in."""
    if account.role == Role.CITIZEN:
        # Coming back to a draft: its "carry on" page sends them to the first unanswered question.
        draft = db.session.scalar(
            select(Case.public_id)
            .join(PersonLink, PersonLink.person_id == Case.person_id)
            .where(
                PersonLink.account_id == account.id,
                Case.status == CaseStatus.DRAFT,
                Case.deleted_at.is_(None),
            )
            .order_by(Case.updated_at.desc(), Case.id.desc())
            .limit(1)
        )
        if draft is not None:
            return url_for("selfassess.carry_on", case_id=draft)
        return url_for("selfassess.dashboard")
    return url_for("practitioner.home")


def _safe_next(target: str | None) -> str | None:
    """Only follow a ``next`` that stays on this site."""
    return local_path(target)


def _too_many(form: Any, field: Any, wait: timedelta) -> None:
    """Put the "wait and try again" message on a form held back by a limit."""
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    field.errors = [
        ngettext(
            "There have been too many attempts from your connection. Wait %(num)d minute and try again.",
            "There have been too many attempts from your connection. Wait %(num)d minutes and try again.",
            minutes,
        )
    ]


@bp.route("/register", methods=["GET", "POST"])
def register() -> Any:
    """Create a citizen account and sign in; an address that has an account is told by email, not here."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        per_address = throttle.address_key("register-address")
        wait = throttle.wait_for(per_address)
        if wait:
            _too_many(form, form.email, wait)
            return render_template("accounts/register.html", form=form, errors=error_summary(form)), 429
        throttle.hit(per_address, "register-address")
        existing = _find_account(form.email.data)
        if existing is not None:
            # Saying so here would tell anyone who has an account: tell the holder instead.
            queue_email(
                existing.email,
                "account_exists",
                existing.locale,
                name=existing.name,
                sign_in=link_to("accounts.sign_in"),
                reset=link_to("accounts.forgotten_password"),
            )
            record("account.registration_refused", actor=existing)
            db.session.commit()
            return render_template("accounts/register_check_email.html")
        account = Account(
            email=form.email.data.strip().lower(),
            name=form.name.data,
            password_hash=hash_password(form.password.data),
            role=Role.CITIZEN,
            locale=current_code(),
        )
        db.session.add(account)
        db.session.flush()
        record("account.registered", actor=account)
        db.session.commit()
        sessions.begin(account)
        flash(gettext("Your account has been created."), "success")
        return redirect(home_for(account), code=303)
    return render_template("accounts/register.html", form=form, errors=error_summary(form))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    """Sign in; repeated failures slow further attempts down (portal/throttle.py)."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        outcome = throttle.attempt_sign_in(form.email.data, form.password.data)
        account = outcome.account
        if account is not None:
            account.last_sign_in_at = utcnow()
            record("account.signed_in", actor=account)
            db.session.commit()
            sessions.begin(account)
            response = redirect(_safe_next(request.args.get("next")) or home_for(account), code=303)
            throttle.remember_device(response, account.public_id)
            return response
        if outcome.wait:
            # The same words whether or not an account has this email address.
            minutes = max(1, -(-int(outcome.wait.total_seconds()) // 60))
            form.email.errors = [
                ngettext(
                    "There have been too many attempts to sign in with this email address. Wait %(num)d minute and try again, or reset your password.",
                    "There have been too many attempts to sign in with this email address. Wait %(num)d minutes and try again, or reset your password.",
                    minutes,
                )
            ]
            status = 429
        else:
            form.email.errors = [str(MESSAGES["SIGN_IN_FAILED"])]
    return render_template("accounts/sign_in.html", form=form, errors=error_summary(form)), status


@bp.route("/sign-out", methods=["GET", "POST"])
def sign_out() -> Any:
    """GET asks to confirm; POST (with its CSRF token) signs out."""
    form = SignOutForm()
    if request.method == "POST" and form.validate_on_submit():
        if current_user.is_authenticated:
            record("account.signed_out", actor=current_user)
            db.session.commit()
            sessions.end()  # every copy of the cookie stops working
        flash(gettext("You have signed out."), "success")
        return redirect(url_for("pages.start"), code=303)
    if not current_user.is_authenticated:
        return redirect(url_for("pages.start"))
    return render_template("accounts/sign_out.html", form=form)


@bp.route("/forgotten-password", methods=["GET", "POST"])
def forgotten_password() -> Any:
    """Send a reset link if the account exists; say the same thing either way."""
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        per_address = throttle.address_key("reset-address")
        wait = throttle.wait_for(per_address)
        if wait:
            _too_many(form, form.email, wait)
            return render_template(
                "accounts/forgotten_password.html", form=form, errors=error_summary(form)
            ), 429
        throttle.hit(per_address, "reset-address")
        per_email = throttle.email_key("reset-email", form.email.data)
        # A few links an hour per address at most, whether or not it has an account: no inbox is flooded,
        # and the page says the same either way.
        if not throttle.wait_for(per_email):
            throttle.hit(per_email, "reset-email")
            account = _find_account(form.email.data)
            if account is not None and account.is_active:
                issue_password_link(account)
                record("account.reset_requested", actor=account)
        db.session.commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgotten_password.html", form=form, errors=error_summary(form))


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    """Set a new password from a one-time link; the link then stops working."""
    row = _valid_token(token)
    if row is None:
        return render_template("accounts/link_expired.html"), 404
    form = ResetPasswordForm()
    form.account = row.account  # a new password must not be built from the account's own name or email
    if form.validate_on_submit():
        account = row.account
        account.password_hash = hash_password(form.password.data)
        account.session_version += 1  # sign out every other session
        throttle.password_reset(account.email)  # the owner proved they hold the email: lift any hold
        row.used_at = utcnow()
        end_password_links(account)  # using one link ends the rest
        record("account.password_changed", actor=account, detail={"purpose": row.purpose})
        sessions.end_all(account, "password_changed")
        db.session.commit()
        sessions.begin(account)
        flash(gettext("Your new password has been saved."), "success")
        return redirect(home_for(account), code=303)
    return render_template(
        "accounts/reset_password.html", form=form, errors=error_summary(form), setup=row.purpose == "setup"
    )


@bp.route("/")
@login_required
def overview() -> Response | str:
    """The signed-in account's details, with the language form and the links to change them."""
    from portal.account_settings import overview_form

    return render_template("accounts/overview.html", form=overview_form())
