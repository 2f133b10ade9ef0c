"""No English on a translated page (issue 13 item 6): every page of the journey, rendered in Welsh, Polish and
Urdu, shows none of the catalogue's English sentences where the catalogue has a translation, and no "GBP".

It checks the catalogue-backed wording, so it needs the final catalogues: a new English sentence not yet
translated fails here until the catalogues are updated (as tests/test_i18n.py's completeness check does).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.i18n import LANGUAGES
from tests.conftest import sign_in
from tests.journey.helpers import QUESTION_URL, answer_all, start
from tests.journey.test_estimate_page import _night_answers

ROOT = Path(__file__).resolve().parents[2]
LANGS = [language.code for language in LANGUAGES if language.code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|%\{\w+\}")


def english_sentences(lang: str) -> list[str]:
    """The English source sentences whose translation differs, long enough not to be a name or a word."""
    sentences = []
    for domain in ("messages", "questionnaire"):
        with open(ROOT / "translations" / lang / "LC_MESSAGES" / f"{domain}.po", "rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            for msgid in ids:
                if not msgid:
                    continue
                # The longest stretch of the sentence without a placeholder, if it has four or more words.
                for part in PLACEHOLDER.split(msgid):
                    part = " ".join(part.split())
                    if len(part.split()) >= 4:
                        sentences.append(part)
    return sorted(set(sentences), key=len, reverse=True)


def _pages(client, case_id: str) -> list[str]:
    question = client.get(f"/my/cases/{case_id}/continue").headers["Location"]
    assert QUESTION_URL.search(question)
    return ["/", "/my/", f"/my/cases/{case_id}/", question]


@pytest.mark.parametrize("lang", LANGS)
def test_no_english_is_left_on_a_translated_page(client, make_account, make_organisation, lang):
    make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account())
    draft = start(client)
    done = start(client)
    answer_all(client, done, choose=_night_answers)
    urls = [
        *_pages(client, draft),
        f"/my/cases/{done}/check",
        f"/my/cases/{done}/estimate",
        f"/my/cases/{done}/send",
    ]
    english = english_sentences(lang)
    left = []
    for url in urls:
        response = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        body = re.sub(r"<[^>]+>", " ", html.split("<main", 1)[-1].split("</main>", 1)[0])
        text = " ".join(body.split())
        if lang == "pl":
            assert "GBP" not in text, url
        for sentence in english:
            if sentence in text:
                left.append(f"{url}: {sentence!r}")
                break
    assert not left, "\n".join(left)
