"""The layers of the portal: the two front doors never import each other, and the core imports neither.

The citizen's pages (``portal/selfassess``) and the staff pages (``portal/practitioner``) share code only through
the core below them (for example :mod:`portal.questions_web`, :mod:`portal.person_details`,
:mod:`portal.case_record`). The one exception is the app factory registering the two blueprints.
"""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[1] / "portal"
FRONT_DOORS = ("portal.selfassess", "portal.practitioner")
#: (importing module, imported name): the app factory registers each front door's blueprint, and nothing else.
ALLOWED = {("portal.app", "portal.selfassess.bp"), ("portal.app", "portal.practitioner.bp")}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_names(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """Every dotted name an import statement reaches: the module and, for ``from``, each name taken from it."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        return [f"{base}.{alias.name}" for alias in node.names] or [base]
    return []


def _front_door(name: str) -> str | None:
    return next((door for door in FRONT_DOORS if name == door or name.startswith(door + ".")), None)


def forbidden_imports(root: Path = PORTAL) -> list[str]:
    """Each import (at any depth in a module, functions included) that crosses the layers, as ``module:line name``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        own = _front_door(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for name in _imported_names(node, module, path.name == "__init__.py"):
                door = _front_door(name)
                if door is None or door == own or (module, name) in ALLOWED:
                    continue
                found.append(f"{module}:{node.lineno} {name}")
    return found


def test_front_doors_and_core_do_not_import_across_the_layers() -> None:
    assert forbidden_imports() == []


def test_the_walk_finds_every_kind_of_crossing(tmp_path: Path) -> None:
    """The walker itself: a plain, a ``from``, a relative and a function-level import across the layers are found."""
    root = tmp_path / "portal"
    (root / "selfassess").mkdir(parents=True)
    (root / "practitioner").mkdir()
    (root / "__init__.py").write_text("")
    (root / "selfassess" / "__init__.py").write_text("from portal.selfassess import service\n")
    (root / "selfassess" / "service.py").write_text("def f():\n    from ..practitioner import service\n")
    (root / "practitioner" / "__init__.py").write_text("import portal.selfassess.service\n")
    (root / "letters.py").write_text("def g():\n    from portal.practitioner.service import x\n")
    (root / "app.py").write_text("from portal.selfassess import bp\nfrom portal.selfassess import service\n")
    assert forbidden_imports(root) == [
        "portal.app:2 portal.selfassess.service",
        "portal.letters:2 portal.practitioner.service.x",
        "portal.practitioner:1 portal.selfassess.service",
        "portal.selfassess.service:2 portal.practitioner.service",
    ]
