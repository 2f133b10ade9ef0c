"""Example configurations for the demo organisations, so benchmarking has several areas to compare.

Each demo organisation (:attr:`Organisation.is_demo`) gets a published version, in force from today, derived from
the configuration shipped with the engine but with its own local rates and decisions, labelled like
"Northfield 2026/27". Rates are examples in the range seen in published configurations, not any real council's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from portal.audit import record
from portal.engine import demo_configuration, load_configuration
from portal.extensions import db
from portal.models import ConfigurationVersion, Organisation, utcnow


@dataclass(frozen=True)
class LocalDecisions:
    """One example area's local rates (pence) and decisions."""

    daily_living: int
    household: int
    social_activity: int
    mental_health: int
    sleep_in: int
    waking_night: int
    respite: int
    nutrition_minutes: int
    fluctuating_percent: float
    pooled_council: float | None  # None: no pooled budget


# By demo organisation slug; any other demo organisation takes the entries in turn.
DECISIONS: dict[str, LocalDecisions] = {
    "northfield": LocalDecisions(1690, 1560, 1690, 1900, 9500, 18800, 57000, 30, 3.0, None),
    "riverside": LocalDecisions(1790, 1620, 1790, 1980, 9800, 19500, 59500, 30, 3.36, 57.5),
    "westmoor": LocalDecisions(1810, 1650, 1810, 2000, 10000, 19900, 61000, 30, 3.5, None),
    "eastbrook": LocalDecisions(1940, 1750, 1940, 2150, 10800, 21000, 64000, 45, 4.0, 50.0),
}


def financial_year(day: date) -> str:
    """The financial year a day falls in, as councils write it: 2026/27 from 1 April 2026."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def demo_document(decisions: LocalDecisions, label: str, day: date) -> dict[str, Any]:
    """The shipped configuration with an area's local rates and decisions."""
    document = demo_configuration().to_dict()
    document["label"] = label
    document["effective_date"] = day.isoformat()
    rates = document["rates"]
    rates["daily_living"]["default"] = decisions.daily_living
    rates["household"]["default"] = decisions.household
    rates["social_activity"]["default"] = decisions.social_activity
    rates["work_support"]["default"] = decisions.social_activity
    rates["childcare"]["default"] = decisions.daily_living
    rates["medication"]["default"] = decisions.daily_living
    rates["mental_health"]["default"] = decisions.mental_health
    rates["night_sleep_in"]["default"] = decisions.sleep_in
    rates["waking_night"]["default"] = decisions.waking_night
    rates["respite"]["default"] = decisions.respite
    document["minimum_minutes"]["nutrition"] = decisions.nutrition_minutes
    document["contingency"]["fluctuating_percent"] = decisions.fluctuating_percent
    if decisions.pooled_council is None:
        document["pooled_split"] = None
        for line in document["lines"]:
            if line["funder"] == "pooled":
                line["funder"] = "council"
    else:
        document["pooled_split"] = {
            "council": decisions.pooled_council,
            "nhs": 100 - decisions.pooled_council,
        }
    return document


def seed_demo_configurations(day: date | None = None) -> int:
    """Publish a configuration for each demo organisation that has none of that label; return how many.

    Safe to run twice: an organisation that already has a version with the label is left alone.
    """
    day = day or date.today()
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.is_demo.is_(True)).order_by(Organisation.id)
    ).all()
    spare = list(DECISIONS.values())
    created = 0
    for index, organisation in enumerate(organisations):
        decisions = DECISIONS.get(organisation.slug) or spare[index % len(spare)]
        label = f"{organisation.name.split()[0]} {financial_year(day)}"
        exists = db.session.scalar(
            select(ConfigurationVersion.id).where(
                ConfigurationVersion.organisation_id == organisation.id, ConfigurationVersion.label == label
            )
        )
        if exists:
            continue
        config = load_configuration(demo_document(decisions, label, day))
        row = ConfigurationVersion(
            organisation_id=organisation.id,
            label=label,
            content_hash=config.content_hash,
            content=config.to_yaml(),
            status="published",
            effective_from=day,
            published_at=utcnow(),
        )
        db.session.add(row)
        db.session.flush()
        record(
            "configuration.published",
            organisation=organisation,
            detail={
                "version": row.public_id,
                "label": label,
                "content_hash": row.content_hash,
                "effective_from": day.isoformat(),
                "via": "demo",
            },
        )
        created += 1
    db.session.commit()
    return created
