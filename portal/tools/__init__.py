"""Tools as data: each tool is a folder of files versioned together (decision 0015).

A tool folder holds ``tool.yaml`` (the manifest), ``questionnaire.yaml`` (decision 0003's format),
``configuration.yaml`` (the engine's, decision 0004: it declares the tool's areas of need and levels) and
optionally ``wording.yaml`` (the tool's own words: its areas of need, its eligibility and its letter). The
tool's version is the SHA-256 of those files. ``load_tool(folder)`` reads and checks one folder;
``builtin_tools()`` reads every folder under ``portal/tools/``; ``load_tools(extra)`` adds the deployment's or a
test's own folders. Pure Python: no Flask, SQLAlchemy or Babel import (the web side is
``portal/tool_service.py``).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from portal.engine import Configuration, ConfigurationError, loads_configuration
from portal.questionnaire import Schema, SchemaError, SourceString
from portal.questionnaire.loader import build_schema, parse_yaml

TOOLS_DIR = Path(__file__).resolve().parent
#: The first tool: the adult self-assessment. A case from before tools were data reads as this one.
DEFAULT_TOOL = "adult_social_care"
MANIFEST = "tool.yaml"
QUESTIONNAIRE = "questionnaire.yaml"
CONFIGURATION = "configuration.yaml"
WORDING = "wording.yaml"
#: The files a tool's version covers, in the order they are hashed (wording.yaml only when present).
FILES = (MANIFEST, QUESTIONNAIRE, CONFIGURATION, WORDING)

#: Who may complete a tool's questionnaire: the person (or their carer) themselves, and/or a practitioner with
#: the person.
COMPLETERS = ("person", "practitioner")
CHARGING = ("financial_assessment", "none")
#: How a practitioner decides which needs the budget meets (the rules are ``portal.case_record.determination`` and
#: ``eligible_areas``): the Care Act 2014 eligibility criteria, or Section 117 aftercare (needs arising from, or related to, the mental
#: disorder, where aftercare reduces the risk of the condition getting worse and of readmission), or the ICB's own
#: decision for NHS Continuing Healthcare and children's Continuing Care (recorded as made: portal/chc.py).
ELIGIBILITY_TESTS = ("care_act", "section_117", "icb_decision")
ORGANISATION_KINDS = ("council", "icb", "partnership")
_KEY = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_MANIFEST_KEYS = {
    "format_version",
    "key",
    "name",
    "domain",
    "completed_by",
    "free_to_person",
    "charging",
    "enabled_by_default",
    "description",
    "eligibility_test",
}
#: The wording a tool may give, by top-level key (decision 0015): areas and lines by their configuration key,
#: the rest by the names below. Anything else is refused, so a misspelt key never silently falls back.
WORDING_KEYS: Mapping[str, tuple[str, ...] | None] = MappingProxyType(
    {
        "areas": None,
        "levels": None,
        "lines": None,
        "eligibility": ("heading", "meaning", "eligible", "not_met", "not_eligible_needs", "no_budget"),
        "letter": ("about", "paying", "rights"),
    }
)


class ToolError(ValueError):
    """A tool folder that cannot be used; the message names the file and the key."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


@dataclass(frozen=True)
class Tool:
    """One tool, read and checked: its manifest, questionnaire, configuration and wording."""

    key: str
    name: str
    domain: str
    completed_by: frozenset[str]
    free_to_person: bool
    charging: str
    enabled_by_default: frozenset[str]
    folder: Path
    version: str
    schema: Schema = field(repr=False, compare=False)
    configuration: Configuration = field(repr=False, compare=False)
    wording: Mapping[str, str] = field(repr=False, compare=False)
    description: str = ""
    eligibility_test: str = "care_act"

    @property
    def areas(self) -> tuple[str, ...]:
        """The tool's areas of need, as its configuration declares them."""
        return self.configuration.areas

    @property
    def need_levels(self) -> int:
        """The highest level of need in each area (levels run from 0, no need)."""
        return self.configuration.need_levels

    def completed_by_person(self) -> bool:
        """Whether a person (or their carer) may complete it themselves."""
        return "person" in self.completed_by

    def text(self, key: str) -> SourceString | None:
        """The tool's own English wording for a key (``areas.breathing``, ``eligibility.not_met``), or None."""
        if key == "name":
            return SourceString("tool.name", self.name, "Type: the name of this tool")
        text = self.wording.get(key)
        if text is None:
            return None
        comment = f"Type: {_COMMENTS.get(key.split('.')[0], 'wording')}"
        if ".easy_read." in key:
            comment += " (Easy Read: short sentences, everyday words)"
        if ".carer." in key:
            comment += " (said to a carer; {name} is the person's name)"
        return SourceString(f"tool.{key}", text, comment)

    def standard_keys(self) -> tuple[str, ...]:
        """The wording keys the tool gives (``eligibility.not_met``), without their Easy Read and carer variants."""
        return tuple(k for k in self.wording if not any(f".{v}." in k for v in VARIANTS))

    def variant(self, key: str, *, carer: bool, easy_read: bool) -> str:
        """The wording key to read for a standard key: Easy Read for a carer, Easy Read, a carer's, the key."""
        top, _, rest = key.partition(".")
        tried = (
            *((f"{top}.easy_read.carer.{rest}",) if easy_read and carer else ()),
            *((f"{top}.easy_read.{rest}",) if easy_read else ()),
            *((f"{top}.carer.{rest}",) if carer else ()),
        )
        return next((k for k in tried if k in self.wording), key)

    def translatable_strings(self) -> Iterator[SourceString]:
        """Every string of the tool for its gettext domain: the questionnaire's, then its own wording."""
        yield from self.schema.translatable_strings()
        name = self.text("name")
        assert name is not None
        yield name
        for key in self.wording:
            source = self.text(key)
            if source is not None:
                yield source


_COMMENTS = {
    "areas": "the name of an area of need",
    "levels": "a level of need, from 0 (none)",
    "lines": "the name of a line of the allocation summary",
    "eligibility": "what eligibility means for this tool",
    "letter": "a paragraph of the decision letter",
}


def _read_yaml(path: Path, where: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ToolError(where, f"cannot read it ({exc})") from None
    try:
        return parse_yaml(text, where)
    except SchemaError as exc:
        raise ToolError(where, str(exc.issues[0]) if exc.issues else "not valid YAML") from None


def _check_manifest(data: Any, folder: Path) -> dict[str, Any]:
    where = f"{folder.name}/{MANIFEST}"
    if not isinstance(data, Mapping):
        raise ToolError(where, "must be a mapping of keys to values")
    unknown = sorted(str(k) for k in data if k not in _MANIFEST_KEYS)
    if unknown:
        raise ToolError(f"{where}: {unknown[0]}", "is not a manifest key")
    for required in ("format_version", "key", "name", "domain", "completed_by", "charging"):
        if required not in data:
            raise ToolError(f"{where}: {required}", "is required")
    if data["format_version"] != 1:
        raise ToolError(f"{where}: format_version", "must be 1")
    key = data["key"]
    if not isinstance(key, str) or not _KEY.fullmatch(key) or len(key) > 40:
        raise ToolError(f"{where}: key", "must be snake_case, at most 40 characters")
    if key != folder.name:
        raise ToolError(f"{where}: key", f"must be the folder's name ({folder.name!r})")
    for name in ("name", "domain", "description"):
        value = data.get(name, "")
        if not isinstance(value, str) or (name != "description" and not value.strip()):
            raise ToolError(f"{where}: {name}", "must be text")
    if not _KEY.fullmatch(data["domain"]) or data["domain"] == "messages":
        raise ToolError(f"{where}: domain", "must be a snake_case gettext domain other than messages")
    completed = data["completed_by"]
    if not isinstance(completed, list) or not completed or any(c not in COMPLETERS for c in completed):
        raise ToolError(f"{where}: completed_by", f"must list one or both of {', '.join(COMPLETERS)}")
    if data["charging"] not in CHARGING:
        raise ToolError(f"{where}: charging", f"must be one of {', '.join(CHARGING)}")
    free = data.get("free_to_person", False)
    if not isinstance(free, bool):
        raise ToolError(f"{where}: free_to_person", "must be true or false")
    if free and data["charging"] != "none":
        raise ToolError(f"{where}: charging", "must be none when the tool is free to the person")
    if data.get("eligibility_test", "care_act") not in ELIGIBILITY_TESTS:
        raise ToolError(f"{where}: eligibility_test", f"must be one of {', '.join(ELIGIBILITY_TESTS)}")
    kinds = data.get("enabled_by_default", [])
    if not isinstance(kinds, list) or any(k not in ORGANISATION_KINDS for k in kinds):
        raise ToolError(
            f"{where}: enabled_by_default", f"must list organisation kinds ({', '.join(ORGANISATION_KINDS)})"
        )
    return dict(data)


#: The variants any wording group may hold beside its keys: Easy Read, and a carer's voice naming the person.
VARIANTS = ("easy_read", "carer")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _text_of(value: Any, where: str, *, carer: bool) -> str:
    """One wording string, checked: text; ``{name}`` (the person's name) only in carer wording."""
    if not isinstance(value, str) or not value.strip():
        raise ToolError(where, "must be text")
    placeholders = set(_PLACEHOLDER.findall(value))
    if placeholders and not carer:
        raise ToolError(where, "only carer wording may name the person ({name})")
    if placeholders - {"{name}"}:
        raise ToolError(where, "{name} is the only placeholder")
    return value.strip()


def _flatten_wording(data: Any, where: str, config: Configuration) -> dict[str, str]:
    """The wording as ``group.key`` (and ``group.carer.key``, ``group.easy_read.key``,
    ``group.easy_read.carer.key`` for the variants), every key checked against what the tool has."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ToolError(where, "must be a mapping of keys to values")
    line_keys = tuple(line.key for line in config.lines)
    out: dict[str, str] = {}
    for top, value in data.items():
        if top not in WORDING_KEYS:
            raise ToolError(f"{where}: {top}", f"is not a wording key ({', '.join(WORDING_KEYS)})")
        if not isinstance(value, Mapping):
            raise ToolError(f"{where}: {top}", "must be a mapping of keys to text")
        allowed = (
            WORDING_KEYS[top]
            or {
                "areas": config.areas,
                "levels": tuple(str(level) for level in range(config.need_levels + 1)),
                "lines": line_keys,
            }[top]
        )
        standard = {str(k): v for k, v in value.items() if str(k) not in VARIANTS}
        for key, text in standard.items():
            if key not in allowed:
                raise ToolError(f"{where}: {top}.{key}", f"is not one of {', '.join(allowed)}")
            out[f"{top}.{key}"] = _text_of(text, f"{where}: {top}.{key}", carer=False)
        easy_read = value.get("easy_read", {})
        variants = (
            ("carer", value.get("carer", {}), True),
            (
                "easy_read",
                {k: v for k, v in _mapping(easy_read, f"{where}: {top}.easy_read").items() if k != "carer"},
                False,
            ),
            ("easy_read.carer", easy_read.get("carer", {}) if isinstance(easy_read, Mapping) else {}, True),
        )
        for variant, texts, carer in variants:
            for key, text in _mapping(texts, f"{where}: {top}.{variant}").items():
                named = f"{where}: {top}.{variant}.{key}"
                if key not in allowed:
                    raise ToolError(named, f"is not one of {', '.join(allowed)}")
                if key not in standard:
                    raise ToolError(named, f"has no standard wording ({top}.{key})")
                out[f"{top}.{variant}.{key}"] = _text_of(text, named, carer=carer)
        for key in standard:
            # Easy Read for a carer wherever a key has both (as the questionnaire's Easy Read self-funder).
            both = f"{top}.carer.{key}" in out and f"{top}.easy_read.{key}" in out
            if both and f"{top}.easy_read.carer.{key}" not in out:
                raise ToolError(f"{where}: {top}.easy_read.carer.{key}", "is required")
    return out


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ToolError(where, "must be a mapping of keys to text")
    return {str(k): v for k, v in value.items()}


def tool_version(folder: Path) -> str:
    """The SHA-256 of the tool's files (name and bytes of each, in a fixed order)."""
    digest = hashlib.sha256()
    for name in FILES:
        path = folder / name
        if not path.exists():
            continue
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def load_tool(folder: str | os.PathLike[str]) -> Tool:
    """Read and check one tool folder (cached while its files are unchanged); raise ToolError if it is bad."""
    path = Path(folder).resolve()
    found = [(name, (path / name).stat()) for name in FILES if (path / name).exists()]
    stamp = tuple((name, stat.st_mtime_ns, stat.st_size) for name, stat in found)
    return _load_tool(path, stamp)


@functools.lru_cache(maxsize=32)
def _load_tool(folder: Path, _stamp: tuple[tuple[str, int, int], ...]) -> Tool:
    if not (folder / MANIFEST).is_file():
        raise ToolError(f"{folder.name}/{MANIFEST}", "is missing")
    manifest = _check_manifest(_read_yaml(folder / MANIFEST, f"{folder.name}/{MANIFEST}"), folder)
    where = f"{folder.name}/{CONFIGURATION}"
    try:
        config = loads_configuration((folder / CONFIGURATION).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ToolError(where, f"cannot read it ({exc.strerror})") from None
    except ConfigurationError as exc:
        raise ToolError(where, str(exc)) from None
    where = f"{folder.name}/{QUESTIONNAIRE}"
    data = _read_yaml(folder / QUESTIONNAIRE, where)
    try:
        schema = build_schema(
            data,
            source=where,
            require_full_profile=False,
            areas=config.areas,
            need_levels=config.need_levels,
        )
    except SchemaError as exc:
        raise ToolError(where, str(exc)) from None
    for area in config.areas:
        # The level in each area of need must be asked; any other field no question gives takes its neutral
        # default (the adult questionnaire is held to every field by its own tests: load_schema()).
        if f"need_{area}" not in schema.producers:
            raise ToolError(
                f"{where}: questions", f"no question gives the level of need in {area} (need_{area})"
            )
    wording_path = folder / WORDING
    wording = (
        _flatten_wording(
            _read_yaml(wording_path, f"{folder.name}/{WORDING}"), f"{folder.name}/{WORDING}", config
        )
        if wording_path.exists()
        else {}
    )
    return Tool(
        key=manifest["key"],
        name=manifest["name"].strip(),
        domain=manifest["domain"],
        completed_by=frozenset(manifest["completed_by"]),
        free_to_person=manifest.get("free_to_person", False),
        charging=manifest["charging"],
        enabled_by_default=frozenset(manifest.get("enabled_by_default", [])),
        folder=folder,
        version=tool_version(folder),
        schema=schema,
        configuration=config,
        wording=MappingProxyType(wording),
        description=manifest.get("description", "").strip(),
        eligibility_test=manifest.get("eligibility_test", "care_act"),
    )


def builtin_folders() -> tuple[Path, ...]:
    """The tool folders shipped with the portal (every folder under portal/tools/ with a manifest)."""
    return tuple(sorted(p for p in TOOLS_DIR.iterdir() if (p / MANIFEST).is_file()))


def load_tools(extra: Iterable[str | os.PathLike[str]] = ()) -> dict[str, Tool]:
    """Every tool by key: the shipped ones, the adult tool first, then the extra folders given."""
    tools: dict[str, Tool] = {}
    folders = sorted(builtin_folders(), key=lambda p: (p.name != DEFAULT_TOOL, p.name))
    for folder in (*folders, *(Path(f) for f in extra)):
        tool = load_tool(folder)
        if tool.key in tools and tools[tool.key].folder != tool.folder:
            raise ToolError(f"{tool.key}/{MANIFEST}: key", "is the key of another tool")
        tools[tool.key] = tool
    domains: dict[str, str] = {}
    for tool in tools.values():
        if tool.domain in domains:
            raise ToolError(f"{tool.key}/{MANIFEST}: domain", f"is also the domain of {domains[tool.domain]}")
        domains[tool.domain] = tool.key
    return tools


def builtin_tools() -> dict[str, Tool]:
    """The tools shipped with the portal, by key."""
    return load_tools()
