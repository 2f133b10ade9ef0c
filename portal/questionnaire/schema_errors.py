"""Problems in a questionnaire file: each one at a key path, and the JSON Schema's own errors in plain words.

Every problem is reported as a SchemaError whose message names the key path in the file, for example
``questions[12].routing_rules[0].goto: unknown question 'foo'``. The loader (``loader.py``) raises it; the
checks a JSON Schema cannot express (``checks.py``) record issues with ``format_path``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError

PathParts = tuple[str | int, ...]


@dataclass(frozen=True)
class SchemaIssue:
    """One problem in a schema file, at a key path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SchemaError(ValueError):
    """A questionnaire schema that cannot be used; ``issues`` lists every problem found."""

    def __init__(self, issues: Sequence[SchemaIssue], source: str | None = None) -> None:
        self.issues = tuple(issues)
        self.source = source
        text = "\n".join(str(issue) for issue in self.issues)
        super().__init__(f"{text}\n(in {source})" if source else text)


def format_path(parts: Iterable[str | int]) -> str:
    """Write a key path the way a person reads it: ``questions[3].options[0].value`` or ``when['==']``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


# -- JSON Schema errors, worded ---------------------------------------------------------------------

_PATTERN_WORDS = {
    "^[a-z][a-z0-9]*(-[a-z0-9]+)*$": "must be kebab-case: lower-case words joined by hyphens",
    "^[a-z0-9]+(_[a-z0-9]+)*$": "must be snake_case: lower-case words joined by underscores",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "must be a date written YYYY-MM-DD",
    "\\S": "must not be blank",
    "^[0-9]+\\.[0-9]+\\.[0-9]+$": "must be a version like 1.2.0",
}


def short_repr(value: object) -> str:
    """A value as the file has it, cut to 60 characters for a message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_json_error(error: ValidationError) -> Iterator[SchemaIssue]:
    path = list(error.absolute_path)
    kind = error.validator
    value: Any = error.validator_value  # Unset only on errors not raised by a validator, never here
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if "propertyNames" in error.absolute_schema_path:  # the key itself is wrong; the path stops at its parent
        if kind == "enum":
            words = f"use one of: {', '.join(map(str, value))}"
        else:
            words = _PATTERN_WORDS.get(str(value), "wrong form")
        yield SchemaIssue(format_path([*path, str(error.instance)]), f"this key is not allowed ({words})")
    elif kind == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = set(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        for key in error.instance:
            if key not in allowed and not any(re.search(p, str(key)) for p in patterns):
                yield SchemaIssue(format_path([*path, str(key)]), "unexpected key")
    elif kind == "required" and isinstance(error.instance, Mapping):
        for key in value:
            if key not in error.instance:
                yield SchemaIssue(format_path([*path, key]), "required key is missing")
    elif kind in ("oneOf", "anyOf"):
        branches = value
        if all(isinstance(b, Mapping) and set(b) == {"required"} for b in branches):
            names = ", ".join(name for b in branches for name in b["required"])
            yield SchemaIssue(format_path(path), f"needs exactly one of: {names}")
        elif error.context:
            yield from describe_json_error(_closest(error.context))
        else:
            yield SchemaIssue(format_path(path), "does not match any allowed form")
    elif kind == "type":
        expected = value
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        yield SchemaIssue(format_path(path), f"must be {wanted}, not {short_repr(error.instance)}")
    elif kind == "const":
        yield SchemaIssue(format_path(path), f"must be {value!r}")
    elif kind == "enum":
        yield SchemaIssue(
            format_path(path),
            f"{short_repr(error.instance)} is not one of: {', '.join(map(str, value))}",
        )
    elif kind == "pattern":
        words = _PATTERN_WORDS.get(value, f"must match {value}")
        yield SchemaIssue(format_path(path), f"{short_repr(error.instance)} {words}")
    elif kind in ("minProperties", "maxProperties") and "and" in schema.get("properties", {}):
        yield SchemaIssue(format_path(path), "a condition has exactly one operator")
    elif kind == "minItems":
        yield SchemaIssue(format_path(path), f"needs at least {value} item(s)")
    elif kind == "maxItems":
        yield SchemaIssue(format_path(path), f"has more than {value} item(s)")
    else:
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        yield SchemaIssue(format_path(path), message)


def _closest(errors: Iterable[ValidationError]) -> ValidationError:
    """Pick the error of the branch that came closest to matching (not a bare type mismatch, deepest path)."""
    candidates = list(errors)
    informative = [e for e in candidates if e.validator != "type"] or candidates
    return max(informative, key=lambda e: len(e.absolute_path))
