"""A configuration document: checked against the JSON Schema, defaults filled in, as canonical JSON data.

``normalise_document`` is the first step of building a Configuration (``configuration.py``); the second is
``config_compiler.py``, the checks a schema cannot express and the tables the engine reads. ``exact_fraction``
reads a number or a fraction such as "365.25/7" exactly, with the key path of the value in any error.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import jsonschema

from portal.engine.config_errors import ConfigurationError, path_text, schema_error
from portal.engine.profile import AREAS
from portal.engine.schema import AREAS_SCHEMA, DEFAULTS, KEY_ORDER, schema_for

_AREAS_VALIDATOR = jsonschema.Draft202012Validator(AREAS_SCHEMA)


@functools.lru_cache(maxsize=16)
def _validator(areas: tuple[str, ...], need_levels: int) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema_for(areas, need_levels))


def declared_areas(data: Mapping[str, Any]) -> tuple[tuple[str, ...], int]:
    """The areas of need and highest level a (checked) document declares: the adult tool's by default."""
    return tuple(data.get("areas") or AREAS), int(data.get("need_levels") or 4)


def exact_fraction(value: Any, path: str) -> Fraction:
    """Exact value of a YAML number or a string such as "365.25/7" or "57.5"."""
    try:
        if isinstance(value, str):
            num, _, den = value.partition("/")
            result = Fraction(Decimal(num.strip())) / (Fraction(Decimal(den.strip())) if den else 1)
        else:
            result = Fraction(Decimal(repr(value)))
    except (InvalidOperation, ValueError, ZeroDivisionError, OverflowError):
        raise ConfigurationError(
            path,
            f"must be a number or a fraction like 365.25/7 (got {value!r})",
            "number_or_fraction",
            got=str(value),
        ) from None
    return result


def normalise_document(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a document against the schema and fill defaults; return a deep, JSON-compatible copy."""
    if not isinstance(raw, Mapping):
        raise ConfigurationError("", "the configuration must be a mapping of keys to values", "not_mapping")
    data = json.loads(json.dumps(dict(raw), default=_json_default))
    _check_finite(data, [])
    errors = list(_AREAS_VALIDATOR.iter_errors(data))
    if errors:
        raise schema_error(jsonschema.exceptions.best_match(errors))
    areas, need_levels = declared_areas(data)
    errors = list(_validator(areas, need_levels).iter_errors(data))
    if errors:
        raise schema_error(jsonschema.exceptions.best_match(errors))
    # The adult tool's areas and levels are the default and are left out of the canonical document, so a
    # configuration that names them keeps the content hash it had before tools declared their areas.
    data.pop("areas", None)
    data.pop("need_levels", None)
    if areas != AREAS:
        data["areas"] = list(areas)
    if need_levels != 4:
        data["need_levels"] = need_levels
    for key, value in DEFAULTS.items():
        if key not in data:
            data[key] = copy.deepcopy(value)
    contingency = {**DEFAULTS["contingency"], **data["contingency"]}
    data["contingency"] = contingency
    data["indicative_range"] = {**DEFAULTS["indicative_range"], **data["indicative_range"]}
    data["minimum_minutes"] = {area: data["minimum_minutes"].get(area, 0) for area in areas}
    data["rounding"] = {"increment_minutes": data["rounding"].get("increment_minutes", 15)}
    data["model"].setdefault("terms", [])
    if data["care_cap"] is not None:
        data["care_cap"] = {"weekly_deduction_pence": 0, "excluded_lines": [], **data["care_cap"]}
    return {key: data[key] for key in KEY_ORDER if key in data}


def _check_finite(node: Any, path: list[str | int]) -> None:
    """Refuse NaN and infinity anywhere (YAML allows .nan and .inf; no amount or coefficient may be one)."""
    if isinstance(node, float) and not math.isfinite(node):
        raise ConfigurationError(path_text(path), "must be a finite number", "not_finite")
    if isinstance(node, dict):
        for key, value in node.items():
            _check_finite(value, [*path, key])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _check_finite(value, [*path, i])


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise ConfigurationError(
        "", f"cannot store a value of type {type(value).__name__}", "unstorable", type=type(value).__name__
    )
