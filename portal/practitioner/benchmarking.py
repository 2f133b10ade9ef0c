"""Benchmarking pages: the organisation's values beside other areas'; sharing; marking similar areas.

The rules live in :mod:`portal.benchmark_service`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import RadioField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired

from portal import benchmark_service
from portal.extensions import db
from portal.formatting import format_money
from portal.forms import (
    CheckboxesInput,
    Form,
    RadioInput,
    SubmitInput,
    error_summary,
)
from portal.models import Organisation, Role
from portal.practitioner import bp
from portal.practitioner.config_forms import own_organisation
from portal.practitioner.config_words import show_number
from portal.security import roles_required
from portal.vocabulary import AREA_NAMES, NIGHT_LEVELS, UNIT_NAMES, line_title, rate_name

# -- benchmarking ---------------------------------------------------------------------------------------


def measure_name(measure: benchmark_service.Measure) -> str:
    """A rate or decision in words."""
    if measure.kind == "rate":
        return gettext(
            "%(kind)s, %(unit)s",
            kind=rate_name(measure.subject),
            unit=str(UNIT_NAMES.get(measure.unit.removeprefix("pence_"), "")),
        )
    if measure.kind == "minimum":
        return gettext("Minimum time in minutes: %(area)s", area=AREA_NAMES[measure.subject])
    if measure.kind == "night":
        return gettext("Nights a week: %(level)s", level=NIGHT_LEVELS[int(measure.subject)])
    if measure.kind == "ratio":
        return gettext("People per carer: %(line)s", line=line_title(measure.subject)[0])
    names = {
        "fluctuating_percent": lazy_gettext("Contingency where needs change over the year"),
        "percent": lazy_gettext("Contingency for everyone"),
        "hours_per_year": lazy_gettext("Contingency hours a year"),
        "council": lazy_gettext("Pooled split: the council's share"),
        "weeks_per_year": lazy_gettext("Weeks in a year"),
        "increment": lazy_gettext("Paid time rounded to the nearest, in minutes"),
        "care_cap": lazy_gettext("Care cap"),
    }
    return str(names.get(measure.subject, measure.subject))


MEASURE_GROUPS = {
    "rate": lazy_gettext("Rates"),
    "minimum": lazy_gettext("Minimum times"),
    "night": lazy_gettext("Night-time support"),
    "ratio": lazy_gettext("Staffing ratios"),
    "contingency": lazy_gettext("Contingency"),
    "split": lazy_gettext("Funding"),
    "general": lazy_gettext("Other decisions"),
}


def measure_value(measure: benchmark_service.Measure, value: float | int | None) -> str:
    """A benchmark value in words (an average of amounts is rounded to the penny)."""
    if value is None:
        return gettext("None")
    unit = measure.unit
    if unit.startswith("pence"):
        return format_money(int(round(value)))
    if unit == "minutes":
        return show_number(value, 1)
    if unit == "percent":
        return show_number(value, 2) + "%"
    if unit == "people":
        return show_number(value, 1)
    return show_number(value, 2)


@bp.route("/benchmarking")
@roles_required(Role.ADMIN)
def benchmarking() -> str:
    """Your rates and decisions beside the default and the figures across other areas that share."""
    organisation = own_organisation()
    data = benchmark_service.benchmark(organisation)
    groups: list[tuple[str, list[Any]]] = []
    for row in data.rows:
        title = str(MEASURE_GROUPS[row.measure.kind])
        if not groups or groups[-1][0] != title:
            groups.append((title, []))
        groups[-1][1].append(row)
    return render_template(
        "practitioner/config/benchmarking.html",
        data=data,
        groups=groups,
        organisation=organisation,
        name=measure_name,
        value=measure_value,
    )


class SharingForm(Form):
    """Whether the organisation shares its rates and decisions."""

    shares = RadioField(
        lazy_gettext("Share your rates and local decisions with other areas?"),
        widget=RadioInput(),
        choices=[
            ("yes", lazy_gettext("Yes, share them")),
            ("no", lazy_gettext("No, do not share them")),
        ],
        validators=[InputRequired(message=lazy_gettext("Select whether to share your rates and decisions"))],
    )
    submit = SubmitField(lazy_gettext("Save"), widget=SubmitInput())


@bp.route("/benchmarking/sharing", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def benchmarking_sharing() -> Any:
    """Switch the organisation's sharing on or off."""
    organisation = own_organisation()
    form = SharingForm(data={"shares": "yes" if organisation.shares_benchmarking else "no"})
    if form.validate_on_submit():
        changed = benchmark_service.set_sharing(organisation, current_user, form.shares.data == "yes")
        db.session.commit()
        if changed:
            flash(
                gettext("Your rates and decisions are now shared with other areas.")
                if form.shares.data == "yes"
                else gettext("Your rates and decisions are no longer shared with other areas."),
                "success",
            )
        return redirect(url_for(".benchmarking"), code=303)
    return render_template(
        "practitioner/config/sharing.html", form=form, errors=error_summary(form) if form.errors else None
    )


@bp.route("/benchmarking/similar")
@roles_required(Role.DEPLOYMENT_ADMIN)
def benchmarking_similar_list() -> str:
    """Every organisation, whether it shares, and how many are marked similar to it."""
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template(
        "practitioner/config/similar_list.html",
        organisations=organisations,
        similar_ids=benchmark_service.similar_ids,
    )


class SimilarForm(Form):
    """Which organisations are similar to one organisation."""

    similar = SelectMultipleField(
        lazy_gettext("Similar areas"),
        widget=CheckboxesInput(),
        validate_choice=False,
        description=lazy_gettext("Select all that apply"),
    )
    submit = SubmitField(lazy_gettext("Save"), widget=SubmitInput())


@bp.route("/benchmarking/similar/<organisation_id>", methods=["GET", "POST"])
@roles_required(Role.DEPLOYMENT_ADMIN)
def benchmarking_similar(organisation_id: str) -> Any:
    """Mark which organisations are similar to this one."""
    organisation = db.session.scalar(select(Organisation).filter_by(public_id=organisation_id[:32]))
    if organisation is None:
        abort(404)
    others = db.session.scalars(
        select(Organisation).where(Organisation.id != organisation.id).order_by(Organisation.name)
    ).all()
    form = SimilarForm(data={"similar": benchmark_service.similar_ids(organisation)})
    form.similar.choices = [(o.public_id, o.name) for o in others]
    if form.validate_on_submit():
        valid = {o.public_id for o in others}
        if benchmark_service.set_similar(
            organisation, current_user, [p for p in form.similar.data or [] if p in valid]
        ):
            flash(gettext("Saved the areas similar to %(name)s.", name=organisation.name), "success")
        db.session.commit()
        return redirect(url_for(".benchmarking_similar_list"), code=303)
    return render_template("practitioner/config/similar.html", organisation=organisation, form=form)
