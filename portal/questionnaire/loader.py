"""Loading a questionnaire file: strict YAML, then the JSON Schema, then checks a JSON Schema cannot express.

This module reads the file and runs the three steps in order; ``schema_errors.py`` words the problems (and the
JSON Schema's errors), ``checks.py`` holds the checks a JSON Schema cannot express and builds the Schema.

Every problem is reported as a SchemaError whose message names the key path in the file, for example
``questions[12].routing_rules[0].goto: unknown question 'foo'``.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from portal.engine.profile import AREAS
from portal.questionnaire.checks import SchemaBuilder
from portal.questionnaire.profile import canonical_fields
from portal.questionnaire.schema import Schema
from portal.questionnaire.schema_errors import SchemaError, SchemaIssue, describe_json_error

__all__ = [
    "DEFAULT_SCHEMA_PATH",
    "JSON_SCHEMA_PATH",
    "SchemaError",
    "SchemaIssue",
    "build_schema",
    "load_schema",
    "parse_yaml",
]

PACKAGE_DIR = Path(__file__).resolve().parent
#: The adult self-assessment, the first tool's questionnaire (portal/tools/adult_social_care, decision 0015).
DEFAULT_SCHEMA_PATH = PACKAGE_DIR.parent / "tools" / "adult_social_care" / "questionnaire.yaml"
JSON_SCHEMA_PATH = PACKAGE_DIR / "schema.schema.json"


# -- YAML ---------------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """YAML without the 1.1 surprises: yes/no/on/off stay text, dates stay text, duplicate keys are errors."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise _DuplicateKeyError(key_node.value, key_node.start_mark.line + 1)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


class _DuplicateKeyError(Exception):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(f"line {line}: duplicate key {key!r}")


_DROPPED_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value"}
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_yaml(text: str, source: str | None = None) -> Any:
    """Parse schema YAML strictly, raising SchemaError for bad YAML or a duplicate key."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKeyError as exc:
        raise SchemaError([SchemaIssue("", str(exc))], source) from None
    except yaml.YAMLError as exc:
        raise SchemaError([SchemaIssue("", f"not valid YAML: {exc}")], source) from None


# -- loading ------------------------------------------------------------------------------------------


def load_schema(path: str | os.PathLike[str] | None = None) -> Schema:
    """Load and check a schema file (default: the packaged self-assessment); cached per file and version."""
    target = Path(path) if path is not None else DEFAULT_SCHEMA_PATH
    try:
        stat = target.stat()
    except OSError as exc:
        raise SchemaError(
            [SchemaIssue("", f"cannot read the schema file: {exc.strerror}")], str(target)
        ) from None
    return _load_cached(_resolved(str(target)), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _resolved(path: str) -> str:
    """A path made absolute, once per path: resolving asks the file system about every folder on the way, which
    a question page (two loads a page, the file itself still looked at each time) need not repeat."""
    return str(Path(path).resolve())


@functools.lru_cache(maxsize=32)
def _load_cached(path: str, _mtime_ns: int, _size: int) -> Schema:
    # Keyed on modification time and size too, so an edited file is read again. Only read-only files are cached.
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaError([SchemaIssue("", f"cannot read the schema file: {exc}")], path) from None
    return build_schema(parse_yaml(text, path), source=path)


@functools.lru_cache(maxsize=1)
def _json_schema_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(JSON_SCHEMA_PATH.read_text(encoding="utf-8")))


def build_schema(
    data: object,
    source: str | None = None,
    *,
    require_full_profile: bool = True,
    areas: tuple[str, ...] = AREAS,
    need_levels: int = 4,
) -> Schema:
    """Check schema data (as parsed from YAML or JSON) and build the immutable Schema.

    ``require_full_profile=False`` lets a small test schema leave canonical fields unmapped; the real
    questionnaire is always loaded with every field required. ``areas`` and ``need_levels`` are those its
    tool's engine configuration declares (decision 0015): they name the canonical ``need_*`` and ``unpaid_*``
    fields and bound the levels; the default is the adult tool's twelve areas at levels 0 to 4.
    """
    errors = list(_json_schema_validator().iter_errors(data))
    if errors:
        raise SchemaError(
            _unique([issue for error in errors for issue in describe_json_error(error)]), source
        )
    assert isinstance(data, Mapping)
    builder = SchemaBuilder(data, require_full_profile, canonical_fields(areas, need_levels))
    schema = builder.build()
    if builder.issues or schema is None:
        raise SchemaError(_unique(builder.issues), source)
    return schema


def _unique(issues: Iterable[SchemaIssue]) -> list[SchemaIssue]:
    return list(dict.fromkeys(issues))
