"""portal/engine is pure Python: no web, template, translation or database import (ast), and it imports with them absent."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import portal.engine

PACKAGE = Path(portal.engine.__file__).parent
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
    "sqlite3",
    "babel",
    "werkzeug",
    "jinja2",
    "weasyprint",
    "gunicorn",
    "govuk_frontend_jinja",
    "govuk_frontend_wtf",
}
NUMERIC = {"numpy", "scipy"}
#: The only module allowed numpy and scipy (calibration); estimates never touch them.
NUMERIC_ALLOWED = {"calibrate.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            names.add("__import__")  # dynamic imports would dodge this test
    return names


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_package_has_modules() -> None:
    names = {path.name for path in _modules()}
    assert {"__init__.py", "calculator.py", "configuration.py", "cli.py", "calibrate.py"} <= names


def test_no_web_or_database_imports() -> None:
    offenders = {path.name: sorted(_imports(path) & (FORBIDDEN | {"__import__"})) for path in _modules()}
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_numpy_only_in_calibration() -> None:
    offenders = {
        path.name: sorted(_imports(path) & NUMERIC) for path in _modules() if path.name not in NUMERIC_ALLOWED
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_imports_with_web_libraries_absent() -> None:
    code = (
        "import sys\n"
        "for name in ('flask', 'sqlalchemy', 'babel', 'werkzeug', 'jinja2', 'numpy', 'scipy'):\n"
        "    sys.modules[name] = None\n"
        "import portal.engine\n"
        "import portal.engine.cli\n"
        "from portal.engine import demo_configuration, estimate, NeedsProfile\n"
        "assert demo_configuration().label\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_brief_check_command_succeeds() -> None:
    code = (
        "import sys; sys.modules['flask']=None; sys.modules['sqlalchemy']=None; sys.modules['babel']=None; "
        "import portal.engine; import portal.engine.cli"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
