"""scripts/mutation.py tries each mutant against the tests that run the function it is planted in."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("mutation", ROOT / "scripts" / "mutation.py")
mutation = importlib.util.module_from_spec(spec)
sys.modules.setdefault("mutation", mutation)  # its dataclasses look their module up there
spec.loader.exec_module(mutation)

SOURCE = """LIMIT = 3


@decorated
def outer(x):
    def inner(y):
        return y + 1

    return inner(x) < LIMIT


def other():
    return 2
"""


def test_a_mutant_goes_to_the_tests_that_run_its_function(tmp_path):
    (tmp_path / "m.py").write_text(SOURCE)
    spans = mutation._function_spans("m.py", tmp_path)
    assert spans == [(4, 9), (6, 7), (12, 13)]
    reach = {
        "t_outer_only": {("m.py", 5), ("m.py", 9)},  # called outer, never its inner function's body
        "t_inner": {("m.py", 5), ("m.py", 6), ("m.py", 7), ("m.py", 9)},
        "t_other": {("m.py", 12), ("m.py", 13)},
        "t_elsewhere": {("n.py", 7)},  # the same line number in another module
    }
    every = list(reach)

    def chosen(line: int) -> list[str]:
        return mutation.tests_for(mutation.Mutant("m.py", line, "x", ""), spans, reach, every)

    assert chosen(9) == ["t_outer_only", "t_inner"]
    assert chosen(7) == ["t_inner"]  # the innermost function holding the line
    assert chosen(13) == ["t_other"]
    assert chosen(4) == ["t_outer_only", "t_inner"]  # the decorator belongs to its function
    assert chosen(1) == every  # outside every function: run when the module is imported, so every test


def test_a_mutant_in_a_function_run_at_import_goes_to_every_test(tmp_path):
    """A helper that builds a module's table runs while the module is imported, before any test: every test
    reads that table, though no test calls the helper."""
    (tmp_path / "m.py").write_text(SOURCE)
    spans = mutation._function_spans("m.py", tmp_path)
    reach = {"t_outer": {("m.py", 5), ("m.py", 9)}, "t_none": set()}
    every = list(reach)

    def chosen(line: int, at_import: set) -> list[str]:
        return mutation.tests_for(mutation.Mutant("m.py", line, "x", ""), spans, reach, every, at_import)

    assert chosen(13, {("m.py", 13)}) == every  # other() ran at import
    assert chosen(13, {("n.py", 13)}) == []  # another module's line 13 ran at import, not this one's
    assert chosen(13, set()) == []
    assert chosen(9, {("m.py", 13)}) == ["t_outer"]  # outer() did not run at import
