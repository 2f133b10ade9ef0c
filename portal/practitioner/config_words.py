"""The configuration pages' words: numbers as typed and read, version states, and the engine's configuration errors.

The engine's vocabulary (kinds of support, client groups, levels, lines) is worded in :mod:`portal.vocabulary`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import format_decimal, gettext, lazy_gettext

from portal.engine import ConfigurationError
from portal.vocabulary import client_group_name, setting_name, unit_name

# -- words ----------------------------------------------------------------------------------------------

STATUS_NAMES = {"draft": lazy_gettext("Draft"), "published": lazy_gettext("Published")}


def number_text(value: Any) -> str:
    """A number as typed into a box: no exponent, no trailing zeros (2.0 is "2", 0.59160 is "0.5916")."""
    if value is None:
        return ""
    try:
        text = format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        return str(value)
    return "0" if text in ("-0", "") else text


def show_number(value: Any, places: int = 4) -> str:
    """A number for reading, in the locale."""
    return str(format_decimal(value, format="#,##0." + "#" * places)) if value is not None else ""


# -- the engine's configuration errors in words ---------------------------------------------------------


#: One wording for each of the engine's :data:`portal.engine.config_errors.ERROR_CODES`, from the error's values
#: (tests/practitioner/test_config_words.py checks that every code has one and that each renders).
CONFIG_ERROR_WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "invalid": lambda v: gettext("is not allowed"),
    "unknown_key": lambda v: gettext("is not a setting the portal knows"),
    "required": lambda v: gettext("is required"),
    "positive_amount": lambda v: gettext("must be more than £0"),
    "type": lambda v: gettext("is the wrong kind of value"),
    "enum": lambda v: gettext("must be one of %(choices)s", choices=v["choices"]),
    "const": lambda v: gettext("must be %(value)s", value=v["value"]),
    "minimum": lambda v: gettext("must be at least %(value)s", value=v["value"]),
    "maximum": lambda v: gettext("must be at most %(value)s", value=v["value"]),
    "empty": lambda v: gettext("must not be empty"),
    "max_length": lambda v: gettext("use %(max)s characters or fewer", max=v["count"]),
    "min_items": lambda v: gettext("must have at least %(count)s items", count=v["count"]),
    "max_items": lambda v: gettext("must have at most %(count)s items", count=v["count"]),
    "repeated_item": lambda v: gettext("must not repeat an item"),
    "key_pattern": lambda v: gettext("must be lower-case letters, digits and underscores"),
    "date_pattern": lambda v: gettext("must be a date written YYYY-MM-DD"),
    "min_keys": lambda v: gettext("must have at least %(count)s settings", count=v["count"]),
    "max_keys": lambda v: gettext("must have at most %(count)s settings", count=v["count"]),
    "number_or_fraction": lambda v: gettext("must be a number or a fraction, like 365.25/7"),
    "not_mapping": lambda v: gettext("the configuration must be a list of settings and their values"),
    "not_finite": lambda v: gettext("must be an ordinary number"),
    "unstorable": lambda v: gettext("cannot be stored"),
    "date_invalid": lambda v: gettext("must be a real date"),
    "between": lambda v: gettext("must be from %(low)s to %(high)s", low=v["low"], high=v["high"]),
    "increment_multiple": lambda v: gettext(
        "must be a multiple of the rounding increment (%(minutes)s minutes)", minutes=v["minutes"]
    ),
    "increment_whole": lambda v: gettext(
        "must be a whole number of rounding increments (%(minutes)s minutes)", minutes=v["minutes"]
    ),
    "kind_required": lambda v: gettext("choose a kind of support paid %(unit)s", unit=unit_name(v["unit"])),
    "kind_unknown": lambda v: gettext("names a kind of support that has no rate"),
    "kind_unit": lambda v: gettext("must be a rate %(unit)s", unit=unit_name(v["unit"])),
    "repeated_line": lambda v: gettext("repeats the line %(key)s", key=v["key"]),
    "areas_or_source": lambda v: gettext("a line needs either areas of need or a source, not both"),
    "pooled_without_split": lambda v: gettext("is paid from the pooled budget, so enter the pooled split"),
    "area_in_two_lines": lambda v: gettext("an area of need is already in the line %(line)s", line=v["line"]),
    "source_repeated": lambda v: gettext("another line already has this source"),
    "not_for_source": lambda v: gettext("does not apply to this kind of line"),
    "area_without_line": lambda v: gettext("an area of need is not in any line"),
    "unused_section": lambda v: gettext("is set but no line of the allocation summary uses it"),
    "no_such_line": lambda v: gettext("names a line that does not exist (%(key)s)", key=v["key"]),
    "ratio_rises": lambda v: gettext("more behaviour that challenges must never mean more people per carer"),
    "level_below_previous": lambda v: gettext(
        "must not be lower than the level before it: more need must never lower a budget"
    ),
    "repeated_term": lambda v: gettext("repeats the term %(key)s", key=v["key"]),
    "negative_need_effect": lambda v: gettext(
        "must not be negative: this term is on a need, and more need must never lower a budget"
    ),
    "condition_in": lambda v: gettext("must list the values it applies to"),
    "condition_values": lambda v: gettext("must list only known values"),
    "condition_number": lambda v: gettext("must give a number it applies from, or exactly"),
    "condition_at_least": lambda v: gettext(
        "must give the level it applies from, so more need never switches it off"
    ),
    "repeated_night_level": lambda v: gettext("repeats night level %(level)s", level=v["level"]),
    "night_levels_missing": lambda v: gettext("must give night levels 1, 2 and 3"),
    "night_level_cheaper": lambda v: gettext(
        "costs less a week than night level %(level)s for %(group)s, %(setting)s: more need must never lower a "
        "budget",
        level=v["level"],
        group=client_group_name(v["group"]),
        setting=setting_name(v["setting"]),
    ),
    "carer_breaks_line": lambda v: gettext("carer breaks and their line must be set together"),
    "split_total": lambda v: gettext("the council's and the NHS's shares must add up to 100"),
    "unreadable": lambda v: gettext("the file cannot be read"),
    "not_yaml": lambda v: gettext("the file is not a configuration (YAML)"),
    "not_yaml_at": lambda v: gettext(
        "the file is not a configuration (YAML): see line %(line)s, column %(column)s",
        line=v["line"],
        column=v["column"],
    ),
    "yaml_alias_at": lambda v: gettext(
        "the file uses a YAML alias (*name), which is not allowed: see line %(line)s, column %(column)s",
        line=v["line"],
        column=v["column"],
    ),
}


def engine_problem(error: ConfigurationError) -> str:
    """What the engine's configuration error says is wrong, in the admin's language (from its code and values)."""
    words = CONFIG_ERROR_WORDS.get(error.code, CONFIG_ERROR_WORDS["invalid"])
    try:
        return words(error.values)
    except KeyError:  # a value the wording needs is missing: say what we can without it
        return str(CONFIG_ERROR_WORDS["invalid"]({}))
