"""An organisation's accountability record for the budget tool, laid out along the UK Algorithmic Transparency
Recording Standard (ATRS): tier 1, a short summary; tier 2, owner and responsibility, description and rationale,
decision-making and human oversight, the tool's specification, data, and risks and mitigations.

It is generated on each request from what is live: the configuration in force today (so publishing a version
updates it at once), the versions published, and the latest accuracy test with its date and sample. Only
aggregate figures are published, and a group's figures only when it has at least
:data:`portal.accuracy_report.MIN_GROUP` cases, so that no one can be recognised from them. No personal data is
read or shown. The public page and its PDF (portal.pages) render the same sections.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal, format_percent, gettext, lazy_gettext
from sqlalchemy import select

from portal import config_in_force, vocabulary
from portal.accuracy_report import MIN_GROUP
from portal.engine import AREAS, ENGINE_VERSION
from portal.extensions import db
from portal.formatting import format_money
from portal.models import AuditEvent, ConfigurationVersion, Job, JobStatus, Organisation

UNIT_WORDS = {
    "hour": lazy_gettext("an hour"),
    "night": lazy_gettext("a night"),
    "week": lazy_gettext("a week"),
}


def _pct(value: float) -> str:
    return str(format_percent(value, format="#,##0.0%"))


def latest_accuracy(organisation: Organisation) -> dict[str, Any] | None:
    """The organisation's latest finished accuracy test: when, on how many cases, which configuration, figures."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.organisation_id == organisation.id, AuditEvent.action == "accuracy.tested")
        .order_by(AuditEvent.id.desc())
        .limit(20)
    ).all()
    for event in events:
        job = db.session.get(Job, event.detail.get("job_id"))
        if job is not None and job.status == JobStatus.DONE and "figures" in (job.result or {}):
            return {"at": event.at, "label": event.detail.get("label", ""), "result": job.result}
    return None


def published_versions(organisation: Organisation) -> list[ConfigurationVersion]:
    """The organisation's published versions, the latest effective first."""
    return list(
        db.session.scalars(
            select(ConfigurationVersion)
            .where(
                ConfigurationVersion.organisation_id == organisation.id,
                ConfigurationVersion.status == "published",
            )
            .order_by(ConfigurationVersion.effective_from.desc(), ConfigurationVersion.id.desc())
        )
    )


DIMENSION_WORDS = {
    "client_group": lazy_gettext("Client group"),
    "setting": lazy_gettext("Where the person lives"),
    "age_band": lazy_gettext("Age band"),
    "sex": lazy_gettext("Sex"),
    "ethnicity": lazy_gettext("Ethnicity"),
}


def _group_words(dimension: str, value: str) -> str:
    """A group in words: "Client group: Older people", "Age band: 65-74" (uploaded values as they are)."""
    if dimension == "client_group":
        value = vocabulary.client_group_name(value)
    elif dimension == "setting":
        value = vocabulary.setting_name(value)
    return str(
        gettext("%(dimension)s: %(value)s", dimension=DIMENSION_WORDS.get(dimension, dimension), value=value)
    )


def _row(key: str, value: str) -> dict[str, str]:
    return {"key": key, "value": value}


def record(organisation: Organisation, day: date | None = None) -> dict[str, Any]:
    """The record as {name, updated, sections: [{id, tier, title, rows: [{key, value}]}]}."""
    day = day or date.today()
    row = config_in_force.version_in_force(organisation, day)
    config = config_in_force.in_force(organisation, day)
    own = row is not None and row.organisation_id == organisation.id
    contact = ", ".join(
        x for x in (organisation.contact_email, organisation.contact_phone, organisation.website) if x
    )
    name = gettext(
        "Personal budget estimate (Resource Allocation System) of %(organisation)s",
        organisation=organisation.name,
    )
    summary = [
        _row(gettext("Name"), name),
        _row(
            gettext("What it does"),
            gettext(
                "From a person's answers to a questionnaire about their needs, it works out an indicative weekly "
                "personal budget for their care and support, with the lines of support it is made of and the "
                "reasons behind it."
            ),
        ),
        _row(
            gettext("Why it is used"),
            gettext(
                "So that people see early, in plain words, roughly what their support could cost, and so that "
                "budgets for similar needs are worked out the same way. It gives an estimate, never a decision."
            ),
        ),
        _row(
            gettext("How to contact the owner"),
            contact or gettext("Through the contact page of this service"),
        ),
    ]
    owner = [
        _row(gettext("Organisation"), organisation.name),
        _row(
            gettext("Responsibility"),
            gettext(
                "%(organisation)s sets the rates and local decisions in the configuration and answers for every "
                "budget it decides.",
                organisation=organisation.name,
            ),
        ),
        _row(
            gettext("Who built the tool"),
            gettext("An open-source portal; its code and the engine's rules are published with it."),
        ),
    ]
    description = [
        _row(
            gettext("Description"),
            gettext(
                "A log-linear model turns the level of need in each of %(areas)s areas of need into hours of "
                "support a week, adjusted for things that change how much help is needed (memory, behaviour, "
                "mobility, needs that vary, needing two carers); help from family or friends reduces paid time. "
                "Local rates turn hours into money.",
                areas=len(AREAS),
            ),
        ),
        _row(
            gettext("Rationale"),
            gettext(
                "An assessment of eligible needs under the Care Act 2014 is followed by a personal budget. A "
                "transparent, explained estimate helps a person plan and helps staff check that budgets are "
                "consistent."
            ),
        ),
    ]
    oversight = [
        _row(
            gettext("Who decides"),
            gettext(
                "A person, always. The estimate is a starting point: a social care practitioner checks the "
                "answers with the person, and a budget is only decided by a member of staff with the authority "
                "to approve it. Nobody approves a budget they worked out themselves."
            ),
        ),
        _row(
            gettext("How to challenge a budget"),
            gettext(
                "Ask the organisation to look at it again, giving anything the answers missed. If you are still "
                "unhappy, complain to the organisation and then to the Local Government and Social Care "
                "Ombudsman (or, for NHS funding, the Parliamentary and Health Service Ombudsman)."
            ),
        ),
    ]
    kind_titles = {spec.kind: vocabulary.line_title(spec.key)[0] for spec in config.lines if spec.kind}
    rates = "; ".join(
        gettext(
            "%(kind)s: %(amount)s %(unit)s",
            kind=kind_titles.get(kind, kind.replace("_", " ")),
            amount=format_money(pence),
            unit=str(UNIT_WORDS.get(config.rate_units[kind], config.rate_units[kind])),
        )
        for kind, pence in config.rate_defaults.items()
    )
    specification = [
        _row(
            gettext("Configuration in force"),
            gettext(
                "%(label)s, in force from %(day)s",
                label=config.label,
                day=format_date(row.effective_from, "long"),
            )
            if own and row.effective_from
            else gettext("%(label)s (the configuration shipped with the portal)", label=config.label),
        ),
        _row(gettext("Engine version"), ENGINE_VERSION),
        _row(gettext("Content fingerprint (SHA-256)"), config.content_hash),
        _row(gettext("Rates"), rates),
        _row(
            gettext("Lines of the budget"),
            ", ".join(vocabulary.line_title(spec.key)[0] for spec in config.lines),
        ),
        _row(
            gettext("The model"),
            gettext(
                "Base hours for each area of need and level, and %(terms)s adjustments; fitted by robust "
                "regression on local cases with known weekly costs, each coefficient kept only as far as the "
                "local evidence supports it.",
                terms=len(config.terms),
            ),
        ),
    ]
    versions = published_versions(organisation)
    if versions:
        specification.append(
            _row(
                gettext("Versions published"),
                "; ".join(
                    gettext(
                        "%(label)s from %(day)s",
                        label=v.label,
                        day=format_date(v.effective_from, "medium") if v.effective_from else "",
                    )
                    for v in versions[:10]
                ),
            )
        )
    accuracy = latest_accuracy(organisation)
    if accuracy is None:
        specification.append(
            _row(gettext("Accuracy"), gettext("No accuracy test on local cases has been published yet."))
        )
    else:
        figures = accuracy["result"]["figures"]
        specification.append(
            _row(
                gettext("Accuracy"),
                gettext(
                    "Tested on %(day)s on %(count)s local cases with known weekly costs (configuration "
                    "%(label)s): median difference from the actual cost %(mdape)s; %(within)s of estimates "
                    "within 20%% of it; %(outliers)s cases stood out for investigation.",
                    day=format_date(accuracy["at"], "long"),
                    count=format_decimal(accuracy["result"]["count"]),
                    label=accuracy["label"],
                    mdape=_pct(figures["mdape"]),
                    within=_pct(figures["within_20"]),
                    outliers=format_decimal(figures["outliers"]),
                ),
            )
        )
        fairness = accuracy["result"].get("fairness") or {}
        groups = [g for g in fairness.get("groups", []) if g["count"] >= MIN_GROUP]
        if groups:
            specification.append(
                _row(
                    gettext("Accuracy for groups of people"),
                    "\n".join(
                        gettext(
                            "%(group)s (%(count)s cases): median error %(mdape)s, median difference %(bias)s%(flag)s",
                            group=_group_words(g["dimension"], g["value"]),
                            count=format_decimal(g["count"]),
                            mdape=_pct(g["mdape"]),
                            bias=str(format_percent(g["bias"], format="+#,##0.0%;−#,##0.0%")),
                            flag=gettext(" (differs from everyone by more than 5 points)")
                            if g["flags"]
                            else "",
                        )
                        for g in groups
                    ),
                )
            )
    data = [
        _row(
            gettext("Data used"),
            gettext(
                "The person's answers about their needs, where they live and the help family or friends give. "
                "No name, date of birth or contact detail enters the calculation."
            ),
        ),
        _row(
            gettext("Data it was fitted on"),
            gettext(
                "Cases of people with existing care and support and its actual weekly cost, with no names: first "
                "a synthetic set shipped with the portal, then, where the organisation calibrates, its own."
            ),
        ),
        _row(
            gettext("Sharing"),
            gettext(
                "Answers and budgets are shared only with the organisation responsible for the person's care. "
                "Where the organisation agrees, its rates (never its cases) are compared with other areas "
                "without its name."
            ),
        ),
    ]
    risks = [
        _row(
            gettext("Risks"),
            gettext(
                "An estimate can be too low for someone whose needs the questions do not capture well, or "
                "biased for a group of people if local costs differ for them."
            ),
        ),
        _row(
            gettext("Mitigations"),
            gettext(
                "Every budget is decided by a person; estimates show their reasons; accuracy is tested on local "
                "cases and reported for each group, and a group whose figures differ is flagged; outliers are "
                "listed for investigation; every change to the configuration is recorded and published here."
            ),
        ),
        _row(
            gettext("Impact assessments"),
            gettext(
                "Ask %(organisation)s for its data protection and equality impact assessments.",
                organisation=organisation.name,
            ),
        ),
    ]
    sections = [
        ("summary", 1, gettext("Summary"), summary),
        ("owner", 2, gettext("Owner and responsibility"), owner),
        ("description", 2, gettext("Description and rationale"), description),
        ("oversight", 2, gettext("Decision-making process and human oversight"), oversight),
        ("specification", 2, gettext("Tool specification"), specification),
        ("data", 2, gettext("Data"), data),
        ("risks", 2, gettext("Risks, mitigations and impact assessments"), risks),
    ]
    return {
        "name": name,
        "organisation": organisation,
        "updated": max(
            [
                d
                for d in (row.published_at if own and row else None, accuracy["at"] if accuracy else None)
                if d
            ],
            default=None,
        ),
        "sections": [
            {"id": i, "tier": tier, "title": title, "rows": rows} for i, tier, title, rows in sections
        ],
    }
