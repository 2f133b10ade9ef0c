"""English Easy Read: short sentences, one idea each (issue 13 item 5), measured on every Easy Read text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

TOOLS = Path(__file__).resolve().parents[2] / "portal" / "tools"
SCHEMAS = sorted(TOOLS.glob("*/questionnaire.yaml"))
MAX_WORDS = 15
#: Words that join a second idea onto a sentence; one of them is allowed ("a wash, a bath or a shower").
JOINERS = re.compile(r"\b(and|but|because|so|which|although|unless|while)\b", re.IGNORECASE)


def _texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _texts(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _texts(inner, f"{where}[{i}]")
    elif isinstance(value, str):
        yield where, value


def easy_read_sentences() -> list[tuple[str, str]]:
    found = []
    for path in SCHEMAS:  # every questionnaire a person may complete
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in (*data["sections"], *data["questions"]):
            for where, text in _texts(item.get("easy_read", {}), f"{path.parent.name}:{item['id']}"):
                for sentence in re.split(r"(?<=[.?!])\s+", text.strip()):
                    if sentence:
                        found.append((where, sentence))
    return found


def test_there_are_easy_read_sentences() -> None:
    assert len(easy_read_sentences()) > 100


@pytest.mark.parametrize(("where", "sentence"), easy_read_sentences(), ids=lambda v: v[:60])
def test_an_easy_read_sentence_is_short_with_one_idea(where: str, sentence: str) -> None:
    words = sentence.split()
    assert len(words) <= MAX_WORDS, f"{where}: {len(words)} words"
    assert ";" not in sentence, f"{where}: two ideas joined by a semicolon"
    assert len(JOINERS.findall(sentence)) <= 1, f"{where}: more than one idea"


def test_the_measure_catches_a_long_sentence() -> None:
    long = "You can tell us about the help you get from your family and friends every single week."
    assert len(long.split()) > MAX_WORDS
