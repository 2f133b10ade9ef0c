"""Tools as data (decision 0015): the manifest, the loader's checks, the version, and the adult tool as today."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from typing import Any

import pytest

import portal.tools
from portal.engine import AREAS, demo_configuration
from portal.questionnaire import load_schema
from portal.tools import DEFAULT_TOOL, ToolError, builtin_tools, load_tool, load_tools

ADULT = Path(portal.tools.__file__).parent / "adult_social_care"
FIXTURE = Path(__file__).parent / "fixtures" / "tools" / "home_help"


def _copy(tmp_path: Path, source: Path = ADULT) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_adult_self_assessment_is_the_first_tool() -> None:
    tools = builtin_tools()
    assert next(iter(tools)) == DEFAULT_TOOL == "adult_social_care"
    adult = tools[DEFAULT_TOOL]
    assert adult.domain == "questionnaire"
    assert adult.completed_by == {"person", "practitioner"}
    assert adult.charging == "financial_assessment"
    assert not adult.free_to_person
    assert adult.enabled_by_default == {"council", "partnership"}
    assert adult.areas == AREAS and adult.need_levels == 4
    # the same questionnaire and configuration as before tools were data
    assert adult.schema.content_hash == load_schema().content_hash
    assert adult.configuration == demo_configuration()
    assert adult.configuration.content_hash == demo_configuration().content_hash
    assert dict(adult.wording) == {}
    assert len(adult.version) == 64


def test_a_tools_version_is_the_hash_of_its_files(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    first = load_tool(folder).version
    assert first == builtin_tools()[DEFAULT_TOOL].version
    _edit(
        folder / "questionnaire.yaml", "Do you need help to wash and keep clean?", "Do you need help washing?"
    )
    second = load_tool(folder).version
    assert second != first
    (folder / "wording.yaml").write_text("letter:\n  about: A paragraph.\n", encoding="utf-8")
    third = load_tool(folder)
    assert third.version not in (first, second)
    assert third.text("letter.about") is not None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("charging: financial_assessment", "charging: sometimes", "charging: must be one of"),
        ("free_to_person: false", "free_to_person: true", "charging: must be none when the tool is free"),
        ("completed_by: [person, practitioner]", "completed_by: [robot]", "completed_by: must list"),
        ("completed_by: [person, practitioner]", "completed_by: []", "completed_by: must list"),
        ("key: adult_social_care", "key: another_tool", "must be the folder's name"),
        ("domain: questionnaire", "domain: messages", "domain: must be a snake_case gettext domain"),
        (
            "enabled_by_default: [council, partnership]",
            "enabled_by_default: [everyone]",
            "enabled_by_default: must list",
        ),
        ("format_version: 1", "format_version: 2", "format_version: must be 1"),
        ("format_version: 1", "format_version: 1\nflavour: mint", "flavour: is not a manifest key"),
        ("name: Care and support needs assessment", "name: '  '", "name: must be text"),
    ],
)
def test_a_bad_manifest_is_refused_naming_the_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "tool.yaml", old, new)
    with pytest.raises(ToolError) as caught:
        load_tool(folder)
    assert "adult_social_care/tool.yaml" in str(caught.value)
    assert message in str(caught.value)


def test_a_missing_or_broken_file_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "configuration.yaml").write_text("format: 1\nlabel: x\n", encoding="utf-8")
    with pytest.raises(ToolError, match="configuration.yaml: .*required"):
        load_tool(folder)
    folder = _copy(tmp_path / "again")
    (folder / "tool.yaml").unlink()
    with pytest.raises(ToolError, match="tool.yaml: is missing"):
        load_tool(folder)


@pytest.mark.parametrize(
    ("wording", "message"),
    [
        ("areas:\n  breathing: Breathing\n", "areas.breathing: is not one of nutrition"),
        ("lines:\n  no_such_line: Words\n", "lines.no_such_line: is not one of"),
        ("eligibility:\n  meaning_of_life: Words\n", "eligibility.meaning_of_life: is not one of heading"),
        ("footnotes:\n  one: Words\n", "footnotes: is not a wording key"),
        ("letter:\n  about: ''\n", "letter.about: must be text"),
        ("letter: Words\n", "letter: must be a mapping"),
        # Easy Read and carer variants: only of a key the group gives, {name} only for a carer
        ("letter:\n  about: A.\n  carer:\n    rights: B.\n", "letter.carer.rights: has no standard wording"),
        ("letter:\n  about: A.\n  easy_read:\n    abut: B.\n", "letter.easy_read.abut: is not one of"),
        ("letter:\n  about: A.\n  carer: B.\n", "letter.carer: must be a mapping"),
        ("letter:\n  about: About {name}.\n", "letter.about: only carer wording may name the person"),
        ("letter:\n  about: A.\n  carer:\n    about: About {who}.\n", "letter.carer.about: {name} is"),
        (
            "letter:\n  about: A.\n  carer:\n    about: B {name}.\n  easy_read:\n    about: C.\n",
            "letter.easy_read.carer.about: is required",
        ),
    ],
)
def test_wording_names_only_what_the_tool_has(tmp_path: Path, wording: str, message: str) -> None:
    folder = _copy(tmp_path)
    (folder / "wording.yaml").write_text(wording, encoding="utf-8")
    with pytest.raises(ToolError, match="adult_social_care/wording.yaml: ") as caught:
        load_tool(folder)
    assert message in str(caught.value)


def test_wording_is_translatable_in_the_tools_domain(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "wording.yaml").write_text(
        "areas:\n  nutrition: Food and drink\neligibility:\n  not_met: Not this time.\n", encoding="utf-8"
    )
    tool = load_tool(folder)
    strings = {s.msgctxt: s.text for s in tool.translatable_strings()}
    assert strings["tool.name"] == "Care and support needs assessment"
    assert strings["tool.areas.nutrition"] == "Food and drink"
    assert strings["tool.eligibility.not_met"] == "Not this time."
    assert "washing.title.person" in strings  # the questionnaire's own strings come with it
    assert tool.text("eligibility.no_budget") is None  # left out: the web layer uses today's words


def test_easy_read_and_carer_wording_is_translatable_in_the_tools_domain(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "wording.yaml").write_text(
        "eligibility:\n  not_met: Your needs are not met.\n"
        "  carer:\n    not_met: The needs of {name} are not met.\n"
        "  easy_read:\n    not_met: You will not get help.\n"
        "    carer:\n      not_met: '{name} will not get help.'\n",
        encoding="utf-8",
    )
    tool = load_tool(folder)
    strings = {s.msgctxt: s.text for s in tool.translatable_strings()}
    assert strings["tool.eligibility.carer.not_met"] == "The needs of {name} are not met."
    assert strings["tool.eligibility.easy_read.carer.not_met"] == "{name} will not get help."
    assert (
        tool.variant("eligibility.not_met", carer=True, easy_read=True)
        == "eligibility.easy_read.carer.not_met"
    )
    assert tool.variant("eligibility.not_met", carer=False, easy_read=True) == "eligibility.easy_read.not_met"
    assert tool.variant("eligibility.not_met", carer=True, easy_read=False) == "eligibility.carer.not_met"
    assert tool.variant("eligibility.not_met", carer=False, easy_read=False) == "eligibility.not_met"
    assert tool.standard_keys() == ("eligibility.not_met",)


def test_two_tools_may_not_share_a_key_or_a_domain(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    with pytest.raises(ToolError, match="is the key of another tool"):
        load_tools([folder])
    renamed = tmp_path / "other" / "second_tool"
    shutil.copytree(ADULT, renamed)
    _edit(renamed / "tool.yaml", "key: adult_social_care", "key: second_tool")
    with pytest.raises(ToolError, match="domain: is also the domain of adult_social_care"):
        load_tools([renamed])


def test_the_loader_is_pure_python() -> None:
    tree = ast.parse(Path(portal.tools.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"flask", "flask_babel", "sqlalchemy", "babel", "jinja2", "werkzeug"}


def test_a_small_tool_from_fixture_files_loads_with_its_own_areas_and_words() -> None:
    tool = load_tool(FIXTURE)
    assert tool.key == "home_help" and tool.domain == "home_help"
    assert tool.areas == ("meals", "getting_about", "feeling_well") and tool.need_levels == 3
    assert tool.free_to_person and tool.charging == "none" and tool.enabled_by_default == frozenset()
    assert tool.completed_by_person()
    assert set(tool.schema.canonical) >= {"need_meals", "unpaid_feeling_well"}
    assert "need_hygiene" not in tool.schema.canonical
    assert tool.text("areas.getting_about") == (
        "tool.areas.getting_about",
        "Getting about",
        tool.text("areas.getting_about")[2],
    )  # type: ignore[index]
    assert tool.text("letter.paying") is not None
    assert set(load_tools([FIXTURE])) == {DEFAULT_TOOL, "home_help", *builtin_tools()}


def test_a_tool_must_ask_the_level_in_each_of_its_areas(tmp_path: Path) -> None:
    folder = _copy(tmp_path, FIXTURE)
    _edit(folder / "questionnaire.yaml", "field: need_feeling_well", "field: mobility")
    with pytest.raises(ToolError, match=r"no question gives the level of need in feeling_well"):
        load_tool(folder)
    folder = _copy(tmp_path / "again", FIXTURE)
    _edit(
        folder / "questionnaire.yaml",
        "{none: 0, a_little: 1, some: 2, a_lot: 3}",
        "{none: 0, a_little: 1, some: 2, a_lot: 4}",
    )
    with pytest.raises(ToolError, match=r"4 is not a value of need_meals \(0, 1, 2, 3\)"):
        load_tool(folder)


def test_a_running_process_looks_at_the_tool_files_at_most_once_a_window(app, monkeypatch) -> None:
    """Each request reads the tools once (``g``), and the files are looked at again only after the window:
    looking costs a few dozen system calls, too many for every page."""
    from flask import g

    from portal import tool_service

    reads: list[tuple[str, ...]] = []
    real = tool_service.load_tools

    def counting(folders: tuple[str, ...]) -> dict[str, Any]:
        reads.append(tuple(folders))
        return real(folders)

    monkeypatch.setattr(tool_service, "load_tools", counting)
    monkeypatch.setattr(tool_service, "_last_read", None)
    clock = [1000.0]
    monkeypatch.setattr(tool_service.time, "monotonic", lambda: clock[0])
    app.config["TOOL_FILES_CHECK_SECONDS"] = 10.0

    def a_request() -> None:
        g.pop("_tools", None)
        assert DEFAULT_TOOL in tool_service.available()
        assert DEFAULT_TOOL in tool_service.available()  # the same request asks again: no new read

    a_request()
    assert len(reads) == 1
    clock[0] += 9.9
    a_request()
    assert len(reads) == 1  # within the window: the tools already read
    clock[0] += 0.2
    a_request()
    assert len(reads) == 2  # the window has passed: the files are looked at again
    app.config["TOOL_FOLDERS"] = (str(FIXTURE),)
    a_request()
    assert len(reads) == 3 and "home_help" in tool_service.available()  # other folders: read at once
    app.config["TOOL_FILES_CHECK_SECONDS"] = 0.0
    a_request()
    assert len(reads) == 4  # no window (the tests' setting): every request looks
