"""The questionnaire's wording in the person's language and voice.

The schema's English text is the source; translations live in their own gettext domain, ``questionnaire``,
with each string's msgctxt naming the question and the kind of text (``washing.title.carer``), so the
same English in two places can be translated differently. ``scripts/messages.py`` extracts them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import Domain, get_locale

from portal.questionnaire import Question, SourceString, Voice, fill_name
from portal.settings import ROOT

QUESTIONNAIRE = Domain(str(ROOT / "translations"), domain="questionnaire")
#: Each tool's own domain (decision 0015), made once per name; the adult tool's is ``questionnaire``.
_DOMAINS: dict[str, Domain] = {"questionnaire": QUESTIONNAIRE}


def domain(name: str) -> Domain:
    """The gettext domain of a tool's wording."""
    found = _DOMAINS.get(name)
    if found is None:
        found = _DOMAINS[name] = Domain(str(ROOT / "translations"), domain=name)
    return found


#: Translations already looked up, by (language, msgctxt, English): the catalogues are fixed for the life of the
#: process and the key holds the source text itself, so an entry can never go stale; bounded by the catalogues.
_TRANSLATED: dict[tuple[str, str, str, str], str] = {}


def translate(source: SourceString | None, name: str = "", domain_name: str = "questionnaire") -> str:
    """The translation of one schema string (the English if there is none yet), with the name filled in."""
    if source is None:
        return ""
    key = (str(get_locale()), source.msgctxt, source.text, domain_name)
    text = _TRANSLATED.get(key)
    if text is None:
        text = _TRANSLATED[key] = domain(domain_name).pgettext(source.msgctxt, source.text)
    return fill_name(text, name) if "{name}" in text else text


@dataclass(frozen=True)
class Words:
    """How to word the questionnaire for one case: whose voice, which name, Easy Read or not, self-funder or not."""

    voice: Voice = Voice.PERSON
    name: str = ""
    easy_read: bool = False
    self_funder: bool = False
    domain: str = "questionnaire"  # the gettext domain of the case's tool

    def of(self, item: object, kind: str) -> str:
        """The text of a kind (``title``, ``hint``, ``option.<value>``…) for a question, section or risk rule."""
        source = item.source(kind, self.voice, easy_read=self.easy_read, self_funder=self.self_funder)  # type: ignore[attr-defined]
        return translate(source, self.name, self.domain)

    def question(self, question: Question, kind: str) -> str:
        """The text of a kind for a question; empty when the question has none of that kind."""
        try:
            return self.of(question, kind)
        except ValueError:
            return ""
