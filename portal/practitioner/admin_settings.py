"""An organisation's admin: its settings (contacts, urgent-risk wording, proportionate validation, approval limits).

The rules (what is stored where, limits that never go down a level, other settings kept, every change audited)
live in :mod:`portal.settings_service`; these views parse the forms, call it and redirect to the summary.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask import flash, redirect, url_for
from flask_babel import format_decimal, gettext, lazy_gettext
from flask_login import current_user
from wtforms import EmailField, Field, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, StopValidation, ValidationError

from portal import settings_service, tool_service
from portal.extensions import db
from portal.formatting import format_money
from portal.forms import MESSAGES, CharacterCount, Form, SubmitInput, TextInput, error_summary
from portal.i18n import LANGUAGES
from portal.models import Role
from portal.money import (
    AmountError,
    amount_message,
    parse_percent,
    parse_pounds,
    percent_for_input,
    pounds_for_input,
    weekly_budget_maximum,
)
from portal.organisation_rules import LEVELS, Limit, ValidationRule
from portal.practitioner import bp
from portal.practitioner.admin import clean_text, own_organisation, render
from portal.security import roles_required

# Typed amounts -------------------------------------------------------------------------------------------


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


# Forms ------------------------------------------------------------------------------------------------


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
            settings_service.normalise_website(field.data)
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
                    max=settings_service.WORDING_MAX,
                    message=lazy_gettext(
                        "The wording in %(language)s must be %(max)d characters or fewer",
                        language=_language.own_name,
                        max=settings_service.WORDING_MAX,
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
        for wrong in settings_service.limits_out_of_order(self.limits()):
            getattr(self, f"{wrong.kind}_{wrong.level}").errors.append(
                gettext(
                    "Level %(level)d's weekly amount must be at least level %(lower)d's, %(amount)s",
                    level=wrong.level,
                    lower=wrong.lower_level,
                    amount=format_money(wrong.lower_value),
                )
                if wrong.kind == "weekly"
                else gettext(
                    "Level %(level)d's percentage must be at least level %(lower)d's, %(percent)s%%",
                    level=wrong.level,
                    lower=wrong.lower_level,
                    percent=percent_for_input(wrong.lower_value),
                )
            )
        return not self.errors

    def limits(self) -> dict[int, Limit]:
        """The limits typed, by level (call after the fields are validated)."""
        return {
            level: Limit(
                weekly_pence=getattr(self, f"weekly_{level}").value,
                percent_over=getattr(self, f"percent_{level}").value,
            )
            for level in LEVELS
        }


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
            parse=lambda text: parse_percent(text, maximum=settings_service.MAX_PERCENT_OVER),
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


# Views ---------------------------------------------------------------------------------------------------


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
    organisation = own_organisation()
    rules = settings_service.rules_of(organisation)
    limits = [
        {
            "level": level,
            "weekly_pence": rules.limits.get(level, Limit()).weekly_pence,
            "percent": percent_text(rules.limits.get(level, Limit()).percent_over),
        }
        for level in LEVELS
    ]
    return render(
        "settings.html",
        organisation=organisation,
        rules=rules,
        limits=limits,
        languages=LANGUAGES,
        full_check_percent=percent_text(rules.validation.full_check_percent),
        tools=[
            (tool_service.name_of(tool), tool_service.is_enabled(organisation, key))
            for key, tool in tool_service.available().items()
        ],
    )


@bp.route("/organisation/settings/contacts", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_contacts() -> Any:
    """The organisation's contact email, phone numbers and website."""
    organisation = own_organisation()
    form = ContactsForm(data=settings_service.contacts(organisation))
    if form.validate_on_submit():
        changed = settings_service.save_contacts(
            current_user,
            organisation.id,
            contact_email=form.contact_email.data or "",
            contact_phone=form.contact_phone.data or "",
            duty_phone=form.duty_phone.data or "",
            website=form.website.data or "",
        )
        return _saved(changed, gettext("The contacts have been saved."))
    return render("settings_contacts.html", form=form, errors=error_summary(form))


@bp.route("/organisation/settings/urgent-wording", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_urgent_wording() -> Any:
    """What a person who may not be safe today is told to do, in each language the portal speaks."""
    organisation = own_organisation()
    rules = settings_service.rules_of(organisation)
    form = UrgentWordingForm(
        data={f"wording_{lang.code}": rules.urgent_wording.get(lang.code, "") for lang in LANGUAGES}
    )
    if form.validate_on_submit():
        changed = settings_service.save_urgent_wording(
            current_user,
            organisation.id,
            {lang.code: getattr(form, f"wording_{lang.code}").data or "" for lang in LANGUAGES},
            offered=[lang.code for lang in LANGUAGES],
        )
        return _saved(changed, gettext("The urgent-risk wording has been saved."))
    return render(
        "settings_wording.html",
        form=form,
        errors=error_summary(form),
        languages=LANGUAGES,
        max_length=settings_service.WORDING_MAX,
    )


@bp.route("/organisation/settings/validation", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_validation() -> Any:
    """Proportionate validation: which cases may have a lighter check, and the share still checked in full."""
    organisation = own_organisation()
    rules = settings_service.rules_of(organisation)
    form = ValidationRuleForm(
        data={
            "light_max": pounds_for_input(rules.validation.light_max_weekly_pence),
            "full_check_percent": str(rules.validation.full_check_percent),
        }
    )
    if form.validate_on_submit():
        changed = settings_service.save_validation_rule(
            current_user,
            organisation.id,
            ValidationRule(
                light_max_weekly_pence=form.light_max.value,
                full_check_percent=int(form.full_check_percent.value),
            ),
        )
        return _saved(changed, gettext("The proportionate validation rule has been saved."))
    return render("settings_validation.html", form=form, errors=error_summary(form))


@bp.route("/organisation/settings/approval-limits", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_limits() -> Any:
    """What each level of sign-off may approve: an amount a week, a percentage above the calculation, or both."""
    organisation = own_organisation()
    rules = settings_service.rules_of(organisation)
    data: dict[str, str] = {}
    for level in LEVELS:
        limit = rules.limits.get(level, Limit())
        data[f"weekly_{level}"] = pounds_for_input(limit.weekly_pence)
        data[f"percent_{level}"] = percent_for_input(limit.percent_over)
    form = LimitsForm(data=data)
    if form.validate_on_submit():
        changed = settings_service.save_limits(current_user, organisation.id, form.limits())
        return _saved(changed, gettext("The approval limits have been saved."))
    return render("settings_limits.html", form=form, errors=error_summary(form), levels=LEVELS)
