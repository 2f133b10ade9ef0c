"""scripts/mypy_baseline.py: mypy's lines read without line numbers, and only a new error fails."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "mypy_baseline", Path(__file__).resolve().parent.parent / "scripts" / "mypy_baseline.py"
)
assert _spec and _spec.loader
baseline = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(baseline)

OUTPUT = """\
portal/app.py:114: error: Returning Any from function declared to return "str"  [no-any-return]
portal/app.py:114: note: See https://mypy.rtfd.io
portal/app.py:200:7: error: Returning Any from function declared to return "str"  [no-any-return]
portal/engine/cli.py:285: error: Argument 1 has incompatible type "int"  [arg-type]
Found 3 errors in 2 files (checked 79 source files)
"""


def test_errors_are_read_without_line_numbers_notes_or_summary():
    assert baseline.errors(OUTPUT) == [
        (
            "portal/app.py",
            'portal/app.py: [no-any-return] Returning Any from function declared to return "str"',
        ),
        (
            "portal/app.py",
            'portal/app.py: [no-any-return] Returning Any from function declared to return "str"',
        ),
        ("portal/engine/cli.py", 'portal/engine/cli.py: [arg-type] Argument 1 has incompatible type "int"'),
    ]


def test_only_errors_beyond_the_baseline_are_new():
    old = ["a: [x] one", "a: [x] one", "b: [y] two"]
    assert baseline.compare(["a: [x] one", "b: [y] two"], old) == ([], ["a: [x] one"])
    assert baseline.compare(["a: [x] one"] * 3, old) == (["a: [x] one"], ["b: [y] two"])
    assert baseline.compare(old, old) == ([], [])
