"""Accuracy testing and calibration (numpy and scipy are allowed here only)."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from portal.engine import AREAS, demo_configuration, estimate
from portal.engine.calibrate import (
    Case,
    CaseFileError,
    CaseResult,
    accuracy,
    cross_validate,
    figures,
    fit,
    neutral,
    read_cases,
)
from portal.engine.profile import NEED_RAISING

from .conftest import CASES_CSV


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return read_cases(CASES_CSV)


def test_read_cases(cases: list[Case]) -> None:
    assert len(cases) == 1500
    first = cases[0]
    assert (first.case_id, first.actual_pence, first.profile.client_group) == (
        "C117-00000",
        24984,
        "physical_disability",
    )
    assert len({c.case_id for c in cases}) == 1500


def test_read_cases_reports_every_problem() -> None:
    lines = CASES_CSV.read_text(encoding="utf-8").splitlines()[:4]
    lines[1] = lines[1].replace("physical_disability", "aliens")
    lines[2] = ",".join(["C117-00001", *lines[2].split(",")[1:-1], "free"])
    lines[3] = lines[3].replace(",1,0,0,2,", ",1,9,0,2,", 1)
    with pytest.raises(CaseFileError) as caught:
        read_cases(io.StringIO("\n".join(lines)))
    problems = caught.value.problems
    assert (2, "client_group") in {(row, column) for row, column, _ in problems}
    assert (3, "actual_weekly_cost") in {(row, column) for row, column, _ in problems}
    assert any(row == 4 for row, _, _ in problems)
    assert "row 2, column client_group: must be one of" in str(caught.value)


def test_read_cases_file_problems(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match="cannot read"):
        read_cases(tmp_path / "missing.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CaseFileError, match="not UTF-8"):
        read_cases(binary)
    header = CASES_CSV.read_text(encoding="utf-8").splitlines()[0]
    with pytest.raises(CaseFileError, match="repeated"):
        read_cases(io.StringIO(header + ",case_id\n"))
    with pytest.raises(CaseFileError, match="row 2: has 2 values"):
        read_cases(io.StringIO(header + "\na,b\n"))
    with CASES_CSV.open(encoding="utf-8") as handle, pytest.raises(CaseFileError, match="more than 2 cases"):
        read_cases(handle, max_rows=2)
    many = "\n".join([header] + [f"C{i},x" for i in range(12)])
    with pytest.raises(CaseFileError, match=r"\(and 2 more problems\)"):
        read_cases(io.StringIO(many))


def test_figures_on_known_numbers() -> None:
    results = [
        CaseResult("a", 100, 100),  # exact
        CaseResult("b", 95, 100),  # 5%
        CaseResult("c", 115, 100),  # 15%
        CaseResult("d", 100, 200),  # 50%: an outlier (actual twice the estimate)
        CaseResult("e", 0, 100),  # nothing estimated: an outlier
    ]
    got = figures(results)
    assert got.mdape == pytest.approx(0.15)
    assert got.within_10 == pytest.approx(0.4)
    assert got.within_20 == pytest.approx(0.6)
    assert got.outliers == ("d", "e")
    actual = np.array([100, 100, 100, 200, 100])
    estimates = np.array([100, 95, 115, 100, 0])
    expected_r2 = 1 - np.sum((actual - estimates) ** 2) / np.sum((actual - actual.mean()) ** 2)
    assert got.r2 == pytest.approx(expected_r2)
    assert results[3].ratio == 2 and math.isinf(results[4].ratio)
    assert figures([CaseResult("x", 10, 10)]).r2 == 0.0  # no spread: R² is not defined, reported as 0


def test_demo_accuracy_in_sample(cases: list[Case]) -> None:
    report = accuracy(cases, demo_configuration())
    assert report.mdape < 0.095 and report.within_20 > 0.83 and report.r2 > 0.8
    assert report.additive.mdape > 2 * report.mdape  # interactions matter: "£ per point" is far worse
    assert 40 <= len(report.outliers) <= 90
    data = report.to_dict()
    assert {"r2", "mdape", "within_10", "within_20", "outliers", "cases", "additive"} <= set(data)
    assert data["cases"][0] == {
        "case_id": "C117-00000",
        "estimate": report.cases[0].estimate_pence / 100,
        "actual": 249.84,
    }
    with pytest.raises(ValueError, match="at least one case"):
        accuracy([], demo_configuration())


def test_fit_keeps_structure_and_constraints(cases: list[Case]) -> None:
    base = neutral(demo_configuration())
    config = fit(cases[:400], base, label="Fitted", progress=lambda message: None)
    assert config.label == "Fitted"
    fitted = config.to_dict()
    original = base.to_dict()
    for key in ("rates", "lines", "minimum_minutes", "weeks_per_year", "rounding"):
        assert fitted[key] == original[key]
    assert [t["key"] for t in fitted["model"]["terms"]] == [t["key"] for t in original["model"]["terms"]]
    for area in AREAS:
        levels = fitted["model"]["base_log_hours"][area]
        assert levels == sorted(levels)
    for term in fitted["model"]["terms"]:
        if any(field in NEED_RAISING for field in term["when"]):
            assert term["log_effect"] >= 0
    before = accuracy(cases[400:700], base)
    after = accuracy(cases[400:700], config)
    assert after.mdape < before.mdape and after.mdape < 0.15
    with pytest.raises(ValueError, match="at least 30 cases"):
        fit(cases[:10])


def test_fit_is_robust_to_outliers(cases: list[Case]) -> None:
    clean = fit(cases[:300])
    # Multiply a tenth of the cases' costs by 3: a robust fit should barely move.
    noisy = [
        Case(c.case_id, c.profile, c.actual_pence * 3) if i % 10 == 0 else c
        for i, c in enumerate(cases[:300])
    ]
    dirty = fit(noisy)
    ratios = [
        estimate(c.profile, dirty).total_weekly_pence / max(estimate(c.profile, clean).total_weekly_pence, 1)
        for c in cases[300:400]
    ]
    assert float(np.median(ratios)) < 1.08


def test_cross_validate_small(cases: list[Case]) -> None:
    report = cross_validate(cases[:240], folds=3)
    assert len(report.cases) == 240
    assert report.mdape < 0.2
    assert report.additive.mdape > report.mdape


def test_read_cases_edge_rows() -> None:
    header = CASES_CSV.read_text(encoding="utf-8").splitlines()[0]
    row = CASES_CSV.read_text(encoding="utf-8").splitlines()[1]
    with pytest.raises(CaseFileError, match="the file is empty"):
        read_cases(io.StringIO(""))
    assert len(read_cases(io.StringIO(f"{header}\n\n{row}\n,,\n"))) == 1  # blank rows are skipped
    with pytest.raises(CaseFileError, match="row 2, column case_id: is empty"):
        read_cases(io.StringIO(header + "\n" + "," + row.split(",", 1)[1]))
    with pytest.raises(CaseFileError, match="not valid CSV"):
        read_cases(io.StringIO(header + '\n"unterminated,' + row + "\n"))
    with pytest.raises(CaseFileError, match="not valid CSV"):
        read_cases(io.StringIO('"a,b'))


def test_monotone_nights() -> None:
    from portal.engine.calibrate import monotone_nights

    same = [[10000, 10000], [10000, 10000], [20000, 20000]]
    assert monotone_nights([2.004, 6.5, 3.0], same) == [2.0, 6.5, 3.25]
    assert monotone_nights([-1.0, 9.0, 7.2], same) == [0.0, 7.0, 7.0]
    # waking nights cost less than sleep-ins here, so 7 waking nights cannot match 7 sleep-ins: lower those
    cheap = [[10000], [10000], [5000]]
    assert monotone_nights([2.0, 7.0, 7.0], cheap) == [2.0, 3.5, 7.0]


def test_fit_without_night_or_breaks_lines(cases: list[Case]) -> None:
    from portal.engine import load_configuration

    from .conftest import reference_document

    data = reference_document()
    data["lines"] = [line for line in data["lines"] if line.get("source") != "night"]
    data["night_support"] = []
    config = fit(cases[:60], load_configuration(data))
    assert config.to_dict()["night_support"] == []
    report = accuracy(cases[:60], config)
    assert 0 <= report.within_10 <= report.within_20 <= 1


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("1e400000", "must be an amount in pounds and pence"),
        ("1e5000", "must be an amount in pounds and pence"),
        ("1e50", "must be an amount in pounds and pence"),
        ("0.001", "must be an amount in pounds and pence"),
        ("NaN", "must be an amount in pounds and pence"),
        ("0", "above 0"),
        ("100000.01", "at most £100,000 a week"),
    ],
)
def test_a_cost_no_real_case_has_is_refused_before_it_is_converted(monkeypatch, cell, problem) -> None:
    import portal.engine.case_file as calibrate

    real = calibrate.Decimal

    def guarded(text: object) -> object:
        assert "e" not in str(text).lower() and len(str(text)) < 20, f"converted {text!r}"
        return real(text)

    monkeypatch.setattr(calibrate, "Decimal", guarded)
    assert problem in calibrate._weekly_cost(cell)[0]
    lines = CASES_CSV.read_text(encoding="utf-8").splitlines()[:2]
    row = lines[1][: lines[1].rindex(",")] + "," + cell
    with pytest.raises(CaseFileError) as caught:
        read_cases(io.StringIO(lines[0] + "\n" + row + "\n"))
    assert caught.value.problems == [
        (2, "actual_weekly_cost", f"{calibrate._weekly_cost(cell)[0]} (got {cell!r})")
    ]
    assert caught.value.codes[0][0] == calibrate._weekly_cost(cell)[1]


@pytest.mark.parametrize("cell", ["£1,234.50", "412.5", "99999"])
def test_plain_costs_are_read(cell) -> None:
    lines = CASES_CSV.read_text(encoding="utf-8").splitlines()[:2]
    row = lines[1][: lines[1].rindex(",")] + ',"' + cell + '"'
    (case,) = read_cases(io.StringIO(lines[0] + "\n" + row + "\n"))
    assert case.actual_pence == round(float(cell.lstrip("£").replace(",", "")) * 100)


@pytest.mark.parametrize("column", ["need_hygiene", "lives_alone", "carer_breaks_weeks", "unpaid_hygiene"])
def test_a_profile_number_no_real_case_has_is_refused_before_it_is_converted(monkeypatch, column) -> None:
    import portal.engine.profile as profile

    lines = CASES_CSV.read_text(encoding="utf-8").splitlines()[:2]
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index(column)] = "1e400000"
    with pytest.raises(CaseFileError) as caught:
        read_cases(io.StringIO(lines[0] + "\n" + ",".join(cells) + "\n"))
    assert [(r, c) for r, c, _ in caught.value.problems] == [(2, column)]

    class Guarded(profile.Decimal):  # type: ignore[misc,name-defined]
        def __new__(cls, value: object = "0", context: object = None) -> Any:
            raise AssertionError(f"converted {value!r}")

    monkeypatch.setattr(profile, "Decimal", Guarded)
    check = profile._share_value if column.startswith("unpaid_") else profile._int_value
    with pytest.raises(profile.ProfileError):
        check(column, "1e400000")
