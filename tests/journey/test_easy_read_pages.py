"""Easy Read on every page of the journey, not only the questions (issue 13 item 5): with it on, each page starts
with short sentences, one idea each, and reads differently from the page with it off."""

from __future__ import annotations

import re

from tests.conftest import check_page, sign_in
from tests.journey.helpers import answer_all, post, start

MAX_WORDS = 15


def _easy_read(client, url: str) -> list[str]:
    on = check_page(client.get(url + "?easy_read=1").get_data(as_text=True))
    block = on.select_one(".app-easy-read")
    assert block is not None, url
    sentences = [p.get_text(" ", strip=True) for p in block.select("p")]
    off = check_page(client.get(url + "?easy_read=0").get_data(as_text=True))
    assert off.select_one(".app-easy-read") is None, url
    return sentences


def test_easy_read_reaches_every_page_of_the_journey(client, make_account, make_organisation):
    make_organisation("Northfield City Council", districts=("NF1",))
    start_sentences = _easy_read(client, "/")  # before signing in too
    sign_in(client, make_account())
    case_id = start(client)
    answer_all(client, case_id)
    sentences = list(start_sentences)
    for page in ("", "check", "estimate", "send"):
        sentences += _easy_read(client, f"/my/cases/{case_id}/{page}")
    post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
    for page in ("sent", "status"):
        sentences += _easy_read(client, f"/my/cases/{case_id}/{page}")
    client.get("/?easy_read=0")
    for sentence in sentences:
        words = re.findall(r"\S+", sentence)
        assert len(words) <= MAX_WORDS, sentence
        assert ";" not in sentence, sentence
