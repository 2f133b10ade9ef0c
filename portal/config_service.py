"""Local configuration, benchmarking and accuracy testing: the functions the configuration pages call.

No request or template code lives here: the views in :mod:`portal.practitioner.configuration` parse and word
things, and call these to read and change the database. Every change is added to the caller's transaction with
its audit event (what it was before and after), and the caller commits.

* Versions: an organisation's :class:`ConfigurationVersion` rows. A draft is a copy (of the version in force, or
  of the configuration shipped with the engine) that is edited and then published with an effective date; a
  published version is never changed again. Content is always what the engine's own loader accepted.
* Benchmarking: each rate and local decision of the organisation beside the shipped default and the minimum,
  average, maximum and most common value across the *other* organisations that share, and across those the
  deployment administrator marked as similar; only where at least :data:`MIN_AREAS` of them share. Only values
  leave an organisation, never its cases, and never with its name.
* Accuracy testing and calibration: an uploaded CSV of local cases is parsed (every bad row and column reported
  at once, nothing stored), then kept only in the payload of the job that tests it (small files are tested at
  once, inside the request). Calibration is always a job (:func:`calibration_job`), which fits the coefficients
  with :func:`portal.engine.calibrate.fit`, reports cross-validated figures and saves a new draft.
"""

from __future__ import annotations

import re
import statistics
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from portal import configurations
from portal.audit import record
from portal.engine import AREAS, Configuration, NeedsProfile, demo_configuration, loads_configuration
from portal.engine.profile import FIELD_NAMES
from portal.extensions import db
from portal.jobs import enqueue, handler, heartbeat
from portal.models import (
    Account,
    AuditEvent,
    ConfigurationVersion,
    Job,
    JobStatus,
    Organisation,
    utcnow,
)

LABEL_MAX = 100  # ConfigurationVersion.label and Estimate.config_label are 100 characters
SHIPPED = "shipped"  # stands for the configuration shipped with the engine where a version id is expected
MIN_AREAS = 3  # figures across other organisations need at least this many of them
SIMILAR_KEY = "benchmark_similar"  # Organisation.settings key: public ids of organisations marked similar
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_CASES = 20_000
SYNC_CASES = 2_000  # up to this many cases are tested inside the request; more go to a job
MIN_CALIBRATION_CASES = 60
ACCURACY_JOB = "accuracy"
CALIBRATION_JOB = "calibration"


# -- versions -------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _parse(content_hash: str, content: str) -> Configuration:
    """A stored configuration, parsed once per process (the content is part of the key)."""
    return loads_configuration(content)


def configuration(row: ConfigurationVersion | None) -> Configuration:
    """The engine configuration of a version (the shipped one for None)."""
    if row is None:
        return demo_configuration()
    return _parse(row.content_hash, row.content)


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
    return configurations.version_in_force(organisation, day or date.today())


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


def _add_version(
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
    return _add_version(organisation, config, actor, via="copy", source=source, source_config=base)


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
    row = _add_version(organisation, config, actor, via="uplift", source=source, source_config=base)
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


# -- benchmarking ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A rate or local decision that can be compared across organisations."""

    key: str
    kind: str  # "rate", "minimum", "night", "contingency", "ratio", "split", "general"
    subject: str  # a rate kind, area of need, line key or level; worded by the page
    unit: str  # "pence_hour", "pence_night", "pence_week", "pence", "minutes", "nights", "percent", "hours",
    #            "people", "weeks"
    get: Callable[[Configuration], float | int | None]


def _rate(kind: str) -> Callable[[Configuration], int | None]:
    return lambda c: c.rate_defaults.get(kind)


def _minimum(index: int) -> Callable[[Configuration], int]:
    return lambda c: c.minimum_minutes[index]


def _nights(level: int) -> Callable[[Configuration], float | None]:
    def get(c: Configuration) -> float | None:
        spec = c.night_levels[level]
        return float(spec[1]) if spec else None

    return get


def _ratio(key: str) -> Callable[[Configuration], int | None]:
    def get(c: Configuration) -> int | None:
        for spec in c.lines:
            if spec.key == key and spec.ratios:
                return spec.ratios[0]
        return None

    return get


def _pooled(c: Configuration) -> float | None:
    return None if c.pool_council is None else float(c.pool_council * 100)


def measures(default: Configuration | None = None) -> list[Measure]:
    """What benchmarking compares: every rate of the shipped configuration, minimum times, nights, and more."""
    default = default or demo_configuration()
    out = []
    for kind, unit in default.rate_units.items():
        out.append(Measure(f"rate.{kind}", "rate", kind, f"pence_{unit}", _rate(kind)))
    for index, area in enumerate(AREAS):
        out.append(Measure(f"minimum.{area}", "minimum", area, "minutes", _minimum(index)))
    for level in (1, 2, 3):
        out.append(Measure(f"night.{level}", "night", str(level), "nights", _nights(level)))
    for spec in default.lines:
        if spec.ratios:
            out.append(Measure(f"ratio.{spec.key}", "ratio", spec.key, "people", _ratio(spec.key)))
    out += [
        Measure(
            "contingency.fluctuating_percent",
            "contingency",
            "fluctuating_percent",
            "percent",
            lambda c: float(c.contingency_fluctuating_percent),
        ),
        Measure(
            "contingency.percent", "contingency", "percent", "percent", lambda c: float(c.contingency_percent)
        ),
        Measure(
            "contingency.hours_per_year",
            "contingency",
            "hours_per_year",
            "hours",
            lambda c: c.contingency_minutes / 60,
        ),
        Measure("split.council", "split", "council", "percent", _pooled),
        Measure(
            "general.weeks_per_year", "general", "weeks_per_year", "weeks", lambda c: float(c.weeks_per_year)
        ),
        Measure("general.increment", "general", "increment", "minutes", lambda c: c.increment),
        Measure(
            "general.care_cap",
            "general",
            "care_cap",
            "pence",
            lambda c: c.care_cap["cap_pence"] if c.care_cap else None,
        ),
    ]
    return out


@dataclass(frozen=True)
class Stats:
    """Figures across a group of other organisations (never which one had which value)."""

    count: int
    minimum: float
    average: float
    maximum: float
    most_common: float | None  # None when no single value is held by more than one of them


def stats(values: Sequence[float]) -> Stats | None:
    """Min, average, max and most common value, or None when fewer than :data:`MIN_AREAS` values."""
    if len(values) < MIN_AREAS:
        return None
    counts = Counter(values).most_common()
    top = counts[0]
    common = top[0] if top[1] > 1 and (len(counts) == 1 or counts[1][1] < top[1]) else None
    return Stats(len(values), min(values), statistics.fmean(values), max(values), common)


@dataclass(frozen=True)
class BenchmarkRow:
    """One rate or decision: this organisation's value, the default, and the figures across others."""

    measure: Measure
    own: float | int | None
    default: float | int | None
    others: Stats | None
    others_count: int
    similar: Stats | None
    similar_count: int


@dataclass(frozen=True)
class Benchmark:
    """The benchmarking page's data."""

    rows: list[BenchmarkRow]
    own_label: str
    sharing: int  # other organisations that share and have a configuration of their own
    similar: int  # of those, how many are marked similar to this organisation
    min_areas: int = MIN_AREAS


def sharing_configurations(organisation: Organisation, day: date) -> list[tuple[Organisation, Configuration]]:
    """The other organisations that share, each with its own published configuration in force."""
    others = db.session.scalars(
        select(Organisation)
        .where(Organisation.id != organisation.id, Organisation.shares_benchmarking.is_(True))
        .order_by(Organisation.id)
    ).all()
    out = []
    for other in others:
        row = configurations.version_in_force(other, day)
        if row is not None and row.organisation_id == other.id:  # its own decisions, not a default
            out.append((other, configuration(row)))
    return out


def similar_ids(organisation: Organisation) -> list[str]:
    """Public ids of the organisations the deployment administrator marked as similar to this one."""
    value = (organisation.settings or {}).get(SIMILAR_KEY, [])
    return [str(v) for v in value] if isinstance(value, list) else []


def benchmark(organisation: Organisation, day: date | None = None) -> Benchmark:
    """This organisation's rates and decisions beside the default and the figures across other areas."""
    day = day or date.today()
    own = configurations.in_force(organisation, day)
    default = demo_configuration()
    others = sharing_configurations(organisation, day)
    similar = set(similar_ids(organisation))
    similar_configs = [config for other, config in others if other.public_id in similar]
    rows = []
    for measure in measures(default):
        values = [v for v in (measure.get(c) for _, c in others) if v is not None]
        similar_values = [v for v in (measure.get(c) for c in similar_configs) if v is not None]
        rows.append(
            BenchmarkRow(
                measure,
                measure.get(own),
                measure.get(default),
                stats(values),
                len(values),
                stats(similar_values),
                len(similar_values),
            )
        )
    return Benchmark(rows, own.label, len(others), len(similar_configs))


def _locked(organisation: Organisation) -> Organisation:
    """The organisation's row, locked until the transaction ends (PostgreSQL; SQLite locks the database)."""
    return (
        db.session.scalar(select(Organisation).where(Organisation.id == organisation.id).with_for_update())
        or organisation
    )


def set_sharing(organisation: Organisation, actor: Account, shares: bool) -> bool:
    """Switch an organisation's sharing of its rates and decisions; audited. False when nothing changed."""
    organisation = _locked(organisation)
    before = bool(organisation.shares_benchmarking)
    if before == shares:
        return False
    organisation.shares_benchmarking = shares
    record(
        "benchmarking.sharing_changed",
        actor=actor,
        organisation=organisation,
        detail={"before": before, "after": shares},
    )
    return True


def set_similar(organisation: Organisation, actor: Account, public_ids: Sequence[str]) -> bool:
    """Mark which organisations are similar to this one (deployment administrator); audited."""
    organisation = _locked(organisation)
    before = similar_ids(organisation)
    after = sorted(set(public_ids) - {organisation.public_id})
    if sorted(before) == after:
        return False
    organisation.settings = {**(organisation.settings or {}), SIMILAR_KEY: after}
    record(
        "benchmarking.similar_changed",
        actor=actor,
        organisation=organisation,
        detail={"before": sorted(before), "after": after},
    )
    return True


# -- accuracy testing -----------------------------------------------------------------------------------


def parse_upload(data: bytes) -> list[Any]:
    """The cases of an uploaded CSV; raises ``CaseFileError`` listing every bad row and column."""
    import io

    from portal.engine.calibrate import CaseFileError, read_cases

    if len(data) > MAX_UPLOAD_BYTES:
        raise CaseFileError([(None, None, "the file is larger than 5 MB")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseFileError([(None, None, "the file is not UTF-8 text (save it as CSV UTF-8)")]) from None
    return read_cases(io.StringIO(text, newline=""), max_rows=MAX_CASES)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def encode_cases(cases: Sequence[Any]) -> list[list[Any]]:
    """Parsed cases as compact JSON rows: case id, actual pence, then the profile fields in order."""
    return [
        [case.case_id, case.actual_pence, *(_plain(getattr(case.profile, name)) for name in FIELD_NAMES)]
        for case in cases
    ]


def decode_cases(rows: Sequence[Sequence[Any]]) -> list[Any]:
    """Cases back from :func:`encode_cases`."""
    from portal.engine.calibrate import Case

    return [
        Case(
            str(row[0]), NeedsProfile.from_mapping(dict(zip(FIELD_NAMES, row[2:], strict=True))), int(row[1])
        )
        for row in rows
    ]


def _version_ref(row: ConfigurationVersion | None, config: Configuration) -> dict[str, Any]:
    return {
        "public_id": row.public_id if row else SHIPPED,
        "label": config.label,
        "hash": config.content_hash,
    }


def _version_config(
    ref: dict[str, Any], organisation: Organisation
) -> tuple[ConfigurationVersion | None, Configuration]:
    """The version a job refers to (one of the organisation's, or the deployment's default), or shipped."""
    if ref.get("public_id", SHIPPED) == SHIPPED:
        return None, demo_configuration()
    row = db.session.scalar(
        select(ConfigurationVersion).where(ConfigurationVersion.public_id == ref["public_id"])
    )
    if row is None or row.organisation_id not in (organisation.id, None):
        raise LookupError("the configuration version has gone")
    return row, configuration(row)


def _figures(figures: Any) -> dict[str, Any]:
    data = figures.to_dict()
    data["outliers"] = len(figures.outliers)
    return data


def run_accuracy(cases: Sequence[Any], config: Configuration) -> dict[str, Any]:
    """The accuracy report as stored in the job result: figures, per-case results and the outliers."""
    from portal.engine.calibrate import accuracy

    report = accuracy(cases, config)
    rows = [
        [c.case_id, c.estimate_pence, c.actual_pence, a.estimate_pence]
        for c, a in zip(report.cases, report.additive_cases, strict=True)
    ]
    flagged = set(report.outliers)
    outliers = sorted((r for r in rows if r[0] in flagged), key=lambda r: -abs(_log_ratio(r[2], r[1])))
    return {
        "config": {"label": config.label, "hash": config.content_hash},
        "count": len(rows),
        "figures": _figures(report.figures),
        "additive": _figures(report.additive),
        "cases": rows,
        "outliers": [r[0] for r in outliers],
    }


def _log_ratio(actual: int, estimate: int) -> float:
    import math

    return math.log(max(actual, 1) / max(estimate, 1))


def _tested_jobs(organisation: Organisation, limit: int = 50) -> list[int]:
    """Ids of the organisation's accuracy-test jobs, newest first (from the audit trail, which has the org)."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.organisation_id == organisation.id, AuditEvent.action == "accuracy.tested")
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [int(e.detail["job_id"]) for e in events if isinstance(e.detail.get("job_id"), int)]


def recent_reports(organisation: Organisation, limit: int = 10) -> list[dict[str, Any]]:
    """The organisation's latest accuracy tests, for the upload page (from the audit trail)."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.organisation_id == organisation.id, AuditEvent.action == "accuracy.tested")
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [{"at": e.at, **e.detail} for e in events]


def forget_cases(organisation: Organisation, *, keep: int | None = None) -> int:
    """Remove the uploaded cases from the organisation's finished accuracy tests (their reports stay)."""
    removed = 0
    for job_id in _tested_jobs(organisation):
        if job_id == keep:
            continue
        job = db.session.get(Job, job_id)
        if job is None or job.status not in (JobStatus.DONE, JobStatus.FAILED):
            continue
        if job.payload.get("cases"):
            job.payload = {**job.payload, "cases": [], "cases_removed": True}
            removed += 1
    return removed


def start_accuracy(
    organisation: Organisation,
    actor: Account,
    cases: Sequence[Any],
    source: ConfigurationVersion | None,
    *,
    filename: str = "",
) -> Job:
    """Test a configuration on parsed cases: at once for a small file, else as a job; audited.

    The cases are kept in the job's payload so that the admin can calibrate on them; the cases of the
    organisation's earlier tests are removed (their reports stay).
    """
    config = configuration(source)
    forget_cases(organisation)
    payload = {
        "organisation_id": organisation.id,
        "account_id": actor.id,
        "version": _version_ref(source, config),
        "filename": filename[:200],
        "count": len(cases),
        "cases": encode_cases(cases),
    }
    job = enqueue(ACCURACY_JOB, payload)
    now = len(cases) <= SYNC_CASES
    if now:
        job.result = run_accuracy(cases, config)
        job.status = JobStatus.DONE
        job.progress = "done"
        job.finished_at = utcnow()
    db.session.flush()
    record(
        "accuracy.tested",
        actor=actor,
        organisation=organisation,
        detail={
            "job_id": job.id,
            "cases": len(cases),
            "filename": filename[:200],
            "version": payload["version"]["public_id"],
            "label": config.label,
            "content_hash": config.content_hash,
            "run": "now" if now else "queued",
        },
    )
    return job


def find_job(organisation: Organisation, job_id: int, kind: str) -> Job | None:
    """A job of this kind started by the organisation (None for another organisation's: a 404)."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != kind or job.payload.get("organisation_id") != organisation.id:
        return None
    return job


def start_calibration(organisation: Organisation, actor: Account, tested: Job) -> Job | None:
    """Queue a calibration on an accuracy test's cases (None when the cases have been removed); audited."""
    rows = tested.payload.get("cases") or []
    if len(rows) < MIN_CALIBRATION_CASES:
        return None
    folds = 5 if len(rows) >= 100 else 3
    payload = {
        "organisation_id": organisation.id,
        "account_id": actor.id,
        "accuracy_job_id": tested.id,
        "version": tested.payload["version"],
        "folds": folds,
        "count": len(rows),
        "cases": rows,
    }
    job = enqueue(CALIBRATION_JOB, payload)
    db.session.flush()
    record(
        "calibration.started",
        actor=actor,
        organisation=organisation,
        detail={
            "job_id": job.id,
            "accuracy_job_id": tested.id,
            "cases": len(rows),
            "folds": folds,
            "version": payload["version"]["public_id"],
        },
    )
    return job


# -- the jobs -------------------------------------------------------------------------------------------


class _KeepAlive:
    """Heartbeats a job from a thread while a long computation runs, so its lease never runs out mid-fit.

    ``set`` records how far the job has got (and heartbeats at once); the thread repeats the latest progress
    every third of the lease. It uses its own database session (its own app context).
    """

    def __init__(self, job: Job) -> None:
        self.app = current_app._get_current_object()  # type: ignore[attr-defined]
        self.ref = SimpleNamespace(id=job.id, locked_by=job.locked_by)
        self.progress = ""
        self.stop = threading.Event()
        self.interval = max(1.0, current_app.config["JOB_LEASE_SECONDS"] / 3)
        self.thread = threading.Thread(target=self._run, name=f"job-{job.id}-heartbeat", daemon=True)

    def set(self, progress: str) -> None:
        self.progress = progress
        heartbeat(self.ref, progress)  # type: ignore[arg-type]

    def _run(self) -> None:
        with self.app.app_context():
            while not self.stop.wait(self.interval):
                try:
                    heartbeat(self.ref, self.progress)  # type: ignore[arg-type]
                except Exception:  # noqa: BLE001 - a missed heartbeat is retried at the next tick
                    db.session.rollback()
                    current_app.logger.warning("heartbeat for job %s failed", self.ref.id, exc_info=True)
            db.session.remove()


@contextmanager
def _kept_alive(job: Job) -> Iterator[_KeepAlive]:
    keeper = _KeepAlive(job)
    keeper.thread.start()
    try:
        yield keeper
    finally:
        keeper.stop.set()
        keeper.thread.join()


@handler(ACCURACY_JOB)
def accuracy_job(job: Job) -> dict[str, Any]:
    """Test a configuration on a large upload's cases (small ones are tested inside the request)."""
    payload = dict(job.payload)
    organisation = db.session.get(Organisation, payload["organisation_id"])
    if organisation is None:
        return {"error": "organisation_gone"}
    with _kept_alive(job) as keeper:
        keeper.set("accuracy|0|1")
        try:
            _, config = _version_config(payload["version"], organisation)
        except LookupError:
            return {"error": "version_gone"}
        cases = decode_cases(payload["cases"])
        result = run_accuracy(cases, config)
        keeper.set("accuracy|1|1")
    return result


@handler(CALIBRATION_JOB)
def calibration_job(job: Job) -> dict[str, Any]:
    """Fit the coefficients to the cases, with cross-validated figures, and save the result as a draft.

    Safe to run twice: the draft, the outcome and the removal of the cases are saved in one transaction, and
    only while this worker still holds the job; a second run finds the outcome and returns it.
    """
    from portal.engine.calibrate import accuracy, cross_validate, fit

    payload = dict(job.payload)
    if payload.get("outcome"):
        return dict(payload["outcome"])
    organisation = db.session.get(Organisation, payload["organisation_id"])
    actor = db.session.get(Account, payload["account_id"])
    if organisation is None:
        return {"error": "organisation_gone"}
    try:
        source, base = _version_config(payload["version"], organisation)
    except LookupError:
        return {"error": "version_gone"}
    cases = decode_cases(payload["cases"])
    folds = int(payload.get("folds", 5))
    locked_by = job.locked_by
    job_id = job.id
    with _kept_alive(job) as keeper:
        keeper.set(f"cross_validating|0|{folds}")

        def progress(text: str) -> None:
            match = re.match(r"fold (\d+) of (\d+)", text)
            if match:
                keeper.set(f"cross_validating|{match[1]}|{match[2]}")

        held_out = cross_validate(cases, base, folds=folds, progress=progress)
        keeper.set("fitting|0|0")
        fitted = fit(cases, base)
        in_sample = accuracy(cases, fitted)
        keeper.set("saving|0|0")
    label = unique_label(organisation, base.label, suffix=f" (calibrated on {len(cases)} cases)")
    config = fitted.with_changes(label=label, effective_date=None)
    row = _add_version(organisation, config, actor, via="calibration", source=source, source_config=base)
    outcome = {
        "draft": row.public_id,
        "label": row.label,
        "content_hash": row.content_hash,
        "base_label": base.label,
        "cases": len(cases),
        "folds": folds,
        "cross_validated": _figures(held_out.figures),
        "additive_cross_validated": _figures(held_out.additive),
        "in_sample": _figures(in_sample.figures),
        "before": _figures(accuracy(cases, base).figures),
    }
    saved = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.locked_by == locked_by, Job.status == JobStatus.RUNNING)
        .values(payload={**payload, "cases": [], "outcome": outcome})
        .execution_options(synchronize_session=False)
    )
    if saved.rowcount != 1:
        db.session.rollback()
        raise RuntimeError("another worker holds this calibration now")
    db.session.commit()
    return outcome
