"""Which engine configuration is in force for an organisation on a day.

Versions live in ``configuration_versions``; published ones carry an effective date. The one in force is the
organisation's latest published version effective on or before the day, else the deployment's default (a
version with no organisation), else the configuration shipped with the engine. Parsed configurations are cached
per process by content hash: a hash names immutable content, so no other worker can change what it refers to.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from sqlalchemy import Date, bindparam, or_, select

from portal.engine import Configuration, demo_configuration, loads_configuration
from portal.extensions import db
from portal.models import ConfigurationVersion, Organisation


@lru_cache(maxsize=64)
def _parse(content_hash: str, content: str) -> Configuration:
    """Parse a stored configuration once per process. Keyed by the text too: the content hash leaves out the
    label and the effective date, so two versions with the same rules under other labels share a hash."""
    return loads_configuration(content)


@lru_cache(maxsize=1)
def _shipped() -> Configuration:
    """The configuration shipped with the engine, parsed once per process (its file is part of the package)."""
    return demo_configuration()


def configuration(row: ConfigurationVersion | None) -> Configuration:
    """The engine configuration of a stored version, parsed once per process (the shipped one for None)."""
    if row is None:
        return _shipped()
    return _parse(row.content_hash, row.content)


# Built once: the organisation's latest published version effective by the day, else the deployment default's
# (rows of no organisation sort last), in one query. With no organisation, ``= NULL`` matches nothing.
_IN_FORCE = (
    select(ConfigurationVersion)
    .where(
        or_(
            ConfigurationVersion.organisation_id == bindparam("organisation_id"),
            ConfigurationVersion.organisation_id.is_(None),
        ),
        ConfigurationVersion.status == "published",
        ConfigurationVersion.effective_from <= bindparam("day", type_=Date),
    )
    .order_by(
        ConfigurationVersion.organisation_id.is_(None),
        ConfigurationVersion.effective_from.desc(),
        ConfigurationVersion.id.desc(),
    )
    .limit(1)
)


def version_in_force(organisation: Organisation | None, day: date) -> ConfigurationVersion | None:
    """The published version in force on ``day`` for the organisation, or the deployment default."""
    found: ConfigurationVersion | None = db.session.scalar(
        _IN_FORCE, {"organisation_id": organisation.id if organisation else None, "day": day}
    )
    return found


def in_force(organisation: Organisation | None, day: date) -> Configuration:
    """The configuration the engine uses for this organisation on this day."""
    return configuration(version_in_force(organisation, day))
