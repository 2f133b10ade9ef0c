"""The canonical Needs Profile fields: names, value domains and neutral defaults.

These are the columns of ../shared/data/README.md other than case_id and actual_weekly_cost, in that order,
then the engine's optional fields (unpaid help at night).
The questionnaire maps answers onto them and nothing else; the engine reads only these.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType

ProfileValue = str | int | float

# The canonical field values are the engine's: one definition, read by both.
from portal.engine.profile import AREAS, CLIENT_GROUPS, SETTINGS  # noqa: E402

UNPAID_SHARES: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field: its allowed values (as in the CSV) and its neutral default."""

    name: str
    kind: str  # "code" (text), "int" or "share" (a fraction of need met by unpaid support)
    domain: tuple[ProfileValue, ...]
    default: ProfileValue

    def normalise(self, value: object) -> ProfileValue | None:
        """Return the value in this field's domain and type, or None if it is not allowed."""
        if isinstance(value, bool):
            return None
        if self.kind == "code":
            return value if isinstance(value, str) and value in self.domain else None
        if self.kind == "int":
            if isinstance(value, int) and value in self.domain:
                return value
            if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
                as_int = int(value)
                return as_int if as_int in self.domain else None
            return None
        # share: any exact number equal to one of the shares, given back as a float (all are exact in binary)
        if isinstance(value, int | float | Decimal):
            for share in self.domain:
                if value == share:
                    return float(share)
        return None

    def accepts(self, value: object) -> bool:
        """Say whether the value is in this field's domain."""
        return self.normalise(value) is not None


def _int_field(name: str, top: int) -> FieldSpec:
    return FieldSpec(name, "int", tuple(range(top + 1)), 0)


def _fields(areas: tuple[str, ...] = AREAS, need_levels: int = 4) -> dict[str, FieldSpec]:
    fields: list[FieldSpec] = [
        # No client group is neutral; an unanswered one is reported in ProfileMapping.missing.
        FieldSpec("client_group", "code", CLIENT_GROUPS, "older_people"),
        FieldSpec("setting", "code", SETTINGS, "community"),
        _int_field("lives_alone", 1),
        _int_field("memory_cognition", 3),
        _int_field("behaviour_challenges", 2),
        _int_field("mobility", 3),
        _int_field("fluctuating", 1),
        _int_field("two_carers", 1),
    ]
    for area in areas:
        fields.append(_int_field(f"need_{area}", need_levels))
        fields.append(FieldSpec(f"unpaid_{area}", "share", UNPAID_SHARES, 0.0))
    fields.append(_int_field("night", 3))
    fields.append(_int_field("carer_breaks_weeks", 6))
    # Optional in the engine (case files from before it have none); the questionnaire asks it.
    fields.append(FieldSpec("unpaid_night", "share", UNPAID_SHARES, 0.0))
    return {spec.name: spec for spec in fields}


#: Canonical field name -> spec, in the CSV's column order.
CANONICAL_FIELDS: Mapping[str, FieldSpec] = MappingProxyType(_fields())
FIELD_NAMES: tuple[str, ...] = tuple(CANONICAL_FIELDS)


def canonical_fields(areas: tuple[str, ...] = AREAS, need_levels: int = 4) -> Mapping[str, FieldSpec]:
    """The canonical fields of a tool whose configuration declares these areas of need and top level.

    The default (the adult tool's twelve areas, levels 0 to 4) is ``CANONICAL_FIELDS`` itself.
    """
    if areas == AREAS and need_levels == 4:
        return CANONICAL_FIELDS
    return _canonical_fields(tuple(areas), need_levels)


@lru_cache(maxsize=16)
def _canonical_fields(areas: tuple[str, ...], need_levels: int) -> Mapping[str, FieldSpec]:
    return MappingProxyType(_fields(areas, need_levels))


class ProfileMapping(Mapping[str, ProfileValue]):
    """A full Needs Profile (every canonical field) plus which fields fell back to a default for want of an answer.

    ``missing`` lists fields whose question is on the path but has no usable answer yet; a field whose question
    was skipped takes its neutral default and is not missing. ``sources`` names the question each answered field
    came from, so reasons can say "because you said…".
    """

    __slots__ = ("_values", "missing", "sources")

    def __init__(
        self, values: Mapping[str, ProfileValue], missing: tuple[str, ...], sources: Mapping[str, str]
    ) -> None:
        self._values = MappingProxyType(dict(values))
        self.missing = missing
        self.sources = MappingProxyType(dict(sources))

    def __getitem__(self, key: str) -> ProfileValue:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    @property
    def is_complete(self) -> bool:
        """True when no field is missing."""
        return not self.missing

    def as_dict(self) -> dict[str, ProfileValue]:
        """Return the profile as a plain dict (canonical field -> value)."""
        return dict(self._values)

    def __repr__(self) -> str:
        return f"ProfileMapping({dict(self._values)!r}, missing={self.missing!r})"


def default_profile(fields: Mapping[str, FieldSpec] = CANONICAL_FIELDS) -> dict[str, ProfileValue]:
    """Return every canonical field at its neutral default."""
    return {name: spec.default for name, spec in fields.items()}
