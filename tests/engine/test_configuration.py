"""Configuration: one canonical YAML document, validated on load with errors naming the key, hashed by content."""

from __future__ import annotations

import copy
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal.engine import Configuration, ConfigurationError, demo_configuration, load_configuration
from portal.engine.configuration import loads_configuration

from .conftest import reference_document

Mutation = Callable[[dict[str, Any]], None]


def _demo() -> dict[str, Any]:
    return demo_configuration().to_dict()


def test_demo_loads_and_round_trips(tmp_path: Path) -> None:
    demo = demo_configuration()
    assert demo.label.startswith("Demo")
    assert len(demo.content_hash) == 64
    path = tmp_path / "demo.yaml"
    path.write_text(demo.to_yaml(), encoding="utf-8")
    again = load_configuration(path)
    assert again == demo
    assert again.content_hash == demo.content_hash
    assert loads_configuration(demo.to_yaml()) == demo
    assert load_configuration(demo.to_dict()) == demo
    assert repr(demo).startswith("<Configuration 'Demo")


def test_demo_uses_the_reference_line_structure() -> None:
    demo_lines = [line["key"] for line in _demo()["lines"]]
    reference_lines = [line["key"] for line in reference_document()["lines"]]
    assert demo_lines[: len(reference_lines)] == reference_lines
    assert demo_lines[len(reference_lines) :] == ["carer_breaks"]  # carer breaks: a line of its own
    demo = demo_configuration()
    assert demo.rate("daily_living", "older_people", "community") == 1810
    assert demo.rate("respite", "autism", "supported_living") == 61000
    assert demo.minimum_minutes[0] == 30  # help preparing food or drink: 30 minutes


def test_hash_ignores_label_and_effective_date_but_not_content() -> None:
    demo = demo_configuration()
    relabelled = demo.with_changes(label="Another name", effective_date="2026-04-01")
    assert relabelled.content_hash == demo.content_hash
    assert relabelled.effective_date == "2026-04-01"
    assert relabelled != demo
    data = _demo()
    data["rates"]["daily_living"]["default"] += 1
    assert load_configuration(data).content_hash != demo.content_hash


def test_defaults_are_filled_so_equal_content_hashes_equal() -> None:
    sparse = reference_document()
    explicit = copy.deepcopy(sparse)
    explicit["weeks_per_year"] = "365.25/7"
    explicit["rounding"] = {"increment_minutes": 15}
    explicit["indicative_range"] = {"below_percent": 0, "above_percent": 0}
    assert load_configuration(sparse).content_hash == load_configuration(explicit).content_hash
    assert load_configuration(sparse).to_dict()["care_cap"] is None


def test_yaml_dates_and_numbers_are_normalised() -> None:
    text = _demo_yaml().replace("effective_date: null", "effective_date: 2025-04-01")
    config = loads_configuration(text)
    assert config.effective_date == "2025-04-01"
    assert config.to_dict()["effective_date"] == "2025-04-01"


def _demo_yaml() -> str:
    return demo_configuration().to_yaml()


def test_configuration_is_immutable() -> None:
    demo = demo_configuration()
    with pytest.raises(AttributeError):
        demo.label = "x"
    data = demo.to_dict()
    data["label"] = "changed"
    assert demo.label != "changed"
    assert demo != object()
    assert hash(demo) == hash(demo_configuration())


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[int(last) if last.isdigit() else last]

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            _set("rates.daily_living.older_people", {"community": -5}),
            "rates.daily_living.older_people.community: must be a positive amount (whole pence)",
        ),
        (
            _set("rates.daily_living.older_people", {"community": 0}),
            "rates.daily_living.older_people.community: must be a positive amount (whole pence)",
        ),
        (
            _set("rates.daily_living.older_people", {"communty": 1800}),
            "rates.daily_living.older_people.communty: unknown key",
        ),
        (
            _set("rates.daily_living.default", 18.1),
            "rates.daily_living.default: must be a positive amount (whole pence)",
        ),
        (_delete("rates.daily_living.per"), "rates.daily_living.per: is required"),
        (_set("surprise", 1), "surprise: unknown key"),
        (_delete("label"), "label: is required"),
        (_set("label", ""), "label: must not be empty"),
        (_set("label", True), "label: must be of type string (got a true/false value)"),
        (_set("format", 2), "format: must be 1"),
        (_set("lines.0.funder", "counsil"), "lines[0].funder: must be one of council, nhs, pooled"),
        (
            _set("lines.0.key", "Daily Living"),
            "lines[0].key: must be lower-case letters, digits and underscores",
        ),
        (_set("lines.1.key", "daily_living"), "lines[1].key: repeats the line key 'daily_living'"),
        (_set("lines.0.kind", "respite"), "lines[0].kind: must name a rate per hour ('respite' is per week)"),
        (_set("lines.0.kind", "nothing"), "lines[0].kind: names a kind of support with no rate ('nothing')"),
        (_delete("lines.0.kind"), "lines[0].kind: is required (a kind of support with a rate per hour)"),
        (
            _set("lines.0.source", "night"),
            "lines[0]: must have either areas or a source (night, carer_breaks, contingency)",
        ),
        (_set("lines.2.kind", "daily_living"), "lines[2].kind: does not apply to a night line"),
        (_set("lines.7.source", "night"), "lines[7].source: night is already the source of another line"),
        (_delete("lines.1"), "lines: area of need home_environment is not in any line"),
        (
            _set("lines.1.areas", ["home_environment", "nutrition"]),
            "lines[1].areas: nutrition is already in line 'daily_living'",
        ),
        (_set("lines.0.funder", "pooled"), None),
        (_set("pooled_split.nhs", 40), "pooled_split: council and nhs must add up to 100"),
        (_set("effective_date", "2025-13-01"), "effective_date: must be a real date written YYYY-MM-DD"),
        (_set("effective_date", "soon"), "effective_date: must be a date written YYYY-MM-DD"),
        (
            _set("weeks_per_year", "52/0"),
            "weeks_per_year: must be a number or a fraction like 365.25/7 (got '52/0')",
        ),
        (_set("weeks_per_year", 80), "weeks_per_year: must be between 1 and 60"),
        (
            _set("minimum_minutes.nutrition", 20),
            "minimum_minutes.nutrition: must be a multiple of the rounding increment (15 minutes)",
        ),
        (
            _set("model.base_log_hours.nutrition", [1, 2, 3]),
            "model.base_log_hours.nutrition: must have at least 4 item(s)",
        ),
        (
            _set("model.base_log_hours.nutrition", [1, 2, 1.5, 3]),
            "model.base_log_hours.nutrition[2]: must not be below the level before it (more need must never lower a budget)",
        ),
        (
            _set("model.base_log_hours.nutrition", [1, 2, 3, 9]),
            "model.base_log_hours.nutrition[3]: must be between -10 and 6",
        ),
        (
            _set("model.terms.8.log_effect", -0.1),
            "model.terms[8].log_effect: must not be negative for a term on a need (more need must never lower a budget)",
        ),
        (
            _set("model.terms.8.when", {"memory_cognition": {"equals": 2}}),
            "model.terms[8].when.memory_cognition: must use at_least (so more need never switches a term off)",
        ),
        (
            _set("model.terms.8.when", {"memory_cognition": {"at_least": 5}}),
            "model.terms[8].when.memory_cognition.at_least: must be at most 3",
        ),
        (
            _set("model.terms.8.when", {"memory_cognition": {"in": ["x"]}}),
            "model.terms[8].when.memory_cognition: must use at_least or equals for a number",
        ),
        (
            _set("model.terms.0.when", {"client_group": {"in": ["kids"]}}),
            "model.terms[0].when.client_group.in: must list only older_people, physical_disability, "
            "learning_disability, mental_health, autism (got 'kids')",
        ),
        (
            _set("model.terms.0.when", {"client_group": {"equals": 1}}),
            "model.terms[0].when.client_group: must use 'in' with a list of client_group values",
        ),
        (
            _set("model.terms.1.key", "physical_disability"),
            "model.terms[1].key: repeats the term key 'physical_disability'",
        ),
        (
            _set(
                "model.terms.0.when",
                {"mobility": {"at_least": 1}, "two_carers": {"at_least": 1}, "night": {}},
            ),
            "model.terms[0].when: must have at most 2 key(s)",
        ),
        (
            _delete("night_support.1"),
            "night_support: must give night levels 1, 2 and 3 (there is a night line)",
        ),
        (_set("night_support.1.level", 1), "night_support[1].level: repeats night level 1"),
        (
            _set("night_support.0.kind", "daily_living"),
            "night_support[0].kind: must name a rate per night ('daily_living' is per hour)",
        ),
        (
            _set("night_support.2.nights_per_week", 1),
            "night_support[2]: costs less a week than night level 2 for older_people in community "
            "(more need must never lower a budget)",
        ),
        (
            _set("lines.3.staffing_ratio.behaviour_challenges", [{"at_least": 1, "people_per_carer": 4}]),
            "lines[3].staffing_ratio: more behaviour that challenges must never mean more people per carer "
            "(it would lower a budget)",
        ),
        (
            _set("contingency.hours_per_year", 10.1),
            "contingency.hours_per_year: must be a whole number of rounding increments (15 minutes)",
        ),
        (_set("contingency.kind", None), "contingency.kind: must be of type string"),
        (
            _set("care_cap", {"cap_pence": 8600000, "excluded_lines": ["nope"]}),
            "care_cap.excluded_lines[0]: names no line ('nope')",
        ),
        (_set("care_cap", {"cap_pence": 0}), "care_cap.cap_pence: must be a positive amount (whole pence)"),
        (
            _delete("carer_breaks"),
            "carer_breaks: and a line with source: carer_breaks must be configured together",
        ),
        (
            _set("carer_breaks.kind", "daily_living"),
            "carer_breaks.kind: must name a rate per week ('daily_living' is per hour)",
        ),
    ],
)
def test_errors_name_the_bad_key(mutate: Mutation, message: str | None) -> None:
    data = _demo()
    mutate(data)
    if message is None:
        assert load_configuration(data).lines[0].funder == "pooled"
        return
    with pytest.raises(ConfigurationError) as caught:
        load_configuration(data)
    assert str(caught.value) == message


def test_structural_errors_without_demo_context() -> None:
    ref = reference_document()
    ref["lines"] = [line for line in ref["lines"] if line.get("source") != "contingency"]
    with pytest.raises(
        ConfigurationError, match="^contingency: is configured but no line has source: contingency$"
    ):
        load_configuration(ref)
    ref = reference_document()
    ref["lines"] = [line for line in ref["lines"] if line.get("source") != "night"]
    with pytest.raises(
        ConfigurationError, match="^night_support: is configured but no line has source: night$"
    ):
        load_configuration(ref)
    ref = reference_document()
    ref["lines"][0]["funder"] = "pooled"
    with pytest.raises(
        ConfigurationError, match=r"^lines\[0\].funder: is pooled but there is no pooled_split$"
    ):
        load_configuration(ref)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_configuration(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("label: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"^not valid YAML at line \d+, column \d+$"):
        load_configuration(bad)
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="must be a mapping"):
        load_configuration(bad)
    with pytest.raises(ConfigurationError, match="must be a mapping"):
        Configuration([1])  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="cannot store a value of type"):
        load_configuration({**_demo(), "label": object()})


def test_overrides_by_client_group_and_setting() -> None:
    data = _demo()
    data["rates"]["daily_living"].update(
        {"supported_living": 1700, "learning_disability": 1900, "autism": {"supported_living": 2100}}
    )
    config = load_configuration(data)
    assert config.rate("daily_living", "older_people", "community") == 1810
    assert config.rate("daily_living", "older_people", "supported_living") == 1700
    assert config.rate("daily_living", "learning_disability", "supported_living") == 1900
    assert config.rate("daily_living", "autism", "supported_living") == 2100
    assert config.rate("daily_living", "autism", "community") == 1810


def test_yaml_is_canonical_and_readable() -> None:
    text = _demo_yaml()
    assert text.index("format:") < text.index("label:") < text.index("rates:") < text.index("model:")
    assert yaml.safe_load(text)["model"]["terms"][0]["key"] == "physical_disability"


def test_more_load_paths() -> None:
    from decimal import Decimal

    data = _demo()
    data["rates"]["daily_living"]["older_people"] = "lots"
    with pytest.raises(ConfigurationError, match=r"^rates.daily_living.older_people: must be"):
        load_configuration(data)
    data = _demo()
    data["pooled_split"] = {"council": Decimal("57.5"), "nhs": Decimal("42.5")}
    assert load_configuration(data).pool_council == Fraction(23, 40)


def test_make_estimate_checks_its_arguments() -> None:
    from portal.engine.result import make_estimate

    with pytest.raises(TypeError, match="takes 14 values"):
        make_estimate(1, 2)


def test_every_canonical_document_reloads() -> None:
    for config in (load_configuration(reference_document()), demo_configuration()):
        again = load_configuration(config.to_dict())
        assert again == config and again.content_hash == config.content_hash
        assert loads_configuration(config.to_yaml()) == config


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_refused(value: float) -> None:
    data = _demo()
    data["model"]["terms"][3]["log_effect"] = value
    with pytest.raises(ConfigurationError, match=r"^model.terms\[3\].log_effect: must be a finite number$"):
        load_configuration(data)
    text = _demo_yaml().replace("weeks_per_year: 365.25/7", "weeks_per_year: .inf")
    with pytest.raises(ConfigurationError, match="^weeks_per_year: must be a finite number$"):
        loads_configuration(text)
    with pytest.raises(ConfigurationError, match="must be a number or a fraction"):
        load_configuration({**_demo(), "weeks_per_year": "Infinity"})
