"""Editing a configuration draft section by section: typed values, their forms, and saving through the engine.

A draft is edited section by section. Each section is a list of :class:`Spec` (one typed value and the key of
the configuration it sets) and a function that writes the parsed values into a copy of the document; the page
keeps what was typed when anything is wrong. A hidden copy of the content hash the page was built from stops
two admins silently overwriting each other's changes. Any ``ConfigurationError`` of the engine's loader becomes
a message next to the field it names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import StopValidation

from portal import version_service
from portal.engine import ConfigurationError, load_configuration
from portal.extensions import db
from portal.formatting import format_money
from portal.forms import (
    Form,
    SelectInput,
    SubmitInput,
    TextInput,
    error_summary,
)
from portal.models import ConfigurationVersion, Organisation
from portal.money import RATE_MAXIMUM, AmountError, parse_pounds, pounds_for_input
from portal.practitioner.config_words import STATUS_NAMES, engine_problem, number_text, show_number

# -- typed values ---------------------------------------------------------------------------------------


class BadValue(ValueError):
    """What is wrong with a typed value, worded for the admin."""


@dataclass
class Spec:
    """One value of a configuration section: how it is typed, shown and checked, and the key it sets."""

    name: str  # the form field's name (and id)
    path: str  # the configuration key it sets, as the engine's errors name it
    label: str
    kind: str  # "pounds", "pounds_optional", "whole", "number", "percent", "percent_optional", "choice", "text",
    #            "weeks"
    value: Any  # the current value, in the document's units
    hint: str = ""
    low: Decimal | None = None
    high: Decimal | None = None
    places: int = 2
    unit: str = ""  # words after the box ("an hour", "minutes")
    choices: list[tuple[str, str]] = field(default_factory=list)
    group: str = ""  # the fieldset it sits in
    group_hint: str = ""
    width: str = "govuk-input--width-5"
    empty: str = ""  # what a blank optional value means, for the summary

    def initial(self) -> str:
        """The value as it goes into the box."""
        if self.kind in ("pounds", "pounds_optional"):
            return pounds_for_input(self.value)
        if self.kind in ("choice", "text", "weeks"):
            return "" if self.value is None else str(self.value)
        return number_text(self.value)

    def display(self) -> str:
        """The value for reading, with its unit."""
        if self.value is None:
            return self.empty or gettext("Not set")
        if self.kind in ("pounds", "pounds_optional"):
            text = format_money(self.value)
        elif self.kind == "choice":
            text = dict(self.choices).get(str(self.value), str(self.value))
        elif self.kind in ("percent", "percent_optional"):
            text = show_number(self.value, self.places) + "%"
        elif self.kind in ("text", "weeks"):
            text = str(self.value)
        else:
            text = show_number(self.value, self.places)
        return f"{text} {self.unit}" if self.unit else text

    def params(self) -> dict[str, Any]:
        """Params for the GOV.UK macro."""
        params: dict[str, Any] = {}
        if self.kind == "choice":
            return params
        params["classes"] = self.width
        if self.kind in ("pounds", "pounds_optional"):
            params["prefix"] = {"text": "£"}
            params["inputmode"] = "decimal"
        elif self.kind == "whole":
            params["inputmode"] = "numeric"
        elif self.kind != "text":
            params["inputmode"] = "decimal"
        if self.unit and self.kind != "text":
            params["suffix"] = {"text": self.unit}
        if self.kind != "text":
            params["spellcheck"] = False
        return params

    def parse(self, text: str | None) -> Any:
        """The typed text as a document value; raises :class:`BadValue`."""
        raw = (text or "").strip()
        label = self.label
        optional = self.kind in ("pounds_optional", "percent_optional")
        if not raw:
            if optional:
                return None
            if self.kind == "text":
                raise BadValue(gettext("%(field)s: enter a label", field=label))
            if self.kind in ("pounds", "pounds_optional"):
                raise BadValue(gettext("%(field)s: enter an amount in pounds, like 18.10", field=label))
            if self.kind == "choice":
                raise BadValue(gettext("%(field)s: select one of the options", field=label))
            raise BadValue(gettext("%(field)s: enter a number", field=label))
        if self.kind in ("pounds", "pounds_optional"):
            return self._pounds(raw)
        if self.kind == "choice":
            if raw not in dict(self.choices):
                raise BadValue(gettext("%(field)s: select one of the options", field=label))
            return raw
        if self.kind == "text":
            if len(raw) > version_service.LABEL_MAX:
                raise BadValue(
                    gettext(
                        "%(field)s: use %(max)d characters or fewer",
                        field=label,
                        max=version_service.LABEL_MAX,
                    )
                )
            return " ".join(raw.split())
        if self.kind == "weeks":
            if not re.fullmatch(r"\d+(\.\d+)?(\s*/\s*\d+(\.\d+)?)?", raw) or len(raw) > 20:
                raise BadValue(
                    gettext("%(field)s: enter a number of weeks, like 52 or 365.25/7", field=label)
                )
            return raw.replace(" ", "") if "/" in raw else self._keep(Decimal(raw))
        return self._number(raw)

    def _pounds(self, raw: str) -> int:
        label = self.label
        try:
            pence = parse_pounds(raw, maximum=RATE_MAXIMUM)
        except AmountError as error:
            if error.code == "decimals":
                raise BadValue(
                    gettext("%(field)s: enter the amount to the nearest penny, like 18.10", field=label)
                ) from None
            if error.code == "negative":
                raise BadValue(gettext("%(field)s: the amount must be more than £0", field=label)) from None
            if error.code == "too_large":
                raise BadValue(
                    gettext("%(field)s: the amount must be £100,000 or less", field=label)
                ) from None
            raise BadValue(gettext("%(field)s: enter an amount in pounds, like 18.10", field=label)) from None
        if not pence:
            raise BadValue(gettext("%(field)s: the amount must be more than £0", field=label))
        return pence

    def _number(self, raw: str) -> Any:
        label = self.label
        cleaned = raw.replace(" ", "")
        if self.kind in ("percent", "percent_optional"):
            cleaned = cleaned.removesuffix("%")
        if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", cleaned) or len(cleaned) > 20:
            if self.kind == "whole":
                raise BadValue(gettext("%(field)s: enter a whole number, like 30", field=label))
            raise BadValue(gettext("%(field)s: enter a number, like 2.5", field=label))
        number = Decimal(cleaned)
        if self.kind == "whole" and number != number.to_integral_value():
            raise BadValue(gettext("%(field)s: enter a whole number, like 30", field=label))
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.places and self.kind != "whole":
            raise BadValue(
                gettext("%(field)s: use at most %(places)d decimal places", field=label, places=self.places)
            )
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            raise BadValue(
                gettext(
                    "%(field)s: enter a number from %(low)s to %(high)s",
                    field=label,
                    low=number_text(self.low),
                    high=number_text(self.high),
                )
            )
        if self.kind == "whole":
            return int(number)
        return self._keep(number)

    def _keep(self, number: Decimal) -> Any:
        """The number for the document: the old value itself when it is the same number (so the content, and
        its hash, only change when the value does), else an int if whole, else a float."""
        if isinstance(self.value, int | float) and not isinstance(self.value, bool):
            try:
                if Decimal(str(self.value)) == number:
                    return self.value
            except InvalidOperation:  # pragma: no cover - stored values are finite numbers
                pass
        return int(number) if number == number.to_integral_value() else float(number)


class ValueField(StringField):
    """A box whose text must parse as its :class:`Spec` says; what was typed is kept, the value is ``value``."""

    def __init__(self, label: Any = None, *, spec: Spec, **kwargs: Any) -> None:
        kwargs.setdefault("widget", TextInput())
        super().__init__(label, **kwargs)
        self.spec = spec
        self.value: Any = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = valuelist[0] if valuelist else ""

    def pre_validate(self, form: Any) -> None:
        try:
            self.value = self.spec.parse(self.data)
        except BadValue as error:
            raise StopValidation(str(error)) from None


class ChoiceField(SelectField):
    """A select whose choice is checked by its :class:`Spec` (with a worded message)."""

    def __init__(self, label: Any = None, *, spec: Spec, **kwargs: Any) -> None:
        kwargs.setdefault("widget", SelectInput())
        super().__init__(label, choices=spec.choices, validate_choice=False, **kwargs)
        self.spec = spec
        self.value: Any = None

    def pre_validate(self, form: Any) -> None:
        try:
            self.value = self.spec.parse(self.data)
        except BadValue as error:
            raise StopValidation(str(error)) from None


@dataclass
class Section:
    """An editable part of a configuration: its values, and how they are written into the document."""

    key: str
    title: str
    intro: str
    specs: list[Spec]
    apply: Callable[[dict[str, Any], dict[str, Any]], list[tuple[str, str]]]
    # ``apply(document, values)`` writes the parsed values in; returns (field name, message) for any value that
    # cannot stand with the others (checked before the engine's loader sees the document)

    def groups(self) -> list[tuple[str, str, list[Spec]]]:
        """The specs in their fieldsets, in order: (legend, hint, specs); an empty legend means none."""
        out: list[tuple[str, str, list[Spec]]] = []
        for spec in self.specs:
            if out and out[-1][0] == spec.group:
                out[-1][2].append(spec)
            else:
                out.append((spec.group, spec.group_hint, [spec]))
        return out


def section_form(section: Section, base_hash: str) -> Any:
    """A form with one field per value of the section, filled with the current values (or what was posted)."""

    class SectionForm(Form):
        base_hash = HiddenField()
        submit = SubmitField(lazy_gettext("Save changes"), widget=SubmitInput())

    for spec in section.specs:
        if spec.kind == "choice":
            setattr(SectionForm, spec.name, ChoiceField(spec.label, spec=spec, description=spec.hint))
        else:
            setattr(
                SectionForm,
                spec.name,
                ValueField(spec.label, spec=spec, description=spec.hint, render_kw={"autocomplete": "off"}),
            )
    data = {spec.name: spec.initial() for spec in section.specs}
    data["base_hash"] = base_hash
    return SectionForm(data=data)


def spec_for_path(path: str, specs: Sequence[Spec]) -> Spec | None:
    """The value an engine error path names: exactly, else the first inside it, else the nearest around it."""
    for spec in specs:
        if spec.path == path:
            return spec
    for spec in specs:
        if spec.path.startswith((path + ".", path + "[")):
            return spec
    for spec in reversed(specs):
        if path.startswith((spec.path + ".", spec.path + "[")):
            return spec
    return None


def attach_engine_error(form: Any, section: Section, error: ConfigurationError) -> None:
    """Show a ``ConfigurationError`` next to the field it names (or the first field, naming the key)."""
    path = error.path
    spec = spec_for_path(path, section.specs) if path else None
    if spec is not None:
        text = gettext("%(field)s: %(problem)s", field=spec.label, problem=engine_problem(error))
    else:
        spec = section.specs[0]
        text = gettext(
            "%(field)s: %(problem)s",
            field=path or gettext("The configuration"),
            problem=engine_problem(error),
        )
    form[spec.name].errors = [*form[spec.name].errors, text]


# -- helpers --------------------------------------------------------------------------------------------


def own_organisation() -> Organisation:
    organisation = current_user.organisation
    if organisation is None:  # an admin always has one; be safe
        abort(403)
    return organisation


def own_version(version_id: str, *, lock: bool = False) -> ConfigurationVersion:
    row = version_service.find_version(own_organisation(), version_id, lock=lock)
    if row is None:
        abort(404)
    return row


def current_day() -> date:
    return date.today()


def version_choices(organisation: Organisation, *, shipped: bool = True) -> list[tuple[str, str]]:
    """(public id, words) for every version of the organisation, and the shipped configuration."""
    out = []
    for row in version_service.versions(organisation):
        out.append((row.public_id, f"{row.label} ({STATUS_NAMES.get(row.status, row.status)})"))
    if shipped:
        out.append((version_service.SHIPPED, gettext("The configuration shipped with the portal")))
    return out


def change_rows(changes: Sequence[version_service.Change]) -> list[dict[str, str]]:
    """Differences for a table: path, old value, new value, in words."""
    return [
        {"path": c.path, "before": value_text(c.path, c.before), "after": value_text(c.path, c.after)}
        for c in changes
    ]


def value_text(path: str, value: Any) -> str:
    """A configuration value for a table of differences."""
    if value is version_service.ABSENT:
        return gettext("Not set")
    if value is None:
        return gettext("None")
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, int) and version_service.is_pence(path):
        return format_money(value)
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=False)
    return str(value)


class ConfirmForm(Form):
    """A button with its CSRF token."""

    submit = SubmitField(lazy_gettext("Continue"), widget=SubmitInput())


def edit_section(row: ConfigurationVersion, section: Section, back: str) -> Any:
    """Show a section's form; on a good post, check the whole configuration with the engine and save it."""
    form = section_form(section, row.content_hash)
    if form.is_submitted() and request.method == "POST":
        ok = form.validate()
        if ok and form.base_hash.data != row.content_hash:
            form[section.specs[0].name].errors = [
                *form[section.specs[0].name].errors,
                gettext(
                    "Someone else changed this draft while you were editing it. Check the values below "
                    "and save again."
                ),
            ]
            form.base_hash.data = row.content_hash
            ok = False
        if ok:
            values = {spec.name: form[spec.name].value for spec in section.specs}
            document = version_service.configuration(row).to_dict()
            problems = section.apply(document, values)
            if section.key == "general" and version_service.label_taken(
                own_organisation(), values["label"], exclude=row
            ):
                problems.append(("label", gettext("Label: another version already has this label")))
            for name, text in problems:
                form[name].errors = [*form[name].errors, text]
            if not problems:
                try:
                    new = load_configuration(document)
                except ConfigurationError as error:
                    attach_engine_error(form, section, error)
                except (ValueError, TypeError, KeyError, ArithmeticError) as error:
                    current_app.logger.warning("configuration check failed: %r", error)
                    attach_engine_error(form, section, ConfigurationError("", str(error), "invalid"))
                else:
                    changes = version_service.save_draft(row, current_user, new, section=section.key)
                    db.session.commit()
                    if changes:
                        flash(gettext("Saved. %(count)d values changed.", count=len(changes)), "success")
                    else:
                        flash(gettext("Nothing was changed."), "info")
                    return redirect(back, code=303)
    return render_template(
        "practitioner/config/section.html",
        row=row,
        section=section,
        form=form,
        back=back,
        errors=error_summary(form) if form.errors else None,
    )


def draft_or_redirect(version_id: str) -> ConfigurationVersion | Response:
    row = own_version(version_id, lock=request.method == "POST")
    if row.status != "draft":
        flash(gettext("A published version cannot be changed. Start a new draft from it instead."), "info")
        return redirect(url_for(".config_version", version_id=row.public_id), code=303)
    return row
