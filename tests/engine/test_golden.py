"""Golden outputs: any change that moves a penny, an hour or a reason must come with a new ENGINE_VERSION.

The estimates for the first 200 training profiles (plus ipb and eligibility variants) under a frozen
configuration are hashed; the hash is recorded in data/golden.json under the engine version. To record a
deliberate change: bump ENGINE_VERSION in portal/engine/calculator.py, then run
``RAS_UPDATE_GOLDEN=1 .venv/bin/pytest tests/engine/test_golden.py`` and commit data/golden.json.
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from portal.engine import AREAS, ENGINE_VERSION, estimate, load_configuration

from .conftest import DATA, load_profiles

GOLDEN = DATA / "golden.json"
CONFIG = DATA / "golden_config.yaml"


def golden_hash() -> str:
    config = load_configuration(CONFIG)
    results = []
    for i, profile in enumerate(load_profiles(200)):
        results.append(estimate(profile, config).to_dict())
        if i % 5 == 0:
            results.append(estimate(profile, config, mode="ipb", already_counted_pence=i * 1000).to_dict())
        if i % 7 == 0:
            results.append(estimate(profile, config, eligible=AREAS[i % 3 :: 2] + ("night",)).to_dict())
    canonical = json.dumps(results, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_outputs_match_the_golden_hash_for_this_engine_version() -> None:
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    current = golden_hash()
    if os.environ.get("RAS_UPDATE_GOLDEN"):
        if ENGINE_VERSION in recorded and recorded[ENGINE_VERSION] != current:
            pytest.fail(f"outputs changed but ENGINE_VERSION is still {ENGINE_VERSION}: bump it first")
        recorded[ENGINE_VERSION] = current
        GOLDEN.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert ENGINE_VERSION in recorded, (
        f"no golden hash for engine {ENGINE_VERSION}: see this module's docstring"
    )
    assert recorded[ENGINE_VERSION] == current, (
        f"estimates changed under engine {ENGINE_VERSION}: bump ENGINE_VERSION and record a new golden hash"
    )


def test_golden_configuration_is_frozen() -> None:
    config = load_configuration(CONFIG)
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert recorded["config_hash"] == config.content_hash
