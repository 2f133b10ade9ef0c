"""The check that a questionnaire's every string speaks to the right person in each voice (used by each tool's tests).

A text in the carer's voice (a carer, or staff completing it with the person) or one text for both voices never
speaks as the person ("I am safe"); one text for both never says "you" about the person's own life ("A home you own
or rent" would be the carer's home, or the member of staff's).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from portal.questionnaire import Schema

FIRST_PERSON = re.compile(r"\b(I|me|my|mine|myself)\b")
SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)


def wrongly_voiced(schema: Schema, to_whoever_answers: Collection[str] = ()) -> list[str]:
    """Each string (as "msgctxt: text") in the wrong voice.

    ``to_whoever_answers`` are the msgctxts of texts that speak to, or as, whoever answers (the person, a carer, or
    staff with the person), not about the person: "You can choose more than 1", "I'm not sure".
    """
    wrong = []
    for source in schema.translatable_strings():
        voice = source.msgctxt.rsplit(".", 1)[-1]
        if voice == "person" or source.msgctxt in to_whoever_answers:
            continue
        if FIRST_PERSON.search(source.text) or voice != "carer" and SECOND_PERSON.search(source.text):
            wrong.append(f"{source.msgctxt}: {source.text}")
    return wrong
