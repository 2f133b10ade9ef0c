"""The engine's command line: JSON out, English wording beside the codes, exit code 2 for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from portal.engine import demo_configuration, load_configuration
from portal.engine.cli import main
from portal.engine.configuration import dump_yaml

from .conftest import CASES_CSV, profile_dict, reference_document, reference_profile


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(reference_profile().to_dict()), encoding="utf-8")
    config = tmp_path / "reference.yaml"
    config.write_text(dump_yaml(reference_document()), encoding="utf-8")
    return {"profile": profile, "config": config, "dir": tmp_path}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    data = json.loads(captured.out) if code == 0 and captured.out else None
    return code, data, captured.err


def test_estimate_prints_the_reference_figure(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    code, data, err = run(
        capsys, "estimate", "--profile", str(files["profile"]), "--config", str(files["config"])
    )
    assert (code, err) == (0, "")
    assert data["total_weekly"] == 240.95
    assert data["total_weekly_pence"] == 24095
    assert [(line["key"], line["funder"], line["amount"], line["text"]) for line in data["lines"]] == [
        ("daily_living", "council", 98.0, "£98.00 which could provide 7 hours per week"),
        ("household", "council", 14.0, "£14.00 which could provide 1 hour per week"),
        ("night", None, 0.0, "No allocation"),
        (
            "social",
            "council",
            14.0,
            "£14.00 (3 hours for social activity with support from one carer) — 3 hours at 1 carer to 3 people",
        ),
        ("work_learning", None, 0.0, "No allocation"),
        ("childcare", None, 0.0, "No allocation"),
        ("mental_health", "nhs", 14.0, "£14.00 which could provide 1 hour per week"),
        ("contingency", "nhs", 2.95, "£2.95 per week, which could provide 11 hours per year"),
        ("medication", "nhs", 98.0, "£98.00 which could provide 7 hours per week"),
    ]
    assert [(s["funder"], s["percent"], s["amount"], s["text"]) for s in data["split"]] == [
        ("council", 52.29, 126.0, "52.29% council = £126.00"),
        ("nhs", 47.71, 114.95, "47.71% NHS = £114.95"),
    ]
    assert data["lines"][0]["title"] == "Carrying out essential daily living tasks"
    assert data["versions"]["engine"]
    assert data["versions"]["config_hash"] == load_configuration(files["config"]).content_hash
    for reason in data["reasons"]:
        assert reason["code"] and reason["text"].endswith(".")
    assert data["range"] == {"low": 240.95, "high": 240.95, "low_pence": 24095, "high_pence": 24095}


def test_estimate_with_demo_reasons_and_changes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(
        json.dumps(
            profile_dict(
                need_hygiene=3,
                unpaid_hygiene=0.5,
                memory_cognition=2,
                two_carers=1,
                need_community=2,
                behaviour_challenges=1,
                fluctuating=1,
                need_mental_health=2,
                night=3,
                carer_breaks_weeks=2,
                lives_alone=1,
                need_home_safety=2,
                need_nutrition=1,
                unpaid_nutrition=0.75,
                need_home_environment=1,
                unpaid_home_environment=0.75,
            )
        ),
        encoding="utf-8",
    )
    code, data, _ = run(capsys, "estimate", "--profile", str(profile))
    assert code == 0
    codes = {reason["code"] for reason in data["reasons"]}
    assert {
        "need_level",
        "unpaid_support",
        "more_time",
        "staffing_ratio",
        "night_support",
        "carer_breaks",
    } <= codes
    assert {"contingency_uplift", "minimum_time"} <= codes
    texts = " ".join(reason["text"] for reason in data["reasons"])
    assert "memory or thinking difficulties" in texts and "1 carer to 1 person" in texts
    # Home environment's unpaid help moves nothing (the minimum visit covers it either way), so it is not listed.
    assert [c["area"] for c in data["what_would_change"]] == ["nutrition", "hygiene"]
    assert all(c["increase_pence"] > 0 for c in data["what_would_change"])
    assert data["what_would_change"][1]["text"].startswith(
        "If unpaid help with washing and personal hygiene stopped"
    )
    night = next(line for line in data["lines"] if line["key"] == "night")
    assert "nights of waking night support per week" in night["text"]
    breaks = next(line for line in data["lines"] if line["key"] == "carer_breaks")
    assert breaks["text"].endswith("towards 2 weeks of breaks a year for an unpaid carer")


def test_estimate_ipb_and_eligible(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    args = ["estimate", "--profile", str(files["profile"]), "--config", str(files["config"])]
    code, data, _ = run(capsys, *args, "--mode", "ipb")
    assert code == 0 and data["mode"] == "ipb" and data["split"] == [] and data["care_account"] is None
    code, data, _ = run(capsys, *args, "--eligible", "hygiene, dressing")
    assert code == 0 and data["eligible"] == ["hygiene", "dressing"] and data["total_weekly"] == 100.95
    code, data, err = run(capsys, *args, "--eligible", "hygiene,swimming")
    assert code == 2 and "swimming" in err


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "profile: must be an object"),
        (json.dumps({k: v for k, v in profile_dict().items() if k != "night"}), "night: is required"),
        (json.dumps(profile_dict(need_hygiene=9)), "need_hygiene: must be 0, 1, 2, 3 or 4 (got 9)"),
        (
            json.dumps(profile_dict(unpaid_hygiene=0.3)),
            "unpaid_hygiene: must be 0, 0.25, 0.5, 0.75 or 1 (got 0.3)",
        ),
        (json.dumps(profile_dict(favourite_colour="blue")), "favourite_colour: is not a Needs Profile field"),
    ],
)
def test_bad_profiles_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = _write(tmp_path / "bad.json", content)
    code, _, err = run(capsys, "estimate", "--profile", str(path))
    assert code == 2
    assert err.startswith(f"error: {path}: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("label: [oops\n", "not valid YAML at line"),
        ("just text\n", "the configuration must be a mapping"),
        (dump_yaml({**reference_document(), "colour": "blue"}), "colour: unknown key"),
        (
            dump_yaml({**reference_document(), "rates": {"daily_living": {"per": "hour", "default": -1}}}),
            "rates.daily_living.default: must be a positive amount",
        ),
    ],
)
def test_bad_configurations_exit_2(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], content: str, message: str
) -> None:
    path = _write(files["dir"] / "bad.yaml", content)
    code, _, err = run(capsys, "estimate", "--profile", str(files["profile"]), "--config", str(path))
    assert code == 2 and message in err and "Traceback" not in err


def test_missing_files_and_usage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, files: dict[str, Path]
) -> None:
    code, _, err = run(capsys, "estimate", "--profile", str(tmp_path / "none.json"))
    assert code == 2 and "cannot read the file" in err
    code, _, err = run(
        capsys, "estimate", "--profile", str(files["profile"]), "--config", str(tmp_path / "none.yaml")
    )
    assert code == 2 and "cannot read" in err
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"client_group": "\xe9"}')
    code, _, err = run(capsys, "estimate", "--profile", str(latin))
    assert code == 2 and "not UTF-8" in err
    code, _, err = run(capsys)
    assert code == 2 and "usage:" in err
    code, _, err = run(capsys, "estimate")
    assert code == 2 and "--profile" in err
    code, _, err = run(
        capsys, "estimate", "--profile", str(files["profile"]), "--mode", "ipb", "--already-counted", "-5"
    )
    assert code == 2 and "must not be negative" in err
    assert main(["--help"]) == 0
    capsys.readouterr()


def _cases(tmp_path: Path, rows: int, edit: Any = None) -> Path:
    lines = CASES_CSV.read_text(encoding="utf-8").splitlines()[: rows + 1]
    if edit:
        lines = edit(lines)
    return _write(tmp_path / "cases.csv", "\n".join(lines) + "\n")


def test_ras_accuracy(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cases = _cases(tmp_path, 60)
    code, data, err = run(capsys, "ras", "accuracy", "--cases", str(cases))
    assert (code, err) == (0, "")
    assert set(data) >= {"r2", "mdape", "within_10", "within_20", "outliers", "cases", "additive"}
    assert 0 <= data["within_10"] <= data["within_20"] <= 1
    assert len(data["cases"]) == 60
    first = data["cases"][0]
    assert (
        first["case_id"] == "C117-00000"
        and first["actual"] == 249.84
        and isinstance(first["estimate"], float)
    )
    assert set(data["additive"]) == {"r2", "mdape", "within_10", "within_20", "outliers"}


def test_ras_calibrate_writes_a_loadable_configuration(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cases = _cases(tmp_path, 120)
    out = tmp_path / "calibrated.yaml"
    code, data, err = run(
        capsys, "ras", "calibrate", "--cases", str(cases), "--out", str(out), "--label", "Ours 2026"
    )
    assert code == 0, err
    assert "fold 1 of 5" in err and "chosen" in err  # progress goes to stderr
    config = load_configuration(out)
    assert config.label == "Ours 2026" and data["content_hash"] == config.content_hash
    assert data["cases"] == 120 and 0 < data["in_sample"]["mdape"] < 1
    code, _, err = run(
        capsys, "ras", "calibrate", "--cases", str(cases), "--out", str(tmp_path / "no" / "x.yaml")
    )
    assert code == 2 and "cannot write" in err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda lines: [lines[0].replace("need_hygiene", "need_hygeine"), *lines[1:]],
            "column need_hygiene: is missing",
        ),
        (
            lambda lines: [lines[0], lines[1].replace("physical_disability", "aliens"), *lines[2:]],
            "row 2, column client_group",
        ),
        (
            lambda lines: [lines[0], lines[1][: lines[1].rindex(",")] + ",-3", *lines[2:]],
            "row 2, column actual_weekly_cost",
        ),
        (lambda lines: [lines[0], lines[1] + ",extra", *lines[2:]], "row 2: has 37 values"),
        (lambda lines: [lines[0], lines[1], lines[1]], "row 3, column case_id: repeats 'C117-00000'"),
        (lambda lines: [lines[0]], "the file has no cases"),
        (lambda lines: [], "the file is empty"),
    ],
)
def test_bad_cases_files_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, edit: Any, message: str
) -> None:
    cases = _cases(tmp_path, 40, edit)
    code, _, err = run(capsys, "ras", "accuracy", "--cases", str(cases))
    assert code == 2 and message in err and "Traceback" not in err
    code, _, err = run(capsys, "ras", "calibrate", "--cases", str(cases), "--out", str(tmp_path / "o.yaml"))
    assert code == 2 and message in err


def test_calibrate_needs_enough_cases(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "ras", "calibrate", "--cases", str(_cases(tmp_path, 10)), "--out", str(tmp_path / "o.yaml")
    )
    assert code == 2 and "at least 30 cases" in err


def test_module_entry_point(files: dict[str, Path], tmp_path: Path) -> None:
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "portal.engine.cli",
            "estimate",
            "--profile",
            str(files["profile"]),
            "--config",
            str(files["config"]),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["total_weekly"] == 240.95
    bad = _write(tmp_path / "bad.json", "{")
    failed = subprocess.run(
        [sys.executable, "-m", "portal.engine.cli", "estimate", "--profile", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 2
    assert failed.stderr.startswith("error:") and "Traceback" not in failed.stderr


def test_ras_calibrate_cross_validates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cases = _cases(tmp_path, 90)
    out = tmp_path / "c.yaml"
    code, data, err = run(
        capsys, "ras", "calibrate", "--cases", str(cases), "--out", str(out), "--cross-validate", "2"
    )
    assert code == 0, err
    assert "fold 2 of 2" in err
    assert set(data["cross_validated"]) == {"r2", "mdape", "within_10", "within_20", "outliers"}
    assert "additive_cross_validated" in data
    code, _, err = run(
        capsys, "ras", "calibrate", "--cases", str(cases), "--out", str(out), "--cross-validate", "1"
    )
    assert code == 2 and "at least 2 folds" in err


def test_ras_calibrate_from_a_start_from_none_and_keeping_rates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cases = _cases(tmp_path, 80)
    start = _write(tmp_path / "start.yaml", demo_configuration().to_yaml())
    out = tmp_path / "c.yaml"
    code, data, err = run(
        capsys, "ras", "calibrate", "--cases", str(cases), "--out", str(out), "--from", str(start)
    )
    assert code == 0, err
    assert data["from"] == str(start) and data["strength"] is not None
    moved = {r["kind"] for r in data["rates_changed"]}
    assert (data["price_factor"] != 1.0) == bool(moved)  # a moved rate is always listed
    code, data, err = run(
        capsys, "ras", "calibrate", "--cases", str(cases), "--out", str(out), "--from", "none"
    )
    assert code == 0, err
    assert data["from"] == "none" and data["strength"] is None and data["rates_changed"] == []
    assert "fitting" in err
    code, data, err = run(
        capsys, "ras", "calibrate", "--cases", str(cases), "--out", str(out), "--keep-rates"
    )
    assert code == 0, err
    assert data["price_factor"] == 1.0 and data["rates_changed"] == []
    assert load_configuration(out).to_dict()["rates"] == demo_configuration().to_dict()["rates"]
    code, _, err = run(
        capsys,
        "ras",
        "calibrate",
        "--cases",
        str(cases),
        "--out",
        str(out),
        "--base",
        str(start),
        "--from",
        str(start),
    )
    assert code == 2 and "--from none" in err


def test_ras_calibrate_reports_held_out_figures_of_the_chosen_strength(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cases = _cases(tmp_path, 80)
    code, data, err = run(
        capsys, "ras", "calibrate", "--cases", str(cases), "--out", str(tmp_path / "c.yaml")
    )
    assert code == 0, err
    assert "fold 5 of 5" in err and set(data["cross_validated"]) >= {"mdape", "within_20", "outliers"}
    assert 0 < data["cross_validated"]["mdape"] < 1
