"""Form helpers shared by every blueprint: translated GOV.UK widgets and the error-message catalogue.

The GOV.UK macros default to English (the hidden "Error:" prefix, "Show"/"Hide" on password fields, the
date-part labels); these widget subclasses feed them translated strings instead.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, gettext, lazy_gettext, ngettext
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)

# One catalogue of messages, GOV.UK-worded from a noun ("Enter your email address"). Keep each short.
MESSAGES = {
    "EMAIL_REQUIRED": lazy_gettext("Enter your email address"),
    "EMAIL_INVALID": lazy_gettext("Enter an email address in the correct format, like name@example.com"),
    "EMAIL_TAKEN": lazy_gettext(
        "An account already uses this email address. Sign in, or reset your password"
    ),
    "NAME_REQUIRED": lazy_gettext("Enter your full name"),
    "PASSWORD_REQUIRED": lazy_gettext("Enter your password"),
    "PASSWORD_SHORT": lazy_gettext("Your password must be 10 characters or more"),
    "PASSWORD_LONG": lazy_gettext("Your password must be 200 characters or fewer"),
    "PASSWORD_COMMON": lazy_gettext("Choose a password that is harder to guess"),
    "PASSWORD_MISMATCH": lazy_gettext("The passwords do not match"),
    "SIGN_IN_FAILED": lazy_gettext("Enter the email address and password for your account"),
    "TOO_LONG": lazy_gettext("This must be %(max)d characters or fewer"),
}


def message(key: str, **values: Any) -> str:
    """A message from the catalogue, translated now."""
    text = str(MESSAGES[key])
    return text % values if values else text


class _ErrorPrefix:
    """Give the macro a translated hidden "Error:" prefix."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
        # A fieldset given only classes would lose its legend: the field's label is the legend.
        legend = (params.get("fieldset") or {}).get("legend")
        if legend is not None and not (legend.get("text") or legend.get("html")):
            legend["text"] = field.label.text
        if params.get("errorMessage"):
            params["errorMessage"]["visuallyHiddenText"] = gettext("Error")
        return params


class TextInput(_ErrorPrefix, GovTextInput):
    """A text input."""


class TextArea(_ErrorPrefix, GovTextArea):
    """A textarea."""


class RadioInput(_ErrorPrefix, GovRadioInput):
    """Radios."""


class CheckboxesInput(_ErrorPrefix, GovCheckboxesInput):
    """Checkboxes."""


class SelectInput(_ErrorPrefix, GovSelect):
    """A select."""


class FileInput(_ErrorPrefix, GovFileInput):  # type: ignore[misc]
    """A file upload."""


class SubmitInput(GovSubmitInput):
    """A button."""


def plural_samples() -> dict[str, int]:
    """A whole number for each plural category of the current language (CLDR), "other" always among them.

    GOV.UK Frontend's character count picks its message by the browser's plural category (Welsh has six,
    Polish four): asking gettext with a number of each category gives the catalogue's form for it.
    """
    rule = get_locale().plural_form
    samples: dict[str, int] = {}
    for number in range(0, 201):
        samples.setdefault(rule(number), number)
    # "other" covers fractions only in some languages (Polish): fall back to the form for many.
    samples.setdefault("other", samples.get("many", 2))
    return samples


def _plural_texts(singular: str, plural: str) -> dict[str, str]:
    """One message per plural category, with GOV.UK's %{count} left for its script to fill."""
    return {
        category: ngettext(singular, plural, number).replace(str(number), "%{count}", 1)
        if str(number) in ngettext(singular, plural, number)
        else ngettext(singular, plural, number)
        for category, number in plural_samples().items()
    }


class CharacterCount(_ErrorPrefix, GovCharacterCount):
    """A textarea with a character count whose messages are translated, in every plural form of the language."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        params.setdefault(
            "charactersUnderLimitText",
            _plural_texts("You have %(num)d character remaining", "You have %(num)d characters remaining"),
        )
        params.setdefault(
            "charactersOverLimitText",
            _plural_texts("You have %(num)d character too many", "You have %(num)d characters too many"),
        )
        params.setdefault("charactersAtLimitText", gettext("You have 0 characters remaining"))
        limit = params.get("maxlength")
        if limit:
            # Shown without JavaScript, and read out with it: the limit in the person's language.
            params.setdefault(
                "textareaDescriptionText",
                ngettext(
                    "You can enter up to %(num)d character", "You can enter up to %(num)d characters", limit
                ),
            )
        return params


class PasswordInput(_ErrorPrefix, GovPasswordInput):
    """A password input whose show/hide button speaks the person's language."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        params.update(
            showPasswordText=gettext("Show"),
            hidePasswordText=gettext("Hide"),
            showPasswordAriaLabelText=gettext("Show password"),
            hidePasswordAriaLabelText=gettext("Hide password"),
            passwordShownAnnouncementText=gettext("Your password is visible"),
            passwordHiddenAnnouncementText=gettext("Your password is hidden"),
        )
        return params


class DateInput(_ErrorPrefix, GovDateInput):
    """Day, month and year inputs with translated labels."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        for item, label in zip(
            params["items"], (gettext("Day"), gettext("Month"), gettext("Year")), strict=True
        ):
            item["label"] = label
        return params


class Form(FlaskForm):
    """Base form: trims surrounding spaces from every text field."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            filters = list(unbound_field.kwargs.get("filters", []))
            if unbound_field.field_class.__name__ in {"StringField", "EmailField", "TextAreaField"}:
                filters.append(_strip)
            return unbound_field.bind(form=form, filters=filters, **options)


def _strip(value: Any) -> Any:
    """Trim spaces from a string value."""
    return value.strip() if isinstance(value, str) else value


def error_summary(form: FlaskForm) -> dict[str, Any]:
    """Params for the GOV.UK error summary, each error linked to its field, title translated."""
    items = []
    for name, errors in form.errors.items():
        if not errors:
            continue
        field = getattr(form, name, None)
        anchor = field.id if field is not None else name
        if field is not None and isinstance(field.widget, DateInput):
            anchor = f"{field.id}-day"  # the summary links to the first box, which can take focus
        first = errors[0] if isinstance(errors, list) else errors
        items.append({"text": str(first), "href": f"#{anchor}"})
    return {"titleText": gettext("There is a problem"), "errorList": items}
