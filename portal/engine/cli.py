"""Command line for the engine: ``estimate`` a profile, and ``ras calibrate`` / ``ras accuracy`` on local cases.

    python -m portal.engine.cli estimate --profile person.json [--config council.yaml] [--mode ipb]
    python -m portal.engine.cli ras calibrate --cases cases.csv --out council.yaml [--from CONFIG|none]
    python -m portal.engine.cli ras accuracy --cases cases.csv --config council.yaml

The ``portal`` console script passes its arguments to ``main``. Output is JSON on stdout; a malformed profile,
configuration or cases file gets a one-line error on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from portal.engine import wording
from portal.engine.calculator import ELIGIBLE_KEYS, MODES, estimate
from portal.engine.config_errors import ConfigurationError
from portal.engine.configuration import (
    Configuration,
    demo_configuration,
    load_configuration,
)
from portal.engine.money import pounds_number
from portal.engine.profile import NeedsProfile, ProfileError
from portal.engine.result import Estimate

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class InputError(Exception):
    """A file given on the command line cannot be used; the message names the file and the problem."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Budget engine (Resource Allocation System).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    est = commands.add_parser("estimate", help="estimate a weekly budget for a Needs Profile (JSON)")
    est.add_argument(
        "--profile", required=True, type=Path, help="a JSON object with the canonical profile fields"
    )
    est.add_argument(
        "--config", type=Path, help="a configuration file (YAML); default: the demo configuration"
    )
    est.add_argument("--mode", choices=MODES, default="personal", help="personal budget or ipb (self-funder)")
    est.add_argument(
        "--eligible",
        help=f"comma-separated areas found eligible (of: {', '.join(ELIGIBLE_KEYS)}); default: all",
    )
    est.add_argument(
        "--already-counted",
        type=int,
        default=0,
        metavar="PENCE",
        help="ipb: amount already counted toward a cap",
    )
    ras = commands.add_parser("ras", help="accuracy testing and calibration on local cases (CSV)")
    ras_commands = ras.add_subparsers(dest="ras_command", required=True, metavar="RAS_COMMAND")
    cal = ras_commands.add_parser("calibrate", help="fit a configuration's coefficients to local cases")
    cal.add_argument(
        "--cases", required=True, type=Path, help="cases CSV (profile columns, case_id, actual cost)"
    )
    cal.add_argument(
        "--out", required=True, type=Path, help="where to write the calibrated configuration (YAML)"
    )
    cal.add_argument(
        "--from",
        dest="start",
        default="",
        metavar="CONFIG|none",
        help="configuration to start from and shrink toward (default: the shipped one); "
        "none: fit from scratch, today's fit",
    )
    cal.add_argument(
        "--base",
        type=Path,
        help="with --from none: configuration whose structure and rates to keep; default: the shipped one",
    )
    cal.add_argument(
        "--keep-rates",
        action="store_true",
        help="no overall price factor: every rate stays exactly as it is",
    )
    cal.add_argument("--label", help="label for the calibrated configuration")
    cal.add_argument(
        "--cross-validate",
        type=int,
        default=0,
        metavar="K",
        help="folds of the cross-validation that chooses the strength and gives held-out figures (default 5)",
    )
    acc = ras_commands.add_parser("accuracy", help="compare estimates with actual costs")
    acc.add_argument("--cases", required=True, type=Path, help="cases CSV")
    acc.add_argument("--config", type=Path, help="configuration file (YAML); default: the demo configuration")
    return parser


def _config(path: Path | None) -> Configuration:
    if path is None:
        return demo_configuration()
    try:
        return load_configuration(path)
    except ConfigurationError as exc:
        raise InputError(f"{path}: {exc}") from None


def _profile(path: Path) -> NeedsProfile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: the file is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    try:
        return NeedsProfile.from_mapping(data)
    except ProfileError as exc:
        raise InputError(f"{path}: {exc}") from None


def _line_titles(config: Configuration) -> dict[str, str]:
    return {line["key"]: line["title"] for line in config.to_dict()["lines"] if "title" in line}


def estimate_json(result: Estimate, titles: dict[str, str] | None = None) -> dict[str, Any]:
    """The estimate as the command line prints it: pounds as numbers, with English wording beside the codes."""
    lines = []
    for line in result.lines:
        lines.append(
            {
                "key": line.key,
                "title": wording.line_title(line, titles),
                "funder": line.funder,
                "kind": line.kind,
                "amount": pounds_number(line.amount_pence),
                "amount_pence": line.amount_pence,
                "hours": float(line.hours),
                "group_hours": None if line.group_hours is None else float(line.group_hours),
                "ratio": line.ratio,
                "hours_per_year": None if line.hours_per_year is None else float(line.hours_per_year),
                "nights_per_week": None if line.nights_per_week is None else float(line.nights_per_week),
                "breaks_weeks": line.breaks_weeks,
                "text": wording.line_text(line),
            }
        )
    out: dict[str, Any] = {
        "total_weekly": pounds_number(result.total_weekly_pence),
        "total_weekly_pence": result.total_weekly_pence,
        "total_yearly": pounds_number(result.total_yearly_pence),
        "total_yearly_pence": result.total_yearly_pence,
        "range": {
            "low": pounds_number(result.range_low_pence),
            "high": pounds_number(result.range_high_pence),
            "low_pence": result.range_low_pence,
            "high_pence": result.range_high_pence,
        },
        "mode": result.mode,
        "eligible": None if result.eligible is None else list(result.eligible),
        "lines": lines,
        "split": [
            {
                "funder": share.funder,
                "amount": pounds_number(share.amount_pence),
                "amount_pence": share.amount_pence,
                "percent": float(share.percent),
                "text": wording.split_text(share.funder, share.percent, share.amount_pence),
            }
            for share in result.split
        ],
        "reasons": [
            {
                "code": reason.effect,
                "field": reason.field,
                "value": _json_value(reason.value),
                "line": reason.line,
                "magnitude": float(reason.magnitude),
                "term": reason.term,
                "other_field": reason.other_field,
                "other_value": _json_value(reason.other_value),
                "text": wording.reason_text(reason),
            }
            for reason in result.reasons
        ],
        "what_would_change": [
            {
                "area": change.area,
                "field": change.field,
                "line": change.line,
                "increase": pounds_number(change.increase_pence),
                "increase_pence": change.increase_pence,
                "text": wording.change_text(change),
            }
            for change in result.what_would_change
        ],
        "care_account": None if result.care_account is None else result.care_account.to_dict(),
        "versions": {
            "engine": result.engine_version,
            "config_label": result.config_label,
            "config_hash": result.config_hash,
        },
    }
    return out


def _json_value(value: object) -> object:
    from decimal import Decimal

    return float(value) if isinstance(value, Decimal) else value


def _run_estimate(args: argparse.Namespace) -> int:
    profile = _profile(args.profile)
    config = _config(args.config)
    eligible = None
    if args.eligible is not None:
        eligible = [key.strip() for key in args.eligible.split(",") if key.strip()]
    try:
        result = estimate(
            profile, config, eligible=eligible, mode=args.mode, already_counted_pence=args.already_counted
        )
    except (ProfileError, ValueError) as exc:
        raise InputError(str(exc)) from None
    _print(estimate_json(result, _line_titles(config)))
    return EXIT_OK


def _cases(path: Path) -> Any:
    from portal.engine.case_file import CaseFileError, read_cases

    try:
        return read_cases(path)
    except CaseFileError as exc:
        raise InputError(f"{path}: {exc}") from None


def _run_calibrate(args: argparse.Namespace) -> int:
    from portal.engine import calibrate, local

    cases = _cases(args.cases)
    scratch = args.start.strip().lower() == "none"
    if args.base is not None and not scratch:
        raise InputError("--base is for --from none; to start from a configuration, give it as --from CONFIG")
    start: Configuration | None = None if scratch else _config(Path(args.start) if args.start else None)
    base = _config(args.base) if start is None else start

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        if args.cross_validate and args.cross_validate < 2:
            raise InputError("--cross-validate needs at least 2 folds")
        result = local.calibrate(
            cases,
            start,
            base=base,
            folds=args.cross_validate or 5,
            price=not args.keep_rates,
            label=args.label,
            progress=progress,
        )
    except ValueError as exc:
        raise InputError(f"{args.cases}: {exc}") from None
    config = result.config
    try:
        args.out.write_text(config.to_yaml(), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{args.out}: cannot write the file ({exc.strerror or exc})") from None
    report = calibrate.accuracy(cases, config)
    summary: dict[str, Any] = {
        "config": str(args.out),
        "label": config.label,
        "content_hash": config.content_hash,
        "cases": len(cases),
        "from": "none" if scratch else (args.start or "shipped"),
        "strength": None
        if result.strength is None
        else ("one factor only" if result.factor_only else result.strength),
        # every rate the one price factor moved, in pounds per hour, night or week: never moved silently
        "price_factor": round(result.price_factor, 4),
        "rates_changed": [
            {"kind": kind, "per": unit, "before": pounds_number(old), "after": pounds_number(new)}
            for kind, unit, old, new in local.rate_changes(base, config)
        ],
        "in_sample": report.figures.to_dict() | {"outliers": len(report.outliers)},
        "additive_in_sample": report.additive.to_dict() | {"outliers": len(report.additive.outliers)},
    }
    if result.held_out:
        # the strength was chosen by cross-validation: each case's estimate by the chosen fit without it
        held = calibrate.held_out_report(cases, result.held_out, result.folds, base)
        summary["cross_validated"] = held.figures.to_dict() | {"outliers": len(held.outliers)}
        summary["additive_cross_validated"] = held.additive.to_dict() | {
            "outliers": len(held.additive.outliers)
        }
    elif args.cross_validate:
        held = calibrate.cross_validate(cases, base, folds=args.cross_validate, progress=progress)
        summary["cross_validated"] = held.figures.to_dict() | {"outliers": len(held.outliers)}
        summary["additive_cross_validated"] = held.additive.to_dict() | {
            "outliers": len(held.additive.outliers)
        }
    _print(summary)
    return EXIT_OK


def _run_accuracy(args: argparse.Namespace) -> int:
    from portal.engine import calibrate

    cases = _cases(args.cases)
    config = _config(args.config)
    _print(calibrate.accuracy(cases, config).to_dict())
    return EXIT_OK


def _print(data: dict[str, Any]) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the engine command line; return the exit code (2 for bad input)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its message
        return int(exc.code or 0)
    try:
        if args.command == "estimate":
            return _run_estimate(args)
        if args.ras_command == "calibrate":
            return _run_calibrate(args)
        return _run_accuracy(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover - run by test_module_entry_point in a subprocess
    sys.exit(main())
