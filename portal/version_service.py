"""Configuration versions: drafts, sections saved, publishing, differences and the annual uplift.

No request or template code lives here: the views in :mod:`portal.practitioner.config_versions` parse and word
things and call these to read and change the database. Every change is added to the caller's transaction with
its audit event (what it was before and after), and the caller commits. A draft is a copy (of the version in
force, or of the configuration shipped with the engine) that is edited and then published with an effective
date; a published version is never changed again. Content is always what the engine's own loader accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select, update

from portal import config_in_force
from portal.audit import record
from portal.engine import Configuration
from portal.extensions import db
from portal.models import (
    Account,
    ConfigurationVersion,
    Organisation,
    utcnow,
)

LABEL_MAX = 100  # ConfigurationVersion.label and Estimate.config_label are 100 characters
SHIPPED = "shipped"  # stands for the configuration shipped with the engine where a version id is expected


# -- versions -------------------------------------------------------------------------------------------


#: The engine configuration of a version (the shipped one for None), parsed once per process.
configuration = config_in_force.configuration


def versions(organisation: Organisation) -> list[ConfigurationVersion]:
    """Every version of the organisation, newest first."""
    return list(
        db.session.scalars(
            select(ConfigurationVersion)
            .where(ConfigurationVersion.organisation_id == organisation.id)
            .order_by(ConfigurationVersion.created_at.desc(), ConfigurationVersion.id.desc())
        )
    )


def find_version(
    organisation: Organisation, public_id: str, *, lock: bool = False
) -> ConfigurationVersion | None:
    """One of the organisation's versions (None for another organisation's: the caller answers 404)."""
    query = select(ConfigurationVersion).where(
        ConfigurationVersion.public_id == public_id[:32],
        ConfigurationVersion.organisation_id == organisation.id,
    )
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def in_force_row(organisation: Organisation, day: date | None = None) -> ConfigurationVersion | None:
    """The version in force for the organisation (its own, or the deployment's default), or None (shipped)."""
    return config_in_force.version_in_force(organisation, day or date.today())


def label_taken(
    organisation: Organisation, label: str, *, exclude: ConfigurationVersion | None = None
) -> bool:
    """Whether another version of the organisation already has this label."""
    query = select(ConfigurationVersion.id).where(
        ConfigurationVersion.organisation_id == organisation.id, ConfigurationVersion.label == label
    )
    if exclude is not None:
        query = query.where(ConfigurationVersion.id != exclude.id)
    return db.session.scalar(query.limit(1)) is not None


def unique_label(organisation: Organisation, wanted: str, *, suffix: str = "") -> str:
    """``wanted`` + ``suffix``, cut to fit, with " (2)", " (3)"… added until no other version has it."""
    wanted = " ".join(wanted.split()) or "Configuration"
    for n in range(1, 1000):
        tail = suffix + (f" ({n})" if n > 1 else "")
        candidate = wanted[: LABEL_MAX - len(tail)].rstrip() + tail
        if not label_taken(organisation, candidate):
            return candidate
    raise RuntimeError("no free label")  # pragma: no cover - a thousand versions with one label


def add_version(
    organisation: Organisation,
    config: Configuration,
    actor: Account | None,
    *,
    via: str,
    source: ConfigurationVersion | None,
    source_config: Configuration,
) -> ConfigurationVersion:
    """Store a configuration as a new draft, audited as ``configuration.draft_created``."""
    row = ConfigurationVersion(
        organisation_id=organisation.id,
        label=config.label,
        content_hash=config.content_hash,
        content=config.to_yaml(),
        status="draft",
        created_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    db.session.flush()
    record(
        "configuration.draft_created",
        actor=actor,
        organisation=organisation,
        detail={
            "version": row.public_id,
            "label": row.label,
            "content_hash": row.content_hash,
            "via": via,
            "copied_from": source.public_id if source else SHIPPED,
            "copied_from_label": source_config.label,
            "copied_from_hash": source_config.content_hash,
        },
    )
    return row


def create_draft(
    organisation: Organisation,
    actor: Account,
    source: ConfigurationVersion | None = None,
    *,
    from_shipped: bool = False,
) -> ConfigurationVersion:
    """A new draft: a copy of ``source``, else of the version in force, else of the shipped configuration
    (``from_shipped`` copies the shipped configuration whatever is in force)."""
    if source is None and not from_shipped:
        source = in_force_row(organisation)
    base = configuration(source)
    label = unique_label(organisation, base.label, suffix=" (draft)")
    config = base.with_changes(label=label, effective_date=None)
    return add_version(organisation, config, actor, via="copy", source=source, source_config=base)


def save_draft(
    row: ConfigurationVersion, actor: Account, config: Configuration, *, section: str
) -> list[Change]:
    """Replace a draft's content (already checked by the engine's loader); audited with before and after."""
    if row.status != "draft":
        raise ValueError("only a draft can be changed")
    before = configuration(row)
    changes = diff(before.to_dict(), config.to_dict())
    if not changes:
        return []
    row.content = config.to_yaml()
    row.content_hash = config.content_hash
    row.label = config.label
    record(
        "configuration.changed",
        actor=actor,
        organisation=actor.organisation,
        detail={
            "version": row.public_id,
            "label": row.label,
            "section": section,
            "hash_before": before.content_hash,
            "hash_after": config.content_hash,
            "changes": [change.to_dict() for change in changes[:500]],
            "more_changes": max(0, len(changes) - 500),
        },
    )
    return changes


def publish(row: ConfigurationVersion, actor: Account, effective_from: date) -> bool:
    """Publish a draft from a date; False when it was no longer a draft (someone else got there first)."""
    config = configuration(row).with_changes(effective_date=effective_from.isoformat())
    organisation = actor.organisation
    replaces = in_force_row(organisation, effective_from) if organisation else None
    result = db.session.execute(
        update(ConfigurationVersion)
        .where(ConfigurationVersion.id == row.id, ConfigurationVersion.status == "draft")
        .values(
            status="published",
            effective_from=effective_from,
            published_at=utcnow(),
            content=config.to_yaml(),
            content_hash=config.content_hash,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    record(
        "configuration.published",
        actor=actor,
        organisation=organisation,
        detail={
            "version": row.public_id,
            "label": row.label,
            "content_hash": config.content_hash,
            "effective_from": effective_from.isoformat(),
            "replaces": replaces.public_id if replaces else SHIPPED,
            "replaces_label": configuration(replaces).label,
        },
    )
    db.session.flush()
    db.session.refresh(row)
    return True


def delete_draft(row: ConfigurationVersion, actor: Account) -> None:
    """Remove a draft nobody has published (published versions are kept for ever)."""
    if row.status != "draft":
        raise ValueError("only a draft can be deleted")
    record(
        "configuration.draft_deleted",
        actor=actor,
        organisation=actor.organisation,
        detail={"version": row.public_id, "label": row.label, "content_hash": row.content_hash},
    )
    db.session.delete(row)


# -- differences ----------------------------------------------------------------------------------------


class _Absent:
    """A key that one side of a difference does not have."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Change:
    """One key whose value differs: its dotted path and the two values (ABSENT where a side has none)."""

    path: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        """For the audit trail (an absent side is null, with a flag)."""
        out: dict[str, Any] = {"path": self.path}
        out["before"] = None if self.before is ABSENT else self.before
        out["after"] = None if self.after is ABSENT else self.after
        if self.before is ABSENT:
            out["added"] = True
        if self.after is ABSENT:
            out["removed"] = True
        return out


def _list_key(items: list[Any]) -> str | None:
    """The field that names the items of a list of mappings ("key" for lines and terms, "level" for nights)."""
    for name in ("key", "level"):
        if items and all(isinstance(item, dict) and name in item for item in items):
            return name
    return None


def diff(before: Any, after: Any, path: str = "") -> list[Change]:
    """Every changed leaf between two configuration documents (``Configuration.to_dict()``), in order.

    Mappings are compared key by key; lists of lines, terms or night levels are matched by their key or
    level (so moving one does not show as every item changing); other lists element by element when they
    are as long as each other, else whole.
    """
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[Change] = []
        keys = list(before) + [k for k in after if k not in before]
        for key in keys:
            sub = f"{path}.{key}" if path else str(key)
            if key not in before:
                out.append(Change(sub, ABSENT, after[key]))
            elif key not in after:
                out.append(Change(sub, before[key], ABSENT))
            else:
                out.extend(diff(before[key], after[key], sub))
        return out
    if isinstance(before, list) and isinstance(after, list):
        name = _list_key(before) if before else _list_key(after)
        if name and (not after or _list_key(after) == name) and (not before or _list_key(before) == name):
            old = {item[name]: item for item in before}
            new = {item[name]: item for item in after}
            out = []
            for key in list(old) + [k for k in new if k not in old]:
                sub = f"{path}[{key}]"
                if key not in old:
                    out.append(Change(sub, ABSENT, new[key]))
                elif key not in new:
                    out.append(Change(sub, old[key], ABSENT))
                else:
                    out.extend(diff(old[key], new[key], sub))
            return out
        if len(before) == len(after) and not any(isinstance(v, dict | list) for v in before + after):
            return [
                Change(f"{path}[{i}]", a, b)
                for i, (a, b) in enumerate(zip(before, after, strict=True))
                if a != b
            ]
    if before == after and type(before) is type(after):
        return []
    return [Change(path, before, after)]


def is_pence(path: str) -> bool:
    """Whether a configuration path holds an amount in pence (rates and the care cap's amounts)."""
    if path.startswith("rates."):
        return not path.endswith(".per")
    return path in ("care_cap.cap_pence", "care_cap.weekly_deduction_pence")


# -- annual uplift --------------------------------------------------------------------------------------


def _uplifted(pence: int, factor: Decimal) -> int:
    """An amount in pence times the factor, rounded to the penny (half up), never below a penny."""
    return max(1, int((Decimal(pence) * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def uplift_document(document: dict[str, Any], percent: Decimal) -> dict[str, Any]:
    """A copy of a configuration document with every rate (defaults and overrides) raised by ``percent``."""
    factor = 1 + Decimal(percent) / 100
    out = {**document, "rates": {}}
    for kind, spec in document["rates"].items():
        new: dict[str, Any] = {}
        for key, value in spec.items():
            if key == "per":
                new[key] = value
            elif isinstance(value, dict):
                new[key] = {k: _uplifted(v, factor) for k, v in value.items()}
            else:
                new[key] = _uplifted(value, factor)
        out["rates"][kind] = new
    return out


def uplift_label(base_label: str, percent: Decimal) -> str:
    """The label of an uplifted copy (made unique by :func:`unique_label`)."""
    return f"{base_label} (+{format(percent.normalize(), 'f')}%)"


def create_uplift(
    organisation: Organisation,
    actor: Account,
    source: ConfigurationVersion | None,
    config: Configuration,
    percent: Decimal,
) -> ConfigurationVersion:
    """Store an uplifted configuration (from :func:`uplift_document`) as a new draft, audited."""
    base = configuration(source)
    row = add_version(organisation, config, actor, via="uplift", source=source, source_config=base)
    changes = diff(base.to_dict(), config.to_dict())
    record(
        "configuration.uplifted",
        actor=actor,
        organisation=organisation,
        detail={
            "version": row.public_id,
            "label": row.label,
            "percent": format(percent.normalize(), "f"),
            "copied_from": source.public_id if source else SHIPPED,
            "changes": [c.to_dict() for c in changes if c.path.startswith("rates.")][:500],
        },
    )
    return row
