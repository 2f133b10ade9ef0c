"""The staff services live in modules by capability; :mod:`portal.practitioner.service` gathers every public
name of them, so the views (``work``) and the tests (``service``) read them from one place."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from portal.practitioner import service

CAPABILITIES = ("queue_service", "validation_service", "budget_service", "questions_service", "phone_service")


def _public_names(module_name: str) -> set[str]:
    """The public functions, classes and constants a module defines itself (not what it imports)."""
    path = Path(importlib.import_module(module_name).__file__ or "")
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return {name for name in names if not name.startswith("_")}


def test_every_public_name_of_the_staff_services_is_read_through_service():
    for capability in CAPABILITIES:
        module = importlib.import_module(f"portal.practitioner.{capability}")
        for name in _public_names(module.__name__):
            assert name in service.__all__, (
                f"{capability}.{name} is not gathered in portal.practitioner.service"
            )
            assert getattr(service, name) is getattr(module, name), name


def test_every_name_service_offers_is_there():
    assert len(set(service.__all__)) == len(service.__all__)
    for name in service.__all__:
        assert hasattr(service, name), name
