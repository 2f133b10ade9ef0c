"""The loader refuses every bad schema with a SchemaError naming the bad key; strict YAML; caching."""

from __future__ import annotations

import copy
import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal.questionnaire import (
    DEFAULT_SCHEMA_PATH,
    SchemaError,
    build_schema,
    load_schema,
    parse_yaml,
)

FIXTURES = Path(__file__).parent / "fixtures"
BASE = parse_yaml((FIXTURES / "small.yaml").read_text(encoding="utf-8"))
CASES = yaml.safe_load((FIXTURES / "invalid_cases.yaml").read_text(encoding="utf-8"))["cases"]


def _apply(data: dict[str, Any], patch: dict[str, Any]) -> None:
    if "set" in patch:
        *parents, last = patch["set"]
        _dig(data, parents)[last] = patch["value"]
    elif "delete" in patch:
        *parents, last = patch["delete"]
        del _dig(data, parents)[last]
    else:
        _dig(data, patch["append"]).append(patch["value"])


def _dig(data: Any, keys: list[Any]) -> Any:
    for key in keys:
        data = data[key]
    return data


def test_the_base_fixture_is_valid() -> None:
    build_schema(copy.deepcopy(BASE), require_full_profile=False)


def test_every_case_has_a_unique_name() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_bad_schema_raises_naming_the_key(case: dict[str, Any]) -> None:
    data = copy.deepcopy(BASE)
    for patch in case["patch"]:
        _apply(data, patch)
    with pytest.raises(SchemaError) as caught:
        build_schema(data, source="case", require_full_profile=case.get("full_profile", False))
    at_path = [issue.message for issue in caught.value.issues if issue.path == case["path"]]
    assert at_path, f"no issue at {case['path']}: {caught.value}"
    assert any(case["message"] in message for message in at_path), caught.value
    assert f"{case['path']}: " in str(caught.value)


def test_error_message_reads_path_then_problem() -> None:
    data = copy.deepcopy(BASE)
    data["questions"][1]["routing_rules"][1]["goto"] = "nowhere"
    with pytest.raises(SchemaError) as caught:
        build_schema(data, source="small.yaml", require_full_profile=False)
    assert (
        str(caught.value) == "questions[1].routing_rules[1].goto: unknown question 'nowhere'\n(in small.yaml)"
    )


def test_all_problems_are_reported_at_once() -> None:
    data = copy.deepcopy(BASE)
    data["questions"][1]["routing_rules"][1]["goto"] = "nowhere"
    data["questions"][0]["section"] = "nowhere"
    with pytest.raises(SchemaError) as caught:
        build_schema(data, require_full_profile=False)
    paths = [issue.path for issue in caught.value.issues]
    assert "questions[0].section" in paths and "questions[1].routing_rules[1].goto" in paths


def test_root_must_be_a_mapping() -> None:
    with pytest.raises(SchemaError, match="must be object"):
        build_schema(["not", "a", "schema"])


# -- strict YAML --------------------------------------------------------------------------------------


def test_duplicate_yaml_key_is_refused_with_its_line() -> None:
    with pytest.raises(SchemaError, match=r"line 3: duplicate key 'title'"):
        parse_yaml("id: a\ntitle: one\ntitle: two\n")


def test_merge_keys_may_be_overridden() -> None:
    assert parse_yaml("base: &b {a: 1, b: 2}\nother:\n  <<: *b\n  b: 3\n")["other"] == {"a": 1, "b": 3}


def test_broken_yaml_is_a_schema_error() -> None:
    with pytest.raises(SchemaError, match="not valid YAML"):
        parse_yaml("questions: [unclosed\n")


def test_yes_no_and_dates_stay_text() -> None:
    data = parse_yaml("a: yes\nb: no\nc: on\nd: 2024-01-02\ne: true\nf: null\n")
    assert data == {"a": "yes", "b": "no", "c": "on", "d": "2024-01-02", "e": True, "f": None}


# -- loading files ------------------------------------------------------------------------------------


def test_default_schema_is_loaded_once(schema) -> None:
    assert load_schema() is load_schema()
    assert load_schema(DEFAULT_SCHEMA_PATH) is load_schema()


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    target = tmp_path / "q.yaml"
    target.write_text((FIXTURES / "small.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(SchemaError, match="no question gives the canonical field"):
        load_schema(target)  # load_schema always requires every canonical field
    real = DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8")
    target.write_text(real, encoding="utf-8")
    first = load_schema(target)
    edited = real.replace(f'content_version: "{first.content_version}"', 'content_version: "99.0.0"')
    target.write_text(edited, encoding="utf-8")
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = load_schema(target)
    assert second.content_version == "99.0.0" != first.content_version
    assert first.content_hash != second.content_hash


def test_missing_or_unreadable_file_is_a_schema_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="cannot read the schema file"):
        load_schema(tmp_path / "absent.yaml")
    with pytest.raises(SchemaError, match="cannot read the schema file"):
        load_schema(tmp_path)  # a directory
    (tmp_path / "latin1.yaml").write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(SchemaError, match="cannot read the schema file"):
        load_schema(tmp_path / "latin1.yaml")
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(SchemaError, match="must be object"):
        load_schema(tmp_path / "empty.yaml")


# -- immutability -------------------------------------------------------------------------------------


def test_schema_is_immutable(schema) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        schema.content_version = "9.9.9"  # type: ignore[misc]
    question = schema.question("eating-drinking")
    with pytest.raises(dataclasses.FrozenInstanceError):
        question.mandatory = False  # type: ignore[misc]
    assert isinstance(schema.questions, tuple) and isinstance(schema.sections, tuple)
    with pytest.raises(TypeError):
        question.maps_to[0].values["none"] = 4  # type: ignore[index]
    with pytest.raises(TypeError):
        schema._questions_by_id["x"] = question  # type: ignore[index]


def test_lookup_by_id(schema) -> None:
    assert schema.question("medicines").id == "medicines"
    assert schema.section("home").id == "home"
    assert "medicines" in schema and "nowhere" not in schema and 3 not in schema
    with pytest.raises(KeyError):
        schema.question("nowhere")
    assert [q.id for q in schema.section_questions("unpaid-carer")] == [
        "has-unpaid-carer",
        "carer-can-continue",
        "carer-breaks",
        "unpaid-carer-relationship",
        "carer-assessment",
    ]
