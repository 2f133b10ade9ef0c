"""The Estimate and its parts: immutable values, with a JSON-safe ``to_dict`` and ``from_dict``.

Money is integer pence everywhere; ``to_dict`` adds a pounds string beside each amount ("98.00"). Hours,
percentages and shares are ``Decimal`` in the objects and strings in the dict, so nothing passes through a
float. Reasons are codes (an effect, the field and value that caused it, the line it touched and a magnitude),
never sentences: the web layer words them through gettext and the command line through ``wording``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from portal.engine.money import pounds

#: Reason effects (codes). The unit of ``Reason.magnitude`` depends on the effect, as noted.
NEED_LEVEL = "need_level"  # hours a week the model predicts for the area, before unpaid support
UNPAID_SUPPORT = "unpaid_support"  # hours a week that unpaid support covers (taken off)
MINIMUM_TIME = "minimum_time"  # hours a week: the minimum allocation time applied to the area
NOT_ELIGIBLE = "not_eligible"  # hours a week predicted but not funded (not found eligible)
MORE_TIME = "more_time"  # percent more time on the line's areas, from a factor or interaction term
LESS_TIME = "less_time"  # percent less time (a term with a negative coefficient, e.g. a setting)
STAFFING_RATIO = "staffing_ratio"  # people per carer for the line's group activity
NIGHT_SUPPORT = "night_support"  # nights a week of night-time support
CARER_BREAKS = "carer_breaks"  # weeks a year of breaks for the unpaid carer
CONTINGENCY_UPLIFT = "contingency_uplift"  # percent of the other lines added to the contingency
LOCAL_RATE = "local_rate"  # the rate in pence used, where it differs from the kind's default

EFFECTS: tuple[str, ...] = (
    NEED_LEVEL,
    UNPAID_SUPPORT,
    MINIMUM_TIME,
    NOT_ELIGIBLE,
    MORE_TIME,
    LESS_TIME,
    STAFFING_RATIO,
    NIGHT_SUPPORT,
    CARER_BREAKS,
    CONTINGENCY_UPLIFT,
    LOCAL_RATE,
)

FieldValue = int | str | Decimal


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a line is what it is: the answer (field, value) that had an effect on a line, and how much."""

    effect: str
    field: str
    value: FieldValue
    line: str
    magnitude: Decimal
    term: str | None = None
    other_field: str | None = None
    other_value: FieldValue | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe mapping (Decimals as strings)."""
        return {
            "effect": self.effect,
            "field": self.field,
            "value": _value_out(self.value),
            "line": self.line,
            "magnitude": str(self.magnitude),
            "term": self.term,
            "other_field": self.other_field,
            "other_value": _value_out(self.other_value),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        """Inverse of ``to_dict``."""
        return cls(
            effect=data["effect"],
            field=data["field"],
            value=_field_value(data["field"], data["value"]),
            line=data["line"],
            magnitude=Decimal(data["magnitude"]),
            term=data.get("term"),
            other_field=data.get("other_field"),
            other_value=_value_in(data.get("other_field"), data.get("other_value")),
        )


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the allocation summary. A line with nothing allocated has amount 0 and no funder."""

    key: str
    kind: str | None
    funder: str | None
    amount_pence: int
    rate_pence: int | None = None
    hours: Decimal = Decimal("0.00")
    group_hours: Decimal | None = None
    ratio: int | None = None
    hours_per_year: Decimal | None = None
    nights_per_week: Decimal | None = None
    breaks_weeks: int | None = None

    @property
    def allocated(self) -> bool:
        """False when the line shows as "no allocation"."""
        return self.amount_pence > 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe mapping."""
        return {
            "key": self.key,
            "kind": self.kind,
            "funder": self.funder,
            "amount_pence": self.amount_pence,
            "amount_pounds": pounds(self.amount_pence),
            "rate_pence": self.rate_pence,
            "hours": str(self.hours),
            "group_hours": _dec_out(self.group_hours),
            "ratio": self.ratio,
            "hours_per_year": _dec_out(self.hours_per_year),
            "nights_per_week": _dec_out(self.nights_per_week),
            "breaks_weeks": self.breaks_weeks,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Line:
        """Inverse of ``to_dict``."""
        return cls(
            key=data["key"],
            kind=data["kind"],
            funder=data["funder"],
            amount_pence=int(data["amount_pence"]),
            rate_pence=data["rate_pence"],
            hours=Decimal(data["hours"]),
            group_hours=_dec_in(data["group_hours"]),
            ratio=data["ratio"],
            hours_per_year=_dec_in(data["hours_per_year"]),
            nights_per_week=_dec_in(data["nights_per_week"]),
            breaks_weeks=data["breaks_weeks"],
        )


@dataclass(frozen=True, slots=True)
class FunderShare:
    """One funder's part of the budget: pence and a percentage of the total (2 dp; all shares sum to 100.00)."""

    funder: str
    amount_pence: int
    percent: Decimal

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe mapping."""
        return {
            "funder": self.funder,
            "amount_pence": self.amount_pence,
            "amount_pounds": pounds(self.amount_pence),
            "percent": str(self.percent),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FunderShare:
        """Inverse of ``to_dict``."""
        return cls(data["funder"], int(data["amount_pence"]), Decimal(data["percent"]))


@dataclass(frozen=True, slots=True)
class Change:
    """What would change it: how much the weekly budget would rise if unpaid support in an area stopped."""

    area: str
    field: str
    value: Decimal
    line: str
    increase_pence: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe mapping."""
        return {
            "area": self.area,
            "field": self.field,
            "value": str(self.value),
            "line": self.line,
            "increase_pence": self.increase_pence,
            "increase_pounds": pounds(self.increase_pence),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        """Inverse of ``to_dict``."""
        return cls(
            data["area"], data["field"], Decimal(data["value"]), data["line"], int(data["increase_pence"])
        )


@dataclass(frozen=True, slots=True)
class CareAccount:
    """Care-cap projection for a self-funder: what counts toward the cap each week and when it is reached."""

    cap_pence: int
    already_counted_pence: int
    weekly_counting_pence: int
    remaining_pence: int
    weeks_to_cap: int | None  # None when nothing counts toward the cap; 0 when the cap is already reached

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe mapping."""
        out: dict[str, Any] = {}
        for name in ("cap", "already_counted", "weekly_counting", "remaining"):
            value = getattr(self, f"{name}_pence")
            out[f"{name}_pence"] = value
            out[f"{name}_pounds"] = pounds(value)
        out["weeks_to_cap"] = self.weeks_to_cap
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CareAccount:
        """Inverse of ``to_dict``."""
        return cls(
            int(data["cap_pence"]),
            int(data["already_counted_pence"]),
            int(data["weekly_counting_pence"]),
            int(data["remaining_pence"]),
            data["weeks_to_cap"],
        )


@dataclass(frozen=True, slots=True)
class Estimate:
    """An explained estimate: totals, range, lines, funding split, reasons, what would change it, versions."""

    total_weekly_pence: int
    total_yearly_pence: int
    range_low_pence: int
    range_high_pence: int
    lines: tuple[Line, ...]
    split: tuple[FunderShare, ...]
    reasons: tuple[Reason, ...]
    what_would_change: tuple[Change, ...]
    engine_version: str
    config_label: str
    config_hash: str
    mode: str
    eligible: tuple[str, ...] | None = None
    care_account: CareAccount | None = None

    def line(self, key: str) -> Line:
        """The line with this key (KeyError if there is none)."""
        for line in self.lines:
            if line.key == key:
                return line
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe mapping: money as integer pence and as pounds strings, Decimals as strings."""
        out: dict[str, Any] = {}
        for name in ("total_weekly", "total_yearly", "range_low", "range_high"):
            value = getattr(self, f"{name}_pence")
            out[f"{name}_pence"] = value
            out[f"{name}_pounds"] = pounds(value)
        out["lines"] = [line.to_dict() for line in self.lines]
        out["split"] = [share.to_dict() for share in self.split]
        out["reasons"] = [reason.to_dict() for reason in self.reasons]
        out["what_would_change"] = [change.to_dict() for change in self.what_would_change]
        out["engine_version"] = self.engine_version
        out["config_label"] = self.config_label
        out["config_hash"] = self.config_hash
        out["mode"] = self.mode
        out["eligible"] = None if self.eligible is None else list(self.eligible)
        out["care_account"] = None if self.care_account is None else self.care_account.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Estimate:
        """Rebuild an Estimate from ``to_dict`` output (the pence figures are authoritative)."""
        eligible = data.get("eligible")
        care = data.get("care_account")
        return cls(
            total_weekly_pence=int(data["total_weekly_pence"]),
            total_yearly_pence=int(data["total_yearly_pence"]),
            range_low_pence=int(data["range_low_pence"]),
            range_high_pence=int(data["range_high_pence"]),
            lines=tuple(Line.from_dict(d) for d in data["lines"]),
            split=tuple(FunderShare.from_dict(d) for d in data["split"]),
            reasons=tuple(Reason.from_dict(d) for d in data["reasons"]),
            what_would_change=tuple(Change.from_dict(d) for d in data["what_would_change"]),
            engine_version=data["engine_version"],
            config_label=data["config_label"],
            config_hash=data["config_hash"],
            mode=data["mode"],
            eligible=None if eligible is None else tuple(eligible),
            care_account=None if care is None else CareAccount.from_dict(care),
        )


def _dec_out(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dec_in(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _value_out(value: FieldValue | None) -> int | str | None:
    # Unpaid shares are Decimals: keep them exact as strings; ints and choices pass through.
    return str(value) if isinstance(value, Decimal) else value


def _value_in(field_name: str | None, value: Any) -> FieldValue | None:
    if value is None or field_name is None:
        return None
    return _field_value(field_name, value)


def _field_value(field_name: str, value: Any) -> FieldValue:
    if field_name.startswith("unpaid_"):
        return Decimal(value)
    if isinstance(value, int | str):
        return value
    raise ValueError(f"{field_name}: unexpected value {value!r}")


# Fast constructors for the hot path: a frozen dataclass's __init__ goes through object.__setattr__ for each
# field, which costs several times more than setting the slots directly through their descriptors.
_new = object.__new__
_r_set = tuple(getattr(Reason, name).__set__ for name in Reason.__dataclass_fields__)
_l_set = tuple(getattr(Line, name).__set__ for name in Line.__dataclass_fields__)
_c_set = tuple(getattr(Change, name).__set__ for name in Change.__dataclass_fields__)
_s_set = tuple(getattr(FunderShare, name).__set__ for name in FunderShare.__dataclass_fields__)
_e_set = tuple(getattr(Estimate, name).__set__ for name in Estimate.__dataclass_fields__)


def make_reason(
    effect: str,
    field_name: str,
    value: FieldValue,
    line: str,
    magnitude: Decimal,
    term: str | None = None,
    other_field: str | None = None,
    other_value: FieldValue | None = None,
) -> Reason:
    """Build a Reason without the frozen-dataclass __init__ overhead (same result as ``Reason(...)``)."""
    obj: Reason = _new(Reason)
    s0, s1, s2, s3, s4, s5, s6, s7 = _r_set
    s0(obj, effect)
    s1(obj, field_name)
    s2(obj, value)
    s3(obj, line)
    s4(obj, magnitude)
    s5(obj, term)
    s6(obj, other_field)
    s7(obj, other_value)
    return obj


def make_line(
    key: str,
    kind: str | None,
    funder: str | None,
    amount_pence: int,
    rate_pence: int | None,
    hours: Decimal,
    group_hours: Decimal | None,
    ratio: int | None,
    hours_per_year: Decimal | None,
    nights_per_week: Decimal | None,
    breaks_weeks: int | None,
) -> Line:
    """Build a Line without the frozen-dataclass __init__ overhead (same result as ``Line(...)``)."""
    obj: Line = _new(Line)
    s = _l_set
    s[0](obj, key)
    s[1](obj, kind)
    s[2](obj, funder)
    s[3](obj, amount_pence)
    s[4](obj, rate_pence)
    s[5](obj, hours)
    s[6](obj, group_hours)
    s[7](obj, ratio)
    s[8](obj, hours_per_year)
    s[9](obj, nights_per_week)
    s[10](obj, breaks_weeks)
    return obj


def make_change(area: str, field_name: str, value: Decimal, line: str, increase_pence: int) -> Change:
    """Build a Change without the frozen-dataclass __init__ overhead."""
    obj: Change = _new(Change)
    s0, s1, s2, s3, s4 = _c_set
    s0(obj, area)
    s1(obj, field_name)
    s2(obj, value)
    s3(obj, line)
    s4(obj, increase_pence)
    return obj


def make_share(funder: str, amount_pence: int, percent: Decimal) -> FunderShare:
    """Build a FunderShare without the frozen-dataclass __init__ overhead."""
    obj: FunderShare = _new(FunderShare)
    s0, s1, s2 = _s_set
    s0(obj, funder)
    s1(obj, amount_pence)
    s2(obj, percent)
    return obj


def make_estimate(*values: Any) -> Estimate:
    """Build an Estimate from all its field values in order, without the frozen-dataclass __init__ overhead."""
    if len(values) != len(_e_set):
        raise TypeError(f"make_estimate takes {len(_e_set)} values")
    obj: Estimate = _new(Estimate)
    for setter, value in zip(_e_set, values, strict=True):
        setter(obj, value)
    return obj
