"""Reading a cases file for accuracy testing and calibration: every bad row and column reported at once.

The CSV has the Needs Profile columns, case_id and actual_weekly_cost in pounds, and optionally age_band, sex and
ethnicity. Every problem is (row, column, message) in :attr:`CaseFileError.problems`, rows numbered as in a
spreadsheet, with a code and values in :attr:`CaseFileError.codes` (one of :data:`CASE_CODES`) so that the web words
it in any language. A number is checked for a plain shape before it is converted, so a value no real case has
("1e400000") is refused at once instead of being turned into a 400,000-digit integer.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from portal.engine.profile import FIELD_NAMES, NeedsProfile, ProfileError

CASE_COLUMNS: tuple[str, ...] = ("case_id", *FIELD_NAMES, "actual_weekly_cost")
#: Optional columns an accuracy-test file may add, never required: accuracy is also reported for each of their
#: values (fairness). Free text up to :data:`GROUP_MAX` characters; a blank cell means not recorded.
GROUP_COLUMNS: tuple[str, ...] = ("age_band", "sex", "ethnicity")
GROUP_MAX = 60
#: A weekly cost as written in a cases file: pounds (commas between thousands allowed) and at most two decimals.
COST_SHAPE = re.compile(r"£?(\d{1,3}(,\d{3})+|\d{1,9})(\.\d{1,2})?")
#: No real case costs more than this a week (£100,000): anything above is a typo or a unit mix-up.
MAX_WEEKLY_PENCE = 10_000_000
#: What a problem of a cases file can be (with its values): the web words each.
CASE_CODES = frozenset(
    {
        "unreadable",  # file, reason
        "too_large",  # megabytes (the web's upload limit)
        "not_utf8",
        "empty_file",
        "no_header",
        "not_csv",
        "missing_column",
        "unknown_column",
        "repeated_column",
        "too_many_cases",  # max
        "wrong_width",  # values, columns
        "no_cases",
        "empty_id",
        "repeated_id",  # id, first_row
        "bad_value",  # got (the column says which values are allowed)
        "cost_shape",  # got
        "cost_not_positive",  # got
        "cost_too_high",  # max_pence, got
        "group_too_long",  # max
    }
)

Problem = tuple[int | None, str | None, str]


class Problems(list[Problem]):
    """The problems found so far, each with its code and values (in :attr:`codes`, in the same order)."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[tuple[str, dict[str, Any]]] = []

    def add(self, row: int | None, column: str | None, message: str, code: str, **values: Any) -> None:
        self.append((row, column, message))
        self.codes.append((code, values))


def one_problem(row: int | None, column: str | None, message: str, code: str, **values: Any) -> CaseFileError:
    """A :class:`CaseFileError` with one problem."""
    problems = Problems()
    problems.add(row, column, message, code, **values)
    return CaseFileError(problems)


class CaseFileError(ValueError):
    """A cases CSV is malformed; ``problems`` lists (row, column, message), rows numbered as in a spreadsheet, and
    ``codes`` the (code, values) of each, in the same order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        self.codes: list[tuple[str, dict[str, Any]]] = list(
            getattr(problems, "codes", None) or [("invalid", {}) for _ in problems]
        )
        shown = "; ".join(_problem_text(p) for p in problems[:10])
        more = f" (and {len(problems) - 10} more problems)" if len(problems) > 10 else ""
        super().__init__(shown + more)


def _problem_text(problem: tuple[int | None, str | None, str]) -> str:
    row, column, message = problem
    where = []
    if row is not None:
        where.append(f"row {row}")
    if column is not None:
        where.append(f"column {column}")
    return f"{', '.join(where)}: {message}" if where else message


@dataclass(frozen=True, slots=True)
class Case:
    """One local case: its id, Needs Profile and actual weekly cost in pence."""

    case_id: str
    profile: NeedsProfile
    actual_pence: int
    groups: tuple[tuple[str, str], ...] = ()  # (optional column, value) for the columns the file has


def read_cases(source: str | os.PathLike[str] | io.TextIOBase, *, max_rows: int = 100_000) -> list[Case]:
    """Read and check a cases CSV (a path or an open text file); raise CaseFileError listing every problem."""
    if isinstance(source, str | os.PathLike):
        try:
            with open(source, encoding="utf-8-sig", newline="") as handle:
                return _read_cases(handle, max_rows)
        except OSError as exc:
            raise one_problem(
                None,
                None,
                f"cannot read {os.fspath(source)}: {exc.strerror or exc}",
                "unreadable",
                file=os.fspath(source),
                reason=str(exc.strerror or exc),
            ) from None
        except UnicodeDecodeError:
            raise one_problem(
                None, None, "the file is not UTF-8 text (save it as CSV UTF-8)", "not_utf8"
            ) from None
    return _read_cases(source, max_rows)


def _read_cases(handle: Any, max_rows: int) -> list[Case]:
    reader = csv.reader(handle, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise one_problem(None, None, "the file is empty", "empty_file") from None
    except csv.Error as exc:
        raise one_problem(1, None, f"not valid CSV ({exc})", "not_csv") from None
    header = [h.strip() for h in header]
    if not any(header):
        raise one_problem(1, None, "the file is empty (no header row)", "no_header")
    problems = Problems()
    for column in CASE_COLUMNS:
        if column not in header:
            problems.add(1, column, "is missing from the header", "missing_column")
    for column in header:
        if column not in CASE_COLUMNS and column not in GROUP_COLUMNS:
            problems.add(1, column, "is not a column of the cases format", "unknown_column")
    if len(set(header)) != len(header):
        problems.add(1, None, "a column name is repeated", "repeated_column")
    if problems:
        raise CaseFileError(problems)
    cases: list[Case] = []
    seen: dict[str, int] = {}
    row_no = 1
    try:
        for row_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(cases) >= max_rows:
                problems.add(
                    row_no, None, f"the file has more than {max_rows} cases", "too_many_cases", max=max_rows
                )
                break
            if len(row) != len(header):
                problems.add(
                    row_no,
                    None,
                    f"has {len(row)} values but the header has {len(header)} columns",
                    "wrong_width",
                    values=len(row),
                    columns=len(header),
                )
                continue
            record = dict(zip(header, row, strict=True))
            case = _case(row_no, record, problems, seen)
            if case is not None:
                cases.append(case)
    except csv.Error as exc:
        problems.add(row_no + 1, None, f"not valid CSV ({exc})", "not_csv")
    if not cases and not problems:
        problems.add(None, None, "the file has no cases", "no_cases")
    if problems:
        raise CaseFileError(problems)
    return cases


def _case(
    row_no: int,
    record: dict[str, str],
    problems: Problems,
    seen: dict[str, int],
) -> Case | None:
    bad = False
    case_id = record["case_id"].strip()
    if not case_id:
        problems.add(row_no, "case_id", "is empty", "empty_id")
        bad = True
    elif case_id in seen:
        problems.add(
            row_no,
            "case_id",
            f"repeats {case_id!r} (first on row {seen[case_id]})",
            "repeated_id",
            id=case_id[:40],
            first_row=seen[case_id],
        )
        bad = True
    else:
        seen[case_id] = row_no
    profile = None
    try:
        profile = NeedsProfile.from_mapping({name: record[name] for name in FIELD_NAMES})
    except ProfileError:
        # from_mapping stops at the first bad field; check field by field to report all of them
        for name in FIELD_NAMES:
            try:
                _check_field(name, record[name])
            except ProfileError as exc:
                problems.add(row_no, name, str(exc).split(": ", 1)[1], "bad_value", got=record[name][:40])
        bad = True
    cost_text = record["actual_weekly_cost"].strip()
    cost = _weekly_cost(cost_text)
    if isinstance(cost, tuple):
        message, code = cost
        values: dict[str, Any] = {"got": cost_text[:40]}
        if code == "cost_too_high":
            values["max_pence"] = MAX_WEEKLY_PENCE
        problems.add(row_no, "actual_weekly_cost", f"{message} (got {cost_text[:40]!r})", code, **values)
        bad = True
    if bad or profile is None or isinstance(cost, tuple):
        return None
    pence = int((cost * 100).to_integral_value(rounding="ROUND_HALF_UP"))
    groups = []
    for column in GROUP_COLUMNS:
        value = " ".join(record.get(column, "").split())
        if len(value) > GROUP_MAX:
            problems.add(
                row_no, column, f"must be at most {GROUP_MAX} characters", "group_too_long", max=GROUP_MAX
            )
            return None
        if value:
            groups.append((column, value))
    return Case(case_id, profile, pence, tuple(groups))


def _weekly_cost(text: str) -> Decimal | tuple[str, str]:
    """A weekly cost in pounds, or what is wrong with it. The shape is checked before any conversion, so a value
    no real case has ("1e400000", "1e50", "0.001") is refused at once instead of being turned into a huge number.
    """
    if not COST_SHAPE.fullmatch(text):
        return "must be an amount in pounds and pence, like 412.50", "cost_shape"
    cost = Decimal(text.lstrip("£").replace(",", ""))
    if cost <= 0:
        return "must be an amount in pounds above 0", "cost_not_positive"
    if cost * 100 > MAX_WEEKLY_PENCE:
        return f"must be at most £{MAX_WEEKLY_PENCE // 100:,} a week", "cost_too_high"
    return cost


def _check_field(name: str, value: str) -> None:
    probe = dict(_VALID_PROBE)
    probe[name] = value
    NeedsProfile.from_mapping(probe)


_VALID_PROBE: dict[str, Any] = {
    name: ("older_people" if name == "client_group" else "community" if name == "setting" else 0)
    for name in FIELD_NAMES
}
