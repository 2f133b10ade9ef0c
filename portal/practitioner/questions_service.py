"""Questions to the person, and emails to everyone who acts for them.

A question goes online when someone with an account acts for the person (they are told by email and answer on
their status page); otherwise by phone, letter or in person, and the holder records the answer. The lifecycle
decides who may ask and answer, and when (:func:`portal.cases.move`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal import cases
from portal.case_record import OFFLINE_CHANNELS
from portal.cases import Move
from portal.extensions import db
from portal.mail import link_to, queue_email
from portal.models import Account, Authority, Case, CaseMessage, PersonLink
from portal.questionnaire import Voice


def ask_person(assessor: Account, case: Case, question: str, channel: str = "online") -> CaseMessage:
    """Ask the person a question; the case waits for them.

    Online when someone with an account acts for the person (they are told by email and answer on their status
    page); otherwise by phone, letter or in person (``channel``), and the holder records the answer
    (:func:`record_offline_answer`). A channel that does not fit the person is refused before anything is written.
    """
    _check_channel(case, channel)
    cases.move(assessor, case, Move.ASK, detail={"question": question.strip(), "channel": channel})
    message = CaseMessage(
        case_id=case.id,
        author_id=assessor.id,
        kind="question",
        channel=channel,
        body=question.strip(),
        lang=assessor.locale,
    )
    db.session.add(message)
    tell_people(case, "case_question", reference=case.reference)
    db.session.commit()
    return message


def record_offline_answer(holder: Account, case: Case, answer: str, channel: str) -> CaseMessage:
    """The holder records the answer a person without an account gave by phone, letter or in person.

    The lifecycle allows it only to the holder, only while the case waits for the person, and only when nobody
    with an account acts for them (who would answer for themselves).
    """
    if channel not in OFFLINE_CHANNELS:
        raise ValueError(f"an answer recorded by staff came by phone, letter or in person, not {channel!r}")
    if not answer.strip():
        raise ValueError("an answer is needed")
    cases.move(holder, case, Move.ANSWER, detail={"channel": channel})
    message = CaseMessage(
        case_id=case.id,
        author_id=holder.id,
        kind="answer",
        channel=channel,
        body=answer.strip(),
        lang=holder.locale,
    )
    db.session.add(message)
    db.session.commit()
    return message


def _check_channel(case: Case, channel: str) -> None:
    """Online for a person someone with an account acts for; phone, letter or in person for anyone else."""
    fits = channel == "online" if cases.reachable(case) else channel in OFFLINE_CHANNELS
    if not fits:
        raise ValueError(f"a question to this person cannot go {channel!r}")


def tell_people(case: Case, template: str, **context: Any) -> None:
    """Email every account that acts for the case's person, each in their own language."""
    link = link_to("selfassess.status", case_id=case.public_id)
    accounts = db.session.execute(
        select(Account, PersonLink.authority)
        .join(PersonLink, PersonLink.account_id == Account.id)
        .where(PersonLink.person_id == case.person_id)
    )
    for account, authority in accounts:
        queue_email(
            account.email,
            template,
            account.locale,
            name=account.name,
            person_name=case.person.name,
            status_link=link,
            organisation=case.organisation.name if case.organisation else "",
            # Each reader's own choice of Easy Read, and whose voice: "you", or the person's name for a carer.
            easy_read=account.easy_read,
            voice=Voice.PERSON if authority == Authority.SELF else Voice.CARER,
            **context,
        )
