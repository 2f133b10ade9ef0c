"""Locale logic: which languages the portal speaks, their direction, and how a request picks one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """A language the portal offers, named in its own words for the switcher."""

    code: str
    own_name: str
    english_name: str
    direction: str = "ltr"


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "English"),
    Language("cy", "Cymraeg", "Welsh"),
    Language("pl", "Polski", "Polish"),
    Language("ur", "اردو", "Urdu", "rtl"),
)
BY_CODE = {language.code: language for language in LANGUAGES}
DEFAULT = "en"


def normalise(code: str | None) -> str | None:
    """Return the supported language code for ``code`` (``cy-GB`` → ``cy``), or None."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    return base if base in BY_CODE else None


#: The Babel locale behind each language code: British English, so dates read "23 November 2026".
BABEL_LOCALES = {"en": "en_GB"}


def babel_locale(code: str) -> str:
    """The Babel locale used to format and translate for a language code."""
    return BABEL_LOCALES.get(code, code)


def direction(code: str) -> str:
    """``rtl`` for right-to-left languages, else ``ltr``."""
    language = BY_CODE.get(code)
    return language.direction if language else "ltr"


#: Languages whose catalogue is complete: CI then fails on any untranslated or fuzzy entry in them, and a
#: change of English wording must update them in the same commit. The others are still being translated.
COMPLETE: frozenset[str] = frozenset({"cy", "pl", "ur"})
