"""Configuration versions, benchmarking and accuracy testing, through the real pages."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import func, select

from portal import accuracy_service, config_in_force, version_service
from portal.demo_configs import seed_demo_configurations
from portal.engine import estimate, load_configuration
from portal.engine.calibrate import read_cases
from portal.extensions import db
from portal.jobs import work
from portal.models import AuditEvent, ConfigurationVersion, Job, JobStatus, Organisation, Role
from tests.conftest import check_page, csrf_from, sign_in

CASES_CSV = Path(__file__).resolve().parent.parent / "engine" / "data" / "ras_cases_train.csv"
LINES = CASES_CSV.read_text(encoding="utf-8").splitlines()


def csv_bytes(rows: int, *, start: int = 0) -> bytes:
    """The header and ``rows`` cases of the training file."""
    return ("\n".join([LINES[0], *LINES[1 + start : 1 + start + rows]]) + "\n").encode("utf-8")


def path(app, endpoint, **values):
    with app.test_request_context():
        return url_for(endpoint, **values)


def signed_in(app, account):
    client = app.test_client()
    sign_in(client, account)
    return client


def post(client, page, target, data, **kwargs):
    """Post a form with the CSRF token of ``page`` (a URL to GET first)."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(target, data={"csrf_token": token, **data}, **kwargs)


def filled(client_request, endpoint, **values):
    """The values a form shows now (every box, and each select's chosen option), by field name."""
    page = client_request.get(endpoint, **values)
    data = {tag["name"]: tag.get("value", "") for tag in page.select("form input") if tag.get("name")}
    for select_tag in page.select("form select"):
        chosen = select_tag.select_one("option[selected]") or select_tag.select_one("option")
        data[select_tag["name"]] = chosen["value"]
    data.pop("csrf_token", None)
    return data


def audit(action):
    return db.session.scalars(select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).all()


def new_draft(app, client):
    """Start a draft through the versions page; return the row."""
    versions = path(app, "practitioner.config_versions")
    response = post(client, versions, path(app, "practitioner.config_new_draft"), {})
    assert response.status_code == 303
    public_id = response.headers["Location"].rstrip("/").split("/")[-1]
    return db.session.scalar(select(ConfigurationVersion).filter_by(public_id=public_id))


def publish_version(organisation, document, label, day=None):
    """A published version for an organisation, straight into the database."""
    document = {**document, "label": label}
    config = load_configuration(document)
    row = ConfigurationVersion(
        organisation_id=organisation.id,
        label=label,
        content_hash=config.content_hash,
        content=config.to_yaml(),
        status="published",
        effective_from=day or date.today(),
    )
    db.session.add(row)
    db.session.commit()
    return row


def shipped_document():
    return version_service.configuration(None).to_dict()


# -- roles ----------------------------------------------------------------------------------------------

ADMIN_PAGES = [
    "practitioner.config_versions",
    "practitioner.config_uplift",
    "practitioner.config_diff",
    "practitioner.benchmarking",
    "practitioner.benchmarking_sharing",
    "practitioner.accuracy",
]


def test_only_an_organisation_admin_reaches_the_pages(app, staff, citizen, make_account):
    deployment_admin = make_account(Role.DEPLOYMENT_ADMIN)
    anonymous = app.test_client()
    for endpoint in ADMIN_PAGES:
        assert anonymous.get(path(app, endpoint)).status_code == 302
    for account, expected in [
        (staff["admin"], 200),
        (staff["assessor"], 403),
        (staff["approver"], 403),
        (citizen, 403),
        (deployment_admin, 403),
    ]:
        client = signed_in(app, account)
        for endpoint in ADMIN_PAGES:
            response = client.get(path(app, endpoint))
            assert response.status_code == expected, (account.email, endpoint)
            if expected == 200:
                check_page(response.get_data(as_text=True))
        similar = client.get(path(app, "practitioner.benchmarking_similar_list"))
        assert similar.status_code == (200 if account is deployment_admin else 403)
        if account is deployment_admin:
            check_page(similar.get_data(as_text=True))
    for endpoint in app.view_functions:
        if endpoint.startswith("practitioner.") and endpoint.split(".")[1].startswith(
            ("config_", "benchmarking", "accuracy", "calibration")
        ):
            assert app.view_functions[endpoint].allowed_roles, endpoint


def test_another_organisations_admin_gets_404(app, staff, org):
    admin = signed_in(app, staff["admin"])
    draft = new_draft(app, admin)
    response = post(
        admin,
        path(app, "practitioner.accuracy"),
        path(app, "practitioner.accuracy"),
        {"cases": (io.BytesIO(csv_bytes(80)), "cases.csv"), "version": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    calibrate = post(
        admin,
        path(app, "practitioner.accuracy_report", job_id=job_id),
        path(app, "practitioner.accuracy_calibrate", job_id=job_id),
        {},
    )
    calibration_id = int(calibrate.headers["Location"].rstrip("/").split("/")[-1])

    outsider = signed_in(app, staff["outsider_admin"])
    for endpoint, values in [
        ("practitioner.config_version", {"version_id": draft.public_id}),
        ("practitioner.config_section", {"version_id": draft.public_id, "section": "rates"}),
        ("practitioner.config_rate", {"version_id": draft.public_id, "kind": "daily_living"}),
        ("practitioner.config_publish", {"version_id": draft.public_id}),
        ("practitioner.config_delete", {"version_id": draft.public_id}),
        ("practitioner.config_download", {"version_id": draft.public_id}),
        ("practitioner.config_diff", {"to": draft.public_id}),
        ("practitioner.config_uplift", {}),
        ("practitioner.accuracy_report", {"job_id": job_id}),
        ("practitioner.calibration_status", {"job_id": calibration_id}),
    ]:
        expected = 200 if endpoint == "practitioner.config_uplift" else 404
        assert outsider.get(path(app, endpoint, **values)).status_code == expected, endpoint
    # posting to another organisation's draft or job is a 404 too, and changes nothing
    token = csrf_from(outsider.get(path(app, "practitioner.config_versions")).get_data(as_text=True))
    for endpoint, values in [
        ("practitioner.config_section", {"version_id": draft.public_id, "section": "rates"}),
        ("practitioner.config_publish", {"version_id": draft.public_id}),
        ("practitioner.accuracy_calibrate", {"job_id": job_id}),
        ("practitioner.accuracy_forget", {"job_id": job_id}),
    ]:
        assert outsider.post(path(app, endpoint, **values), data={"csrf_token": token}).status_code == 404
    comparison = outsider.get(
        path(app, "practitioner.config_diff", **{"from": draft.public_id, "to": "shipped"})
    )
    assert comparison.status_code == 404
    db.session.expire_all()
    assert db.session.get(ConfigurationVersion, draft.id).status == "draft"


# -- versions -------------------------------------------------------------------------------------------


def test_draft_edit_publish_and_estimates_use_it(app, client_request, client, staff, org):
    sign_in(client, staff["admin"])
    page = client_request.get("practitioner.config_versions")
    assert "configuration shipped with the portal" in page.get_text()
    draft = new_draft(app, client)
    assert draft.status == "draft" and draft.organisation_id == org.id
    client_request.get("practitioner.config_version", version_id=draft.public_id)

    # a value that is not an amount: the error is beside the field and in the summary, and what was typed stays
    bad = client_request.post(
        "practitioner.config_section",
        {
            **filled(
                client_request, "practitioner.config_section", version_id=draft.public_id, section="rates"
            ),
            "rate_daily_living": "eighteen",
        },
        _errors=True,
        version_id=draft.public_id,
        section="rates",
    )
    message = bad.select_one("#rate_daily_living-error").get_text(" ", strip=True)
    assert "Daily living tasks" in message and "pounds" in message
    assert bad.select_one(".govuk-error-summary a[href='#rate_daily_living']") is not None
    assert bad.select_one("#rate_daily_living")["value"] == "eighteen"

    # a value the engine's own loader refuses: its message, next to the field it names
    refused = client_request.post(
        "practitioner.config_section",
        {
            **filled(
                client_request,
                "practitioner.config_section",
                version_id=draft.public_id,
                section="minimum_times",
            ),
            "minimum_nutrition": "20",
        },
        _errors=True,
        version_id=draft.public_id,
        section="minimum_times",
    )
    error = refused.select_one("#minimum_nutrition-error").get_text(" ", strip=True)
    assert "multiple of the rounding increment (15 minutes)" in error
    assert refused.select_one("#minimum_nutrition")["value"] == "20"
    assert refused.select_one("#minimum_hygiene")["value"] == "30"
    db.session.expire_all()
    assert "nutrition: 30" in db.session.get(ConfigurationVersion, draft.id).content

    # the engine's monotonic rule, in words
    model = client_request.post(
        "practitioner.config_section",
        {
            **filled(
                client_request, "practitioner.config_section", version_id=draft.public_id, section="model"
            ),
            "base_nutrition_1": "0.1",
        },
        _errors=True,
        version_id=draft.public_id,
        section="model",
    )
    assert (
        "must not be lower than the level before it" in model.select_one("#base_nutrition_1-error").get_text()
    )

    # good values are saved, audited with before and after
    data = filled(client_request, "practitioner.config_section", version_id=draft.public_id, section="rates")
    data["rate_daily_living"] = "19.25"
    saved = client_request.post(
        "practitioner.config_section", data, _status=303, version_id=draft.public_id, section="rates"
    )
    assert saved.headers["Location"].endswith(f"/staff/configuration/{draft.public_id}#section-rates")
    db.session.expire_all()
    draft = db.session.get(ConfigurationVersion, draft.id)
    assert version_service.configuration(draft).rate_defaults["daily_living"] == 1925
    changed = audit("configuration.changed")[-1]
    assert changed.detail["changes"] == [
        {"path": "rates.daily_living.default", "before": 1810, "after": 1925}
    ]
    assert changed.detail["hash_before"] != changed.detail["hash_after"]

    # a page built before someone else saved does not overwrite their change
    stale = {**data, "base_hash": "0" * 64, "rate_daily_living": "30.00"}
    conflict = client_request.post(
        "practitioner.config_section", stale, _errors=True, version_id=draft.public_id, section="rates"
    )
    assert "Someone else changed this draft" in conflict.select_one(".govuk-error-summary").get_text()
    assert conflict.select_one("#rate_daily_living")["value"] == "30.00"
    assert conflict.select_one("#base_hash")["value"] == draft.content_hash

    # a rate by client group and setting
    client_request.post(
        "practitioner.config_rate",
        {
            **filled(
                client_request, "practitioner.config_rate", version_id=draft.public_id, kind="daily_living"
            ),
            "older_people__supported_living": "20.10",
        },
        _status=303,
        version_id=draft.public_id,
        kind="daily_living",
    )
    db.session.expire_all()
    config = version_service.configuration(db.session.get(ConfigurationVersion, draft.id))
    assert config.rate("daily_living", "older_people", "supported_living") == 2010
    assert config.rate("daily_living", "older_people", "community") == 1925

    # the label, then publish: not in the past, then today
    client_request.post(
        "practitioner.config_section",
        {
            "label": "Northfield 2026/27",
            "weeks_per_year": "365.25/7",
            "range_below": "10",
            "range_above": "10",
        },
        _status=303,
        version_id=draft.public_id,
        section="general",
    )
    yesterday = date.today() - timedelta(days=1)
    past = client_request.post(
        "practitioner.config_publish",
        {"effective_from": [str(yesterday.day), str(yesterday.month), str(yesterday.year)]},
        _errors=True,
        version_id=draft.public_id,
    )
    assert "today or in the future" in past.select_one(".govuk-error-summary").get_text()
    today = date.today()
    client_request.post(
        "practitioner.config_publish",
        {"effective_from": [str(today.day), str(today.month), str(today.year)]},
        _status=303,
        version_id=draft.public_id,
    )
    db.session.expire_all()
    draft = db.session.get(ConfigurationVersion, draft.id)
    assert draft.status == "published" and draft.effective_from == today and draft.published_at
    in_force = config_in_force.in_force(org, today)
    assert in_force.label == "Northfield 2026/27" and in_force.content_hash == draft.content_hash
    profile = read_cases(io.StringIO(csv_bytes(1).decode()))[0].profile
    result = estimate(profile, in_force)
    assert (result.config_label, result.config_hash) == ("Northfield 2026/27", draft.content_hash)
    published = audit("configuration.published")[-1]
    assert published.detail["effective_from"] == today.isoformat() and published.actor_id == staff["admin"].id
    assert [e.action for e in audit("configuration.draft_created")] == ["configuration.draft_created"]

    # a published version is never edited again
    shown = client_request.get("practitioner.config_version", version_id=draft.public_id)
    assert "is published and in force from today" in shown.get_text()
    again = client.get(path(app, "practitioner.config_section", version_id=draft.public_id, section="rates"))
    assert again.status_code == 303
    listing = client_request.get("practitioner.config_versions")
    assert "In force" in listing.get_text() and "Northfield 2026/27" in listing.get_text()


def test_diff_page_shows_a_changed_rate(app, client_request, client, staff, org):
    published = publish_version(org, shipped_document(), "Northfield 2025/26")
    document = shipped_document()
    document["rates"]["respite"]["default"] = 62500
    document["minimum_minutes"]["nutrition"] = 45
    document["label"] = "Northfield draft"
    config = load_configuration(document)
    draft = ConfigurationVersion(
        organisation_id=org.id,
        label=config.label,
        content_hash=config.content_hash,
        content=config.to_yaml(),
        status="draft",
    )
    db.session.add(draft)
    db.session.commit()
    sign_in(client, staff["admin"])
    page = client_request.get(
        "practitioner.config_diff", _query=f"from={published.public_id}&to={draft.public_id}"
    )
    rows = {
        row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.find_all("td")]
        for row in page.select("table:not(#examples) tbody tr")
    }
    examples = [
        [td.get_text(strip=True) for td in row.find_all("td")] for row in page.select("#examples tbody tr")
    ]
    assert len(examples) == 3 and all(len(cells) == 3 for cells in examples)  # in pounds, before the keys
    assert rows["rates.respite.default"] == ["£610.00", "£625.00"]
    assert rows["minimum_minutes.nutrition"] == ["30", "45"]
    assert rows["label"] == ["Northfield 2025/26", "Northfield draft"]
    assert len(rows) == 3
    same = client_request.get(
        "practitioner.config_diff", _query=f"from={draft.public_id}&to={draft.public_id}"
    )
    assert "the same values" in same.get_text()
    # a draft can be deleted (audited); a published version cannot
    client_request.post("practitioner.config_delete", {}, _status=303, version_id=draft.public_id)
    assert db.session.scalar(select(ConfigurationVersion).filter_by(public_id=draft.public_id)) is None
    assert audit("configuration.draft_deleted")[-1].detail["label"] == "Northfield draft"
    kept = client.get(path(app, "practitioner.config_delete", version_id=published.public_id))
    assert kept.status_code == 303


def test_diff_matches_lines_by_key_and_reports_added_and_removed_keys():
    before = {
        "lines": [{"key": "a", "funder": "council"}, {"key": "b", "funder": "nhs"}],
        "x": [1, 2],
        "gone": 1,
    }
    after = {
        "lines": [{"key": "b", "funder": "council"}, {"key": "a", "funder": "council"}],
        "x": [1, 3],
        "new": 2,
    }
    changes = [(c.path, c.before, c.after) for c in version_service.diff(before, after)]
    assert changes == [
        ("lines[b].funder", "nhs", "council"),
        ("x[1]", 2, 3),
        ("gone", 1, version_service.ABSENT),
        ("new", version_service.ABSENT, 2),
    ]


def test_uplift_raises_every_rate_to_the_penny(app, client_request, client, staff, org):
    document = shipped_document()
    document["rates"]["daily_living"]["older_people"] = {"community": 1733, "supported_living": 1999}
    document["rates"]["respite"]["supported_living"] = 60555
    source = publish_version(org, document, "Northfield 2025/26")
    before = version_service.configuration(source).to_dict()["rates"]
    sign_in(client, staff["admin"])
    preview = client_request.post(
        "practitioner.config_uplift", {"source": source.public_id, "percent": "3", "action": "preview"}
    )
    text = preview.get_text()
    assert "What will change" in text and "£17.33" in text and "£17.85" in text
    assert db.session.scalar(select(func.count(ConfigurationVersion.id))) == 1  # nothing made yet
    made = client_request.post(
        "practitioner.config_uplift",
        {"source": source.public_id, "percent": "3", "action": "confirm"},
        _status=303,
    )
    public_id = made.headers["Location"].rstrip("/").split("/")[-1]
    row = db.session.scalar(select(ConfigurationVersion).filter_by(public_id=public_id))
    assert row.status == "draft" and row.label == "Northfield 2025/26 (+3%)"
    after = version_service.configuration(row).to_dict()

    def up(pence):
        return int((Decimal(pence) * Decimal("1.03")).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    checked = 0
    for kind, spec in before.items():
        for key, value in spec.items():
            if key == "per":
                assert after["rates"][kind][key] == value
            elif isinstance(value, dict):
                for setting, pence in value.items():
                    assert after["rates"][kind][key][setting] == up(pence)
                    checked += 1
            else:
                assert after["rates"][kind][key] == up(value), (kind, key)
                checked += 1
    assert checked == 13
    assert after["rates"]["daily_living"]["default"] == 1864  # £18.10 × 1.03 = £18.643
    old = version_service.configuration(source).to_dict()
    assert {k: v for k, v in after.items() if k not in ("rates", "label")} == {
        k: v for k, v in old.items() if k not in ("rates", "label")
    }
    event = audit("configuration.uplifted")[-1]
    assert event.detail["percent"] == "3" and event.detail["version"] == row.public_id
    bad = client_request.post(
        "practitioner.config_uplift",
        {"source": source.public_id, "percent": "three", "action": "preview"},
        _errors=True,
    )
    assert bad.select_one("#percent")["value"] == "three"


# -- benchmarking ---------------------------------------------------------------------------------------


@pytest.fixture
def areas(org, other_org, make_organisation):
    """Four demo areas (the staff's own first), each with its own published configuration."""
    third = make_organisation("Eastbrook Integrated Care Board")
    fourth = make_organisation("Southmere Borough Council")
    for organisation in (org, other_org, third, fourth):
        organisation.is_demo = True
        organisation.shares_benchmarking = True
    fourth.shares_benchmarking = False
    db.session.commit()
    assert seed_demo_configurations() == 4
    assert seed_demo_configurations() == 0  # idempotent
    return org, other_org, third, fourth


def test_benchmarking_needs_three_sharing_areas_and_never_names_them(
    app, client_request, client, staff, areas, make_account
):
    org, other_org, third, fourth = areas
    sign_in(client, staff["admin"])
    page = client_request.get("practitioner.benchmarking")
    text = page.get_text(" ", strip=True)
    assert "not enough to compare" in text
    assert "Lowest" not in text and "Highest" not in text
    assert "£16.90" in text  # ours (daily living)

    # the fourth area's admin starts sharing (audited)
    fourth_admin = make_account(Role.ADMIN, organisation=fourth, level=4)
    other = signed_in(app, fourth_admin)
    response = post(
        other,
        path(app, "practitioner.benchmarking_sharing"),
        path(app, "practitioner.benchmarking_sharing"),
        {"shares": "yes"},
    )
    assert response.status_code == 303
    event = audit("benchmarking.sharing_changed")[-1]
    assert event.detail == {"before": False, "after": True} and event.organisation_id == fourth.id

    page = client_request.get("practitioner.benchmarking")
    text = page.get_text(" ", strip=True)
    table = page.select_one("#all-areas")
    daily = next(tr for tr in table.select("tbody tr") if "Daily living tasks" in tr.th.get_text())
    cells = [td.get_text(strip=True) for td in daily.find_all("td")]
    # yours, default, lowest, average, highest, most common: the other three are 17.90, 18.10 and 19.40
    assert cells == ["£16.90", "£18.10", "£17.90", "£18.47", "£19.40", "No single value"]
    nutrition = next(tr for tr in table.select("tbody tr") if "eating and drinking" in tr.th.get_text())
    assert [td.get_text(strip=True) for td in nutrition.find_all("td")] == [
        "30",
        "30",
        "30",
        "35",
        "45",
        "30",
    ]
    for organisation in (other_org, third, fourth):
        assert organisation.name not in page.decode()
        assert organisation.name.split()[0] not in text
    assert "3 other areas share" in text
    assert "Fewer than 3 areas marked as similar to yours share" in text
    assert page.select_one("#similar-areas") is None

    # the deployment administrator marks similar areas (audited); with three, the similar figures appear
    deployment = signed_in(app, make_account(Role.DEPLOYMENT_ADMIN))
    similar_page = path(app, "practitioner.benchmarking_similar", organisation_id=org.public_id)
    check_page(deployment.get(similar_page).get_data(as_text=True))
    response = post(
        deployment,
        similar_page,
        similar_page,
        {"similar": [other_org.public_id, third.public_id, fourth.public_id]},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert sorted(db.session.get(Organisation, org.id).settings["benchmark_similar"]) == sorted(
        [other_org.public_id, third.public_id, fourth.public_id]
    )
    assert audit("benchmarking.similar_changed")[-1].detail["before"] == []
    page = client_request.get("practitioner.benchmarking")
    assert page.select_one("#similar-areas") is not None


# -- accuracy testing and calibration -------------------------------------------------------------------


def upload(app, client, data: bytes, version=""):
    return post(
        client,
        path(app, "practitioner.accuracy"),
        path(app, "practitioner.accuracy"),
        {"cases": (io.BytesIO(data), "cases.csv"), "version": version},
        content_type="multipart/form-data",
    )


def test_a_malformed_upload_lists_every_bad_row_and_column_and_stores_nothing(app, client, staff):
    sign_in(client, staff["admin"])
    lines = csv_bytes(5).decode().splitlines()
    header = lines[0].split(",")
    row = lines[2].split(",")
    row[header.index("client_group")] = "aliens"
    row[header.index("need_hygiene")] = "7"
    lines[2] = ",".join(row)
    row = lines[4].split(",")
    row[header.index("actual_weekly_cost")] = "lots"
    lines[4] = ",".join(row)
    lines.append("only,three,values")
    response = upload(app, client, ("\n".join(lines) + "\n").encode())
    assert response.status_code == 200
    page = check_page(response.get_data(as_text=True), errors=True)
    problems = [
        tuple(td.get_text(" ", strip=True) for td in tr.find_all("td"))
        for tr in page.select("#problems tbody tr")
    ]
    assert problems[0][:2] == ("3", "client_group") and "older_people" in problems[0][2]
    assert problems[1][:2] == ("3", "need_hygiene") and "aliens" not in problems[1][2]
    assert problems[2][:2] == ("5", "actual_weekly_cost") and "'lots'" in problems[2][2]
    assert problems[3][0] == "7" and "values" in problems[3][2]
    assert "4 problems" in page.select_one(".govuk-error-summary").get_text()
    assert page.select_one(".govuk-error-summary a[href='#problems']") is not None
    assert page.select_one("#cases-error") is not None
    missing = upload(app, client, b"case_id,client_group\nA,older_people\n")
    page = check_page(missing.get_data(as_text=True), errors=True)
    assert "need_hygiene" in page.select_one("#problems").get_text()
    not_text = upload(app, client, b"\xff\xfe\x00bad")
    assert "UTF-8" in check_page(not_text.get_data(as_text=True), errors=True).get_text()
    nothing = post(
        client, path(app, "practitioner.accuracy"), path(app, "practitioner.accuracy"), {"version": ""}
    )
    assert "Choose a CSV file" in check_page(nothing.get_data(as_text=True), errors=True).get_text()
    # a request over the app's 5 MB limit is refused before the view (a 413 page); the service checks again
    with pytest.raises(Exception, match="5 MB"):
        accuracy_service.parse_upload(b"x" * (accuracy_service.MAX_UPLOAD_BYTES + 1))
    assert db.session.scalar(select(func.count(Job.id))) == 0
    assert audit("accuracy.tested") == []


def test_a_good_upload_shows_the_figures_the_plot_and_a_table(app, client, staff):
    sign_in(client, staff["admin"])
    response = upload(app, client, csv_bytes(300))
    assert response.status_code == 303
    report = client.get(response.headers["Location"])
    page = check_page(report.get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "How close the estimates are" in text and "Additive" in text
    figures = {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in page.select("table")[0].select("tbody tr")
    }
    assert len(figures) == 5 and all(len(v) == 2 for v in figures.values())
    svg = page.select_one("svg")
    assert svg["role"] == "img" and svg.title is not None
    assert svg["aria-labelledby"].split()[0] == svg.title["id"]
    assert len(svg.select("circle")) + len(svg.select("g rect")) == 300
    assert "Actual weekly cost" in svg.get_text() and not svg.has_attr("style")
    assert "style=" not in report.get_data(as_text=True).split("<svg", 1)[1].split("</svg>", 1)[0]
    every = page.select_one("#cases ~ .app-table-container table")
    assert len(every.select("tbody tr")) == 200
    assert page.select_one(".govuk-pagination") is not None
    second = check_page(client.get(response.headers["Location"] + "?page=2").get_data(as_text=True))
    assert len(second.select_one("#cases ~ .app-table-container table").select("tbody tr")) == 100
    assert re.search(r"Actual cost \d+\.\d times the estimate|Estimate \d+\.\d times the actual cost", text)
    event = audit("accuracy.tested")[-1]
    assert event.detail["cases"] == 300 and event.detail["run"] == "now"


def test_a_large_upload_is_tested_by_a_worker(app, client, staff, monkeypatch):
    monkeypatch.setattr(accuracy_service, "SYNC_CASES", 50)
    sign_in(client, staff["admin"])
    response = upload(app, client, csv_bytes(80))
    job = db.session.scalar(select(Job))
    assert job.status == JobStatus.PENDING
    waiting = check_page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Refresh this page" in waiting.get_text()
    assert work(until_empty=True) == 1
    db.session.expire_all()
    assert db.session.get(Job, job.id).result["count"] == 80
    done = check_page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert done.select_one("svg[role=img]") is not None


def test_calibration_runs_as_a_job_and_saves_a_draft(app, client, staff, org):
    sign_in(client, staff["admin"])
    response = upload(app, client, csv_bytes(120))
    report_url = response.headers["Location"]
    job_id = int(report_url.rstrip("/").split("/")[-1])
    started = post(client, report_url, path(app, "practitioner.accuracy_calibrate", job_id=job_id), {})
    assert started.status_code == 303
    status_url = started.headers["Location"]
    waiting = check_page(client.get(status_url).get_data(as_text=True))
    assert "Waiting for a worker" in waiting.get_text()
    calibration = db.session.scalar(select(Job).filter_by(kind="calibration"))
    assert calibration.payload["folds"] == 5 and len(calibration.payload["cases"]) == 120

    assert work(until_empty=True) == 1
    db.session.expire_all()
    calibration = db.session.get(Job, calibration.id)
    assert calibration.status == JobStatus.DONE
    result = calibration.result
    for key in ("mdape", "within_10", "within_20"):
        assert 0 <= result["cross_validated"][key] <= 1
    assert result["cross_validated"]["r2"] <= 1  # R² may be below 0 held out, never above 1
    assert set(result["additive_cross_validated"]) >= {"r2", "mdape", "within_10", "within_20"}
    assert calibration.payload["cases"] == []  # kept only as long as needed
    draft = db.session.scalar(select(ConfigurationVersion).filter_by(public_id=result["draft"]))
    assert draft.status == "draft" and draft.organisation_id == org.id
    assert draft.label.endswith("(calibrated on 120 cases)")
    # rates move only by the one price factor, and every moved rate is listed
    shipped_rates = version_service.configuration(None).rate_defaults
    draft_rates = version_service.configuration(draft).rate_defaults
    factor = result["price_factor"]
    for kind, pence in shipped_rates.items():  # to the penny (the factor shown is rounded)
        assert abs(draft_rates[kind] - pence * factor) <= 1 + pence * 0.0001
    assert {row[0] for row in result["rates_changed"]} == {
        k for k in draft_rates if draft_rates[k] != shipped_rates[k]
    }
    for item in version_service.configuration(draft).to_dict()["night_support"]:
        assert float(item["nights_per_week"]).is_integer()
    assert [row[0] for row in result["pounds"]["examples"]] == [
        "older_person",
        "learning_disability",
        "mental_health",
    ]
    assert result["pounds"]["lines"] and len(result["pounds"]["total"]) == 2
    assert audit("configuration.draft_created")[-1].detail["via"] == "calibration"
    page = check_page(client.get(status_url).get_data(as_text=True))
    assert "Held-out figures" in page.get_text() and "Review the new draft" in page.get_text()
    assert "What calibration changed, in pounds" in page.get_text()
    assert "Accuracy for each group of people" in page.get_text()
    assert {g["dimension"] for g in result["fairness_held_out"]["groups"]} == {"client_group", "setting"}
    assert "An older person living alone" in page.get_text() and "Whole budget" in page.get_text()
    assert work(until_empty=True) == 0  # nothing left; the job is never run twice

    # deleting the cases keeps the report but ends calibration on them
    post(client, report_url, path(app, "practitioner.accuracy_forget", job_id=job_id), {})
    db.session.expire_all()
    assert db.session.get(Job, job_id).payload["cases"] == []
    again = post(
        client,
        path(app, "practitioner.accuracy"),
        path(app, "practitioner.accuracy_calibrate", job_id=job_id),
        {},
    )
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/accuracy/{job_id}")


def test_versions_with_the_same_rules_keep_their_own_labels(app):
    """The content hash leaves the label out, so the parsed configurations are kept by their text as well:
    a version republished under another label estimates under that label, and each is parsed once."""
    from portal.engine import demo_configuration

    first, second = (demo_configuration().with_changes(label=label) for label in ("Rates 2026", "Rates 2027"))
    assert first.content_hash == second.content_hash
    rows = [
        ConfigurationVersion(label=c.label, content_hash=c.content_hash, content=c.to_yaml())
        for c in (first, second)
    ]
    assert [config_in_force.configuration(row).label for row in rows] == ["Rates 2026", "Rates 2027"]
    assert config_in_force.configuration(rows[0]) is config_in_force.configuration(rows[0])
    assert version_service.configuration is config_in_force.configuration  # one parser, one cache
    assert config_in_force.configuration(None) == demo_configuration()
    # With no stored version the shipped file is parsed once too (it was parsed again for every estimate).
    assert config_in_force.configuration(None) is config_in_force.configuration(None)
    shipped = accuracy_service.version_config({"public_id": version_service.SHIPPED}, None)
    assert shipped == (None, config_in_force.configuration(None)) and shipped[
        1
    ] is config_in_force.configuration(None)


def test_the_version_in_force_is_the_organisations_latest_published_by_the_day_else_the_default(
    app, make_organisation
):
    """Published and effective by the day, the organisation's own before the deployment default's, the latest
    effective date first and the later version on the same date; drafts and other organisations never."""
    own, other = make_organisation("Own Council"), make_organisation("Other Council")
    day = date(2026, 6, 1)

    def version(label, organisation, effective, status="published"):
        row = ConfigurationVersion(
            label=label,
            organisation_id=organisation.id if organisation else None,
            content_hash=label,
            content=label,
            status=status,
            effective_from=effective,
        )
        db.session.add(row)
        db.session.flush()
        return label

    def in_force(organisation, on=day):
        found = config_in_force.version_in_force(organisation, on)
        return found.label if found else None

    assert in_force(own) is None and in_force(None) is None
    version("default old", None, date(2025, 1, 1))
    version("default", None, date(2026, 1, 1))
    version("default later", None, date(2026, 7, 1))
    version("other's", other, date(2026, 1, 1))
    assert in_force(own) == "default" and in_force(None) == "default"
    version("own draft", own, date(2026, 1, 1), status="draft")
    version("own from July", own, date(2026, 7, 1))
    assert in_force(own) == "default"  # neither a draft nor a version not yet effective
    version("own", own, date(2025, 6, 1))
    assert in_force(own) == "own"  # the organisation's own, though the default's is more recent
    version("own again", own, date(2025, 6, 1))
    assert in_force(own) == "own again"  # the same day: the later version
    assert in_force(own, date(2026, 7, 1)) == "own from July"
    assert in_force(other) == "other's" and in_force(None, date(2026, 7, 1)) == "default later"
    assert in_force(own, date(2024, 1, 1)) is None
