"""Type-check portal/ with mypy: strict parts must be clean, the rest may only get better than the baseline.

    .venv/bin/python scripts/mypy_baseline.py            # check (scripts/test.sh runs this before the tests)
    .venv/bin/python scripts/mypy_baseline.py --update   # after fixing errors: write the smaller baseline

The configuration is pyproject.toml's [tool.mypy]: ``strict`` on portal/engine, portal/questionnaire and
portal/cases.py, where any error fails. Elsewhere each error is compared with scripts/mypy_baseline.txt, one
line per error as ``file: [code] message`` (no line numbers, so moving code does not disturb it): an error not
in the baseline (or more of one kind than it lists) fails. To lower the baseline, fix some errors and run with
``--update``; it refuses to write a baseline with anything new in it, so the file only ever shrinks (it writes
one from scratch only when there is no file at all). Commit the file with the fix.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scripts" / "mypy_baseline.txt"
STRICT = ("portal/engine/", "portal/questionnaire/", "portal/cases.py")
_ERROR = re.compile(r"^(?P<file>[^:]+):\d+(?::\d+)?: error: (?P<message>.*?)\s+\[(?P<code>[a-z-]+)\]$")


def errors(output: str) -> list[tuple[str, str]]:
    """(file, "file: [code] message") for each error mypy printed; notes and the summary are left out."""
    found = []
    for line in output.splitlines():
        match = _ERROR.match(line.strip())
        if match:
            file = match["file"].replace("\\", "/")
            found.append((file, f"{file}: [{match['code']}] {match['message']}"))
    return found


def compare(current: list[str], baseline: list[str]) -> tuple[list[str], list[str]]:
    """(new errors, errors fixed since the baseline), each as a sorted list with repeats."""
    now, then = Counter(current), Counter(baseline)
    return sorted((now - then).elements()), sorted((then - now).elements())


def run_mypy() -> str:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty", "--show-error-codes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 1) or result.stderr.strip():
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"mypy did not run (exit {result.returncode})")
    return result.stdout


def main(argv: list[str]) -> int:
    update = "--update" in argv
    found = errors(run_mypy())
    if update and not BASELINE.exists():  # the first baseline: everything outside the strict parts
        BASELINE.write_text("".join(f"{text}\n" for _, text in sorted(found) if not _.startswith(STRICT)))
        print(f"mypy baseline written from scratch to {BASELINE.relative_to(ROOT)}")
        update = False
    strict = [text for file, text in found if file.startswith(STRICT)]
    rest = [text for file, text in found if not file.startswith(STRICT)]
    baseline = (
        [line for line in BASELINE.read_text().splitlines() if line.strip()] if BASELINE.exists() else []
    )
    new, fixed = compare(rest, baseline)
    ok = True
    if strict:
        ok = False
        print(f"mypy strict ({', '.join(STRICT)}): {len(strict)} error(s); these parts have no baseline:")
        print("\n".join(f"  {text}" for text in strict))
    if new:
        ok = False
        print(
            f"mypy: {len(new)} error(s) not in {BASELINE.relative_to(ROOT)}; fix them (the baseline only goes down):"
        )
        print("\n".join(f"  {text}" for text in new))
    if update:
        if not ok:
            print("Not updating the baseline while there are new errors.")
            return 1
        BASELINE.write_text("".join(f"{text}\n" for text in sorted(rest)))
        print(f"mypy baseline: {len(baseline)} -> {len(rest)} errors written to {BASELINE.relative_to(ROOT)}")
        return 0
    if ok:
        print(f"mypy: strict parts clean; {len(rest)} error(s) elsewhere, baseline {len(baseline)}.")
        if fixed:
            print(
                f"  {len(fixed)} fewer than the baseline: lower it with "
                "`.venv/bin/python scripts/mypy_baseline.py --update` and commit scripts/mypy_baseline.txt."
            )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
