"""JSON Schema of the configuration document (one canonical serialisation, stored as YAML).

The schema checks shape and types; ``config_compiler.py`` adds the checks a schema cannot express (every area of
need in exactly one line, rate kinds that exist and have the right unit, coefficients that keep the budget
monotonic, shares that sum to 100).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from portal.engine.profile import AREAS, CLIENT_GROUPS, FACTORS, SETTINGS

FORMAT_VERSION = 1
FUNDERS: tuple[str, ...] = ("council", "nhs")
LINE_FUNDERS: tuple[str, ...] = (*FUNDERS, "pooled")
SUPPLEMENTS: tuple[str, ...] = ("night", "carer_breaks", "contingency")
RATE_UNITS: tuple[str, ...] = ("hour", "night", "week")

_KEY = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 64}
_PENCE = {"type": "integer", "exclusiveMinimum": 0}
_PENCE_OR_ZERO = {"type": "integer", "minimum": 0}
_NUMBER = {"type": "number"}
_NON_NEGATIVE = {"type": "number", "minimum": 0}
_PERCENT = {"type": "number", "minimum": 0, "maximum": 100}
#: The most areas of need and the highest level a configuration may declare (decision 0015).
MAX_AREAS = 40
MAX_NEED_LEVEL = 9
#: What a configuration may say about its areas and levels; checked before the rest, which depends on them.
AREAS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "areas": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z][a-z0-9]*(_[a-z0-9]+)*$", "maxLength": 40},
            "minItems": 1,
            "maxItems": MAX_AREAS,
            "uniqueItems": True,
        },
        "need_levels": {"type": "integer", "minimum": 1, "maximum": MAX_NEED_LEVEL},
    },
}


def _area_list(areas: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "array", "items": {"enum": list(areas)}, "uniqueItems": True}


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [{"type": "null"}, schema]}


_RATE = _object(
    {
        "per": {"enum": list(RATE_UNITS)},
        "default": _PENCE,
        **{group: {"oneOf": [_PENCE, _object(dict.fromkeys(SETTINGS, _PENCE))]} for group in CLIENT_GROUPS},
        **dict.fromkeys(SETTINGS, _PENCE),
    },
    ("per", "default"),
)

_CONDITION = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "properties": {
        "at_least": {"type": "integer", "minimum": 1},
        "equals": {"type": "integer", "minimum": 0},
        "in": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
    },
    "additionalProperties": False,
}


def _term(areas: tuple[str, ...]) -> dict[str, Any]:
    return _object(
        {
            "key": _KEY,
            "when": {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 2,
                "properties": dict.fromkeys(FACTORS, _CONDITION),
                "additionalProperties": False,
            },
            "areas": {**_area_list(areas), "minItems": 1},
            "log_effect": {"type": "number", "minimum": -5, "maximum": 5},
        },
        ("key", "when", "areas", "log_effect"),
    )


def _line(areas: tuple[str, ...]) -> dict[str, Any]:
    return _object(
        {
            "key": _KEY,
            "title": {"type": "string", "maxLength": 200},
            "funder": {"enum": list(LINE_FUNDERS)},
            "kind": _KEY,
            "areas": {**_area_list(areas), "minItems": 1},
            "source": {"enum": list(SUPPLEMENTS)},
            "staffing_ratio": _object(
                {
                    "people_per_carer": {"type": "integer", "minimum": 1, "maximum": 20},
                    "behaviour_challenges": {
                        "type": "array",
                        "items": _object(
                            {
                                "at_least": {"type": "integer", "minimum": 1, "maximum": 2},
                                "people_per_carer": {"type": "integer", "minimum": 1, "maximum": 20},
                            },
                            ("at_least", "people_per_carer"),
                        ),
                    },
                },
                ("people_per_carer",),
            ),
        },
        ("key", "funder"),
    )


@lru_cache(maxsize=16)
def schema_for(areas: tuple[str, ...] = AREAS, need_levels: int = 4) -> dict[str, Any]:
    """The JSON Schema of a configuration whose areas of need and highest level are these (do not change it)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Resource Allocation System configuration",
        **_object(
            {
                "format": {"const": FORMAT_VERSION},
                **AREAS_SCHEMA["properties"],
                "label": {"type": "string", "minLength": 1, "maxLength": 200},
                "effective_date": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                "weeks_per_year": {"type": ["string", "number"]},
                "rounding": _object({"increment_minutes": {"type": "integer", "minimum": 1, "maximum": 60}}),
                "minimum_minutes": _object(
                    {area: {"type": "integer", "minimum": 0, "maximum": 600} for area in areas}
                ),
                "rates": {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": _KEY,
                    "additionalProperties": _RATE,
                },
                "lines": {"type": "array", "minItems": 1, "items": _line(areas)},
                "night_support": {
                    "type": "array",
                    "items": _object(
                        {
                            "level": {"type": "integer", "minimum": 1, "maximum": 3},
                            "kind": _KEY,
                            "nights_per_week": {"type": "number", "minimum": 0, "maximum": 7},
                        },
                        ("level", "kind", "nights_per_week"),
                    ),
                },
                "carer_breaks": _nullable(_object({"kind": _KEY}, ("kind",))),
                "contingency": _object(
                    {
                        "kind": _KEY,
                        "hours_per_year": _NON_NEGATIVE,
                        "percent": _PERCENT,
                        "fluctuating_percent": _PERCENT,
                    },
                    ("kind",),
                ),
                "pooled_split": _nullable(_object(dict.fromkeys(FUNDERS, _PERCENT), FUNDERS)),
                "indicative_range": _object({"below_percent": _PERCENT, "above_percent": _PERCENT}),
                "care_cap": _nullable(
                    _object(
                        {
                            "cap_pence": _PENCE,
                            "weekly_deduction_pence": _PENCE_OR_ZERO,
                            "excluded_lines": {"type": "array", "items": _KEY, "uniqueItems": True},
                        },
                        ("cap_pence",),
                    )
                ),
                "model": _object(
                    {
                        "base_log_hours": _object(
                            {
                                area: {
                                    "type": "array",
                                    "items": _NUMBER,
                                    "minItems": need_levels,
                                    "maxItems": need_levels,
                                }
                                for area in areas
                            },
                            areas,
                        ),
                        "terms": {"type": "array", "items": _term(areas)},
                    },
                    ("base_log_hours",),
                ),
            },
            ("format", "label", "rates", "lines", "model"),
        ),
    }


#: The schema of a configuration of the adult tool's twelve areas at levels 0 to 4 (the default).
SCHEMA: dict[str, Any] = schema_for()

DEFAULT_WEEKS_PER_YEAR = "365.25/7"
DEFAULTS: dict[str, Any] = {
    "effective_date": None,
    "weeks_per_year": DEFAULT_WEEKS_PER_YEAR,
    "rounding": {"increment_minutes": 15},
    "minimum_minutes": {},
    "night_support": [],
    "carer_breaks": None,
    "contingency": {"kind": None, "hours_per_year": 0, "percent": 0, "fluctuating_percent": 0},
    "pooled_split": None,
    "indicative_range": {"below_percent": 0, "above_percent": 0},
    "care_cap": None,
}
#: Top-level keys in the order ``to_yaml`` writes them.
KEY_ORDER: tuple[str, ...] = (
    "format",
    "label",
    "effective_date",
    "areas",
    "need_levels",
    "weeks_per_year",
    "rounding",
    "minimum_minutes",
    "rates",
    "lines",
    "night_support",
    "carer_breaks",
    "contingency",
    "pooled_split",
    "indicative_range",
    "care_cap",
    "model",
)
