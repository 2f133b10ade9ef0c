"""The Needs Profile: the canonical fields the engine reads, with their value domains.

The field names and values are those of the accuracy-testing CSV (see the data README): a person's client group
and setting, six factors, a level of need and an unpaid share for each of twelve areas of need, night-time support
and weeks of carer breaks. ``NeedsProfile.from_mapping`` accepts the CSV's values (numbers or numeric strings)
and raises ``ProfileError`` naming the first bad field and value.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

AREAS: tuple[str, ...] = (
    "nutrition",
    "hygiene",
    "toileting",
    "dressing",
    "home_safety",
    "home_environment",
    "relationships",
    "work_learning",
    "community",
    "childcare",
    "mental_health",
    "medication",
)
CLIENT_GROUPS: tuple[str, ...] = (
    "older_people",
    "physical_disability",
    "learning_disability",
    "mental_health",
    "autism",
)
SETTINGS: tuple[str, ...] = ("community", "supported_living")

#: The person-level factors, in the order of the "factor key" the engine caches on.
FACTORS: tuple[str, ...] = (
    "client_group",
    "setting",
    "lives_alone",
    "memory_cognition",
    "behaviour_challenges",
    "mobility",
    "fluctuating",
    "two_carers",
)
#: Integer fields and their largest value (all start at 0).
INT_FIELDS: dict[str, int] = {
    "lives_alone": 1,
    "memory_cognition": 3,
    "behaviour_challenges": 2,
    "mobility": 3,
    "fluctuating": 1,
    "two_carers": 1,
    **{f"need_{area}": 4 for area in AREAS},
    "night": 3,
    "carer_breaks_weeks": 6,
}
#: Factors where a higher value means more need, so can only ever raise a budget.
NEED_RAISING: frozenset[str] = frozenset(
    {
        "memory_cognition",
        "behaviour_challenges",
        "mobility",
        "fluctuating",
        "two_carers",
        "night",
        "carer_breaks_weeks",
    }
)
UNPAID_SHARES: tuple[Decimal, ...] = tuple(Decimal(v) for v in ("0", "0.25", "0.5", "0.75", "1"))
#: Optional fields and their value when a profile does not give them. Unpaid help at night came after the
#: accuracy-testing CSV and the first case files, which do not have it: they load with none.
OPTIONAL_FIELDS: dict[str, Decimal] = {"unpaid_night": Decimal("0")}
NEED_FIELDS: tuple[str, ...] = tuple(f"need_{a}" for a in AREAS)
UNPAID_FIELDS: tuple[str, ...] = tuple(f"unpaid_{a}" for a in AREAS)


class ProfileError(ValueError):
    """A Needs Profile field is missing, unknown or has a value outside its domain."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


def _describe(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


#: The shapes a number may have in text: a few digits, and for a level a zero fraction ("2.0" from a spreadsheet).
_PLAIN_INT = re.compile(r"[+-]?\d{1,6}(\.0{0,6})?")
_PLAIN_SHARE = re.compile(r"[+-]?\d{1,6}(\.\d{0,6})?")


def _int_value(name: str, value: object) -> int:
    top = INT_FIELDS[name]
    allowed = ", ".join(str(i) for i in range(top)) + f" or {top}"
    if isinstance(value, bool):
        raise ProfileError(name, f"must be {allowed} (got {_describe(value)})")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        # refuse any text that is not a short plain number before converting it: "1e400000" would be a
        # 400,000-digit integer, which holds a worker for half a minute
        if not _PLAIN_INT.fullmatch(value.strip()):
            raise ProfileError(name, f"must be {allowed} (got {_describe(value)})")
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            raise ProfileError(name, f"must be {allowed} (got {_describe(value)})") from None
        if not parsed.is_finite() or parsed != parsed.to_integral_value():
            raise ProfileError(name, f"must be {allowed} (got {_describe(value)})")
        number = int(parsed)
    else:
        raise ProfileError(name, f"must be {allowed} (got {_describe(value)})")
    if not 0 <= number <= top:
        raise ProfileError(name, f"must be {allowed} (got {_describe(value)})")
    return number


def _share_value(name: str, value: object) -> Decimal:
    message = f"must be 0, 0.25, 0.5, 0.75 or 1 (got {_describe(value)})"
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ProfileError(name, message)
    if isinstance(value, str) and not _PLAIN_SHARE.fullmatch(value.strip()):
        raise ProfileError(name, message)
    try:
        share = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise ProfileError(name, message) from None
    if not share.is_finite() or share not in UNPAID_SHARES:
        raise ProfileError(name, message)
    return UNPAID_SHARES[UNPAID_SHARES.index(share)]


def _choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    if isinstance(value, str) and value.strip() in choices:
        return value.strip()
    raise ProfileError(name, f"must be one of {', '.join(choices)} (got {_describe(value)})")


@dataclass(frozen=True, slots=True)
class NeedsProfile:
    """A person's canonical Needs Profile: the inputs the engine reads."""

    client_group: str
    setting: str
    lives_alone: int
    memory_cognition: int
    behaviour_challenges: int
    mobility: int
    fluctuating: int
    two_carers: int
    need_nutrition: int
    unpaid_nutrition: Decimal
    need_hygiene: int
    unpaid_hygiene: Decimal
    need_toileting: int
    unpaid_toileting: Decimal
    need_dressing: int
    unpaid_dressing: Decimal
    need_home_safety: int
    unpaid_home_safety: Decimal
    need_home_environment: int
    unpaid_home_environment: Decimal
    need_relationships: int
    unpaid_relationships: Decimal
    need_work_learning: int
    unpaid_work_learning: Decimal
    need_community: int
    unpaid_community: Decimal
    need_childcare: int
    unpaid_childcare: Decimal
    need_mental_health: int
    unpaid_mental_health: Decimal
    need_medication: int
    unpaid_medication: Decimal
    night: int
    carer_breaks_weeks: int
    unpaid_night: Decimal = Decimal("0")  # share of the help at night that unpaid support will keep giving
    # Derived once so the engine's hot path reads tuples, not 24 attributes.
    needs: tuple[int, ...] = field(init=False, repr=False, compare=False)
    unpaid_quarters: tuple[int, ...] = field(init=False, repr=False, compare=False)
    factor_key: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check every value against its domain (the same checks as ``from_mapping``, without coercion)."""
        for name in PROFILE_FIELDS:
            value = getattr(self, name)
            if name == "client_group":
                ok = value in CLIENT_GROUPS
            elif name == "setting":
                ok = value in SETTINGS
            elif name.startswith("unpaid_"):
                ok = isinstance(value, Decimal) and value in UNPAID_SHARES
            else:
                ok = type(value) is int and 0 <= value <= INT_FIELDS[name]
            if not ok:
                # Re-run the coercing check to get the standard message (or a type complaint).
                _coerce(name, value)
                raise ProfileError(name, f"has the wrong type ({type(value).__name__})")
        needs = tuple(getattr(self, n) for n in NEED_FIELDS)
        quarters = tuple(int(getattr(self, n) * 4) for n in UNPAID_FIELDS)
        key = (
            CLIENT_GROUPS.index(self.client_group),
            SETTINGS.index(self.setting),
            self.lives_alone,
            self.memory_cognition,
            self.behaviour_challenges,
            self.mobility,
            self.fluctuating,
            self.two_carers,
        )
        object.__setattr__(self, "needs", needs)
        object.__setattr__(self, "unpaid_quarters", quarters)
        object.__setattr__(self, "factor_key", key)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, extra: Literal["forbid", "ignore"] = "forbid"
    ) -> NeedsProfile:
        """Build a profile from canonical field names and CSV-style values; raise ProfileError if any is bad."""
        _check_fields(data, _FIELD_SET, extra)
        return cls(**_read_fields(data, PROFILE_FIELDS))

    def to_dict(self) -> dict[str, int | float | str]:
        """Return the canonical mapping (unpaid shares as numbers, as in the CSV), optional fields included."""
        out: dict[str, int | float | str] = {}
        for name in PROFILE_FIELDS:
            value = getattr(self, name)
            out[name] = float(value) if isinstance(value, Decimal) else value
        return out

    @property
    def areas(self) -> tuple[str, ...]:
        """The areas of need this profile has levels for: the adult tool's twelve."""
        return AREAS

    @property
    def need_levels(self) -> int:
        """The highest level of need in an area."""
        return 4

    def need(self, area: str) -> int:
        """Level of need (0–4) in an area of need."""
        return self.needs[AREAS.index(area)]

    def unpaid(self, area: str) -> Decimal:
        """Share of the need in an area that unpaid support will keep meeting."""
        return UNPAID_SHARES[self.unpaid_quarters[AREAS.index(area)]]


def _coerce(name: str, value: object) -> Any:
    if name == "client_group":
        return _choice(name, value, CLIENT_GROUPS)
    if name == "setting":
        return _choice(name, value, SETTINGS)
    if name.startswith("unpaid_"):
        return _share_value(name, value)
    return _int_value(name, value)


#: Every field a profile has, the optional ones last.
PROFILE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(NeedsProfile) if f.init)
#: The required fields: the accuracy-testing CSV's columns.
FIELD_NAMES: tuple[str, ...] = tuple(name for name in PROFILE_FIELDS if name not in OPTIONAL_FIELDS)
_FIELD_SET = frozenset(PROFILE_FIELDS)


def _check_fields(data: Any, allowed: Collection[str], extra: Literal["forbid", "ignore"]) -> None:
    """Refuse anything but a mapping, and (``extra="forbid"``) any field name not in ``allowed``."""
    if not isinstance(data, Mapping):
        raise ProfileError(
            "profile", f"must be an object of field names and values (got {type(data).__name__})"
        )
    if extra == "forbid":
        for key in data:
            if key not in allowed:
                raise ProfileError(str(key), "is not a Needs Profile field")


def _read_fields(data: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Each field's value, checked; an optional field left out takes its default, any other is required."""
    values: dict[str, Any] = {}
    for name in fields:
        if name not in data:
            if name in OPTIONAL_FIELDS:
                values[name] = OPTIONAL_FIELDS[name]
                continue
            raise ProfileError(name, "is required")
        values[name] = _coerce(name, data[name])
    return values


#: The fields every profile has whatever its tool's areas of need (the person's factors, night, carer breaks).
PERSON_FIELDS: tuple[str, ...] = (
    "client_group",
    "setting",
    "lives_alone",
    "memory_cognition",
    "behaviour_challenges",
    "mobility",
    "fluctuating",
    "two_carers",
    "night",
    "carer_breaks_weeks",
    "unpaid_night",
)


@dataclass(frozen=True, slots=True)
class AreaProfile:
    """The Needs Profile of a tool that declares its own areas of need and levels (decision 0015).

    The person's fields are ``NeedsProfile``'s; the level and unpaid share in each area are tuples in the order
    of ``areas``. The engine reads it exactly as it reads a ``NeedsProfile``.
    """

    areas: tuple[str, ...]
    need_levels: int
    client_group: str
    setting: str
    lives_alone: int
    memory_cognition: int
    behaviour_challenges: int
    mobility: int
    fluctuating: int
    two_carers: int
    night: int
    carer_breaks_weeks: int
    unpaid_night: Decimal
    needs: tuple[int, ...]
    unpaid_quarters: tuple[int, ...]
    factor_key: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the tuples' lengths and levels (values come checked from ``from_mapping``)."""
        if len(self.needs) != len(self.areas) or len(self.unpaid_quarters) != len(self.areas):
            raise ProfileError("needs", "must give a level and an unpaid share for every area of need")
        for area, level, quarters in zip(self.areas, self.needs, self.unpaid_quarters, strict=True):
            if type(level) is not int or not 0 <= level <= self.need_levels:
                raise ProfileError(f"need_{area}", f"must be a whole number from 0 to {self.need_levels}")
            if type(quarters) is not int or not 0 <= quarters <= 4:
                raise ProfileError(f"unpaid_{area}", "must be 0, 0.25, 0.5, 0.75 or 1")
        key = (
            CLIENT_GROUPS.index(self.client_group),
            SETTINGS.index(self.setting),
            self.lives_alone,
            self.memory_cognition,
            self.behaviour_challenges,
            self.mobility,
            self.fluctuating,
            self.two_carers,
        )
        object.__setattr__(self, "factor_key", key)

    @classmethod
    def from_mapping(
        cls,
        data: Mapping[str, Any],
        areas: tuple[str, ...],
        need_levels: int,
        *,
        extra: Literal["forbid", "ignore"] = "forbid",
    ) -> AreaProfile:
        """Build a profile from canonical field names (``need_<area>``, ``unpaid_<area>`` for its areas)."""
        names = {*PERSON_FIELDS, *(f"need_{a}" for a in areas), *(f"unpaid_{a}" for a in areas)}
        _check_fields(data, names, extra)
        values = _read_fields(data, PERSON_FIELDS)
        needs = []
        quarters = []
        for area in areas:
            for name in (f"need_{area}", f"unpaid_{area}"):
                if name not in data:
                    raise ProfileError(name, "is required")
            needs.append(_level(f"need_{area}", data[f"need_{area}"], need_levels))
            quarters.append(int(_share_value(f"unpaid_{area}", data[f"unpaid_{area}"]) * 4))
        return cls(
            areas=tuple(areas),
            need_levels=need_levels,
            needs=tuple(needs),
            unpaid_quarters=tuple(quarters),
            **values,
        )

    def to_dict(self) -> dict[str, int | float | str]:
        """The canonical mapping: the person's fields, then the level and unpaid share in each area."""
        out: dict[str, int | float | str] = {}
        for name in PERSON_FIELDS[:8]:
            out[name] = getattr(self, name)
        for area, level, quarters in zip(self.areas, self.needs, self.unpaid_quarters, strict=True):
            out[f"need_{area}"] = level
            out[f"unpaid_{area}"] = quarters / 4
        out["night"] = self.night
        out["carer_breaks_weeks"] = self.carer_breaks_weeks
        out["unpaid_night"] = float(self.unpaid_night)
        return out

    def need(self, area: str) -> int:
        """Level of need in an area of need."""
        return self.needs[self.areas.index(area)]

    def unpaid(self, area: str) -> Decimal:
        """Share of the need in an area that unpaid support will keep meeting."""
        return UNPAID_SHARES[self.unpaid_quarters[self.areas.index(area)]]


def _level(name: str, value: object, top: int) -> int:
    """A level of need from 0 to ``top`` (the configuration's ``need_levels``)."""
    allowed = ", ".join(str(i) for i in range(top)) + f" or {top}"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ProfileError(name, f"must be {allowed} (got {_describe(value)})")
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and not _PLAIN_INT.fullmatch(text):
        raise ProfileError(name, f"must be {allowed} (got {_describe(value)})")
    try:
        number = Decimal(str(text))
    except InvalidOperation:
        raise ProfileError(name, f"must be {allowed} (got {_describe(value)})") from None
    if not number.is_finite() or number != number.to_integral_value() or not 0 <= number <= top:
        raise ProfileError(name, f"must be {allowed} (got {_describe(value)})")
    return int(number)


Profile = NeedsProfile | AreaProfile


def make_profile(
    data: Mapping[str, Any],
    areas: tuple[str, ...] = AREAS,
    need_levels: int = 4,
    *,
    extra: Literal["forbid", "ignore"] = "forbid",
) -> Profile:
    """A Needs Profile for a configuration's areas and levels: a ``NeedsProfile`` for the adult tool's."""
    if tuple(areas) == AREAS and need_levels == 4:
        return NeedsProfile.from_mapping(data, extra=extra)
    return AreaProfile.from_mapping(data, tuple(areas), need_levels, extra=extra)
