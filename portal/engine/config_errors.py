"""What is wrong with a configuration document, as a code with values (and an English message for the CLI).

The engine's reasons work the same way: the code and values are the contract; the English is for the command line
and logs. The web words a :class:`ConfigurationError` with a table keyed by :data:`ERROR_CODES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema

#: What a :class:`ConfigurationError` can say is wrong: its ``code``. The web words each code (with the error's
#: ``values``) in the reader's language; tests check that every code here has a wording and every raise uses one.
ERROR_CODES = frozenset(
    {
        "invalid",  # anything else (values: none; the English message is all there is)
        "unknown_key",
        "required",
        "positive_amount",
        "type",  # type
        "enum",  # choices
        "const",  # value
        "minimum",  # value
        "maximum",  # value
        "empty",
        "max_length",  # count
        "min_items",  # count
        "max_items",  # count
        "repeated_item",
        "key_pattern",
        "date_pattern",
        "min_keys",  # count
        "max_keys",  # count
        "number_or_fraction",  # got
        "not_mapping",
        "not_finite",
        "unstorable",  # type
        "date_invalid",
        "between",  # low, high
        "increment_multiple",  # minutes
        "increment_whole",  # minutes
        "kind_required",  # unit
        "kind_unknown",  # kind
        "kind_unit",  # unit, kind, kind_unit
        "repeated_line",  # key
        "areas_or_source",
        "pooled_without_split",
        "area_in_two_lines",  # area, line
        "source_repeated",  # source
        "not_for_source",  # source
        "area_without_line",  # area
        "unused_section",  # source
        "no_such_line",  # key
        "ratio_rises",
        "level_below_previous",
        "repeated_term",  # key
        "negative_need_effect",
        "condition_in",  # name
        "condition_values",  # allowed, got
        "condition_number",
        "condition_at_least",
        "repeated_night_level",  # level
        "night_levels_missing",
        "night_level_cheaper",  # level, group, setting
        "carer_breaks_line",
        "split_total",
        "unreadable",  # file, reason
        "not_yaml",
        "not_yaml_at",  # line, column
        "yaml_alias_at",  # line, column
    }
)
_SCHEMA_CODES: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "type": ("type", lambda s: {"type": str(s.get("type"))}),
    "enum": ("enum", lambda s: {"choices": ", ".join(str(v) for v in s.get("enum", []))}),
    "const": ("const", lambda s: {"value": str(s.get("const"))}),
    "minimum": ("minimum", lambda s: {"value": s.get("minimum")}),
    "maximum": ("maximum", lambda s: {"value": s.get("maximum")}),
    "minLength": ("empty", lambda s: {}),
    "maxLength": ("max_length", lambda s: {"count": s.get("maxLength")}),
    "minItems": ("min_items", lambda s: {"count": s.get("minItems")}),
    "maxItems": ("max_items", lambda s: {"count": s.get("maxItems")}),
    "uniqueItems": ("repeated_item", lambda s: {}),
    "pattern": ("key_pattern", lambda s: {}),
    "minProperties": ("min_keys", lambda s: {"count": s.get("minProperties")}),
    "maxProperties": ("max_keys", lambda s: {"count": s.get("maxProperties")}),
}


class ConfigurationError(ValueError):
    """The configuration document is malformed; the message starts with the dotted path of the bad key."""

    def __init__(self, path: str, message: str, code: str = "invalid", **values: Any) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message
        #: what is wrong, one of :data:`ERROR_CODES`; with ``values``, enough to word it in any language
        self.code = code if code in ERROR_CODES else "invalid"
        self.values = values


def path_text(parts: Any) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def schema_error(error: jsonschema.ValidationError) -> ConfigurationError:
    """Turn the most relevant jsonschema error into a short message naming the key path."""
    while error.context:  # oneOf: report the branch that came closest
        error = jsonschema.exceptions.best_match(error.context)
    path = list(error.absolute_path)
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    if validator == "additionalProperties":
        instance: Any = error.instance
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        return ConfigurationError(
            path_text([*path, extra[0]]) if extra else path_text(path), "unknown key", "unknown_key"
        )
    if validator == "required":
        missing = str(error.message).split("'")[1]
        return ConfigurationError(path_text([*path, missing]), "is required", "required")
    if schema.get("exclusiveMinimum") == 0:
        return ConfigurationError(
            path_text(path), "must be a positive amount (whole pence)", "positive_amount"
        )
    messages = {
        "type": f"must be of type {schema.get('type')}",
        "enum": "must be one of " + ", ".join(str(v) for v in schema.get("enum", [])),
        "const": f"must be {schema.get('const')!r}",
        "minimum": f"must be at least {schema.get('minimum')}",
        "maximum": f"must be at most {schema.get('maximum')}",
        "minLength": "must not be empty",
        "maxLength": f"must be at most {schema.get('maxLength')} characters",
        "minItems": f"must have at least {schema.get('minItems')} item(s)",
        "maxItems": f"must have at most {schema.get('maxItems')} item(s)",
        "uniqueItems": "must not repeat an item",
        "pattern": "must be lower-case letters, digits and underscores"
        if schema.get("pattern", "").startswith("^[a-z]")
        else "must be a date written YYYY-MM-DD",
        "minProperties": f"must have at least {schema.get('minProperties')} key(s)",
        "maxProperties": f"must have at most {schema.get('maxProperties')} key(s)",
    }
    message = messages.get(str(validator), str(error.message))
    code, values = _SCHEMA_CODES.get(str(validator), ("invalid", lambda s: {}))
    if validator == "type" and isinstance(error.instance, bool):
        message = f"must be of type {schema.get('type')} (got a true/false value)"
    if validator == "pattern" and not schema.get("pattern", "").startswith("^[a-z]"):
        code = "date_pattern"
    return ConfigurationError(path_text(path), message, code, **values(schema))
