"""Keep the gettext catalogues in step with the code: extract, update, compile and check.

python scripts/messages.py update    # extract messages.pot from the code, then update every .po
python scripts/messages.py compile   # build the .mo files the app reads (done at install)
python scripts/messages.py check     # CI: fail on a stale .pot, a .po that does not compile,
                                     # or an untranslated/fuzzy entry in a language marked complete
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.i18n import COMPLETE, LANGUAGES  # noqa: E402

TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"


def _tool_domains() -> dict[str, str]:
    """Each shipped tool's gettext domain and its key (decision 0015); the adult tool's is ``questionnaire``."""
    from portal.tools import builtin_tools

    return {tool.domain: key for key, tool in builtin_tools().items()}


TOOL_DOMAINS = _tool_domains()
DOMAINS = {"messages": POT, **{domain: TRANSLATIONS / f"{domain}.pot" for domain in TOOL_DOMAINS}}
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
            # portal/decision_easy_read.py words each Easy Read sentence through its local say(template, ...),
            # which translates the template: every say() call is a message to translate.
            "-k",
            "say",
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


def _extract_tool(domain: str, target: Path) -> None:
    """Write a tool's wording (its questionnaire's, its name and its own words) to its domain's template, with
    the question id and kind (or ``tool.<key>``) as msgctxt."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from portal.tools import builtin_tools

    tool = builtin_tools()[TOOL_DOMAINS[domain]]
    catalog = Catalog(project="care-portal", msgid_bugs_address="translations@care-portal.invalid")
    for source in tool.translatable_strings():
        catalog.add(source.text, context=source.msgctxt, auto_comments=[source.comment])
    with target.open("wb") as handle:
        write_po(handle, catalog, width=0, sort_output=True, omit_header=False)


def _ids(path: Path) -> set[tuple[str, str | None]]:
    """The (msgid, msgctxt) pairs of a catalogue."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {(str(m.id), m.context) for m in catalog if m.id}


def _extract_domain(domain: str, target: Path) -> None:
    """Extract one domain's template: the code's messages, or a tool's wording."""
    if domain == "messages":
        _extract(target)
    else:
        _extract_tool(domain, target)


def update() -> None:
    """Re-extract every template (the code's and each tool's) and merge them into every language's catalogues,
    creating a language's catalogue for a new tool's domain."""
    for domain, pot in DOMAINS.items():
        _extract_domain(domain, pot)
    for domain, pot in DOMAINS.items():
        for language in LANGUAGES:
            if language.code == "en":
                continue
            po = TRANSLATIONS / language.code / "LC_MESSAGES" / f"{domain}.po"
            action = ["update", "--ignore-obsolete", "--no-fuzzy-matching"] if po.exists() else ["init"]
            subprocess.run(
                [
                    *PYBABEL,
                    *action,
                    "-D",
                    domain,
                    "-i",
                    str(pot),
                    "-d",
                    str(TRANSLATIONS),
                    "-l",
                    language.code,
                    "--no-wrap",
                ],
                check=True,
                capture_output=True,
            )


def compile_all() -> None:
    """Compile every .po into the .mo the app reads."""
    for domain in DOMAINS:
        if not any(TRANSLATIONS.glob(f"*/LC_MESSAGES/{domain}.po")):
            continue  # a new tool's catalogues are made by `update`; until then its English is shown
        subprocess.run(
            [*PYBABEL, "compile", "-D", domain, "-d", str(TRANSLATIONS), "--statistics"], check=True
        )


def check() -> int:
    """Return 1 (and say why) if the catalogues are stale, broken or incomplete where they must be complete."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for domain, pot in DOMAINS.items():
            fresh = Path(tmp) / f"{domain}.pot"
            _extract_domain(domain, fresh)
            if not pot.exists():
                problems.append(f"translations/{pot.name} is missing; run: python scripts/messages.py update")
                continue
            if _ids(fresh) != _ids(pot):
                added = sorted(m for m, _ in _ids(fresh) - _ids(pot))[:5]
                removed = sorted(m for m, _ in _ids(pot) - _ids(fresh))[:5]
                problems.append(
                    f"translations/{pot.name} is stale (new: {added}, gone: {removed}); "
                    "run: python scripts/messages.py update"
                )
    for domain, pot in DOMAINS.items():
        if not pot.exists():
            continue  # reported above
        for language in LANGUAGES:
            if language.code == "en":
                continue
            problems.extend(
                _check_catalogue(
                    TRANSLATIONS / language.code / "LC_MESSAGES" / f"{domain}.po",
                    pot,
                    complete=language.code in COMPLETE,
                )
            )
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("catalogues are up to date")
    return 1 if problems else 0


_PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|\{name\}|%%")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _shape(text: str) -> tuple[list[str], list[str]]:
    """The placeholders and HTML tags a string must keep in any language."""
    return sorted(_PLACEHOLDER.findall(text)), sorted(_TAG.findall(text))


def placeholder_problems(catalog: Any) -> list[str]:
    """Translations whose placeholders or HTML tags differ from the English."""
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = [_shape(text) for text in ids]
        for text in strings:
            if text and _shape(text) not in wanted:
                problems.append(f"{ids[0][:60]!r}: placeholders or tags differ in {text[:60]!r}")
    return problems


def _check_catalogue(po: Path, pot: Path, *, complete: bool) -> list[str]:
    """Problems with one language's catalogue: missing, not compiling, out of step, or incomplete."""
    name = po.relative_to(ROOT)
    if not po.exists():
        return [f"{name} is missing"]
    problems = []
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    if result.returncode != 0:
        problems.append(f"{name} does not compile: {result.stderr.strip()}")
    if _ids(po) != _ids(pot):
        problems.append(f"{name} is not up to date with {pot.name}")
    with po.open("rb") as handle:
        catalog = read_po(handle)
    problems.extend(f"{name}: {problem}" for problem in placeholder_problems(catalog)[:10])
    if complete:
        missing = [
            m.id
            for m in catalog
            if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
        ]
        fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
        if missing or fuzzy:
            problems.append(f"{name}: {len(missing)} untranslated, {len(fuzzy)} fuzzy")
    return problems


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
