"""Shared fixtures for the questionnaire tests: the real schema, the small fixture schemas, a page walker."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from portal.questionnaire import Schema, build_schema, load_schema, parse_yaml

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2025, 6, 1)

Walker = Callable[..., tuple[list[str], dict[str, Any]]]


@pytest.fixture(scope="session")
def schema() -> Schema:
    """The real, packaged self-assessment schema."""
    return load_schema()


@pytest.fixture(scope="session")
def load_fixture() -> Callable[[str], Schema]:
    """Load tests/questionnaire/fixtures/<name>.yaml (small schemas need not map every canonical field)."""

    def load(name: str) -> Schema:
        text = (FIXTURES / f"{name}.yaml").read_text(encoding="utf-8")
        return build_schema(parse_yaml(text, name), source=name, require_full_profile=False)

    return load


@pytest.fixture(scope="session")
def walk() -> Walker:
    """Answer page by page as the web journey does, posting raw form values, and return (pages, answers).

    Starts where first_unanswered says, parses each posted value, follows next_id, and checks on the way
    that every page is on the path, the back link points at the page before, and resuming lands on the
    next page. A persona missing a value for a page it is shown fails with a KeyError naming that page.
    """

    def run(
        schema: Schema, posted: Mapping[str, Any], today: date = TODAY
    ) -> tuple[list[str], dict[str, Any]]:
        answers: dict[str, Any] = {}
        pages: list[str] = []
        current = schema.first_unanswered(answers)
        while current is not None:
            assert schema.is_on_path(current, answers)
            assert current not in pages, f"{current} shown twice"
            assert schema.previous_id(current, answers) == (pages[-1] if pages else None)
            value, error = schema.parse(current, posted[current], today=today)
            assert error is None, f"{current}: {error}"
            answers[current] = value
            pages.append(current)
            current = schema.next_id(current, answers)
            assert schema.first_unanswered(answers) == current
        assert schema.is_complete(answers)
        assert schema.path(answers) == pages
        return pages, answers

    return run
