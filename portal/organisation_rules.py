"""An organisation's own rules, kept in ``Organisation.settings`` (JSON) and read through one typed object.

Pure Python: the settings pages write these, the queue and the budget confirmation read them, and tests call
them directly. Unknown or missing keys fall back to the defaults below, so an organisation works from day one.

Settings JSON::

    {
      "urgent_wording": {"en": "Call our duty team on …", "cy": "…"},
      "validation": {"light_max_weekly_pence": 30000, "full_check_percent": 10},
      "approval_limits": {"2": {"weekly_pence": 50000, "percent_over": 10}, "3": {...}, "4": {...}}
    }
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

LEVELS = (2, 3, 4)  # PHB governance levels staff sign off at; level 1 is the person's own decisions


@dataclass(frozen=True)
class Limit:
    """What one level may sign off: an amount a week, a percentage above the calculated figure, or both.

    ``None`` means no limit of that kind. Where both are set, the stricter applies: a budget is within the
    limit only if it passes both.
    """

    weekly_pence: int | None = None
    percent_over: Decimal | None = None

    def allows(self, confirmed_pence: int, calculated_pence: int) -> bool:
        """Whether a confirmed weekly budget is within this limit."""
        if self.weekly_pence is not None and confirmed_pence > self.weekly_pence:
            return False
        if self.percent_over is not None:
            ceiling = (Decimal(calculated_pence) * (1 + self.percent_over / 100)).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
            if confirmed_pence > ceiling:
                return False
        return True

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored in the settings."""
        return {
            "weekly_pence": self.weekly_pence,
            "percent_over": str(self.percent_over) if self.percent_over is not None else None,
        }


DEFAULT_LIMITS: Mapping[int, Limit] = {
    2: Limit(weekly_pence=50_000, percent_over=Decimal(10)),
    3: Limit(weekly_pence=150_000, percent_over=Decimal(25)),
    4: Limit(),
}


@dataclass(frozen=True)
class ValidationRule:
    """Proportionate validation: which cases may have a lighter check, and what share still get a full one.

    A case at risk (or urgent) always gets a full validation. Otherwise, a case whose own estimate is at most
    ``light_max_weekly_pence`` may be confirmed with a lighter check, except a random ``full_check_percent``
    of them, which are still routed to full validation. ``light_max_weekly_pence`` of None switches the
    lighter check off.
    """

    light_max_weekly_pence: int | None = 30_000
    full_check_percent: int = 10

    def path(self, *, at_risk: bool, estimate_pence: int | None, draw: float) -> str:
        """``"full"`` or ``"light"``; ``draw`` is a uniform random number in [0, 1) chosen by the caller."""
        if at_risk or self.light_max_weekly_pence is None or estimate_pence is None:
            return "full"
        if estimate_pence > self.light_max_weekly_pence:
            return "full"
        if draw * 100 < self.full_check_percent:
            return "full"
        return "light"

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored in the settings."""
        return {
            "light_max_weekly_pence": self.light_max_weekly_pence,
            "full_check_percent": self.full_check_percent,
        }


@dataclass(frozen=True)
class OrganisationRules:
    """All of an organisation's rules, read from its settings JSON."""

    urgent_wording: Mapping[str, str] = field(default_factory=dict)
    validation: ValidationRule = field(default_factory=ValidationRule)
    limits: Mapping[int, Limit] = field(default_factory=lambda: dict(DEFAULT_LIMITS))

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> OrganisationRules:
        """Read the rules, ignoring malformed values (the settings form refuses them before they are saved)."""
        settings = settings or {}
        wording = settings.get("urgent_wording")
        urgent = (
            {k: v for k, v in wording.items() if isinstance(k, str) and isinstance(v, str)}
            if isinstance(wording, Mapping)
            else {}
        )
        validation = ValidationRule()
        raw = settings.get("validation")
        if isinstance(raw, Mapping):
            validation = ValidationRule(
                light_max_weekly_pence=_int_or_none(
                    raw.get("light_max_weekly_pence"), validation.light_max_weekly_pence
                ),
                # A missing share is the default's; a null one is none (0).
                full_check_percent=min(
                    100,
                    max(
                        0,
                        _int_or_none(
                            raw.get("full_check_percent", validation.full_check_percent),
                            validation.full_check_percent,
                        )
                        or 0,
                    ),
                ),
            )
        limits = dict(DEFAULT_LIMITS)
        raw_limits = settings.get("approval_limits")
        if isinstance(raw_limits, Mapping):
            for key, value in raw_limits.items():
                level = _int_or_none(key, None)
                if level in LEVELS and isinstance(value, Mapping):
                    limits[level] = Limit(
                        weekly_pence=_int_or_none(value.get("weekly_pence"), None),
                        percent_over=_decimal_or_none(value.get("percent_over")),
                    )
        return cls(urgent_wording=urgent, validation=validation, limits=limits)

    def to_settings(self) -> dict[str, Any]:
        """The JSON to store."""
        return {
            "urgent_wording": dict(self.urgent_wording),
            "validation": self.validation.to_json(),
            "approval_limits": {str(level): limit.to_json() for level, limit in sorted(self.limits.items())},
        }

    def required_level(self, confirmed_pence: int, calculated_pence: int) -> int:
        """The lowest level whose limit allows this budget (4, the highest, if none does)."""
        for level in LEVELS:
            if self.limits.get(level, Limit()).allows(confirmed_pence, calculated_pence):
                return level
        return LEVELS[-1]


def _int_or_none(value: Any, default: int | None) -> int | None:
    """An int from JSON, None for null, the default for anything malformed."""
    if value is None:
        return None
    if isinstance(value, bool):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _decimal_or_none(value: Any) -> Decimal | None:
    """A Decimal from JSON text or number, None for null or anything malformed."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() and number >= 0 else None
