"""Asking for a decision to be looked at again (a reconsideration), and how it ended.

The person, or someone acting for them, asks from the decision: why it should be looked at again, what they want
considered, and files (PDFs and photos, checked by their content). The request is a new case linked to the decided
one (:func:`portal.cases.start_linked_case`), sent straight to the organisation's queue with the decided case's
answers and checks to work from; the decided case never changes. Who may take it (nobody who confirmed or approved
the first decision) is the lifecycle's rule (``Condition.INDEPENDENT`` in :mod:`portal.cases`), and so is which
budget is in force meanwhile (:func:`portal.cases.decision_in_force`).

A person contacted by letter (nobody with an email address acts for them, as after an assessment on the phone,
or they asked for letters) is sent one saying the request was received, what happens next and by when
(:data:`DECIDE_WITHIN_DAYS`): a PDF the worker renders, kept with the request's case for staff to print and post.

Its outcome is the new case's decision, the first kept: "upheld" when it gives the same weekly budget as the
decision asked about (or again none), "changed" otherwise. The open figures (:mod:`portal.open_figures`) read the
rows written here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import load_only

from portal import cases
from portal.audit import record
from portal.cases import Move, NotAllowed
from portal.extensions import db
from portal.jobs import enqueue, handler
from portal.mail import link_to, queue_email
from portal.models import (
    Account,
    Case,
    CaseKind,
    Decision,
    Document,
    Estimate,
    EvidenceFile,
    Job,
    PersonLink,
    Reconsideration,
    Snapshot,
    Validation,
    utcnow,
)

#: The kinds of file accepted, each recognised by how its content starts (never by its name or the browser's word).
EVIDENCE_TYPES: dict[str, tuple[bytes, str]] = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
}
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
# The request may carry more than the files allowed, so that a file too large is still read and refused with a
# message beside the field (what was typed kept), not a 413 page.
REQUEST_LIMIT = 2 * MAX_FILES * MAX_FILE_BYTES + 1024 * 1024
MAX_TEXT = 4000
#: The new decision is due this many days after the request (what the letter saying it was received promises).
DECIDE_WITHIN_DAYS = 28
#: The kind of document (portal.models.Document) of the letter saying a request was received.
RECEIVED_LETTER = "reconsideration_received"


class EvidenceProblem(ValueError):
    """A file that cannot be accepted: ``code`` is empty, too_large, wrong_type or too_many."""

    def __init__(self, code: str, filename: str = "") -> None:
        super().__init__(f"{filename or 'a file'}: {code}")
        self.code = code
        self.filename = filename


@dataclass(frozen=True)
class Evidence:
    """A file that passed the checks: its name to show, its type as found in its content, and its bytes."""

    filename: str
    content_type: str
    data: bytes


def content_type_of(data: bytes) -> str | None:
    """The accepted type the content starts like, or None."""
    for content_type, (magic, _) in EVIDENCE_TYPES.items():
        if data.startswith(magic):
            return content_type
    return None


def safe_name(filename: str, content_type: str) -> str:
    """A name to show and download the file by: the last part of what was given, printable, with the extension
    of the type found in it (a PNG called "letter.pdf" becomes "letter.png")."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base).strip(" .") or "file"
    return stem[:150] + EVIDENCE_TYPES[content_type][1]


def check_file(filename: str, data: bytes) -> Evidence:
    """Accept a file, or refuse it with the reason: empty, larger than the limit, or not a PDF, PNG or JPEG."""
    if not data:
        raise EvidenceProblem("empty", filename)
    if len(data) > MAX_FILE_BYTES:
        raise EvidenceProblem("too_large", filename)
    content_type = content_type_of(data)
    if content_type is None:
        raise EvidenceProblem("wrong_type", filename)
    return Evidence(safe_name(filename, content_type), content_type, data)


def check_files(files: list[tuple[str, bytes]]) -> list[Evidence]:
    """Every file checked, at most :data:`MAX_FILES` of them (the first problem found is raised)."""
    if len(files) > MAX_FILES:
        raise EvidenceProblem("too_many")
    return [check_file(name, data) for name, data in files]


def problem_words(problem: EvidenceProblem) -> str:
    """What is wrong with a file, in the reader's language, naming it."""
    from flask_babel import gettext

    name = problem.filename
    if problem.code == "too_many":
        return str(gettext("Choose %(count)s files or fewer", count=MAX_FILES))
    if problem.code == "empty":
        return str(gettext("The file %(name)s is empty. Choose it again, or another file", name=name))
    if problem.code == "too_large":
        return str(
            gettext(
                "The file %(name)s is larger than %(size)s MB. Choose a smaller file",
                name=name,
                size=MAX_FILE_BYTES // (1024 * 1024),
            )
        )
    return str(gettext("The file %(name)s must be a PDF, PNG or JPEG", name=name))


def too_large_words() -> str:
    """Why files sent together were refused unread (the request was over :data:`REQUEST_LIMIT`): the limit in all,
    and the limits that let them through, in the reader's language."""
    from flask_babel import gettext

    return str(
        gettext(
            "The files you chose were too large to send together: more than %(total)s MB in all. Choose up to "
            "%(count)s files, each %(size)s MB or smaller",
            total=REQUEST_LIMIT // (1024 * 1024),
            count=MAX_FILES,
            size=MAX_FILE_BYTES // (1024 * 1024),
        )
    )


def may_ask_again(account: Account | None, case: Case) -> bool:
    """Whether the account may ask for this decided case to be looked at again (the lifecycle's rule)."""
    return cases.may_start_linked(account, case, CaseKind.RECONSIDERATION)


def ask_again(
    account: Account,
    case: Case,
    *,
    reason: str,
    considered: str = "",
    files: list[tuple[str, bytes]] | None = None,
    how: str = "online",
) -> Case:
    """Ask for the decided case to be looked at again; returns the new case, sent to the organisation's queue.

    Refuses by itself: someone who does not act for the person, a decision that cannot be asked about (not in
    force, already being looked at, itself the outcome of looking again), no reason, text too long, or a file
    that is not accepted. Nothing is written unless everything is. Staff record a request the person made by
    phone or post (``how``), in the person's words.
    """
    if how not in ("online", "phone", "post"):
        raise ValueError(f"unknown way of asking {how!r}")
    if not may_ask_again(account, case):
        raise NotAllowed("this decision cannot be asked about by this account now")
    reason, considered = reason.strip(), (considered or "").strip()
    if not reason:
        raise ValueError("say why the decision should be looked at again")
    if len(reason) > MAX_TEXT or len(considered) > MAX_TEXT:
        raise ValueError("the text is too long")
    evidence = check_files(files or [])
    linked = cases.start_linked_case(account, case, CaseKind.RECONSIDERATION, reason=reason)
    _copy_what_was_decided(case, linked)
    cases.move(
        account,
        linked,
        Move.SEND,
        values={
            "sent_at": utcnow(),
            "urgent": False,
            "risk_rank": case.risk_rank,
            "client_group": case.client_group,
            "self_funder": case.self_funder,
            "person_name": case.person.name,
        },
        detail={"reconsideration_of": case.reference},
    )
    asked = Reconsideration(
        case_id=linked.id,
        organisation_id=case.organisation_id,
        asked_by_id=account.id,
        reason=reason,
        considered=considered,
        lang=account.locale,
    )
    db.session.add(asked)
    for item in evidence:
        db.session.add(
            EvidenceFile(
                case_id=linked.id,
                uploaded_by_id=account.id,
                filename=item.filename,
                content_type=item.content_type,
                size=len(item.data),
                content=item.data,
            )
        )
    record(
        "reconsideration.asked",
        actor=account,
        case=linked,
        reason=reason,
        detail={
            "follows": case.reference,
            "how": how,
            "files": [{"name": e.filename, "type": e.content_type, "bytes": len(e.data)} for e in evidence],
        },
    )
    _tell_people(linked, "reconsideration_asked", asked_about=case.reference)
    _write_if_by_letter(linked, how)
    db.session.commit()
    return linked


def decide_by(asked_on: date) -> date:
    """The day the new decision is due, for a request made on ``asked_on``."""
    return asked_on + timedelta(days=DECIDE_WITHIN_DAYS)


def _write_if_by_letter(case: Case, how: str) -> None:
    """Queue the letter saying the request was received, for a person contacted by letter (the review reminders'
    rule, :func:`portal.review_due.channel_for`), in the language of the first account acting for them, if any."""
    from portal.review_due import channel_for

    if channel_for(case) != "letter":
        return
    locale = db.session.scalar(
        select(Account.locale)
        .join(PersonLink, PersonLink.account_id == Account.id)
        .where(PersonLink.person_id == case.person_id, Account.closed_at.is_(None))
        .order_by(Account.id)
        .limit(1)
    )
    enqueue("reconsideration_received_letter", {"case_id": case.id, "lang": locale or "en", "how": how})


@handler("reconsideration_received_letter")
def render_received_letter(job: Job) -> dict[str, Any]:
    """Render the letter saying the request was received and keep it with the request's case (safe to run twice)."""
    from flask_babel import force_locale, gettext

    from portal.i18n import babel_locale
    from portal.pdf import render_pdf

    case = db.session.get(Case, job.payload["case_id"])
    asked = request_for(case) if case is not None else None
    first = asked_about(case) if case is not None else None
    if case is None or asked is None or first is None:
        raise LookupError(f"request to look again {job.payload['case_id']} is missing")
    in_force = cases.decision_in_force(case)
    lang = job.payload.get("lang", "en")
    with force_locale(babel_locale(lang)):
        title = gettext("We have your request to look at our decision again")
    pdf = render_pdf(
        "reconsideration_received.html",
        lang=lang,
        title=title,
        person_name=case.person.name,
        address_lines=case.person.postal_address(),
        reference=case.reference,
        asked_about=first.reference,
        organisation=case.organisation,
        asked=asked,
        how=job.payload.get("how", "online"),
        decide_by=decide_by(asked.asked_at.date()),
        in_force_pence=in_force[1].confirmed_weekly_pence if in_force else None,
        lowered=cases.kept_while_looked_at_again(case) is not None,
    )
    filename = f"request-received-{case.reference}-{lang}.pdf"
    existing = db.session.scalar(select(Document).filter_by(case_id=case.id, kind=RECEIVED_LETTER, lang=lang))
    if existing is not None:
        existing.content = pdf
    else:
        db.session.add(
            Document(case_id=case.id, kind=RECEIVED_LETTER, lang=lang, filename=filename, content=pdf)
        )
    db.session.commit()
    return {"bytes": len(pdf), "lang": lang}


def received_letters(case: Case) -> list[Document]:
    """The letters saying this request was received, newest first, without their content."""
    return list(
        db.session.scalars(
            select(Document)
            .options(load_only(Document.public_id, Document.lang, Document.filename, Document.created_at))
            .filter_by(case_id=case.id, kind=RECEIVED_LETTER)
            .order_by(Document.id.desc())
        )
    )


def received_letter(case: Case, public_id: str) -> Document | None:
    """One letter saying this request was received (the case already found for the member of staff asking)."""
    if not re.fullmatch(r"[0-9a-f]{32}", public_id or ""):
        return None
    return db.session.scalar(
        select(Document).filter_by(case_id=case.id, kind=RECEIVED_LETTER, public_id=public_id)
    )


def _copy_what_was_decided(decided: Case, linked: Case) -> None:
    """The decided case's answers as sent, its checks and Needs Profile, and the person's own estimate, copied to
    the new case for whoever takes it to start from (the decided case keeps its own)."""
    snapshot = db.session.scalar(
        select(Snapshot).filter_by(case_id=decided.id).order_by(Snapshot.id.desc()).limit(1)
    )
    if snapshot is None:
        return
    copy = Snapshot(
        case_id=linked.id,
        answers=dict(snapshot.answers),
        questionnaire_version=snapshot.questionnaire_version,
        completed_by_id=snapshot.completed_by_id,
        authority=snapshot.authority,
        urgent=False,
    )
    db.session.add(copy)
    db.session.flush()
    validation = db.session.scalar(
        select(Validation).filter_by(case_id=decided.id).order_by(Validation.id.desc()).limit(1)
    )
    if validation is not None:
        db.session.add(
            Validation(
                case_id=linked.id,
                snapshot_id=copy.id,
                assessor_id=validation.assessor_id,
                items=dict(validation.items or {}),
                practitioner_items=dict(validation.practitioner_items or {}),
                path_taken=validation.path_taken,
            )
        )
    own = db.session.scalar(
        select(Estimate)
        .filter_by(case_id=decided.id, purpose="self_assessment")
        .order_by(Estimate.id.desc())
        .limit(1)
    )
    if own is not None:
        db.session.add(
            Estimate(
                case_id=linked.id,
                snapshot_id=copy.id,
                purpose="self_assessment",
                engine_version=own.engine_version,
                config_label=own.config_label,
                config_hash=own.config_hash,
                mode=own.mode,
                total_weekly_pence=own.total_weekly_pence,
                result=dict(own.result),
            )
        )
    db.session.flush()


def _tell_people(case: Case, template: str, **context: Any) -> None:
    """Email every account acting for the person, each in their own language."""
    link = link_to("selfassess.status", case_id=case.public_id)
    accounts = db.session.scalars(
        select(Account)
        .join(PersonLink, PersonLink.account_id == Account.id)
        .where(PersonLink.person_id == case.person_id)
    )
    for account in accounts:
        if not account.email or account.closed_at is not None:
            continue
        queue_email(
            account.email,
            template,
            account.locale,
            name=account.name,
            person_name=case.person.name,
            reference=case.reference,
            organisation=case.organisation.name if case.organisation else "",
            status_link=link,
            **context,
        )


# -- reading -----------------------------------------------------------------------------------------


def request_for(case: Case) -> Reconsideration | None:
    """The request a reconsideration case carries (None for any other case)."""
    if case.kind != CaseKind.RECONSIDERATION:
        return None
    return db.session.scalar(select(Reconsideration).filter_by(case_id=case.id))


def evidence(case: Case) -> list[EvidenceFile]:
    """The files added with the request, oldest first, without their content."""
    return list(
        db.session.scalars(
            select(EvidenceFile)
            .options(
                load_only(
                    EvidenceFile.public_id,
                    EvidenceFile.filename,
                    EvidenceFile.content_type,
                    EvidenceFile.size,
                    EvidenceFile.created_at,
                )
            )
            .filter_by(case_id=case.id)
            .order_by(EvidenceFile.id)
        )
    )


def evidence_file(case: Case, public_id: str) -> EvidenceFile | None:
    """One file of this case (the case itself already found for the account asking)."""
    if not re.fullmatch(r"[0-9a-f]{32}", public_id or ""):
        return None
    return db.session.scalar(select(EvidenceFile).filter_by(case_id=case.id, public_id=public_id))


def asked_about(case: Case) -> Case | None:
    """The decided case a reconsideration asks about."""
    if case.kind != CaseKind.RECONSIDERATION or case.follows_id is None:
        return None
    return db.session.get(Case, case.follows_id)


def _decision_of(case: Case) -> Decision | None:
    return db.session.scalar(
        select(Decision).filter_by(case_id=case.id, outcome="approved").order_by(Decision.id.desc()).limit(1)
    )


# -- the outcome -------------------------------------------------------------------------------------


def record_outcome(case: Case, decision: Decision) -> str | None:
    """On the reconsideration's decision: upheld or changed, when, and how many days after asking. Called by the
    staff service in the same transaction as the decision; returns the outcome (None for any other case)."""
    asked = request_for(case)
    first = asked_about(case)
    if asked is None or first is None:
        return None
    before = _decision_of(first)
    same = before is not None and before.confirmed_weekly_pence == decision.confirmed_weekly_pence
    asked.outcome = "upheld" if same else "changed"
    asked.decided_at = utcnow()
    asked.days_taken = max(0, (asked.decided_at - asked.asked_at).days)
    record(
        "reconsideration.decided",
        actor=db.session.get(Account, decision.decided_by_id),
        case=case,
        detail={
            "outcome": asked.outcome,
            "days": asked.days_taken,
            "before_pence": before.confirmed_weekly_pence if before else None,
            "after_pence": decision.confirmed_weekly_pence,
        },
    )
    return asked.outcome
