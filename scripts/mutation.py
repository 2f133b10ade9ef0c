"""Mutation testing of the rules, by hand (not in CI): how many planted bugs do the tests catch?

    .venv/bin/python scripts/mutation.py                 # the lifecycle and the organisation's rules
    .venv/bin/python scripts/mutation.py --target cases  # one target; --list shows them

For each target it copies the tracked files into a temporary directory (the working tree is never mutated),
runs mutmut (pinned below, from PyPI) over the target's modules with the target's fast tests, leaving out
string, f-string and annotated-assignment mutants (changed wording is not a changed rule; see the run's
arguments for why annotated assignments), and prints the share of mutants killed and every survivor as a diff,
to be read: a survivor either points at a missing test or is an equivalent mutant
(say why in the closing note). The tests are the fast ones that build cases directly; the journeys through the
pages prove the same rules end to end but take minutes per mutant.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = "mutmut==2.5.1"

#: target → (modules to mutate, tests that must kill the mutants)
TARGETS: dict[str, tuple[list[str], list[str]]] = {
    "cases": (["portal/cases.py"], ["tests/test_cases.py"]),
    "rules": (["portal/organisation_rules.py"], ["tests/test_organisation_rules.py"]),
    "money": (["portal/money.py"], ["tests/test_money.py"]),
    # The staff services are proven through the pages: minutes per mutant, so run this one on a quiet machine.
    "services": (
        ["portal/practitioner/service.py"],
        ["tests/practitioner/test_lifecycle.py", "tests/practitioner/test_validation_flow.py"],
    ),
}


def _mutmut() -> Path:
    """The mutmut command in a small virtualenv of its own (its pins must not touch the project's)."""
    venv = ROOT / ".mutation-venv"
    if not (venv / "bin" / "mutmut").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", MUTMUT], check=True)
    return venv / "bin" / "mutmut"


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
            target.write_bytes(source.read_bytes())


def run(target: str, mutmut: Path) -> tuple[int, int, list[str]]:
    """Mutate one target; (killed, total, survivors' diffs)."""
    modules, tests = TARGETS[target]
    with tempfile.TemporaryDirectory(prefix=f"mutation-{target}-") as tmp:
        work = Path(tmp)
        _copy_tree(work)
        python = ROOT / ".venv" / "bin" / "python"
        # mutmut 2 counts only exit code 1 as a failing run, and does not use a shell: a small script makes a
        # mutant that breaks the import (pytest's exit code 2) count as killed too.
        (work / "run-tests.sh").write_text(
            f"{python} -m pytest -x -q -p no:cacheprovider {' '.join(tests)} || exit 1\n", encoding="utf-8"
        )
        runner = "sh run-tests.sh"
        subprocess.run(
            [
                str(mutmut),
                "run",
                "--paths-to-mutate",
                ",".join(modules),
                "--tests-dir",
                "tests",
                "--runner",
                runner,
                "--disable-mutation-types",
                # Strings: changed wording is not a changed rule. Annotated assignments: mutmut 2.5.1 crashes on
                # them ("Mutant.line is required") when a docstring follows, and replacing a typed constant or a
                # local with None only breaks everything at once.
                "string,fstring,annassign",
                "--simple-output",
                "--no-progress",
            ],
            cwd=work,
            check=False,
        )
        with sqlite3.connect(work / ".mutmut-cache") as cache:
            rows = cache.execute("SELECT id, status FROM Mutant").fetchall()
        killed = sum(1 for _, status in rows if status in ("ok_killed", "bad_timeout"))
        survivors = []
        for mutant_id, status in rows:
            if status in ("bad_survived", "ok_suspicious"):
                shown = subprocess.run(
                    [str(mutmut), "show", str(mutant_id)],
                    cwd=work,
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout
                survivors.append(f"# mutant {mutant_id} ({status})\n{shown}")
        return killed, len(rows), survivors


def main() -> int:
    """Run the chosen targets and print the share of mutants killed."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", choices=sorted(TARGETS), action="append")
    parser.add_argument("--list", action="store_true", help="list the targets and their tests")
    args = parser.parse_args()
    if args.list:
        for name, (modules, tests) in TARGETS.items():
            print(f"{name}: {', '.join(modules)} <- {', '.join(tests)}")
        return 0
    mutmut = _mutmut()
    totals = [0, 0]
    report = []
    for target in args.target or ["cases", "rules"]:
        killed, total, survivors = run(target, mutmut)
        totals[0] += killed
        totals[1] += total
        share = killed / total if total else 0.0
        report.append(
            f"{target}: {killed} of {total} mutants killed ({share:.0%}); {len(survivors)} survived"
        )
        report.extend(survivors)
    print("\n".join(report))
    if totals[1]:
        print(f"all: {totals[0]} of {totals[1]} killed ({totals[0] / totals[1]:.0%}); target at least 90%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
