"""portal/questionnaire is pure Python: no web, template, translation or database library, checked with ast."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import portal.questionnaire

PACKAGE = Path(portal.questionnaire.__file__).parent
FORBIDDEN = {
    "flask",
    "flask_babel",
    "flask_htmx",
    "flask_login",
    "flask_migrate",
    "flask_sqlalchemy",
    "flask_wtf",
    "wtforms",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "babel",
    "werkzeug",
    "jinja2",
    "markupsafe",
}


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
            "__import__",
            "import_module",
        ):
            roots.add("<dynamic import>")
    return roots


def test_no_forbidden_imports() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) >= 6
    for path in files:
        bad = _imported_roots(path) & (FORBIDDEN | {"<dynamic import>"})
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_package_works_with_web_libraries_absent() -> None:
    code = (
        "import sys\n"
        f"for name in {sorted(FORBIDDEN)!r}:\n"
        "    sys.modules[name] = None\n"
        "from portal.questionnaire import load_schema\n"
        "schema = load_schema()\n"
        "assert len(schema.to_profile({})) == 35\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
