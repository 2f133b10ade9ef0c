"""The tools on the web side (decision 0015): which exist, which an organisation enables, and a case's tool.

The tools are the folders under ``portal/tools/`` plus those named by the ``TOOL_FOLDERS`` setting (a deployment's
own, or a test's fixture). An organisation's choices live in its settings (``tools``: key -> on or off); a tool it
has not chosen about is on only where its manifest's ``enabled_by_default`` names the organisation's kind, so a new
tool is off everywhere until an admin turns it on. Every rule that refuses is here, and the services call it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import current_app, g

from portal.audit import record
from portal.models import Account, Case, Organisation
from portal.questionnaire import Schema
from portal.tools import DEFAULT_TOOL, Tool, load_tools

if TYPE_CHECKING:
    from portal.i18n.schema_text import Words

SETTINGS_KEY = "tools"


class ToolRefused(Exception):
    """A tool that does not exist, is not for this person to complete, or is not enabled where it would go."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # unknown, not_for_person, not_for_practitioner, not_offered, not_enabled


# The tools this process read last: (when, from which folders, the tools). One value, swapped whole.
_last_read: tuple[float, tuple[str, ...], dict[str, Tool]] | None = None


def available() -> dict[str, Tool]:
    """Every tool by key, the adult self-assessment first (read from files; cached while they are unchanged).

    Looked up once per request or job (``g``), and the files are looked at once every ``TOOL_FILES_CHECK_SECONDS``
    at most: checking they are unchanged costs a few dozen system calls, and a question page asks for its
    case's tool several times.
    """
    global _last_read
    tools: dict[str, Tool] | None = g.get("_tools")
    if tools is not None:
        return tools
    folders = tuple(str(f) for f in current_app.config.get("TOOL_FOLDERS", ()))
    now = time.monotonic()
    last = _last_read
    if (
        last is not None
        and last[1] == folders
        and now - last[0] < float(current_app.config.get("TOOL_FILES_CHECK_SECONDS", 0))
    ):
        tools = last[2]
    else:
        tools = load_tools(folders)
        _last_read = (now, folders, tools)
    g._tools = tools
    return tools


def get(key: str) -> Tool:
    """The tool with this key (``ToolRefused("unknown")`` if there is none)."""
    tool = available().get(key)
    if tool is None:
        raise ToolRefused("unknown")
    return tool


def of(case: Case) -> Tool:
    """The tool a case is completed with (a case from before tools were data is the adult one's)."""
    return get(case.tool_key or DEFAULT_TOOL)


def schema_of(case: Case) -> Schema:
    """The questionnaire of a case's tool."""
    return of(case).schema


def name_of(tool: Tool) -> str:
    """The tool's name in the page's language (its own gettext domain)."""
    from portal.i18n.schema_text import translate

    return translate(tool.text("name"), domain_name=tool.domain)


def text_of(tool: Tool, key: str, words: Words | None = None) -> str | None:
    """The tool's own wording for a key (``eligibility.not_met``) in the page's language, or None if it has none.

    With ``words``, its Easy Read and carer variants stand in for it where the tool gives them, the person's
    name filled in (decision 0015)."""
    from portal.i18n.schema_text import translate
    from portal.questionnaire import Voice

    if words is not None:
        key = tool.variant(key, carer=words.voice == Voice.CARER, easy_read=words.easy_read)
    source = tool.text(key)
    return None if source is None else translate(source, words.name if words else "", domain_name=tool.domain)


def words_of(tool: Tool, words: Words | None = None) -> dict[str, str]:
    """Every wording the tool gives (``eligibility.*``, ``letter.*``, ``areas.*``, ``lines.*``), translated,
    in the reader's voice and Easy Read or not when ``words`` says so."""
    out = {}
    for key in tool.standard_keys():
        text = text_of(tool, key, words)
        if text:
            out[key] = text
    return out


def is_enabled(organisation: Organisation | None, key: str) -> bool:
    """Whether the organisation offers this tool: its admin's choice, else the tool's default for its kind."""
    if organisation is None:
        return False
    tool = available().get(key)
    if tool is None:
        return False
    chosen = (organisation.settings or {}).get(SETTINGS_KEY, {})
    if isinstance(chosen, dict) and key in chosen:
        return bool(chosen[key])
    return str(organisation.kind) in tool.enabled_by_default


def enabled(organisation: Organisation | None) -> list[Tool]:
    """The tools an organisation offers, in order."""
    return [tool for key, tool in available().items() if is_enabled(organisation, key)]


def offered_anywhere_keys() -> frozenset[str]:
    """The tools some organisation offers, from one read of the organisations."""
    from sqlalchemy import select

    from portal.extensions import db

    organisations = list(db.session.scalars(select(Organisation)))
    return frozenset(key for key in available() if any(is_enabled(org, key) for org in organisations))


def offered_anywhere(key: str) -> bool:
    """Whether any organisation offers this tool (a person may start only a tool someone offers)."""
    return key in offered_anywhere_keys()


def check_start(key: str, *, by_person: bool) -> Tool:
    """The tool to start a case with, or ``ToolRefused``: it must exist, be for whoever completes it, be offered."""
    tool = get(key)
    if by_person and not tool.completed_by_person():
        raise ToolRefused("not_for_person")
    if not offered_anywhere(key):
        raise ToolRefused("not_offered")
    return tool


def with_the_person(organisation: Organisation | None) -> list[Tool]:
    """The tools a practitioner of this organisation may complete with a person, in order."""
    return [tool for tool in enabled(organisation) if "practitioner" in tool.completed_by]


def check_start_with_person(key: str, organisation: Organisation | None) -> Tool:
    """The tool a practitioner starts completing with a person, or ``ToolRefused``: it must exist, be for a
    practitioner to complete (``not_for_practitioner``) and be offered by their organisation (``not_enabled``)."""
    tool = get(key)
    if "practitioner" not in tool.completed_by:
        raise ToolRefused("not_for_practitioner")
    if not is_enabled(organisation, key):
        raise ToolRefused("not_enabled")
    return tool


def check_enabled(case: Case, organisation: Organisation | None) -> None:
    """Refuse (``ToolRefused("not_enabled")``) a case going to an organisation that does not offer its tool."""
    if not is_enabled(organisation, case.tool_key or DEFAULT_TOOL):
        raise ToolRefused("not_enabled")


def set_enabled(admin: Account, organisation: Organisation, keys: Iterable[str]) -> None:
    """An admin's choice of the tools their organisation offers: these on, every other tool off (audited)."""
    if admin.organisation_id != organisation.id:
        raise PermissionError("an admin chooses only their own organisation's tools")
    wanted = set(keys)
    tools = available()
    unknown = wanted - set(tools)
    if unknown:
        raise ToolRefused("unknown")
    before = {key: is_enabled(organisation, key) for key in tools}
    settings = dict(organisation.settings or {})
    settings[SETTINGS_KEY] = {key: key in wanted for key in tools}
    organisation.settings = settings
    after = {key: key in wanted for key in tools}
    if after != before:
        record(
            "organisation.tools_changed",
            actor=admin,
            organisation=organisation,
            detail={"before": sorted(k for k, v in before.items() if v), "after": sorted(wanted)},
        )
