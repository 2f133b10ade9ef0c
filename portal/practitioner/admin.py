"""What an organisation's admin pages share: the wording of roles and levels, typed text cleaned, the page frame.

The admin pages are in two rooms: :mod:`portal.practitioner.admin_staff` (accounts, roles, levels,
deactivation) over :mod:`portal.staff_service`, and :mod:`portal.practitioner.admin_settings` (contacts,
urgent-risk wording, proportionate validation, approval limits) over :mod:`portal.settings_service`. Every
view is for :attr:`Role.ADMIN` only and works inside the admin's own organisation; the services hold the
rules, lock what they change and audit it, and the views are form → service → redirect.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import abort, render_template
from flask_babel import lazy_gettext
from flask_login import current_user

from portal import settings_service
from portal.models import Organisation, Role

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


def own_organisation() -> Organisation:
    """The signed-in admin's own organisation (404 if it is gone)."""
    found = settings_service.organisation(current_user.organisation_id)
    if found is None:
        abort(404)
    return found


def render(template: str, **context: Any) -> str:
    """Render an admin page with the shared wording for roles and levels."""
    return render_template(
        f"practitioner/admin/{template}",
        role_names=ROLE_NAMES,
        role_hints=ROLE_HINTS,
        level_meanings=LEVEL_MEANINGS,
        **context,
    )
