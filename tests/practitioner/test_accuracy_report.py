"""The accuracy report: fairness by group, outliers explained, CSV and PDF exports, refusing impossible values."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from portal import accuracy_report
from portal.accuracy_report import MIN_GROUP, explain_outlier, fairness
from portal.engine import demo_configuration, estimate
from portal.engine.calibrate import Case, read_cases
from portal.extensions import db
from portal.models import Job, JobStatus
from tests.conftest import check_page, sign_in
from tests.practitioner.test_configuration_pages import CASES_CSV, LINES, csv_bytes, path, upload

CASES = read_cases(CASES_CSV)[:200]


def _with_groups(cases, groups):
    return [
        Case(c.case_id, c.profile, c.actual_pence, tuple(g.items()))
        for c, g in zip(cases, groups, strict=True)
    ]


def _estimates(cases, config=None):
    return [estimate(c.profile, config or demo_configuration()).total_weekly_pence for c in cases]


def test_a_group_whose_estimates_fall_short_is_flagged():
    estimates = _estimates(CASES)
    # the first 40 cases cost 20% more than their estimates; the rest exactly their estimate
    cases = [
        Case(c.case_id, c.profile, round(e * (1.2 if i < 40 else 1.0)), c.groups)
        for i, (c, e) in enumerate(zip(CASES, estimates, strict=True))
    ]
    cases = _with_groups(cases, [{"sex": "female" if i < 40 else "male"} for i in range(len(cases))])
    result = fairness(cases, estimates)
    female = next(g for g in result["groups"] if g["value"] == "female")
    male = next(g for g in result["groups"] if g["value"] == "male")
    assert female["count"] == 40 and "bias" in female["flags"] and female["bias"] < -0.1
    assert "error" in female["flags"]
    assert male["flags"] == []
    assert {g["dimension"] for g in result["groups"]} == {"client_group", "setting", "sex"}


def test_a_group_under_twenty_cases_is_never_flagged():
    estimates = _estimates(CASES)
    cases = [
        Case(c.case_id, c.profile, round(e * (2.0 if i < MIN_GROUP - 1 else 1.0)), ())
        for i, (c, e) in enumerate(zip(CASES, estimates, strict=True))
    ]
    cases = _with_groups(
        cases, [{"age_band": "18-24" if i < MIN_GROUP - 1 else "65+"} for i in range(len(cases))]
    )
    young = next(g for g in fairness(cases, estimates)["groups"] if g["value"] == "18-24")
    assert young["count"] == MIN_GROUP - 1 and young["flags"] == []


def test_a_gap_of_five_points_is_not_flagged_but_more_is(monkeypatch):
    estimates = _estimates(CASES)
    exact = [Case(c.case_id, c.profile, e, ()) for c, e in zip(CASES, estimates, strict=True)]
    monkeypatch.setattr(accuracy_report, "GAP", 1.0)
    assert all(not g["flags"] for g in fairness(exact, [round(e * 1.5) for e in estimates])["groups"])


def test_an_outlier_is_explained_by_its_lines_answers_and_rates():
    config = demo_configuration()
    case = next(c for c in CASES if c.profile.night == 0 and sum(c.profile.needs) > 10)
    pence = estimate(case.profile, config).total_weekly_pence
    explained = explain_outlier(Case(case.case_id, case.profile, pence * 3, ()), config)
    assert explained["gap"] == pence * 2 and explained["estimate"] == pence
    assert explained["lines"][0]["amount"] == max(line["amount"] for line in explained["lines"])
    assert all(line["answers"] for line in explained["lines"] if line["key"] != "contingency")
    assert explained["equivalents"]["hours"] == round(pence * 2 / explained["equivalents"]["rate"], 1)
    assert "night_none" in explained["checks"]
    cheaper = explain_outlier(Case(case.case_id, case.profile, pence // 3, ()), config)
    assert (
        cheaper["gap"] < 0 and "other_funding" in cheaper["checks"] and "night_none" not in cheaper["checks"]
    )


def _with_columns(rows: int) -> bytes:
    lines = csv_bytes(rows).decode().splitlines()
    out = [lines[0] + ",sex,age_band"]
    for i, line in enumerate(lines[1:]):
        out.append(line + ("," + ("female" if i % 2 else "=cmd|' /C calc'!A0") + ",65+"))
    return ("\n".join(out) + "\n").encode()


def test_the_report_shows_groups_explains_outliers_and_exports_csv_and_pdf(app, client, staff):
    sign_in(client, staff["admin"])
    response = upload(app, client, _with_columns(120))
    assert response.status_code == 303
    report_url = response.headers["Location"]
    page = check_page(client.get(report_url).get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "Accuracy for each group of people" in text and "Sex: female" in text and "Age band: 65+" in text
    assert "Client group: Older people" in text
    details = page.select("details")
    assert details and "What drives the difference" in details[0].get_text()
    assert "hours a week" in details[0].get_text()
    job_id = int(report_url.rstrip("/").split("/")[-1])

    cases = client.get(path(app, "practitioner.accuracy_report_csv", job_id=job_id))
    assert cases.status_code == 200 and cases.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(cases.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["case_id", "client_group", "setting", "age_band"] and "sex" in rows[0]
    assert len(rows) == 121
    sex = rows[0].index("sex")
    assert {r[sex] for r in rows[1:]} == {"female", "'=cmd|' /C calc'!A0"}  # never a formula

    outliers = client.get(path(app, "practitioner.accuracy_outliers_csv", job_id=job_id))
    orows = list(csv.reader(io.StringIO(outliers.get_data(as_text=True).lstrip("\ufeff"))))
    assert orows[0][0] == "case_id" and "check_first" in orows[0]
    assert len(orows) - 1 == len(db.session.get(Job, job_id).result["outliers"])

    pdf = client.get(path(app, "practitioner.accuracy_report_pdf", job_id=job_id))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")


def test_exports_are_for_the_organisations_admin_only(app, client, staff, make_account, other_org):
    sign_in(client, staff["admin"])
    job_id = int(upload(app, client, csv_bytes(40)).headers["Location"].rstrip("/").split("/")[-1])
    for endpoint in ("accuracy_report_csv", "accuracy_outliers_csv", "accuracy_report_pdf"):
        url = path(app, f"practitioner.{endpoint}", job_id=job_id)
        assessor = app.test_client()
        sign_in(assessor, staff["assessor"])
        assert assessor.get(url).status_code == 403
        stranger = app.test_client()
        sign_in(stranger, staff["outsider_admin"])
        assert stranger.get(url).status_code == 404


@pytest.mark.parametrize("cell", ["1e400000", "1e5000", "0.001", "1e50"])
def test_an_impossible_cost_is_a_row_and_column_error_on_the_page(app, client, staff, cell):
    sign_in(client, staff["admin"])
    lines = csv_bytes(3).decode().splitlines()
    lines[2] = lines[2][: lines[2].rindex(",")] + "," + cell
    response = upload(app, client, ("\n".join(lines) + "\n").encode())
    assert response.status_code == 200
    page = check_page(response.get_data(as_text=True), errors=True)
    (row,) = [
        tuple(td.get_text(" ", strip=True) for td in tr.find_all("td"))
        for tr in page.select("#problems tbody tr")
    ]
    assert row[:2] == ("3", "actual_weekly_cost") and "pounds and pence" in row[2]
    assert db.session.scalar(select(Job)) is None


def test_a_stored_report_with_an_impossible_cost_still_shows(app, client, staff, org):
    """Reports stored before the upload refused such values must not turn into a 500 on a later view."""
    sign_in(client, staff["admin"])
    response = upload(app, client, csv_bytes(30))
    job = db.session.get(Job, int(response.headers["Location"].rstrip("/").split("/")[-1]))
    result = dict(job.result)
    result["cases"] = [[*result["cases"][0][:2], 10**52, *result["cases"][0][3:]], *result["cases"][1:]]
    result["outliers"] = [result["cases"][0][0], *result["outliers"]]
    job.result = result
    db.session.commit()
    assert job.status == JobStatus.DONE
    for url in (
        response.headers["Location"],
        path(app, "practitioner.accuracy_report_csv", job_id=job.id),
        path(app, "practitioner.accuracy_outliers_csv", job_id=job.id),
    ):
        assert client.get(url).status_code == 200, url
    page = check_page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "1 case of this report has an amount no real case has" in page.get_text()


def test_header_is_unchanged_for_files_without_optional_columns():
    assert LINES[0].split(",")[-1] == "actual_weekly_cost"


def test_a_calibration_over_its_time_limit_fails_cleanly(app, client, staff):
    from portal.jobs import work
    from tests.practitioner.test_configuration_pages import post

    sign_in(client, staff["admin"])
    report_url = upload(app, client, csv_bytes(80)).headers["Location"]
    job_id = int(report_url.rstrip("/").split("/")[-1])
    started = post(client, report_url, path(app, "practitioner.accuracy_calibrate", job_id=job_id), {})
    app.config["JOB_TIME_LIMIT_SECONDS"] = 0
    assert work(until_empty=True, heavy=True) == 1
    db.session.expire_all()
    calibration = db.session.scalar(select(Job).filter_by(kind="calibration"))
    assert calibration.status == JobStatus.FAILED and "time limit" in calibration.last_error
    page = check_page(client.get(started.headers["Location"]).get_data(as_text=True))
    assert "could not be finished" in page.get_text()


def test_every_cases_file_problem_code_has_a_wording(app):
    from portal.engine.case_file import CASE_CODES
    from portal.practitioner.accuracy import CASE_PROBLEM_WORDS, case_problem

    assert set(CASE_PROBLEM_WORDS) == set(CASE_CODES) | {"invalid"}
    values = {
        "megabytes": 5,
        "max": 20000,
        "values": 3,
        "columns": 37,
        "id": "A1",
        "first_row": 2,
        "got": "x",
        "max_pence": 10_000_000,
        "file": "f.csv",
        "reason": "gone",
    }
    with app.test_request_context():
        fallback = case_problem("invalid", {}, None)
        for code in CASE_CODES:
            assert case_problem(code, values, "need_hygiene") != fallback, code


def test_every_problem_the_reader_reports_names_a_known_code():
    import ast
    from pathlib import Path

    from portal.engine.case_file import CASE_CODES

    source = Path(__file__).resolve().parents[2] / "portal"
    found = 0
    for module in [source / "engine" / "case_file.py", source / "accuracy_service.py"]:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "add",
                "one_problem",
            ):
                code = node.args[3] if len(node.args) > 3 else None
                if isinstance(code, ast.Constant):
                    found += 1
                    assert code.value in CASE_CODES, (module.name, node.lineno, code.value)
    assert found >= 15
