"""An organisation's configuration versions: the list, one version, drafts, publishing, differences, uplift.

Every view is for :attr:`Role.ADMIN` and works inside the admin's own organisation: a version is looked up by id
*and* organisation, so another organisation's is a 404. The rules live in :mod:`portal.version_service`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import Field, SelectField, StringField, SubmitField
from wtforms.validators import StopValidation

from portal import calibration_service, version_service
from portal.engine import ConfigurationError, load_configuration
from portal.extensions import db
from portal.formatting import format_money
from portal.forms import (
    DateInput,
    Form,
    SelectInput,
    SubmitInput,
    TextInput,
    error_summary,
)
from portal.models import ConfigurationVersion, Organisation, Role
from portal.practitioner import bp
from portal.practitioner.calibration import EXAMPLE_NAMES, signed_money
from portal.practitioner.config_forms import (
    ConfirmForm,
    change_rows,
    current_day,
    draft_or_redirect,
    edit_section,
    own_organisation,
    own_version,
    version_choices,
)
from portal.practitioner.config_sections import SECTIONS
from portal.practitioner.config_words import STATUS_NAMES, engine_problem, number_text
from portal.security import roles_required

LATEST_EFFECTIVE_YEARS = 5

# -- configuration versions -----------------------------------------------------------------------------


@bp.route("/configuration")
@roles_required(Role.ADMIN)
def config_versions() -> str:
    """Every version of the organisation's configuration, and which one is in force today."""
    organisation = own_organisation()
    rows = version_service.versions(organisation)
    in_force = version_service.in_force_row(organisation)
    creators = {}
    if rows:
        from portal.models import Account

        ids = {r.created_by_id for r in rows if r.created_by_id}
        creators = dict(db.session.execute(select(Account.id, Account.name).where(Account.id.in_(ids))).all())
    drafts = [r for r in rows if r.status == "draft"]
    return render_template(
        "practitioner/config/versions.html",
        rows=rows,
        in_force=in_force,
        in_force_config=version_service.configuration(in_force),
        creators=creators,
        today=current_day(),
        new_draft=ConfirmForm(),
        compare_from=in_force.public_id if in_force and in_force.organisation_id else version_service.SHIPPED,
        compare_to=drafts[0].public_id
        if drafts
        else (rows[0].public_id if rows else version_service.SHIPPED),
        choices=version_choices(organisation),
        status_names=STATUS_NAMES,
    )


@bp.route("/configuration/new", methods=["POST"])
@roles_required(Role.ADMIN)
def config_new_draft() -> Response:
    """Start a draft: a copy of the version in force (or of another version, or of the shipped one)."""
    organisation = own_organisation()
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for(".config_versions"), code=303)
    source_id = request.form.get("source", "")[:40]
    if source_id == version_service.SHIPPED:
        row = version_service.create_draft(organisation, current_user, None, from_shipped=True)
    else:
        row = version_service.create_draft(
            organisation, current_user, own_version(source_id) if source_id else None
        )
    db.session.commit()
    flash(
        gettext(
            "You have started a draft, %(label)s. Change what you need, then publish it.", label=row.label
        ),
        "success",
    )
    return redirect(url_for(".config_version", version_id=row.public_id), code=303)


@bp.route("/configuration/<version_id>")
@roles_required(Role.ADMIN)
def config_version(version_id: str) -> str:
    """One version: every section's values, and what can be done with it."""
    organisation = own_organisation()
    row = own_version(version_id)
    config = version_service.configuration(row)
    document = config.to_dict()
    sections = [builder(document) for builder in SECTIONS.values()]
    in_force = version_service.in_force_row(organisation)
    overrides = {
        kind: sum(1 for key in spec if key not in ("per", "default"))
        for kind, spec in document["rates"].items()
    }
    return render_template(
        "practitioner/config/version.html",
        row=row,
        config=config,
        sections=sections,
        overrides=overrides,
        in_force=in_force,
        is_in_force=in_force is not None and in_force.id == row.id,
        today=current_day(),
        status_names=STATUS_NAMES,
        new_draft=ConfirmForm(),
    )


@bp.route("/configuration/<version_id>/edit/<section>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def config_section(version_id: str, section: str) -> Any:
    """Edit one section of a draft."""
    if section not in SECTIONS:
        abort(404)
    row = draft_or_redirect(version_id)
    if isinstance(row, Response):
        return row
    built = SECTIONS[section](version_service.configuration(row).to_dict())
    if not built.specs:
        abort(404)
    back = url_for(".config_version", version_id=row.public_id, _anchor=f"section-{section}")
    return edit_section(row, built, back)


class DayField(Field):
    """Day, month and year boxes kept as typed (checked by the form)."""

    widget = DateInput()

    def process_data(self, value: Any) -> None:
        self.data = value
        self.raw_data = (
            [str(value.day), str(value.month), str(value.year)] if isinstance(value, date) else None
        )

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_data = (list(valuelist) + ["", "", ""])[:3]

    def _value(self) -> str:
        return ""


class PublishForm(Form):
    """The date a draft comes into force."""

    effective_from = DayField(
        lazy_gettext("Date it comes into force"),
        widget=DateInput(),
        description=lazy_gettext("Today or later. For example, 1 4 2027"),
    )
    submit = SubmitField(lazy_gettext("Publish this version"), widget=SubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.day: date | None = None

    def validate_effective_from(self, field: Field) -> None:
        """A real date, today or within the next few years."""
        parts = [p.strip() for p in (field.raw_data or [])] + ["", "", ""]
        day_text, month_text, year_text = parts[:3]
        if not (day_text and month_text and year_text):
            raise StopValidation(gettext("Enter the date it comes into force, with a day, month and year"))
        try:
            self.day = date(int(year_text), int(month_text), int(day_text))
        except (ValueError, OverflowError):  # OverflowError: a year of hundreds of digits
            raise StopValidation(gettext("The date it comes into force must be a real date")) from None
        today = current_day()
        if self.day < today:
            raise StopValidation(gettext("The date it comes into force must be today or in the future"))
        if self.day > today + timedelta(days=366 * LATEST_EFFECTIVE_YEARS):
            raise StopValidation(
                gettext(
                    "The date it comes into force must be within %(years)d years",
                    years=LATEST_EFFECTIVE_YEARS,
                )
            )


@bp.route("/configuration/<version_id>/publish", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def config_publish(version_id: str) -> Any:
    """Publish a draft from a date: from that day, new estimates use it."""
    row = draft_or_redirect(version_id)
    if isinstance(row, Response):
        return row
    form = PublishForm(data={"effective_from": current_day()})
    if form.validate_on_submit() and form.day is not None:
        if version_service.publish(row, current_user, form.day):
            db.session.commit()
            if form.day == current_day():
                flash(gettext("%(label)s is published and in force from today.", label=row.label), "success")
            else:
                flash(
                    gettext(
                        "%(label)s is published. It comes into force on %(day)s.",
                        label=row.label,
                        day=_day(form.day),
                    ),
                    "success",
                )
        else:
            db.session.rollback()
            flash(gettext("This version has already been published."), "info")
        return redirect(url_for(".config_version", version_id=row.public_id), code=303)
    return render_template(
        "practitioner/config/publish.html",
        row=row,
        form=form,
        errors=error_summary(form) if form.errors else None,
    )


def _day(value: date) -> str:
    from portal.formatting import format_day

    return format_day(value)


@bp.route("/configuration/<version_id>/delete", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def config_delete(version_id: str) -> Any:
    """Delete a draft (a published version is kept for ever)."""
    row = draft_or_redirect(version_id)
    if isinstance(row, Response):
        return row
    form = ConfirmForm()
    if form.validate_on_submit():
        label = row.label
        version_service.delete_draft(row, current_user)
        db.session.commit()
        flash(gettext("The draft %(label)s has been deleted.", label=label), "success")
        return redirect(url_for(".config_versions"), code=303)
    return render_template("practitioner/config/delete.html", row=row, form=form)


@bp.route("/configuration/<version_id>/download")
@roles_required(Role.ADMIN)
def config_download(version_id: str) -> Response:
    """The version's configuration file (YAML), as the engine and its command line read it."""
    row = own_version(version_id)
    name = re.sub(r"[^A-Za-z0-9]+", "-", row.label).strip("-")[:60] or "configuration"
    return Response(
        row.content,
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{name}.yaml"'},
    )


def _config_for_id(organisation: Organisation, public_id: str) -> tuple[ConfigurationVersion | None, Any]:
    if public_id == version_service.SHIPPED:
        return None, version_service.configuration(None)
    row = version_service.find_version(organisation, public_id)
    if row is None:
        abort(404)
    return row, version_service.configuration(row)


@bp.route("/configuration/compare")
@roles_required(Role.ADMIN)
def config_diff() -> str:
    """The differences between any two versions: every changed key, its old and new value."""
    organisation = own_organisation()
    in_force = version_service.in_force_row(organisation)
    default_from = in_force.public_id if in_force and in_force.organisation_id else version_service.SHIPPED
    from_id = request.args.get("from", default_from)[:40]
    rows = version_service.versions(organisation)
    to_id = request.args.get("to", rows[0].public_id if rows else version_service.SHIPPED)[:40]
    before_row, before = _config_for_id(organisation, from_id)
    after_row, after = _config_for_id(organisation, to_id)
    changes = version_service.diff(before.to_dict(), after.to_dict())
    # what the differences mean in pounds, before the list of keys: each example person's budget a week
    examples = calibration_service.changes_in_pounds(before, after, [])["examples"] if changes else []
    return render_template(
        "practitioner/config/diff.html",
        examples=[
            {
                "name": str(EXAMPLE_NAMES.get(key, key)),
                "before": format_money(old),
                "after": format_money(new),
                "change": signed_money(new - old),
            }
            for key, old, new in examples
        ],
        before=before,
        after=after,
        before_row=before_row,
        after_row=after_row,
        from_id=from_id,
        to_id=to_id,
        rows=change_rows(changes),
        choices=version_choices(organisation),
    )


class UpliftForm(Form):
    """An annual uplift of every rate by a percentage, from a version."""

    source = SelectField(lazy_gettext("Start from"), widget=SelectInput(), validate_choice=False)
    percent = StringField(
        lazy_gettext("Uplift"),
        widget=TextInput(),
        description=lazy_gettext("The percentage every rate goes up by, for example 3 or 2.5"),
        render_kw={"autocomplete": "off", "spellcheck": "false", "inputmode": "decimal"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.value: Decimal | None = None

    def validate_source(self, field: SelectField) -> None:
        if field.data not in dict(field.choices or []):
            raise StopValidation(gettext("Select the version to start from"))

    def validate_percent(self, field: StringField) -> None:
        raw = (field.data or "").strip().removesuffix("%").strip()
        if not raw:
            raise StopValidation(gettext("Enter the uplift as a percentage, like 3"))
        if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", raw) or len(raw) > 10:
            raise StopValidation(gettext("Enter the uplift as a percentage, like 3 or 2.5"))
        number = Decimal(raw)
        if number != number.quantize(Decimal("0.01")):
            raise StopValidation(gettext("Enter the uplift with at most 2 decimal places, like 2.75"))
        if not Decimal(0) < number <= Decimal(50):
            raise StopValidation(gettext("Enter an uplift above 0% and up to 50%"))
        self.value = number


@bp.route("/configuration/uplift", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def config_uplift() -> Any:
    """Raise every rate by a percentage as one action: see what changes, then confirm to make a new draft."""
    organisation = own_organisation()
    form = UpliftForm()
    in_force = version_service.in_force_row(organisation)
    form.source.choices = version_choices(organisation)
    if request.method == "GET":
        wanted = request.args.get("source", "")
        form.source.data = (
            wanted
            if wanted in dict(form.source.choices)
            else (in_force.public_id if in_force and in_force.organisation_id else version_service.SHIPPED)
        )
    preview = None
    if form.validate_on_submit() and form.value is not None:
        source, base = _config_for_id(organisation, form.source.data)
        document = version_service.uplift_document(base.to_dict(), form.value)
        document["label"] = version_service.unique_label(
            organisation, version_service.uplift_label(base.label, form.value)
        )
        document["effective_date"] = None
        try:
            config = load_configuration(document)
        except ConfigurationError as error:
            form.percent.errors = [
                gettext("Uplift: %(problem)s", problem=f"{error.path} {engine_problem(error)}")
            ]
        else:
            if request.form.get("action") == "confirm":
                row = version_service.create_uplift(organisation, current_user, source, config, form.value)
                db.session.commit()
                flash(
                    gettext(
                        "You have made a draft with every rate up by %(percent)s%%: %(label)s. Check it, then "
                        "publish it.",
                        percent=number_text(form.value),
                        label=row.label,
                    ),
                    "success",
                )
                return redirect(url_for(".config_version", version_id=row.public_id), code=303)
            changes = [
                c
                for c in version_service.diff(base.to_dict(), config.to_dict())
                if c.path.startswith("rates.")
            ]
            preview = {
                "rows": change_rows(changes),
                "label": config.label,
                "base": base,
                "percent": number_text(form.value),
            }
    return render_template(
        "practitioner/config/uplift.html",
        form=form,
        preview=preview,
        errors=error_summary(form) if form.errors else None,
    )
