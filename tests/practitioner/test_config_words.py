"""The engine's configuration errors are worded by code (never by matching the engine's English)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from portal.engine import ConfigurationError, demo_configuration, load_configuration, loads_configuration
from portal.engine.config_errors import ERROR_CODES
from portal.practitioner.config_words import CONFIG_ERROR_WORDS, engine_problem

ENGINE = Path(__file__).resolve().parents[2] / "portal" / "engine"


def test_every_code_has_a_wording_and_every_wording_a_code():
    assert set(CONFIG_ERROR_WORDS) == set(ERROR_CODES)


def _raised_codes() -> list[tuple[str, int, str | None]]:
    """(file, line, code) of every ``ConfigurationError(...)`` built in the engine."""
    out = []
    for path in ENGINE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ConfigurationError":
                code = node.args[2] if len(node.args) > 2 else None
                code = next((k.value for k in node.keywords if k.arg == "code"), code)
                literal = code.value if isinstance(code, ast.Constant) else ("(computed)" if code else None)
                out.append((path.name, node.lineno, literal))
    return out


def test_every_error_the_engine_builds_names_a_known_code():
    raised = _raised_codes()
    assert len(raised) > 40
    for name, line, code in raised:
        assert code is not None, f"{name}:{line} raises ConfigurationError without a code"
        assert code == "(computed)" or code in ERROR_CODES, f"{name}:{line}: unknown code {code!r}"


def _error(change) -> ConfigurationError:
    document = demo_configuration().to_dict()
    change(document)
    with pytest.raises(ConfigurationError) as caught:
        load_configuration(document)
    return caught.value


def _set(path: str, value):
    def change(document):
        *parents, last = path.split(".")
        node = document
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return change


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        (_set("pooled_split", {"council": 50, "nhs": 40}), "split_total", "must add up to 100"),
        (_set("weeks_per_year", 70), "between", "must be from 1 to 60"),
        (_set("weeks_per_year", "a/b"), "number_or_fraction", "365.25/7"),
        (_set("rounding.increment_minutes", 7), "increment_multiple", "(7 minutes)"),
        (_set("rates.daily_living.default", 0), "positive_amount", "more than £0"),
        (_set("label", ""), "empty", "must not be empty"),
        (_set("colour", "blue"), "unknown_key", "not a setting"),
    ],
)
def test_real_engine_errors_are_worded_from_their_code_and_values(app, change, code, words):
    error = _error(change)
    assert error.code == code
    with app.test_request_context():
        assert words in engine_problem(error)


def test_yaml_errors_carry_their_place(app):
    with pytest.raises(ConfigurationError) as caught:
        loads_configuration("label: [unclosed")
    assert caught.value.code == "not_yaml_at"
    with app.test_request_context():
        assert f"line {caught.value.values['line']}" in engine_problem(caught.value)


def test_every_wording_renders_with_the_values_its_code_carries(app):
    values = {
        "type": "integer",
        "choices": "a, b",
        "value": 3,
        "count": 2,
        "got": "x",
        "low": 1,
        "high": 60,
        "minutes": 15,
        "unit": "hour",
        "kind": "respite",
        "kind_unit": "week",
        "key": "personal_care",
        "line": 4,
        "area": "eating",
        "source": "night",
        "name": "setting",
        "allowed": "community",
        "level": 1,
        "group": "older_people",
        "setting": "community",
        "file": "x.yaml",
        "reason": "missing",
        "column": 2,
    }
    with app.test_request_context():
        fallback = CONFIG_ERROR_WORDS["invalid"]({})
        for code in ERROR_CODES:
            text = engine_problem(ConfigurationError("x", "english", code, **values))
            assert text and "english" not in text
            if code != "invalid":
                assert text != fallback, code
