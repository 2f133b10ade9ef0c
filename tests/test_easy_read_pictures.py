"""The Easy Read pictures in static/images/easy-read/: one for every picture the questionnaire names, all safe.

The pictures are served as plain <img> files under a strict Content-Security-Policy, so each one must be a
self-contained SVG: no scripts, no style sheets or style attributes, no event handlers and nothing loaded
from elsewhere. No app or database is needed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from portal.questionnaire import load_schema
from portal.tools import builtin_tools

ROOT = Path(__file__).resolve().parent.parent
PICTURES = ROOT / "static" / "images" / "easy-read"
SVG_NS = "{http://www.w3.org/2000/svg}"
MAX_BYTES = 6 * 1024

FORBIDDEN = ("<script", "<style", " style=", 'href="http', 'xlink:href="http', "<foreignObject", "<image")
EVENT_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def picture_names() -> set[str]:
    """Every picture name the packaged questionnaires use."""
    tools = builtin_tools().values()
    return {q.picture for tool in tools for q in tool.schema.questions if q.picture is not None}


def svg_files() -> list[Path]:
    return sorted(PICTURES.glob("*.svg"))


def test_the_questionnaire_names_pictures() -> None:
    assert picture_names(), "the questionnaire should name at least one picture"


@pytest.mark.parametrize("name", sorted(picture_names() | {"default"}))
def test_every_named_picture_exists(name: str) -> None:
    assert (PICTURES / f"{name}.svg").is_file(), f"static/images/easy-read/{name}.svg is missing"


def test_there_are_pictures_to_check() -> None:
    assert svg_files(), "static/images/easy-read/ has no SVG files"


@pytest.mark.parametrize("path", svg_files(), ids=lambda path: path.name)
def test_picture_is_a_safe_small_svg(path: Path) -> None:
    data = path.read_bytes()
    assert len(data) < MAX_BYTES, f"{path.name} is {len(data)} bytes"

    text = data.decode("utf-8")
    for needle in FORBIDDEN:
        assert needle.lower() not in text.lower(), f"{path.name} contains {needle!r}"
    assert not EVENT_ATTRIBUTE.search(text), f"{path.name} has an event-handler attribute"

    # Our own files, checked in: parsing them with the standard library is safe.
    root = ET.fromstring(data)  # noqa: S314
    assert root.tag == f"{SVG_NS}svg", f"{path.name}: the root element is {root.tag}"
    assert root.get("viewBox"), f"{path.name} has no viewBox"
    for element in root.iter():
        assert not any(name.lower().startswith("on") for name in element.attrib), (
            f"{path.name}: <{element.tag}> has an event-handler attribute"
        )


def test_every_question_has_its_own_picture() -> None:
    """Not the generic "?" picture: each question names one, with words for people who cannot see it."""
    schema = load_schema()
    missing = [question.id for question in schema.questions if question.picture is None]
    assert not missing, f"questions without a picture: {missing}"
    for question in schema.questions:
        assert question.picture != "default", question.id
