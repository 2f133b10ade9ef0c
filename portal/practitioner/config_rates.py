"""Rates: the default rate of every kind of support, and one kind's rate for each client group and setting."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, url_for
from flask_babel import gettext

from portal import version_service
from portal.engine import CLIENT_GROUPS, SETTINGS
from portal.formatting import format_money
from portal.models import Role
from portal.practitioner import bp
from portal.practitioner.config_forms import Section, Spec, draft_or_redirect, edit_section
from portal.security import roles_required
from portal.vocabulary import CLIENT_GROUP_NAMES, SETTING_NAMES, rate_name, unit_name


def rates_section(document: dict[str, Any]) -> Section:
    """The default rate of every kind of support."""
    specs = []
    for kind, spec in document["rates"].items():
        specs.append(
            Spec(
                f"rate_{kind}",
                f"rates.{kind}.default",
                rate_name(kind),
                "pounds",
                spec["default"],
                unit=unit_name(spec["per"]),
            )
        )

    def apply(doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
        for kind in doc["rates"]:
            doc["rates"][kind]["default"] = values[f"rate_{kind}"]
        return []

    return Section(
        "rates",
        gettext("Rates"),
        gettext(
            "What your area pays for each kind of support. A rate can differ by client group and where the "
            "person lives: see each kind's own page."
        ),
        specs,
        apply,
    )


def effective_rate(spec: dict[str, Any], group: str, setting: str) -> int:
    """The rate in pence for a client group and setting, as the engine reads a rate's overrides."""
    by_group = spec.get(group)
    if isinstance(by_group, dict) and setting in by_group:
        return int(by_group[setting])
    if isinstance(by_group, int):
        return by_group
    return int(spec.get(setting, spec["default"]))


def rate_section(document: dict[str, Any], kind: str) -> Section:
    """One kind of support's rate for each client group and setting (blank: the default rate)."""
    spec = document["rates"][kind]
    unit = unit_name(spec["per"])
    specs = []
    for group in CLIENT_GROUPS:
        for setting in SETTINGS:
            value = effective_rate(spec, group, setting)
            specs.append(
                Spec(
                    f"{group}__{setting}",
                    f"rates.{kind}.{group}.{setting}",
                    f"{CLIENT_GROUP_NAMES[group]}, {SETTING_NAMES[setting]}",
                    "pounds_optional",
                    None if value == spec["default"] else value,
                    unit=unit,
                    group=str(CLIENT_GROUP_NAMES[group]),
                    empty=gettext("The default rate"),
                )
            )

    def apply(doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
        old = doc["rates"][kind]
        default = old["default"]
        wanted = {
            (g, s): values[f"{g}__{s}"] if values[f"{g}__{s}"] is not None else default
            for g in CLIENT_GROUPS
            for s in SETTINGS
        }
        if all(effective_rate(old, g, s) == v for (g, s), v in wanted.items()):
            return []  # nothing changed: keep the document as it was written
        new: dict[str, Any] = {"per": old["per"], "default": default}
        for g in CLIENT_GROUPS:
            cells = {s: wanted[(g, s)] for s in SETTINGS if wanted[(g, s)] != default}
            if len(cells) == len(SETTINGS) and len(set(cells.values())) == 1:
                new[g] = next(iter(cells.values()))
            elif cells:
                new[g] = cells
        doc["rates"][kind] = new
        return []

    return Section(
        f"rate:{kind}",
        gettext("%(kind)s rate by client group and setting", kind=rate_name(kind)),
        gettext(
            "Leave a box blank to use the default rate, %(amount)s %(unit)s.",
            amount=format_money(spec["default"]),
            unit=unit,
        ),
        specs,
        apply,
    )


@bp.route("/configuration/<version_id>/edit/rates/<kind>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def config_rate(version_id: str, kind: str) -> Any:
    """Edit one kind of support's rate for each client group and setting."""
    row = draft_or_redirect(version_id)
    if isinstance(row, Response):
        return row
    document = version_service.configuration(row).to_dict()
    if kind not in document["rates"]:
        abort(404)
    back = url_for(".config_version", version_id=row.public_id, _anchor="section-rates")
    return edit_section(row, rate_section(document, kind), back)
