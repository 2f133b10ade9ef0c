"""Mutation testing of the rules, by hand (not in CI): how many planted bugs do the tests catch?

    .venv/bin/python scripts/mutation.py                  # the lifecycle, the organisation's rules, money
    .venv/bin/python scripts/mutation.py --target cases   # one target; --list shows them
    .venv/bin/python scripts/mutation.py --target cases --jobs 2 --limit 20   # a quick look

Each mutant is one small bug planted in a copy of the tracked files (the working tree is never changed): a
comparison turned round (``==``/``!=``, ``<``/``<=``, ``in``/``not in``, ``is``/``is not``), ``and``/``or``
swapped, a ``not`` dropped, ``True``/``False`` swapped, a number moved by one, ``+``/``-`` swapped, a value
returned as ``None``, or one statement deleted (the standards' "delete the line"). Wording is never mutated: a
changed message is not a changed rule. A clean run of the target's tests first records which lines of the
mutated modules each test runs (fixtures included); then for every mutant the tests that run the function it is
planted in (all of them for code outside functions) run in a process forked from a warm one (third-party
packages imported once; the project imported afresh from a copy holding the mutant): a test that never runs the
code cannot notice the bug, so the verdict is the same as running them all (``--every-test`` does, slower). A
mutant is killed when they fail (or run ten times longer than the clean run). The run prints the share killed and
every survivor with its line, to be read: a survivor points at a missing test or is an equivalent mutant.

We plant the bugs ourselves rather than use mutmut: mutmut 2.5.1 crashes on some operator mutants
("Mutant.line is required"), and mutmut 3 switches mutants on inside functions at call time, so it cannot plant
a bug in a table built when the module is imported (``portal.cases.TRANSITIONS``): every such mutant "survives".
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: target → (modules to mutate, tests that must kill the mutants)
TARGETS: dict[str, tuple[list[str], list[str]]] = {
    "cases": (
        ["portal/cases.py"],
        [
            "tests/test_cases.py",
            "tests/practitioner/test_lifecycle.py::test_the_lifecycle_document_is_generated_from_the_table",
            "tests/practitioner/test_chc.py",
        ],
    ),
    "rules": (["portal/organisation_rules.py"], ["tests/test_organisation_rules.py"]),
    "money": (["portal/money.py"], ["tests/test_money.py"]),
    # The staff services are proven through the pages: seconds per mutant, so run this one on a quiet machine.
    "services": (
        [
            "portal/practitioner/queue_service.py",
            "portal/practitioner/validation_service.py",
            "portal/practitioner/budget_service.py",
            "portal/practitioner/questions_service.py",
            "portal/practitioner/phone_service.py",
        ],
        [
            "tests/practitioner/test_queue_filters.py",
            "tests/practitioner/test_holding.py",
            "tests/practitioner/test_validation_rules.py",
            "tests/practitioner/test_budget_rules.py",
            "tests/practitioner/test_asking_rules.py",
            "tests/practitioner/test_phone.py",
            "tests/practitioner/test_lifecycle.py",
            "tests/practitioner/test_validation_flow.py",
            # The rules other capabilities add to confirming and approving (a review recorded first, the ICB's
            # decision, a personal health budget's final budget) and the voice of what the person is told.
            "tests/test_reviews.py",
            "tests/practitioner/test_chc_eligibility.py",
            "tests/practitioner/test_phb_final_budget.py",
            "tests/practitioner/test_decision_voice.py",
        ],
    ),
}

_SWAPS: dict[type[ast.AST], type[ast.AST]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.And: ast.Or,
    ast.Or: ast.And,
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
}


@dataclass(frozen=True)
class Mutant:
    """One planted bug: where, what, and the mutated module's source."""

    module: str
    line: int
    what: str
    source: str


def _is_docstring(node: ast.AST, parent: ast.AST | None) -> bool:
    """A string standing alone: a docstring, or the documentation of the constant above it (never code)."""
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _deletable(child: object, parent: ast.AST, body: list[object]) -> bool:
    """A statement whose deletion is a planted bug (not a docstring, a definition, an import or a lone body)."""
    return (
        isinstance(child, ast.stmt)
        and not isinstance(child, ast.FunctionDef | ast.ClassDef | ast.Import | ast.ImportFrom)
        and not _is_docstring(child, parent)
        and len(body) > 1
    )


def _sites(tree: ast.Module) -> Iterator[tuple[list[int | str], str, int]]:
    """Every place a bug can be planted: (path to the node, what the bug is, line)."""

    def walk(node: ast.AST, path: list[int | str]) -> Iterator[tuple[list[int | str], str, int]]:
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _SWAPS:
                    yield [*path, "ops", i], f"{type(op).__name__} -> {_SWAPS[type(op)].__name__}", line
        elif isinstance(node, ast.BoolOp) or isinstance(node, ast.BinOp) and type(node.op) in _SWAPS:
            yield [*path, "op"], f"{type(node.op).__name__} -> {_SWAPS[type(node.op)].__name__}", line
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield path, "drop not", line
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            yield path, f"{node.value} -> {not node.value}", line
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            yield path, f"{node.value} -> {node.value + 1}", line
        elif isinstance(node, ast.Return) and not (
            node.value is None or (isinstance(node.value, ast.Constant) and node.value.value is None)
        ):
            yield path, "return None", line
        for field, value in ast.iter_fields(node):
            if field in ("returns", "annotation", "decorator_list"):
                continue
            if isinstance(value, list):
                for i, child in enumerate(value):
                    if _deletable(child, node, value):
                        yield [*path, field, i], "delete the statement", child.lineno
                    if isinstance(child, ast.AST):
                        yield from walk(child, [*path, field, i])
            elif isinstance(value, ast.AST):
                yield from walk(value, [*path, field])

    yield from walk(tree, [])


def _plant(tree: ast.Module, path: list[int | str], what: str) -> str:
    """The module's source with one bug planted at ``path``."""
    mutated = copy.deepcopy(tree)
    parent: object = mutated
    for step in path[:-1]:
        parent = parent[step] if isinstance(step, int) else getattr(parent, step)  # type: ignore[index]
    last = path[-1] if path else None
    target = parent[last] if isinstance(last, int) else getattr(parent, last) if last else mutated  # type: ignore[index]
    if what == "delete the statement":
        parent[last] = ast.Pass(lineno=target.lineno, col_offset=target.col_offset)  # type: ignore[index]
    elif what == "drop not":
        replacement = target.operand
        if isinstance(last, int):
            parent[last] = replacement  # type: ignore[index]
        else:
            setattr(parent, last, replacement)  # type: ignore[arg-type]
    elif what == "return None":
        target.value = ast.Constant(value=None)
    elif isinstance(target, ast.Constant):
        target.value = (not target.value) if isinstance(target.value, bool) else target.value + 1
    elif isinstance(target, ast.cmpop | ast.boolop | ast.operator):
        replacement = _SWAPS[type(target)]()
        if isinstance(last, int):
            parent[last] = replacement  # type: ignore[index]
        else:
            setattr(parent, last, replacement)  # type: ignore[arg-type]
    return ast.unparse(ast.fix_missing_locations(mutated))


def mutants(module: str, root: Path = ROOT) -> list[Mutant]:
    """Every mutant of one module."""
    tree = ast.parse((root / module).read_text(encoding="utf-8"))
    return [Mutant(module, line, what, _plant(tree, path, what)) for path, what, line in _sites(tree)]


def _copy_tree(into: Path) -> None:
    """The tracked files (and the compiled catalogues and assets the tests read) into ``into``."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split("\0")
    extra = [p.relative_to(ROOT).as_posix() for p in ROOT.glob("translations/*/LC_MESSAGES/*.mo")]
    extra += [p.relative_to(ROOT).as_posix() for p in (ROOT / "static" / "dist").rglob("*") if p.is_file()]
    for name in [f for f in files if f] + extra:
        source, target = ROOT / name, into / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _warm_up(work: Path, tests: list[str]) -> None:
    """Import, once, the third-party packages the app and its tests use, so that each forked run starts warm.

    Nothing of the project is imported here: each run imports it afresh from its own copy, mutant included.
    """
    listed = subprocess.run(
        [sys.executable, "-c", "import sys, portal.app, tests.conftest; print(' '.join(sys.modules))"],
        cwd=work,
        env={"PYTHONPATH": str(work), "PATH": "/usr/bin:/bin", "HOME": str(work)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in sorted({n.split(".")[0] for n in listed}):
        if name in ("portal", "tests", "__main__") or name.startswith("_"):
            continue
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - a package that cannot be imported early is imported by the run
            continue


#: The clean run's record of the lines run before the first test: while the modules were imported (a table built
#: by calling a function, say). A bug there is in what every test runs.
AT_IMPORT = "<import>"


class _Reach:
    """A pytest plugin for the clean run: which lines of the mutated modules each test (its fixtures too) runs,
    and which ran while the tests were loaded (under :data:`AT_IMPORT`)."""

    def __init__(self, work: Path, modules: list[str]) -> None:
        self.files = {str(work / module): module for module in modules}
        self.files.update({os.path.realpath(name): module for name, module in list(self.files.items())})
        self.lines: dict[str, set[tuple[str, int]]] = {}
        # Traced from now (before pytest imports the project) until the first test starts.
        self.now: set[tuple[str, int]] | None = self.lines.setdefault(AT_IMPORT, set())
        sys.settrace(self._call)

    def _line(self, frame: Any, event: str, _arg: Any) -> Any:
        if event == "line" and self.now is not None:
            self.now.add((self.files[frame.f_code.co_filename], frame.f_lineno))
        return self._line

    def _call(self, frame: Any, _event: str, _arg: Any) -> Any:
        # Only frames of the mutated modules are traced line by line; every other call costs one look-up.
        if frame.f_code.co_filename in self.files and self.now is not None:
            self.now.add((self.files[frame.f_code.co_filename], frame.f_lineno))
            return self._line
        return None

    def pytest_runtest_protocol(self, item: Any, nextitem: Any) -> Any:
        self.now = self.lines.setdefault(item.nodeid, set())
        sys.settrace(self._call)
        threading.settrace(self._call)
        return None

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]
        self.now = None


def _start(work: Path, tests: list[str], reach: tuple[list[str], Path] | None = None) -> int:
    """Fork a run of the tests in ``work``; the parent gets the child's pid.

    ``reach`` (the clean run): the mutated modules, and the file where the lines each test ran are written.
    """
    pid = os.fork()
    if pid:
        return pid
    code = 99
    try:
        sys.dont_write_bytecode = True
        os.chdir(work)
        sys.path.insert(0, str(work))
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        import pytest

        plugins = [_Reach(work, reach[0])] if reach else []
        code = int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", *tests], plugins=plugins))
        if reach:
            lines = {test: sorted(ran) for test, ran in plugins[0].lines.items()}
            reach[1].write_text(json.dumps(lines), encoding="utf-8")
    finally:
        os._exit(code)


def _function_spans(module: str, root: Path = ROOT) -> list[tuple[int, int]]:
    """The first and last line of every function of a module (decorators included), innermost last."""
    tree = ast.parse((root / module).read_text(encoding="utf-8"))
    spans = [
        (min([node.lineno, *(d.lineno for d in node.decorator_list)]), node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    return sorted(spans, key=lambda span: (span[0], -span[1]))


def tests_for(
    mutant: Mutant,
    spans: list[tuple[int, int]],
    reach: dict[str, set[tuple[str, int]]],
    every: list[str],
    at_import: AbstractSet[tuple[str, int]] = frozenset(),
) -> list[str]:
    """The tests that run the function a mutant is planted in (they alone can notice it), in the run's order.

    A mutant outside every function (a table, a constant: run when the module is imported) gets every test, and
    so does one in a function that ran at import (``at_import``: a helper that builds a table).
    """
    inside = [span for span in spans if span[0] <= mutant.line <= span[1]]
    if not inside:
        return every
    first, last = inside[-1]  # the innermost function holding the line

    def runs_it(ran: AbstractSet[tuple[str, int]]) -> bool:
        return any(module == mutant.module and first <= line <= last for module, line in ran)

    if runs_it(at_import):
        return every
    return [test for test, ran in reach.items() if runs_it(ran)]


def _plant_in(work: Path, module: str, source: str) -> None:
    """Write a module's source into a copy, with no compiled bytecode left to stand in for it."""
    path = work / module
    for stale in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        stale.unlink()
    path.write_text(source, encoding="utf-8")


def chosen(path: Path) -> set[tuple[str, int, str]]:
    """The mutants named in a file of ``module:line: what`` lines, as a run prints its survivors (e.g. its stderr).

    Re-running only an earlier run's survivors after writing tests for them (``--only``) is exact only while
    the mutated modules are unchanged: the line numbers are theirs.
    """
    found = set()
    for text in path.read_text(encoding="utf-8").splitlines():
        match = re.search(r"(\S+\.py):(\d+): (.+?)(?::\s.*)?$", text.replace("survived: ", ""))
        if match:
            found.add((match.group(1), int(match.group(2)), match.group(3).strip()))
    return found


def run(
    target: str,
    jobs: int,
    limit: int | None,
    timeout: float | None = None,
    only: set[tuple[str, int, str]] | None = None,
    tests: list[str] | None = None,
    select: bool = True,
    start: int = 0,
) -> tuple[int, int, list[Mutant]]:
    """Mutate one target; (killed, total, survivors).

    ``jobs`` copies of the project, each running one mutant at a time in a process forked from this warm one.
    ``only``: just these mutants (module, line, what), e.g. an earlier run's survivors. ``tests``: these tests
    instead of the target's (a subset kills no more than the whole list, so its share is a lower bound).
    ``select``: try each mutant against only the tests that run its function (else every test, each time).
    ``start``: skip the first mutants (a run stopped after N continues with ``start=N``; the same code only).
    """
    modules, listed = TARGETS[target]
    tests = tests or listed
    planted = [m for module in modules for m in mutants(module)]
    if only is not None:
        planted = [m for m in planted if (m.module, m.line, m.what) in only]
    planted = planted[start:][:limit]
    originals = {module: (ROOT / module).read_text(encoding="utf-8") for module in modules}
    with tempfile.TemporaryDirectory(prefix=f"mutation-{target}-") as tmp:
        works = [Path(tmp) / f"copy{i}" for i in range(jobs)]
        for work in works:
            _copy_tree(work)
            for module, source in originals.items():
                _plant_in(work, module, source)
        _warm_up(works[0], tests)
        # The clean run migrates a SQLite database once and keeps it for every later run (tests/conftest.py).
        os.environ["PORTAL_TEST_SQLITE_TEMPLATE"] = str(Path(tmp) / "migrated.db")
        started = time.monotonic()
        reach_file = Path(tmp) / "reach.json"
        _, status = os.waitpid(_start(works[0], tests, (modules, reach_file) if select else None), 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{target}: the tests fail without any mutant; fix them first")
        # Each mutant is tried against the tests that run its function (the clean run recorded which lines
        # each test ran), not the whole list: a test that never runs the code cannot notice a bug in it.
        reach = {
            test: {(module, line) for module, line in ran}
            for test, ran in (json.loads(reach_file.read_text()) if select else {}).items()
        }
        at_import = reach.pop(AT_IMPORT, set())
        spans = {module: _function_spans(module) for module in modules}
        chosen_tests = [
            tests_for(mutant, spans[mutant.module], reach, list(reach), at_import) if select else tests
            for mutant in planted
        ]
        unreached = [index for index, chosen in enumerate(chosen_tests) if not chosen]
        for index in unreached:
            mutant = planted[index]
            print(
                f"  survived: {mutant.module}:{mutant.line}: {mutant.what}: no test runs it",
                file=sys.stderr,
                flush=True,
            )
        # A mutant that loops for ever is killed: after ten times the clean run, or the --timeout given (a busy
        # machine makes the clean run slow, and every looping mutant then costs ten of them).
        timeout = timeout or max(30.0, 10 * (time.monotonic() - started))
        verdicts: list[bool] = [False] * len(planted)
        timed_out: set[int] = set()  # killed for running too long: caught, but said apart (a busy machine)
        waiting = [index for index in range(len(planted)) if chosen_tests[index]]
        running: dict[int, tuple[int, Path, float]] = {}  # pid -> (mutant, copy, started)
        free = list(works)
        while waiting or running:
            while waiting and free:
                index, work = waiting.pop(0), free.pop()
                _plant_in(work, planted[index].module, planted[index].source)
                running[_start(work, chosen_tests[index])] = (index, work, time.monotonic())
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                for late, (late_index, _work, since) in running.items():
                    if time.monotonic() - since > timeout and late_index not in timed_out:
                        timed_out.add(late_index)
                        os.kill(late, signal.SIGKILL)
                time.sleep(0.05)
                continue
            index, work, _since = running.pop(pid)
            verdicts[index] = os.waitstatus_to_exitcode(status) != 0  # failed, crashed or killed: caught
            done = len(planted) - len(waiting) - len(running)
            if not verdicts[index]:  # said at once, so a run stopped early still tells what it found
                mutant = planted[index]
                print(
                    f"  survived: {mutant.module}:{mutant.line}: {mutant.what}", file=sys.stderr, flush=True
                )
            if done % 25 == 0:
                print(f"  {target}: {done} of {len(planted)} mutants run", file=sys.stderr, flush=True)
            _plant_in(work, planted[index].module, originals[planted[index].module])
            free.append(work)
    survivors = [m for m, killed in zip(planted, verdicts, strict=True) if not killed]
    if timed_out:
        print(
            f"  {target}: {len(timed_out)} mutants were caught only by running past {timeout:.0f} s:",
            file=sys.stderr,
        )
        for index in sorted(timed_out):
            print(
                f"    {planted[index].module}:{planted[index].line}: {planted[index].what}", file=sys.stderr
            )
    return len(planted) - len(survivors), len(planted), survivors


def main() -> int:
    """Run the chosen targets and print the share of mutants killed."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", choices=sorted(TARGETS), action="append")
    parser.add_argument("--jobs", type=int, default=2, help="copies tested at once (default 2)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N mutants of each target")
    parser.add_argument(
        "--start",
        type=int,
        default=0,
        help="skip the first N mutants: go on from a run stopped after N (while the code is unchanged)",
    )
    parser.add_argument("--timeout", type=float, default=None, help="seconds before a run counts as caught")
    parser.add_argument(
        "--only",
        type=Path,
        default=None,
        help="only the mutants named in this file (module:line: what), e.g. an earlier run's survivors",
    )
    parser.add_argument(
        "--tests",
        default="",
        help="comma-separated tests to run instead of the target's (e.g. the one file that holds a module's rules)",
    )
    parser.add_argument(
        "--every-test",
        action="store_true",
        help="run every test against every mutant (slower), not only the tests that run the mutated function",
    )
    parser.add_argument("--list", action="store_true", help="list the targets and their tests")
    args = parser.parse_args()
    if args.list:
        for name, (modules, tests) in TARGETS.items():
            print(f"{name}: {', '.join(modules)} <- {', '.join(tests)}")
        return 0
    totals = [0, 0]
    for target in args.target or ["cases", "rules", "money"]:
        started = time.monotonic()
        only = chosen(args.only) if args.only else None
        tests = [t.strip() for t in args.tests.split(",") if t.strip()] or None
        killed, total, survivors = run(
            target,
            max(1, args.jobs),
            args.limit,
            args.timeout,
            only,
            tests,
            select=not args.every_test,
            start=args.start,
        )
        totals[0] += killed
        totals[1] += total
        share = killed / total if total else 0.0
        print(
            f"{target}: {killed} of {total} mutants killed ({share:.0%}); {len(survivors)} survived "
            f"({time.monotonic() - started:.0f} s)"
        )
        lines = {m: (ROOT / m).read_text(encoding="utf-8").splitlines() for m in TARGETS[target][0]}
        for mutant in survivors:
            print(
                f"  {mutant.module}:{mutant.line}: {mutant.what}: {lines[mutant.module][mutant.line - 1].strip()}"
            )
        sys.stdout.flush()
    if totals[1]:
        print(f"all: {totals[0]} of {totals[1]} killed ({totals[0] / totals[1]:.0%}); target at least 90%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
