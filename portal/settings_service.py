"""An organisation's settings: its contacts, urgent-risk wording, proportionate validation and approval limits.

No request or template code lives here: the views in :mod:`portal.practitioner.admin_settings` parse what was
typed and call these. The rules part of the settings is read and written only through
:class:`portal.organisation_rules.OrganisationRules`; other keys of ``Organisation.settings`` are kept as they
are. Every change is added to the caller's transaction with its audit event (what it was before and after) and
the caller commits; nothing is written or audited when nothing changed.

Each save first locks the organisation's row (PostgreSQL) and reads it afresh, so two admins saving at once
are serialised rather than one silently undoing the other's change (the settings JSON is written whole).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from portal.audit import record
from portal.extensions import db
from portal.models import Account, Organisation
from portal.organisation_rules import LEVELS, Limit, OrganisationRules, ValidationRule

WORDING_MAX = 1000  # characters of urgent-risk wording in one language
MAX_PERCENT_OVER = Decimal(1000)  # an approval limit's percentage above the calculated budget


def organisation(organisation_id: int | None, *, lock: bool = False) -> Organisation | None:
    """An organisation; with ``lock``, its row locked (PostgreSQL) and read afresh, for a change."""
    stmt = select(Organisation).where(Organisation.id == organisation_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def rules_of(found: Organisation) -> OrganisationRules:
    """The organisation's rules, with defaults for anything not set."""
    return OrganisationRules.from_settings(found.settings)


# -- contacts -------------------------------------------------------------------------------------------


def normalise_website(text: str | None) -> str:
    """A website address with its scheme ("www.example.org" becomes "https://www.example.org").

    Raises ValueError unless it is an http or https address with a plausible host name.
    """
    raw = (text or "").strip()
    if not raw:
        return ""
    if "://" not in raw:
        raw = f"https://{raw}"
    if any(ch.isspace() for ch in raw) or len(raw) > 300:
        raise ValueError("website")
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise ValueError("website") from None
    host = parts.hostname or ""
    if (
        parts.scheme.lower() not in ("http", "https")
        or parts.username
        or parts.password
        or not re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", host)
    ):
        raise ValueError("website")
    return raw


def contacts(found: Organisation) -> dict[str, str]:
    """The organisation's contact details, blank where not set."""
    return {
        "contact_email": found.contact_email or "",
        "contact_phone": found.contact_phone or "",
        "duty_phone": found.duty_phone or "",
        "website": found.website or "",
    }


def save_contacts(
    actor: Account,
    organisation_id: int,
    *,
    contact_email: str,
    contact_phone: str = "",
    duty_phone: str = "",
    website: str = "",
) -> bool:
    """Set the contacts (the email lower-cased, the website with its scheme); False if nothing changed."""
    found = _locked(organisation_id)
    before = contacts(found)
    after = {
        "contact_email": contact_email.strip().lower(),
        "contact_phone": contact_phone or "",
        "duty_phone": duty_phone or "",
        "website": normalise_website(website),
    }
    if before == after:
        return False
    for key, value in after.items():
        setattr(found, key, value)
    _audit(actor, found, "contacts", before, after)
    return True


# -- rules ----------------------------------------------------------------------------------------------


def save_urgent_wording(
    actor: Account, organisation_id: int, wording: Mapping[str, str], *, offered: Iterable[str]
) -> bool:
    """Set the wording in each ``offered`` language (blank removes it); False if nothing changed.

    Wording in a language the portal no longer offers is kept, not silently dropped.
    """
    found = _locked(organisation_id)
    rules = rules_of(found)
    offered = set(offered)
    if any(len(text) > WORDING_MAX for text in wording.values()):
        raise ValueError("wording too long")
    new = {code: text for code, text in wording.items() if code in offered and text}
    new.update({code: text for code, text in rules.urgent_wording.items() if code not in offered})
    new_rules = replace(rules, urgent_wording=new)
    return _save_rules(actor, found, "urgent_wording", dict(rules.urgent_wording), new, new_rules)


def save_validation_rule(actor: Account, organisation_id: int, rule: ValidationRule) -> bool:
    """Set proportionate validation; False if nothing changed."""
    if not 0 <= rule.full_check_percent <= 100 or (rule.light_max_weekly_pence or 0) < 0:
        raise ValueError("validation rule out of range")
    found = _locked(organisation_id)
    rules = rules_of(found)
    new_rules = replace(rules, validation=rule)
    return _save_rules(actor, found, "validation", rules.validation.to_json(), rule.to_json(), new_rules)


@dataclass(frozen=True)
class LimitOutOfOrder:
    """A higher level's limit below a lower level's: ``kind`` is "weekly" or "percent"."""

    kind: str
    level: int
    lower_level: int
    lower_value: Any


def limits_out_of_order(limits: Mapping[int, Limit]) -> list[LimitOutOfOrder]:
    """Where a higher level may sign off less than a lower one (of the same kind); empty when in order.

    A level with no limit of a kind is skipped: the comparison is with the nearest lower level that has one.
    """
    found: list[LimitOutOfOrder] = []
    for kind in ("weekly", "percent"):
        below: tuple[int, Any] | None = None
        for level in LEVELS:
            limit = limits.get(level, Limit())
            value = limit.weekly_pence if kind == "weekly" else limit.percent_over
            if value is None:
                continue
            if below is not None and value < below[1]:
                found.append(LimitOutOfOrder(kind, level, below[0], below[1]))
            below = (level, value)
    return found


def save_limits(actor: Account, organisation_id: int, limits: Mapping[int, Limit]) -> bool:
    """Set each level's approval limit; False if nothing changed. Refuses limits out of order."""
    if limits_out_of_order(limits):
        raise ValueError("approval limits out of order")
    for limit in limits.values():
        if (limit.weekly_pence or 0) < 0 or not 0 <= (limit.percent_over or 0) <= MAX_PERCENT_OVER:
            raise ValueError("approval limit out of range")
    found = _locked(organisation_id)
    rules = rules_of(found)
    new_rules = replace(rules, limits={**rules.limits, **{level: limits[level] for level in LEVELS}})
    return _save_rules(
        actor, found, "approval_limits", _limits_json(rules), _limits_json(new_rules), new_rules
    )


# -- helpers --------------------------------------------------------------------------------------------


def _locked(organisation_id: int) -> Organisation:
    found = organisation(organisation_id, lock=True)
    if found is None:
        raise LookupError(organisation_id)
    return found


def _limits_json(rules: OrganisationRules) -> dict[str, Any]:
    return {str(level): rules.limits.get(level, Limit()).to_json() for level in LEVELS}


def _save_rules(
    actor: Account, found: Organisation, section: str, before: Any, after: Any, rules: OrganisationRules
) -> bool:
    """Store the rules (keeping any other settings) and audit the change; False if nothing changed."""
    if before == after:
        return False
    found.settings = {**(found.settings or {}), **rules.to_settings()}
    _audit(actor, found, section, before, after)
    return True


def _audit(actor: Account, found: Organisation, section: str, before: Any, after: Any) -> None:
    record(
        "organisation.settings_changed",
        actor=actor,
        organisation=found,
        detail={"section": section, "before": before, "after": after},
    )
