"""Keep the gettext catalogues in step with the code: extract, update, compile and check.

python scripts/messages.py update    # extract messages.pot from the code, then update every .po
python scripts/messages.py compile   # build the .mo files the app reads (done at install)
python scripts/messages.py check     # CI: fail on a stale .pot, a .po that does not compile,
                                     # or an untranslated/fuzzy entry in a language marked complete
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.i18n import COMPLETE, LANGUAGES  # noqa: E402

TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]


def _extract(target: Path) -> None:
    """Extract every gettext string from the Python code and templates into ``target``."""
    subprocess.run(
        [
            *PYBABEL,
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "--no-location",
            "--sort-output",
            "--add-comments=Translators:",
            "--project=care-portal",
            "--msgid-bugs-address=translations@care-portal.invalid",
            "-o",
            str(target),
            str(ROOT),
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )


def _ids(path: Path) -> set[tuple[str, str | None]]:
    """The (msgid, msgctxt) pairs of a catalogue."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {(str(m.id), m.context) for m in catalog if m.id}


def update() -> None:
    """Re-extract the template and merge it into every language's catalogue."""
    _extract(POT)
    for language in LANGUAGES:
        if language.code == "en":
            continue
        po = TRANSLATIONS / language.code / "LC_MESSAGES" / "messages.po"
        if po.exists():
            subprocess.run(
                [
                    *PYBABEL,
                    "update",
                    "-i",
                    str(POT),
                    "-d",
                    str(TRANSLATIONS),
                    "-l",
                    language.code,
                    "--no-wrap",
                    "--ignore-obsolete",
                ],
                check=True,
                capture_output=True,
            )
        else:
            subprocess.run(
                [*PYBABEL, "init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", language.code, "--no-wrap"],
                check=True,
                capture_output=True,
            )


def compile_all() -> None:
    """Compile every .po into the .mo the app reads."""
    subprocess.run([*PYBABEL, "compile", "-d", str(TRANSLATIONS), "--statistics"], check=True)


def check() -> int:
    """Return 1 (and say why) if the catalogues are stale, broken or incomplete where they must be complete."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        _extract(fresh)
        if _ids(fresh) != _ids(POT):
            added = sorted(m for m, _ in _ids(fresh) - _ids(POT))[:5]
            removed = sorted(m for m, _ in _ids(POT) - _ids(fresh))[:5]
            problems.append(
                f"translations/messages.pot is stale (new: {added}, gone: {removed}); "
                "run: python scripts/messages.py update"
            )
    for language in LANGUAGES:
        if language.code == "en":
            continue
        po = TRANSLATIONS / language.code / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            problems.append(f"{po.relative_to(ROOT)} is missing")
            continue
        result = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True
        )
        if result.returncode != 0:
            problems.append(f"{po.relative_to(ROOT)} does not compile: {result.stderr.strip()}")
        if _ids(po) != _ids(POT):
            problems.append(f"{po.relative_to(ROOT)} is not up to date with messages.pot")
        if language.code in COMPLETE:
            with po.open("rb") as handle:
                catalog = read_po(handle)
            missing = [
                m.id
                for m in catalog
                if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
            ]
            fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
            if missing or fuzzy:
                problems.append(f"{po.relative_to(ROOT)}: {len(missing)} untranslated, {len(fuzzy)} fuzzy")
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("catalogues are up to date")
    return 1 if problems else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        raise SystemExit(check())
    else:
        print(__doc__)
        raise SystemExit(2)
