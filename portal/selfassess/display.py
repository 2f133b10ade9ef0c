"""Organisation text for people to read on the citizen's pages (answers are worded by portal.questions_web)."""

from __future__ import annotations

from portal.i18n.web import current_code
from portal.models import Organisation


def urgent_wording(organisation: Organisation | None) -> dict[str, str] | None:
    """The organisation's own urgent-help wording in the page's language, else in English, marked with its language.

    Returns ``{"text": …, "lang": …}`` or None when the organisation has set none (the default wording is used).
    """
    if organisation is None:
        return None
    wording = (organisation.settings or {}).get("urgent_wording") or {}
    if not isinstance(wording, dict):
        return None
    locale = current_code()
    for lang in (locale, "en", *wording.keys()):
        text = wording.get(lang)
        if isinstance(text, str) and text.strip():
            return {"text": text.strip(), "lang": lang}
    return None
